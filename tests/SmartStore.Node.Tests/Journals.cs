using Microsoft.Data.Sqlite;
using SmartStore.Node.Persistence;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

/// <summary>
/// Tests that run a cluster of node processes: alone, after the rest, because three nodes beside PostgreSQL and
/// Mosquitto take both cores, and another test's node process starting meanwhile could miss its patience.
/// </summary>
[CollectionDefinition("cluster processes", DisableParallelization = true)]
public sealed class ClusterProcessesCollection : ICollectionFixture<PostgresFixture>;

/// <summary>How a test gets a fresh journal of one kind, and which files on disk hold it.</summary>
public interface IJournalFactory : IAsyncDisposable
{
    /// <summary>A new, empty journal (each call another one).</summary>
    Task<JournalSettings> CreateAsync();

    /// <summary>Every file the journals of this factory live in (for reading them as bytes).</summary>
    IEnumerable<string> Files { get; }
}

public sealed class SqliteJournals : IJournalFactory
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-sqlite-");
    private int _count;

    public IEnumerable<string> Files => [_directory.FullName];

    public Task<JournalSettings> CreateAsync() =>
        Task.FromResult(JournalSettings.SqliteFile(Path.Combine(_directory.FullName, $"journal-{Interlocked.Increment(ref _count)}.db")));

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a stopping node; the temp folder goes with the machine.
        }

        return default;
    }
}

public sealed class PostgresJournals(PostgresServer server) : IJournalFactory
{
    public IEnumerable<string> Files => [server.DataDirectory];

    public async Task<JournalSettings> CreateAsync() => JournalSettings.Postgres(await server.CreateDatabaseAsync("journal"));

    public ValueTask DisposeAsync() => default;
}

/// <summary>A test class that runs on fresh journals of one kind: a subclass names the kind.</summary>
public abstract class JournalTestBase : IAsyncLifetime
{
    protected IJournalFactory Journals { get; private set; } = null!;

    protected abstract IJournalFactory CreateJournals();

    public virtual Task InitializeAsync()
    {
        Journals = CreateJournals();
        return Task.CompletedTask;
    }

    public virtual async Task DisposeAsync() => await Journals.DisposeAsync();
}
