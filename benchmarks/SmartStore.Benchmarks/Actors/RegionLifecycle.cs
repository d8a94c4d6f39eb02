using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using SmartStore.Actors;

namespace SmartStore.Benchmarks.Actors;

/// <summary>
/// Spawn-and-stop of <see cref="Entities"/> entities in a region: one message starts each entity, a
/// passivation stops it. Time and allocation are per entity lifecycle. The baseline is the same life for
/// a bare Channel&lt;T&gt; with a reader task: create, one message, complete, task ends.
/// </summary>
[Config(typeof(BenchConfig))]
public class RegionLifecycle
{
    public const int Entities = 100_000;
    private static readonly string[] Ids = Enumerable.Range(0, Entities).Select(i => $"entity-{i}").ToArray();
    private static readonly Tick Message = new();
    private ActorSystem _system = null!;
    private EntityRegion<Tick> _region = null!;
    private LifeCounter _counter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _counter = new LifeCounter();
        _region = _system.SpawnRegion<Tick>("region", _ => new CountedEntity(_counter), new RegionOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _system.ShutdownAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Entities, Description = "Channel<T> + task lifecycle")]
    public Task ChannelBaseline()
    {
        var tasks = new Task[Entities];
        for (var i = 0; i < Entities; i++)
        {
            var channel = Channel.CreateUnbounded<Tick>(new UnboundedChannelOptions { SingleReader = true });
            tasks[i] = Task.Run(async () =>
            {
                await foreach (var _ in channel.Reader.ReadAllAsync())
                {
                }
            });
            channel.Writer.TryWrite(Message);
            channel.Writer.TryComplete();
        }

        return Task.WhenAll(tasks);
    }

    [Benchmark(OperationsPerInvoke = Entities, Description = "region spawn + passivate")]
    public async Task Region()
    {
        var (started, stopped) = _counter.Arm(Entities);
        foreach (var id in Ids)
        {
            _region.Tell(id, Message);
        }

        await started;
        foreach (var id in Ids)
        {
            _region.Passivate(id);
        }

        await stopped;
    }

    internal sealed class LifeCounter
    {
        private int _toStart;
        private int _toStop;
        private TaskCompletionSource _started = new();
        private TaskCompletionSource _stopped = new();

        public (Task Started, Task Stopped) Arm(int entities)
        {
            _started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _toStart, entities);
            Volatile.Write(ref _toStop, entities);
            return (_started.Task, _stopped.Task);
        }

        public void Started()
        {
            if (Interlocked.Decrement(ref _toStart) == 0)
            {
                _started.TrySetResult();
            }
        }

        public void Stopped()
        {
            if (Interlocked.Decrement(ref _toStop) == 0)
            {
                _stopped.TrySetResult();
            }
        }
    }

    private sealed class CountedEntity(LifeCounter counter) : Actor<Tick>
    {
        protected override ValueTask ReceiveAsync(Tick message)
        {
            counter.Started();
            return default;
        }

        protected override ValueTask PostStopAsync()
        {
            counter.Stopped();
            return default;
        }
    }
}
