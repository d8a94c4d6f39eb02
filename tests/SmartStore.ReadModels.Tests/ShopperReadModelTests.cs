using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Marten;
using Microsoft.Data.Sqlite;
using Npgsql;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Node.Projections;
using SmartStore.Payments;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.ReadModels.Tests;

/// <summary>
/// Shopper accounts on a real node (SQLite journal) projected into Marten on a real PostgreSQL: the documents hold
/// what the journal holds in the clear and nothing personal, an erasure leaves the id and its time only (even when
/// the node deleted the account's rows before the feed read them), and a restarted feed reads on from its checkpoint.
/// </summary>
public sealed class ShopperReadModelTests : IAsyncLifetime
{
    private static readonly StoreLayout Small = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    // Personal fields, distinctive enough that finding one anywhere in the read model's tables cannot be chance.
    private static readonly Person Ada = new("s-ada", "Ada Lovelace-q7", "tok-ada-8812", "face/ada-x1");
    private static readonly Person Bob = new("s-bob", "Bob Beamon-z3", "tok-bob-4410", "face/bob-x2");
    private static readonly Person Carol = new("s-carol", "Carol Shaw-k5", "tok-carol-2207", "face/carol-x3");
    private const string AdaNewToken = "tok-ada-NEW-5531";

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("smartstore-shoppers-");
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private PostgresServer _postgres = null!;
    private string _console = null!;
    private StoreNode _node = null!;
    private DocumentStore _store = null!;

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.StartAsync();
        _console = await _postgres.CreateDatabaseAsync("console");
        _store = ReadModelStore.Open(_console);
        var transport = new InProcessTransport();
        var options = new StoreNodeOptions(Small) { Journal = JournalSettings.SqliteFile(Path.Combine(_folder.FullName, "journal.db")) };
        _node = await StoreNode.StartAsync(options, new ResilientGateway(new SimulatedPsp(new PspSimulation { Seed = 5 }), new RetrySettings()), transport);
        transport.Connect(_node);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        _store.Dispose();
        await _postgres.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }

    private DateTimeOffset AdaConsent => _now.AddHours(-3);

    private DateTimeOffset BobConsent => _now.AddHours(-2);

    private DateTimeOffset CarolConsent => _now.AddHours(-1);

    private DateTimeOffset FaceConsent => _now.AddMinutes(-150);

    [Fact]
    public async Task Shoppers_reach_the_read_model_with_nothing_personal_and_an_erasure_read_live_leaves_only_the_id_and_its_time()
    {
        await EnrolAsync(Ada, AdaConsent);
        await EnrolAsync(Bob, BobConsent);
        var beforeChange = DateTimeOffset.UtcNow;
        Assert.Null((await _node.ChangePaymentMethodAsync(Ada.Id, AdaNewToken)).Refused);
        var afterChange = DateTimeOffset.UtcNow;
        Assert.Null((await _node.EnrolTemplateAsync(Ada.Id, Template(), FaceConsent)).Refused);

        var model = new ShopperReadModel(_store);
        await using (var feed = ReadModelFeed.Start(_node.System, model))
        {
            await WaitAsync(feed, await TaggedAsync());
            Assert.Equal(4, feed.Checkpoint.Events);

            // Erased while the feed runs: the node deletes the account's rows within milliseconds, so the feed may
            // never see the enrolment's erasure; the erasure the node leaves in the stream reaches it all the same.
            // Counting events would not do here (the deleted ones are gone from the count): the feed has read the
            // erasure once its checkpoint reaches the last tagged row's offset.
            Assert.Null((await _node.EraseAccountAsync(Bob.Id)).Refused);
            var last = (await TaggedEventsAsync())[^1].Offset;
            Assert.IsType<ShopperErased>((await TaggedEventsAsync())[^1].Event);
            await WaitAsync(feed, c => new Sequence(c.Offset).CompareTo(last) >= 0, "the erasure's offset");
        }

        await using var session = _store.QuerySession();
        var ada = await session.LoadAsync<ShopperDocument>(Ada.Id);
        Assert.NotNull(ada);
        Assert.Equal((ShopperStatus.Enrolled, AdaConsent, true, FaceConsent, (DateTimeOffset?)null), (ada.Status, ada.EnrolledAt, ada.FaceEnrolled, ada.FaceEnrolledAt, ada.ErasedAt));

        // The change's event holds no time in the clear: the journal's write time stands for it (to the millisecond).
        var changedMs = ada.PaymentChangedAt!.Value.ToUnixTimeMilliseconds();
        Assert.InRange(changedMs, beforeChange.ToUnixTimeMilliseconds(), afterChange.ToUnixTimeMilliseconds());

        var bob = await session.LoadAsync<ShopperDocument>(Bob.Id);
        Assert.NotNull(bob);
        Assert.Equal(ShopperStatus.Erased, bob.Status);
        Assert.NotNull(bob.ErasedAt);
        Assert.Equal(ShopperDocument.Erased(Bob.Id, bob.ErasedAt.Value, bob.Offset), bob);
        Assert.Equal(AccountStatus.Erased, (await _node.GetAccountAsync(Bob.Id)).State.Status);

        // Every row of every table in the read model's schema, as PostgreSQL holds it: the ids are there, the
        // names, tokens and face references are not.
        var everything = await RawReadModelAsync();
        Assert.Contains(Ada.Id, everything, StringComparison.Ordinal);
        Assert.Contains(Bob.Id, everything, StringComparison.Ordinal);
        foreach (var personal in new[] { Ada.Name, Ada.Token, AdaNewToken, Ada.FaceRef, Bob.Name, Bob.Token, Bob.FaceRef })
        {
            Assert.DoesNotContain(personal, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_restarted_feed_reads_on_from_its_checkpoint_and_events_read_again_change_nothing()
    {
        await EnrolAsync(Ada, AdaConsent);
        await EnrolAsync(Bob, BobConsent);
        Assert.Null((await _node.ChangePaymentMethodAsync(Ada.Id, AdaNewToken)).Refused);
        Assert.Null((await _node.EraseAccountAsync(Bob.Id)).Refused);

        // Bob's rows went before any feed read them: what is left for the tag is Ada's two events and Bob's erasure.
        var tagged = await TaggedAsync();
        Assert.Equal(3, tagged);
        var model = new ShopperReadModel(_store);
        await using (var feed = ReadModelFeed.Start(_node.System, model))
        {
            await WaitAsync(feed, tagged);
        }

        // The node goes on; a new feed starts from the stored checkpoint and reads only the one new event.
        await EnrolAsync(Carol, CarolConsent);
        await using (var again = ReadModelFeed.Start(_node.System, model))
        {
            await WaitAsync(again, tagged + 1);
            Assert.Equal(tagged + 1, again.Checkpoint.Events);
        }

        var before = await SnapshotAsync();
        Assert.Equal(3, before.Split('\n').Length);

        // Every event read again from the start, and half of them again: neither a document nor the checkpoint moves.
        var events = await TaggedEventsAsync();
        var checkpoint = await model.CheckpointAsync(CancellationToken.None);
        Assert.Equal(checkpoint, await model.ApplyAsync([.. events], CancellationToken.None));
        Assert.Equal(checkpoint, await model.ApplyAsync([.. events.Take(events.Count / 2)], CancellationToken.None));
        Assert.Equal(tagged + 1, checkpoint.Events);
        Assert.Equal(before, await SnapshotAsync());

        // The list: newest first (Bob's erasure is the newest thing), by status, by the start of the id.
        var queries = new ShopperQueries(_store);
        Assert.Equal([Bob.Id, Carol.Id, Ada.Id], await IdsAsync(queries, new ShopperSearch()));
        Assert.Equal([Carol.Id, Ada.Id], await IdsAsync(queries, new ShopperSearch { Status = ShopperStatus.Enrolled }));
        Assert.Equal([Bob.Id], await IdsAsync(queries, new ShopperSearch { Status = ShopperStatus.Erased, IdPrefix = "s-" }));
        Assert.Equal([Carol.Id], await IdsAsync(queries, new ShopperSearch { IdPrefix = "s-c" }));
        Assert.Empty(await IdsAsync(queries, new ShopperSearch { Status = ShopperStatus.Erased, IdPrefix = "s-a" }));
        Assert.Equal([Bob.Id, Carol.Id], await IdsAsync(queries, new ShopperSearch { Limit = 2 }));
        var counts = await queries.CountByStatusAsync(CancellationToken.None);
        Assert.Equal((2, 1), (counts[ShopperStatus.Enrolled], counts[ShopperStatus.Erased]));
    }

    private sealed record Person(string Id, string Name, string Token, string FaceRef);

    private async Task EnrolAsync(Person person, DateTimeOffset consent) =>
        Assert.Null((await _node.EnrolAsync(person.Id, person.Name, person.FaceRef, person.Token, consent)).Refused);

    private static float[] Template() => [.. Enumerable.Range(0, FaceGallery.DefaultDimensions).Select(i => i % 7 == 0 ? 1f : 0f)];

    private static async Task<string[]> IdsAsync(ShopperQueries queries, ShopperSearch search) =>
        [.. (await queries.ListAsync(search, CancellationToken.None)).Select(d => d.Id)];

    /// <summary>How many events the journal holds for the tag now (deleted rows are not read by any query).</summary>
    private async Task<long> TaggedAsync() => (await TaggedEventsAsync()).Count;

    private async Task<IReadOnlyList<EventEnvelope>> TaggedEventsAsync()
    {
        var journal = PersistenceQuery.Get(_node.System).ReadJournalFor<SqlReadJournal>(TagProjection.ReadJournal);
        return await journal.CurrentEventsByTag(Tags.Accounts, Offset.NoOffset()).RunWith(Sink.Seq<EventEnvelope>(), _node.System.Materializer());
    }

    private async Task<string> SnapshotAsync()
    {
        await using var session = _store.QuerySession();
        var documents = await session.Query<ShopperDocument>().OrderBy(d => d.Id).ToListAsync();
        return string.Join("\n", documents.Select(d => d.ToString()));
    }

    private async Task<string> RawReadModelAsync()
    {
        await using var connection = new NpgsqlConnection(_console);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = @schema AND table_type = 'BASE TABLE'", connection))
        {
            list.Parameters.AddWithValue("schema", ReadModelStore.Schema);
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Contains("mt_doc_shopperdocument", tables);
        var rows = new List<string>();
        foreach (var table in tables)
        {
            await using var read = new NpgsqlCommand($"SELECT t::text FROM \"{ReadModelStore.Schema}\".\"{table}\" t", connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        return string.Join("\n", rows);
    }

    private static Task WaitAsync(ReadModelFeed feed, long events) => WaitAsync(feed, c => c.Events >= events, $"{events} account events");

    private static async Task WaitAsync(ReadModelFeed feed, Func<ProjectionCheckpoint, bool> done, string what)
    {
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await feed.WaitUntilAsync(done, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the read model did not reach {what}: it holds {feed.Checkpoint.Events} events to offset {feed.Checkpoint.Offset}");
        }
    }
}
