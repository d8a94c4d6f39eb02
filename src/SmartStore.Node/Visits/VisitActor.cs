using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Node.Health;
using SmartStore.Node.Persistence;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Visits;

/// <summary>What a visit's actor needs besides its own stream.</summary>
/// <param name="Stores">The layouts of the chain by store id: a visit prices with its own store's.</param>
public sealed record VisitServices(IReadOnlyDictionary<string, StoreLayout> Stores, NodeRegions Regions, NodeHealth Health, TimeSpan DisputeWindow, TimeSpan PaymentRetryDelay, TimeSpan PaymentPatience, TimeSpan AskTimeout);

/// <summary>
/// One shopper visit (entity <c>{visit}</c> in the visit region, stream <c>visit-{id}</c>), a thin shell around
/// <see cref="VisitRules"/>: recover by folding the stream; on a command decide, store the events (tagged for
/// the receipt projection), fold them, then act (ask the payment ledger, tell the floor, set a timer) and answer.
/// </summary>
/// <remarks>
/// A visit whose payment is under way must be asked again after a crash: the floor (a remembered entity) hands
/// it over again, because a visit stays on the floor until its receipt is issued. A retry, or the patience with
/// an unanswered payment, is scheduled through the visit region rather than as the actor's own timer, so a visit
/// passivated meanwhile is started again by it. A visit with nothing due (paid, unpaid, waiting for an operator)
/// passivates itself; the next message (an operator's decision, a dispute) starts it again from its stream.
/// </remarks>
public sealed class VisitActor : UntypedPersistentActor
{
    private readonly string _visitId;
    private readonly VisitServices _services;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, IActorRef> _refundsAwaited = new(StringComparer.Ordinal);
    private VisitState _state;
    private int _failedPayments;
    private ICancelable? _retry;

    public VisitActor(string visitId, VisitServices services)
    {
        _visitId = visitId;
        _services = services;
        _state = VisitState.None(visitId);
        PersistenceId = StreamOf(visitId);
    }

    public override string PersistenceId { get; }

    public static string StreamOf(string visitId) => $"visit-{visitId}";

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case IVisitEvent @event:
                _state = VisitRules.Evolve(_state, @event);
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case VisitCommand.DecideDispute decide when _refundsAwaited.ContainsKey(decide.DisputeId):
                Sender.Tell(new VisitReply(_state, "a decision on this dispute is under way"));
                break;
            case VisitCommand command:
                Handle(command, Sender);
                break;
            case RefundFailed failed:
                if (_refundsAwaited.Remove(failed.DisputeId, out var operatorRef))
                {
                    operatorRef.Tell(new VisitReply(_state, $"the refund could not be made ({failed.Reason}); the dispute stays open"));
                }

                break;
            default:
                Unhandled(message);
                break;
        }
    }

    /// <summary>The layout the visit's store has (prices, products); a visit not opened yet prices nothing, so any will do.</summary>
    private StoreLayout LayoutFor(VisitCommand command)
    {
        var store = command is VisitCommand.Open open ? open.Opened.StoreId : _state.StoreId;
        if (_services.Stores.TryGetValue(store, out var layout))
        {
            return layout;
        }

        // A configuration error, not bad input: every node of a cluster must know every store of the chain.
        return string.IsNullOrEmpty(store)
            ? _services.Stores.Values.First()
            : throw new InvalidOperationException($"visit {_visitId} is of store '{store}', which this node's chain does not have; every node needs every store's layout");
    }

    private void Handle(VisitCommand command, IActorRef sender)
    {
        var decision = VisitRules.Decide(_state, command, new VisitContext(LayoutFor(command), DateTimeOffset.UtcNow, _services.DisputeWindow));
        var replyTo = command switch
        {
            VisitCommand.RefundCompleted refunded => _refundsAwaited.Remove(refunded.Decided.DisputeId, out var waiting) ? waiting : null,
            VisitCommand.Open or VisitCommand.Get or VisitCommand.ResolveReview or VisitCommand.OpenDispute or VisitCommand.DecideDispute => sender,
            _ => null,
        };
        if (decision.Refused is not null || decision.Events.IsEmpty)
        {
            foreach (var effect in decision.Effects)
            {
                Act(effect, sender);
            }

            if (decision.Effects.All(e => e is not VisitEffect.RequestRefund))
            {
                replyTo?.Tell(new VisitReply(_state, decision.Refused));
            }

            PassivateWhenNothingIsDue();
            return;
        }

        var left = decision.Events.Count;
        PersistAll(decision.Events.Select(e => new Tagged(e, [Tags.Visits])), tagged =>
        {
            _state = VisitRules.Evolve(_state, (IVisitEvent)tagged.Payload);
            if (--left > 0)
            {
                return;
            }

            foreach (var effect in decision.Effects)
            {
                Act(effect, sender);
            }

            replyTo?.Tell(new VisitReply(_state));
            PassivateWhenNothingIsDue();
        });
    }

    /// <summary>
    /// A visit with no payment due and no refund under way waits for nobody: it leaves memory, and the next
    /// message (an operator's decision, a dispute, a question) starts it again from its stream.
    /// </summary>
    private void PassivateWhenNothingIsDue()
    {
        if (_state.Phase is VisitPhase.None or VisitPhase.InReview or VisitPhase.Paid or VisitPhase.Unpaid && _refundsAwaited.Count == 0)
        {
            Context.Parent.Tell(new Passivate(PoisonPill.Instance));
        }
    }

    private void Act(VisitEffect effect, IActorRef? sender = null)
    {
        switch (effect)
        {
            case VisitEffect.RequestPayment payment:
                _services.Regions.Ledgers.Tell(new LedgerEnvelope(_visitId, new LedgerCommand.Charge(payment.PayerId, payment.AmountMinor, payment.Currency, payment.HoldReference)));

                // An answer lost on the way (the ledger's node died) must not leave the visit waiting forever.
                ScheduleRetry(_services.PaymentPatience);
                break;
            case VisitEffect.CloseOnFloor:
                _services.Regions.Floors.Tell(new FloorEnvelope(_state.StoreId, new FloorCommand.CloseVisit(_visitId)));
                if (_state.Phase == VisitPhase.InReview)
                {
                    // No receipt follows on its own: an operator decides, maybe days later.
                    _services.Health.ReceiptNotDue(_visitId);
                }

                break;
            case VisitEffect.ScheduleRetry retry:
                _failedPayments++;
                var delay = _services.PaymentRetryDelay * Math.Min(30, 1 << Math.Min(_failedPayments - 1, 5));
                _log.Warning("visit {0}: payment failed ({1}); retrying in {2}", _visitId, retry.Reason, delay);
                ScheduleRetry(delay);

                // Counted once the retry is due, so whoever sees the count can rely on the retry being scheduled.
                _services.Health.PaymentRetryScheduled();
                break;
            case VisitEffect.ReceiptIssued:
                _retry?.Cancel();
                _services.Health.ReceiptIssued(_visitId);
                break;
            case VisitEffect.RequestRefund refund:
                _refundsAwaited[refund.Decided.DisputeId] = sender ?? ActorRefs.Nobody;
                var disputeId = refund.Decided.DisputeId;
                _services.Regions.Ledgers.Ask<RefundReply>(new LedgerEnvelope(_visitId, new LedgerCommand.Refund(refund.RefundNumber, refund.Decided.AmountMinor, refund.Decided.Reason)), _services.AskTimeout)
                    .PipeTo(
                        Self,
                        success: reply => reply.Refused is null ? new VisitCommand.RefundCompleted(refund.Decided, reply.Reference!) : new RefundFailed(disputeId, reply.Refused),
                        failure: error => new RefundFailed(disputeId, error.Message));
                break;
            case VisitEffect.Warn warn:
                _log.Warning("visit {0}: {1}", _visitId, warn.Message);
                break;
        }
    }

    /// <summary>One retry is due at a time; it goes through the region, so it starts the visit again if it passivated.</summary>
    private void ScheduleRetry(TimeSpan delay)
    {
        _retry?.Cancel();
        _retry = Context.System.Scheduler.ScheduleTellOnceCancelable(delay, _services.Regions.Visits, new VisitEnvelope(_visitId, VisitCommand.RetryPayment.Instance), ActorRefs.NoSender);
    }

    private sealed record RefundFailed(string DisputeId, string Reason);
}
