using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Marten;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SmartStore.WebConsole.Security;

/// <summary>An integrator's token for the HTTP API: stored by the SHA-256 of the token, never the token itself.</summary>
public sealed record ApiToken(string Id, string UserId, DateTimeOffset IssuedAt, string IssuedBy);

/// <summary>
/// Tokens for the HTTP API. A token acts as the user it was issued for, with that user's role at the time of each
/// request (a role change or a deleted account takes effect at once). A supervisor issues them; the token is
/// shown once; revoking takes every token of the user.
/// </summary>
public sealed class ApiTokens(IDocumentStore store, TimeProvider clock)
{
    public const string Prefix = "sst_";

    public static string IdOf(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A new token for the user: 32 random bytes, returned once.</summary>
    public async Task<string> IssueAsync(string userId, string issuedBy, CancellationToken cancellationToken)
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        await using var session = store.LightweightSession();
        session.Insert(new ApiToken(IdOf(token), userId, clock.GetUtcNow(), issuedBy));
        await session.SaveChangesAsync(cancellationToken);
        return token;
    }

    public async Task<int> RevokeAllAsync(string userId, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        var tokens = await session.Query<ApiToken>().Where(t => t.UserId == userId).ToListAsync(cancellationToken);
        foreach (var token in tokens)
        {
            session.Delete(token);
        }

        await session.SaveChangesAsync(cancellationToken);
        return tokens.Count;
    }

    public async Task<ApiToken?> FindAsync(string token, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ApiToken>(IdOf(token), cancellationToken);
    }
}

/// <summary>
/// The API's authentication: <c>Authorization: Bearer sst_…</c>. The API accepts nothing else, so a browser's
/// session cookie (which a forged cross-site request would carry) opens no API endpoint.
/// </summary>
public sealed class ApiTokenAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokens tokens, OperatorDirectory directory)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "api-token";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return AuthenticateResult.NoResult();
        }

        var token = header["Bearer ".Length..].Trim();
        if (!token.StartsWith(ApiTokens.Prefix, StringComparison.Ordinal) || token.Length > 100)
        {
            return AuthenticateResult.Fail("not a SmartStore API token");
        }

        var found = await tokens.FindAsync(token, Context.RequestAborted);
        var account = found is null ? null : await directory.FindAsync(found.UserId, Context.RequestAborted);
        if (account is null)
        {
            return AuthenticateResult.Fail("unknown or revoked token");
        }

        var principal = OperatorDirectory.PrincipalOf(account, SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name));
    }
}
