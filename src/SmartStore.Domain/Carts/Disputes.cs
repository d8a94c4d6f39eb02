namespace SmartStore.Domain.Carts;

public enum DisputeStatus
{
    Open,
    Approved,
    Rejected,
}

/// <summary>A shopper's claim that a receipt line is wrong, and what an operator decided.</summary>
public sealed record Dispute(
    string DisputeId,
    string VisitId,
    string Sku,
    int Units,
    long AmountMinor,
    string Reason,
    DateTimeOffset OpenedAt,
    DisputeStatus Status,
    string? DecidedBy = null,
    string? Note = null);

/// <summary>A dispute opened, or why not.</summary>
public sealed record DisputeResult(Dispute? Dispute, string? Refused);

/// <summary>
/// The refund flow's rules. A shopper may dispute units of a receipt line within the window after settlement,
/// never more units than the line holds once other open or approved disputes are counted; the refund is the
/// line's unit price times the units. An operator approves (the payment ledger then refunds) or rejects, once.
/// </summary>
public static class DisputePolicy
{
    public static DisputeResult Open(
        string disputeId,
        string visitId,
        Receipt receipt,
        DateTimeOffset settledAt,
        string sku,
        int units,
        string reason,
        DateTimeOffset now,
        TimeSpan window,
        IReadOnlyList<Dispute> earlier)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        ArgumentNullException.ThrowIfNull(earlier);
        if (now > settledAt + window)
        {
            return new DisputeResult(null, $"the {window.TotalDays:0}-day window to dispute this receipt closed on {settledAt + window:yyyy-MM-dd}");
        }

        var line = receipt.Lines.FirstOrDefault(l => l.Sku == sku);
        if (line is null)
        {
            return new DisputeResult(null, $"'{sku}' is not on this receipt");
        }

        var alreadyDisputed = earlier.Where(d => d.VisitId == visitId && d.Sku == sku && d.Status != DisputeStatus.Rejected).Sum(d => d.Units);
        if (units < 1 || units > line.Units - alreadyDisputed)
        {
            return new DisputeResult(null, $"{units} unit(s) cannot be disputed: the line has {line.Units}, {alreadyDisputed} already disputed");
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            return new DisputeResult(null, "a reason is required");
        }

        return new DisputeResult(new Dispute(disputeId, visitId, sku, units, checked(line.UnitPrice * units), reason, now, DisputeStatus.Open), null);
    }

    public static Dispute Decide(Dispute dispute, bool approve, string operatorId, string note)
    {
        ArgumentNullException.ThrowIfNull(dispute);
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorId);
        if (dispute.Status != DisputeStatus.Open)
        {
            throw new InvalidOperationException($"Dispute '{dispute.DisputeId}' was already {dispute.Status.ToString().ToLowerInvariant()}.");
        }

        return dispute with { Status = approve ? DisputeStatus.Approved : DisputeStatus.Rejected, DecidedBy = operatorId, Note = note };
    }
}
