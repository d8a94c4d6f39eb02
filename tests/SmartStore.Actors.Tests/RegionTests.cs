using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Actors.Tests;

public sealed class RegionTests : ActorTestKit
{
    /// <summary>Reports "{id}:started", "{id}:{n}:{message}" and "{id}:stopped"; n counts messages per incarnation.</summary>
    private sealed class Entity(EntityContext<string> context, ActorRef<string> report, Task? stopGate = null) : Actor<string>
    {
        private int _seen;

        protected override ValueTask PreStartAsync()
        {
            report.Tell($"{context.EntityId}:started");
            return default;
        }

        protected override async ValueTask PostStopAsync()
        {
            if (stopGate is not null)
            {
                await stopGate;
            }

            report.Tell($"{context.EntityId}:stopped");
        }

        protected override ValueTask ReceiveAsync(string message)
        {
            if (message == "passivate-me")
            {
                context.Region.Passivate(context.EntityId);
            }

            report.Tell($"{context.EntityId}:{++_seen}:{message}");
            return default;
        }
    }

    private (EntityRegion<string> Region, TestProbe<string> Probe) StartRegion(TimeSpan idle, Task? stopGate = null)
    {
        var probe = CreateProbe<string>();
        var region = System.SpawnRegion<string>("shelves", ctx => new Entity(ctx, probe.Ref, stopGate), new RegionOptions { IdleTimeout = idle, IdleBuckets = 4 });
        return (region, probe);
    }

    [Fact]
    public async Task Entities_start_on_demand_and_each_id_gets_its_own_actor()
    {
        var (region, probe) = StartRegion(Timeout.InfiniteTimeSpan);

        region.Tell("shelf-1", "a");
        region.Tell("shelf-2", "b");
        region.Tell("shelf-1", "c");

        var seen = await probe.ReceiveAsync(5);
        Assert.Equal(["shelf-1:started", "shelf-1:1:a", "shelf-1:2:c"], seen.Where(s => s.StartsWith("shelf-1", StringComparison.Ordinal)));
        Assert.Equal(["shelf-2:started", "shelf-2:1:b"], seen.Where(s => s.StartsWith("shelf-2", StringComparison.Ordinal)));
        var stats = await region.GetStatsAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(2, stats.Active);
        Assert.Equal(2, stats.Started);
    }

    [Fact]
    public async Task An_idle_entity_is_passivated_after_the_timeout_and_restarted_by_the_next_message()
    {
        var (region, probe) = StartRegion(TimeSpan.FromMinutes(2));
        region.Tell("shelf-1", "a");
        Assert.Equal(["shelf-1:started", "shelf-1:1:a"], await probe.ReceiveAsync(2));

        Time.Advance(TimeSpan.FromSeconds(90));
        await probe.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(50));
        Time.Advance(TimeSpan.FromSeconds(90));
        await probe.ExpectMessageAsync("shelf-1:stopped");

        region.Tell("shelf-1", "b");
        Assert.Equal(["shelf-1:started", "shelf-1:1:b"], await probe.ReceiveAsync(2));
        var stats = await region.GetStatsAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(1, stats.Passivated);
        Assert.Equal(2, stats.Started);
    }

    [Fact]
    public async Task Activity_keeps_an_entity_alive()
    {
        var (region, probe) = StartRegion(TimeSpan.FromMinutes(2));
        region.Tell("busy", "0");
        await probe.ReceiveAsync(2);

        for (var i = 1; i <= 5; i++)
        {
            Time.Advance(TimeSpan.FromMinutes(1));
            region.Tell("busy", i.ToString(global::System.Globalization.CultureInfo.InvariantCulture));
            await probe.ExpectMessageAsync($"busy:{i + 1}:{i}");
        }

        var stats = await region.GetStatsAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, stats.Passivated);
    }

    [Fact]
    public async Task Messages_sent_while_an_entity_passivates_are_buffered_and_delivered_to_its_next_incarnation()
    {
        var stopGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (region, probe) = StartRegion(Timeout.InfiniteTimeSpan, stopGate.Task);
        region.Tell("s", "passivate-me");

        // The entity asked for passivation before it reported, and cannot finish stopping until the gate opens.
        Assert.Equal(["s:started", "s:1:passivate-me"], await probe.ReceiveAsync(2));
        region.Tell("s", "after-1");
        region.Tell("s", "after-2");
        var whilePassivating = await region.GetStatsAsync(TimeSpan.FromSeconds(5));
        Assert.Equal((0, 1, 2L), (whilePassivating.Active, whilePassivating.Passivating, whilePassivating.Buffered));
        stopGate.SetResult();

        Assert.Equal(["s:stopped", "s:started", "s:1:after-1", "s:2:after-2"], await probe.ReceiveAsync(4));
    }

    [Fact]
    public async Task An_entity_id_with_characters_not_allowed_in_names_still_routes()
    {
        var (region, probe) = StartRegion(Timeout.InfiniteTimeSpan);
        region.Tell("store/a b", "x");
        Assert.Equal(["store/a b:started", "store/a b:1:x"], await probe.ReceiveAsync(2));
    }

    [Theory]
    [InlineData(EntityState.Absent, EntityTrigger.MessageArrived, false, EntityState.Active)]
    [InlineData(EntityState.Active, EntityTrigger.PassivationRequested, false, EntityState.Passivating)]
    [InlineData(EntityState.Active, EntityTrigger.Terminated, false, EntityState.Absent)]
    [InlineData(EntityState.Passivating, EntityTrigger.MessageArrived, false, EntityState.Passivating)]
    [InlineData(EntityState.Passivating, EntityTrigger.Terminated, true, EntityState.Active)]
    [InlineData(EntityState.Passivating, EntityTrigger.Terminated, false, EntityState.Absent)]
    [InlineData(EntityState.Absent, EntityTrigger.PassivationRequested, false, EntityState.Absent)]
    public void The_entity_lifecycle_follows_its_state_machine(EntityState from, EntityTrigger trigger, bool buffered, EntityState expected) =>
        Assert.Equal(expected, EntityLifecycle.Next(from, trigger, buffered));

    [Fact]
    public void An_illegal_entity_transition_is_detected()
    {
        var error = Assert.Throws<IllegalEntityTransitionException>(() => EntityLifecycle.Next(EntityState.Absent, EntityTrigger.Terminated, false));
        Assert.Equal(EntityState.Absent, error.State);
    }

    [Fact]
    public void Idle_buckets_only_expire_buckets_older_than_the_timeout()
    {
        var buckets = new IdleBuckets(TimeSpan.FromSeconds(10));
        var a = buckets.Touch("a", -1, TimeSpan.FromSeconds(5));
        buckets.Touch("b", -1, TimeSpan.FromSeconds(25));
        buckets.Touch("a", a, TimeSpan.FromSeconds(31));

        // An entity expires between `idle` and `idle + width` after its last activity: b's bucket [20 s, 30 s) at 60 s.
        Assert.Empty(buckets.TakeExpired(TimeSpan.FromSeconds(59), TimeSpan.FromSeconds(30)));
        Assert.Equal(["b"], buckets.TakeExpired(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30)));
        Assert.Empty(buckets.TakeExpired(TimeSpan.FromSeconds(69), TimeSpan.FromSeconds(30)));
        Assert.Equal(["a"], buckets.TakeExpired(TimeSpan.FromSeconds(1000), TimeSpan.FromSeconds(30)));
        Assert.Equal(0, buckets.BucketCount);
    }
}
