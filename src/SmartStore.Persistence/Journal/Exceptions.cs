namespace SmartStore.Persistence;

/// <summary>
/// An append expected a different stream version: another writer got there first. Nothing was stored.
/// </summary>
public sealed class ConcurrencyException(string streamId, long expected, long actual)
    : Exception($"Stream '{streamId}' is at version {actual}, but the append expected {expected}; nothing was stored.")
{
    public string StreamId { get; } = streamId;

    public long Expected { get; } = expected;

    public long Actual { get; } = actual;
}

/// <summary>
/// An event could not be serialised (or its type is not registered). Nothing was stored and the journal is
/// fine: the caller may continue. Distinct from <see cref="JournalFailureException"/>.
/// </summary>
public sealed class EventRejectedException(string reason, Exception? inner = null)
    : Exception($"Event rejected: {reason}", inner);

/// <summary>The storage itself failed or is unavailable; what the append tried may or may not be stored.</summary>
public sealed class JournalFailureException(string message, Exception? inner = null)
    : Exception(message, inner);

/// <summary>The group-commit queue is full; try again later. Nothing was stored.</summary>
public sealed class JournalBusyException(int capacity)
    : Exception($"The journal's append queue is full ({capacity} appends waiting); nothing was stored.");

/// <summary>A stored event could not be turned back into an object.</summary>
public sealed class EventDeserializationException(string streamId, long sequence, string reason, Exception? inner = null)
    : Exception($"Event {sequence} of stream '{streamId}' cannot be read: {reason}", inner)
{
    public string StreamId { get; } = streamId;

    public long Sequence { get; } = sequence;
}
