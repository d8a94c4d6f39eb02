using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Pages;

[AllowAnonymous]
public sealed class SignInModel(OperatorDirectory directory, SignInThrottle throttle, AuditLog audit) : CredentialsPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        var client = Client;
        if (!throttle.TryAttempt(client))
        {
            await audit.RecordAsync(UserName ?? "?", "sign-in throttled", $"from {client}", cancellationToken);
            Refusal = "Too many sign-in attempts from here: wait a minute and try again.";
            return new PageResult { StatusCode = StatusCodes.Status429TooManyRequests };
        }

        var account = await directory.VerifyAsync(UserName ?? string.Empty, Password ?? string.Empty, cancellationToken);
        if (account is null)
        {
            await audit.RecordAsync(UserName ?? "?", "sign-in refused", $"from {client}", cancellationToken);
            Refusal = "The user name or the password is wrong.";
            return new PageResult { StatusCode = StatusCodes.Status401Unauthorized };
        }

        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, OperatorDirectory.PrincipalOf(account));
        await audit.RecordAsync(account.Id, "sign-in", $"as {account.Role} from {client}", cancellationToken);
        return LocalRedirect(Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/receipts");
    }
}
