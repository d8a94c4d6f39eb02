namespace SmartStore.Payments;

/// <summary>
/// The payment service provider port, in the spirit of Just Walk Out's purchases API: every call carries an
/// idempotency key (one per visit and operation), and the provider answers a repeated key with the first
/// answer, never a second charge. Transient trouble is an exception (<see cref="PspUnavailableException"/>),
/// a business answer (approved, declined) is a result.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>Places a hold of <paramref name="amountMinor"/> on the payment token.</summary>
    Task<PaymentResult> AuthoriseAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, CancellationToken cancellationToken = default);

    /// <summary>Charges <paramref name="amountMinor"/> (against a hold if <paramref name="authorisation"/> is given).</summary>
    Task<PaymentResult> CaptureAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, string? authorisation, CancellationToken cancellationToken = default);

    /// <summary>Releases a hold without charging.</summary>
    Task<PaymentResult> VoidAsync(string idempotencyKey, string authorisation, CancellationToken cancellationToken = default);

    /// <summary>Returns part or all of a capture.</summary>
    Task<PaymentResult> RefundAsync(string idempotencyKey, string capture, long amountMinor, CancellationToken cancellationToken = default);
}

public enum PaymentOutcome
{
    Approved,
    Declined,
}

/// <summary>The provider's answer. <see cref="Reference"/> identifies the hold, charge or refund at the provider.</summary>
public sealed record PaymentResult(PaymentOutcome Outcome, string Reference, long AmountMinor, string? DeclineReason = null)
{
    public bool Approved => Outcome == PaymentOutcome.Approved;
}

/// <summary>The provider could not be reached or failed for a reason worth retrying with the same key.</summary>
public sealed class PspUnavailableException(string message) : Exception(message);
