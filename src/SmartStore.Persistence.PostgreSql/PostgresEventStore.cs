using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace SmartStore.Persistence.PostgreSql;

/// <summary>Settings of the PostgreSQL store.</summary>
public sealed record PostgresStoreOptions(string ConnectionString)
{
    public GroupCommitOptions GroupCommit { get; init; } = new() { Writers = 2 };

    public string WriterId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";
}

/// <summary>
/// The event store on PostgreSQL 15. Appends arrive in group commits written by a few parallel transactions.
/// Each transaction locks the rows of its streams and checks every expected version <em>before</em> it takes
/// any position, so a lost optimistic race never burns a position. Parallel transactions still commit their
/// positions out of order; the global read therefore stops at the first hole and reports writer horizons,
/// so a subscription waits for a late commit instead of skipping it (see <see cref="CatchUpSubscription"/>).
/// </summary>
public sealed partial class PostgresEventStore : IEventStore, IBatchWriter
{
    internal const string ErasedType = StoredRows.ErasedType;
    private readonly PostgresStoreOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly AppendQueue _queue;

    private PostgresEventStore(PostgresStoreOptions options, NpgsqlDataSource dataSource, ILogger logger)
    {
        _options = options;
        _dataSource = dataSource;
        _queue = new AppendQueue(this, options.GroupCommit, logger);
    }

    public string Name => "postgresql";

    /// <summary>Test seam: runs inside each batch transaction just before commit (slow-writer tests).</summary>
    internal Func<IReadOnlyList<PendingAppend>, CancellationToken, Task>? BeforeCommit { get; set; }

    public static async Task<PostgresEventStore> OpenAsync(PostgresStoreOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var dataSource = NpgsqlDataSource.Create(options.ConnectionString);
        try
        {
            await MigrateAsync(dataSource, cancellationToken);
        }
        catch (NpgsqlException exception)
        {
            await dataSource.DisposeAsync();
            throw new JournalFailureException($"Cannot open the PostgreSQL journal: {exception.Message}", exception);
        }

        return new PostgresEventStore(options, dataSource, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PostgresEventStore>());
    }

    public Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default) =>
        _queue.EnqueueAsync(PendingAppend.Create(streamId, expectedVersion, events));

    async Task IBatchWriter.WriteBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Sorted ids: parallel batches lock shared streams in the same order, so they cannot deadlock.
        var ids = batch.Select(a => a.StreamId).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var lockStreams = new NpgsqlBatch(connection, transaction))
        {
            lockStreams.BatchCommands.Add(new NpgsqlBatchCommand("INSERT INTO streams (stream_id, version) SELECT unnest($1::text[]), 0 ON CONFLICT (stream_id) DO NOTHING") { Parameters = { new() { Value = ids } } });
            lockStreams.BatchCommands.Add(new NpgsqlBatchCommand("SELECT stream_id, version FROM streams WHERE stream_id = ANY($1) ORDER BY stream_id FOR UPDATE") { Parameters = { new() { Value = ids } } });
            await using var reader = await lockStreams.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                versions[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        var accepted = BatchPlanner.Plan(batch, versions);
        if (accepted.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken);
            return;
        }

        var rows = accepted.Sum(a => a.Append.Events.Count);
        var streams = new string[rows];
        var sequences = new long[rows];
        var categories = new string[rows];
        var types = new string[rows];
        var typeVersions = new int[rows];
        var payloads = new byte[rows][];
        var tags = new string[rows];
        var row = 0;
        foreach (var (append, first) in accepted)
        {
            var category = StreamIds.CategoryOf(append.StreamId);
            for (var i = 0; i < append.Events.Count; i++, row++)
            {
                var e = append.Events[i];
                streams[row] = append.StreamId;
                sequences[row] = first + i;
                categories[row] = category;
                types[row] = e.TypeName;
                typeVersions[row] = e.TypeVersion;
                payloads[row] = e.Payload.ToArray();
                tags[row] = StoredRows.JoinTags(e.Tags);
            }
        }

        var lastPositions = new Dictionary<(string, long), long>();
        await using (var insert = new NpgsqlCommand(
            """
            WITH inserted AS (
                INSERT INTO events (stream_id, sequence, category, type_name, type_version, payload, tags, writer_id, created_utc)
                SELECT s, q, c, t, v, p, g, $8, now()
                FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::int[], $6::bytea[], $7::text[]) WITH ORDINALITY AS u(s, q, c, t, v, p, g, n)
                ORDER BY n
                RETURNING position, stream_id, sequence, tags),
            tagged AS (
                INSERT INTO event_tags (tag, position)
                SELECT tag, i.position FROM inserted i, unnest(string_to_array(NULLIF(i.tags, ''), E'\x1f')) AS tag)
            SELECT stream_id, sequence, position FROM inserted
            """,
            connection,
            transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = streams });
            insert.Parameters.Add(new NpgsqlParameter { Value = sequences });
            insert.Parameters.Add(new NpgsqlParameter { Value = categories });
            insert.Parameters.Add(new NpgsqlParameter { Value = types });
            insert.Parameters.Add(new NpgsqlParameter { Value = typeVersions });
            insert.Parameters.Add(new NpgsqlParameter { Value = payloads, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            insert.Parameters.Add(new NpgsqlParameter { Value = tags });
            insert.Parameters.Add(new NpgsqlParameter { Value = _options.WriterId });
            await using var reader = await insert.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                lastPositions[(reader.GetString(0), reader.GetInt64(1))] = reader.GetInt64(2);
            }
        }

        var results = new List<(PendingAppend Append, AppendResult Result)>(accepted.Count);
        var finalVersions = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (append, first) in accepted)
        {
            var last = first + append.Events.Count - 1;
            finalVersions[append.StreamId] = last;
            results.Add((append, new AppendResult(append.StreamId, first, last, lastPositions[(append.StreamId, last)])));
        }

        await using (var update = new NpgsqlCommand(
            "UPDATE streams s SET version = u.version FROM unnest($1::text[], $2::bigint[]) AS u(stream_id, version) WHERE s.stream_id = u.stream_id",
            connection,
            transaction))
        {
            update.Parameters.Add(new NpgsqlParameter { Value = finalVersions.Keys.ToArray() });
            update.Parameters.Add(new NpgsqlParameter { Value = finalVersions.Values.ToArray() });
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        if (BeforeCommit is { } hook)
        {
            await hook(batch, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        foreach (var (append, result) in results)
        {
            append.Succeed(result);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    private static async Task MigrateAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var guard = new NpgsqlCommand($"SELECT pg_advisory_lock({PostgresSchema.MigrationLock}); CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, applied_utc timestamptz NOT NULL DEFAULT now());", connection))
        {
            await guard.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            await using var read = new NpgsqlCommand("SELECT COALESCE(max(version), 0) FROM schema_migrations", connection);
            var current = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
            if (current > PostgresSchema.Migrations.Count)
            {
                throw new JournalFailureException($"The journal's schema is version {current}, newer than this build ({PostgresSchema.Migrations.Count}).");
            }

            for (var step = current; step < PostgresSchema.Migrations.Count; step++)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await using var command = new NpgsqlCommand($"{PostgresSchema.Migrations[step]}\nINSERT INTO schema_migrations (version) VALUES ({step + 1});", connection, transaction);
                await command.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({PostgresSchema.MigrationLock})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}
