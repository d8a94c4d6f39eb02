using System.Data.Common;

namespace SmartStore.Persistence;

/// <summary>
/// The event journal: append-only streams with optimistic concurrency, and one global order for projections.
/// Every implementation passes the same conformance suite (tests/SmartStore.Persistence.Tests).
/// </summary>
public interface IEventJournal : IAsyncDisposable
{
    /// <summary>"sqlite", "postgresql": for logs and reports.</summary>
    string Name { get; }

    /// <summary>
    /// Appends <paramref name="events"/> to a stream, all or none. <paramref name="expectedVersion"/> is the
    /// sequence number of the last event the caller knows (<see cref="ExpectedVersion.NoStream"/> for a new
    /// stream, <see cref="ExpectedVersion.Any"/> to skip the check). Throws <see cref="ConcurrencyException"/>
    /// (nothing stored), <see cref="JournalBusyException"/> (queue full, nothing stored) or
    /// <see cref="JournalFailureException"/> (storage failed).
    /// </summary>
    Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default);

    /// <summary>The stream's events from <paramref name="fromSequence"/> on, in order; erased events are left out.</summary>
    IAsyncEnumerable<PersistedEvent> ReadStreamAsync(string streamId, long fromSequence = 1, CancellationToken cancellationToken = default);

    /// <summary>The highest sequence number ever stored in the stream (kept after erasure), 0 for none.</summary>
    Task<long> ReadHighestSequenceAsync(string streamId, CancellationToken cancellationToken = default);

    /// <summary>Events after <paramref name="afterPosition"/> in global order, never past a gap (see <see cref="GlobalPage"/>).</summary>
    Task<GlobalPage> ReadAllAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Events of one stream category after a position, in global order (a filtered read for queries).</summary>
    Task<IReadOnlyList<PersistedEvent>> ReadCategoryAsync(string category, long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>Events carrying <paramref name="tag"/> after a position, in global order.</summary>
    Task<IReadOnlyList<PersistedEvent>> ReadTagAsync(string tag, long afterPosition, int maxCount, CancellationToken cancellationToken = default);

    /// <summary>
    /// Erases a stream's events and snapshots up to and including <paramref name="upToSequence"/> (retention,
    /// and the right to erasure): their payloads and tags are gone; their positions stay as empty markers so
    /// the global order has no hole; the stream's highest sequence number is kept.
    /// </summary>
    Task DeleteStreamAsync(string streamId, long upToSequence, CancellationToken cancellationToken = default);
}

/// <summary>Snapshots: the latest state of a stream, to shorten recovery.</summary>
public interface ISnapshotStore
{
    Task SaveSnapshotAsync(SnapshotData snapshot, CancellationToken cancellationToken = default);

    Task<SnapshotData?> LoadSnapshotAsync(string streamId, CancellationToken cancellationToken = default);
}

/// <summary>
/// Checkpoints stored in the journal's own database, so a read model in the same database can commit its
/// changes and its checkpoint in one transaction.
/// </summary>
public interface IProjectionCheckpoints
{
    Task<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="apply"/> and moves the checkpoint of <paramref name="projection"/> to
    /// <paramref name="checkpoint"/> in one transaction: both happen or neither does.
    /// </summary>
    Task CommitAsync(string projection, long checkpoint, Func<DbTransaction, CancellationToken, Task> apply, CancellationToken cancellationToken = default);
}

/// <summary>Everything one database offers: journal, snapshots and projection checkpoints.</summary>
public interface IEventStore : IEventJournal, ISnapshotStore, IProjectionCheckpoints;
