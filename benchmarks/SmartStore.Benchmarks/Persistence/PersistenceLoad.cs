using System.Diagnostics;
using System.Text.Json.Serialization;
using SmartStore.Actors;
using SmartStore.Persistence;
using SmartStore.Persistence.PostgreSql;
using SmartStore.Persistence.Sqlite;
using SmartStore.Testing;

namespace SmartStore.Benchmarks.Persistence;

public sealed record Picked(string Sku);

public sealed record Tally(int Count);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Picked))]
[JsonSerializable(typeof(Tally))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

public abstract record BenchCommand
{
    public sealed record Pick(ActorRef<long> ReplyTo) : BenchCommand;
}

/// <summary>The smallest real event-sourced actor: one event per command, reply after persist.</summary>
public sealed class BenchCart(string id, EventSourcing persistence) : EventSourcedActor<BenchCommand, object, Tally>(persistence)
{
    protected override string PersistenceId => id;

    protected override Tally InitialState => new(0);

    protected override Tally Apply(Tally state, object @event) => new(state.Count + 1);

    protected override async ValueTask HandleAsync(BenchCommand command)
    {
        var pick = (BenchCommand.Pick)command;
        await PersistAsync(new Picked("sku-1"));
        pick.ReplyTo.Tell(Version);
    }
}

/// <summary>
/// The persistence load run (issue 3): events per second through the event-sourced actor path with and
/// without group commit, on both stores, and recovery speed with and without a snapshot. PostgreSQL runs with
/// fsync on, SQLite with synchronous=FULL: every acknowledged event is durable.
/// </summary>
internal static class PersistenceLoad
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    private static EventTypeRegistry Types() => new EventTypeRegistry()
        .Register("picked", 1, BenchJsonContext.Default.Picked)
        .Register("tally", 1, BenchJsonContext.Default.Tally);

    public static async Task RunAsync()
    {
        await using var postgres = await PostgresServer.StartAsync(durable: true);
        Console.WriteLine("| store | streams | group commit (events/s) | one transaction per append (events/s) | ratio |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var kind in new[] { "sqlite", "postgresql" })
        {
            foreach (var streams in new[] { 1, 16, 256 })
            {
                var batched = await ThroughputAsync(kind, postgres, streams, new GroupCommitOptions { Writers = kind == "sqlite" ? 1 : 2 });
                var unbatched = await ThroughputAsync(kind, postgres, streams, GroupCommitOptions.Unbatched);
                Console.WriteLine($"| {kind} | {streams} | {batched:N0} | {unbatched:N0} | {batched / unbatched:0.0}× |");
            }
        }

        var relaxed = await ThroughputAsync("sqlite-normal", postgres, 256, new GroupCommitOptions { Writers = 1 });
        Console.WriteLine($"| sqlite, synchronous=NORMAL (crash-safe, not power-loss-safe) | 256 | {relaxed:N0} | | |");

        Console.WriteLine();
        Console.WriteLine("| store | recovery of one actor | time (median of 5) | events replayed/s | state of 10,000 events recovered/s |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: |");
        foreach (var kind in new[] { "sqlite", "postgresql" })
        {
            foreach (var snapshot in new[] { false, true })
            {
                var (median, replayed) = await RecoveryAsync(kind, postgres, snapshot);
                var label = snapshot ? "snapshot at 9,900 + 100 events" : "10,000 events, no snapshot";
                Console.WriteLine($"| {kind} | {label} | {median.TotalMilliseconds:N1} ms | {replayed / median.TotalSeconds:N0} | {10_000 / median.TotalSeconds:N0} |");
            }
        }
    }

    private static async Task<IEventStore> OpenAsync(string kind, PostgresServer postgres, GroupCommitOptions groupCommit)
    {
        if (kind.StartsWith("sqlite", StringComparison.Ordinal))
        {
            var path = Path.Combine(Directory.CreateTempSubdirectory("bench-sqlite-").FullName, "journal.db");
            return await SqliteEventStore.OpenAsync(new SqliteStoreOptions(path) { GroupCommit = groupCommit, DurableCommits = kind == "sqlite" });
        }

        return await PostgresEventStore.OpenAsync(new PostgresStoreOptions(await postgres.CreateDatabaseAsync("bench")) { GroupCommit = groupCommit });
    }

    private static async Task<double> ThroughputAsync(string kind, PostgresServer postgres, int streams, GroupCommitOptions groupCommit)
    {
        await using var store = await OpenAsync(kind, postgres, groupCommit);
        var persistence = new EventSourcing(store, store, Types()) { SnapshotEvery = 0 };
        await using var system = ActorSystem.Create("bench");
        var carts = Enumerable.Range(0, streams)
            .Select(i => system.Spawn(Props.Create<BenchCommand>(() => new BenchCart($"cart-{i}", persistence)), $"cart-{i}"))
            .ToArray();

        // Warm-up: one event per stream (creates the streams, opens connections).
        await Task.WhenAll(carts.Select(c => c.AskAsync<BenchCommand, long>(r => new BenchCommand.Pick(r), TimeSpan.FromSeconds(60))));
        long events = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(carts.Select(cart => Task.Run(async () =>
        {
            while (clock.Elapsed < Window)
            {
                await cart.AskAsync<BenchCommand, long>(r => new BenchCommand.Pick(r), TimeSpan.FromSeconds(60));
                Interlocked.Increment(ref events);
            }
        })));
        return events / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(TimeSpan Median, int Replayed)> RecoveryAsync(string kind, PostgresServer postgres, bool withSnapshot)
    {
        await using var store = await OpenAsync(kind, postgres, new GroupCommitOptions());
        var types = Types();
        var picked = types.Serialize(new Picked("sku-1"));
        for (var i = 0; i < 100; i++)
        {
            await store.AppendAsync("cart-big", i * 100, Enumerable.Repeat(picked, 100).ToArray());
        }

        if (withSnapshot)
        {
            var tally = types.Serialize(new Tally(9_900));
            await store.SaveSnapshotAsync(new SnapshotData("cart-big", 9_900, tally.TypeName, tally.TypeVersion, tally.Payload, DateTimeOffset.UtcNow));
        }

        var persistence = new EventSourcing(store, store, types) { SnapshotEvery = 0 };
        var times = new List<TimeSpan>();
        for (var run = 0; run < 5; run++)
        {
            await using var system = ActorSystem.Create("recovery");
            var clock = Stopwatch.StartNew();
            var cart = system.Spawn(Props.Create<BenchCommand>(() => new BenchCart("cart-big", persistence)), "cart");
            var version = await cart.AskAsync<BenchCommand, long>(r => new BenchCommand.Pick(r), TimeSpan.FromSeconds(60));
            times.Add(clock.Elapsed);
            if (version != 10_001 + run)
            {
                throw new InvalidOperationException($"Recovered to {version - 1}, expected {10_000 + run}.");
            }
        }

        times.Sort();
        return (times[2], withSnapshot ? 100 : 10_000);
    }
}
