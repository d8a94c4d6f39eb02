using FsCheck;
using FsCheck.Fluent;
using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Actors.Tests;

public sealed class MailboxTests : ActorTestKit
{
    private sealed record Numbered(int Sender, int Sequence);

    /// <summary>Checks per-sender FIFO order and reports the total once everything arrived.</summary>
    private sealed class OrderChecker(int senders, int perSender, ActorRef<string> report) : Actor<Numbered>
    {
        private readonly int[] _next = new int[senders];
        private int _received;

        protected override ValueTask ReceiveAsync(Numbered message)
        {
            if (_next[message.Sender] != message.Sequence)
            {
                report.Tell($"out of order: sender {message.Sender} expected {_next[message.Sender]} got {message.Sequence}");
            }

            _next[message.Sender] = message.Sequence + 1;
            if (++_received == senders * perSender)
            {
                report.Tell("all in order");
            }

            return default;
        }
    }

    [Fact]
    public async Task Messages_from_each_sender_arrive_in_send_order_under_many_concurrent_senders()
    {
        const int senders = 16;
        const int perSender = 5_000;
        var probe = CreateProbe<string>();
        var checker = System.Spawn(Props.Create(() => new OrderChecker(senders, perSender, probe.Ref)), "checker");

        await Task.WhenAll(Enumerable.Range(0, senders).Select(s => Task.Run(() =>
        {
            for (var i = 0; i < perSender; i++)
            {
                checker.Tell(new Numbered(s, i));
            }
        })));

        Assert.Equal("all in order", await probe.ExpectMessageAsync(TimeSpan.FromSeconds(20)));
    }

    private sealed record Work(int Sender, int Sequence, bool Yield);

    /// <summary>Fails loudly if two messages ever overlap, across sync and async handlers.</summary>
    private sealed class ExclusiveActor(int expected, TaskCompletionSource<string> done) : Actor<Work>
    {
        private int _inside;
        private int _handled;

        protected override async ValueTask ReceiveAsync(Work message)
        {
            if (Interlocked.Increment(ref _inside) != 1)
            {
                done.TrySetResult("two messages ran at once");
            }

            if (message.Yield)
            {
                await Task.Yield();
            }

            Interlocked.Decrement(ref _inside);
            if (++_handled == expected)
            {
                done.TrySetResult("exclusive");
            }
        }
    }

    [Fact]
    public void No_two_messages_of_one_actor_ever_run_at_once()
    {
        var property = Prop.ForAll(
            Gen.Choose(1, 8).ToArbitrary(),
            Gen.Choose(1, 300).ToArbitrary(),
            Gen.Choose(1, 4).ToArbitrary(),
            (senders, perSender, throughput) =>
            {
                var done = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                var system = ActorSystem.Create("prop", new ActorSystemOptions { Throughput = throughput });
                try
                {
                    var actor = system.Spawn(Props.Create(() => new ExclusiveActor(senders * perSender, done)), "exclusive");
                    Parallel.For(0, senders, s =>
                    {
                        for (var i = 0; i < perSender; i++)
                        {
                            actor.Tell(new Work(s, i, Yield: (i + s) % 3 == 0));
                        }
                    });
                    return done.Task.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false).GetAwaiter().GetResult() == "exclusive";
                }
                finally
                {
                    system.ShutdownAsync().ConfigureAwait(false).GetAwaiter().GetResult();
                }
            });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(40), property);
    }

    private sealed class SlowAsyncActor(ActorRef<string> report, TaskCompletionSource gate) : Actor<string>
    {
        protected override async ValueTask ReceiveAsync(string message)
        {
            report.Tell($"begin {message}");
            if (message == "first")
            {
                await gate.Task;
            }

            report.Tell($"end {message}");
        }
    }

    [Fact]
    public async Task An_awaiting_handler_keeps_the_actor_busy_until_it_completes()
    {
        var probe = CreateProbe<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = System.Spawn(Props.Create(() => new SlowAsyncActor(probe.Ref, gate)), "slow");

        actor.Tell("first");
        actor.Tell("second");
        await probe.ExpectMessageAsync("begin first");
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(150));
        gate.SetResult();

        Assert.Equal(["end first", "begin second", "end second"], await probe.ReceiveAsync(3));
    }

    [Fact]
    public async Task A_stop_jumps_ahead_of_queued_user_messages_which_become_dead_letters()
    {
        var probe = CreateProbe<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = System.Spawn(Props.Create(() => new SlowAsyncActor(probe.Ref, gate)), "slow");
        var deadLetters = CreateProbe<DeadLetter>();
        System.DeadLetters.Subscribe(deadLetters.Ref);

        actor.Tell("first");
        await probe.ExpectMessageAsync("begin first");
        actor.Tell("queued-1");
        actor.Tell("queued-2");
        System.Stop(actor);
        gate.SetResult();

        await probe.ExpectMessageAsync("end first");
        var dropped = await deadLetters.ReceiveAsync(2);
        Assert.Equal(["queued-1", "queued-2"], dropped.Select(d => (string)d.Message!));
        await probe.ExpectNoMessageAsync();
    }

    [Fact]
    public async Task Telling_a_stopped_actor_produces_a_counted_dead_letter()
    {
        var probe = CreateProbe<string>();
        var deadLetters = CreateProbe<DeadLetter>();
        System.DeadLetters.Subscribe(deadLetters.Ref);
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)), "counter");
        await probe.ExpectMessageAsync("counter:started");
        probe.Watch(actor);
        System.Stop(actor);
        await probe.ExpectTerminatedAsync(actor);
        var before = System.DeadLetters.Count;

        actor.Tell("hello");

        var letter = await deadLetters.ExpectMessageAsync();
        Assert.Equal("hello", letter.Message);
        Assert.Equal(actor.Path, letter.Recipient);
        Assert.Equal(before + 1, System.DeadLetters.Count);
        Assert.True(actor.IsTerminated);
    }

    [Fact]
    public async Task Stash_and_unstash_keep_the_original_order_ahead_of_newer_messages()
    {
        var probe = CreateProbe<string>();
        var actor = System.Spawn(Props.Create(() => new Gatekeeper(probe.Ref)), "gate");

        foreach (var m in new[] { "a", "b", "c", "open", "d" })
        {
            actor.Tell(m);
        }

        Assert.Equal(["a", "b", "c", "d"], await probe.ReceiveAsync(4));
    }

    /// <summary>Stashes everything until "open", then unstashes.</summary>
    private sealed class Gatekeeper(ActorRef<string> report) : Actor<string>
    {
        private bool _open;

        protected override ValueTask ReceiveAsync(string message)
        {
            if (message == "open")
            {
                _open = true;
                Context.UnstashAll();
            }
            else if (!_open)
            {
                Context.Stash();
            }
            else
            {
                report.Tell(message);
            }

            return default;
        }
    }

    [Fact]
    public async Task A_full_stash_fails_the_actor_with_a_specific_exception()
    {
        var probe = CreateProbe<string>();
        var props = Props.Create(() => new Gatekeeper(probe.Ref)) with { StashCapacity = 2, Supervision = SupervisorStrategy.StopAlways };
        var actor = System.Spawn(props, "small-stash");
        probe.Watch(actor);

        actor.Tell("a");
        actor.Tell("b");
        actor.Tell("c");

        await probe.ExpectTerminatedAsync(actor);
    }
}
