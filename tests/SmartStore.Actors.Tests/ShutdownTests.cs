using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Actors.Tests;

public sealed class ShutdownTests
{
    /// <summary>A tree node that records its stop in a shared log and spawns the given children.</summary>
    private sealed class TreeNode : Actor<string>
    {
        private readonly string _name;
        private readonly List<string> _log;

        public TreeNode(string name, List<string> log, int depth)
        {
            _name = name;
            _log = log;
            if (depth > 0)
            {
                for (var i = 0; i < 2; i++)
                {
                    var child = $"{name}.{i}";
                    Context.Spawn(Props.Create(() => new TreeNode(child, log, depth - 1)), child);
                }
            }
        }

        protected override ValueTask PostStopAsync()
        {
            lock (_log)
            {
                _log.Add(_name);
            }

            return default;
        }

        protected override ValueTask ReceiveAsync(string message) => default;
    }

    [Fact]
    public async Task Shutdown_stops_children_before_their_parents()
    {
        var log = new List<string>();
        var system = ActorSystem.Create("shutdown");
        system.Spawn(Props.Create(() => new TreeNode("r", log, 3)), "r");

        var report = await system.ShutdownAsync(TimeSpan.FromSeconds(2));

        Assert.True(report.Completed);
        Assert.Equal(0, report.ActorsLeft);
        Assert.Equal(15, log.Count);
        foreach (var name in log)
        {
            var parent = name.Contains('.', StringComparison.Ordinal) ? name[..name.LastIndexOf('.')] : null;
            if (parent is not null)
            {
                Assert.True(log.IndexOf(name) < log.IndexOf(parent), $"{name} stopped after its parent {parent}");
            }
        }
    }

    private sealed class Sink(TaskCompletionSource gate) : Actor<int>
    {
        protected override async ValueTask ReceiveAsync(int message) => await gate.Task;
    }

    /// <summary>Blocks on its first message until the kernel signals that it is stopping.</summary>
    private sealed class StuckUntilStopping(TaskCompletionSource entered) : Actor<int>
    {
        protected override async ValueTask ReceiveAsync(int message)
        {
            entered.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, Context.Stopping);
            }
            catch (OperationCanceledException)
            {
                // The shutdown asked us to stop: leave the handler so the stop can proceed.
            }
        }
    }

    [Fact]
    public async Task Shutdown_waits_a_bounded_time_for_mailboxes_to_drain_and_counts_what_it_dropped()
    {
        var system = ActorSystem.Create("bounded");
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stuck = system.Spawn(Props.Create(() => new StuckUntilStopping(entered)), "stuck");
        for (var i = 0; i < 10; i++)
        {
            stuck.Tell(i);
        }

        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));

        var report = await system.ShutdownAsync(TimeSpan.FromMilliseconds(50));

        Assert.False(report.Drained);
        Assert.True(report.Completed);
        Assert.Equal(9, report.MessagesPendingAtStop);
        Assert.Equal(9, report.MessagesDropped);
    }

    [Fact]
    public async Task A_drained_shutdown_drops_nothing_and_refuses_new_top_level_actors()
    {
        var system = ActorSystem.Create("drained");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        var sink = system.Spawn(Props.Create(() => new Sink(done)), "sink");
        for (var i = 0; i < 1000; i++)
        {
            sink.Tell(i);
        }

        var report = await system.ShutdownAsync(TimeSpan.FromSeconds(5));

        Assert.True(report.Drained);
        Assert.Equal(0, report.MessagesDropped);
        Assert.Throws<ActorSystemShutdownException>(() => system.Spawn(Props.Create(() => new Sink(done)), "late"));
        Assert.Same(system.ShutdownAsync(), system.ShutdownAsync());
    }
}
