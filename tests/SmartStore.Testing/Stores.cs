using SmartStore.Persistence.PostgreSql;
using SmartStore.Persistence.Sqlite;

using SmartStore.Persistence;

namespace SmartStore.Testing;

/// <summary>How a test suite gets a fresh store of one kind, and reopens the same one (shared by every suite that needs a journal).</summary>
public interface IStoreFactory : IAsyncDisposable
{
    Task<IEventStore> OpenAsync(GroupCommitOptions? groupCommit = null);
}

public sealed class SqliteStoreFactory : IStoreFactory
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-sqlite-");

    public string DatabasePath => Path.Combine(_directory.FullName, "journal.db");

    public async Task<IEventStore> OpenAsync(GroupCommitOptions? groupCommit = null) =>
        await SqliteEventStore.OpenAsync(new SqliteStoreOptions(DatabasePath) { GroupCommit = groupCommit ?? new GroupCommitOptions { Writers = 1 } });

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Delete(recursive: true);
        return default;
    }
}

public sealed class PostgresStoreFactory(PostgresServer server) : IStoreFactory
{
    private string? _connectionString;

    public async Task<IEventStore> OpenAsync(GroupCommitOptions? groupCommit = null)
    {
        _connectionString ??= await server.CreateDatabaseAsync("journal");
        return await PostgresEventStore.OpenAsync(new PostgresStoreOptions(_connectionString) { GroupCommit = groupCommit ?? new GroupCommitOptions { Writers = 2 } });
    }

    public ValueTask DisposeAsync() => default;
}
