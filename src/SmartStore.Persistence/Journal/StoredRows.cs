using System.Data.Common;

namespace SmartStore.Persistence;

/// <summary>The row format both stores share: column order, tag encoding and the erased-event marker.</summary>
public static class StoredRows
{
    /// <summary>The type name of an erased event's marker row (it keeps its position, nothing else).</summary>
    public const string ErasedType = "$erased";

    /// <summary>Columns in the order <see cref="ReadEvent"/> expects them.</summary>
    public const string EventColumns = "position, stream_id, sequence, type_name, type_version, payload, tags, ";

    private const char TagSeparator = '\u001f';

    public static string JoinTags(IReadOnlyList<string> tags) => tags.Count == 0 ? string.Empty : string.Join(TagSeparator, tags);

    public static IReadOnlyList<string> SplitTags(string tags) => tags.Length == 0 ? [] : tags.Split(TagSeparator);

    /// <summary>Reads a row selected as <see cref="EventColumns"/> plus a timestamp column at index 7.</summary>
    public static PersistedEvent ReadEvent(DbDataReader reader, Func<DbDataReader, int, DateTimeOffset> timestamp)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(timestamp);
        return new PersistedEvent(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetInt64(2),
            reader.GetString(3),
            reader.GetInt32(4),
            (byte[])reader[5],
            SplitTags(reader.GetString(6)),
            timestamp(reader, 7));
    }
}
