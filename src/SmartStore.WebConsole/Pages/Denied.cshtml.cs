using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SmartStore.WebConsole.Pages;

/// <summary>Where a signed-in operator lands when their role does not allow a page (HTTP 403).</summary>
public sealed class DeniedModel : PageModel
{
    public void OnGet() => Response.StatusCode = 403;
}
