using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.WebConsole.Audit;

namespace SmartStore.WebConsole.Pages;

/// <summary>Signing out is a POST (with the antiforgery token), so no link or image elsewhere can do it.</summary>
public sealed class SignOutModel(AuditLog audit) : PageModel
{
    public IActionResult OnGet() => RedirectToPage("/Receipts");

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        await audit.RecordAsync(User.Identity?.Name ?? "?", "sign-out", string.Empty, cancellationToken);
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/signin");
    }
}
