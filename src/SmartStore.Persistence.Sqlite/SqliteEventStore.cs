using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmartStore.Persistence.Sqlite;

[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class SqliteJson : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>Settings of the embedded SQLite store.</summary>
public sealed record SqliteStoreOptions(string Path)
{
    /// <summary>
    /// FULL (the default) makes every commit durable against power loss; NORMAL only against a crash of the
    /// process, for more throughput. Both run in WAL mode.
    /// </summary>
    public bool DurableCommits { get; init; } = true;

    public GroupCommitOptions GroupCommit { get; init; } = new() { Writers = 1 };

    public string WriterId { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>
/// The embedded event store on SQLite (WAL). One writer connection owns all appends, which arrive in group
/// commits; reads use pooled connections and never block the writer. With a single writer, positions commit
/// in order, so the global read has no in-flight gaps; erased events keep their positions as markers.
/// </summary>
public sealed partial class SqliteEventStore : IEventStore, IBatchWriter
{
    internal const string ErasedType = StoredRows.ErasedType;
    private readonly SqliteStoreOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly AppendQueue _queue;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _checkpoints;
    private WriterStatements? _statements;

    private SqliteEventStore(SqliteStoreOptions options, string connectionString, SqliteConnection writer, ILogger logger)
    {
        _options = options;
        _connectionString = connectionString;
        _writer = writer;
        _logger = logger;
        _queue = new AppendQueue(this, options.GroupCommit with { Writers = 1 }, logger);
        _checkpoints = Task.Run(() => CheckpointLoopAsync(_closing.Token));
    }

    /// <summary>
    /// Folds the write-ahead log back into the database every half second from its own connection. A PASSIVE
    /// checkpoint never blocks the writer, so commits no longer pay for checkpoints (measured: they were about
    /// half of each commit's time with SQLite's automatic checkpoints on the writer).
    /// </summary>
    private async Task CheckpointLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new SqliteConnection(_connectionString);
            await connection.OpenAsync(cancellationToken);
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), _options.Time, cancellationToken);
                await ExecuteAsync(connection, "PRAGMA wal_checkpoint(PASSIVE)", cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Closing.
        }
        catch (SqliteException exception)
        {
            _logger.LogError(exception, "WAL checkpoints stopped; the log file will grow until the store reopens");
        }
    }

    public string Name => "sqlite";

    public string Path => _options.Path;

    /// <summary>Opens (creating and migrating if needed) the store at <see cref="SqliteStoreOptions.Path"/>.</summary>
    public static async Task<SqliteEventStore> OpenAsync(SqliteStoreOptions options, ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(options.Path));
        try
        {
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new JournalFailureException($"Cannot create the SQLite journal's directory for '{options.Path}': {exception.Message}", exception);
        }

        var connectionString = new SqliteConnectionStringBuilder { DataSource = options.Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        var writer = new SqliteConnection(connectionString);
        try
        {
            await writer.OpenAsync(cancellationToken);
            // The writer never checkpoints: a background connection folds the WAL back (see CheckpointLoopAsync).
            await ExecuteAsync(writer, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(options.DurableCommits ? "FULL" : "NORMAL")}; PRAGMA secure_delete=ON; PRAGMA wal_autocheckpoint=0;", cancellationToken);
            await MigrateAsync(writer, cancellationToken);
        }
        catch (SqliteException exception)
        {
            await writer.DisposeAsync();
            throw new JournalFailureException($"Cannot open the SQLite journal at '{options.Path}': {exception.Message}", exception);
        }

        var logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SqliteEventStore>();
        return new SqliteEventStore(options, connectionString, writer, logger);
    }

    public Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default) =>
        _queue.EnqueueAsync(PendingAppend.Create(streamId, expectedVersion, events));

    /// <summary>
    /// Writes one batch on the single writer connection. SQLite has no asynchronous I/O, so the writer loop
    /// calls it synchronously on its own thread, with statements prepared once for the connection's life.
    /// </summary>
    Task IBatchWriter.WriteBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        var statements = _statements ??= new WriterStatements(_writer);
        var completions = new List<(PendingAppend Append, AppendResult Result)>(batch.Count);
        using (var transaction = _writer.BeginTransaction())
        {
            statements.Enlist(transaction);

            // One query for every stream of the batch.
            var versions = new Dictionary<string, long>(StringComparer.Ordinal);
            statements.Versions.Parameters[0].Value = JsonSerializer.Serialize(batch.Select(a => a.StreamId).Distinct(StringComparer.Ordinal).ToArray(), SqliteJson.Default.StringArray);
            using (var reader = statements.Versions.ExecuteReader())
            {
                while (reader.Read())
                {
                    versions[reader.GetString(0)] = reader.GetInt64(1);
                }
            }

            var accepted = BatchPlanner.Plan(batch, versions);
            var insert = statements.Insert;
            var p = insert.Parameters;
            p[7].Value = _options.WriterId;
            p[8].Value = _options.Time.GetUtcNow().ToUnixTimeMilliseconds();
            var written = new List<(EventData Event, int Row)>();
            var rows = 0;
            foreach (var (append, first) in accepted)
            {
                p[0].Value = append.StreamId;
                p[2].Value = StreamIds.CategoryOf(append.StreamId);
                for (var i = 0; i < append.Events.Count; i++, rows++)
                {
                    var e = append.Events[i];
                    p[1].Value = first + i;
                    p[3].Value = e.TypeName;
                    p[4].Value = e.TypeVersion;
                    p[5].Value = e.Payload.ToArray();
                    p[6].Value = StoredRows.JoinTags(e.Tags);
                    insert.ExecuteNonQuery();
                    if (e.Tags.Count > 0)
                    {
                        written.Add((e, rows));
                    }
                }
            }

            // This connection is the only writer, so AUTOINCREMENT gave the batch's rows consecutive positions.
            var lastPosition = rows == 0 ? 0 : (long)statements.LastRowId.ExecuteScalar()!;
            var firstPosition = lastPosition - rows + 1;
            foreach (var (e, row) in written)
            {
                foreach (var tag in e.Tags)
                {
                    statements.Tag.Parameters["$tag"].Value = tag;
                    statements.Tag.Parameters["$position"].Value = firstPosition + row;
                    statements.Tag.ExecuteNonQuery();
                }
            }

            var index = 0;
            var finalVersions = new JsonArray();
            foreach (var (append, first) in accepted)
            {
                var last = first + append.Events.Count - 1;
                index += append.Events.Count;
                finalVersions.Add(new JsonArray(append.StreamId, last));
                completions.Add((append, new AppendResult(append.StreamId, first, last, firstPosition + index - 1)));
            }

            if (accepted.Count > 0)
            {
                statements.Upsert.Parameters[0].Value = finalVersions.ToJsonString();
                statements.Upsert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        foreach (var (append, result) in completions)
        {
            append.Succeed(result);
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _closing.CancelAsync();
        await _checkpoints;
        _closing.Dispose();
        _statements?.Dispose();
        await ExecuteAsync(_writer, "PRAGMA wal_checkpoint(TRUNCATE)", CancellationToken.None);
        await _writer.DisposeAsync();
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task MigrateAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version";
        var current = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        for (var step = current; step < SqliteSchema.Migrations.Count; step++)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"{SqliteSchema.Migrations[step]}\nPRAGMA user_version = {step + 1};";
            await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (current > SqliteSchema.Migrations.Count)
        {
            throw new JournalFailureException($"The journal's schema is version {current}, newer than this build ({SqliteSchema.Migrations.Count}).");
        }
    }
}

/// <summary>The writer connection's statements, prepared once and re-bound per row.</summary>
internal sealed class WriterStatements : IDisposable
{
    public WriterStatements(SqliteConnection connection)
    {
        Versions = Create(connection, "SELECT stream_id, version FROM streams WHERE stream_id IN (SELECT value FROM json_each($ids))", "$ids");
        Insert = Create(
            connection,
            "INSERT INTO events (stream_id, sequence, category, type_name, type_version, payload, tags, writer_id, created_ms) VALUES ($stream, $sequence, $category, $type, $version, $payload, $tags, $writer, $created)",
            "$stream", "$sequence", "$category", "$type", "$version", "$payload", "$tags", "$writer", "$created");
        LastRowId = Create(connection, "SELECT last_insert_rowid()");
        Tag = Create(connection, "INSERT INTO event_tags (tag, position) VALUES ($tag, $position)", "$tag", "$position");
        Upsert = Create(
            connection,
            "INSERT INTO streams (stream_id, version) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($pairs) WHERE true ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version",
            "$pairs");
    }

    public SqliteCommand Versions { get; }

    public SqliteCommand Insert { get; }

    public SqliteCommand LastRowId { get; }

    public SqliteCommand Tag { get; }

    public SqliteCommand Upsert { get; }

    public void Enlist(SqliteTransaction transaction)
    {
        foreach (var command in All())
        {
            command.Transaction = transaction;
        }
    }

    public void Dispose()
    {
        foreach (var command in All())
        {
            command.Dispose();
        }
    }

    private IEnumerable<SqliteCommand> All() => [Versions, Insert, LastRowId, Tag, Upsert];

    private static SqliteCommand Create(SqliteConnection connection, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        return command;
    }
}
