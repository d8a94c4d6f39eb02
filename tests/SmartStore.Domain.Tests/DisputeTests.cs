using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using Xunit;

namespace SmartStore.Domain.Tests;

public sealed class DisputeTests
{
    private static readonly DateTimeOffset Settled = new(2026, 11, 1, 18, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Window = TimeSpan.FromDays(14);

    private static Receipt Receipt()
    {
        var evidence = new CartEvidence("e1", "bin", "wc", ImmutableArray<string>.Empty, 0.9);
        var cart = VirtualCart.Empty.Apply(new CartChange("drink-001", 3, evidence)).Cart;
        return Pricing.Price(cart, FloorScript.Store);
    }

    private static DisputeResult Open(int units, DateTimeOffset now, params Dispute[] earlier) =>
        DisputePolicy.Open("d-new", "v1", Receipt(), Settled, "drink-001", units, "I took only one", now, Window, earlier);

    [Fact]
    public void A_line_can_be_disputed_within_the_window_for_the_units_it_holds()
    {
        var opened = Open(2, Settled.AddDays(3)).Dispute!;

        Assert.Equal((2, 298L, DisputeStatus.Open), (opened.Units, opened.AmountMinor, opened.Status));
    }

    [Fact]
    public void The_window_the_line_and_earlier_disputes_bound_what_can_be_disputed()
    {
        Assert.Contains("window", Open(1, Settled.AddDays(15)).Refused, StringComparison.Ordinal);
        Assert.Contains("not on this receipt", DisputePolicy.Open("d", "v1", Receipt(), Settled, "snack-007", 1, "x", Settled, Window, []).Refused, StringComparison.Ordinal);
        Assert.Contains("cannot be disputed", Open(4, Settled).Refused, StringComparison.Ordinal);

        var approved = DisputePolicy.Decide(Open(2, Settled).Dispute! with { DisputeId = "d1" }, approve: true, "op-7", "camera shows one");
        var rejected = DisputePolicy.Decide(Open(1, Settled).Dispute! with { DisputeId = "d2" }, approve: false, "op-7", "camera shows three");
        Assert.Contains("2 already disputed", Open(2, Settled, approved, rejected).Refused, StringComparison.Ordinal);
        Assert.NotNull(Open(1, Settled, approved, rejected).Dispute);
    }

    [Fact]
    public void An_operator_decides_a_dispute_once()
    {
        var decided = DisputePolicy.Decide(Open(1, Settled).Dispute!, approve: true, "op-7", "confirmed");

        Assert.Equal((DisputeStatus.Approved, "op-7"), (decided.Status, decided.DecidedBy));
        Assert.Throws<InvalidOperationException>(() => DisputePolicy.Decide(decided, approve: false, "op-8", "changed my mind"));
    }
}
