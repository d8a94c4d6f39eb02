using System.Diagnostics;
using Akka.Actor;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;

namespace SmartStore.Benchmarks.Node;

/// <summary>
/// The node's fixed costs: how long a node takes to start (host, actor system, cluster of one, journal and
/// regions ready), and the memory one idle sharded entity holds (a shopper account: a persistent actor that
/// recovered an empty stream), beside a plain idle actor measured in the same run.
/// </summary>
internal static class NodeFootprint
{
    private const int Entities = 20_000;

    public static async Task RunAsync()
    {
        var layout = LayoutReader.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
        var starts = new List<TimeSpan>();
        for (var run = 0; run < 6; run++)
        {
            var directory = Directory.CreateTempSubdirectory("bench-start-");
            var clock = Stopwatch.StartNew();
            await using (var node = await StartAsync(layout, directory))
            {
                starts.Add(clock.Elapsed);
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }

        // The first start also loads and compiles the libraries; the median of the rest is the node's own cost.
        var warm = starts.Skip(1).Order().ToList();
        Console.WriteLine($"| node start-up (SQLite, cluster of one, Up with its regions) | first {starts[0].TotalMilliseconds:N0} ms | median of next 5 {warm[2].TotalMilliseconds:N0} ms |");

        var dir = Directory.CreateTempSubdirectory("bench-memory-");
        try
        {
            await using var node = await StartAsync(layout, dir);
            var plain = Measure(() =>
            {
                var actors = new IActorRef[Entities];
                for (var i = 0; i < Entities; i++)
                {
                    actors[i] = node.System.ActorOf(Props.Create(() => new Idle()));
                }

                return Task.FromResult<object>(actors);
            });
            var entities = Measure(async () =>
            {
                var window = new Queue<Task>();
                for (var i = 0; i < Entities; i++)
                {
                    if (window.Count >= 512)
                    {
                        await window.Dequeue();
                    }

                    window.Enqueue(node.GetAccountAsync($"idle-{i}"));
                }

                await Task.WhenAll(window);
                return new object();
            });
            var (plainBytes, entityBytes) = (await plain, await entities);
            Console.WriteLine();
            Console.WriteLine($"| receiver ({Entities:N0} idle) | bytes each | ratio to a plain actor |");
            Console.WriteLine("| --- | ---: | ---: |");
            Console.WriteLine($"| plain Akka.NET actor (baseline) | {plainBytes:N0} | 1.00 |");
            Console.WriteLine($"| sharded persistent entity (shopper account, recovered) | {entityBytes:N0} | {entityBytes / plainBytes:0.00} |");
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            dir.Delete(recursive: true);
        }
    }

    private static Task<StoreNode> StartAsync(StoreLayout layout, DirectoryInfo directory) =>
        StoreNode.StartAsync(
            new StoreNodeOptions(layout) { Journal = JournalSettings.SqliteFile(Path.Combine(directory.FullName, "journal.db")) },
            new SimulatedPsp(new PspSimulation()),
            new InProcessTransport());

    /// <summary>Managed heap growth per receiver while <paramref name="create"/>'s receivers are alive and idle.</summary>
    private static async Task<double> Measure(Func<Task<object>> create)
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var alive = await create();
        await Task.Delay(TimeSpan.FromSeconds(2));
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(alive);
        return (after - before) / (double)Entities;
    }

    private sealed class Idle : ReceiveActor
    {
    }
}
