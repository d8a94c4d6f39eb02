using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using SmartStore.Actors;

namespace SmartStore.Benchmarks.Actors;

/// <summary>
/// Ping-pong between <see cref="Pairs"/> pairs; every pair bounces one ball. Time and allocation are per
/// round trip (two messages), across all pairs together.
/// </summary>
[Config(typeof(BenchConfig))]
public class PingPong
{
    public const int RoundTrips = 200_000;
    private ActorSystem _system = null!;
    private Pinger[] _pingers = null!;
    private ActorRef<Ball>[] _pingerRefs = null!;
    private Ball[] _balls = null!;
    private Finish _finish = null!;

    [Params(1, 8, 1000)]
    public int Pairs { get; set; }

    private int PerPair => RoundTrips / Pairs;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench");
        _finish = new Finish();
        _pingers = new Pinger[Pairs];
        _pingerRefs = new ActorRef<Ball>[Pairs];
        _balls = new Ball[Pairs];

        // Armed before the first set-up ball is told: a fast pinger must not report into an unarmed counter.
        var ready = _finish.Arm(Pairs);
        for (var p = 0; p < Pairs; p++)
        {
            var index = p;
            _balls[p] = new Ball();
            _pingerRefs[p] = _system.Spawn(Props.Create(() => _pingers[index] = new Pinger(_finish)), $"ping-{p}");
            var ponger = _system.Spawn(Props.Create(() => new Ponger(_pingerRefs[index])), $"pong-{p}");
            _pingerRefs[p].Tell(new Ball { Partner = ponger });
        }

        ready.Wait();
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _system.ShutdownAsync();

    [Benchmark(Baseline = true, OperationsPerInvoke = RoundTrips, Description = "Channel<T> + tasks")]
    public Task ChannelBaseline()
    {
        var rounds = PerPair;
        return Task.WhenAll(Enumerable.Range(0, Pairs).Select(_ =>
        {
            var toPong = Channel.CreateUnbounded<Ball>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var toPing = Channel.CreateUnbounded<Ball>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var ball = new Ball();
            var ping = Task.Run(async () =>
            {
                for (var i = 0; i < rounds; i++)
                {
                    toPong.Writer.TryWrite(ball);
                    await toPing.Reader.ReadAsync();
                }

                toPong.Writer.TryComplete();
            });
            var pong = Task.Run(async () =>
            {
                await foreach (var b in toPong.Reader.ReadAllAsync())
                {
                    toPing.Writer.TryWrite(b);
                }
            });
            return Task.WhenAll(ping, pong);
        }));
    }

    [Benchmark(OperationsPerInvoke = RoundTrips, Description = "kernel actors")]
    public Task Kernel()
    {
        var done = _finish.Arm(Pairs);
        for (var p = 0; p < Pairs; p++)
        {
            _pingers[p].Remaining = PerPair;
            _pingerRefs[p].Tell(_balls[p]);
        }

        return done;
    }

    public sealed class Ball
    {
        public ActorRef<Ball>? Partner { get; init; }
    }

    internal sealed class Finish
    {
        private int _pending;
        private TaskCompletionSource _done = new();

        public Task Arm(int pairs)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _pending, pairs);
            return _done.Task;
        }

        public void PairDone()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                _done.TrySetResult();
            }
        }
    }

    /// <summary>Serves the ball <see cref="Remaining"/> times, then reports its pair done.</summary>
    internal sealed class Pinger(Finish finish) : Actor<Ball>
    {
        private ActorRef<Ball>? _partner;

        public int Remaining { get; set; }

        protected override ValueTask ReceiveAsync(Ball message)
        {
            if (message.Partner is not null)
            {
                // Set-up: learn the partner, report ready.
                _partner = message.Partner;
                finish.PairDone();
            }
            else if (Remaining-- > 0)
            {
                _partner!.Tell(message);
            }
            else
            {
                finish.PairDone();
            }

            return default;
        }
    }

    internal sealed class Ponger(ActorRef<Ball> pinger) : Actor<Ball>
    {
        protected override ValueTask ReceiveAsync(Ball message)
        {
            pinger.Tell(message);
            return default;
        }
    }
}
