using SmartStore.Domain.Carts;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Visits;
using Xunit;

namespace SmartStore.Domain.Tests;

/// <summary>A visit's rules without actors: each command's events and effects, folded as the actor folds them.</summary>
public sealed class VisitRulesTests
{
    private const string Id = "gate-in-1000-1";
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 9, 30, 0, TimeSpan.Zero);
    private static readonly VisitContext Context = new(FloorHistory.Small, Now, TimeSpan.FromDays(30));
    private static readonly VisitOpened Opened = new(Id, "corner-01", "s-ana", 1, "gate-in", 1_000, "auth-1", 2_000, Now);

    private static Receipt ReceiptOf(params (string Sku, int Units)[] lines)
    {
        var cart = VirtualCart.Empty;
        foreach (var (sku, units) in lines)
        {
            cart = cart.Apply(new CartChange(sku, units, new CartEvidence($"e-{sku}", "bin", null, [], 0.9))).Cart;
        }

        return Pricing.Price(cart, FloorHistory.Small);
    }

    /// <summary>Decides each command in turn, folding the events, as the actor does; returns the last decision.</summary>
    private static (VisitState State, VisitDecision Last) Run(params VisitCommand[] commands)
    {
        var state = VisitState.None(Id);
        VisitDecision last = VisitDecision.Nothing;
        foreach (var command in commands)
        {
            last = VisitRules.Decide(state, command, Context);
            state = last.Events.Aggregate(state, VisitRules.Evolve);
        }

        return (state, last);
    }

    [Fact]
    public void A_visit_opens_once_even_when_the_gate_asks_again()
    {
        var (state, again) = Run(new VisitCommand.Open(Opened), new VisitCommand.Open(Opened with { PayerId = "s-other" }));

        Assert.Empty(again.Events);
        Assert.Equal((VisitPhase.Shopping, "s-ana", "auth-1"), (state.Phase, state.PayerId, state.HoldReference));
    }

    [Fact]
    public void A_settled_cart_is_charged_once_for_its_total_against_the_hold_and_the_receipt_is_issued_once()
    {
        var receipt = ReceiptOf(("drink-001", 2), ("snack-007", 1));
        var (charging, settle) = Run(new VisitCommand.Open(Opened), new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000));
        var payment = Assert.IsType<VisitEffect.RequestPayment>(Assert.Single(settle.Effects));
        Assert.Equal((receipt.Total, "auth-1", "s-ana"), (payment.AmountMinor, payment.HoldReference, payment.PayerId));
        Assert.Equal(VisitPhase.Charging, charging.Phase);

        // A restarted floor dispatches again while the payment is under way: the same payment is asked for, nothing stored.
        var resumed = VisitRules.Decide(charging, new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000), Context);
        Assert.Empty(resumed.Events);
        Assert.IsType<VisitEffect.RequestPayment>(Assert.Single(resumed.Effects));

        var paid = VisitRules.Decide(charging, new VisitCommand.PaymentRecorded("Approved", receipt.Total, "cap-1"), Context);
        var state = paid.Events.Aggregate(charging, VisitRules.Evolve);
        Assert.Equal((VisitPhase.Paid, receipt.Total, (DateTimeOffset?)Now), (state.Phase, state.ChargedMinor, state.SettledAt));
        Assert.Contains(VisitEffect.CloseOnFloor.Instance, paid.Effects);

        // Late answers and later dispatches change nothing: one receipt.
        Assert.Empty(VisitRules.Decide(state, new VisitCommand.PaymentRecorded("Approved", receipt.Total, "cap-1"), Context).Events);
        Assert.Equal([VisitEffect.CloseOnFloor.Instance], VisitRules.Decide(state, new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000), Context).Effects);
    }

    [Fact]
    public void A_declined_payment_issues_an_unpaid_receipt_that_charged_nothing()
    {
        var (state, _) = Run(
            new VisitCommand.Open(Opened),
            new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000),
            new VisitCommand.PaymentRecorded(VisitRules.Declined, 149, null));

        Assert.Equal((VisitPhase.Unpaid, 0L), (state.Phase, state.ChargedMinor));
    }

    [Fact]
    public void A_failed_payment_is_retried_later_and_a_retry_asks_for_the_same_payment()
    {
        var (charging, failed) = Run(
            new VisitCommand.Open(Opened),
            new VisitCommand.Settle(new SettlementDecision.Settle(ReceiptOf(("drink-001", 1))), 9_000),
            new VisitCommand.PaymentFailed("provider down"));

        Assert.IsType<VisitEffect.ScheduleRetry>(Assert.Single(failed.Effects));
        Assert.Equal(149, Assert.IsType<VisitEffect.RequestPayment>(Assert.Single(VisitRules.Decide(charging, VisitCommand.RetryPayment.Instance, Context).Effects)).AmountMinor);
    }

    [Fact]
    public void A_doubtful_cart_waits_for_an_operator_and_is_charged_as_corrected()
    {
        var (review, sent) = Run(new VisitCommand.Open(Opened), new VisitCommand.Settle(new SettlementDecision.Review(ReceiptOf(("drink-001", 1)), ["ambiguous pick"]), 9_000));
        Assert.Equal([VisitEffect.CloseOnFloor.Instance], sent.Effects);
        Assert.Equal(VisitPhase.InReview, review.Phase);

        Assert.Equal("'no-such-sku' is not in the catalog", VisitRules.Decide(review, new VisitCommand.ResolveReview("op-1", new Dictionary<string, int> { ["no-such-sku"] = 1 }, "typo"), Context).Refused);
        Assert.Equal("units cannot be negative", VisitRules.Decide(review, new VisitCommand.ResolveReview("op-1", new Dictionary<string, int> { ["drink-002"] = -1 }, "typo"), Context).Refused);
        var resolved = VisitRules.Decide(review, new VisitCommand.ResolveReview("op-1", new Dictionary<string, int> { ["drink-002"] = 2 }, "video: two lemonades"), Context);

        Assert.Equal(2 * 139, Assert.IsType<VisitEffect.RequestPayment>(Assert.Single(resolved.Effects)).AmountMinor);
        Assert.Equal(VisitPhase.Charging, resolved.Events.Aggregate(review, VisitRules.Evolve).Phase);
    }

    [Fact]
    public void An_approved_dispute_is_recorded_only_once_its_refund_is_made_and_only_once()
    {
        var receipt = ReceiptOf(("drink-001", 2));
        var (paid, _) = Run(
            new VisitCommand.Open(Opened),
            new VisitCommand.Settle(new SettlementDecision.Settle(receipt), 9_000),
            new VisitCommand.PaymentRecorded("Approved", receipt.Total, "cap-1"),
            new VisitCommand.OpenDispute("drink-001", 1, "took one"));
        var disputeId = Assert.Single(paid.Disputes).DisputeId;

        var approve = VisitRules.Decide(paid, new VisitCommand.DecideDispute(disputeId, true, "op-1", "video"), Context);
        Assert.Empty(approve.Events);
        var refund = Assert.IsType<VisitEffect.RequestRefund>(Assert.Single(approve.Effects));
        Assert.Equal((1, 149L), (refund.RefundNumber, refund.Decided.AmountMinor));

        var recorded = VisitRules.Decide(paid, new VisitCommand.RefundCompleted(refund.Decided, "ref-1"), Context);
        var refunded = recorded.Events.Aggregate(paid, VisitRules.Evolve);
        Assert.Equal((149L, DisputeStatus.Approved), (refunded.RefundedMinor, refunded.Disputes[0].Status));

        Assert.NotNull(VisitRules.Decide(refunded, new VisitCommand.RefundCompleted(refund.Decided, "ref-1"), Context).Refused);
        Assert.Equal("the dispute was already decided", VisitRules.Decide(refunded, new VisitCommand.DecideDispute(disputeId, true, "op-2", "twice?"), Context).Refused);
        Assert.Equal("only a paid receipt can be disputed", Run(new VisitCommand.Open(Opened), new VisitCommand.OpenDispute("drink-001", 1, "x")).Last.Refused);
    }
}
