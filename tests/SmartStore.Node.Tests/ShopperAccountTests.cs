using System.Data.Common;
using Akka.Actor;
using Microsoft.Data.Sqlite;
using Npgsql;
using SmartStore.Domain.Accounts;
using SmartStore.Node.Accounts;
using SmartStore.Node.Persistence;
using SmartStore.Node.Protocol;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class SqliteShopperAccountTests : ShopperAccountTests;

[Collection("postgres")]
public sealed class PostgresShopperAccountTests(PostgresFixture postgres) : ShopperAccountTests
{
    protected override IJournalFactory CreateJournals() => new PostgresJournals(postgres.Server);

    protected override IEnumerable<string> DatabaseFilesOnDisk => [postgres.Server.DataDirectory];
}

/// <summary>Shopper accounts on each real journal: enrolment rules, sealed personal fields, and erasure on the bytes.</summary>
public abstract class ShopperAccountTests : ActorTestHost
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Consent = new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The files the journal lives in on disk (for SQLite: its folder; for PostgreSQL: the server's data directory).</summary>
    protected virtual IEnumerable<string> DatabaseFilesOnDisk => Journal.IsPostgres ? [] : [Path.GetDirectoryName(Path.GetFullPath(Journal.SqlitePath))!];

    private readonly string _vaultFolder = Directory.CreateTempSubdirectory("smartstore-vault-").FullName;
    private AccountServices? _services;

    /// <summary>The key vault (its own folder, beside neither journal) and the gallery the accounts keep.</summary>
    private AccountServices Services => _services ??= new AccountServices(
        ShopperKeyVault.Open(new KeyVaultSettings { Path = Path.Combine(_vaultFolder, "keys.db") }),
        new FaceGallery(dimensions: 4));

    private IEnumerable<string> EveryFileOnDisk => [.. DatabaseFilesOnDisk, _vaultFolder];

    private IActorRef Account(string id) => System.ActorOf(Props.Create(() => new ShopperAccountActor(id, Services)));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _services?.Gallery.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_vaultFolder, recursive: true);
    }

    private static Task<AccountReply> AskAsync(IActorRef account, AccountCommand command) => account.Ask<AccountReply>(command, Wait);

    [Fact]
    public async Task Enrolment_needs_explicit_consent_and_happens_once()
    {
        var account = Account("s1");

        var noConsent = await AskAsync(account, new AccountCommand.Enrol("Ada Byron-x91", "face/ada-1", "tok-ada-5531", null));
        var enrolled = await AskAsync(account, new AccountCommand.Enrol("Ada Byron-x91", "face/ada-1", "tok-ada-5531", Consent));
        var twice = await AskAsync(account, new AccountCommand.Enrol("Ada Byron-x91", "face/ada-1", "tok-ada-5531", Consent));

        Assert.Contains("consent", noConsent.Refused, StringComparison.Ordinal);
        Assert.Equal((AccountStatus.Active, "tok-ada-5531", (DateTimeOffset?)Consent), (enrolled.State.Status, enrolled.State.PaymentToken, enrolled.State.ConsentedAt));
        Assert.Equal("already enrolled", twice.Refused);

        // The enrolment with its personal fields sealed: one row (the key is in the vault), no name in the clear anywhere.
        Assert.Equal(1, await RowsAsync("shopper-s1"));
        Assert.NotNull(Services.Vault.Find("s1"));
        Assert.Empty(DatabaseFiles.Containing(EveryFileOnDisk, "Ada Byron-x91"));
        Assert.Empty(DatabaseFiles.Containing(EveryFileOnDisk, "tok-ada-5531"));
    }

    [Fact]
    public async Task Erasure_deletes_the_accounts_rows_with_its_key_and_a_restarted_node_recovers_it_as_erased_for_good()
    {
        var account = Account("s2");
        await AskAsync(account, new AccountCommand.Enrol("Grace Hopper", "face/grace-7", "tok-grace-4242", Consent));
        await AskAsync(account, new AccountCommand.ChangePaymentMethod("tok-grace-9999"));
        var other = Account("other");
        await AskAsync(other, new AccountCommand.Enrol("Alan Turing", "face/alan-1", "tok-alan", Consent));

        var erased = await AskAsync(account, AccountCommand.Erase.Instance);

        Assert.Null(erased.Refused);
        Assert.Equal(AccountState.Erased, erased.State);

        // Two rows are left, neither personal: the erasure's own (marked deleted, holding the sequence number) and
        // the erasure again, live, for the read side. The key and the sealed fields are gone with the other rows,
        // so nothing that was stored can be opened again.
        Assert.Equal(1, await RowsAsync("shopper-s2"));
        Assert.Equal(2, await RowsAsync("shopper-s2", includeDeleted: true));
        foreach (var personal in new[] { "Grace Hopper", "face/grace-7", "tok-grace-4242", "tok-grace-9999" })
        {
            Assert.Empty(DatabaseFiles.Containing(EveryFileOnDisk, personal));
        }

        Assert.Null(Services.Vault.Find("s2"));

        // A fresh actor (a restarted node) recovers the account as erased, and refuses to bring it back.
        Kit.Watch(account);
        System.Stop(account);
        Kit.ExpectTerminated(account, Wait);
        var again = Account("s2");
        Assert.Equal(AccountStatus.Erased, (await AskAsync(again, AccountCommand.Get.Instance)).State.Status);
        Assert.NotNull((await AskAsync(again, new AccountCommand.Enrol("Grace Hopper", "face/grace-7", "tok", Consent))).Refused);
        Assert.Null((await AskAsync(again, AccountCommand.Erase.Instance)).Refused);

        // Other shoppers are untouched.
        Assert.Equal("Alan Turing", (await AskAsync(Account("other"), AccountCommand.Get.Instance)).State.Name);
    }

    [Fact]
    public async Task A_face_template_is_sealed_in_the_journal_kept_in_the_gallery_and_replaced_by_re_enrolment()
    {
        var account = Account("s3");
        float[] first = [0.5f, 0.5f, 0.5f, 0.5f];
        float[] second = [1f, 0f, 0f, 0f];
        Assert.Contains("no account", (await AskAsync(account, new AccountCommand.EnrolFace(first, Consent))).Refused, StringComparison.Ordinal);
        await AskAsync(account, new AccountCommand.Enrol("Edsger D", "face/e", "tok-e", Consent));
        Assert.Contains("consent", (await AskAsync(account, new AccountCommand.EnrolFace(first, null))).Refused, StringComparison.Ordinal);

        var enrolled = await AskAsync(account, new AccountCommand.EnrolFace(first, Consent));
        Assert.Equal(first, enrolled.State.FaceTemplate);
        Assert.Equal("s3", Services.Gallery.Search(first).Best?.Id);
        Assert.Empty(DatabaseFiles.ContainingBytes(EveryFileOnDisk, Bytes(first)));

        await AskAsync(account, new AccountCommand.EnrolFace(second, Consent));
        Assert.Equal(1f, Services.Gallery.Search(second).Best!.Value.Similarity, 5);
        Assert.Equal(1, Services.Gallery.Count);

        // A restarted account recovers the newest template from its sealed event and puts it back in the gallery.
        Services.Gallery.Erased("s3");
        Kit.Watch(account);
        System.Stop(account);
        Kit.ExpectTerminated(account, Wait);
        Assert.Equal(second, (await AskAsync(Account("s3"), AccountCommand.Get.Instance)).State.FaceTemplate);
        Assert.Equal("s3", Services.Gallery.Search(second).Best?.Id);
    }

    [Fact]
    public async Task Erasure_destroys_the_key_so_a_journal_restored_from_before_the_erasure_cannot_bring_the_template_back()
    {
        float[] template = [0.1f, 0.2f, 0.3f, 0.9f];
        var account = Account("s4");
        await AskAsync(account, new AccountCommand.Enrol("Barbara L", "face/b", "tok-b-777", Consent));
        await AskAsync(account, new AccountCommand.EnrolFace(template, Consent));

        // The "backup": the sealed rows as they were before the erasure.
        var backup = await SealedRowsAsync("shopper-s4");
        Assert.Equal(2, backup.Count);
        var wrappedKey = VaultRow("s4");

        Assert.Null((await AskAsync(account, AccountCommand.Erase.Instance)).Refused);
        Assert.Null(Services.Gallery.Search(template).Best);
        Assert.Null(Services.Vault.Find("s4"));

        // The key's bytes are gone from every file (secure_delete overwrote them), and so are the template's.
        Assert.Empty(DatabaseFiles.ContainingBytes(EveryFileOnDisk, wrappedKey));
        Assert.Empty(DatabaseFiles.ContainingBytes(EveryFileOnDisk, Bytes(template)));

        // Restore the backup's rows under a new stream and recover it: without the key nothing opens, and the
        // account recovers as erased, with no template and nothing in the gallery.
        await RestoreRowsAsync(backup, "shopper-restored");
        Kit.Watch(account);
        System.Stop(account);
        Kit.ExpectTerminated(account, Wait);
        var restored = await AskAsync(System.ActorOf(Props.Create(() => new ShopperAccountActor("restored", Services))), AccountCommand.Get.Instance);
        Assert.Equal(AccountStatus.Erased, restored.State.Status);
        Assert.Null(restored.State.FaceTemplate);
        Assert.Equal(0, Services.Gallery.Count);

        // And after that restart, the files still hold neither the key nor the template.
        Assert.Empty(DatabaseFiles.ContainingBytes(EveryFileOnDisk, wrappedKey));
        Assert.Empty(DatabaseFiles.ContainingBytes(EveryFileOnDisk, Bytes(template)));
    }

    private static byte[] Bytes(float[] values) => [.. values.SelectMany(BitConverter.GetBytes)];

    private byte[] VaultRow(string shopperId)
    {
        using var db = new SqliteConnection($"Data Source={Services.Vault.Path}");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "SELECT wrapped FROM shopper_keys WHERE shopper_id = $id";
        command.Parameters.AddWithValue("$id", shopperId);
        return (byte[])command.ExecuteScalar()!;
    }

    /// <summary>The stream's rows as a backup would hold them: every column of the journal table.</summary>
    private async Task<List<Dictionary<string, object?>>> SealedRowsAsync(string persistenceId)
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT * FROM journal WHERE persistence_id = @id ORDER BY sequence_number";
        AddParameter(command, "@id", persistenceId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).ToDictionary(reader.GetName, i => reader.IsDBNull(i) ? null : reader.GetValue(i)));
        }

        return rows;
    }

    private async Task RestoreRowsAsync(List<Dictionary<string, object?>> rows, string persistenceId)
    {
        await using var connection = await OpenAsync();
        foreach (var row in rows)
        {
            var columns = row.Keys.Where(c => c != "ordering").ToList();
            await using var command = connection.CreateCommand();
            command.CommandText = $"INSERT INTO journal ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "@" + c))})";
            foreach (var column in columns)
            {
                AddParameter(command, "@" + column, column == "persistence_id" ? persistenceId : row[column] ?? DBNull.Value);
            }

            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = Journal.IsPostgres ? new NpgsqlConnection(Journal.PostgresConnection) : new SqliteConnection(SmartStore.Node.Persistence.Journal.ConnectionString(Journal));
        await connection.OpenAsync();
        return connection;
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    /// <summary>The journal rows of a stream, read with SQL straight from the database.</summary>
    private async Task<long> RowsAsync(string persistenceId, bool includeDeleted = false)
    {
        var sql = $"SELECT COUNT(*) FROM journal WHERE persistence_id = @id{(includeDeleted ? string.Empty : " AND deleted = @deleted")}";
        await using DbConnection connection = Journal.IsPostgres ? new NpgsqlConnection(Journal.PostgresConnection) : new SqliteConnection(SmartStore.Node.Persistence.Journal.ConnectionString(Journal));
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var id = command.CreateParameter();
        id.ParameterName = "@id";
        id.Value = persistenceId;
        command.Parameters.Add(id);
        var deleted = command.CreateParameter();
        deleted.ParameterName = "@deleted";
        deleted.Value = false;
        command.Parameters.Add(deleted);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), global::System.Globalization.CultureInfo.InvariantCulture);
    }
}
