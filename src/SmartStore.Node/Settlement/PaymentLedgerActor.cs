using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Visits;
using SmartStore.Node.Persistence;
using SmartStore.Node.Protocol;
using SmartStore.Payments;

namespace SmartStore.Node.Settlement;

/// <summary>What a visit's payment ledger needs: the provider (bounded and retried) and the regions it asks and answers.</summary>
public sealed record LedgerServices(IPaymentGateway Gateway, NodeRegions Regions, TimeSpan AskTimeout);

/// <summary>
/// One visit's payment ledger (entity <c>{visit}</c> in the ledger region, stream <c>payment-{visit}</c>): the
/// conversation with the payment provider for that visit. A charge looks up the payer's payment token, charges
/// through the provider with the visit's idempotency key, records the outcome (a decline is a debt, tagged for
/// the debt projection), releases the entry hold, and tells the visit. A visit already settled is answered from
/// the ledger, so no retry, restart, replay or second node charges twice; an erased account or one without a
/// payment method becomes a recorded debt.
/// </summary>
/// <remarks>
/// One operation runs at a time: while the provider is asked, later commands wait in the stash, so a
/// redelivered charge finds the first one's record. Provider calls run outside the actor and come back as
/// messages; events are stored only from the actor's own turn.
/// </remarks>
public sealed class PaymentLedgerActor : UntypedPersistentActor, IWithUnboundedStash
{
    private readonly string _visitId;
    private readonly LedgerServices _services;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private VisitSettlement? _settlement;

    public PaymentLedgerActor(string visitId, LedgerServices services)
    {
        _visitId = visitId;
        _services = services;
        PersistenceId = StreamOf(visitId);
    }

    public override string PersistenceId { get; }

    public static string StreamOf(string visitId) => $"payment-{visitId}";

    protected override void OnRecover(object message)
    {
        if (message is ILedgerEvent @event)
        {
            _settlement = LedgerRules.Evolve(_settlement, _visitId, @event);
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case LedgerCommand.Get:
                Sender.Tell(new LedgerReply(_settlement));
                break;
            case LedgerCommand.Charge charge:
                Charge(charge);
                break;
            case LedgerCommand.RecordUnpaid unpaid:
                var replyTo = Sender;
                Record(_settlement is null ? LedgerRules.Unpaid(_visitId, unpaid.ShopperId, unpaid.AmountMinor, unpaid.Currency, unpaid.Reason) : [], () => replyTo.Tell(new LedgerReply(_settlement)));
                break;
            case LedgerCommand.Refund refund:
                Refund(refund, Sender);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Charge(LedgerCommand.Charge charge)
    {
        if (_settlement is not null || charge.AmountMinor == 0)
        {
            var settled = _settlement ?? new VisitSettlement(_visitId, PaymentOutcome.Approved, 0, null, 0);
            ReleaseHoldThenAnswer(charge, settled);
            return;
        }

        Busy(Outcome(async () => new Captured(charge, await CaptureAsync(charge).ConfigureAwait(false)), reason => new Failed(charge, reason)));
    }

    private async Task<IReadOnlyList<ILedgerEvent>> CaptureAsync(LedgerCommand.Charge charge)
    {
        var account = await _services.Regions.Accounts.Ask<AccountReply>(new AccountEnvelope(charge.PayerId, AccountCommand.Get.Instance), _services.AskTimeout).ConfigureAwait(false);
        if (account.State.Status != AccountStatus.Active || string.IsNullOrEmpty(account.State.PaymentToken))
        {
            return LedgerRules.Unpaid(_visitId, charge.PayerId, charge.AmountMinor, charge.Currency, "no payment method on the account");
        }

        var result = await _services.Gateway.CaptureAsync(LedgerRules.CaptureKey(_visitId), account.State.PaymentToken, charge.AmountMinor, charge.Currency, charge.HoldReference).ConfigureAwait(false);
        return LedgerRules.Captured(_visitId, charge.PayerId, charge.AmountMinor, charge.Currency, result);
    }

    private void ReleaseHoldThenAnswer(LedgerCommand.Charge charge, VisitSettlement settlement)
    {
        if (charge.HoldReference is not { } hold)
        {
            Answer(new VisitCommand.PaymentRecorded(settlement.Outcome.ToString(), settlement.AmountMinor, settlement.CaptureReference));
            return;
        }

        // Releasing twice is harmless (same key); a hold left open would block the shopper's money.
        Busy(Outcome(
            async () =>
            {
                await _services.Gateway.VoidAsync(LedgerRules.VoidKey(_visitId), hold).ConfigureAwait(false);
                return new HoldReleased(settlement);
            },
            reason => new Failed(charge, reason)));
    }

    private void Refund(LedgerCommand.Refund refund, IActorRef replyTo)
    {
        if (LedgerRules.RefundRefusal(_settlement, refund.AmountMinor) is { } refused)
        {
            replyTo.Tell(new RefundReply(_settlement, null, refused));
            return;
        }

        var capture = _settlement!.CaptureReference!;
        Busy(Outcome(
            async () => new Refunded(refund, (await _services.Gateway.RefundAsync(LedgerRules.RefundKey(_visitId, refund.RefundNumber), capture, refund.AmountMinor).ConfigureAwait(false)).Reference, replyTo),
            reason => new RefundNotMade(reason, replyTo)));
    }

    /// <summary>
    /// Runs a provider call off the actor and turns its end into a message: whatever failed is reported to the
    /// visit (which tries again with the same key), so nothing is lost and nothing is charged twice.
    /// </summary>
    private static async Task<object> Outcome(Func<Task<object>> call, Func<string, object> failure)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any failure becomes an answer; the caller retries with the same idempotency key.
        catch (Exception error)
#pragma warning restore CA1031
        {
            return failure(error.Message);
        }
    }

    /// <summary>Waits for one provider call; everything else waits in the stash until it is answered.</summary>
    private void Busy(Task<object> call)
    {
        call.PipeTo(Self);
        BecomeStacked(message =>
        {
            switch (message)
            {
                case Captured captured:
                    Done();
                    Record(_settlement is null ? captured.Events : [], () => ReleaseHoldThenAnswer(captured.Charge, _settlement!));
                    break;
                case HoldReleased released:
                    Done();
                    Answer(new VisitCommand.PaymentRecorded(released.Settlement.Outcome.ToString(), released.Settlement.AmountMinor, released.Settlement.CaptureReference));
                    break;
                case Failed failed:
                    Done();
                    _log.Warning("charging visit {0} failed: {1}", _visitId, failed.Reason);
                    Answer(new VisitCommand.PaymentFailed(failed.Reason));
                    break;
                case Refunded refunded:
                    Done();
                    var issued = new RefundIssued(_visitId, refunded.Refund.AmountMinor, refunded.Reference, refunded.Refund.Reason);
                    Record([issued], () => refunded.ReplyTo.Tell(new RefundReply(_settlement, refunded.Reference, null)));
                    break;
                case RefundNotMade notMade:
                    Done();
                    notMade.ReplyTo.Tell(new RefundReply(_settlement, null, notMade.Reason));
                    break;
                default:
                    Stash.Stash();
                    break;
            }
        });
    }

    private void Done()
    {
        UnbecomeStacked();
        Stash.UnstashAll();
    }

    /// <summary>Stores the events (a debt tagged for the debt projection), folds them, then continues.</summary>
    private void Record(IReadOnlyList<ILedgerEvent> events, Action then)
    {
        if (events.Count == 0)
        {
            then();
            return;
        }

        var left = events.Count;
        PersistAll(events.Select(e => e is DebtRecorded ? (object)new Tagged(e, [Tags.Debts]) : e), stored =>
        {
            _settlement = LedgerRules.Evolve(_settlement, _visitId, (ILedgerEvent)(stored is Tagged tagged ? tagged.Payload : stored));
            if (--left == 0)
            {
                then();
            }
        });
    }

    /// <summary>The visit hears through its region, so the answer finds it wherever it lives now.</summary>
    private void Answer(VisitCommand answer) => _services.Regions.Visits.Tell(new VisitEnvelope(_visitId, answer));

    private sealed record Captured(LedgerCommand.Charge Charge, IReadOnlyList<ILedgerEvent> Events);

    private sealed record HoldReleased(VisitSettlement Settlement);

    private sealed record Failed(LedgerCommand.Charge Charge, string Reason);

    private sealed record Refunded(LedgerCommand.Refund Refund, string Reference, IActorRef ReplyTo);

    private sealed record RefundNotMade(string Reason, IActorRef ReplyTo);
}
