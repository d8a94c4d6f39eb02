using System.Security.Cryptography;
using System.Text;
using Marten;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace SmartStore.WebConsole.Security;

/// <summary>Why an account was not created: one reason, said so an operator can fix it.</summary>
public sealed record AccountRefusal(string Reason);

/// <summary>
/// The console's operators, in Marten: passwords hashed with ASP.NET Core Identity's hasher (PBKDF2, salted, per
/// account), user names compared in lower case. There is no default account: the first supervisor is created
/// with the one-time setup token this process printed when it found none (<see cref="SetupToken"/>).
/// </summary>
public sealed class OperatorDirectory(IDocumentStore store, TimeProvider clock)
{
    /// <summary>ASVS level 1: at least 12 characters; no other composition rules.</summary>
    public const int MinimumPasswordLength = 12;

    private static readonly PasswordHasher<OperatorAccount> Hasher = new();

    // Hashing a password for an unknown user too, so a refusal takes as long whether or not the user exists.
    private static readonly string DecoyHash = Hasher.HashPassword(new OperatorAccount("-", "-", OperatorRoles.Operator, string.Empty, DateTimeOffset.UnixEpoch, "-"), "not a password of anyone");

    /// <summary>The setup token while no supervisor exists (null once one does).</summary>
    public string? SetupToken { get; private set; }

    /// <summary>Makes a setup token if there is no supervisor yet; returns it (to print) or null.</summary>
    public async Task<string?> PrepareSetupAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        if (await session.Query<OperatorAccount>().AnyAsync(a => a.Role == OperatorRoles.Supervisor, cancellationToken))
        {
            SetupToken = null;
            return null;
        }

        SetupToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');
        return SetupToken;
    }

    /// <summary>Creates the first supervisor with the setup token; the token is spent whatever the outcome after it matched.</summary>
    public async Task<AccountRefusal?> CompleteSetupAsync(string token, string userName, string password, CancellationToken cancellationToken)
    {
        var expected = SetupToken;
        if (expected is null)
        {
            return new AccountRefusal("setup is already done: sign in as a supervisor");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token ?? string.Empty), Encoding.UTF8.GetBytes(expected)))
        {
            return new AccountRefusal("the setup token is not the one this node printed");
        }

        var refused = await CreateAsync(userName, password, OperatorRoles.Supervisor, "setup", cancellationToken);
        if (refused is null)
        {
            SetupToken = null;
        }

        return refused;
    }

    /// <summary>Creates an account (a supervisor's action once setup is done).</summary>
    public async Task<AccountRefusal?> CreateAsync(string userName, string password, string role, string createdBy, CancellationToken cancellationToken)
    {
        var id = Normalise(userName);
        if (id.Length is < 3 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            return new AccountRefusal("a user name is 3 to 64 letters, digits, '.', '-' or '_'");
        }

        if ((password ?? string.Empty).Length < MinimumPasswordLength)
        {
            return new AccountRefusal($"a password has at least {MinimumPasswordLength} characters");
        }

        if (!OperatorRoles.All.Contains(role))
        {
            return new AccountRefusal($"'{role}' is not a role (operator, supervisor, auditor)");
        }

        await using var session = store.LightweightSession();
        if (await session.LoadAsync<OperatorAccount>(id, cancellationToken) is not null)
        {
            return new AccountRefusal($"'{id}' is taken");
        }

        var account = new OperatorAccount(id, userName.Trim(), role, string.Empty, clock.GetUtcNow(), createdBy);
        session.Insert(account with { PasswordHash = Hasher.HashPassword(account, password!) });
        await session.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>The account when the password is right; null otherwise (which of the two was wrong is not said).</summary>
    public async Task<OperatorAccount?> VerifyAsync(string userName, string password, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var account = await session.LoadAsync<OperatorAccount>(Normalise(userName), cancellationToken);
        if (account is null)
        {
            Hasher.VerifyHashedPassword(new OperatorAccount("-", "-", OperatorRoles.Operator, DecoyHash, DateTimeOffset.UnixEpoch, "-"), DecoyHash, password ?? string.Empty);
            return null;
        }

        return Hasher.VerifyHashedPassword(account, account.PasswordHash, password ?? string.Empty) == PasswordVerificationResult.Failed ? null : account;
    }

    /// <summary>Who a signed-in operator is to the console: their user name and their one role.</summary>
    public static ClaimsPrincipal PrincipalOf(OperatorAccount account, string scheme = CookieAuthenticationDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(account);
        return new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, account.Id), new Claim(ClaimTypes.Role, account.Role)], scheme));
    }

    /// <summary>Every account, by user name (hashes included: callers show only names and roles).</summary>
    public async Task<IReadOnlyList<OperatorAccount>> AllAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.Query<OperatorAccount>().OrderBy(a => a.Id).ToListAsync(cancellationToken);
    }

    public async Task<OperatorAccount?> FindAsync(string userName, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<OperatorAccount>(Normalise(userName), cancellationToken);
    }

    /// <summary>
    /// Gives an account another role. Only a supervisor changes roles and none can take the role from themselves,
    /// so the console always keeps a supervisor who can manage it.
    /// </summary>
    public async Task<AccountRefusal?> ChangeRoleAsync(string userName, string role, string changedBy, CancellationToken cancellationToken)
    {
        if (!OperatorRoles.All.Contains(role))
        {
            return new AccountRefusal($"'{role}' is not a role (operator, supervisor, auditor)");
        }

        await using var session = store.LightweightSession();
        var account = await session.LoadAsync<OperatorAccount>(Normalise(userName), cancellationToken);
        if (account is null)
        {
            return new AccountRefusal($"no account '{Normalise(userName)}'");
        }

        if (account.Role == role)
        {
            return new AccountRefusal($"'{account.Id}' is already {role}");
        }

        if (account.Role == OperatorRoles.Supervisor && account.Id == Normalise(changedBy))
        {
            return new AccountRefusal("a supervisor cannot take the role from themselves: ask another supervisor");
        }

        session.Store(account with { Role = role });
        await session.SaveChangesAsync(cancellationToken);
        return null;
    }

    /// <summary>A user name as accounts are keyed: trimmed, lower case.</summary>
    public static string Normalise(string? userName) => (userName ?? string.Empty).Trim().ToLowerInvariant();
}
