using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using SmartStore.Actors;

namespace SmartStore.Benchmarks.Actors;

/// <summary>
/// Tell throughput: <see cref="Senders"/> threads send <see cref="Messages"/> messages (the same instance,
/// so any allocation shown is the transport's own) to one receiver. Time and allocation are per message.
/// </summary>
[Config(typeof(BenchConfig))]
public class TellThroughput
{
    public const int Messages = 1_000_000;
    private static readonly Tick Message = new();
    private ActorSystem _system = null!;
    private ActorRef<Tick> _counter = null!;
    private CountingActor.Target _target = null!;
    private Channel<Tick> _channel = null!;

    [Params(1, 8)]
    public int Senders { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _target = new CountingActor.Target();
        _counter = _system.Spawn(Props.Create(() => new CountingActor(_target)), "counter");
        _channel = Channel.CreateUnbounded<Tick>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = Senders == 1 });
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _system.ShutdownAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = Messages, Description = "Channel<T> + task")]
    public async Task ChannelBaseline()
    {
        var reader = _channel.Reader;
        var consumer = Task.Run(async () =>
        {
            var received = 0;
            while (received < Messages && await reader.WaitToReadAsync())
            {
                while (reader.TryRead(out _))
                {
                    received++;
                }
            }
        });
        await Send(m => _channel.Writer.TryWrite(m));
        await consumer;
    }

    [Benchmark(OperationsPerInvoke = Messages, Description = "kernel actor")]
    public async Task Kernel()
    {
        var done = _target.Arm(Messages);
        await Send(m => _counter.Tell(m));
        await done;
    }

    /// <summary>
    /// The senders, shared by both cases. They yield to the pool every 256 messages, as devices and actors
    /// do: eight spinning loops on two cores would otherwise starve whichever receiver gives its thread back.
    /// </summary>
    private Task Send(Action<Tick> send)
    {
        var perSender = Messages / Senders;
        return Task.WhenAll(Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perSender; i++)
            {
                send(Message);
                if ((i & 255) == 255)
                {
                    await Task.Yield();
                }
            }
        })));
    }
}

public sealed class Tick;

/// <summary>Counts messages and completes the armed target when the expected number arrived.</summary>
internal sealed class CountingActor(CountingActor.Target target) : Actor<Tick>
{
    protected override ValueTask ReceiveAsync(Tick message)
    {
        target.Count();
        return default;
    }

    internal sealed class Target
    {
        private int _remaining;
        private TaskCompletionSource _done = new();

        public Task Arm(int expected)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _remaining, expected);
            return _done.Task;
        }

        // Only the actor calls this, one message at a time: no interlocked needed.
        public void Count()
        {
            if (--_remaining == 0)
            {
                _done.TrySetResult();
            }
        }
    }
}
