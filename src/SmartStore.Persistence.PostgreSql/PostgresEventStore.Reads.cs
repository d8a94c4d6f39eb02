using System.Data.Common;
using System.Runtime.CompilerServices;
using Npgsql;

namespace SmartStore.Persistence.PostgreSql;

/// <summary>Reads, erasure, snapshots and projection checkpoints.</summary>
public sealed partial class PostgresEventStore
{
    private const string EventColumns = StoredRows.EventColumns + "created_utc";

    public async IAsyncEnumerable<PersistedEvent> ReadStreamAsync(string streamId, long fromSequence = 1, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand($"SELECT {EventColumns} FROM events WHERE stream_id = $1 AND sequence >= $2 AND type_name <> '{ErasedType}' ORDER BY sequence");
        command.Parameters.Add(new NpgsqlParameter { Value = streamId });
        command.Parameters.Add(new NpgsqlParameter { Value = fromSequence });
        await using var reader = await ExecuteReaderAsync(command, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return ReadEvent(reader);
        }
    }

    public async Task<long> ReadHighestSequenceAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT version FROM streams WHERE stream_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = streamId });
        return await Guard(async () => await command.ExecuteScalarAsync(cancellationToken) is long version ? version : 0);
    }

    public async Task<GlobalPage> ReadAllAsync(long afterPosition, int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);

        // Three statements, three snapshots, in this order on purpose: the oldest running writer is read
        // before the events (so a writer that ended by then had its rows visible to the event read), the
        // newest writer after them (so every writer that could hold a hole we saw is older than it).
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT {EventColumns} FROM events WHERE position > $1 ORDER BY position LIMIT $2")
        {
            Parameters = { new() { Value = afterPosition }, new() { Value = maxCount } },
        });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint"));
        return await Guard(async () =>
        {
            await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var oldestRunning = reader.GetInt64(0);
            await reader.NextResultAsync(cancellationToken);
            var rows = new List<PersistedEvent>(Math.Min(maxCount, 1024));
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(ReadEvent(reader));
            }

            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var newest = reader.GetInt64(0);
            return GlobalOrder.Page(rows, afterPosition, ErasedType, oldestRunning, newest);
        });
    }

    public Task<IReadOnlyList<PersistedEvent>> ReadCategoryAsync(string category, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        QueryAsync($"SELECT {EventColumns} FROM events WHERE category = $1 AND position > $2 AND type_name <> '{ErasedType}' ORDER BY position LIMIT $3", category, afterPosition, maxCount, cancellationToken);

    public Task<IReadOnlyList<PersistedEvent>> ReadTagAsync(string tag, long afterPosition, int maxCount, CancellationToken cancellationToken = default) =>
        QueryAsync(
            "SELECT e.position, e.stream_id, e.sequence, e.type_name, e.type_version, e.payload, e.tags, e.created_utc FROM event_tags t JOIN events e ON e.position = t.position WHERE t.tag = $1 AND t.position > $2 ORDER BY t.position LIMIT $3",
            tag,
            afterPosition,
            maxCount,
            cancellationToken);

    public async Task DeleteStreamAsync(string streamId, long upToSequence, CancellationToken cancellationToken = default)
    {
        await Guard(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM event_tags WHERE position IN (SELECT position FROM events WHERE stream_id = $1 AND sequence <= $2)") { Parameters = { new() { Value = streamId }, new() { Value = upToSequence } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"UPDATE events SET type_name = '{ErasedType}', type_version = 0, payload = ''::bytea, tags = '' WHERE stream_id = $1 AND sequence <= $2") { Parameters = { new() { Value = streamId }, new() { Value = upToSequence } } });
            batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM snapshots WHERE stream_id = $1 AND sequence <= $2") { Parameters = { new() { Value = streamId }, new() { Value = upToSequence } } });
            await batch.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return 0;
        });
    }

    public async Task SaveSnapshotAsync(SnapshotData snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await Guard(async () =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(new NpgsqlBatchCommand(
                "INSERT INTO snapshots (stream_id, sequence, type_name, type_version, payload, created_utc) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (stream_id, sequence) DO UPDATE SET type_name = excluded.type_name, type_version = excluded.type_version, payload = excluded.payload, created_utc = excluded.created_utc")
            {
                Parameters =
                {
                    new() { Value = snapshot.StreamId }, new() { Value = snapshot.Sequence }, new() { Value = snapshot.TypeName },
                    new() { Value = snapshot.TypeVersion }, new() { Value = snapshot.Payload.ToArray() }, new() { Value = snapshot.Timestamp.UtcDateTime },
                },
            });
            batch.BatchCommands.Add(new NpgsqlBatchCommand("DELETE FROM snapshots WHERE stream_id = $1 AND sequence < $2") { Parameters = { new() { Value = snapshot.StreamId }, new() { Value = snapshot.Sequence } } });
            await batch.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return 0;
        });
    }

    public async Task<SnapshotData?> LoadSnapshotAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT sequence, type_name, type_version, payload, created_utc FROM snapshots WHERE stream_id = $1 ORDER BY sequence DESC LIMIT 1");
        command.Parameters.Add(new NpgsqlParameter { Value = streamId });
        return await Guard(async () =>
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }

            return new SnapshotData(streamId, reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader[3], new DateTimeOffset(reader.GetDateTime(4), TimeSpan.Zero));
        });
    }

    public async Task<long> LoadCheckpointAsync(string projection, CancellationToken cancellationToken = default)
    {
        await using var command = _dataSource.CreateCommand("SELECT position FROM projection_checkpoints WHERE name = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = projection });
        return await Guard(async () => await command.ExecuteScalarAsync(cancellationToken) is long position ? position : 0);
    }

    public async Task CommitAsync(string projection, long checkpoint, Func<DbTransaction, CancellationToken, Task> apply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(apply);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await apply(transaction, cancellationToken);
        await using var command = new NpgsqlCommand("INSERT INTO projection_checkpoints (name, position) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET position = excluded.position", connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = projection });
        command.Parameters.Add(new NpgsqlParameter { Value = checkpoint });
        await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<PersistedEvent>> QueryAsync(string sql, string key, long afterPosition, int maxCount, CancellationToken cancellationToken)
    {
        await using var command = _dataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = key });
        command.Parameters.Add(new NpgsqlParameter { Value = afterPosition });
        command.Parameters.Add(new NpgsqlParameter { Value = maxCount });
        return await Guard<IReadOnlyList<PersistedEvent>>(async () =>
        {
            var events = new List<PersistedEvent>();
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                events.Add(ReadEvent(reader));
            }

            return events;
        });
    }

    private static async Task<NpgsqlDataReader> ExecuteReaderAsync(NpgsqlCommand command, CancellationToken cancellationToken) =>
        await Guard(() => command.ExecuteReaderAsync(cancellationToken));

    /// <summary>Storage errors surface as <see cref="JournalFailureException"/>, the contract's failure.</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (NpgsqlException exception)
        {
            throw new JournalFailureException($"PostgreSQL journal failed: {exception.Message}", exception);
        }
    }

    private static PersistedEvent ReadEvent(DbDataReader reader) => StoredRows.ReadEvent(reader, static (r, i) => new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero));
}
