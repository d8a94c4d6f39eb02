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

    private IActorRef Account(string id) => System.ActorOf(Props.Create(() => new ShopperAccountActor(id)));

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

        // The account's key, then the enrolment with its personal fields sealed: two rows, no name in the clear.
        Assert.Equal(2, await RowsAsync("shopper-s1"));
        Assert.Empty(DatabaseFiles.Containing(DatabaseFilesOnDisk, "Ada Byron-x91"));
        Assert.Empty(DatabaseFiles.Containing(DatabaseFilesOnDisk, "tok-ada-5531"));
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

        // Only the erasure's own row is left (marked deleted, holding the sequence number): the key and the sealed
        // fields are gone with the rows, so nothing that was stored can be opened again.
        Assert.Equal(0, await RowsAsync("shopper-s2"));
        Assert.Equal(1, await RowsAsync("shopper-s2", includeDeleted: true));
        foreach (var personal in new[] { "Grace Hopper", "face/grace-7", "tok-grace-4242", "tok-grace-9999" })
        {
            Assert.Empty(DatabaseFiles.Containing(DatabaseFilesOnDisk, personal));
        }

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
