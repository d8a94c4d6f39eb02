using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Visits;

/// <summary>What a visit is asked to do: by the gate, the floor, the payment ledger, or an operator.</summary>
public abstract record VisitCommand
{
    private VisitCommand()
    {
    }

    /// <summary>The gate admitted the visit.</summary>
    public sealed record Open(VisitOpened Opened) : VisitCommand;

    /// <summary>The floor: the visit left and its settlement bound passed.</summary>
    public sealed record Settle(SettlementDecision Decision, long ExitedMs) : VisitCommand;

    /// <summary>Ask the payment ledger (again) to charge the decided receipt.</summary>
    public sealed record RetryPayment : VisitCommand
    {
        public static readonly RetryPayment Instance = new();
    }

    /// <summary>The ledger recorded the payment (or the debt): the receipt can be issued.</summary>
    public sealed record PaymentRecorded(string Outcome, long ChargedMinor, string? Reference) : VisitCommand;

    /// <summary>The ledger could not get an answer from the provider: try again later with the same key.</summary>
    public sealed record PaymentFailed(string Reason) : VisitCommand;

    public sealed record ResolveReview(string OperatorId, IReadOnlyDictionary<string, int>? CorrectedUnits, string Note) : VisitCommand;

    public sealed record OpenDispute(string Sku, int Units, string Reason) : VisitCommand;

    public sealed record DecideDispute(string DisputeId, bool Approve, string OperatorId, string Note) : VisitCommand;

    /// <summary>The ledger refunded an approved dispute (refund number <paramref name="Decided"/>'s position).</summary>
    public sealed record RefundCompleted(Dispute Decided, string Reference) : VisitCommand;

    public sealed record Get : VisitCommand
    {
        public static readonly Get Instance = new();
    }
}

/// <summary>What the visit's actor does once the decision's events are stored.</summary>
public abstract record VisitEffect
{
    private VisitEffect()
    {
    }

    /// <summary>Ask the payment ledger to charge the receipt's total to the payer, releasing the entry hold.</summary>
    public sealed record RequestPayment(string PayerId, long AmountMinor, string Currency, string? HoldReference) : VisitEffect;

    /// <summary>Tell the floor to forget the visit: it is settled, or it waits for an operator.</summary>
    public sealed record CloseOnFloor : VisitEffect
    {
        public static readonly CloseOnFloor Instance = new();
    }

    /// <summary>Try the payment again after a while (the actor chooses how long).</summary>
    public sealed record ScheduleRetry(string Reason) : VisitEffect;

    /// <summary>The receipt is issued: no retry is due any more.</summary>
    public sealed record ReceiptIssued : VisitEffect
    {
        public static readonly ReceiptIssued Instance = new();
    }

    /// <summary>Refund an approved dispute through the ledger; number <paramref name="RefundNumber"/> is its own idempotent operation.</summary>
    public sealed record RequestRefund(Dispute Decided, int RefundNumber) : VisitEffect;

    /// <summary>Nothing to do, but worth a log line (a settle for a visit this node never opened).</summary>
    public sealed record Warn(string Message) : VisitEffect;
}

/// <summary>A decision: the events to store, then what to do, or why the command was refused.</summary>
public sealed record VisitDecision(ImmutableList<IVisitEvent> Events, ImmutableList<VisitEffect> Effects, string? Refused = null)
{
    public static VisitDecision Nothing { get; } = new([], []);

    public static VisitDecision Refuse(string reason) => new([], [], reason);

    public static VisitDecision Do(params VisitEffect[] effects) => new([], [.. effects]);

    public static VisitDecision Store(IVisitEvent @event, params VisitEffect[] effects) => new([@event], [.. effects]);
}

/// <summary>What a visit's rules need besides its own state.</summary>
public sealed record VisitContext(StoreLayout Layout, DateTimeOffset Now, TimeSpan DisputeWindow);

/// <summary>
/// One shopper visit as decide/evolve: opened by the gate, settled or sent to review by the floor, charged once
/// through the payment ledger, its receipt issued once, then open to disputes and refunds. Every step is
/// decided here and stored before the actor acts on it, so a restarted node resumes a payment that was under way
/// (the payment's idempotency key makes that safe) and never issues a receipt twice.
/// </summary>
public static class VisitRules
{
    public static VisitState Evolve(VisitState state, IVisitEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            VisitOpened o => state with { Phase = VisitPhase.Shopping, StoreId = o.StoreId, PayerId = o.PayerId, Party = o.Party, HoldReference = o.HoldReference, EnteredMs = o.EnteredMs },
            VisitSettled s => state with { Phase = VisitPhase.Charging, Receipt = s.Receipt, ExitedMs = s.ExitedMs },
            VisitSentToReview r => state with { Phase = VisitPhase.InReview, Receipt = r.Receipt, ReviewReasons = [.. r.Reasons], ChangeReviews = [.. r.Changes ?? []], ExitedMs = r.ExitedMs },
            ReviewResolved r => state with { Phase = VisitPhase.Charging, Receipt = r.Receipt },
            ReceiptIssued i => state with { Phase = i.Outcome == Declined ? VisitPhase.Unpaid : VisitPhase.Paid, ChargedMinor = i.ChargedMinor, PaymentReference = i.PaymentReference, SettledAt = i.At },
            DisputeOpened d => state with { Disputes = state.Disputes.Add(d.Dispute) },
            DisputeDecided d => state with { Disputes = [.. state.Disputes.Select(x => x.DisputeId == d.Dispute.DisputeId ? d.Dispute : x)] },
            RefundRecorded r => state with { RefundedMinor = state.RefundedMinor + r.AmountMinor },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event?.GetType().Name, "Not a visit event."),
        };
    }

    /// <summary>The payment outcome that leaves a debt instead of a paid receipt.</summary>
    public const string Declined = "Declined";

    public static VisitDecision Decide(VisitState state, VisitCommand command, VisitContext context)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(context);
        return command switch
        {
            VisitCommand.Get => VisitDecision.Nothing,

            // A redelivered identification asks again: the visit is already open.
            VisitCommand.Open open => state.Phase == VisitPhase.None ? VisitDecision.Store(open.Opened) : VisitDecision.Nothing,
            VisitCommand.Settle settle => Settle(state, settle, context),
            VisitCommand.RetryPayment when state.Phase == VisitPhase.Charging => VisitDecision.Do(PaymentOf(state)),
            VisitCommand.PaymentRecorded paid when state.Phase == VisitPhase.Charging =>
                VisitDecision.Store(new ReceiptIssued(paid.Outcome, paid.Outcome == Declined ? 0 : paid.ChargedMinor, paid.Reference, context.Now), VisitEffect.ReceiptIssued.Instance, VisitEffect.CloseOnFloor.Instance),

            // The provider stayed down through the gateway's own retries: try again later, same key.
            VisitCommand.PaymentFailed failed when state.Phase == VisitPhase.Charging => VisitDecision.Do(new VisitEffect.ScheduleRetry(failed.Reason)),
            VisitCommand.RetryPayment or VisitCommand.PaymentRecorded or VisitCommand.PaymentFailed => VisitDecision.Nothing,
            VisitCommand.ResolveReview resolve => ResolveReview(state, resolve, context),
            VisitCommand.OpenDispute dispute => OpenDispute(state, dispute, context),
            VisitCommand.DecideDispute decide => DecideDispute(state, decide),
            VisitCommand.RefundCompleted refunded when state.Disputes.Any(d => d.DisputeId == refunded.Decided.DisputeId && d.Status == DisputeStatus.Open) => new VisitDecision(
                [new DisputeDecided(refunded.Decided), new RefundRecorded(refunded.Decided.DisputeId, refunded.Decided.AmountMinor, refunded.Reference, context.Now)],
                []),
            VisitCommand.RefundCompleted => VisitDecision.Refuse("the dispute was already decided"),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command?.GetType().Name, "Not a visit command."),
        };
    }

    private static VisitEffect.RequestPayment PaymentOf(VisitState state) =>
        new(state.PayerId, state.Receipt!.Total, state.Receipt.Currency, state.HoldReference);

    private static VisitDecision Settle(VisitState state, VisitCommand.Settle settle, VisitContext context)
    {
        switch (state.Phase)
        {
            case VisitPhase.None:
                return VisitDecision.Do(new VisitEffect.Warn($"the floor settled visit {state.VisitId}, which was never opened; ignored"));
            case VisitPhase.Charging:
                // A restarted floor dispatched again while the payment was under way: resume it.
                return VisitDecision.Do(PaymentOf(state));
            case VisitPhase.InReview or VisitPhase.Paid or VisitPhase.Unpaid:
                return VisitDecision.Do(VisitEffect.CloseOnFloor.Instance);
        }

        return settle.Decision switch
        {
            SettlementDecision.Settle s => VisitDecision.Store(
                new VisitSettled(s.Receipt, settle.ExitedMs, context.Now),
                new VisitEffect.RequestPayment(state.PayerId, s.Receipt.Total, s.Receipt.Currency, state.HoldReference)),
            SettlementDecision.Review r => VisitDecision.Store(new VisitSentToReview(r.Receipt, r.Reasons, settle.ExitedMs, context.Now, r.Changes), VisitEffect.CloseOnFloor.Instance),
            _ => VisitDecision.Nothing,
        };
    }

    private static VisitDecision ResolveReview(VisitState state, VisitCommand.ResolveReview resolve, VisitContext context)
    {
        if (state.Phase != VisitPhase.InReview)
        {
            return VisitDecision.Refuse($"the visit is {state.Phase.ToString().ToLowerInvariant()}, not in review");
        }

        if (string.IsNullOrWhiteSpace(resolve.OperatorId))
        {
            return VisitDecision.Refuse("an operator id is required");
        }

        var receipt = state.Receipt!;
        if (resolve.CorrectedUnits is { } corrected)
        {
            var unknown = corrected.Keys.FirstOrDefault(sku => context.Layout.FindProduct(sku) is null);
            if (unknown is not null)
            {
                return VisitDecision.Refuse($"'{unknown}' is not in the catalog");
            }

            if (corrected.Values.Any(u => u < 0))
            {
                return VisitDecision.Refuse("units cannot be negative");
            }

            var cart = VirtualCart.Empty;
            foreach (var (sku, units) in corrected.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                cart = cart.Apply(new CartChange(sku, units, new CartEvidence($"review:{resolve.OperatorId}:{sku}", "review", null, [], 1.0))).Cart;
            }

            receipt = Pricing.Price(cart, context.Layout);
        }

        return VisitDecision.Store(
            new ReviewResolved(receipt, resolve.OperatorId, resolve.Note, context.Now),
            new VisitEffect.RequestPayment(state.PayerId, receipt.Total, receipt.Currency, state.HoldReference));
    }

    private static VisitDecision OpenDispute(VisitState state, VisitCommand.OpenDispute open, VisitContext context)
    {
        if (state.Phase != VisitPhase.Paid || state.Receipt is null || state.SettledAt is not { } settledAt)
        {
            return VisitDecision.Refuse("only a paid receipt can be disputed");
        }

        var result = DisputePolicy.Open($"{state.VisitId}-d{state.Disputes.Count + 1}", state.VisitId, state.Receipt, settledAt, open.Sku, open.Units, open.Reason, context.Now, context.DisputeWindow, state.Disputes);
        return result.Dispute is null ? VisitDecision.Refuse(result.Refused!) : VisitDecision.Store(new DisputeOpened(result.Dispute));
    }

    private static VisitDecision DecideDispute(VisitState state, VisitCommand.DecideDispute decide)
    {
        var index = state.Disputes.FindIndex(d => d.DisputeId == decide.DisputeId);
        if (index < 0)
        {
            return VisitDecision.Refuse($"no dispute '{decide.DisputeId}'");
        }

        if (string.IsNullOrWhiteSpace(decide.OperatorId))
        {
            return VisitDecision.Refuse("an operator id is required");
        }

        if (state.Disputes[index].Status != DisputeStatus.Open)
        {
            return VisitDecision.Refuse("the dispute was already decided");
        }

        var decided = DisputePolicy.Decide(state.Disputes[index], decide.Approve, decide.OperatorId, decide.Note);

        // Refund first (idempotent per dispute), record after: a refund that fails leaves the dispute open to retry.
        return decide.Approve ? VisitDecision.Do(new VisitEffect.RequestRefund(decided, index + 1)) : VisitDecision.Store(new DisputeDecided(decided));
    }
}
