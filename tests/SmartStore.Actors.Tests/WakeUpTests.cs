using SmartStore.Actors.TestKit;
using Xunit;

namespace SmartStore.Actors.Tests;

/// <summary>
/// Regression: a turn that released its scheduling flag with a plain release store could miss a message
/// enqueued by a sender whose CAS failed at the same moment (a lost wake-up). It showed as a handful of
/// 100,000 freshly started entities never handling their first message.
/// </summary>
public sealed class WakeUpTests : ActorTestKit
{
    private const int Receivers = 100_000;

    private sealed class FirstMessage(Countdown countdown) : Actor<string>
    {
        protected override ValueTask ReceiveAsync(string message)
        {
            countdown.Signal();
            return default;
        }
    }

    internal sealed class Countdown(int count)
    {
        private int _remaining = count;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Remaining => Volatile.Read(ref _remaining);

        public void Signal()
        {
            if (Interlocked.Decrement(ref _remaining) == 0)
            {
                Done.TrySetResult();
            }
        }
    }

    [Fact]
    public async Task Every_freshly_started_region_entity_handles_its_first_message()
    {
        var countdown = new Countdown(Receivers);
        var region = System.SpawnRegion<string>("many", _ => new FirstMessage(countdown), new RegionOptions { IdleTimeout = Timeout.InfiniteTimeSpan });
        for (var i = 0; i < Receivers; i++)
        {
            region.Tell($"e{i}", "first");
        }

        await AwaitAll(countdown);
    }

    [Fact]
    public async Task Every_freshly_spawned_actor_handles_the_message_told_right_after_spawn()
    {
        var countdown = new Countdown(Receivers);
        for (var i = 0; i < Receivers; i++)
        {
            System.Spawn(Props.Create(() => new FirstMessage(countdown)), $"a{i}").Tell("first");
        }

        await AwaitAll(countdown);
    }

    private static async Task AwaitAll(Countdown countdown)
    {
        try
        {
            await countdown.Done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            Assert.Fail($"{countdown.Remaining} actors never handled their first message");
        }
    }
}
