namespace SmartStore.Payments;

/// <summary>
/// At most <paramref name="maxConcurrent"/> calls to the provider at once; the rest wait their turn in order.
/// A provider has rate limits, and a store that settles a rush of visits must not open a hundred connections.
/// </summary>
public sealed class BoundedGateway(IPaymentGateway inner, int maxConcurrent) : IPaymentGateway, IDisposable
{
    private readonly SemaphoreSlim _slots = new(maxConcurrent, maxConcurrent);

    public Task<PaymentResult> AuthoriseAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.AuthoriseAsync(idempotencyKey, paymentToken, amountMinor, currency, ct), cancellationToken);

    public Task<PaymentResult> CaptureAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, string? authorisation, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.CaptureAsync(idempotencyKey, paymentToken, amountMinor, currency, authorisation, ct), cancellationToken);

    public Task<PaymentResult> VoidAsync(string idempotencyKey, string authorisation, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.VoidAsync(idempotencyKey, authorisation, ct), cancellationToken);

    public Task<PaymentResult> RefundAsync(string idempotencyKey, string capture, long amountMinor, CancellationToken cancellationToken = default) =>
        RunAsync(ct => inner.RefundAsync(idempotencyKey, capture, amountMinor, ct), cancellationToken);

    public void Dispose() => _slots.Dispose();

    private async Task<PaymentResult> RunAsync(Func<CancellationToken, Task<PaymentResult>> call, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await call(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }
}
