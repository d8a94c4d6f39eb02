using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using SmartStore.Actors;
using SmartStore.Actors.TestKit;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Fusion;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Accounts;
using SmartStore.Node.Floor;
using SmartStore.Node.Hosting;
using SmartStore.Node.Settlement;
using SmartStore.Node.Visits;
using SmartStore.Payments;
using SmartStore.Persistence;
using SmartStore.Testing;
using Xunit;

using VisitCommand = SmartStore.Node.Visits.VisitCommand;

namespace SmartStore.Node.Tests;

/// <summary>Visit and settlement actors on a real SQLite journal with the PSP simulator; the floor is a probe.</summary>
#pragma warning disable CA1001 // The store factory is disposed in DisposeAsync (xunit's IAsyncLifetime), like the system.
public sealed class VisitAndSettlementTests : ActorTestKit
{
    private const string Visit = "gate-in-1000-1";
    private readonly EventTypeRegistry _types = PaymentLedger.Register(ShopperAccount.Register(VisitActor.Register(new EventTypeRegistry())));
    private readonly SimulatedPsp _psp = new(new PspSimulation());
    private SqliteStoreFactory _factory = null!;
    private IEventStore _store = null!;
    private PaymentLedger _ledger = null!;
    private NodeHealth _health = null!;
    private ReceiptBook _receipts = null!;
    private EntityRegion<AccountCommand> _accounts = null!;
    private TestProbe<FloorCommand> _floor = null!;
    private TestProbe<SettlementCommand> _settlement = null!;

    public override async Task InitializeAsync()
    {
        _factory = new SqliteStoreFactory();
        _store = await _factory.OpenAsync();
        _ledger = new PaymentLedger(_store, _types, _psp);
        _health = new NodeHealth(new RejectionCounters(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Time);
        _receipts = new ReceiptBook();
        _accounts = System.SpawnRegion<AccountCommand>("accounts", ctx => new ShopperAccount(ctx.EntityId, new EventSourcing(_store, _store, _types), Time));
        _floor = CreateProbe<FloorCommand>();
        _settlement = CreateProbe<SettlementCommand>();
        await _accounts.Actor.AskAsync<RegionCommand<AccountCommand>, AccountReply>(
            r => new RegionCommand<AccountCommand>.Deliver("s-ana", new AccountCommand.Enrol("Ana", "face/ana", "tok-ana", DateTimeOffset.UnixEpoch, r)), TimeSpan.FromSeconds(10));
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _store.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private ActorRef<VisitCommand> SpawnVisit(string name = "visit", ActorRef<SettlementCommand>? settlement = null) =>
        System.Spawn(
            Props.Create(() => new VisitActor(Visit, new EventSourcing(_store, _store, _types), new VisitServices(StoreHarness.Small, _floor.Ref, settlement ?? _settlement.Ref, _ledger, _receipts, _health, TimeSpan.FromDays(30), TimeSpan.FromSeconds(1)))),
            name);

    private static Receipt ReceiptOf(params (string Sku, int Units)[] lines)
    {
        var cart = VirtualCart.Empty;
        foreach (var (sku, units) in lines)
        {
            cart = cart.Apply(new CartChange(sku, units, new CartEvidence($"e-{sku}", "bin", null, [], 0.9))).Cart;
        }

        return Pricing.Price(cart, StoreHarness.Small);
    }

    private static async Task<VisitState> OpenAsync(ActorRef<VisitCommand> visit, string? hold = "auth-1") =>
        (await visit.AskAsync<VisitCommand, VisitReply>(r => new VisitCommand.Open(new VisitOpened(Visit, "corner-01", "s-ana", 1, "gate-in", 1_000, hold, 2_000, DateTimeOffset.UnixEpoch), r), TimeSpan.FromSeconds(10))).State;

    private static Task<VisitReply> GetAsync(ActorRef<VisitCommand> visit) => visit.AskAsync<VisitCommand, VisitReply>(r => new VisitCommand.Get(r), TimeSpan.FromSeconds(10));

    [Fact]
    public async Task A_settled_visit_asks_for_one_charge_issues_one_receipt_and_leaves_the_floor()
    {
        var visit = SpawnVisit();
        await OpenAsync(visit);
        var receipt = ReceiptOf(("drink-001", 2), ("snack-007", 1));

        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000, Time.GetTimestamp()));
        var charge = await _settlement.ExpectMessageAsync<SettlementCommand.Charge>();
        visit.Tell(new VisitCommand.PaymentDone(new VisitSettlement(Visit, PaymentOutcome.Approved, charge.AmountMinor, "cap-1", 0)));
        await _floor.ExpectMessageAsync(new FloorCommand.CloseVisit(Visit));

        // The floor dispatches again (after its own restart): nothing is charged twice.
        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000, Time.GetTimestamp()));
        await _floor.ExpectMessageAsync(new FloorCommand.CloseVisit(Visit));
        await _settlement.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal((receipt.Total, "auth-1", "s-ana"), (charge.AmountMinor, charge.HoldReference, charge.PayerId));
        var state = (await GetAsync(visit)).State;
        Assert.Equal((VisitPhase.Paid, receipt.Total), (state.Phase, state.ChargedMinor));
        Assert.Single(_receipts.Issued);
    }

    [Fact]
    public async Task A_visit_restarted_while_its_payment_was_under_way_resumes_the_same_payment()
    {
        var visit = SpawnVisit("first");
        await OpenAsync(visit);
        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000, Time.GetTimestamp()));
        await _settlement.ExpectMessageAsync<SettlementCommand.Charge>();
        System.Stop(visit);

        var again = SpawnVisit("second");
        Assert.Equal(VisitPhase.Charging, (await GetAsync(again)).State.Phase);
        again.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000, Time.GetTimestamp()));

        var resumed = await _settlement.ExpectMessageAsync<SettlementCommand.Charge>();
        Assert.Equal(149, resumed.AmountMinor);
    }

    [Fact]
    public async Task A_doubtful_cart_waits_for_review_and_is_charged_as_the_operator_corrected_it()
    {
        var visit = SpawnVisit();
        await OpenAsync(visit);
        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Review(ReceiptOf(("drink-001", 1)), ["ambiguous pick"]), 9_000, Time.GetTimestamp()));
        await _floor.ExpectMessageAsync(new FloorCommand.CloseVisit(Visit));
        await _settlement.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        var refused = await visit.AskAsync<VisitCommand, VisitReply>(r => new VisitCommand.ResolveReview("op-1", new Dictionary<string, int> { ["no-such-sku"] = 1 }, "typo", r), TimeSpan.FromSeconds(10));
        var resolved = await visit.AskAsync<VisitCommand, VisitReply>(r => new VisitCommand.ResolveReview("op-1", new Dictionary<string, int> { ["drink-002"] = 2 }, "video: two lemonades", r), TimeSpan.FromSeconds(10));

        Assert.NotNull(refused.Refused);
        Assert.Null(resolved.Refused);
        Assert.Single(_receipts.Review);
        var charge = await _settlement.ExpectMessageAsync<SettlementCommand.Charge>();
        Assert.Equal(2 * 139, charge.AmountMinor);
    }

    [Fact]
    public async Task A_payment_that_failed_is_tried_again_later_with_the_same_visit()
    {
        var visit = SpawnVisit();
        await OpenAsync(visit);
        visit.Tell(new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000, Time.GetTimestamp()));
        await _settlement.ExpectMessageAsync<SettlementCommand.Charge>();

        visit.Tell(new VisitCommand.PaymentFailed("provider down"));
        await Time.WaitForTimerDueWithinAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5));
        await _settlement.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(Visit, (await _settlement.ExpectMessageAsync<SettlementCommand.Charge>()).VisitId);
        Assert.Equal(1, _health.Snapshot().PaymentRetries);
    }

    [Fact]
    public async Task Settlement_charges_once_releases_the_hold_and_turns_a_missing_payment_method_into_a_debt()
    {
        var settlement = System.Spawn(Props.Create(() => new SettlementActor(_ledger, _psp, _accounts, _health, maxConcurrent: 1)), "settlement");
        var replies = CreateProbe<VisitCommand>();
        var hold = (await _psp.AuthoriseAsync("visit-v1-hold", "tok-ana", 2_000, "EUR")).Reference;

        settlement.Tell(new SettlementCommand.Charge("v1", "s-ana", 348, "EUR", hold, replies.Ref));
        settlement.Tell(new SettlementCommand.Charge("v1", "s-ana", 348, "EUR", hold, replies.Ref));
        settlement.Tell(new SettlementCommand.Charge("v2", "s-ana", 0, "EUR", null, replies.Ref));
        settlement.Tell(new SettlementCommand.Charge("v3", "s-nobody", 500, "EUR", null, replies.Ref));
        var answers = (await replies.ReceiveAsync(3, TimeSpan.FromSeconds(10))).Cast<VisitCommand.PaymentDone>().ToDictionary(a => a.Settlement.VisitId, a => a.Settlement);
        await replies.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));

        Assert.Equal((PaymentOutcome.Approved, 348L), (answers["v1"].Outcome, answers["v1"].AmountMinor));
        Assert.Equal(PaymentOutcome.Approved, answers["v2"].Outcome);
        Assert.Equal(PaymentOutcome.Declined, answers["v3"].Outcome);
        Assert.Equal(1, _psp.CapturesOf("tok-ana"));
        Assert.Equal(348, _psp.NetChargedTo("tok-ana"));
        Assert.Equal(0, _psp.OpenHolds);
        Assert.Equal(500, await _ledger.ReadDebtAsync("s-nobody"));
    }
}
#pragma warning restore CA1001
