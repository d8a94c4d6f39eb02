using System.Diagnostics;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SmartStore.Node.Persistence;
using SmartStore.Testing;

namespace SmartStore.Benchmarks.Persistence;

public sealed record Picked(string Sku);

public sealed record Tally(int Count);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(Picked))]
[JsonSerializable(typeof(Tally))]
internal sealed partial class BenchJsonContext : JsonSerializerContext;

/// <summary>How a bench cart stores each command's event.</summary>
public enum PersistMode
{
    /// <summary>Persist: the actor takes no command until the event is stored.</summary>
    OneAtATime,

    /// <summary>PersistAsync: commands go on while events are stored.</summary>
    Async,

    /// <summary>PersistAll of 20 events per command.</summary>
    AllOfTwenty,
}

/// <summary>The smallest real persistent actor: events per command as its mode says, the reply once stored.</summary>
public sealed class BenchCart : ReceivePersistentActor
{
    private int _count;

    public BenchCart(string id, PersistMode mode)
    {
        PersistenceId = id;
        Recover<Picked>(_ => _count++);
        Recover<SnapshotOffer>(offer => _count = ((Tally)offer.Snapshot).Count);
        Command<string>(_ =>
        {
            var replyTo = Sender;
            switch (mode)
            {
                case PersistMode.OneAtATime:
                    Persist(new Picked("sku-1"), _ => replyTo.Tell(++_count));
                    break;
                case PersistMode.Async:
                    PersistAsync(new Picked("sku-1"), _ => replyTo.Tell(++_count));
                    break;
                default:
                    var left = 20;
                    PersistAll(Enumerable.Repeat(new Picked("sku-1"), 20), _ =>
                    {
                        _count++;
                        if (--left == 0)
                        {
                            replyTo.Tell(_count);
                        }
                    });
                    break;
            }
        });
        IActorRef? snapshotFor = null;
        Command<Tally>(_ =>
        {
            snapshotFor = Sender;
            SaveSnapshot(new Tally(_count));
        });
        Command<SaveSnapshotSuccess>(_ => snapshotFor?.Tell(_count));
    }

    public override string PersistenceId { get; }
}

/// <summary>
/// The journal load run: events per second through Akka.Persistence.Sql as the node configures it (the same
/// <see cref="Journal.WithSmartStoreJournal"/>), with 1, 16 and 256 persistent actors and each way of
/// persisting, and recovery speed with and without a snapshot. PostgreSQL runs with fsync on, SQLite with
/// synchronous=FULL: every acknowledged event is durable.
/// </summary>
internal static class PersistenceLoad
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(4);

    private static EventCatalog Catalog() => NodeCatalog.Create()
        .Register("bench-picked", 1, BenchJsonContext.Default.Picked)
        .Register("bench-tally", 1, BenchJsonContext.Default.Tally);

    public static async Task RunAsync()
    {
        await using var postgres = await PostgresServer.StartAsync(durable: true);
        Console.WriteLine("| journal | actors | Persist (events/s) | PersistAsync (events/s) | PersistAll of 20 (events/s) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
        foreach (var kind in new[] { "sqlite", "postgresql" })
        {
            foreach (var actors in new[] { 1, 16, 256 })
            {
                var rates = new List<double>();
                foreach (var mode in Enum.GetValues<PersistMode>())
                {
                    await using var journal = await JournalHost.StartAsync(kind, postgres, Catalog());
                    rates.Add(await ThroughputAsync(journal.System, actors, mode));
                }

                Console.WriteLine($"| {kind} | {actors} | {rates[0]:N0} | {rates[1]:N0} | {rates[2]:N0} |");
            }
        }

        Console.WriteLine();
        Console.WriteLine("| journal | recovery | time (median of 5) | events replayed/s |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        foreach (var kind in new[] { "sqlite", "postgresql" })
        {
            foreach (var (label, actors, events, snapshot) in new[] { ("one actor, 10,000 events", 1, 10_000, false), ("one actor, snapshot at 9,900 + 100 events", 1, 10_000, true), ("256 actors × 100 events", 256, 100, false) })
            {
                var (median, replayed) = await RecoveryAsync(kind, postgres, actors, events, snapshot);
                Console.WriteLine($"| {kind} | {label} | {median.TotalMilliseconds:N1} ms | {replayed / median.TotalSeconds:N0} |");
            }
        }
    }

    private static async Task<double> ThroughputAsync(ActorSystem system, int actors, PersistMode mode)
    {
        var carts = Enumerable.Range(0, actors).Select(i => system.ActorOf(Props.Create(() => new BenchCart($"cart-{mode}-{i}", mode)))).ToArray();

        // Warm-up: one command per actor (creates the streams, opens connections).
        await Task.WhenAll(carts.Select(c => c.Ask<int>("pick", TimeSpan.FromSeconds(60))));
        long events = 0;
        var perCommand = mode == PersistMode.AllOfTwenty ? 20 : 1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(carts.Select(cart => Task.Run(async () =>
        {
            while (clock.Elapsed < Window)
            {
                await cart.Ask<int>("pick", TimeSpan.FromSeconds(60));
                Interlocked.Add(ref events, perCommand);
            }
        })));
        return events / clock.Elapsed.TotalSeconds;
    }

    private static async Task<(TimeSpan Median, int Replayed)> RecoveryAsync(string kind, PostgresServer postgres, int actors, int events, bool withSnapshot)
    {
        var catalog = Catalog();
        var names = Enumerable.Range(0, actors).Select(i => $"big-{i}").ToArray();
        string? location;
        await using (var writer = await JournalHost.StartAsync(kind, postgres, catalog))
        {
            location = writer.Location;
            await Task.WhenAll(names.Select(async name =>
            {
                var cart = writer.System.ActorOf(Props.Create(() => new BenchCart(name, PersistMode.AllOfTwenty)));
                for (var i = 0; i < events / 20; i++)
                {
                    if (withSnapshot && i == (events - 100) / 20)
                    {
                        // The snapshot holds the first 9,900 events; recovery loads it and replays the last 100.
                        await cart.Ask<int>(new Tally(0), TimeSpan.FromSeconds(60));
                    }

                    await cart.Ask<int>("pick", TimeSpan.FromSeconds(60));
                }
            }));
        }

        var times = new List<TimeSpan>();
        for (var run = 0; run < 5; run++)
        {
            await using var reader = await JournalHost.StartAsync(kind, postgres, catalog, location);
            var clock = Stopwatch.StartNew();
            var counts = await Task.WhenAll(names.Select(name => reader.System.ActorOf(Props.Create(() => new BenchCart(name, PersistMode.Async))).Ask<int>("pick", TimeSpan.FromSeconds(120))));
            times.Add(clock.Elapsed);
            if (counts.Any(c => c != events + run + 1))
            {
                throw new InvalidOperationException($"Recovered to {counts.Min() - 1}, expected {events + run}.");
            }
        }

        times.Sort();
        return (times[2], actors * (withSnapshot ? 100 : events));
    }

    /// <summary>An actor system with the node's journal configuration on a fresh (or the given) database.</summary>
    private sealed class JournalHost(IHost host, string location) : IAsyncDisposable
    {
        public ActorSystem System { get; } = host.Services.GetRequiredService<ActorSystem>();

        /// <summary>The SQLite file or PostgreSQL connection string, to open the same journal again.</summary>
        public string Location { get; } = location;

        public static async Task<JournalHost> StartAsync(string kind, PostgresServer postgres, EventCatalog catalog, string? location = null)
        {
            location ??= kind == "sqlite"
                ? Path.Combine(Directory.CreateTempSubdirectory("bench-journal-").FullName, "journal.db")
                : await postgres.CreateDatabaseAsync("bench");
            var journal = kind == "sqlite" ? JournalSettings.SqliteFile(location) : JournalSettings.Postgres(location);
            await SmartStore.Node.Persistence.Journal.PrepareAsync(journal);
            var host = new HostBuilder()
                .ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Warning))
                .ConfigureServices(s => s.AddAkka("bench", b => b.WithSmartStoreJournal(journal, catalog, TimeSpan.FromSeconds(1))))
                .Build();
            await host.StartAsync();
            return new JournalHost(host, location);
        }

        public async ValueTask DisposeAsync()
        {
            await host.StopAsync();
            host.Dispose();

            // Each run has a database of its own; idle pooled connections to the old ones would use up the server's slots.
            Npgsql.NpgsqlConnection.ClearAllPools();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }
    }
}
