using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using SmartStore.Actors;
using SmartStore.Actors.TestKit;
using SmartStore.Domain.Entry;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Devices;
using SmartStore.Node.Floor;
using SmartStore.Node.Hosting;
using SmartStore.Node.Visits;
using SmartStore.Payments;
using SmartStore.Persistence;
using SmartStore.Testing;
using Xunit;

using VisitCommand = SmartStore.Node.Visits.VisitCommand;

namespace SmartStore.Node.Tests;

/// <summary>Stands in for visit actors: answers Open as an opened visit and shows it to a probe.</summary>
internal sealed class VisitStandIn(string visitId, ActorRef<VisitCommand> seen) : Actor<VisitCommand>
{
    protected override ValueTask ReceiveAsync(VisitCommand message)
    {
        seen.Tell(message);
        if (message is VisitCommand.Open open)
        {
            open.ReplyTo.Tell(new VisitReply(VisitState.None(visitId) with { Phase = VisitPhase.Shopping, PayerId = open.Opened.PayerId, Party = open.Opened.Party }));
        }

        return default;
    }
}

/// <summary>The gate actor against real accounts and a real payment ledger (SQLite), the PSP simulator and the in-process transport.</summary>
#pragma warning disable CA1001 // The store factory is disposed in DisposeAsync (xunit's IAsyncLifetime), like the system.
public sealed class GateActorTests : ActorTestKit
{
    private SqliteStoreFactory _factory = null!;
    private readonly EventTypeRegistry _types = PaymentLedger.Register(ShopperAccount.Register(new EventTypeRegistry()));
    private readonly InProcessTransport _transport = new();
    private readonly SimulatedPsp _psp = new(new PspSimulation());
    private IEventStore _store = null!;
    private EntityRegion<AccountCommand> _accounts = null!;
    private PaymentLedger _ledger = null!;
    private NodeHealth _health = null!;
    private TestProbe<FloorCommand.Accept> _floorRecords = null!;
    private TestProbe<VisitCommand> _visitsSeen = null!;
    private ActorRef<DeviceCommand> _gate = null!;
    private long _seq;

    public override async Task InitializeAsync()
    {
        _factory = new SqliteStoreFactory();
        _store = await _factory.OpenAsync();
        _ledger = new PaymentLedger(_store, _types, _psp);
        _health = new NodeHealth(new RejectionCounters(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Time);
        _accounts = System.SpawnRegion<AccountCommand>("accounts", ctx => new ShopperAccount(ctx.EntityId, new EventSourcing(_store, _store, _types), Time));
        _floorRecords = CreateProbe<FloorCommand.Accept>();
        _visitsSeen = CreateProbe<VisitCommand>();
        var floor = System.Spawn(Props.Create(() => new FloorStandIn(new Dictionary<string, BinReference>(), _floorRecords.Ref, autoComplete: true)), "floor");
        var visits = System.SpawnRegion<VisitCommand>("visits", ctx => new VisitStandIn(ctx.EntityId, _visitsSeen.Ref));
        var services = new GateServices("corner-01", "EUR", floor, visits, _accounts, _ledger, _psp, _transport, new EntrySettings { HoldMinor = 2_000 }, _health);
        _gate = System.Spawn(Props.Create(() => new GateActor(StoreHarness.Small.Gates.Single(g => g.Id == "gate-in"), services)), "gate-in");
        await Enrol("s-ana", "tok-ana");
        await Enrol("s-poor", "decline-poor");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _store.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private async Task Enrol(string id, string token) =>
        await _accounts.Actor.AskAsync<RegionCommand<AccountCommand>, AccountReply>(
            r => new RegionCommand<AccountCommand>.Deliver(id, new AccountCommand.Enrol("Name of " + id, "face/" + id, token, DateTimeOffset.UnixEpoch, r)), TimeSpan.FromSeconds(10));

    private async Task<Delivery> SendAsync(string @event, string? shopper = null, double? confidence = null, string? token = null, string? track = null, bool? inward = null, int? party = null, long? seq = null)
    {
        var ack = new DeliveryAck();
        _gate.Tell(new DeviceCommand.Inbound(new GateEvent(1, "gate-in", seq ?? ++_seq, 10_000 + (_seq * 100), @event, shopper, confidence, token, track, inward, party), ack));
        return await ack.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task<GateCommand> NextCommandAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var published = await _transport.Commands.ReadAsync(timeout.Token);
        Assert.Equal("smartstore/corner-01/gate/gate-in/commands", published.Topic);
        return GateCommand.FromJson(published.Payload.Span)!;
    }

    [Fact]
    public async Task A_known_consenting_shopper_is_admitted_with_a_hold_for_the_whole_party_and_the_gate_opens()
    {
        Assert.Equal(Delivery.Accepted, await SendAsync("identified", shopper: "s-ana", confidence: 0.98, party: 3));

        var open = Assert.IsType<VisitCommand.Open>(await _visitsSeen.ExpectMessageAsync());
        Assert.Equal(("s-ana", 3, 2_000L), (open.Opened.PayerId, open.Opened.Party, open.Opened.HoldMinor));
        Assert.NotNull(open.Opened.HoldReference);
        var entry = Assert.IsType<EntryRecord>((await _floorRecords.ExpectMessageAsync()).Record);
        Assert.Equal((open.Opened.VisitId, "s-ana", 3), (entry.Visit, entry.Payer, entry.Party));
        var command = await NextCommandAsync();
        Assert.Equal((GateCommand.Open, open.Opened.VisitId, 3), (command.Command, command.Visit, command.Party!.Value));
        Assert.Equal(1, _psp.OpenHolds);
    }

    [Fact]
    public async Task An_app_code_admits_its_shopper_and_an_unknown_code_is_refused()
    {
        await SendAsync("token", token: "shopper:s-ana");
        await SendAsync("token", token: "not-a-code");

        Assert.Equal(GateCommand.Open, (await NextCommandAsync()).Command);
        var deny = await NextCommandAsync();
        Assert.Equal((GateCommand.Deny, "unknown code or card"), (deny.Command, deny.Reason));
    }

    [Theory]
    [InlineData("s-ana", 0.5, "face match confidence 0.50 is below 0.90")]
    [InlineData("s-stranger", 0.99, "not enrolled")]
    [InlineData("s-poor", 0.99, "declined a hold")]
    public async Task Entry_is_denied_with_a_reason_the_shopper_can_act_on(string shopper, double confidence, string reason)
    {
        Assert.Equal(Delivery.Accepted, await SendAsync("identified", shopper: shopper, confidence: confidence));

        var deny = await NextCommandAsync();
        Assert.Equal(GateCommand.Deny, deny.Command);
        Assert.Contains(reason, deny.Reason, StringComparison.Ordinal);
        await _visitsSeen.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        await _floorRecords.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, _health.Snapshot().EntriesDenied);
    }

    [Fact]
    public async Task A_shopper_with_an_unpaid_balance_is_denied_until_it_is_settled()
    {
        await _ledger.RecordUnpaidAsync("old-visit", "s-ana", 1_250, "EUR", "declined last week");

        await SendAsync("identified", shopper: "s-ana", confidence: 0.99);

        Assert.Contains("unpaid balance of 1250", (await NextCommandAsync()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Crossings_go_to_the_floor_and_a_redelivered_identification_opens_nothing_twice()
    {
        await SendAsync("identified", shopper: "s-ana", confidence: 0.98, seq: 1);
        Assert.Equal(Delivery.Duplicate, await SendAsync("identified", shopper: "s-ana", confidence: 0.98, seq: 1));
        await SendAsync("crossed", track: "trk-9", inward: true, seq: 2);

        Assert.IsType<EntryRecord>((await _floorRecords.ExpectMessageAsync()).Record);
        var crossing = Assert.IsType<CrossingRecord>((await _floorRecords.ExpectMessageAsync()).Record);
        Assert.Equal(("gate-in", "trk-9", true), (crossing.Gate, crossing.Track, crossing.In));
        Assert.IsType<VisitCommand.Open>(await _visitsSeen.ExpectMessageAsync());
        await _visitsSeen.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, _psp.OpenHolds);
    }
}
#pragma warning restore CA1001
