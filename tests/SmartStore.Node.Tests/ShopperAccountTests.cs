using System.Text;
using SmartStore.Actors;
using SmartStore.Node.Accounts;
using SmartStore.Persistence;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Node.Tests;

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

public sealed class SqliteShopperAccountTests : ShopperAccountTests
{
    protected override IStoreFactory CreateFactory() => new SqliteStoreFactory();
}

[Collection("postgres")]
public sealed class PostgresShopperAccountTests(PostgresFixture postgres) : ShopperAccountTests
{
    protected override IStoreFactory CreateFactory() => new PostgresStoreFactory(postgres.Server);
}

/// <summary>Shopper accounts on each real store: enrolment rules and the right to erasure.</summary>
public abstract class ShopperAccountTests : StoreTestBase
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset Consent = new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);
    private readonly EventTypeRegistry _types = ShopperAccount.Register(new EventTypeRegistry());
    private ActorSystem _system = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _system = ActorSystem.Create("accounts");
    }

    public override async Task DisposeAsync()
    {
        await _system.ShutdownAsync();
        await base.DisposeAsync();
    }

    private EntityRegion<AccountCommand> Accounts(ActorSystem system, IEventStore store, int snapshotEvery = 2) =>
        system.SpawnRegion<AccountCommand>(
            "accounts",
            ctx => new ShopperAccount(ctx.EntityId, new EventSourcing(store, store, _types) { SnapshotEvery = snapshotEvery }, TimeProvider.System),
            new RegionOptions { EntitySupervision = EventSourcing.RestartWithBackoff });

    private static Task<AccountReply> Ask(EntityRegion<AccountCommand> accounts, string id, Func<ActorRef<AccountReply>, AccountCommand> command) =>
        accounts.Actor.AskAsync<RegionCommand<AccountCommand>, AccountReply>(r => new RegionCommand<AccountCommand>.Deliver(id, command(r)), Wait);

    [Fact]
    public async Task Enrolment_needs_explicit_consent_and_happens_once()
    {
        var accounts = Accounts(_system, Store);

        var noConsent = await Ask(accounts, "s1", r => new AccountCommand.Enrol("Ada", "face/ada-1", "tok-ada", null, r));
        var enrolled = await Ask(accounts, "s1", r => new AccountCommand.Enrol("Ada", "face/ada-1", "tok-ada", Consent, r));
        var twice = await Ask(accounts, "s1", r => new AccountCommand.Enrol("Ada", "face/ada-1", "tok-ada", Consent, r));

        Assert.Contains("consent", noConsent.Refused, StringComparison.Ordinal);
        Assert.Equal((AccountStatus.Active, "tok-ada", Consent), (enrolled.State.Status, enrolled.State.PaymentToken, enrolled.State.ConsentedAt));
        Assert.Equal("already enrolled", twice.Refused);
        Assert.Equal(1, await Store.ReadHighestSequenceAsync(ShopperAccount.StreamOf("s1")));
    }

    [Fact]
    public async Task Erasure_leaves_no_personal_data_or_biometric_reference_in_events_or_snapshots_and_survives_a_restart()
    {
        var accounts = Accounts(_system, Store);
        await Ask(accounts, "s2", r => new AccountCommand.Enrol("Grace Hopper", "face/grace-7", "tok-grace-4242", Consent, r));
        await Ask(accounts, "s2", r => new AccountCommand.ChangePaymentMethod("tok-grace-9999", r));
        await Ask(accounts, "other", r => new AccountCommand.Enrol("Alan", "face/alan-1", "tok-alan", Consent, r));
        Assert.NotNull(await Store.LoadSnapshotAsync(ShopperAccount.StreamOf("s2")));

        var erased = await Ask(accounts, "s2", r => new AccountCommand.Erase(r));

        Assert.Equal(AccountState.None with { Status = AccountStatus.Erased }, erased.State);
        var everything = (await Store.ReadAllAsync(0, 1_000)).Events;
        var text = string.Join("\n", everything.Select(e => Encoding.UTF8.GetString(e.Payload.Span)));
        foreach (var personal in new[] { "Grace", "grace-7", "4242", "9999" })
        {
            Assert.DoesNotContain(personal, text, StringComparison.Ordinal);
        }

        Assert.Contains("Alan", text, StringComparison.Ordinal);   // other shoppers are untouched
        var snapshot = await Store.LoadSnapshotAsync(ShopperAccount.StreamOf("s2"));
        Assert.True(snapshot is null || !Encoding.UTF8.GetString(snapshot.Payload.Span).Contains("Grace", StringComparison.Ordinal));

        // A fresh node recovers the account as erased, and refuses to bring it back.
        await using var restarted = ActorSystem.Create("accounts-2");
        var again = Accounts(restarted, Store);
        Assert.Equal(AccountStatus.Erased, (await Ask(again, "s2", r => new AccountCommand.Get(r))).State.Status);
        Assert.NotNull((await Ask(again, "s2", r => new AccountCommand.Enrol("Grace Hopper", "face/grace-7", "tok", Consent, r))).Refused);
    }
}
