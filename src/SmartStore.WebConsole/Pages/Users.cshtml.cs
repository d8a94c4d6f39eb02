using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Pages;

/// <summary>The console's users and their roles: supervisors only; every change goes into the audit log.</summary>
[Authorize(Policy = ConsolePolicies.Supervise)]
public sealed class UsersModel(OperatorDirectory directory, ApiTokens tokens, AuditLog audit) : PageModel
{
    public IReadOnlyList<OperatorAccount> Accounts { get; private set; } = [];

    /// <summary>A token just issued: shown on this one answer and never again.</summary>
    public string? IssuedToken { get; private set; }

    public string? IssuedFor { get; private set; }

    public string? Refusal { get; private set; }

    private string Who => User.Identity?.Name ?? "?";

    public async Task OnGetAsync(CancellationToken cancellationToken) => Accounts = await directory.AllAsync(cancellationToken);

    public async Task<IActionResult> OnPostCreateAsync(string? userName, string? password, string? role, CancellationToken cancellationToken)
    {
        var refused = await directory.CreateAsync(userName ?? string.Empty, password ?? string.Empty, role ?? string.Empty, Who, cancellationToken);
        return await AnsweredAsync(refused, refused is null ? "user created" : "user refused", $"{userName?.Trim()} as {role}", cancellationToken);
    }

    public async Task<IActionResult> OnPostRoleAsync(string? userName, string? role, CancellationToken cancellationToken)
    {
        var refused = await directory.ChangeRoleAsync(userName ?? string.Empty, role ?? string.Empty, Who, cancellationToken);
        return await AnsweredAsync(refused, refused is null ? "role changed" : "role change refused", $"{userName?.Trim()} to {role}", cancellationToken);
    }

    public async Task<IActionResult> OnPostTokenAsync(string? userName, CancellationToken cancellationToken)
    {
        var account = await directory.FindAsync(userName ?? string.Empty, cancellationToken);
        if (account is null)
        {
            return await AnsweredAsync(new AccountRefusal($"no account '{userName}'"), "api token refused", userName ?? string.Empty, cancellationToken);
        }

        IssuedToken = await tokens.IssueAsync(account.Id, Who, cancellationToken);
        Response.Headers.CacheControl = "no-store";
        IssuedFor = account.Id;
        await audit.RecordAsync(Who, "api token issued", $"for {account.Id} ({account.Role})", cancellationToken);
        Accounts = await directory.AllAsync(cancellationToken);
        return Page();
    }

    public async Task<IActionResult> OnPostRevokeAsync(string? userName, CancellationToken cancellationToken)
    {
        var revoked = await tokens.RevokeAllAsync(OperatorDirectory.Normalise(userName), cancellationToken);
        await audit.RecordAsync(Who, "api tokens revoked", $"{revoked} of {userName}", cancellationToken);
        return RedirectToPage();
    }

    private async Task<IActionResult> AnsweredAsync(AccountRefusal? refused, string action, string detail, CancellationToken cancellationToken)
    {
        await audit.RecordAsync(Who, action, refused is null ? detail : $"{detail}: {refused.Reason}", cancellationToken);
        if (refused is null)
        {
            return RedirectToPage();
        }

        Refusal = refused.Reason;
        Accounts = await directory.AllAsync(cancellationToken);
        return new PageResult { StatusCode = StatusCodes.Status409Conflict };
    }
}
