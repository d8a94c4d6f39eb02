using SmartStore.Node.Feeds;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class SqliteProjectionTests : ProjectionTests
{
    protected override IJournalFactory CreateJournals() => new SqliteJournals();
}

[Collection("postgres")]
public sealed class PostgresProjectionTests(PostgresFixture postgres) : ProjectionTests
{
    protected override IJournalFactory CreateJournals() => new PostgresJournals(postgres.Server);
}

/// <summary>
/// The receipt projection stores its model and its offset together: restarted any number of times, it counts
/// every visit event the journal holds exactly once (a refund read twice would be refunded twice in the books).
/// </summary>
public abstract class ProjectionTests : JournalTestBase
{
    private readonly Scenario _morning = DemoScenario.Build(StoreHarness.Small, StoreHarness.Start);

    [Fact]
    public async Task A_restarted_projection_neither_loses_nor_doubles_a_receipt_a_dispute_or_a_refund()
    {
        await using var store = await StoreHarness.StartAsync(Journals);
        await store.EnrolAsync(_morning.Shoppers);
        await store.SendAsync(_morning.Messages);
        await store.FinishAsync(_morning.EndMs, _morning.Expected.Count);
        var bob = store.Node.Receipts.Issued.Single(r => r.PayerId == "s-bob");
        var dispute = await store.Node.OpenDisputeAsync(bob.VisitId, DemoScenario.Water, 1, "put back");
        await store.Node.DecideDisputeAsync(bob.VisitId, dispute.State.Disputes[0].DisputeId, approve: true, "op-1", "video");
        var water = StoreHarness.Small.FindProduct(DemoScenario.Water)!.UnitPrice;
        await store.WaitForReceiptsAsync(() => store.Node.Health.Snapshot().RefundedMinor == water);
        var before = store.Node.Health.Snapshot();
        var read = (await store.Node.GetReceiptProjectionAsync()).Events;

        for (var restart = 0; restart < 2; restart++)
        {
            await store.RestartAsync();
            await store.WaitForReceiptsAsync(() => store.Node.Health.Snapshot().RefundedMinor > 0);
        }

        // Once more events come, the projection reads on from where it stood.
        var alice = store.Node.Receipts.Issued.Single(r => r.PayerId == "s-alice");
        await store.Node.OpenDisputeAsync(alice.VisitId, DemoScenario.Crisps, 1, "not mine");
        await store.WaitForReceiptsAsync(() => store.Node.Health.Snapshot().Disputes == 2);

        var after = store.Node.Health.Snapshot();
        Assert.Equal((before.EntriesAdmitted, before.Captured, before.CapturedMinor, before.RefundedMinor), (after.EntriesAdmitted, after.Captured, after.CapturedMinor, after.RefundedMinor));
        Assert.Equal((_morning.Expected.Count, 1L, water), (after.Captured, before.Disputes, after.RefundedMinor));
        Assert.Equal(_morning.Expected.Count, store.Node.Receipts.Issued.Count);
        Assert.Equal(read + 1, (await store.Node.GetReceiptProjectionAsync()).Events);
    }
}
