using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;
using Xunit;

namespace SmartStore.Domain.Tests;

public sealed class CartTests
{
    private static readonly StoreLayout Store = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
    private static readonly string[] Skus = Store.Products.Select(p => p.Sku).ToArray();
    private static int s_events;

    private static CartChange Change(string sku, int units, string? eventId = null) =>
        new(sku, units, new CartEvidence(eventId ?? $"e{Interlocked.Increment(ref s_events)}", "bin-1", "wc-1", ["obs-1"], 0.97));

    private static readonly Arbitrary<CartChange[]> Picks =
        Gen.Zip(Gen.Elements(Skus), Gen.Choose(1, 4)).Select(t => Change(t.Item1, t.Item2)).ArrayOf().ToArbitrary();

    private static VirtualCart ApplyAll(IEnumerable<CartChange> changes) =>
        changes.Aggregate(VirtualCart.Empty, (cart, change) => cart.Apply(change).Cart);

    [Fact]
    public void Receipt_totals_equal_the_sum_of_their_lines_and_of_their_tax_classes()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Picks, picks =>
        {
            var receipt = Pricing.Price(ApplyAll(picks), Store);
            return receipt.Total == receipt.Lines.Sum(l => l.Total)
                && receipt.Total == receipt.Taxes.Sum(t => t.Gross)
                && receipt.Taxes.All(t => t.Net + t.Tax == t.Gross && t.Tax >= 0)
                && receipt.Lines.All(l => l.Total == l.UnitPrice * l.Units);
        }));
    }

    [Fact]
    public void A_pick_followed_by_a_put_back_of_the_same_item_leaves_the_cart_unchanged()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Picks, Gen.Elements(Skus).ToArbitrary(), (picks, sku) =>
        {
            var before = ApplyAll(picks);
            var after = before.Apply(Change(sku, 1)).Cart.Apply(Change(sku, -1)).Cart;
            return after.Equivalent(before) && Pricing.Price(after, Store).Total == Pricing.Price(before, Store).Total;
        }));
    }

    [Fact]
    public void Duplicated_changes_change_nothing()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Picks, picks =>
        {
            var once = ApplyAll(picks);
            var twice = ApplyAll(picks.Concat(picks));
            return twice.Equivalent(once);
        }));
    }

    [Fact]
    public void The_order_of_picks_does_not_matter()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(Picks, picks =>
            ApplyAll(picks.Reverse()).Equivalent(ApplyAll(picks))));
    }

    [Fact]
    public void A_put_back_of_an_item_the_cart_does_not_hold_is_refused()
    {
        var result = VirtualCart.Empty.Apply(Change("drink-001", 1)).Cart.Apply(Change("drink-002", -1));

        Assert.Equal(CartOutcome.PutBackOfItemNotHeld, result.Outcome);
        Assert.Equal(1, result.Cart.TotalUnits);
    }

    [Fact]
    public void Every_line_keeps_the_evidence_that_produced_it()
    {
        var cart = VirtualCart.Empty
            .Apply(Change("drink-001", 2, "pick-1")).Cart
            .Apply(Change("drink-001", -1, "putback-2")).Cart;

        var line = cart.Lines["drink-001"];
        Assert.Equal(1, line.Units);
        Assert.Equal(["pick-1", "putback-2"], line.Changes.Select(c => c.Evidence.EventId));
        Assert.Equal(["drink-001"], Pricing.Price(cart, Store).Lines.Select(l => l.Sku));
    }

    [Theory]
    [InlineData(1200, 2000, 1000)]
    [InlineData(149, 2000, 124)]
    [InlineData(105, 550, 100)]
    [InlineData(0, 2000, 0)]
    public void Net_amounts_are_exact_integers_rounded_half_up(long gross, int rate, long net) =>
        Assert.Equal(net, Pricing.NetOf(gross, rate));

    [Fact]
    public void A_mixed_cart_prices_to_the_hand_computed_receipt()
    {
        // Cola 149 × 3 (standard 20 %), milk 119 × 2 (reduced 5.5 %).
        var cart = VirtualCart.Empty.Apply(Change("drink-001", 3)).Cart.Apply(Change("dairy-013", 2)).Cart;

        var receipt = Pricing.Price(cart, Store);

        Assert.Equal(447 + 238, receipt.Total);
        Assert.Equal(new TaxLine("reduced", 550, 238, 226, 12), receipt.Taxes[0]);
        Assert.Equal(new TaxLine("standard", 2000, 447, 373, 74), receipt.Taxes[1]);
        Assert.Equal(["dairy-013", "drink-001"], receipt.Lines.Select(l => l.Sku).ToArray());
    }
}
