using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using SmartStore.Domain.Accounts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Payments;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class SqliteStoreEndToEndTests : StoreEndToEndTests
{
    protected override IJournalFactory CreateJournals() => new SqliteJournals();
}

[Collection("postgres")]
public sealed class PostgresStoreEndToEndTests(PostgresFixture postgres) : StoreEndToEndTests
{
    protected override IJournalFactory CreateJournals() => new PostgresJournals(postgres.Server);
}

/// <summary>
/// The whole store, end to end, on each real journal: the scripted morning (a wrong-bin put-back, a group with
/// one payer, a hand-off, a tailgater, two refused faces) through gates, cameras and shelves to receipts and
/// payments; then the same with a failing payment provider, a node restart mid-visit, erasure and bad input.
/// </summary>
public abstract class StoreEndToEndTests : JournalTestBase
{
    private readonly Scenario _morning = DemoScenario.Build(StoreHarness.Small, StoreHarness.Start);

    [Fact]
    public async Task The_scripted_morning_ends_in_exactly_the_right_receipts_each_charged_once()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);

        var replay = await store.SendAsync(_morning.Messages);
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);

        Assert.Equal(_morning.Messages.Count, replay.Accepted);
        await AssertReceiptsAsync(store);
        var health = store.Node.Health.Snapshot();
        Assert.Equal(_morning.DeniedEntries, health.EntriesDenied);
        Assert.Equal(_morning.Expected.Count, health.EntriesAdmitted);
        Assert.Equal(_morning.Tailgaters, health.AlertsByKind.GetValueOrDefault("tailgating"));
        Assert.Empty(store.Node.Receipts.Review);
        Assert.Equal(0, store.Psp.OpenHolds);
    }

    [Fact]
    public async Task A_payment_provider_failing_transiently_still_ends_in_one_charge_per_visit()
    {
        // The gateway gives up after two attempts, so visits see failures and retry on their own.
        await using var store = await StoreHarness.StartAsync(Journals, maxGatewayAttempts: 1);
        await store.EnrolAsync(_morning.Shoppers);
        var lastEntry = _morning.Messages.OfType<GateEvent>().Where(g => g.Event == "crossed" && g.Inward == true).Max(g => g.Ts);
        await store.SendAsync(_morning.Messages.Where(m => m.Ts <= lastEntry + 1_000));

        store.Psp.Disrupt(transientFailureRate: 0.5, lostAnswerRate: 0.4);
        await store.SendAsync(_morning.Messages.Where(m => m.Ts > lastEntry + 1_000));
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);

        Assert.True(store.Psp.InjectedFailures > 0);
        Assert.True(store.Node.Health.Snapshot().PaymentRetries > 0, "the gateway's failures should have reached the visits");
        await AssertReceiptsAsync(store);
    }

    [Fact]
    public async Task A_node_stopped_mid_visit_and_started_again_loses_nothing_and_charges_once()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);
        var cut = _morning.Messages.Count / 2;
        await store.SendAsync(_morning.Messages.Take(cut));
        var floor = await store.Node.GetFloorAsync();
        Assert.True(floor.VisitsInside > 0, "the cut should fall while shoppers are inside");

        await store.RestartAsync();

        // A broker redelivers what it may not have seen acknowledged: the last few hundred messages come again.
        var replay = await store.SendAsync(_morning.Messages.Skip(cut - 300));
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);

        Assert.True(replay.Duplicates > 0, "redelivered messages should be recognised");
        Assert.True(store.Node.Health.Snapshot().RecoveredRecords > 0);
        await AssertReceiptsAsync(store);
    }

    [Fact]
    public async Task A_node_restarted_after_settlement_issues_no_second_receipt_or_charge()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);
        await store.SendAsync(_morning.Messages);
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);

        await store.RestartAsync();
        await store.SendAsync(_morning.Messages.TakeLast(500));
        await store.Node.AdvanceClockAsync(_morning.EndMs + 60_000);

        // The clock passed every bound and the floor holds no visit: nothing is left that could be settled again.
        // The restarted node's receipt book (read from the journal) holds every receipt, once.
        Assert.Empty((await store.Node.GetFloorAsync()).Visits);
        await store.WaitForReceiptsAsync(() => store.Node.Receipts.Issued.Count == _morning.Expected.Count);
        Assert.All(store.Node.Receipts.Issued, r => Assert.Null(r.Latency));
        Assert.Equal(_morning.Expected.Count, store.Node.Health.Snapshot().Captured);
        await AssertReceiptsAsync(store);
    }

    [Fact]
    public async Task An_erased_account_leaves_no_name_face_reference_or_token_in_the_database_files_while_its_receipts_stay()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);
        await store.SendAsync(_morning.Messages);
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);
        var alice = _morning.Shoppers.Single(s => s.ShopperId == "s-alice");
        Assert.Equal(alice.Name, (await store.Node.GetAccountAsync(alice.ShopperId)).State.Name);

        var erased = await store.Node.EraseAccountAsync(alice.ShopperId);

        Assert.Null(erased.Refused);
        Assert.Equal(AccountState.Erased, erased.State);

        // Read the database files as someone with the disk would: journal, snapshots, write-ahead logs. The
        // personal fields are sealed before they are stored, so they are not there in the clear, and erasure
        // destroyed the key that opened them.
        foreach (var personal in new[] { alice.Name, alice.FaceTemplateRef, alice.PaymentToken })
        {
            Assert.Empty(DatabaseFiles.Containing(Journals.Files, personal));
        }

        // A restarted node recovers the account as erased, and refuses to bring it back.
        await store.RestartAsync();
        Assert.Equal(AccountStatus.Erased, (await store.Node.GetAccountAsync(alice.ShopperId)).State.Status);
        Assert.NotNull((await store.Node.EnrolAsync(alice.ShopperId, alice.Name, alice.FaceTemplateRef, "tok-new", DateTimeOffset.UtcNow)).Refused);
        Assert.Equal(_morning.Shoppers.Single(s => s.ShopperId == "s-bob").Name, (await store.Node.GetAccountAsync("s-bob")).State.Name);

        // Accounting keeps the receipt and the charge, under the opaque shopper id.
        await store.WaitForReceiptsAsync(() => store.Node.Receipts.Issued.Any(r => r.PayerId == alice.ShopperId));
        var receipt = store.Node.Receipts.Issued.Single(r => r.PayerId == alice.ShopperId);
        var visit = await store.Node.GetVisitAsync(receipt.VisitId);
        Assert.Equal(VisitPhase.Paid, visit.State.Phase);
        Assert.Equal(receipt.Receipt.Total, (await store.Node.GetSettlementAsync(receipt.VisitId))!.AmountMinor);

        // And the erased shopper cannot walk in again on the old identity.
        await store.SendAsync([new GateEvent(1, "gate-in", 10_000, _morning.EndMs + 5_000, "identified", alice.ShopperId, 0.99, null, null, null, 1)]);
        Assert.Equal(1, store.Node.Health.Snapshot().EntriesDenied);
    }

    [Fact]
    public async Task A_shopper_who_left_a_debt_is_denied_entry_by_the_debt_projection_with_the_amount()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);

        await store.Node.RecordUnpaidAsync("gate-in-1-1", "s-carol", 1_250, "declined last week");
        using (var patience = new CancellationTokenSource(StoreHarness.Patience))
        {
            // The debt projection reads the ledger's tagged events a moment after they are stored.
            while (await store.Node.GetDebtAsync("s-carol", patience.Token) == 0)
            {
                await Task.Yield();
            }
        }

        await store.SendAsync([new GateEvent(1, "gate-in", 10_000, StoreHarness.Start, "identified", "s-carol", 0.99, null, null, null, 1)]);

        var denied = Assert.Single(store.Node.Health.Snapshot().RecentAlerts, a => a.Kind == "entry-denied");
        Assert.Contains("unpaid balance of 1250", denied.Detail, StringComparison.Ordinal);
        Assert.Equal(1_250, await store.Node.GetDebtAsync("s-carol"));
    }

    [Fact]
    public async Task Malformed_and_unknown_device_messages_are_rejected_with_counted_reasons_and_the_store_runs_on()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);
        var store01 = StoreHarness.Small.StoreId;
        var half = _morning.Messages.Count / 2;
        await store.SendAsync(_morning.Messages.Take(half));

        (string Topic, string Payload, RejectionReason Reason)[] bad =
        [
            ($"smartstore/{store01}/camera/cam-nw/observations", "{\"v\":1,\"device\":", RejectionReason.MalformedJson),
            ($"smartstore/{store01}/camera/cam-nw/observations", "[1,2,3]", RejectionReason.MalformedJson),
            ($"smartstore/{store01}/camera/cam-zz/observations", "{}", RejectionReason.UnknownDevice),
            ($"smartstore/other-store/camera/cam-nw/observations", "{}", RejectionReason.UnknownTopic),
            ("not/a/topic", "{}", RejectionReason.UnknownTopic),
            ($"smartstore/{store01}/shelf/shelf-01/weight", "{\"v\":2,\"device\":\"shelf-01\",\"seq\":1,\"ts\":1,\"bin\":\"shelf-01-l1b1\",\"grams\":1}", RejectionReason.UnsupportedVersion),
            ($"smartstore/{store01}/shelf/shelf-01/weight", "{\"v\":1,\"device\":\"shelf-01\",\"seq\":999999,\"ts\":1795251700000,\"bin\":\"shelf-01-l1b1\",\"grams\":1e9}", RejectionReason.ImpossibleValue),
            ($"smartstore/{store01}/shelf/shelf-01/weight", "{\"v\":1,\"device\":\"shelf-01\",\"seq\":999998,\"ts\":1795251700000,\"bin\":\"shelf-09-l1b1\",\"grams\":10}", RejectionReason.UnknownDevice),
            ($"smartstore/{store01}/gate/gate-in/events", "{\"v\":1,\"device\":\"gate-in\",\"seq\":999997,\"ts\":1795251700000,\"event\":\"teleported\"}", RejectionReason.UnknownEvent),
            ($"smartstore/{store01}/gate/gate-in/events", "{\"v\":1,\"device\":\"gate-out\",\"seq\":999996,\"ts\":1795251700000,\"event\":\"crossed\"}", RejectionReason.DeviceMismatch),
            ($"smartstore/{store01}/shelf/shelf-01/weight", new string('x', DeviceMessageParser.MaxPayloadBytes + 1), RejectionReason.Oversized),
            ($"smartstore/{store01}/camera/cam-nw/observations", "{\"v\":1,\"device\":\"cam-nw\",\"seq\":999995,\"ts\":1795251700000,\"track\":\"t\",\"body\":[500,500]}", RejectionReason.OutsideFloor),
            ($"smartstore/{store01}/shelf/shelf-01/weight", "{\"v\":1,\"device\":\"shelf-01\",\"seq\":999994,\"ts\":-5,\"bin\":\"shelf-01-l1b1\",\"grams\":10}", RejectionReason.BadTimestamp),
            ($"smartstore/{store01}/shelf/shelf-01/weight", "{\"v\":1,\"device\":\"shelf-01\",\"seq\":999993,\"ts\":1795251700000,\"bin\":\"shelf-01-l1b1\",\"grams\":-5}", RejectionReason.ImpossibleValue),
        ];
        foreach (var (topic, payload, _) in bad)
        {
            Assert.Equal(Delivery.Rejected, await store.SendRawAsync(topic, payload));
        }

        await store.SendAsync(_morning.Messages.Skip(half));
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);

        var rejected = store.Node.Health.Snapshot().Rejected;
        foreach (var group in bad.GroupBy(b => b.Reason))
        {
            Assert.Equal(group.Count(), rejected[group.Key]);
        }

        await AssertReceiptsAsync(store);
    }

    [Fact]
    public async Task A_disputed_line_is_refunded_once_approved_and_a_rejected_dispute_refunds_nothing()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);
        await store.SendAsync(_morning.Messages);
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);
        var bob = store.Node.Receipts.Issued.Single(r => r.PayerId == "s-bob");
        var token = _morning.Shoppers.Single(s => s.ShopperId == "s-bob").PaymentToken;

        var tooMany = await store.Node.OpenDisputeAsync(bob.VisitId, DemoScenario.Water, 2, "I took one");
        var water = await store.Node.OpenDisputeAsync(bob.VisitId, DemoScenario.Water, 1, "my friend put it back");
        var juice = await store.Node.OpenDisputeAsync(bob.VisitId, DemoScenario.AppleJuice, 1, "never took it");
        var approved = await store.Node.DecideDisputeAsync(bob.VisitId, water.State.Disputes[0].DisputeId, approve: true, "op-1", "video shows the put-back");
        var rejected = await store.Node.DecideDisputeAsync(bob.VisitId, juice.State.Disputes[1].DisputeId, approve: false, "op-1", "video shows the pick");
        var again = await store.Node.DecideDisputeAsync(bob.VisitId, water.State.Disputes[0].DisputeId, approve: true, "op-2", "twice?");

        Assert.NotNull(tooMany.Refused);
        Assert.Null(water.Refused);
        Assert.Null(approved.Refused);
        Assert.Null(rejected.Refused);
        Assert.NotNull(again.Refused);
        var waterPrice = StoreHarness.Small.FindProduct(DemoScenario.Water)!.UnitPrice;
        Assert.Equal(waterPrice, approved.State.RefundedMinor);
        Assert.Equal(bob.Receipt.Total - waterPrice, store.Psp.NetChargedTo(token));
        Assert.Equal(waterPrice, (await store.Node.GetSettlementAsync(bob.VisitId))!.RefundedMinor);
    }

    [Fact]
    public async Task An_age_restricted_pick_waits_for_an_operator_who_approves_it_then_it_is_charged()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        var shopper = new ScenarioShopper("s-erin", "Erin Example", "face-template-erin-0001", "tok-erin-4242");
        await store.EnrolAsync([shopper]);
        var feed = new ScriptedFeed(StoreHarness.Small, StoreHarness.Start);
        var t = StoreHarness.Start + 1_000;
        feed.Identify(t, "gate-in", shopper.ShopperId);
        t = feed.Enter(t + 600, "gate-in", "trk-erin");
        t = feed.Pick(t, "trk-erin", "shelf-06-l1b2", "alcohol-027");
        t = feed.Pick(t, "trk-erin", "shelf-02-l1b2", DemoScenario.Crisps);
        t = feed.Leave(t, "gate-out", "trk-erin");
        await store.SendAsync(feed.Build(t + 1_000));
        await store.FinishAsync(t + 1_000, 1);

        var review = Assert.Single(store.Node.Receipts.Review);
        Assert.Contains(review.Reasons, r => r.StartsWith("age-restricted", StringComparison.Ordinal));
        Assert.Equal(0, store.Psp.CapturesOf(shopper.PaymentToken));

        var resolved = await store.Node.ResolveReviewAsync(review.VisitId, "op-7", null, "ID checked on camera");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await store.Node.Receipts.WaitForIssuedAsync(1, timeout.Token);

        Assert.Null(resolved.Refused);
        var receipt = Assert.Single(store.Node.Receipts.Issued);
        Assert.Equal(["alcohol-027", DemoScenario.Crisps], receipt.Receipt.Lines.Select(l => l.Sku).Order(StringComparer.Ordinal));
        Assert.Equal(1, store.Psp.CapturesOf(shopper.PaymentToken));
        Assert.Equal(receipt.Receipt.Total, store.Psp.NetChargedTo(shopper.PaymentToken));
    }

    /// <summary>Every expected payer has exactly one receipt with exactly the expected units, charged exactly once for its total.</summary>
    private async Task AssertReceiptsAsync(StoreHarness store)
    {
        await store.WaitForReceiptsAsync(() => store.Node.Receipts.Issued.Count >= _morning.Expected.Count);
        Assert.Equal(_morning.Expected.Count, store.Node.Receipts.Issued.Count);
        foreach (var expected in _morning.Expected)
        {
            var token = _morning.Shoppers.Single(s => s.ShopperId == expected.PayerId).PaymentToken;
            var issued = Assert.Single(store.Node.Receipts.Issued, r => r.PayerId == expected.PayerId);
            var visit = (await store.Node.GetVisitAsync(issued.VisitId)).State;
            Assert.Equal(VisitPhase.Paid, visit.Phase);
            Assert.Equal(
                expected.Units.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Value}x{u.Key}"),
                visit.Receipt!.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => $"{l.Units}x{l.Sku}"));
            Assert.Equal(1, store.Psp.CapturesOf(token));
            Assert.Equal(visit.Receipt.Total, store.Psp.NetChargedTo(token));
            Assert.Equal(visit.Receipt.Total, visit.ChargedMinor);
            Assert.Equal(visit.Receipt.Total, issued.Receipt.Total);
        }
    }
}
