using SmartStore.Testing;
using System.Text;
using SmartStore.Persistence.PostgreSql;
using SmartStore.Persistence.Sqlite;
using Xunit;

namespace SmartStore.Persistence.Tests;

/// <summary>Storage that is not there is a failure (distinct from a rejection), with a clear message.</summary>
public sealed class StoreFailureTests
{
    [Fact]
    public async Task An_unusable_sqlite_path_fails_to_open_with_a_journal_failure()
    {
        var file = Path.GetTempFileName();
        try
        {
            var error = await Assert.ThrowsAsync<JournalFailureException>(() => SqliteEventStore.OpenAsync(new SqliteStoreOptions(Path.Combine(file, "journal.db"))));
            Assert.Contains("journal.db", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_unreachable_postgresql_server_fails_to_open_with_a_journal_failure()
    {
        var error = await Assert.ThrowsAsync<JournalFailureException>(() =>
            PostgresEventStore.OpenAsync(new PostgresStoreOptions("Host=127.0.0.1;Port=1;Username=nobody;Timeout=3")));
        Assert.Contains("PostgreSQL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Erased_personal_data_is_gone_from_the_sqlite_files_not_only_from_queries()
    {
        await using var factory = new SqliteStoreFactory();
        var types = TestTypes.Registry();
        await using (var store = await factory.OpenAsync())
        {
            await store.AppendAsync("shopper-x", 0, [types.Serialize(new NoteWritten("NEEDLE-personal-9f3", "Grace"))]);
            await store.AppendAsync("cart-1", 0, [TestTypes.Added("a")]);
            await store.DeleteStreamAsync("shopper-x", 1);
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var directory = Path.GetDirectoryName(factory.DatabasePath)!;
        foreach (var file in Directory.GetFiles(directory))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.False(Encoding.UTF8.GetString(bytes).Contains("NEEDLE-personal-9f3", StringComparison.Ordinal), $"{Path.GetFileName(file)} still holds erased data");
        }
    }
}
