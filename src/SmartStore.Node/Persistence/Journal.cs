using Akka.Hosting;
using Akka.Persistence.Sql.Config;
using Akka.Persistence.Sql.Hosting;
using Microsoft.Data.Sqlite;

namespace SmartStore.Node.Persistence;

/// <summary>Where the node keeps its journal and snapshots: a SQLite file (the embedded default) or a PostgreSQL database.</summary>
public sealed record JournalSettings(string Kind, string SqlitePath, string? PostgresConnection)
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    public static JournalSettings Embedded { get; } = new(Sqlite, Path.Combine(".smartstore", "journal.db"), null);

    public static JournalSettings SqliteFile(string path) => new(Sqlite, path, null);

    public static JournalSettings Postgres(string connectionString) => new(PostgreSql, string.Empty, connectionString);

    public bool IsPostgres => Kind == PostgreSql;

    public string Describe() => IsPostgres ? "PostgreSQL" : $"SQLite {Path.GetFullPath(SqlitePath)}";
}

/// <summary>
/// How the node's journal is set up, in one place for every entry point: Akka.Persistence.Sql over linq2db on
/// SQLite (Microsoft.Data.Sqlite) or PostgreSQL, tags stored in the journal row (the separate tag table made
/// tag queries quadratic here, ../shared/LIBRARY-NOTES.md), and write batching tuned by measurement
/// (docs/benchmarks.md).
/// </summary>
public static class Journal
{
    /// <summary>
    /// Readies the database before the actor system opens it: a SQLite file needs its folder and write-ahead
    /// logging, which lets readers (recovery, tag queries) run beside the writer and made persisting about four
    /// times faster here. WAL is a property of the file, so setting it once is enough.
    /// </summary>
    public static async Task PrepareAsync(JournalSettings journal, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(journal);
        if (journal.IsPostgres)
        {
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(journal.SqlitePath));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }

        foreach (var file in new[] { ConnectionString(journal), SnapshotConnectionString(journal) })
        {
            await using var connection = new SqliteConnection(file);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL;";
            var mode = (string?)await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused write-ahead logging on '{connection.DataSource}' (journal mode '{mode}').");
            }
        }
    }

    public static string ConnectionString(JournalSettings journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return journal.IsPostgres
            ? journal.PostgresConnection ?? throw new ArgumentException("A PostgreSQL journal needs a connection string.", nameof(journal))
            : Sqlite(journal.SqlitePath);
    }

    /// <summary>
    /// Where snapshots go. On SQLite that is a file of its own next to the journal: SQLite has one writer per
    /// file, and Microsoft.Data.Sqlite answers a writer that finds the file locked by sleeping 150 ms before it
    /// tries again, so a snapshot written beside the journal's writes held entries and receipts back by
    /// 150–600 ms (measured here). On PostgreSQL it is the same database.
    /// </summary>
    public static string SnapshotConnectionString(JournalSettings journal)
    {
        ArgumentNullException.ThrowIfNull(journal);
        return journal.IsPostgres ? ConnectionString(journal) : Sqlite(SnapshotFile(journal));
    }

    /// <summary>
    /// Microsoft.Data.Sqlite begins every transaction as BEGIN IMMEDIATE (it takes the write lock) unless asked for
    /// read-uncommitted, which it begins deferred; so recoveries and tag queries would queue for the writer's
    /// lock. In write-ahead-log mode a deferred reader sees only committed data, so nothing dirty is read.
    /// </summary>
    private static System.Data.IsolationLevel? ReadIsolation(JournalSettings journal) => journal.IsPostgres ? null : System.Data.IsolationLevel.ReadUncommitted;

    private static string SnapshotFile(JournalSettings journal) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(journal.SqlitePath)) ?? ".", Path.GetFileNameWithoutExtension(journal.SqlitePath) + ".snapshots" + Path.GetExtension(journal.SqlitePath));

    private static string Sqlite(string path) => new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 60 }.ToString();

    /// <summary>The journal and snapshot store of the node, with the serializer for everything it stores.</summary>
    public static AkkaConfigurationBuilder WithSmartStoreJournal(this AkkaConfigurationBuilder builder, JournalSettings journal, EventCatalog catalog, TimeSpan queryRefresh)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(catalog);
        var provider = journal.IsPostgres ? LinqToDB.ProviderName.PostgreSQL15 : LinqToDB.ProviderName.SQLiteMS;
        var connection = ConnectionString(journal);
        builder.WithCustomSerializer(SmartStoreSerializer.Name, catalog.Types, system => new SmartStoreSerializer(system, catalog));
        builder.WithSqlPersistence(
            new SqlJournalOptions(isDefaultPlugin: true)
            {
                ConnectionString = connection,
                ProviderName = provider,
                AutoInitialize = true,
                TagStorageMode = TagMode.Csv,
                QueryRefreshInterval = queryRefresh,
                ReadIsolationLevel = ReadIsolation(journal),
            },
            new SqlSnapshotOptions(isDefaultPlugin: true)
            {
                ConnectionString = SnapshotConnectionString(journal),
                ProviderName = provider,
                AutoInitialize = true,
                ReadIsolationLevel = ReadIsolation(journal),
            });
        return builder.AddHocon(journal.IsPostgres ? PostgresTuning : SqliteTuning, HoconAddMode.Prepend);
    }

    // Measured with 256 persistent actors, one hot writer and live tag queries on both databases
    // (docs/benchmarks.md). The read side's latency is bounded by journal-sequence-retrieval.query-delay (1 s by
    // default), not by refresh-interval alone: the receipt book trailed the journal by a second until both were
    // set; at 100 ms each it trails by about 0.1–0.3 s.
    private const string Reading = """
        akka.persistence.query.journal.sql.journal-sequence-retrieval {
          batch-size = 10000
          max-tries = 10
          query-delay = 100ms
          max-backoff-query-delay = 60s
          ask-timeout = 1s
        }
        """;

    // PostgreSQL: big batches go through binary COPY (max-row-by-row-size 0); 26k events/s with 256 actors
    // against 15–16k with the defaults.
    private const string PostgresTuning = Reading + """
        akka.persistence.journal.sql {
          batch-size = 1000
          max-row-by-row-size = 0
          parallelism = 6
          buffer-size = 10000
        }
        """;

    // SQLite has one writer at a time: concurrent write transactions only wait for each other's lock.
    private const string SqliteTuning = Reading + """
        akka.persistence.journal.sql {
          batch-size = 1000
          parallelism = 1
          buffer-size = 10000
        }
        """;
}
