using System.Collections.Immutable;
using SmartStore.Domain.Carts;

namespace SmartStore.Domain.Visits;

/// <summary>What a visit's stream (<c>visit-{id}</c>) holds; <see cref="VisitRules.Evolve"/> folds them into its state.</summary>
#pragma warning disable CA1040 // A marker: the visit's events share no members, only their stream.
public interface IVisitEvent;
#pragma warning restore CA1040

/// <summary>The gate admitted a visit: who pays, how many people, and the pre-authorisation hold if one was placed.</summary>
public sealed record VisitOpened(string VisitId, string StoreId, string PayerId, int Party, string GateId, long EnteredMs, string? HoldReference, long HoldMinor, DateTimeOffset At) : IVisitEvent;

/// <summary>The cart was settled as the store saw it: this receipt is to be charged.</summary>
public sealed record VisitSettled(Receipt Receipt, long ExitedMs, DateTimeOffset At) : IVisitEvent;

/// <summary>
/// The cart was doubtful: an operator decides before anything is charged. <paramref name="Changes"/> is what the
/// doubtful weight changes showed (absent in events stored before it was kept).
/// </summary>
public sealed record VisitSentToReview(Receipt Receipt, IReadOnlyList<string> Reasons, long ExitedMs, DateTimeOffset At, IReadOnlyList<Fusion.ChangeReview>? Changes = null) : IVisitEvent;

/// <summary>An operator decided a reviewed visit: this receipt is to be charged.</summary>
public sealed record ReviewResolved(Receipt Receipt, string OperatorId, string Note, DateTimeOffset At) : IVisitEvent;

/// <summary>The payment is recorded and the receipt issued (once per visit).</summary>
public sealed record ReceiptIssued(string Outcome, long ChargedMinor, string? PaymentReference, DateTimeOffset At) : IVisitEvent;

public sealed record DisputeOpened(Dispute Dispute) : IVisitEvent;

public sealed record DisputeDecided(Dispute Dispute) : IVisitEvent;

public sealed record RefundRecorded(string DisputeId, long AmountMinor, string Reference, DateTimeOffset At) : IVisitEvent;

public enum VisitPhase
{
    /// <summary>No event yet.</summary>
    None,

    /// <summary>Admitted; the shopper is in the store (or the cart is not settled yet).</summary>
    Shopping,

    /// <summary>Waiting for an operator's decision.</summary>
    InReview,

    /// <summary>The receipt is decided; the payment is under way.</summary>
    Charging,

    /// <summary>Paid (or nothing to pay): the receipt is issued.</summary>
    Paid,

    /// <summary>Declined: the receipt is issued and the amount is a debt on the shopper's account.</summary>
    Unpaid,
}

/// <summary>One visit's record as its actor knows it.</summary>
public sealed record VisitState(
    VisitPhase Phase,
    string VisitId,
    string StoreId,
    string PayerId,
    int Party,
    string? HoldReference,
    long EnteredMs,
    long? ExitedMs,
    Receipt? Receipt,
    ImmutableList<string> ReviewReasons,
    long ChargedMinor,
    string? PaymentReference,
    DateTimeOffset? SettledAt,
    ImmutableList<Dispute> Disputes,
    long RefundedMinor)
{
    /// <summary>What the weight changes behind the review reasons showed, for the operator who decides.</summary>
    public ImmutableList<Fusion.ChangeReview> ChangeReviews { get; init; } = [];

    public static VisitState None(string visitId) => new(VisitPhase.None, visitId, string.Empty, string.Empty, 0, null, 0, null, null, [], 0, null, null, [], 0);

    public bool ReceiptIssued => Phase is VisitPhase.Paid or VisitPhase.Unpaid;
}
