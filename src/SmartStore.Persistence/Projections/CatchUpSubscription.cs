using Microsoft.Extensions.Logging;

namespace SmartStore.Persistence;

/// <summary>A read model fed from the global order. It must store its checkpoint with its own changes.</summary>
public interface IProjection
{
    string Name { get; }

    Task<long> LoadCheckpointAsync(CancellationToken cancellationToken);

    /// <summary>Applies a batch and moves the checkpoint to <paramref name="checkpoint"/>, atomically.</summary>
    Task ApplyAsync(IReadOnlyList<PersistedEvent> events, long checkpoint, CancellationToken cancellationToken);
}

/// <summary>A projection whose read model lives in the journal's database: changes and checkpoint commit together.</summary>
public abstract class SqlProjection(IProjectionCheckpoints checkpoints) : IProjection
{
    public abstract string Name { get; }

    public Task<long> LoadCheckpointAsync(CancellationToken cancellationToken) => checkpoints.LoadCheckpointAsync(Name, cancellationToken);

    public Task ApplyAsync(IReadOnlyList<PersistedEvent> events, long checkpoint, CancellationToken cancellationToken) =>
        checkpoints.CommitAsync(Name, checkpoint, (transaction, ct) => ProjectAsync(transaction, events, ct), cancellationToken);

    /// <summary>Writes the batch's effect through <paramref name="transaction"/> (its connection is open).</summary>
    protected abstract Task ProjectAsync(System.Data.Common.DbTransaction transaction, IReadOnlyList<PersistedEvent> events, CancellationToken cancellationToken);
}

/// <summary>Settings of a catch-up subscription.</summary>
public sealed record SubscriptionOptions
{
    public int BatchSize { get; init; } = 500;

    /// <summary>How long to wait before polling again when caught up.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A gap is skipped only after it has been seen this long <em>and</em> every writer that could still fill
    /// it has ended. The delay covers the moment between a writer taking a position and becoming visible.
    /// </summary>
    public TimeSpan GapSettleTime { get; init; } = TimeSpan.FromSeconds(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// Feeds a projection from the journal's global order, from its stored checkpoint on. It never passes a gap
/// that a running writer may still fill (an event that commits late is delivered, in order); a gap left by
/// a writer that rolled back is skipped once it has settled and its writers have ended.
/// </summary>
public sealed class CatchUpSubscription(IEventJournal journal, IProjection projection, SubscriptionOptions options, ILogger logger)
{
    private long _checkpoint;
    private GapWatch? _gap;

    public long Checkpoint => Interlocked.Read(ref _checkpoint);

    /// <summary>Gaps skipped as permanent (a writer rolled back after taking positions).</summary>
    public long SkippedGaps { get; private set; }

    /// <summary>Loads the projection's stored checkpoint; call before polling by hand.</summary>
    public async Task StartAsync(CancellationToken cancellationToken) =>
        Interlocked.Exchange(ref _checkpoint, await projection.LoadCheckpointAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>Loads the checkpoint and runs until cancelled (then returns quietly). Projection failures end the run.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await StartAsync(cancellationToken).ConfigureAwait(false);
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await PollOnceAsync(cancellationToken).ConfigureAwait(false))
                {
                    await Task.Delay(options.PollInterval, options.Time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping is the normal way out; the checkpoint stored so far stands.
        }
    }

    /// <summary>Reads and applies one page; true when the checkpoint moved. Never call it while <see cref="RunAsync"/> runs.</summary>
    public async Task<bool> PollOnceAsync(CancellationToken cancellationToken)
    {
        var page = await journal.ReadAllAsync(Checkpoint, options.BatchSize, cancellationToken).ConfigureAwait(false);
        var moved = false;
        if (page.LastPosition > Checkpoint)
        {
            if (page.Events.Count > 0)
            {
                await projection.ApplyAsync(page.Events, page.LastPosition, cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Exchange(ref _checkpoint, page.LastPosition);
            moved = true;
        }

        if (page.MissingPosition is not { } missing)
        {
            _gap = null;
            return moved;
        }

        moved |= TrySkipSettledGap(missing, page);
        return moved;
    }

    private bool TrySkipSettledGap(long missing, GlobalPage page)
    {
        var now = options.Time.GetTimestamp();
        if (_gap is null || _gap.Position != missing)
        {
            _gap = new GapWatch(missing, now, page.NewestWriter);
            return false;
        }

        var seenFor = options.Time.GetElapsedTime(_gap.FirstSeen, now);
        if (seenFor < options.GapSettleTime)
        {
            // Writers that took a position just before we looked become visible within the settle time:
            // keep widening the horizon until then.
            _gap = _gap with { Horizon = Math.Max(_gap.Horizon, page.NewestWriter) };
            return false;
        }

        if (page.OldestRunningWriter < _gap.Horizon)
        {
            // Some writer that could still fill the gap is running: wait, however long it takes.
            return false;
        }

        logger.LogWarning("{Projection}: skipping position {Position}; no writer can fill it any more", projection.Name, missing);
        Interlocked.Exchange(ref _checkpoint, missing);
        SkippedGaps++;
        _gap = null;
        return true;
    }

    private sealed record GapWatch(long Position, long FirstSeen, long Horizon);
}
