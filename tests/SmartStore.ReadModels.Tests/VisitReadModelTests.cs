using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Marten;
using Microsoft.Data.Sqlite;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Node.Projections;
using SmartStore.Payments;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.ReadModels.Tests;

/// <summary>
/// The scripted morning through a real node (SQLite journal), its visits projected into Marten on a real
/// PostgreSQL: every receipt arrives once, a restarted feed reads on from its checkpoint, and events read again
/// change nothing.
/// </summary>
public sealed class VisitReadModelTests : IAsyncLifetime
{
    private static readonly StoreLayout Small = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
    private static readonly long Start = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly Scenario _morning = DemoScenario.Build(Small, Start);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("smartstore-readmodels-");
    private PostgresServer _postgres = null!;
    private StoreNode _node = null!;
    private DocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _store = ReadModelStore.Open(await _postgres.CreateDatabaseAsync("console"));
        var transport = new InProcessTransport();
        var options = new StoreNodeOptions(Small) { Journal = JournalSettings.SqliteFile(Path.Combine(_folder.FullName, "journal.db")), PaymentRetryDelay = TimeSpan.FromMilliseconds(50) };
        _node = await StoreNode.StartAsync(options, new ResilientGateway(new SimulatedPsp(new PspSimulation { Seed = 5 }), new RetrySettings()), transport);
        transport.Connect(_node);
        foreach (var shopper in _morning.Shoppers)
        {
            await _node.EnrolAsync(shopper.ShopperId, shopper.Name, shopper.FaceTemplateRef, shopper.PaymentToken, DateTimeOffset.UtcNow);
        }

        await FeedReplay.SendAsync(transport, Small.StoreId, _morning.Messages);
        await _node.AdvanceClockAsync(_morning.EndMs + options.Floor.SettlementBoundMs + 1_000);
        using var timeout = new CancellationTokenSource(Patience);
        await _node.Receipts.WaitForDecidedAsync(_morning.Expected.Count, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _store.Dispose();
        await _postgres.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    [Fact]
    public async Task Every_receipt_reaches_the_read_model_once_and_a_restarted_feed_reads_on_from_its_checkpoint()
    {
        var model = new VisitReadModel(_store);
        var journalEvents = (await _node.GetReceiptProjectionAsync()).Events;

        await using (var feed = ReadModelFeed.Start(_node.System, model))
        {
            await WaitAsync(feed, journalEvents);
        }

        await using var session = _store.QuerySession();
        foreach (var issued in _node.Receipts.Issued)
        {
            var document = await session.LoadAsync<VisitDocument>(issued.VisitId);
            Assert.NotNull(document);
            Assert.Equal(VisitPhase.Paid, document.Phase);
            Assert.Equal(Lines(issued.Receipt.Lines), Lines(document.State.Receipt!.Lines));
        }

        Assert.Equal(_morning.Expected.Count, (await session.Query<VisitDocument>().Where(d => d.State.Phase == VisitPhase.Paid).ToListAsync()).Count);

        // The node goes on (a dispute is a new visit event); a new feed starts from the stored checkpoint and reads
        // only that one.
        var bob = _node.Receipts.Issued.Single(r => r.PayerId == "s-bob");
        await _node.OpenDisputeAsync(bob.VisitId, DemoScenario.Water, 1, "put back");
        await using (var again = ReadModelFeed.Start(_node.System, model))
        {
            await WaitAsync(again, journalEvents + 1);
            Assert.Equal(journalEvents + 1, again.Checkpoint.Events);
        }

        await using var after = _store.QuerySession();
        Assert.Single((await after.LoadAsync<VisitDocument>(bob.VisitId))!.State.Disputes);
    }

    [Fact]
    public async Task Events_read_again_from_the_start_change_neither_a_document_nor_the_checkpoint()
    {
        var model = new VisitReadModel(_store);
        var journal = PersistenceQuery.Get(_node.System).ReadJournalFor<SqlReadJournal>(TagProjection.ReadJournal);
        var events = await journal.CurrentEventsByTag(Tags.Visits, Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), _node.System.Materializer());
        var checkpoint = await model.ApplyAsync([.. events], CancellationToken.None);
        async Task<string> SnapshotAsync()
        {
            await using var session = _store.QuerySession();
            var documents = await session.Query<VisitDocument>().OrderBy(d => d.Id).ToListAsync();
            return string.Join("\n", documents.Select(d => $"{d.Id} {d.Offset} {d.Phase} {string.Join(",", Lines(d.State.Receipt?.Lines ?? []))}"));
        }

        var before = await SnapshotAsync();
        var replayed = await model.ApplyAsync([.. events.Take(events.Count / 2)], CancellationToken.None);
        var whole = await model.ApplyAsync([.. events], CancellationToken.None);

        Assert.Equal(events.Count, checkpoint.Events);
        Assert.Equal(checkpoint, replayed);
        Assert.Equal(checkpoint, whole);
        Assert.Equal(before, await SnapshotAsync());
        Assert.Equal(_morning.Expected.Count, before.Split('\n').Count(l => l.Contains(" Paid ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Receipts_are_found_by_shopper_product_and_time_and_the_review_queue_holds_only_carts_waiting_for_an_operator()
    {
        var model = new VisitReadModel(_store);
        await using (var feed = ReadModelFeed.Start(_node.System, model))
        {
            await WaitAsync(feed, (await _node.GetReceiptProjectionAsync()).Events);
        }

        // A cart that went to review, and one already decided by an operator, written as the feed would write them.
        var at = DateTimeOffset.UnixEpoch.AddMilliseconds(Start);
        var receipt = _node.Receipts.Issued.First().Receipt;
        var waiting = Fold("v-waiting", new VisitSentToReview(receipt, ["ambiguous pick"], Start + 60_000, at));
        var decided = Fold("v-decided", new VisitSentToReview(receipt, ["uncertain product"], Start + 30_000, at), new ReviewResolved(receipt, "op-1", "checked the video", at));
        await using (var session = _store.LightweightSession())
        {
            session.Store(new VisitDocument("v-waiting", waiting, 0), new VisitDocument("v-decided", decided, 0));
            await session.SaveChangesAsync();
        }

        var queries = new VisitQueries(_store);
        var bob = _node.Receipts.Issued.Single(r => r.PayerId == "s-bob");
        Assert.Equal(["v-waiting"], (await queries.ReviewQueueAsync(10, CancellationToken.None)).Select(d => d.Id));
        Assert.Equal([bob.VisitId], (await queries.ReceiptsAsync(new ReceiptSearch { PayerId = "s-bob" }, CancellationToken.None)).Select(d => d.Id));
        var withWater = await queries.ReceiptsAsync(new ReceiptSearch { Sku = DemoScenario.Water }, CancellationToken.None);
        Assert.Equal(_node.Receipts.Issued.Where(r => r.Receipt.Lines.Any(l => l.Sku == DemoScenario.Water)).Select(r => r.VisitId).Order(), withWater.Select(d => d.Id).Order());
        Assert.NotEmpty(withWater);
        var all = await queries.ReceiptsAsync(new ReceiptSearch(), CancellationToken.None);
        Assert.Equal(_morning.Expected.Count, all.Count);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.Item1.State.SettledAt >= p.Item2.State.SettledAt), "newest first");
        var newest = all[0].State.SettledAt!.Value;
        Assert.Equal([all[0].Id], (await queries.ReceiptsAsync(new ReceiptSearch { From = newest }, CancellationToken.None)).Select(d => d.Id));
        Assert.DoesNotContain(all[0].Id, (await queries.ReceiptsAsync(new ReceiptSearch { To = newest }, CancellationToken.None)).Select(d => d.Id));
    }

    private static VisitState Fold(string visitId, params IVisitEvent[] events) =>
        events.Aggregate(
            VisitRules.Evolve(VisitState.None(visitId), new VisitOpened(visitId, Small.StoreId, $"payer-{visitId}", 1, "gate-in", Start, null, 0, DateTimeOffset.UnixEpoch)),
            VisitRules.Evolve);

    private static IEnumerable<string> Lines(IEnumerable<SmartStore.Domain.Carts.ReceiptLine> lines) =>
        lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => $"{l.Units}x{l.Sku}@{l.UnitPrice}");

    private static async Task WaitAsync(ReadModelFeed feed, long events)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await feed.WaitUntilAsync(c => c.Events >= events, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the read model holds {feed.Checkpoint.Events} of {events} visit events");
        }
    }
}
