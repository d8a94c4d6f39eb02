using System.Threading.Channels;
using SmartStore.Actors;

namespace SmartStore.Benchmarks.Actors;

/// <summary>
/// Memory per idle actor: a GC census before and after starting 100,000 actors that have each handled one
/// message and now wait for more. Measured three ways in one run: plain top-level actors, region entities
/// (with the region's bookkeeping), and the baseline of a Channel&lt;T&gt; with a reader task awaiting it.
/// </summary>
internal static class IdleFootprint
{
    private const int Count = 100_000;

    public static async Task RunAsync()
    {
        Console.WriteLine($"Idle footprint of {Count:N0} waiting receivers (bytes each, GC census):");
        var plain = await MeasureAsync(SpawnPlainActorsAsync);
        var region = await MeasureAsync(SpawnRegionEntitiesAsync);
        var channels = await MeasureAsync(StartChannelReadersAsync);
        Console.WriteLine($"| receiver | bytes per idle receiver | ratio to Channel<T> + task |");
        Console.WriteLine($"| --- | ---: | ---: |");
        Console.WriteLine($"| Channel<T> + awaiting task (baseline) | {channels:N0} | 1.00 |");
        Console.WriteLine($"| kernel actor (top-level) | {plain:N0} | {plain / channels:0.00} |");
        Console.WriteLine($"| kernel region entity | {region:N0} | {region / channels:0.00} |");
    }

    private static async Task<double> MeasureAsync(Func<Task<Func<Task>>> start)
    {
        var before = Census();
        var release = await start();
        var after = Census();
        await release();
        return (after - before) / (double)Count;
    }

    private static long Census()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private static async Task<Func<Task>> SpawnPlainActorsAsync()
    {
        var system = ActorSystem.Create("footprint");
        var counter = new RegionLifecycle.LifeCounter();
        var (started, _) = counter.Arm(Count);
        for (var i = 0; i < Count; i++)
        {
            system.Spawn(Props.Create(() => new IdleActor(counter)), $"a{i}").Tell(new Tick());
        }

        await started;
        return async () => await system.ShutdownAsync();
    }

    private static async Task<Func<Task>> SpawnRegionEntitiesAsync()
    {
        var system = ActorSystem.Create("footprint");
        var counter = new RegionLifecycle.LifeCounter();
        var (started, _) = counter.Arm(Count);
        var region = system.SpawnRegion<Tick>("region", _ => new IdleActor(counter), new RegionOptions { IdleTimeout = TimeSpan.FromHours(1) });
        for (var i = 0; i < Count; i++)
        {
            region.Tell($"entity-{i}", new Tick());
        }

        await started;
        return async () => await system.ShutdownAsync();
    }

    private static async Task<Func<Task>> StartChannelReadersAsync()
    {
        var channels = new Channel<Tick>[Count];
        var tasks = new Task[Count];
        var counter = new RegionLifecycle.LifeCounter();
        var (started, _) = counter.Arm(Count);
        for (var i = 0; i < Count; i++)
        {
            var channel = channels[i] = Channel.CreateUnbounded<Tick>(new UnboundedChannelOptions { SingleReader = true });
            tasks[i] = Task.Run(async () =>
            {
                await foreach (var _ in channel.Reader.ReadAllAsync())
                {
                    counter.Started();
                }
            });
            channel.Writer.TryWrite(new Tick());
        }

        await started;
        return async () =>
        {
            foreach (var channel in channels)
            {
                channel.Writer.TryComplete();
            }

            await Task.WhenAll(tasks);
        };
    }

    private sealed class IdleActor(RegionLifecycle.LifeCounter counter) : Actor<Tick>
    {
        protected override ValueTask ReceiveAsync(Tick message)
        {
            counter.Started();
            return default;
        }
    }
}
