using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SmartStore.WebConsole.Pages;

/// <summary>A page that takes a user name and a password (sign-in, setup): the posted fields, its refusal, and who is asking.</summary>
public abstract class CredentialsPageModel : PageModel
{
    [BindProperty]
    public string? UserName { get; set; }

    [BindProperty]
    public string? Password { get; set; }

    public string? Refusal { get; protected set; }

    /// <summary>The client's address: what the sign-in throttle counts attempts by.</summary>
    protected string Client => HttpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
