using SmartStore.Testing;
using System.Data.Common;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace SmartStore.Persistence.Tests;

/// <summary>A read model in the journal's own database: one row per projected event, keyed by position.</summary>
public sealed class ItemCountProjection(IProjectionCheckpoints checkpoints, int failAfterBatches = int.MaxValue) : SqlProjection(checkpoints)
{
    private int _batches;

    public override string Name => "item-counts";

    public static async Task CreateTableAsync(IProjectionCheckpoints store) =>
        await store.CommitAsync("$setup", 0, async (tx, ct) =>
        {
            await using var command = tx.Connection!.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "CREATE TABLE IF NOT EXISTS projected_items (position BIGINT PRIMARY KEY, stream_id TEXT NOT NULL)";
            await command.ExecuteNonQueryAsync(ct);
        });

    public static async Task<List<long>> ReadPositionsAsync(IProjectionCheckpoints store)
    {
        var positions = new List<long>();
        await store.CommitAsync("$read", 0, async (tx, ct) =>
        {
            await using var command = tx.Connection!.CreateCommand();
            command.Transaction = tx;
            command.CommandText = "SELECT position FROM projected_items ORDER BY position";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                positions.Add(reader.GetInt64(0));
            }
        });
        return positions;
    }

    protected override async Task ProjectAsync(DbTransaction transaction, IReadOnlyList<PersistedEvent> events, CancellationToken cancellationToken)
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO projected_items (position, stream_id) VALUES (@p, @s)";
        var position = command.CreateParameter();
        position.ParameterName = "@p";
        var stream = command.CreateParameter();
        stream.ParameterName = "@s";
        command.Parameters.Add(position);
        command.Parameters.Add(stream);
        foreach (var e in events)
        {
            position.Value = e.Position;
            stream.Value = e.StreamId;

            // A duplicate delivery would violate the primary key and fail the test loudly.
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (++_batches > failAfterBatches)
        {
            throw new InvalidOperationException("projection crashed mid-batch");
        }
    }
}

/// <summary>Lets a test wait until a projection has committed past a position (instead of sleeping).</summary>
public sealed class NotifyingProjection(IProjection inner) : IProjection
{
    private readonly List<(long Position, TaskCompletionSource Signal)> _waiters = [];
    private long _committed;

    public string Name => inner.Name;

    public async Task<long> LoadCheckpointAsync(CancellationToken cancellationToken)
    {
        // What an earlier run committed counts: a restarted projection may have nothing left to apply.
        var stored = await inner.LoadCheckpointAsync(cancellationToken);
        Committed(stored);
        return stored;
    }

    public async Task ApplyAsync(IReadOnlyList<PersistedEvent> events, long checkpoint, CancellationToken cancellationToken)
    {
        await inner.ApplyAsync(events, checkpoint, cancellationToken);
        Committed(checkpoint);
    }

    private void Committed(long checkpoint)
    {
        lock (_waiters)
        {
            _committed = checkpoint;
            foreach (var waiter in _waiters.Where(w => w.Position <= checkpoint).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    public Task WhenCommittedAsync(long position)
    {
        lock (_waiters)
        {
            if (_committed >= position)
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((position, signal));
            return signal.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}

public abstract class ProjectionTests : StoreTestBase
{
    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await ItemCountProjection.CreateTableAsync(Store);
    }

    private CatchUpSubscription Subscribe(IProjection projection) =>
        new(Store, projection, new SubscriptionOptions { BatchSize = 37, PollInterval = TimeSpan.FromMilliseconds(5) }, NullLogger.Instance);

    private async Task<long> LastPositionAsync() => (await Store.ReadAllAsync(0, 100_000)).LastPosition;

    [Fact]
    public async Task A_projection_restarted_mid_stream_ends_with_every_event_exactly_once()
    {
        var writing = Task.WhenAll(Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 40; i++)
            {
                await Store.AppendAsync($"cart-{s}", i, [TestTypes.Added($"{s}-{i}")]);
            }
        })));

        // First run: stopped while the writers are still going.
        using (var firstRun = new CancellationTokenSource())
        {
            var projection = new NotifyingProjection(new ItemCountProjection(Store));
            var running = Subscribe(projection).RunAsync(firstRun.Token);
            await projection.WhenCommittedAsync(40);
            await firstRun.CancelAsync();
            await running;
        }

        await writing;
        var last = await LastPositionAsync();

        // Second run: a fresh subscription resumes from the stored checkpoint.
        Assert.True(await Store.LoadCheckpointAsync("item-counts") >= 40);
        using (var secondRun = new CancellationTokenSource())
        {
            var projection = new NotifyingProjection(new ItemCountProjection(Store));
            var running = Subscribe(projection).RunAsync(secondRun.Token);
            await projection.WhenCommittedAsync(last);
            await secondRun.CancelAsync();
            await running;
        }

        var positions = await ItemCountProjection.ReadPositionsAsync(Store);
        Assert.Equal(320, positions.Count);
        Assert.Equal(positions.Distinct().Count(), positions.Count);
        Assert.Equal(last, await Store.LoadCheckpointAsync("item-counts"));
    }

    [Fact]
    public async Task A_projection_that_fails_mid_batch_keeps_neither_its_rows_nor_its_checkpoint()
    {
        for (var i = 0; i < 100; i++)
        {
            await Store.AppendAsync("cart-1", i, [TestTypes.Added($"s{i}")]);
        }

        var failing = Subscribe(new ItemCountProjection(Store, failAfterBatches: 1));
        await failing.StartAsync(CancellationToken.None);
        await failing.PollOnceAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.PollOnceAsync(CancellationToken.None));

        Assert.Equal(37, await Store.LoadCheckpointAsync("item-counts"));
        Assert.Equal(37, (await ItemCountProjection.ReadPositionsAsync(Store)).Count);

        var healthy = Subscribe(new ItemCountProjection(Store));
        await healthy.StartAsync(CancellationToken.None);
        while (healthy.Checkpoint < 100)
        {
            await healthy.PollOnceAsync(CancellationToken.None);
        }

        Assert.Equal(100, (await ItemCountProjection.ReadPositionsAsync(Store)).Count);
    }
}

public sealed class SqliteProjectionTests : ProjectionTests
{
    protected override IStoreFactory CreateFactory() => new SqliteStoreFactory();
}

[Collection("postgres")]
public sealed class PostgresProjectionTests(SmartStore.Testing.PostgresFixture postgres) : ProjectionTests
{
    protected override IStoreFactory CreateFactory() => new PostgresStoreFactory(postgres.Server);
}
