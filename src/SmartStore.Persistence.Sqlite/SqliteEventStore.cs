using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SmartStore.Persistence.Sqlite;

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
    internal const string ErasedType = "$erased";
    private const char TagSeparator = '\u001f';
    private readonly SqliteStoreOptions _options;
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly AppendQueue _queue;
    private readonly ILogger _logger;

    private SqliteEventStore(SqliteStoreOptions options, string connectionString, SqliteConnection writer, ILogger logger)
    {
        _options = options;
        _connectionString = connectionString;
        _writer = writer;
        _logger = logger;
        _queue = new AppendQueue(this, options.GroupCommit with { Writers = 1 }, logger);
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
            await ExecuteAsync(writer, $"PRAGMA journal_mode=WAL; PRAGMA synchronous={(options.DurableCommits ? "FULL" : "NORMAL")}; PRAGMA secure_delete=ON;", cancellationToken);
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

    public Task<AppendResult> AppendAsync(string streamId, long expectedVersion, IReadOnlyList<EventData> events, CancellationToken cancellationToken = default)
    {
        StreamIds.Validate(streamId);
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            throw new ArgumentException("An append needs at least one event.", nameof(events));
        }

        return _queue.EnqueueAsync(new PendingAppend(streamId, expectedVersion, events));
    }

    async Task IBatchWriter.WriteBatchAsync(IReadOnlyList<PendingAppend> batch, CancellationToken cancellationToken)
    {
        var completions = new List<(PendingAppend Append, AppendResult Result)>(batch.Count);
        await using (var transaction = (SqliteTransaction)await _writer.BeginTransactionAsync(cancellationToken))
        {
            var versions = new Dictionary<string, long>(StringComparer.Ordinal);
            await using (var select = Command(transaction, "SELECT version FROM streams WHERE stream_id = $id"))
            {
                var id = select.Parameters.Add("$id", SqliteType.Text);
                foreach (var streamId in batch.Select(a => a.StreamId).Distinct(StringComparer.Ordinal))
                {
                    id.Value = streamId;
                    if (await select.ExecuteScalarAsync(cancellationToken) is long version)
                    {
                        versions[streamId] = version;
                    }
                }
            }

            var accepted = BatchPlanner.Plan(batch, versions);
            await using var insert = Command(transaction, """
                INSERT INTO events (stream_id, sequence, category, type_name, type_version, payload, tags, writer_id, created_ms)
                VALUES ($stream, $sequence, $category, $type, $version, $payload, $tags, $writer, $created) RETURNING position
                """);
            var stream = insert.Parameters.Add("$stream", SqliteType.Text);
            var sequence = insert.Parameters.Add("$sequence", SqliteType.Integer);
            var category = insert.Parameters.Add("$category", SqliteType.Text);
            var type = insert.Parameters.Add("$type", SqliteType.Text);
            var typeVersion = insert.Parameters.Add("$version", SqliteType.Integer);
            var payload = insert.Parameters.Add("$payload", SqliteType.Blob);
            var tags = insert.Parameters.Add("$tags", SqliteType.Text);
            insert.Parameters.AddWithValue("$writer", _options.WriterId);
            insert.Parameters.AddWithValue("$created", _options.Time.GetUtcNow().ToUnixTimeMilliseconds());
            await using var tag = Command(transaction, "INSERT INTO event_tags (tag, position) VALUES ($tag, $position)");
            var tagValue = tag.Parameters.Add("$tag", SqliteType.Text);
            var tagPosition = tag.Parameters.Add("$position", SqliteType.Integer);
            await using var upsert = Command(transaction, "INSERT INTO streams (stream_id, version) VALUES ($id, $version) ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version");
            var upsertId = upsert.Parameters.Add("$id", SqliteType.Text);
            var upsertVersion = upsert.Parameters.Add("$version", SqliteType.Integer);

            foreach (var (append, first) in accepted)
            {
                long position = 0;
                stream.Value = append.StreamId;
                category.Value = StreamIds.CategoryOf(append.StreamId);
                for (var i = 0; i < append.Events.Count; i++)
                {
                    var e = append.Events[i];
                    sequence.Value = first + i;
                    type.Value = e.TypeName;
                    typeVersion.Value = e.TypeVersion;
                    payload.Value = e.Payload.ToArray();
                    tags.Value = string.Join(TagSeparator, e.Tags);
                    position = (long)(await insert.ExecuteScalarAsync(cancellationToken))!;
                    foreach (var t in e.Tags)
                    {
                        tagValue.Value = t;
                        tagPosition.Value = position;
                        await tag.ExecuteNonQueryAsync(cancellationToken);
                    }
                }

                var last = first + append.Events.Count - 1;
                upsertId.Value = append.StreamId;
                upsertVersion.Value = last;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
                completions.Add((append, new AppendResult(append.StreamId, first, last, position)));
            }

            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var (append, result) in completions)
        {
            append.Succeed(result);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _queue.DisposeAsync();
        await _writer.DisposeAsync();
    }

    private static SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
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
