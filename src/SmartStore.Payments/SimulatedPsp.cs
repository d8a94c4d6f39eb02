using System.Collections.Concurrent;

namespace SmartStore.Payments;

/// <summary>Behaviour of the simulated provider.</summary>
public sealed record PspSimulation
{
    /// <summary>How long each call takes (on the given clock).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;

    /// <summary>Share of calls that fail transiently before doing anything (0..1).</summary>
    public double TransientFailureRate { get; init; }

    /// <summary>Share of calls that fail transiently <em>after</em> doing the work (the answer is lost on the way back).</summary>
    public double LostAnswerRate { get; init; }

    /// <summary>Tokens starting with this prefix are declined ("insufficient funds").</summary>
    public string DeclinePrefix { get; init; } = "decline-";

    public int Seed { get; init; } = 42;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// An in-memory payment provider for tests, the demo and QA: it keeps what it charged per token, honours
/// idempotency keys exactly like a real one, and fails on purpose as configured — including failing after
/// the charge went through, the case that makes retries dangerous without idempotency.
/// </summary>
public sealed class SimulatedPsp(PspSimulation simulation) : IPaymentGateway
{
    private readonly ConcurrentDictionary<string, PaymentResult> _byKey = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _captured = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _refunded = new(StringComparer.Ordinal);

    // References are opaque (as a real provider's): the token behind a capture is looked up, never encoded in it.
    private readonly ConcurrentDictionary<string, string> _tokenOfCapture = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _captures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _openHolds = new(StringComparer.Ordinal);
    private readonly Random _random = new(simulation.Seed);
    private long _references;
    private long _calls;
    private long _failures;

    private volatile bool _healed;
    private double _transientRate = simulation.TransientFailureRate;
    private double _lostAnswerRate = simulation.LostAnswerRate;

    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Ends every injected failure from now on (the outage is over); what was charged stays charged.</summary>
    public void Heal() => _healed = true;

    /// <summary>Starts (or changes) an outage: from now on calls fail at these rates until <see cref="Heal"/>.</summary>
    public void Disrupt(double transientFailureRate, double lostAnswerRate)
    {
        (_transientRate, _lostAnswerRate) = (transientFailureRate, lostAnswerRate);
        _healed = false;
    }

    public long InjectedFailures => Interlocked.Read(ref _failures);

    /// <summary>What the provider really charged per token (captures minus refunds): the ground truth for "charged once".</summary>
    public long NetChargedTo(string token) => _captured.GetValueOrDefault(token) - _refunded.GetValueOrDefault(token);

    public int CapturesOf(string token) => _captures.GetValueOrDefault(token);

    /// <summary>Holds placed and not voided (a hold that outlives its visit would block the shopper's money).</summary>
    public int OpenHolds => _openHolds.Count;

    public Task<PaymentResult> AuthoriseAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, CancellationToken cancellationToken = default) =>
        CallAsync(idempotencyKey, () => Decline(paymentToken, amountMinor) ?? new PaymentResult(PaymentOutcome.Approved, Hold(), amountMinor), cancellationToken);

    public Task<PaymentResult> CaptureAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, string? authorisation, CancellationToken cancellationToken = default) =>
        CallAsync(idempotencyKey, () => Capture(paymentToken, amountMinor), cancellationToken);

    public Task<PaymentResult> VoidAsync(string idempotencyKey, string authorisation, CancellationToken cancellationToken = default) =>
        CallAsync(idempotencyKey, () => Void(authorisation), cancellationToken);

    public Task<PaymentResult> RefundAsync(string idempotencyKey, string capture, long amountMinor, CancellationToken cancellationToken = default) =>
        CallAsync(idempotencyKey, () => Refund(capture, amountMinor), cancellationToken);

    private PaymentResult Capture(string token, long amount)
    {
        if (Decline(token, amount) is { } declined)
        {
            return declined;
        }

        _captured.AddOrUpdate(token, amount, (_, total) => total + amount);
        _captures.AddOrUpdate(token, 1, (_, n) => n + 1);
        var reference = $"cap-{Next()}";
        _tokenOfCapture[reference] = token;
        return new PaymentResult(PaymentOutcome.Approved, reference, amount);
    }

    private string Hold()
    {
        var reference = $"auth-{Next()}";
        _openHolds[reference] = 0;
        return reference;
    }

    private PaymentResult Void(string authorisation)
    {
        _openHolds.TryRemove(authorisation, out _);
        return new PaymentResult(PaymentOutcome.Approved, $"void-{Next()}", 0);
    }

    private PaymentResult Refund(string capture, long amount)
    {
        var token = _tokenOfCapture.TryGetValue(capture, out var owner) ? owner : throw new InvalidOperationException($"Unknown capture '{capture}'.");
        _refunded.AddOrUpdate(token, amount, (_, total) => total + amount);
        return new PaymentResult(PaymentOutcome.Approved, $"ref-{Next()}", amount);
    }

    private async Task<PaymentResult> CallAsync(string key, Func<PaymentResult> work, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Interlocked.Increment(ref _calls);
        if (simulation.Latency > TimeSpan.Zero)
        {
            await Task.Delay(simulation.Latency, simulation.Time, cancellationToken);
        }

        if (Roll(_transientRate))
        {
            Interlocked.Increment(ref _failures);
            throw new PspUnavailableException("provider unavailable (simulated)");
        }

        // The same key always gets the first answer: the work runs at most once per key.
        var result = _byKey.GetOrAdd(key, _ => work());
        if (Roll(_lostAnswerRate))
        {
            Interlocked.Increment(ref _failures);
            throw new PspUnavailableException("answer lost after the provider acted (simulated)");
        }

        return result;
    }

    private PaymentResult? Decline(string token, long amount) =>
        token.StartsWith(simulation.DeclinePrefix, StringComparison.Ordinal) ? new PaymentResult(PaymentOutcome.Declined, $"dec-{Next()}", amount, "insufficient funds") : null;

    private long Next() => Interlocked.Increment(ref _references);

    private bool Roll(double rate)
    {
        if (rate <= 0 || _healed)
        {
            return false;
        }

        lock (_random)
        {
            return _random.NextDouble() < rate;
        }
    }
}
