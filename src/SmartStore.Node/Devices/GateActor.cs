using Microsoft.Extensions.Logging;
using SmartStore.Actors;
using SmartStore.Domain.Entry;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Floor;
using SmartStore.Node.Hosting;
using SmartStore.Node.Visits;
using SmartStore.Payments;

using VisitCommand = SmartStore.Node.Visits.VisitCommand;

namespace SmartStore.Node.Devices;

/// <summary>What a gate actor needs from the rest of the node.</summary>
public sealed record GateServices(
    string StoreId,
    string Currency,
    ActorRef<FloorCommand> Floor,
    EntityRegion<VisitCommand> Visits,
    EntityRegion<AccountCommand> Accounts,
    PaymentLedger Ledger,
    IPaymentGateway Gateway,
    ICommandPublisher Commands,
    EntrySettings Entry,
    NodeHealth Health);

/// <summary>
/// One gate. An identification (a face match, or an app code / card token) becomes an entry decision: the
/// shopper's standing is looked up (account, consent, payment method, debt), <see cref="EntryPolicy"/> decides,
/// an admitted visit gets a pre-authorisation hold, is opened (persisted) and announced to the floor before the
/// gate is told to open for the party; a denial tells the gate to stay shut and why. Line crossings go to the
/// floor, which binds them to admitted visits and raises tailgating alerts for the rest.
/// </summary>
public sealed class GateActor(Gate gate, GateServices services) : Actor<DeviceCommand>
{
    /// <summary>App codes and cards resolve to a shopper through this prefix (the app encodes the shopper's id).</summary>
    public const string ShopperTokenPrefix = "shopper:";

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(10);
    private SequenceWindow _sequences;

    protected override async ValueTask ReceiveAsync(DeviceCommand message)
    {
        if (message is not DeviceCommand.Inbound { Message: GateEvent gateEvent } inbound)
        {
            return;
        }

        (_sequences, var verdict) = _sequences.Observe(gateEvent.Seq);
        if (verdict == SequenceVerdict.Duplicate)
        {
            services.Health.DuplicateAtDevice();
            inbound.Ack.Complete(Delivery.Duplicate);
            return;
        }

        services.Health.DeviceSeen(gate.Id);
        if (gateEvent.Event == "crossed")
        {
            services.Floor.Tell(new FloorCommand.Accept(new CrossingRecord(gate.Id, gateEvent.Seq, gateEvent.Ts, gate.Id, gateEvent.Track!, gateEvent.Inward!.Value), inbound.Ack));
            return;
        }

        try
        {
            await DecideEntryAsync(gateEvent);
            inbound.Ack.Complete(Delivery.Accepted);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // Not acknowledged: the device (or broker) sends the identification again.
            inbound.Ack.Fail(error);
            Context.Log.LogWarning(error, "gate {Gate}: entry decision for message {Seq} failed", gate.Id, gateEvent.Seq);
        }
    }

    private async Task DecideEntryAsync(GateEvent identification)
    {
        var (who, shopperId) = identification.Event == "identified"
            ? ((Identification)new Identification.Face(identification.Shopper!, identification.Confidence!.Value), identification.Shopper)
            : (new Identification.Token(ShopperOfToken(identification.Token!)), ShopperOfToken(identification.Token!));
        var party = identification.Party ?? 1;
        if (gate.Direction == GateDirection.Exit)
        {
            await DenyAsync(identification, "this is an exit gate");
            return;
        }

        var (standing, token) = shopperId is null ? (null, string.Empty) : await StandingOfAsync(shopperId);
        var decision = EntryPolicy.Decide(who, standing, party, services.Entry);
        if (decision is EntryDecision.Deny deny)
        {
            await DenyAsync(identification, deny.Reason);
            return;
        }

        var admit = (EntryDecision.Admit)decision;

        // Stable across redeliveries of the same identification: the same message opens the same visit.
        var visitId = $"{gate.Id}-{identification.Ts}-{identification.Seq}";
        string? hold = null;
        if (admit.HoldMinor > 0)
        {
            PaymentResult result;
            try
            {
                result = await services.Gateway.AuthoriseAsync($"visit-{visitId}-hold", token, admit.HoldMinor, services.Currency, Context.Stopping);
            }
            catch (PspUnavailableException)
            {
                // Nobody is let in on a payment method nobody could check; the shopper tries again at once.
                await DenyAsync(identification, "the payment provider could not be reached; please try again");
                return;
            }

            if (!result.Approved)
            {
                await DenyAsync(identification, $"the payment method declined a hold of {admit.HoldMinor} ({result.DeclineReason ?? "declined"})");
                return;
            }

            hold = result.Reference;
        }

        var opened = new VisitOpened(visitId, services.StoreId, admit.ShopperId, admit.PartySize, gate.Id, identification.Ts, hold, admit.HoldMinor, Context.System.Time.GetUtcNow());
        await services.Visits.Actor.AskAsync<RegionCommand<VisitCommand>, VisitReply>(
            reply => new RegionCommand<VisitCommand>.Deliver(visitId, new VisitCommand.Open(opened, reply)), AskTimeout, Context.Stopping);
        var stored = new DeliveryAck();
        services.Floor.Tell(new FloorCommand.Accept(new EntryRecord(gate.Id, identification.Seq, identification.Ts, gate.Id, visitId, admit.ShopperId, admit.PartySize), stored));
        await stored.Task;
        services.Health.EntryAdmitted();
        await PublishAsync(new GateCommand(1, gate.Id, GateCommand.Open, visitId, admit.PartySize, null, identification.Ts));
    }

    private async Task<(ShopperStanding Standing, string PaymentToken)> StandingOfAsync(string shopperId)
    {
        var account = await services.Accounts.Actor.AskAsync<RegionCommand<AccountCommand>, AccountReply>(
            reply => new RegionCommand<AccountCommand>.Deliver(shopperId, new AccountCommand.Get(reply)), AskTimeout, Context.Stopping);
        var state = account.State;
        var enrolled = state.Status == AccountStatus.Active;
        var debt = enrolled ? await services.Ledger.ReadDebtAsync(shopperId, Context.Stopping) : 0;
        return (new ShopperStanding(shopperId, enrolled, state.ConsentedAt is not null, !string.IsNullOrEmpty(state.PaymentToken), debt), state.PaymentToken);
    }

    private async Task DenyAsync(GateEvent identification, string reason)
    {
        services.Health.EntryDenied(gate.Id, reason);
        await PublishAsync(new GateCommand(1, gate.Id, GateCommand.Deny, null, null, reason, identification.Ts));
    }

    private ValueTask PublishAsync(GateCommand command) =>
        services.Commands.PublishAsync(Topics.GateCommands(services.StoreId, gate.Id), command.ToJson(), Context.Stopping);

    private static string? ShopperOfToken(string token) =>
        token.StartsWith(ShopperTokenPrefix, StringComparison.Ordinal) && token.Length > ShopperTokenPrefix.Length ? token[ShopperTokenPrefix.Length..] : null;
}
