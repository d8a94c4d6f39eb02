using SmartStore.Testing;
using SmartStore.Persistence;
using Xunit;

namespace SmartStore.Payments.Tests;

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

public sealed class SqlitePaymentLedgerTests : PaymentLedgerTests
{
    protected override IStoreFactory CreateFactory() => new SqliteStoreFactory();
}

[Collection("postgres")]
public sealed class PostgresPaymentLedgerTests(PostgresFixture postgres) : PaymentLedgerTests
{
    protected override IStoreFactory CreateFactory() => new PostgresStoreFactory(postgres.Server);
}

/// <summary>Charging through the simulated provider into a real journal, on each store.</summary>
public abstract class PaymentLedgerTests : StoreTestBase
{
    private readonly EventTypeRegistry _types = PaymentLedger.Register(new EventTypeRegistry());

    private PaymentLedger Ledger(IPaymentGateway psp) =>
        new(Store, _types, new ResilientGateway(psp, new RetrySettings { MaxAttempts = 20, FirstDelay = TimeSpan.FromMilliseconds(1) }));

    [Fact]
    public async Task A_provider_failing_before_and_after_it_charges_still_ends_in_exactly_one_charge()
    {
        var psp = new SimulatedPsp(new PspSimulation { TransientFailureRate = 0.4, LostAnswerRate = 0.4, Seed = 7 });
        var ledger = Ledger(psp);

        var settlements = new List<VisitSettlement>();
        for (var visit = 0; visit < 30; visit++)
        {
            settlements.Add(await ledger.ChargeAsync($"v{visit}", "ana", "tok-ana", 1_000 + visit, "EUR"));
        }

        Assert.True(psp.InjectedFailures > 10, $"only {psp.InjectedFailures} failures were injected");
        Assert.All(settlements, s => Assert.Equal(PaymentOutcome.Approved, s.Outcome));
        Assert.Equal(Enumerable.Range(0, 30).Sum(v => 1_000L + v), psp.NetChargedTo("tok-ana"));
        Assert.Equal(30, psp.CapturesOf("tok-ana"));
    }

    [Fact]
    public async Task Charging_a_visit_again_after_a_restart_or_in_a_replay_charges_nothing_more()
    {
        var psp = new SimulatedPsp(new PspSimulation());
        var first = await Ledger(psp).ChargeAsync("v1", "ana", "tok-ana", 685, "EUR");

        // A new ledger on the same journal, as after a node restart or a QA replay of the same visit.
        var again = await Ledger(psp).ChargeAsync("v1", "ana", "tok-ana", 685, "EUR");

        Assert.Equal(first, again);
        Assert.Equal(685, psp.NetChargedTo("tok-ana"));
        Assert.Equal(1, psp.Calls);
    }

    [Fact]
    public async Task A_crash_between_the_charge_and_the_ledger_record_is_healed_by_the_next_attempt_without_a_second_charge()
    {
        // The provider charges but the answer never arrives, and the node gives up (no retries): nothing recorded.
        var psp = new SimulatedPsp(new PspSimulation { LostAnswerRate = 1.0 });
        var fragile = new PaymentLedger(Store, _types, psp);
        await Assert.ThrowsAsync<PspUnavailableException>(() => fragile.ChargeAsync("v1", "ana", "tok-ana", 500, "EUR"));
        Assert.Null(await fragile.ReadAsync("v1"));
        Assert.Equal(500, psp.NetChargedTo("tok-ana"));

        // Restarted node, provider reachable again: same key, so the provider returns its first charge.
        psp.Heal();
        var healed = await Ledger(psp).ChargeAsync("v1", "ana", "tok-ana", 500, "EUR");

        Assert.Equal(PaymentOutcome.Approved, healed.Outcome);
        Assert.Equal(500, psp.NetChargedTo("tok-ana"));
        Assert.Equal(1, psp.CapturesOf("tok-ana"));
    }

    [Fact]
    public async Task A_declined_payment_becomes_a_debt_on_the_shoppers_account()
    {
        var psp = new SimulatedPsp(new PspSimulation());
        var settlement = await Ledger(psp).ChargeAsync("v9", "bob", "decline-bob", 1_250, "EUR");

        Assert.Equal(PaymentOutcome.Declined, settlement.Outcome);
        Assert.Equal(0, psp.NetChargedTo("decline-bob"));
        var debts = await Store.ReadTagAsync("shopper:bob", 0, 10);
        Assert.Contains(debts, e => e.TypeName == "debt-recorded");
    }

    [Fact]
    public async Task Refunds_are_recorded_once_each_and_cannot_exceed_the_charge()
    {
        var psp = new SimulatedPsp(new PspSimulation { LostAnswerRate = 0.3, Seed = 3 });
        var ledger = Ledger(psp);
        await ledger.ChargeAsync("v1", "ana", "tok-ana", 1_000, "EUR");

        var after = await ledger.RefundAsync("v1", refundNumber: 1, 149, "disputed cola");
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => ledger.RefundAsync("v1", refundNumber: 2, 900, "too much"));

        Assert.Equal(149, after.RefundedMinor);
        Assert.Equal(851, psp.NetChargedTo("tok-ana"));
    }
}
