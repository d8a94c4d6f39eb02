using Akka.Actor;
using Akka.TestKit;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;
using SmartStore.Node.Settlement;
using SmartStore.Node.Visits;
using SmartStore.Payments;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class SqliteVisitAndLedgerTests : VisitAndLedgerTests;

[Collection("postgres")]
public sealed class PostgresVisitAndLedgerTests(PostgresFixture postgres) : VisitAndLedgerTests
{
    protected override IJournalFactory CreateJournals() => new PostgresJournals(postgres.Server);
}

/// <summary>
/// Visit and payment ledger actors on a real journal with the PSP simulator; the regions they talk to are
/// probes, and time is virtual (the test scheduler), so a retry is due when the test says so.
/// </summary>
public abstract class VisitAndLedgerTests : ActorTestHost
{
    private const string Visit = "gate-in-1000-1";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly SimulatedPsp _psp = new(new PspSimulation());
    private readonly NodeHealth _health = new(new RejectionCounters(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
    private readonly Dictionary<string, AccountState> _accounts = new(StringComparer.Ordinal);
    private TestProbe _floor = null!;
    private TestProbe _ledgers = null!;
    private TestProbe _visits = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _accounts["s-ana"] = new AccountState(AccountStatus.Active, "Ana", "face/ana", "tok-ana", DateTimeOffset.UnixEpoch);
        _floor = ProbeFor<FloorRegion>();
        _ledgers = ProbeFor<LedgerRegion>();
        _visits = ProbeFor<VisitRegion>();
        var accounts = ProbeFor<AccountRegion>();
        accounts.SetAutoPilot(new DelegateAutoPilot((sender, message) =>
        {
            sender.Tell(new AccountReply(_accounts.GetValueOrDefault(((AccountEnvelope)message).ShopperId) ?? AccountState.None));
            return AutoPilot.KeepRunning;
        }));
    }

    private static readonly IReadOnlyDictionary<string, StoreLayout> Stores = new Dictionary<string, StoreLayout> { [StoreHarness.Small.StoreId] = StoreHarness.Small };

    private IActorRef SpawnVisit() =>
        System.ActorOf(Props.Create(() => new VisitActor(Visit, new VisitServices(Stores, Regions, _health, TimeSpan.FromDays(30), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), Wait))));

    private IActorRef SpawnLedger(string visitId, IPaymentGateway? gateway = null) =>
        System.ActorOf(Props.Create(() => new PaymentLedgerActor(visitId, new LedgerServices(gateway ?? _psp, Regions, Wait))));

    private static Receipt ReceiptOf(params (string Sku, int Units)[] lines)
    {
        var cart = VirtualCart.Empty;
        foreach (var (sku, units) in lines)
        {
            cart = cart.Apply(new CartChange(sku, units, new CartEvidence($"e-{sku}", "bin", null, [], 0.9))).Cart;
        }

        return Pricing.Price(cart, StoreHarness.Small);
    }

    private static Task<VisitReply> AskAsync(IActorRef visit, VisitCommand command) => visit.Ask<VisitReply>(command, Wait);

    private static async Task<VisitState> OpenAsync(IActorRef visit, string? hold = "auth-1") =>
        (await AskAsync(visit, new VisitCommand.Open(new VisitOpened(Visit, "corner-01", "s-ana", 1, "gate-in", 1_000, hold, 2_000, DateTimeOffset.UnixEpoch)))).State;

    private LedgerCommand.Charge ExpectCharge() => Assert.IsType<LedgerCommand.Charge>(_ledgers.ExpectMsg<LedgerEnvelope>(Wait).Command);

    [Fact]
    public async Task A_settled_visit_asks_for_one_charge_issues_one_receipt_and_leaves_the_floor()
    {
        var visit = SpawnVisit();
        await OpenAsync(visit);
        var receipt = ReceiptOf(("drink-001", 2), ("snack-007", 1));

        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000));
        var charge = ExpectCharge();
        visit.Tell(new VisitCommand.PaymentRecorded("Approved", charge.AmountMinor, "cap-1"));
        Assert.Equal(new FloorCommand.CloseVisit(Visit), _floor.ExpectMsg<FloorEnvelope>(Wait).Command);

        // The floor dispatches again (after its own restart): nothing is charged twice.
        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000));
        Assert.Equal(new FloorCommand.CloseVisit(Visit), _floor.ExpectMsg<FloorEnvelope>(Wait).Command);
        _ledgers.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        Assert.Equal((receipt.Total, "auth-1", "s-ana"), (charge.AmountMinor, charge.HoldReference, charge.PayerId));
        var state = (await AskAsync(visit, VisitCommand.Get.Instance)).State;
        Assert.Equal((VisitPhase.Paid, receipt.Total), (state.Phase, state.ChargedMinor));
    }

    [Fact]
    public async Task A_visit_restarted_while_its_payment_was_under_way_resumes_the_same_payment()
    {
        var first = SpawnVisit();
        await OpenAsync(first);
        first.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000));
        ExpectCharge();
        Kit.Watch(first);
        System.Stop(first);
        Kit.ExpectTerminated(first, Wait);

        var again = SpawnVisit();
        Assert.Equal(VisitPhase.Charging, (await AskAsync(again, VisitCommand.Get.Instance)).State.Phase);
        again.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000));

        Assert.Equal(149, ExpectCharge().AmountMinor);
    }

    [Fact]
    public async Task A_doubtful_cart_waits_for_review_and_is_charged_as_the_operator_corrected_it()
    {
        var visit = SpawnVisit();
        await OpenAsync(visit);
        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Review(ReceiptOf(("drink-001", 1)), ["ambiguous pick"]), 9_000));
        Assert.Equal(new FloorCommand.CloseVisit(Visit), _floor.ExpectMsg<FloorEnvelope>(Wait).Command);
        _ledgers.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        var refused = await AskAsync(visit, new VisitCommand.ResolveReview("op-1", new Dictionary<string, int> { ["no-such-sku"] = 1 }, "typo"));
        var resolved = await AskAsync(visit, new VisitCommand.ResolveReview("op-1", new Dictionary<string, int> { ["drink-002"] = 2 }, "video: two lemonades"));

        Assert.NotNull(refused.Refused);
        Assert.Null(resolved.Refused);
        Assert.Equal(2 * 139, ExpectCharge().AmountMinor);
    }

    [Fact]
    public async Task A_payment_that_failed_is_tried_again_once_its_delay_has_passed_through_the_visit_region()
    {
        var visit = SpawnVisit();
        await OpenAsync(visit);
        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000));
        ExpectCharge();

        visit.Tell(new VisitCommand.PaymentFailed("provider down"));
        Kit.AwaitAssert(() => Assert.Equal(1, _health.Snapshot().PaymentRetries), Wait);
        Time.Advance(TimeSpan.FromMilliseconds(900));
        _visits.ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Time.Advance(TimeSpan.FromMilliseconds(100));

        // The retry comes through the region (it would start a passivated visit), and asks for the same payment.
        var retry = _visits.ExpectMsg<VisitEnvelope>(Wait);
        Assert.Equal((Visit, (VisitCommand)VisitCommand.RetryPayment.Instance), (retry.VisitId, retry.Command));
        visit.Tell(retry.Command);
        Assert.Equal(149, ExpectCharge().AmountMinor);
    }

    [Fact]
    public async Task The_ledger_charges_once_releases_the_hold_and_turns_a_missing_payment_method_into_a_debt()
    {
        var hold = (await _psp.AuthoriseAsync("visit-v1-hold", "tok-ana", 2_000, "EUR")).Reference;
        var v1 = SpawnLedger("v1");

        v1.Tell(new LedgerCommand.Charge("s-ana", 348, "EUR", hold));
        v1.Tell(new LedgerCommand.Charge("s-ana", 348, "EUR", hold));
        SpawnLedger("v2").Tell(new LedgerCommand.Charge("s-ana", 0, "EUR", null));
        SpawnLedger("v3").Tell(new LedgerCommand.Charge("s-nobody", 500, "EUR", null));
        var answers = _visits.ReceiveN(4, Wait).Cast<VisitEnvelope>().Select(a => (a.VisitId, Paid: Assert.IsType<VisitCommand.PaymentRecorded>(a.Command))).ToList();

        Assert.All(answers.Where(a => a.VisitId == "v1"), a => Assert.Equal(("Approved", 348L), (a.Paid.Outcome, a.Paid.ChargedMinor)));
        Assert.Equal("Approved", answers.Single(a => a.VisitId == "v2").Paid.Outcome);
        Assert.Equal(VisitRules.Declined, answers.Single(a => a.VisitId == "v3").Paid.Outcome);
        Assert.Equal(1, _psp.CapturesOf("tok-ana"));
        Assert.Equal(348, _psp.NetChargedTo("tok-ana"));
        Assert.Equal(0, _psp.OpenHolds);
    }

    [Fact]
    public async Task A_ledger_restarted_after_a_charge_answers_from_its_record_and_charges_nothing_more()
    {
        var first = SpawnLedger("v7");
        first.Tell(new LedgerCommand.Charge("s-ana", 685, "EUR", null));
        _visits.ExpectMsg<VisitEnvelope>(Wait);
        Kit.Watch(first);
        System.Stop(first);
        Kit.ExpectTerminated(first, Wait);

        var again = SpawnLedger("v7");
        again.Tell(new LedgerCommand.Charge("s-ana", 685, "EUR", null));

        Assert.Equal("Approved", Assert.IsType<VisitCommand.PaymentRecorded>(_visits.ExpectMsg<VisitEnvelope>(Wait).Command).Outcome);
        Assert.Equal(685, _psp.NetChargedTo("tok-ana"));
        Assert.Equal(1, _psp.CapturesOf("tok-ana"));
    }

    [Fact]
    public async Task A_provider_failing_before_and_after_it_charges_ends_in_exactly_one_charge_when_the_visit_retries()
    {
        var flaky = new SimulatedPsp(new PspSimulation { TransientFailureRate = 0.4, LostAnswerRate = 0.4, Seed = 3 });
        var failures = 0;
        for (var attempt = 0; attempt < 40; attempt++)
        {
            SpawnLedger("v9", flaky).Tell(new LedgerCommand.Charge("s-ana", 500, "EUR", null));
            if (_visits.ExpectMsg<VisitEnvelope>(Wait).Command is VisitCommand.PaymentRecorded)
            {
                break;
            }

            failures++;
        }

        Assert.True(failures > 0, "the provider should have failed at least once");
        Assert.Equal(1, flaky.CapturesOf("tok-ana"));
        Assert.Equal(500, flaky.NetChargedTo("tok-ana"));
        Assert.Equal(500, (await SpawnLedger("v9", flaky).Ask<LedgerReply>(LedgerCommand.Get.Instance, Wait)).Settlement!.AmountMinor);
    }

    [Fact]
    public async Task Refunds_are_made_once_each_and_never_more_than_is_still_charged()
    {
        var ledger = SpawnLedger("v5");
        ledger.Tell(new LedgerCommand.Charge("s-ana", 1_000, "EUR", null));
        _visits.ExpectMsg<VisitEnvelope>(Wait);

        var first = await ledger.Ask<RefundReply>(new LedgerCommand.Refund(1, 149, "put back"), Wait);
        var tooMuch = await ledger.Ask<RefundReply>(new LedgerCommand.Refund(2, 900, "too much"), Wait);

        Assert.Null(first.Refused);
        Assert.Contains("at most the 851", tooMuch.Refused, StringComparison.Ordinal);
        Assert.Equal(149, tooMuch.Settlement!.RefundedMinor);
        Assert.Equal(851, _psp.NetChargedTo("tok-ana"));
    }
}
