using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace SmartStore.Persistence;

/// <summary>One caller's append, waiting in the group-commit queue.</summary>
public sealed class PendingAppend(string streamId, long expectedVersion, IReadOnlyList<EventData> events)
{
    private readonly TaskCompletionSource<AppendResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string StreamId { get; } = streamId;

    public long ExpectedVersion { get; } = expectedVersion;

    public IReadOnlyList<EventData> Events { get; } = events;

    public Task<AppendResult> Task => _completion.Task;

    /// <summary>Validates an append request the same way for every store.</summary>
    public static PendingAppend Create(string streamId, long expectedVersion, IReadOnlyList<EventData> events)
    {
        StreamIds.Validate(streamId);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        if (expectedVersion < Persistence.ExpectedVersion.Any)
        {
            throw new ArgumentOutOfRangeException(nameof(expectedVersion), expectedVersion, "Expected version is a sequence number, 0 for a new stream, or -1 for any.");
        }

        return new PendingAppend(streamId, expectedVersion, events);
    }

    public void Succeed(AppendResult result) => _completion.TrySetResult(result);

    public void Fail(Exception exception) => _completion.TrySetException(exception);
}

/// <summary>Writes one batch in one transaction and completes every append in it (success, conflict or failure).</summary>
public interface IBatchWriter
{
    Task WriteBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken);
}

/// <summary>Settings of the group commit.</summary>
public sealed record GroupCommitOptions
{
    /// <summary>Appends that may wait; beyond this an append fails at once with <see cref="JournalBusyException"/>.</summary>
    public int QueueCapacity { get; init; } = 50_000;

    /// <summary>Events per transaction at most (one append is never split).</summary>
    public int MaxBatchEvents { get; init; } = 500;

    /// <summary>Transactions in flight at once (SQLite has one writer, so it always uses 1).</summary>
    public int Writers { get; init; } = 2;

    /// <summary>No batching at all: one transaction per append (the benchmark's comparison).</summary>
    public static GroupCommitOptions Unbatched { get; } = new() { MaxBatchEvents = 1, Writers = 1 };
}

/// <summary>
/// Group commit: concurrent appends wait in a bounded queue and are written in batches, one transaction per
/// batch, by a few writer loops. Every caller's task completes with its batch; a full queue answers
/// "busy" at once instead of blocking.
/// </summary>
public sealed class AppendQueue : IAsyncDisposable
{
    private readonly Channel<PendingAppend> _queue;
    private readonly IBatchWriter _writer;
    private readonly GroupCommitOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task[] _loops;

    public AppendQueue(IBatchWriter writer, GroupCommitOptions options, ILogger logger)
    {
        _writer = writer ?? throw new ArgumentNullException(nameof(writer));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = options.Writers == 1,
        });
        _loops = Enumerable.Range(0, Math.Max(1, options.Writers)).Select(_ => Task.Run(WriteLoopAsync)).ToArray();
    }

    public Task<AppendResult> EnqueueAsync(PendingAppend append)
    {
        ArgumentNullException.ThrowIfNull(append);
        if (!_queue.Writer.TryWrite(append))
        {
            append.Fail(_stopping.IsCancellationRequested
                ? new JournalFailureException("The journal is closed.")
                : new JournalBusyException(_options.QueueCapacity));
        }

        return append.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            _logger.LogError("Append queue did not drain within 30 s; cancelling the writers");
        }

        await _stopping.CancelAsync();
        while (_queue.Reader.TryRead(out var left))
        {
            left.Fail(new JournalFailureException("The journal closed before the append was written."));
        }

        _stopping.Dispose();
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        var batch = new List<PendingAppend>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var events = 0;
            while (events < _options.MaxBatchEvents && reader.TryRead(out var next))
            {
                batch.Add(next);
                events += next.Events.Count;
            }

            if (batch.Count == 0)
            {
                continue;
            }

            try
            {
                await _writer.WriteBatchAsync(batch, _stopping.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A batch failure fails its callers; the loop must live on for the next batch.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _logger.LogError(exception, "Journal batch of {Count} appends failed", batch.Count);
                var failure = exception as JournalFailureException ?? new JournalFailureException($"Journal write failed: {exception.Message}", exception);
                foreach (var append in batch)
                {
                    append.Fail(failure);
                }
            }
        }
    }
}

/// <summary>Decides, within one batch, which appends pass their optimistic check, tracking versions as it goes.</summary>
public static class BatchPlanner
{
    /// <summary>
    /// Given each stream's current version, returns the accepted appends with their first sequence number,
    /// failing the rest with <see cref="ConcurrencyException"/> (nothing of theirs will be stored).
    /// </summary>
    public static List<(PendingAppend Append, long FirstSequence)> Plan(IReadOnlyList<PendingAppend> batch, IDictionary<string, long> versions)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(versions);
        var accepted = new List<(PendingAppend, long)>(batch.Count);
        foreach (var append in batch)
        {
            var current = versions.TryGetValue(append.StreamId, out var v) ? v : 0;
            if (append.ExpectedVersion != ExpectedVersion.Any && append.ExpectedVersion != current)
            {
                append.Fail(new ConcurrencyException(append.StreamId, append.ExpectedVersion, current));
                continue;
            }

            accepted.Add((append, current + 1));
            versions[append.StreamId] = current + append.Events.Count;
        }

        return accepted;
    }
}
