using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace SmartStore.Persistence.Tests;

/// <summary>The group-commit queue's own rules, with a batch writer that the test controls.</summary>
public sealed class AppendQueueTests
{
    private sealed class GatedWriter : IBatchWriter
    {
        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> BatchSizes { get; } = [];

        public async Task WriteBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
        {
            await Gate.Task;
            lock (BatchSizes)
            {
                BatchSizes.Add(batch.Count);
            }

            foreach (var append in batch)
            {
                append.Succeed(new AppendResult(append.StreamId, 1, append.Events.Count, 0));
            }
        }
    }

    private static PendingAppend Append(int i) => new($"s-{i}", ExpectedVersion.Any, [TestTypes.Added("a")]);

    [Fact]
    public async Task A_full_queue_answers_busy_at_once_and_every_accepted_append_completes_with_its_batch()
    {
        var writer = new GatedWriter();
        await using var queue = new AppendQueue(writer, new GroupCommitOptions { QueueCapacity = 10, Writers = 1, MaxBatchEvents = 100 }, NullLogger.Instance);

        // One append is taken by the (blocked) writer loop; ten more fill the queue; the rest are refused.
        var accepted = new List<Task<AppendResult>> { queue.EnqueueAsync(Append(0)) };
        while (writer.BatchSizes.Count == 0 && accepted.Count < 12 && !accepted[0].IsCompleted)
        {
            accepted.Add(queue.EnqueueAsync(Append(accepted.Count)));
            if (accepted[^1].IsFaulted)
            {
                break;
            }
        }

        var refused = accepted.Where(t => t.IsFaulted).ToList();
        Assert.NotEmpty(refused);
        Assert.All(refused, t => Assert.IsType<JournalBusyException>(t.Exception!.InnerException));

        writer.Gate.SetResult();
        var completed = accepted.Where(t => !t.IsFaulted).ToList();
        await Task.WhenAll(completed);
        Assert.True(writer.BatchSizes.Sum() == completed.Count, $"batches {string.Join(",", writer.BatchSizes)} for {completed.Count} appends");
        Assert.True(writer.BatchSizes.Count < completed.Count, "appends waiting together are committed together");
    }

    [Fact]
    public void The_planner_fails_only_the_conflicting_append_and_tracks_versions_within_a_batch()
    {
        var first = new PendingAppend("a", 0, [TestTypes.Added("1"), TestTypes.Added("2")]);
        var second = new PendingAppend("a", 2, [TestTypes.Added("3")]);
        var stale = new PendingAppend("a", 1, [TestTypes.Added("x")]);
        var other = new PendingAppend("b", 5, [TestTypes.Added("y")]);

        var plan = BatchPlanner.Plan([first, second, stale, other], new Dictionary<string, long> { ["b"] = 5 });

        Assert.Equal([(first, 1L), (second, 3L), (other, 6L)], plan);
        var conflict = Assert.IsType<ConcurrencyException>(stale.Task.Exception!.InnerException);
        Assert.Equal((1L, 3L), (conflict.Expected, conflict.Actual));
    }
}
