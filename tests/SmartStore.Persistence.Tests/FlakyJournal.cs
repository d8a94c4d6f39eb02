

namespace SmartStore.Persistence.Tests;

/// <summary>
/// Wraps a real store and fails the next appends on demand, as a storage outage would (a decorator around
/// the real component: reads and successful writes go to the real database).
/// </summary>
public sealed class FlakyJournal(IEventStore inner) : IEventStore
{
    private int _failuresLeft;

    public string Name => inner.Name;

    public int FailedAppends { get; private set; }

    public void FailNextAppends(int count) => Volatile.Write(ref _failuresLeft, count);

    public Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            FailedAppends++;
            return Task.FromException<AppendResult>(new JournalFailureException("storage unavailable (injected)"));
        }

        return inner.AppendAsync(streamId, expectedVersion, events, cancellationToken);
    }

    public IAsyncEnumerable<PersistedEvent> ReadStreamAsync(string streamId, long fromSequence = 1, CancellationToken cancellationToken = default) =>
        inner.ReadStreamAsync(streamId, fromSequence, cancellationToken);

    public Task<long> ReadHighestSequenceAsync(string streamId, CancellationToken cancellationToken = default) => inner.ReadHighestSequenceAsync(streamId, cancellationToken);

    public Task<GlobalPage> ReadAllAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default) => inner.ReadAllAsync(afterPosition, maxCount, cancellationToken);

    public Task<IReadOnlyList<PersistedEvent>> ReadCategoryAsync(string category, long afterPosition, int maxCount, CancellationToken cancellationToken = default) => inner.ReadCategoryAsync(category, afterPosition, maxCount, cancellationToken);

    public Task<IReadOnlyList<PersistedEvent>> ReadTagAsync(string tag, long afterPosition, int maxCount, CancellationToken cancellationToken = default) => inner.ReadTagAsync(tag, afterPosition, maxCount, cancellationToken);

    public Task DeleteStreamAsync(string streamId, long upToSequence, CancellationToken cancellationToken = default) => inner.DeleteStreamAsync(streamId, upToSequence, cancellationToken);

    public Task SaveSnapshotAsync(SnapshotData snapshot, CancellationToken cancellationToken = default) => inner.SaveSnapshotAsync(snapshot, cancellationToken);

    public Task<SnapshotData?> LoadSnapshotAsync(string streamId, CancellationToken cancellationToken = default) => inner.LoadSnapshotAsync(streamId, cancellationToken);

    public Task<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default) => inner.LoadCheckpointAsync(projection, cancellationToken);

    public Task CommitAsync(string projection, long checkpoint, Func<System.Data.Common.DbTransaction, CancellationToken, Task> apply, CancellationToken cancellationToken = default) =>
        inner.CommitAsync(projection, checkpoint, apply, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
