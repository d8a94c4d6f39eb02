namespace SmartStore.Persistence;

/// <summary>An event ready to store: already serialised under its stable type name and version.</summary>
public sealed record EventData(string TypeName, int TypeVersion, ReadOnlyMemory<byte> Payload, IReadOnlyList<string> Tags);

/// <summary>An event as stored: its stream and sequence number, and its position in the global order.</summary>
public sealed record PersistedEvent(
    long Position,
    string StreamId,
    long Sequence,
    string TypeName,
    int TypeVersion,
    ReadOnlyMemory<byte> Payload,
    IReadOnlyList<string> Tags,
    DateTimeOffset Timestamp)
{
    /// <summary>The part of the stream id before the first '-' (<c>visit-42</c> → <c>visit</c>).</summary>
    public string Category => StreamIds.CategoryOf(StreamId);
}

/// <summary>What one successful append stored.</summary>
public sealed record AppendResult(string StreamId, long FirstSequence, long LastSequence, long LastPosition);

/// <summary>A snapshot of a stream's state at <see cref="Sequence"/>.</summary>
public sealed record SnapshotData(string StreamId, long Sequence, string TypeName, int TypeVersion, ReadOnlyMemory<byte> Payload, DateTimeOffset Timestamp);

/// <summary>
/// One page of the global order. <see cref="Events"/> is gap-free: it stops before the first missing position.
/// </summary>
/// <param name="Events">Stored events after the requested position, in order, up to the first gap.</param>
/// <param name="LastPosition">The position to continue after (it also covers erased events, which are skipped).</param>
/// <param name="MissingPosition">The first missing position when later events exist beyond it (a gap), else null.</param>
/// <param name="OldestRunningWriter">A writer horizon read before the events: writers older than this had all ended.</param>
/// <param name="NewestWriter">A writer horizon read after the events: every writer that could hold a missing position is older.</param>
public sealed record GlobalPage(
    IReadOnlyList<PersistedEvent> Events,
    long LastPosition,
    long? MissingPosition,
    long OldestRunningWriter,
    long NewestWriter);

/// <summary>Conventions for stream ids.</summary>
public static class StreamIds
{
    public static string CategoryOf(string streamId)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        var dash = streamId.IndexOf('-', StringComparison.Ordinal);
        return dash <= 0 ? streamId : streamId[..dash];
    }

    public static void Validate(string streamId)
    {
        if (string.IsNullOrWhiteSpace(streamId) || streamId.Length > 200)
        {
            throw new ArgumentException($"Stream id '{streamId}' must be 1-200 characters and not blank.", nameof(streamId));
        }
    }
}

/// <summary>Expected-version values with a special meaning.</summary>
public static class ExpectedVersion
{
    /// <summary>Append whatever the stream's version is (no optimistic check).</summary>
    public const long Any = -1;

    /// <summary>The stream must not have any event yet.</summary>
    public const long NoStream = 0;
}
