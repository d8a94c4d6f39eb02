using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Actors.TestKit;
using SmartStore.Persistence.PostgreSql;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Persistence.Tests;

/// <summary>
/// PostgreSQL takes identity values outside the transaction and parallel transactions commit out of order.
/// These tests hold a slow writer open after it took a position while a fast writer commits a later one.
/// </summary>
[Collection("postgres")]
public sealed class PostgresGapTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly ManualTimeProvider _time = new();
    private PostgresEventStore _store = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await postgres.Server.CreateDatabaseAsync("gaps");
        _store = await PostgresEventStore.OpenAsync(new PostgresStoreOptions(connectionString) { GroupCommit = new GroupCommitOptions { Writers = 2, MaxBatchEvents = 1 } });
        await ItemCountProjection.CreateTableAsync(_store);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private CatchUpSubscription Subscribe() =>
        new(_store, new ItemCountProjection(_store), new SubscriptionOptions { Time = _time, GapSettleTime = TimeSpan.FromSeconds(1) }, NullLogger.Instance);

    /// <summary>Blocks the batch writing <paramref name="streamId"/> just before it commits, until released.</summary>
    private (TaskCompletionSource Holding, TaskCompletionSource Release) HoldCommitOf(string streamId, bool thenFail = false)
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _store.BeforeCommit = async (batch, ct) =>
        {
            if (batch.Any(a => a.StreamId == streamId))
            {
                holding.TrySetResult();
                await release.Task.WaitAsync(ct);
                if (thenFail)
                {
                    throw new InvalidOperationException("slow writer rolls back");
                }
            }
        };
        return (holding, release);
    }

    [Fact]
    public async Task An_event_that_commits_late_is_delivered_in_order_however_long_its_writer_takes()
    {
        await _store.AppendAsync("cart-0", 0, [TestTypes.Added("first")]);
        var (holding, release) = HoldCommitOf("cart-slow");
        var slow = _store.AppendAsync("cart-slow", 0, [TestTypes.Added("slow")]);
        await holding.Task.WaitAsync(Wait);
        await _store.AppendAsync("cart-fast", 0, [TestTypes.Added("fast")]);

        var subscription = Subscribe();
        await subscription.StartAsync(CancellationToken.None);
        await subscription.PollOnceAsync(CancellationToken.None);
        var page = await _store.ReadAllAsync(subscription.Checkpoint, 100);
        Assert.Equal(1, subscription.Checkpoint);
        Assert.Equal(2, page.MissingPosition);
        Assert.Empty(page.Events);

        // Far past the settle time, the slow writer is still running: the subscription must keep waiting.
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            await subscription.PollOnceAsync(CancellationToken.None);
        }

        Assert.Equal(1, subscription.Checkpoint);
        Assert.Equal(0, subscription.SkippedGaps);

        release.SetResult();
        await slow.WaitAsync(Wait);
        await subscription.PollOnceAsync(CancellationToken.None);

        Assert.Equal([1L, 2L, 3L], await ItemCountProjection.ReadPositionsAsync(_store));
        var streams = (await _store.ReadAllAsync(0, 10)).Events.Select(e => e.StreamId);
        Assert.Equal(["cart-0", "cart-slow", "cart-fast"], streams);
    }

    [Fact]
    public async Task A_hole_left_by_a_writer_that_rolled_back_is_skipped_once_settled()
    {
        var (holding, release) = HoldCommitOf("cart-doomed", thenFail: true);
        var doomed = _store.AppendAsync("cart-doomed", 0, [TestTypes.Added("never")]);
        await holding.Task.WaitAsync(Wait);
        await _store.AppendAsync("cart-fast", 0, [TestTypes.Added("fast")]);
        release.SetResult();
        await Assert.ThrowsAsync<JournalFailureException>(() => doomed.WaitAsync(Wait));

        var subscription = Subscribe();
        await subscription.StartAsync(CancellationToken.None);
        await subscription.PollOnceAsync(CancellationToken.None);
        Assert.Equal(0, subscription.Checkpoint);

        // Not before the settle time, even though no writer is running any more.
        _time.Advance(TimeSpan.FromMilliseconds(500));
        await subscription.PollOnceAsync(CancellationToken.None);
        Assert.Equal(0, subscription.Checkpoint);

        _time.Advance(TimeSpan.FromSeconds(1));
        await subscription.PollOnceAsync(CancellationToken.None);
        await subscription.PollOnceAsync(CancellationToken.None);

        Assert.Equal(1, subscription.SkippedGaps);
        Assert.Equal([2L], await ItemCountProjection.ReadPositionsAsync(_store));
    }
}
