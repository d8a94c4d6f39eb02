using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Actors.Tests;

public sealed class TimerTests : ActorTestKit
{
    /// <summary>Commands: "single:key:delaySec:msg", "periodic:key:sec:msg", "cancel:key"; anything else is reported.</summary>
    private sealed class TimerActor(ActorRef<string> report) : Actor<string>
    {
        protected override ValueTask ReceiveAsync(string message)
        {
            var parts = message.Split(':');
            switch (parts[0])
            {
                case "single":
                    Context.Timers.StartSingleTimer(parts[1], parts[3], TimeSpan.FromSeconds(int.Parse(parts[2])));
                    report.Tell("armed");
                    break;
                case "periodic":
                    Context.Timers.StartPeriodicTimer(parts[1], parts[3], TimeSpan.FromSeconds(int.Parse(parts[2])));
                    report.Tell("armed");
                    break;
                case "cancel":
                    Context.Timers.Cancel(parts[1]);
                    report.Tell("cancelled");
                    break;
                case "active?":
                    report.Tell($"active={Context.Timers.Count}");
                    break;
                default:
                    report.Tell(message);
                    break;
            }

            return default;
        }
    }

    private async Task<(ActorRef<string> Actor, TestProbe<string> Probe)> StartAsync()
    {
        var probe = CreateProbe<string>();
        var actor = System.Spawn(Props.Create(() => new TimerActor(probe.Ref)), "timers");
        await Task.CompletedTask;
        return (actor, probe);
    }

    [Fact]
    public async Task A_single_timer_fires_once_at_its_delay()
    {
        var (actor, probe) = await StartAsync();
        actor.Tell("single:k:5:tick");
        await probe.ExpectMessageAsync("armed");

        Time.Advance(TimeSpan.FromSeconds(4));
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        Time.Advance(TimeSpan.FromSeconds(1));
        await probe.ExpectMessageAsync("tick");
        Time.Advance(TimeSpan.FromSeconds(30));
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        actor.Tell("active?");
        await probe.ExpectMessageAsync("active=0");
    }

    [Fact]
    public async Task A_periodic_timer_fires_every_interval_until_cancelled()
    {
        var (actor, probe) = await StartAsync();
        actor.Tell("periodic:p:2:beat");
        await probe.ExpectMessageAsync("armed");

        Time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(["beat", "beat", "beat"], await probe.ReceiveAsync(3));

        actor.Tell("cancel:p");
        await probe.ExpectMessageAsync("cancelled");
        Time.Advance(TimeSpan.FromSeconds(10));
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task Restarting_a_key_replaces_the_old_timer()
    {
        var (actor, probe) = await StartAsync();
        actor.Tell("single:k:5:old");
        await probe.ExpectMessageAsync("armed");
        actor.Tell("single:k:10:new");
        await probe.ExpectMessageAsync("armed");

        Time.Advance(TimeSpan.FromSeconds(10));

        await probe.ExpectMessageAsync("new");
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public async Task A_tick_already_queued_when_its_timer_is_cancelled_is_discarded()
    {
        var probe = CreateProbe<string>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var actor = System.Spawn(Props.Create(() => new BlockingTimerActor(probe.Ref, gate)), "blocking");
        await probe.ExpectMessageAsync("armed");

        actor.Tell("block");
        await probe.ExpectMessageAsync("blocked");
        Time.Advance(TimeSpan.FromSeconds(1));   // the tick is now queued while "block" still runs
        gate.SetResult();                         // "block" then cancels the timer before the tick is handled

        await probe.ExpectMessageAsync("cancelled");
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
    }

    private sealed class BlockingTimerActor(ActorRef<string> report, TaskCompletionSource gate) : Actor<string>
    {
        protected override ValueTask PreStartAsync()
        {
            Context.Timers.StartSingleTimer("t", "tick", TimeSpan.FromSeconds(1));
            report.Tell("armed");
            return default;
        }

        protected override async ValueTask ReceiveAsync(string message)
        {
            switch (message)
            {
                case "block":
                    report.Tell("blocked");
                    await gate.Task;
                    Context.Timers.Cancel("t");
                    report.Tell("cancelled");
                    break;
                default:
                    report.Tell(message);
                    break;
            }
        }
    }
}
