using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using SmartStore.Actors;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;
using SmartStore.Node.Floor;
using SmartStore.Node.Hosting;
using SmartStore.Node.Settlement;
using SmartStore.Payments;
using SmartStore.Persistence;

namespace SmartStore.Node.Visits;

public abstract record VisitCommand
{
    private VisitCommand()
    {
    }

    public sealed record Open(VisitOpened Opened, ActorRef<VisitReply> ReplyTo) : VisitCommand;

    /// <summary>From the floor: the visit left and its settlement bound passed; <paramref name="DispatchedAt"/> is a timestamp for latency.</summary>
    public sealed record Settle(SettlementDecision Decision, long ExitedMs, long DispatchedAt) : VisitCommand;

    public sealed record PaymentDone(VisitSettlement Settlement) : VisitCommand;

    public sealed record PaymentFailed(string Reason) : VisitCommand;

    public sealed record ResolveReview(string OperatorId, IReadOnlyDictionary<string, int>? CorrectedUnits, string Note, ActorRef<VisitReply> ReplyTo) : VisitCommand;

    public sealed record OpenDispute(string Sku, int Units, string Reason, ActorRef<VisitReply> ReplyTo) : VisitCommand;

    public sealed record DecideDispute(string DisputeId, bool Approve, string OperatorId, string Note, ActorRef<VisitReply> ReplyTo) : VisitCommand;

    public sealed record Get(ActorRef<VisitReply> ReplyTo) : VisitCommand;

    internal sealed record RetryPayment : VisitCommand
    {
        public static readonly RetryPayment Instance = new();
    }
}

/// <summary>The visit after a command, or why the command was refused.</summary>
public sealed record VisitReply(VisitState State, string? Refused = null);

/// <summary>What a visit actor needs besides its own stream.</summary>
public sealed record VisitServices(
    StoreLayout Layout,
    ActorRef<FloorCommand> Floor,
    ActorRef<SettlementCommand> Settlement,
    PaymentLedger Ledger,
    ReceiptBook Receipts,
    NodeHealth Health,
    TimeSpan DisputeWindow,
    TimeSpan PaymentRetryDelay);

/// <summary>
/// One shopper visit (stream <c>visit-{id}</c>): opened by the gate, settled or sent to review by the floor,
/// charged once through the settlement actor, its receipt issued once, then open to disputes and refunds.
/// Every step is persisted before it is acted on, so a restarted node resumes a payment that was under way
/// (the payment's idempotency key makes that safe) and never issues a receipt twice.
/// </summary>
public sealed class VisitActor(string visitId, EventSourcing persistence, VisitServices services)
    : EventSourcedActor<VisitCommand, object, VisitState>(persistence)
{
    private long _dispatchedAt;
    private int _failedPayments;

    public static EventTypeRegistry Register(EventTypeRegistry types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return types
            .Register("visit-opened", 1, VisitJson.Default.VisitOpened)
            .Register("visit-settled", 1, VisitJson.Default.VisitSettled)
            .Register("visit-sent-to-review", 1, VisitJson.Default.VisitSentToReview)
            .Register("review-resolved", 1, VisitJson.Default.ReviewResolved)
            .Register("receipt-issued", 1, VisitJson.Default.ReceiptIssued)
            .Register("dispute-opened", 1, VisitJson.Default.DisputeOpened)
            .Register("dispute-decided", 1, VisitJson.Default.DisputeDecided)
            .Register("refund-recorded", 1, VisitJson.Default.RefundRecorded)
            .Register("visit-state", 1, VisitJson.Default.VisitState);
    }

    public static string StreamOf(string visitId) => $"visit-{visitId}";

    protected override string PersistenceId => StreamOf(visitId);

    protected override VisitState InitialState => VisitState.None(visitId);

    protected override IReadOnlyList<string> TagsFor(object @event) => @event is VisitOpened opened ? [$"shopper:{opened.PayerId}"] : [];

    protected override VisitState Apply(VisitState state, object @event) => @event switch
    {
        VisitOpened o => state with { Phase = VisitPhase.Shopping, StoreId = o.StoreId, PayerId = o.PayerId, Party = o.Party, HoldReference = o.HoldReference, EnteredMs = o.EnteredMs },
        VisitSettled s => state with { Phase = VisitPhase.Charging, Receipt = s.Receipt, ExitedMs = s.ExitedMs },
        VisitSentToReview r => state with { Phase = VisitPhase.InReview, Receipt = r.Receipt, ReviewReasons = [.. r.Reasons], ExitedMs = r.ExitedMs },
        ReviewResolved r => state with { Phase = VisitPhase.Charging, Receipt = r.Receipt },
        ReceiptIssued i => state with { Phase = i.Outcome == nameof(PaymentOutcome.Declined) ? VisitPhase.Unpaid : VisitPhase.Paid, ChargedMinor = i.ChargedMinor, PaymentReference = i.PaymentReference, SettledAt = i.At },
        DisputeOpened d => state with { Disputes = state.Disputes.Add(d.Dispute) },
        DisputeDecided d => state with { Disputes = state.Disputes.Select(x => x.DisputeId == d.Dispute.DisputeId ? d.Dispute : x).ToImmutableList() },
        RefundRecorded r => state with { RefundedMinor = state.RefundedMinor + r.AmountMinor },
        _ => throw new InvalidOperationException($"Unknown visit event {@event.GetType().Name}."),
    };

    protected override async ValueTask HandleAsync(VisitCommand command)
    {
        var now = Context.System.Time.GetUtcNow();
        switch (command)
        {
            case VisitCommand.Get get:
                get.ReplyTo.Tell(new VisitReply(State));
                break;

            case VisitCommand.Open open when State.Phase == VisitPhase.None:
                await PersistAsync(open.Opened);
                open.ReplyTo.Tell(new VisitReply(State));
                break;

            case VisitCommand.Open open:
                // The gate asked again (a redelivered identification): the visit is already open.
                open.ReplyTo.Tell(new VisitReply(State));
                break;

            case VisitCommand.Settle settle:
                await SettleAsync(settle, now);
                break;

            case VisitCommand.RetryPayment when State.Phase == VisitPhase.Charging:
                RequestPayment();
                break;

            case VisitCommand.PaymentDone done when State.Phase == VisitPhase.Charging:
                await IssueReceiptAsync(done.Settlement, now);
                break;

            case VisitCommand.PaymentFailed failed when State.Phase == VisitPhase.Charging:
                // The provider stayed down through the gateway's own retries: try again later, same key.
                _failedPayments++;
                var delay = services.PaymentRetryDelay * Math.Min(30, 1 << Math.Min(_failedPayments - 1, 5));
                services.Health.PaymentRetryScheduled();
                Context.Log.LogWarning("visit {Visit}: payment failed ({Reason}); retrying in {Delay}", visitId, failed.Reason, delay);
                Context.Timers.StartSingleTimer("retry-payment", VisitCommand.RetryPayment.Instance, delay);
                break;

            case VisitCommand.ResolveReview resolve:
                await ResolveReviewAsync(resolve, now);
                break;

            case VisitCommand.OpenDispute dispute:
                await OpenDisputeAsync(dispute, now);
                break;

            case VisitCommand.DecideDispute decide:
                await DecideDisputeAsync(decide, now);
                break;
        }
    }

    private async Task SettleAsync(VisitCommand.Settle settle, DateTimeOffset now)
    {
        _dispatchedAt = settle.DispatchedAt;
        switch (State.Phase)
        {
            case VisitPhase.None:
                Context.Log.LogWarning("visit {Visit}: the floor settled a visit this node never opened; ignored", visitId);
                return;
            case VisitPhase.Charging:
                // A restarted floor dispatched again while the payment was under way: resume it.
                RequestPayment();
                return;
            case VisitPhase.InReview or VisitPhase.Paid or VisitPhase.Unpaid:
                services.Floor.Tell(new FloorCommand.CloseVisit(visitId));
                return;
        }

        switch (settle.Decision)
        {
            case SettlementDecision.Settle s:
                await PersistAsync(new VisitSettled(s.Receipt, settle.ExitedMs, now));
                RequestPayment();
                break;
            case SettlementDecision.Review r:
                await PersistAsync(new VisitSentToReview(r.Receipt, r.Reasons, settle.ExitedMs, now));
                services.Health.ReviewQueued();
                services.Receipts.QueueForReview(visitId, State.PayerId, r.Receipt, r.Reasons);
                services.Floor.Tell(new FloorCommand.CloseVisit(visitId));
                break;
        }
    }

    private void RequestPayment()
    {
        var receipt = State.Receipt!;
        services.Settlement.Tell(new SettlementCommand.Charge(visitId, State.PayerId, receipt.Total, receipt.Currency, State.HoldReference, Context.Self));
    }

    private async Task IssueReceiptAsync(VisitSettlement settlement, DateTimeOffset now)
    {
        await PersistAsync(new ReceiptIssued(settlement.Outcome.ToString(), settlement.Outcome == PaymentOutcome.Approved ? settlement.AmountMinor : 0, settlement.CaptureReference, now));
        Context.Timers.Cancel("retry-payment");
        var latency = _dispatchedAt == 0 ? (TimeSpan?)null : Context.System.Time.GetElapsedTime(_dispatchedAt);
        services.Receipts.Issue(new IssuedReceipt(visitId, State.PayerId, State.Receipt!, settlement.Outcome, State.ChargedMinor, State.ExitedMs ?? 0, now, latency));
        services.Floor.Tell(new FloorCommand.CloseVisit(visitId));
    }

    private async Task ResolveReviewAsync(VisitCommand.ResolveReview resolve, DateTimeOffset now)
    {
        if (State.Phase != VisitPhase.InReview)
        {
            resolve.ReplyTo.Tell(new VisitReply(State, $"the visit is {State.Phase.ToString().ToLowerInvariant()}, not in review"));
            return;
        }

        var receipt = State.Receipt!;
        if (resolve.CorrectedUnits is { } corrected)
        {
            var unknown = corrected.Keys.FirstOrDefault(sku => services.Layout.FindProduct(sku) is null);
            if (unknown is not null || corrected.Values.Any(u => u < 0))
            {
                resolve.ReplyTo.Tell(new VisitReply(State, unknown is not null ? $"'{unknown}' is not in the catalog" : "units cannot be negative"));
                return;
            }

            var cart = VirtualCart.Empty;
            foreach (var (sku, units) in corrected.Where(c => c.Value > 0))
            {
                cart = cart.Apply(new CartChange(sku, units, new CartEvidence($"review:{resolve.OperatorId}:{sku}", "review", null, [], 1.0))).Cart;
            }

            receipt = Pricing.Price(cart, services.Layout);
        }

        await PersistAsync(new ReviewResolved(receipt, resolve.OperatorId, resolve.Note, now));
        resolve.ReplyTo.Tell(new VisitReply(State));
        RequestPayment();
    }

    private async Task OpenDisputeAsync(VisitCommand.OpenDispute open, DateTimeOffset now)
    {
        if (State.Phase != VisitPhase.Paid || State.Receipt is null || State.SettledAt is not { } settledAt)
        {
            open.ReplyTo.Tell(new VisitReply(State, "only a paid receipt can be disputed"));
            return;
        }

        var result = DisputePolicy.Open($"{visitId}-d{State.Disputes.Count + 1}", visitId, State.Receipt, settledAt, open.Sku, open.Units, open.Reason, now, services.DisputeWindow, State.Disputes);
        if (result.Dispute is null)
        {
            open.ReplyTo.Tell(new VisitReply(State, result.Refused));
            return;
        }

        await PersistAsync(new DisputeOpened(result.Dispute));
        services.Health.DisputeOpened();
        open.ReplyTo.Tell(new VisitReply(State));
    }

    private async Task DecideDisputeAsync(VisitCommand.DecideDispute decide, DateTimeOffset now)
    {
        var index = State.Disputes.FindIndex(d => d.DisputeId == decide.DisputeId);
        if (index < 0 || State.Disputes[index].Status != DisputeStatus.Open || string.IsNullOrWhiteSpace(decide.OperatorId))
        {
            decide.ReplyTo.Tell(new VisitReply(State, index < 0 ? $"no dispute '{decide.DisputeId}'" : string.IsNullOrWhiteSpace(decide.OperatorId) ? "an operator id is required" : "the dispute was already decided"));
            return;
        }

        var decided = DisputePolicy.Decide(State.Disputes[index], decide.Approve, decide.OperatorId, decide.Note);
        if (!decide.Approve)
        {
            await PersistAsync(new DisputeDecided(decided));
            decide.ReplyTo.Tell(new VisitReply(State));
            return;
        }

        // Refund first (idempotent per dispute), record after: a failed refund leaves the dispute open to retry.
        try
        {
            await services.Ledger.RefundAsync(visitId, index + 1, decided.AmountMinor, decided.Reason, Context.Stopping);
            await PersistAsync(new DisputeDecided(decided), new RefundRecorded(decided.DisputeId, decided.AmountMinor, $"{PaymentLedger.StreamOf(visitId)}#refund-{index + 1}", now));
            services.Health.RefundIssued(decided.AmountMinor);
            decide.ReplyTo.Tell(new VisitReply(State));
        }
        catch (Exception error) when (error is PspUnavailableException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            decide.ReplyTo.Tell(new VisitReply(State, $"the refund could not be made ({error.Message}); the dispute stays open"));
        }
    }
}
