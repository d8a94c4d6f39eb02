using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Actors.Tests;

public sealed class DeathWatchAndAskTests : ActorTestKit
{
    private sealed record Question(string Text, ActorRef<string> ReplyTo);

    private sealed class Oracle : Actor<Question>
    {
        protected override async ValueTask ReceiveAsync(Question message)
        {
            switch (message.Text)
            {
                case "crash":
                    throw new InvalidOperationException("oracle crashed");
                case "ignore":
                    return;
                case "slow":
                    await Task.Yield();
                    message.ReplyTo.Tell("slow answer");
                    return;
                default:
                    message.ReplyTo.Tell("answer to " + message.Text);
                    return;
            }
        }
    }

    private ActorRef<Question> SpawnOracle(string name = "oracle") =>
        System.Spawn(Props.Create(() => new Oracle()).WithSupervision(SupervisorStrategy.ResumeAlways), name);

    [Fact]
    public async Task Ask_returns_the_reply()
    {
        var oracle = SpawnOracle();
        Assert.Equal("answer to life", await oracle.AskAsync<Question, string>(r => new Question("life", r), TimeSpan.FromSeconds(5)));
        Assert.Equal("slow answer", await oracle.AskAsync<Question, string>(r => new Question("slow", r), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Ask_times_out_on_the_systems_clock_with_a_timeout_exception()
    {
        var oracle = SpawnOracle();
        var pending = oracle.AskAsync<Question, string>(r => new Question("ignore", r), TimeSpan.FromSeconds(3));
        await Time.WaitForActiveTimersAsync(1, TimeSpan.FromSeconds(5));
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(pending.IsCompleted);

        Time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<AskTimeoutException>(() => pending);
        Assert.Equal(oracle.Path, error.Target);
    }

    [Fact]
    public async Task Ask_reports_the_handlers_failure_as_a_failure_not_a_timeout()
    {
        var oracle = SpawnOracle();
        var error = await Assert.ThrowsAsync<AskFailedException>(() => oracle.AskAsync<Question, string>(r => new Question("crash", r), TimeSpan.FromSeconds(5)));
        Assert.IsType<InvalidOperationException>(error.InnerException);

        // Resumed: the oracle still answers.
        Assert.Equal("answer to x", await oracle.AskAsync<Question, string>(r => new Question("x", r), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Ask_cancelled_by_the_caller_is_a_cancellation()
    {
        var oracle = SpawnOracle();
        using var cancel = new CancellationTokenSource();
        var pending = oracle.AskAsync<Question, string>(r => new Question("ignore", r), TimeSpan.FromMinutes(1), cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending);
    }

    [Fact]
    public async Task Ask_to_a_dead_actor_fails_at_once_with_target_terminated()
    {
        var oracle = SpawnOracle();
        var probe = CreateProbe<string>();
        probe.Watch(oracle);
        System.Stop(oracle);
        await probe.ExpectTerminatedAsync(oracle);

        var error = await Assert.ThrowsAsync<AskTargetTerminatedException>(() => oracle.AskAsync<Question, string>(r => new Question("x", r), TimeSpan.FromMinutes(1)));
        Assert.Equal(oracle.Path, error.Target);
    }

    [Fact]
    public async Task Watching_an_actor_that_already_terminated_still_delivers_terminated()
    {
        var probe = CreateProbe<string>();
        var oracle = SpawnOracle();
        var first = CreateProbe<string>();
        first.Watch(oracle);
        System.Stop(oracle);
        await first.ExpectTerminatedAsync(oracle);

        probe.Watch(oracle);

        await probe.ExpectTerminatedAsync(oracle);
    }

    private sealed class WatchWithActor(ActorRef<string> target, ActorRef<string> report) : Actor<string>
    {
        protected override ValueTask PreStartAsync()
        {
            Context.WatchWith(target, "target gone");
            return default;
        }

        protected override ValueTask ReceiveAsync(string message)
        {
            report.Tell(message);
            return default;
        }
    }

    [Fact]
    public async Task WatchWith_delivers_the_chosen_message_after_the_messages_already_queued()
    {
        var probe = CreateProbe<string>();
        var target = System.Spawn(Props.Create(() => new Counter(probe.Ref, "target")), "target");
        await probe.ExpectMessageAsync("target:started");
        var watcher = System.Spawn(Props.Create(() => new WatchWithActor(target, probe.Ref)), "watcher");

        watcher.Tell("before");
        System.Stop(target);

        // Only causal orders are guaranteed: "before" was queued ahead of the notification, and the
        // target reported its stop before it notified its watchers.
        var seen = (await probe.ReceiveAsync(3)).ToList();
        Assert.Equal(["before", "target gone", "target:stopped"], seen.Order(StringComparer.Ordinal));
        Assert.True(seen.IndexOf("before") < seen.IndexOf("target gone"), string.Join(", ", seen));
        Assert.True(seen.IndexOf("target:stopped") < seen.IndexOf("target gone"), string.Join(", ", seen));
    }

    [Fact]
    public async Task Spawning_a_duplicate_name_or_an_invalid_name_fails_with_a_specific_error()
    {
        var oracle = SpawnOracle("unique");
        Assert.Throws<DuplicateActorNameException>(() => SpawnOracle("unique"));
        Assert.Throws<InvalidActorNameException>(() => SpawnOracle("bad/name"));
        Assert.Throws<InvalidActorNameException>(() => SpawnOracle(""));

        // The name is free again once the first holder has terminated.
        var probe = CreateProbe<string>();
        probe.Watch(oracle);
        System.Stop(oracle);
        await probe.ExpectTerminatedAsync(oracle);
        Assert.Equal("answer to y", await SpawnOracle("unique").AskAsync<Question, string>(r => new Question("y", r), TimeSpan.FromSeconds(5)));
    }
}
