using System.Threading.RateLimiting;

namespace SmartStore.WebConsole.Security;

/// <summary>
/// Sign-in attempts per client address: a fixed window (5 a minute by default), from System.Threading.RateLimiting.
/// Past it, the sign-in answers 429 without looking at the password, so guessing costs time whatever is guessed.
/// </summary>
public sealed class SignInThrottle(int attemptsPerWindow, TimeSpan window) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(
        client => RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions { PermitLimit = attemptsPerWindow, Window = window, QueueLimit = 0, AutoReplenishment = true }));

    /// <summary>True when this client may try once more now.</summary>
    public bool TryAttempt(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
