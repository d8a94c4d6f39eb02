using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Pages;

[AllowAnonymous]
public sealed class SetupModel(OperatorDirectory directory, SignInThrottle throttle, AuditLog audit) : CredentialsPageModel
{
    [BindProperty]
    public string? Token { get; set; }

    public bool Done => directory.SetupToken is null;

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        // The token is a password too: guessing it is throttled like signing in.
        var client = Client;
        if (!throttle.TryAttempt(client))
        {
            Refusal = "Too many attempts from here: wait a minute and try again.";
            return new PageResult { StatusCode = StatusCodes.Status429TooManyRequests };
        }

        var refused = await directory.CompleteSetupAsync(Token ?? string.Empty, UserName ?? string.Empty, Password ?? string.Empty, cancellationToken);
        if (refused is not null)
        {
            await audit.RecordAsync(UserName ?? "?", "setup refused", refused.Reason, cancellationToken);
            Refusal = refused.Reason;
            return new PageResult { StatusCode = StatusCodes.Status400BadRequest };
        }

        await audit.RecordAsync(UserName!.Trim().ToLowerInvariant(), "setup", "first supervisor created with the setup token", cancellationToken);
        return Redirect("/signin");
    }
}
