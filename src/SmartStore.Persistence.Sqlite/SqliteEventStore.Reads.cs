using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace SmartStore.Persistence.Sqlite;

/// <summary>Reads, erasure, snapshots and projection checkpoints.</summary>
public sealed partial class SqliteEventStore
{
    private const string EventColumns = StoredRows.EventColumns + "created_ms";

    public async IAsyncEnumerable<PersistedEvent> ReadStreamAsync(string streamId, long fromSequence = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {EventColumns} FROM events WHERE stream_id = $id AND sequence >= $from AND type_name <> '{ErasedType}' ORDER BY sequence";
        command.Parameters.AddWithValue("$id", streamId);
        command.Parameters.AddWithValue("$from", fromSequence);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadEvent(reader);
        }
    }

    public async Task<long> ReadHighestSequenceAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM streams WHERE stream_id = $id";
        command.Parameters.AddWithValue("$id", streamId);
        return await command.ExecuteScalarAsync(cancellationToken) is long version ? version : 0;
    }

    public async Task<GlobalPage> ReadAllAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {EventColumns} FROM events WHERE position > $after ORDER BY position LIMIT $max";
        command.Parameters.AddWithValue("$after", afterPosition);
        command.Parameters.AddWithValue("$max", maxCount);
        var rows = new List<PersistedEvent>(Math.Min(maxCount, 1024));
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(ReadEvent(reader));
            }
        }

        // One writer commits positions in order, so no writer can still fill a hole: horizons say so.
        return GlobalOrder.Page(rows, afterPosition, ErasedType, oldestRunningWriter: long.MaxValue, newestWriter: 0);
    }

    public Task<IReadOnlyList<PersistedEvent>> ReadCategoryAsync(string category, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT {EventColumns} FROM events WHERE category = $key AND position > $after AND type_name <> '{ErasedType}' ORDER BY position LIMIT $max",
            category,
            afterPosition,
            maxCount,
            cancellationToken);

    public Task<IReadOnlyList<PersistedEvent>> ReadTagAsync(string tag, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        QueryAsync(
            $"SELECT e.position, e.stream_id, e.sequence, e.type_name, e.type_version, e.payload, e.tags, e.created_ms FROM event_tags t JOIN events e ON e.position = t.position WHERE t.tag = $key AND t.position > $after ORDER BY t.position LIMIT $max",
            tag,
            afterPosition,
            maxCount,
            cancellationToken);

    public async Task DeleteStreamAsync(string streamId, long upToSequence, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ExecuteAsync(connection, "PRAGMA secure_delete=ON", cancellationToken);
        await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"""
                DELETE FROM event_tags WHERE position IN (SELECT position FROM events WHERE stream_id = $id AND sequence <= $upTo);
                UPDATE events SET type_name = '{ErasedType}', type_version = 0, payload = x'', tags = '' WHERE stream_id = $id AND sequence <= $upTo;
                DELETE FROM snapshots WHERE stream_id = $id AND sequence <= $upTo;
                """;
            command.Parameters.AddWithValue("$id", streamId);
            command.Parameters.AddWithValue("$upTo", upToSequence);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        // The old page images still sit in the write-ahead log until a checkpoint: fold and truncate it so
        // erased personal data is not left readable in the files.
        await ExecuteAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)", cancellationToken);
    }

    public async Task SaveSnapshotAsync(SnapshotData snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;

        // Only the latest snapshot is ever loaded; older ones are dropped with the write.
        command.CommandText = """
            INSERT OR REPLACE INTO snapshots (stream_id, sequence, type_name, type_version, payload, created_ms) VALUES ($id, $seq, $type, $version, $payload, $created);
            DELETE FROM snapshots WHERE stream_id = $id AND sequence < $seq;
            """;
        command.Parameters.AddWithValue("$id", snapshot.StreamId);
        command.Parameters.AddWithValue("$seq", snapshot.Sequence);
        command.Parameters.AddWithValue("$type", snapshot.TypeName);
        command.Parameters.AddWithValue("$version", snapshot.TypeVersion);
        command.Parameters.AddWithValue("$payload", snapshot.Payload.ToArray());
        command.Parameters.AddWithValue("$created", snapshot.Timestamp.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<SnapshotData?> LoadSnapshotAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence, type_name, type_version, payload, created_ms FROM snapshots WHERE stream_id = $id ORDER BY sequence DESC LIMIT 1";
        command.Parameters.AddWithValue("$id", streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new SnapshotData(streamId, reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3], DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
    }

    public async Task<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT position FROM projection_checkpoints WHERE name = $name";
        command.Parameters.AddWithValue("$name", projection);
        return await command.ExecuteScalarAsync(cancellationToken) is long position ? position : 0;
    }

    public async Task CommitAsync(string projection, long checkpoint, Func<DbTransaction, CancellationToken, Task> apply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(apply);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await apply(transaction, cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO projection_checkpoints (name, position) VALUES ($name, $position) ON CONFLICT (name) DO UPDATE SET position = excluded.position";
        command.Parameters.AddWithValue("$name", projection);
        command.Parameters.AddWithValue("$position", checkpoint);
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<PersistedEvent>> QueryAsync(string sql, string key, long afterPosition, int maxCount, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$after", afterPosition);
        command.Parameters.AddWithValue("$max", maxCount);
        var events = new List<PersistedEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(ReadEvent(reader));
        }

        return events;
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch (SqliteException exception)
        {
            await connection.DisposeAsync();
            throw new JournalFailureException($"SQLite journal '{_options.Path}' is unavailable: {exception.Message}", exception);
        }
    }

    private static PersistedEvent ReadEvent(DbDataReader reader) => StoredRows.ReadEvent(reader, static (r, i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i)));
}
