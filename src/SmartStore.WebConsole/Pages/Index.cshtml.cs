using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace SmartStore.WebConsole.Pages;

public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => Redirect("/receipts");
}
