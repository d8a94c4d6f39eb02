using Akka.Actor;
using Akka.Event;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Entry;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Protocol;
using SmartStore.Payments;

namespace SmartStore.Node.Devices;

/// <summary>
/// One question for the entry decision: who the person at the gate says they are (a face match, a token), the
/// shopper that names (null when unknown), the party the payer brings, and the device message it came in.
/// </summary>
/// <remarks>
/// <paramref name="Camera"/> is set for a face entry from the gate camera's frames: their sequence numbers are the
/// camera's own, so the visit id and the floor's record name the camera, not the gate, and never collide.
/// </remarks>
public sealed record AdmissionRequest(long Seq, long Ts, Identification Who, string? ShopperId, int Party, string? Camera = null)
{
    public static AdmissionRequest Of(GateEvent gateEvent)
    {
        ArgumentNullException.ThrowIfNull(gateEvent);
        var party = gateEvent.Party ?? 1;
        if (gateEvent.Event == "identified")
        {
            return new AdmissionRequest(gateEvent.Seq, gateEvent.Ts, new Identification.Face(gateEvent.Shopper!, gateEvent.Confidence!.Value), gateEvent.Shopper, party);
        }

        var shopper = ShopperOfToken(gateEvent.Token!);
        return new AdmissionRequest(gateEvent.Seq, gateEvent.Ts, new Identification.Token(shopper), shopper, party);
    }

    private static string? ShopperOfToken(string token) =>
        token.StartsWith(GateActor.ShopperTokenPrefix, StringComparison.Ordinal) && token.Length > GateActor.ShopperTokenPrefix.Length ? token[GateActor.ShopperTokenPrefix.Length..] : null;
}

/// <summary>
/// One identification at a gate, from question to answer, as a short-lived child of the gate: the shopper's
/// standing is looked up (account, consent, payment method, debt), <see cref="EntryPolicy"/> decides, an
/// admitted visit gets a pre-authorisation hold, is opened (stored) and announced to the floor (stored) before
/// the gate is told to open for the party; a denial tells the gate to stay shut and why. It reports back to the
/// gate, which answers the device message, and stops.
/// </summary>
#pragma warning disable CA1001 // The cancellation source is disposed in PostStop, the end of the actor's life.
public sealed class AdmissionActor : ReceiveActor
#pragma warning restore CA1001
{
    private readonly Gate _gate;
    private readonly AdmissionRequest _identification;
    private readonly GateServices _services;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public AdmissionActor(Gate gate, AdmissionRequest identification, GateServices services)
    {
        _gate = gate;
        _identification = identification;
        _services = services;
        ReceiveAsync<Start>(async _ =>
        {
            object outcome;
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await DecideAsync();
                    outcome = new GateActor.Handled(identification.Seq, Delivery.Accepted);
                    break;
                }
                catch (Exception error) when (error is not OutOfMemoryException && attempt < Attempts && !_stopping.IsCancellationRequested)
                {
                    // Every step is idempotent (the hold, the visit, the entry are keyed by this identification), so
                    // trying again here is what a redelivery would do, without the party waiting for the broker:
                    // an account or floor on a node that died answers again once its shard has moved.
                    _log.Warning("gate {0}: the entry decision for message {1} failed ({2}); trying again ({3} of {4})", gate.Id, identification.Seq, error.Message, attempt + 1, Attempts);
                    await Task.Delay(TimeSpan.FromSeconds(attempt), _stopping.Token);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    // Not acknowledged: the device (or broker) sends the identification again.
                    _log.Warning(error, "gate {0}: the entry decision for message {1} failed", gate.Id, identification.Seq);
                    outcome = new GateActor.NotHandled(identification.Seq, error);
                    break;
                }
            }

            Context.Parent.Tell(outcome);
            Context.Stop(Self);
        });
    }

    /// <summary>Tries of one decision before the identification is left unacknowledged for the broker to send again.</summary>
    private const int Attempts = 4;

    protected override void PreStart() => Self.Tell(Start.Instance);

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task DecideAsync()
    {
        var (who, shopperId) = (_identification.Who, _identification.ShopperId);
        if (_gate.Direction == GateDirection.Exit)
        {
            await DenyAsync("this is an exit gate");
            return;
        }

        var (standing, token) = shopperId is null ? (null, string.Empty) : await StandingOfAsync(shopperId);
        var decision = EntryPolicy.Decide(who, standing, _identification.Party, _services.Entry);
        if (decision is EntryDecision.Deny deny)
        {
            await DenyAsync(deny.Reason);
            return;
        }

        var admit = (EntryDecision.Admit)decision;

        // Stable across redeliveries of the same identification: the same message opens the same visit.
        var visitId = VisitIds.For(_services.StoreId, _gate.Id, _identification.Ts, _identification.Seq, byFace: _identification.Camera is not null);
        string? hold = null;
        if (admit.HoldMinor > 0)
        {
            PaymentResult result;
            try
            {
                result = await _services.Gateway.AuthoriseAsync(LedgerRules.HoldKey(visitId), token, admit.HoldMinor, _services.Currency, _stopping.Token);
            }
            catch (PspUnavailableException)
            {
                // Nobody is let in on a payment method nobody could check; the shopper tries again at once.
                await DenyAsync("the payment provider could not be reached; please try again");
                return;
            }

            if (!result.Approved)
            {
                await DenyAsync($"the payment method declined a hold of {admit.HoldMinor} ({result.DeclineReason ?? "declined"})");
                return;
            }

            hold = result.Reference;
        }

        var opened = new VisitOpened(visitId, _services.StoreId, admit.ShopperId, admit.PartySize, _gate.Id, _identification.Ts, hold, admit.HoldMinor, DateTimeOffset.UtcNow);
        await _services.Regions.Visits.Ask<VisitReply>(new VisitEnvelope(visitId, new VisitCommand.Open(opened)), _services.AskTimeout, _stopping.Token);
        var entry = new EntryRecord(_identification.Camera ?? _gate.Id, _identification.Seq, _identification.Ts, _gate.Id, visitId, admit.ShopperId, admit.PartySize);
        await _services.Regions.Floors.Ask<Delivered>(new FloorEnvelope(_services.StoreId, new FloorCommand.Accept(entry)), _services.AskTimeout, _stopping.Token);
        _services.Health.EntryAdmitted();
        await PublishAsync(new GateCommand(1, _gate.Id, GateCommand.Open, visitId, admit.PartySize, null, _identification.Ts));
    }

    private async Task<(ShopperStanding Standing, string PaymentToken)> StandingOfAsync(string shopperId)
    {
        var account = await _services.Regions.Accounts.Ask<AccountReply>(new AccountEnvelope(shopperId, AccountCommand.Get.Instance), _services.AskTimeout, _stopping.Token);
        var state = account.State;
        var enrolled = state.Status == AccountStatus.Active;
        var debt = enrolled ? (await _services.Regions.Debts.Ask<DebtOf>(new GetDebt(shopperId), _services.AskTimeout, _stopping.Token)).AmountMinor : 0;
        return (new ShopperStanding(shopperId, enrolled, state.ConsentedAt is not null, !string.IsNullOrEmpty(state.PaymentToken), debt), state.PaymentToken);
    }

    private async Task DenyAsync(string reason)
    {
        _services.Health.EntryDenied(_gate.Id, reason);
        await PublishAsync(new GateCommand(1, _gate.Id, GateCommand.Deny, null, null, reason, _identification.Ts));
    }

    private ValueTask PublishAsync(GateCommand command) =>
        _services.Commands.PublishAsync(Topics.GateCommands(_services.StoreId, _gate.Id), command.ToJson(), _stopping.Token);

    private sealed record Start
    {
        public static readonly Start Instance = new();
    }
}
