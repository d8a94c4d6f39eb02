using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Fusion;

/// <summary>What to do with a visit's cart now.</summary>
public abstract record SettlementDecision
{
    /// <summary>Still in the store: nothing to settle.</summary>
    public sealed record NotYet : SettlementDecision;

    /// <summary>Out, but late sensor data may still change the cart until <see cref="UntilMs"/>.</summary>
    public sealed record WaitForLateData(long UntilMs) : SettlementDecision;

    /// <summary>Charge this receipt.</summary>
    public sealed record Settle(Receipt Receipt) : SettlementDecision;

    /// <summary>Do not charge blindly: an operator decides (the receipt is what the store believes), shown what the doubtful changes showed.</summary>
    public sealed record Review(Receipt Receipt, IReadOnlyList<string> Reasons, IReadOnlyList<ChangeReview>? Changes = null) : SettlementDecision;
}

/// <summary>
/// Settle on exit once the lateness bound has passed (so no late weight change can still alter the cart); a
/// cart with unresolved ambiguity, an unexplained change or an age-restricted item without approval goes to
/// review instead of being charged blindly.
/// </summary>
public static class SettlementPolicy
{
    public static SettlementDecision Decide(Visit visit, long watermarkMs, long latenessMs, StoreLayout layout, bool ageApproved = false)
    {
        ArgumentNullException.ThrowIfNull(visit);
        if (visit.Status != VisitStatus.Exited || visit.ExitedMs is not { } exited)
        {
            return new SettlementDecision.NotYet();
        }

        if (watermarkMs < exited + latenessMs)
        {
            return new SettlementDecision.WaitForLateData(exited + latenessMs);
        }

        var receipt = Pricing.Price(visit.Cart, layout);
        var reasons = visit.ReviewReasons.Where(r => !(ageApproved && r.StartsWith("age-restricted", StringComparison.Ordinal))).ToList();
        return reasons.Count == 0 ? new SettlementDecision.Settle(receipt) : new SettlementDecision.Review(receipt, reasons, [.. visit.ChangeReviews.Where(c => reasons.Contains(c.Reason))]);
    }
}
