namespace SmartStore.Payments;

/// <summary>What a visit's payment ledger (stream <c>payment-{visit}</c>) records.</summary>
#pragma warning disable CA1040 // A marker: the ledger's events share no members, only their stream.
public interface ILedgerEvent;
#pragma warning restore CA1040

public sealed record PaymentCaptured(string VisitId, long AmountMinor, string Currency, string Reference) : ILedgerEvent;

public sealed record PaymentDeclined(string VisitId, long AmountMinor, string Currency, string Reason) : ILedgerEvent;

/// <summary>An unpaid visit becomes a debt on the shopper's account.</summary>
public sealed record DebtRecorded(string VisitId, string ShopperId, long AmountMinor, string Currency) : ILedgerEvent;

public sealed record RefundIssued(string VisitId, long AmountMinor, string Reference, string Reason) : ILedgerEvent;

/// <summary>The settlement of one visit as the ledger knows it.</summary>
public sealed record VisitSettlement(string VisitId, PaymentOutcome Outcome, long AmountMinor, string? CaptureReference, long RefundedMinor);

/// <summary>
/// The ledger of one visit's charge and refunds. Charging is idempotent end to end: a visit the ledger has
/// settled is answered from the ledger, the provider is called with the visit's idempotency key (a retry, a
/// restarted node or a second node gets the first charge back), and the ledger records the outcome once. A
/// crash between the provider's charge and the record is healed by the next attempt: same key, same charge.
/// </summary>
public static class LedgerRules
{
    public static string CaptureKey(string visitId) => $"visit-{visitId}-capture";

    public static string VoidKey(string visitId) => $"visit-{visitId}-void";

    public static string HoldKey(string visitId) => $"visit-{visitId}-hold";

    public static string RefundKey(string visitId, int refundNumber) => $"visit-{visitId}-refund-{refundNumber}";

    public static VisitSettlement? Evolve(VisitSettlement? settlement, string visitId, ILedgerEvent @event) => @event switch
    {
        PaymentCaptured c => new VisitSettlement(visitId, PaymentOutcome.Approved, c.AmountMinor, c.Reference, 0),
        PaymentDeclined d => new VisitSettlement(visitId, PaymentOutcome.Declined, d.AmountMinor, null, 0),
        RefundIssued r when settlement is not null => settlement with { RefundedMinor = settlement.RefundedMinor + r.AmountMinor },
        _ => settlement,
    };

    /// <summary>The events that record the provider's answer to a capture (a decline is also a debt).</summary>
    public static IReadOnlyList<ILedgerEvent> Captured(string visitId, string shopperId, long amountMinor, string currency, PaymentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Approved
            ? [new PaymentCaptured(visitId, amountMinor, currency, result.Reference)]
            : Unpaid(visitId, shopperId, amountMinor, currency, result.DeclineReason ?? "declined");
    }

    /// <summary>A visit that could not be charged at all (no payment method): a debt.</summary>
    public static IReadOnlyList<ILedgerEvent> Unpaid(string visitId, string shopperId, long amountMinor, string currency, string reason) =>
        [new PaymentDeclined(visitId, amountMinor, currency, reason), new DebtRecorded(visitId, shopperId, amountMinor, currency)];

    /// <summary>Why a refund of <paramref name="amountMinor"/> cannot be made, or null when it can.</summary>
    public static string? RefundRefusal(VisitSettlement? settlement, long amountMinor)
    {
        if (settlement is not { Outcome: PaymentOutcome.Approved, CaptureReference: not null })
        {
            return "the visit has no captured payment to refund";
        }

        return amountMinor <= 0 || settlement.RefundedMinor + amountMinor > settlement.AmountMinor
            ? $"a refund must be positive and at most the {settlement.AmountMinor - settlement.RefundedMinor} still charged"
            : null;
    }
}
