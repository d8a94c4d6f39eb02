using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>
/// One node carrying two stores of a chain (the cluster's unit of placement is the store): the same shoppers
/// shop the same morning in both at once, and each store ends with its own receipts, priced and charged once,
/// with nothing of one store landing in the other. The two stores' gates have the same ids, which is what a
/// chain of identical shop fits has.
/// </summary>
public sealed class ChainOfStoresTests : JournalTestBase
{
    private static readonly StoreLayout Second = ChainAssertions.SecondSite;

    protected override IJournalFactory CreateJournals() => new SqliteJournals();

    [Fact]
    public async Task A_node_with_two_stores_settles_each_store_s_morning_on_its_own()
    {
        var morning = DemoScenario.Build(StoreHarness.Small, StoreHarness.Start);
        await using var store = await StoreHarness.StartAsync(Journals, options => options with { Chain = [Second] });
        await store.EnrolAsync(morning.Shoppers);

        var first = FeedReplay.SendAsync(store.Transport, StoreHarness.Small.StoreId, morning.Messages);
        var second = FeedReplay.SendAsync(store.Transport, Second.StoreId, morning.Messages);
        var replays = await Task.WhenAll(first, second);
        var end = morning.EndMs + store.Options.Floor.SettlementBoundMs + 1_000;
        await store.Node.AdvanceClockAsync(StoreHarness.Small.StoreId, end);
        await store.Node.AdvanceClockAsync(Second.StoreId, end);
        await store.WaitForReceiptsAsync(() => store.Node.Receipts.Issued.Count >= 2 * morning.Expected.Count);

        Assert.All(replays, replay => Assert.Equal(morning.Messages.Count, replay.Accepted));
        await ChainAssertions.EachStoreSettledExactlyAsync(store.Node.Receipts, async visitId => (await store.Node.GetVisitAsync(visitId)).State, morning, StoreHarness.Small.StoreId, Second.StoreId);

        // Each payer was charged once per store: two captures, and exactly the two receipts' sum.
        foreach (var expected in morning.Expected)
        {
            var token = morning.Shoppers.Single(s => s.ShopperId == expected.PayerId).PaymentToken;
            var receipts = store.Node.Receipts.Issued.Where(r => r.PayerId == expected.PayerId).ToList();
            Assert.Equal(2, store.Psp.CapturesOf(token));
            Assert.Equal(receipts.Sum(r => r.Receipt.Total), store.Psp.NetChargedTo(token));
        }

        Assert.Equal(0, (await store.Node.GetFloorAsync(Second.StoreId)).VisitsInside);
    }

    [Fact]
    public async Task A_store_outside_the_chain_is_refused_by_name_and_counted()
    {
        await using var store = await StoreHarness.StartAsync(Journals, options => options with { Chain = [Second] });

        var outcome = await store.SendRawAsync(Topics.For("corner-99", DeviceKind.Shelf, "shelf-01"), """{"v":1,"device":"shelf-01","seq":1,"ts":1,"bin":"shelf-01-l1b1","grams":10}""");

        Assert.Equal(Delivery.Rejected, outcome);
        Assert.Equal(1, store.Node.Health.Rejections[RejectionReason.UnknownTopic]);
        await Assert.ThrowsAsync<ArgumentException>(() => store.Node.GetFloorAsync("corner-99"));
        Assert.Throws<ArgumentException>(() => store.Options with { Chain = [Second, Second] });
    }
}
