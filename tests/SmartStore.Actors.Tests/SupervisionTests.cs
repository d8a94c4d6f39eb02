using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Actors.Tests;

public sealed class SupervisionTests : ActorTestKit
{
    [Fact]
    public async Task Resume_keeps_the_instance_and_its_state()
    {
        var probe = CreateProbe<string>();
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(SupervisorStrategy.ResumeAlways), "c");
        await probe.ExpectMessageAsync("counter:started");

        actor.Tell("x");
        actor.Tell("fail");
        actor.Tell("y");
        actor.Tell("count?");

        await probe.ExpectMessageAsync("counter:count=2");
    }

    [Fact]
    public async Task Restart_replaces_the_instance_and_keeps_the_mailbox()
    {
        var probe = CreateProbe<string>();
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(SupervisorStrategy.RestartAlways), "c");
        await probe.ExpectMessageAsync("counter:started");

        actor.Tell("x");
        actor.Tell("fail");
        actor.Tell("y");
        actor.Tell("count?");

        await probe.ExpectMessageAsync("counter:restarting:asked to fail");
        await probe.ExpectMessageAsync("counter:started");
        await probe.ExpectMessageAsync("counter:count=1");
    }

    [Fact]
    public async Task Stop_ends_the_actor_and_its_watchers_hear_of_it()
    {
        var probe = CreateProbe<string>();
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(SupervisorStrategy.StopAlways), "c");
        await probe.ExpectMessageAsync("counter:started");
        probe.Watch(actor);

        actor.Tell("fail");

        await probe.ExpectMessageAsync("counter:stopped");
        await probe.ExpectTerminatedAsync(actor);
    }

    [Fact]
    public async Task Escalate_lets_the_parents_strategy_decide_and_a_restarting_parent_restarts_its_children()
    {
        var probe = CreateProbe<string>();
        var parentProps = Props.Create(() => new Parent(probe.Ref, SupervisorStrategy.EscalateAlways)).WithSupervision(SupervisorStrategy.RestartAlways);
        var parent = System.Spawn(parentProps, "parent");
        await probe.ExpectMessageAsync("child:started");

        parent.Tell("fail-child");

        // The parent restarts: its child stops first, then the fresh parent spawns a fresh child.
        await probe.ExpectMessageAsync("parent:restarting");
        await probe.ExpectMessageAsync("child:stopped");
        await probe.ExpectMessageAsync("child:started");
    }

    [Fact]
    public async Task Escalation_from_a_top_level_actor_stops_it()
    {
        var probe = CreateProbe<string>();
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(SupervisorStrategy.EscalateAlways), "c");
        await probe.ExpectMessageAsync("counter:started");
        probe.Watch(actor);

        actor.Tell("fail");

        await probe.ExpectTerminatedAsync(actor);
    }

    [Fact]
    public async Task Restarts_beyond_the_limit_within_the_window_stop_the_actor()
    {
        var probe = CreateProbe<string>();
        var strategy = SupervisorStrategy.RestartAlways.WithLimit(2, TimeSpan.FromMinutes(1));
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(strategy), "c");
        await probe.ExpectMessageAsync("counter:started");
        probe.Watch(actor);

        for (var i = 0; i < 3; i++)
        {
            actor.Tell("fail");
        }

        await probe.FishForMessageAsync(m => m == "counter:stopped");
        await probe.ExpectTerminatedAsync(actor);
    }

    [Fact]
    public async Task The_restart_window_slides_so_spaced_out_failures_never_reach_the_limit()
    {
        var probe = CreateProbe<string>();
        var strategy = SupervisorStrategy.RestartAlways.WithLimit(1, TimeSpan.FromSeconds(10));
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(strategy), "c");
        await probe.ExpectMessageAsync("counter:started");

        for (var i = 0; i < 3; i++)
        {
            actor.Tell("fail");
            await probe.ExpectMessageAsync("counter:restarting:asked to fail");
            await probe.ExpectMessageAsync("counter:started");
            Time.Advance(TimeSpan.FromSeconds(11));
        }

        actor.Tell("count?");
        await probe.ExpectMessageAsync("counter:count=0");
    }

    [Fact]
    public async Task Back_off_delays_each_restart_exponentially_in_virtual_time()
    {
        var probe = CreateProbe<string>();
        var strategy = SupervisorStrategy.RestartAlways.WithBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3));
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(strategy), "c");
        await probe.ExpectMessageAsync("counter:started");

        // Restart n waits min(1s * 2^(n-1), 3s): 1 s, 2 s, 3 s.
        foreach (var delay in new[] { 1, 2, 3 })
        {
            actor.Tell("fail");
            await Time.WaitForActiveTimersAsync(1, TimeSpan.FromSeconds(5));
            Time.Advance(TimeSpan.FromSeconds(delay) - TimeSpan.FromMilliseconds(1));
            await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
            Time.Advance(TimeSpan.FromMilliseconds(1));
            await probe.ExpectMessageAsync("counter:restarting:asked to fail");
            await probe.ExpectMessageAsync("counter:started");
        }
    }

    [Fact]
    public async Task Messages_sent_during_a_back_off_wait_are_handled_by_the_restarted_instance()
    {
        var probe = CreateProbe<string>();
        var strategy = SupervisorStrategy.RestartAlways.WithBackoff(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        var actor = System.Spawn(Props.Create(() => new Counter(probe.Ref)).WithSupervision(strategy), "c");
        await probe.ExpectMessageAsync("counter:started");

        actor.Tell("fail");
        actor.Tell("a");
        actor.Tell("count?");
        await Time.WaitForActiveTimersAsync(1, TimeSpan.FromSeconds(5));
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        Time.Advance(TimeSpan.FromSeconds(5));

        await probe.ExpectMessageAsync("counter:restarting:asked to fail");
        await probe.ExpectMessageAsync("counter:started");
        await probe.ExpectMessageAsync("counter:count=1");
    }

    [Fact]
    public async Task A_failing_start_hook_is_supervised_like_any_failure()
    {
        var probe = CreateProbe<string>();
        var actor = System.Spawn(Props.Create<string>(() => new FailingStart()).WithSupervision(SupervisorStrategy.ResumeAlways), "bad-start");
        probe.Watch(actor);

        // A half-started actor cannot be resumed: it is stopped instead.
        await probe.ExpectTerminatedAsync(actor);
    }

    private sealed class FailingStart : Actor<string>
    {
        protected override ValueTask PreStartAsync() => throw new InvalidOperationException("cannot start");

        protected override ValueTask ReceiveAsync(string message) => default;
    }

    /// <summary>Spawns one child; "fail-child" makes the child fail.</summary>
    private sealed class Parent : Actor<string>
    {
        private readonly ActorRef<string> _report;
        private readonly ActorRef<string> _child;

        public Parent(ActorRef<string> report, SupervisorStrategy childStrategy)
        {
            _report = report;
            _child = Context.Spawn(Props.Create(() => new Counter(report, "child")).WithSupervision(childStrategy), "child");
        }

        protected override ValueTask PreRestartAsync(Exception cause)
        {
            _report.Tell("parent:restarting");
            return default;
        }

        protected override ValueTask ReceiveAsync(string message)
        {
            if (message == "fail-child")
            {
                _child.Tell("fail");
            }

            return default;
        }
    }
}
