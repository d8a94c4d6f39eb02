using SmartStore.Payments;

namespace SmartStore.Node.Protocol;

/// <summary>What a visit's payment ledger is asked to do.</summary>
public abstract record LedgerCommand
{
    private LedgerCommand()
    {
    }

    /// <summary>
    /// Charge the visit's total to its payer and release the entry hold; the answer (payment recorded, or failed)
    /// goes to the visit through its region, so it reaches the visit wherever it lives by then.
    /// </summary>
    public sealed record Charge(string PayerId, long AmountMinor, string Currency, string? HoldReference) : LedgerCommand;

    /// <summary>Record a visit that cannot be charged at all as a debt; answered with <see cref="LedgerReply"/>.</summary>
    public sealed record RecordUnpaid(string ShopperId, long AmountMinor, string Currency, string Reason) : LedgerCommand;

    /// <summary>Refund part of the capture; refund <paramref name="RefundNumber"/> is its own idempotent operation. Answered with <see cref="RefundReply"/>.</summary>
    public sealed record Refund(int RefundNumber, long AmountMinor, string Reason) : LedgerCommand;

    /// <summary>Answered with <see cref="LedgerReply"/>.</summary>
    public sealed record Get : LedgerCommand
    {
        public static readonly Get Instance = new();
    }
}

public sealed record LedgerReply(VisitSettlement? Settlement);

/// <summary>A refund made (its provider reference), or why not.</summary>
public sealed record RefundReply(VisitSettlement? Settlement, string? Reference, string? Refused);
