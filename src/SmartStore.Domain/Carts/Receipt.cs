using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Carts;

/// <summary>A receipt line. Money is in minor units (cents) as integers; shelf prices include tax.</summary>
public sealed record ReceiptLine(string Sku, string Name, int Units, long UnitPrice, long Total, string TaxClass, IReadOnlyList<CartChange> Evidence);

/// <summary>Gross, net and tax for one tax class.</summary>
public sealed record TaxLine(string TaxClass, int RateBasisPoints, long Gross, long Net, long Tax);

public sealed record Receipt(string Currency, IReadOnlyList<ReceiptLine> Lines, IReadOnlyList<TaxLine> Taxes, long Total);

/// <summary>Prices a cart against the catalog. A pure function: no clock, no I/O.</summary>
public static class Pricing
{
    /// <summary>
    /// Builds the receipt: one line per product, totals as exact integer sums, and per tax class the tax
    /// contained in the gross amount (net rounded half up to the minor unit; tax = gross − net, so the parts
    /// always add up to the total).
    /// </summary>
    public static Receipt Price(VirtualCart cart, StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(cart);
        ArgumentNullException.ThrowIfNull(layout);
        var lines = new List<ReceiptLine>(cart.Lines.Count);
        foreach (var line in cart.Lines.Values)
        {
            var product = layout.FindProduct(line.Sku) ?? throw new InvalidOperationException($"SKU '{line.Sku}' is not in the catalog of '{layout.StoreId}'.");
            lines.Add(new ReceiptLine(product.Sku, product.Name, line.Units, product.UnitPrice, checked(product.UnitPrice * line.Units), product.TaxClass, line.Changes));
        }

        var taxes = lines
            .GroupBy(l => l.TaxClass, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var rate = layout.TaxRatesBasisPoints[g.Key];
                var gross = g.Sum(l => l.Total);
                var net = NetOf(gross, rate);
                return new TaxLine(g.Key, rate, gross, net, gross - net);
            })
            .ToList();
        return new Receipt(layout.Currency, lines, taxes, lines.Sum(l => l.Total));
    }

    /// <summary>The net amount inside a gross amount at a rate in basis points, rounded half up.</summary>
    public static long NetOf(long gross, int rateBasisPoints)
    {
        var divisor = 10_000L + rateBasisPoints;
        return ((gross * 10_000L) + (divisor / 2)) / divisor;
    }
}
