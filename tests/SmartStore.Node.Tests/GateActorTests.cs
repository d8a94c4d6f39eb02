using Akka.Actor;
using Akka.TestKit;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Entry;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Devices;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;
using SmartStore.Payments;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>
/// The gate and its admissions with the PSP simulator and the in-process transport; the accounts, the debt
/// projection, the visits and the floor are probes that answer as those entities do.
/// </summary>
public sealed class GateActorTests : ActorTestHost
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly InProcessTransport _transport = new();
    private readonly SimulatedPsp _psp = new(new PspSimulation());
    private readonly HeldGateway _gateway;
    private readonly NodeHealth _health = new(new RejectionCounters(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
    private readonly Dictionary<string, AccountState> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _debts = new(StringComparer.Ordinal);
    private TestProbe _visits = null!;
    private TestProbe _floor = null!;
    private IActorRef _gate = null!;
    private long _seq;

    public GateActorTests() => _gateway = new HeldGateway(_psp);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _accounts["s-ana"] = new AccountState(AccountStatus.Active, "Ana", "face/ana", "tok-ana", DateTimeOffset.UnixEpoch);
        _accounts["s-poor"] = new AccountState(AccountStatus.Active, "Poor", "face/poor", "decline-poor", DateTimeOffset.UnixEpoch);
        Answering<AccountRegion>(m => m is AccountEnvelope a ? new AccountReply(_accounts.GetValueOrDefault(a.ShopperId) ?? AccountState.None) : null);
        Answering<DebtProjection>(m => m is GetDebt d ? new DebtOf(d.ShopperId, _debts.GetValueOrDefault(d.ShopperId)) : null);
        _visits = Answering<VisitRegion>(m => m is VisitEnvelope { Command: VisitCommand.Open open } ? new VisitReply(VisitRules.Evolve(VisitState.None(open.Opened.VisitId), open.Opened)) : null);
        _floor = Answering<FloorRegion>(m => m is FloorEnvelope ? Delivered.Accepted : null);
        var services = new GateServices("corner-01", "EUR", Regions, _gateway, _transport, new EntrySettings { HoldMinor = 2_000 }, _health, Wait);
        var gate = StoreHarness.Small.Gates.Single(g => g.Id == "gate-in");
        _gate = System.ActorOf(Props.Create(() => new GateActor(gate, services)));
    }

    /// <summary>A probe for a region that answers each message as <paramref name="answer"/> says (null: no answer).</summary>
    private TestProbe Answering<TRegion>(Func<object, object?> answer)
    {
        var probe = ProbeFor<TRegion>();
        probe.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            if (answer(message) is { } reply)
            {
                sender.Tell(reply);
            }

            return AutoPilot.KeepRunning;
        }));
        return probe;
    }

    private TestProbe Send(string @event, string? shopper = null, double? confidence = null, string? token = null, string? track = null, bool? inward = null, int? party = null, long? seq = null)
    {
        var device = Kit.CreateTestProbe();
        _gate.Tell(new GateEvent(1, "gate-in", seq ?? ++_seq, 10_000 + (_seq * 100), @event, shopper, confidence, token, track, inward, party), device.Ref);
        return device;
    }

    private static Delivery Answer(TestProbe device) => device.ExpectMsg<Delivered>(Wait).Outcome;

    private async Task<GateCommand> NextCommandAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        var published = await _transport.Commands.ReadAsync(timeout.Token);
        Assert.Equal("smartstore/corner-01/gate/gate-in/commands", published.Topic);
        return GateCommand.FromJson(published.Payload.Span)!;
    }

    [Fact]
    public async Task A_known_consenting_shopper_is_admitted_with_a_hold_for_the_whole_party_and_the_gate_opens()
    {
        Assert.Equal(Delivery.Accepted, Answer(Send("identified", shopper: "s-ana", confidence: 0.98, party: 3)));

        var open = Assert.IsType<VisitCommand.Open>(_visits.ExpectMsg<VisitEnvelope>(Wait).Command);
        Assert.Equal(("s-ana", 3, 2_000L), (open.Opened.PayerId, open.Opened.Party, open.Opened.HoldMinor));
        Assert.NotNull(open.Opened.HoldReference);
        var entry = Assert.IsType<EntryRecord>(Assert.IsType<FloorCommand.Accept>(_floor.ExpectMsg<FloorEnvelope>(Wait).Command).Record);
        Assert.Equal((open.Opened.VisitId, "s-ana", 3), (entry.Visit, entry.Payer, entry.Party));
        var command = await NextCommandAsync();
        Assert.Equal((GateCommand.Open, open.Opened.VisitId, 3), (command.Command, command.Visit, command.Party!.Value));
        Assert.Equal(1, _psp.OpenHolds);
    }

    [Fact]
    public async Task An_app_code_admits_its_shopper_and_an_unknown_code_is_refused()
    {
        Answer(Send("token", token: "shopper:s-ana"));
        Assert.Equal(GateCommand.Open, (await NextCommandAsync()).Command);
        Answer(Send("token", token: "not-a-code"));

        var deny = await NextCommandAsync();
        Assert.Equal((GateCommand.Deny, "unknown code or card"), (deny.Command, deny.Reason));
    }

    [Theory]
    [InlineData("s-ana", 0.5, "face match confidence 0.50 is below 0.90")]
    [InlineData("s-stranger", 0.99, "not enrolled")]
    [InlineData("s-poor", 0.99, "declined a hold")]
    public async Task Entry_is_denied_with_a_reason_the_shopper_can_act_on(string shopper, double confidence, string reason)
    {
        Assert.Equal(Delivery.Accepted, Answer(Send("identified", shopper: shopper, confidence: confidence)));

        var deny = await NextCommandAsync();
        Assert.Equal(GateCommand.Deny, deny.Command);
        Assert.Contains(reason, deny.Reason, StringComparison.Ordinal);
        _visits.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _floor.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Assert.Equal(1, _health.Snapshot().EntriesDenied);
    }

    [Fact]
    public async Task A_shopper_with_an_unpaid_balance_is_denied_until_it_is_settled()
    {
        _debts["s-ana"] = 1_250;

        Answer(Send("identified", shopper: "s-ana", confidence: 0.99));

        Assert.Contains("unpaid balance of 1250", (await NextCommandAsync()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Crossings_go_to_the_floor_and_a_redelivered_identification_opens_nothing_twice()
    {
        Assert.Equal(Delivery.Accepted, Answer(Send("identified", shopper: "s-ana", confidence: 0.98, seq: 1)));
        Assert.Equal(Delivery.Duplicate, Answer(Send("identified", shopper: "s-ana", confidence: 0.98, seq: 1)));
        Assert.Equal(Delivery.Accepted, Answer(Send("crossed", track: "trk-9", inward: true, seq: 2)));

        Assert.IsType<EntryRecord>(Assert.IsType<FloorCommand.Accept>(_floor.ExpectMsg<FloorEnvelope>(Wait).Command).Record);
        var crossing = Assert.IsType<CrossingRecord>(Assert.IsType<FloorCommand.Accept>(_floor.ExpectMsg<FloorEnvelope>(Wait).Command).Record);
        Assert.Equal(("gate-in", "trk-9", true), (crossing.Gate, crossing.Track, crossing.In));
        Assert.IsType<VisitCommand.Open>(_visits.ExpectMsg<VisitEnvelope>(Wait).Command);
        _visits.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, _psp.OpenHolds);
    }

    [Fact]
    public async Task A_crossing_reported_while_an_entry_decision_is_under_way_waits_for_it_so_the_floor_hears_the_entry_first()
    {
        _gateway.Hold();
        var identification = Send("identified", shopper: "s-ana", confidence: 0.98);
        await _gateway.HeldAsync(Wait);

        // The hold is with the provider: the party can only cross once the gate opens, so their crossing waits.
        var crossing = Send("crossed", track: "trk-1", inward: true);
        crossing.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
        identification.ExpectNoMsg(TimeSpan.FromMilliseconds(1));

        _gateway.Release();
        Assert.Equal(Delivery.Accepted, Answer(identification));
        Assert.Equal(Delivery.Accepted, Answer(crossing));
        Assert.Equal(GateCommand.Open, (await NextCommandAsync()).Command);

        // The floor heard the entry before the crossing, so the crossing is the admitted visit's, not a tailgater's.
        Assert.IsType<EntryRecord>(Assert.IsType<FloorCommand.Accept>(_floor.ExpectMsg<FloorEnvelope>(Wait).Command).Record);
        Assert.Equal("trk-1", Assert.IsType<CrossingRecord>(Assert.IsType<FloorCommand.Accept>(_floor.ExpectMsg<FloorEnvelope>(Wait).Command).Record).Track);
    }

    /// <summary>The simulator behind a switch: while held, calls wait until released.</summary>
    private sealed class HeldGateway(IPaymentGateway inner) : IPaymentGateway
    {
        private TaskCompletionSource _release = Released();
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Release() => _release.TrySetResult();

        public Task HeldAsync(TimeSpan timeout) => _entered.Task.WaitAsync(timeout);

        public async Task<PaymentResult> AuthoriseAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, CancellationToken cancellationToken = default)
        {
            _entered.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            return await inner.AuthoriseAsync(idempotencyKey, paymentToken, amountMinor, currency, cancellationToken);
        }

        public Task<PaymentResult> CaptureAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, string? authorisation, CancellationToken cancellationToken = default) =>
            inner.CaptureAsync(idempotencyKey, paymentToken, amountMinor, currency, authorisation, cancellationToken);

        public Task<PaymentResult> VoidAsync(string idempotencyKey, string authorisation, CancellationToken cancellationToken = default) => inner.VoidAsync(idempotencyKey, authorisation, cancellationToken);

        public Task<PaymentResult> RefundAsync(string idempotencyKey, string capture, long amountMinor, CancellationToken cancellationToken = default) => inner.RefundAsync(idempotencyKey, capture, amountMinor, cancellationToken);

        private static TaskCompletionSource Released()
        {
            var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            released.SetResult();
            return released;
        }
    }
}
