using Polly;
using Polly.Retry;

namespace SmartStore.Payments;

/// <summary>Retry settings for provider calls.</summary>
public sealed record RetrySettings
{
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan FirstDelay { get; init; } = TimeSpan.FromMilliseconds(50);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Retries transient provider failures with exponential back-off and jitter (Polly). Every attempt carries the
/// same idempotency key, so a retry after a lost answer returns the first charge instead of making a second.
/// </summary>
public sealed class ResilientGateway : IPaymentGateway
{
    private readonly IPaymentGateway _inner;
    private readonly ResiliencePipeline<PaymentResult> _pipeline;

    public ResilientGateway(IPaymentGateway inner, RetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _inner = inner ?? throw new ArgumentNullException(nameof(inner));
        _pipeline = new ResiliencePipelineBuilder<PaymentResult> { TimeProvider = settings.Time }
            .AddRetry(new RetryStrategyOptions<PaymentResult>
            {
                ShouldHandle = new PredicateBuilder<PaymentResult>().Handle<PspUnavailableException>(),
                MaxRetryAttempts = settings.MaxAttempts,
                Delay = settings.FirstDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
            })
            .Build();
    }

    public Task<PaymentResult> AuthoriseAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, CancellationToken cancellationToken = default) =>
        RunAsync(ct => _inner.AuthoriseAsync(idempotencyKey, paymentToken, amountMinor, currency, ct), cancellationToken);

    public Task<PaymentResult> CaptureAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, string? authorisation, CancellationToken cancellationToken = default) =>
        RunAsync(ct => _inner.CaptureAsync(idempotencyKey, paymentToken, amountMinor, currency, authorisation, ct), cancellationToken);

    public Task<PaymentResult> VoidAsync(string idempotencyKey, string authorisation, CancellationToken cancellationToken = default) =>
        RunAsync(ct => _inner.VoidAsync(idempotencyKey, authorisation, ct), cancellationToken);

    public Task<PaymentResult> RefundAsync(string idempotencyKey, string capture, long amountMinor, CancellationToken cancellationToken = default) =>
        RunAsync(ct => _inner.RefundAsync(idempotencyKey, capture, amountMinor, ct), cancellationToken);

    private async Task<PaymentResult> RunAsync(Func<CancellationToken, Task<PaymentResult>> call, CancellationToken cancellationToken) =>
        await _pipeline.ExecuteAsync(async ct => await call(ct), cancellationToken);
}
