using SmartStore.Payments;
using Xunit;

namespace SmartStore.Payments.Tests;

/// <summary>The payment side without storage: the provider simulator's idempotency, retries, the concurrency bound, the ledger's rules.</summary>
public sealed class PaymentRulesTests
{
    [Fact]
    public async Task A_provider_failing_before_and_after_it_charges_still_charges_each_key_exactly_once_through_retries()
    {
        var psp = new SimulatedPsp(new PspSimulation { TransientFailureRate = 0.3, LostAnswerRate = 0.3, Seed = 11 });
        var gateway = new ResilientGateway(psp, new RetrySettings { MaxAttempts = 30, FirstDelay = TimeSpan.FromMilliseconds(1) });

        var results = await Task.WhenAll(Enumerable.Range(0, 30).Select(v => gateway.CaptureAsync(LedgerRules.CaptureKey($"v{v}"), "tok-ana", 1_000 + v, "EUR", null)));
        var again = await gateway.CaptureAsync(LedgerRules.CaptureKey("v3"), "tok-ana", 1_003, "EUR", null);

        Assert.True(psp.InjectedFailures > 10, $"only {psp.InjectedFailures} failures were injected");
        Assert.All(results, r => Assert.True(r.Approved));
        Assert.Equal(results[3].Reference, again.Reference);
        Assert.Equal(30, psp.CapturesOf("tok-ana"));
        Assert.Equal(Enumerable.Range(0, 30).Sum(v => 1_000L + v), psp.NetChargedTo("tok-ana"));
    }

    [Fact]
    public async Task The_bounded_gateway_never_has_more_calls_in_flight_than_its_bound()
    {
        var slow = new CountingGateway();
        using var bounded = new BoundedGateway(slow, maxConcurrent: 3);

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => bounded.AuthoriseAsync($"k{i}", "tok", 100, "EUR")));

        Assert.Equal(40, slow.Calls);
        Assert.Equal(3, slow.MostAtOnce);
    }

    [Fact]
    public void The_ledger_records_a_capture_a_decline_as_a_debt_and_refunds_only_what_is_still_charged()
    {
        var approved = LedgerRules.Captured("v1", "s-ana", 1_000, "EUR", new PaymentResult(PaymentOutcome.Approved, "cap-1", 1_000));
        var declined = LedgerRules.Captured("v2", "s-bob", 500, "EUR", new PaymentResult(PaymentOutcome.Declined, "dec-1", 500, "insufficient funds"));
        var settled = approved.Aggregate((VisitSettlement?)null, (s, e) => LedgerRules.Evolve(s, "v1", e));

        Assert.Equal((PaymentOutcome.Approved, 1_000L, "cap-1"), (settled!.Outcome, settled.AmountMinor, settled.CaptureReference));
        Assert.Equal(new DebtRecorded("v2", "s-bob", 500, "EUR"), declined.OfType<DebtRecorded>().Single());
        Assert.Null(LedgerRules.RefundRefusal(settled, 400));
        var refunded = LedgerRules.Evolve(settled, "v1", new RefundIssued("v1", 400, "ref-1", "put back"))!;
        Assert.Equal(400, refunded.RefundedMinor);
        Assert.Contains("at most the 600", LedgerRules.RefundRefusal(refunded, 601), StringComparison.Ordinal);
        Assert.NotNull(LedgerRules.RefundRefusal(refunded, 0));
        Assert.NotNull(LedgerRules.RefundRefusal(declined.Aggregate((VisitSettlement?)null, (s, e) => LedgerRules.Evolve(s, "v2", e)), 100));
    }

    private sealed class CountingGateway : IPaymentGateway
    {
        private int _inFlight;
        private int _most;
        private int _calls;

        public int Calls => _calls;

        public int MostAtOnce => _most;

        public async Task<PaymentResult> AuthoriseAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, CancellationToken cancellationToken = default)
        {
            var now = Interlocked.Increment(ref _inFlight);
            Interlocked.Increment(ref _calls);
            int most;
            while ((most = _most) < now && Interlocked.CompareExchange(ref _most, now, most) != most)
            {
            }

            await Task.Yield();
            await Task.Delay(2, cancellationToken);
            Interlocked.Decrement(ref _inFlight);
            return new PaymentResult(PaymentOutcome.Approved, idempotencyKey, amountMinor);
        }

        public Task<PaymentResult> CaptureAsync(string idempotencyKey, string paymentToken, long amountMinor, string currency, string? authorisation, CancellationToken cancellationToken = default) => AuthoriseAsync(idempotencyKey, paymentToken, amountMinor, currency, cancellationToken);

        public Task<PaymentResult> VoidAsync(string idempotencyKey, string authorisation, CancellationToken cancellationToken = default) => AuthoriseAsync(idempotencyKey, authorisation, 0, "EUR", cancellationToken);

        public Task<PaymentResult> RefundAsync(string idempotencyKey, string capture, long amountMinor, CancellationToken cancellationToken = default) => AuthoriseAsync(idempotencyKey, capture, amountMinor, "EUR", cancellationToken);
    }
}
