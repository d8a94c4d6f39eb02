using SmartStore.Testing;
using System.Text;
using Xunit;

namespace SmartStore.Persistence.Tests;

/// <summary>
/// The journal contract, run against every store (the persistence TCK of this project). A subclass only says
/// how to get a fresh store; every assertion lives here once.
/// </summary>
public abstract class JournalConformance : StoreTestBase
{
    protected EventTypeRegistry Types { get; } = TestTypes.Registry();

    private static async Task<List<PersistedEvent>> ReadStream(IEventJournal journal, string stream, long from = 1)
    {
        var list = new List<PersistedEvent>();
        await foreach (var e in journal.ReadStreamAsync(stream, from))
        {
            list.Add(e);
        }

        return list;
    }

    private static async Task<List<PersistedEvent>> ReadEverything(IEventJournal journal)
    {
        var all = new List<PersistedEvent>();
        var after = 0L;
        while (true)
        {
            var page = await journal.ReadAllAsync(after, 7);
            Assert.Null(page.MissingPosition);
            all.AddRange(page.Events);
            if (page.LastPosition == after)
            {
                return all;
            }

            after = page.LastPosition;
        }
    }

    [Fact]
    public async Task Appended_events_read_back_in_order_with_their_sequence_numbers_and_tags()
    {
        var result = await Store.AppendAsync("cart-1", ExpectedVersion.NoStream, [TestTypes.Added("a", 1, "shopper:7"), TestTypes.Added("b", 2)]);
        await Store.AppendAsync("cart-1", 2, [Types.Serialize(new ItemRemoved("a"))]);

        var events = await ReadStream(Store, "cart-1");
        Assert.Equal((1L, 2L), (result.FirstSequence, result.LastSequence));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal(new ItemAdded("b", 2), Types.Deserialize(events[1]));
        Assert.Equal(new ItemRemoved("a"), Types.Deserialize(events[2]));
        Assert.Equal(["shopper:7"], events[0].Tags);
        Assert.Equal("cart", events[0].Category);
        Assert.Equal(3, await Store.ReadHighestSequenceAsync("cart-1"));
        Assert.Equal(0, await Store.ReadHighestSequenceAsync("cart-404"));
        Assert.Equal([2L, 3L], (await ReadStream(Store, "cart-1", 2)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_conflicting_append_fails_with_a_concurrency_exception_and_stores_nothing()
    {
        await Store.AppendAsync("cart-1", 0, [TestTypes.Added("a")]);

        var conflict = await Assert.ThrowsAsync<ConcurrencyException>(() => Store.AppendAsync("cart-1", 0, [TestTypes.Added("x"), TestTypes.Added("y")]));

        Assert.Equal((0L, 1L), (conflict.Expected, conflict.Actual));
        Assert.Single(await ReadStream(Store, "cart-1"));
        Assert.Single(await ReadEverything(Store));
        var next = await Store.AppendAsync("cart-1", 1, [TestTypes.Added("b")]);
        Assert.Equal(2, next.LastSequence);
    }

    [Fact]
    public async Task Expected_version_any_appends_whatever_the_version()
    {
        await Store.AppendAsync("log-1", ExpectedVersion.Any, [TestTypes.Added("a")]);
        var second = await Store.AppendAsync("log-1", ExpectedVersion.Any, [TestTypes.Added("b")]);
        Assert.Equal(2, second.LastSequence);
    }

    [Fact]
    public async Task The_global_order_holds_every_event_once_in_position_order_and_pages_without_gaps()
    {
        for (var i = 0; i < 10; i++)
        {
            await Store.AppendAsync($"cart-{i % 3}", ExpectedVersion.Any, [TestTypes.Added($"s{i}"), TestTypes.Added($"t{i}")]);
        }

        var all = await ReadEverything(Store);
        Assert.Equal(20, all.Count);
        Assert.Equal(all.Select(e => e.Position).Order(), all.Select(e => e.Position));
        Assert.Equal(all.Count, all.Select(e => e.Position).Distinct().Count());
        Assert.Equal(all[^1].Position - all[0].Position + 1, all.Count);
    }

    [Fact]
    public async Task Reads_by_category_and_by_tag_return_only_matching_events_in_global_order()
    {
        await Store.AppendAsync("cart-1", 0, [TestTypes.Added("a", 1, "aisle:3"), TestTypes.Added("b")]);
        await Store.AppendAsync("visit-1", 0, [TestTypes.Added("c", 1, "aisle:3")]);
        await Store.AppendAsync("cart-2", 0, [TestTypes.Added("d")]);

        var carts = await Store.ReadCategoryAsync("cart", 0, 100);
        var aisle = await Store.ReadTagAsync("aisle:3", 0, 100);

        Assert.Equal(["cart-1", "cart-1", "cart-2"], carts.Select(e => e.StreamId));
        Assert.Equal(["cart-1", "visit-1"], aisle.Select(e => e.StreamId));
        Assert.Equal(["visit-1"], (await Store.ReadTagAsync("aisle:3", aisle[0].Position, 100)).Select(e => e.StreamId));
    }

    [Fact]
    public async Task The_latest_snapshot_is_the_one_loaded()
    {
        Assert.Null(await Store.LoadSnapshotAsync("cart-1"));
        foreach (var (seq, items) in new[] { (10L, 3), (20L, 5) })
        {
            var data = Types.Serialize(new CartState(items, (int)seq));
            await Store.SaveSnapshotAsync(new SnapshotData("cart-1", seq, data.TypeName, data.TypeVersion, data.Payload, DateTimeOffset.UtcNow));
        }

        var latest = await Store.LoadSnapshotAsync("cart-1");
        Assert.Equal(20, latest!.Sequence);
        Assert.Equal(new CartState(5, 20), Types.Deserialize(latest));
    }

    [Fact]
    public async Task Erasure_removes_events_tags_and_snapshots_up_to_a_sequence_and_keeps_the_order_intact()
    {
        var secret = Types.Serialize(new NoteWritten("card ending 4242", "Ada Lovelace"), ["shopper:ada"]);
        await Store.AppendAsync("shopper-ada", 0, [secret, TestTypes.Added("a"), TestTypes.Added("b")]);
        await Store.AppendAsync("cart-9", 0, [TestTypes.Added("z")]);
        var snap = Types.Serialize(new CartState(2, 2));
        await Store.SaveSnapshotAsync(new SnapshotData("shopper-ada", 2, snap.TypeName, snap.TypeVersion, snap.Payload, DateTimeOffset.UtcNow));

        await Store.DeleteStreamAsync("shopper-ada", 2);

        Assert.Equal([3L], (await ReadStream(Store, "shopper-ada")).Select(e => e.Sequence));
        Assert.Null(await Store.LoadSnapshotAsync("shopper-ada"));
        Assert.Empty(await Store.ReadTagAsync("shopper:ada", 0, 10));
        Assert.Equal(3, await Store.ReadHighestSequenceAsync("shopper-ada"));
        var all = await ReadEverything(Store);
        Assert.Equal([("shopper-ada", 3L), ("cart-9", 1L)], all.Select(e => (e.StreamId, e.Sequence)));
        Assert.DoesNotContain(all, e => Encoding.UTF8.GetString(e.Payload.Span).Contains("Ada", StringComparison.Ordinal));

        // The stream goes on after erasure, from its kept version.
        Assert.Equal(4, (await Store.AppendAsync("shopper-ada", 3, [TestTypes.Added("c")])).LastSequence);
    }

    [Fact]
    public async Task Parallel_appenders_to_one_stream_serialise_through_optimistic_retries_without_losing_or_doubling_events()
    {
        const int writers = 8;
        const int perWriter = 25;
        var conflicts = 0;
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                while (true)
                {
                    var version = await Store.ReadHighestSequenceAsync("hot-1");
                    try
                    {
                        await Store.AppendAsync("hot-1", version, [TestTypes.Added($"w{w}-{i}")]);
                        break;
                    }
                    catch (ConcurrencyException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        })));

        var events = await ReadStream(Store, "hot-1");
        Assert.Equal(writers * perWriter, events.Count);
        Assert.Equal(Enumerable.Range(1, writers * perWriter).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.Equal(writers * perWriter, events.Select(e => ((ItemAdded)Types.Deserialize(e)).Sku).Distinct().Count());
    }

    [Fact]
    public async Task Parallel_appenders_to_different_streams_all_land_with_unique_contiguous_positions()
    {
        const int streams = 64;
        const int perStream = 20;
        await Task.WhenAll(Enumerable.Range(0, streams).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < perStream; i++)
            {
                await Store.AppendAsync($"shelf-{s}", i, [TestTypes.Added($"{s}:{i}")]);
            }
        })));

        var all = await ReadEverything(Store);
        Assert.Equal(streams * perStream, all.Count);
        Assert.Equal(all.Count, all.Select(e => e.Position).Distinct().Count());
        foreach (var group in all.GroupBy(e => e.StreamId))
        {
            Assert.Equal(Enumerable.Range(1, perStream).Select(i => (long)i), group.Select(e => e.Sequence));
        }
    }

    [Fact]
    public async Task Without_batching_the_contract_is_the_same()
    {
        var store = await ReopenAsync(GroupCommitOptions.Unbatched);
        await Task.WhenAll(Enumerable.Range(0, 10).Select(s => store.AppendAsync($"s-{s}", 0, [TestTypes.Added("a"), TestTypes.Added("b")])));
        await Assert.ThrowsAsync<ConcurrencyException>(() => store.AppendAsync("s-1", 0, [TestTypes.Added("c")]));
        Assert.Equal(20, (await ReadEverything(store)).Count);
    }

    [Fact]
    public async Task Data_survives_reopening_the_store()
    {
        await Store.AppendAsync("cart-1", 0, [TestTypes.Added("a"), TestTypes.Added("b")]);
        var store = await ReopenAsync();
        Assert.Equal(2, (await ReadStream(store, "cart-1")).Count);
        Assert.Equal(3, (await store.AppendAsync("cart-1", 2, [TestTypes.Added("c")])).LastSequence);
    }

    [Fact]
    public async Task An_unknown_type_or_a_corrupted_payload_fails_naming_the_stream_and_sequence()
    {
        await Store.AppendAsync("cart-7", 0, [TestTypes.Raw("item-added", 1, "{\"sku\":\"a\",\"quantity\":1}"), TestTypes.Raw("mystery", 1, "{}"), TestTypes.Raw("item-added", 1, "{not json")]);
        var events = await ReadStream(Store, "cart-7");

        Assert.Equal(new ItemAdded("a", 1), Types.Deserialize(events[0]));
        var unknown = Assert.Throws<EventDeserializationException>(() => Types.Deserialize(events[1]));
        var corrupt = Assert.Throws<EventDeserializationException>(() => Types.Deserialize(events[2]));
        Assert.Equal(("cart-7", 2L), (unknown.StreamId, unknown.Sequence));
        Assert.Equal(("cart-7", 3L), (corrupt.StreamId, corrupt.Sequence));
        Assert.Contains("mystery", unknown.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_old_event_version_is_upcast_on_read()
    {
        await Store.AppendAsync("note-1", 0, [TestTypes.Raw("note-written", 1, "{\"text\":\"hello\"}")]);
        var stored = Assert.Single(await ReadStream(Store, "note-1"));
        Assert.Equal(new NoteWritten("hello", "unknown"), Types.Deserialize(stored));
    }

    [Fact]
    public async Task A_rejected_event_stores_nothing_and_the_journal_carries_on()
    {
        var cyclic = new Unserialisable();
        cyclic.Self = cyclic;

        Assert.Throws<EventRejectedException>(() => Types.Serialize(cyclic));
        Assert.Throws<EventRejectedException>(() => Types.Serialize(new Uri("http://not-registered")));
        await Store.AppendAsync("cart-1", 0, [TestTypes.Added("a")]);
        Assert.Single(await ReadEverything(Store));
    }

    [Fact]
    public async Task A_projection_checkpoint_commits_together_with_the_read_model()
    {
        await Store.CommitAsync("p1", 5, (_, _) => Task.CompletedTask);
        Assert.Equal(5, await Store.LoadCheckpointAsync("p1"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.CommitAsync("p1", 9, (_, _) => throw new InvalidOperationException("read model write failed")));

        Assert.Equal(5, await Store.LoadCheckpointAsync("p1"));
        Assert.Equal(0, await Store.LoadCheckpointAsync("p-unknown"));
    }
}

public sealed class SqliteJournalConformance : JournalConformance
{
    protected override IStoreFactory CreateFactory() => new SqliteStoreFactory();
}

[Collection("postgres")]
public sealed class PostgresJournalConformance(SmartStore.Testing.PostgresFixture postgres) : JournalConformance
{
    protected override IStoreFactory CreateFactory() => new PostgresStoreFactory(postgres.Server);
}
