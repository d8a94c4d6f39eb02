using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Node.Feeds;
using SmartStore.Node.Projections;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>A chain of two identical shop fits (same gate ids), and what each store of it must end with.</summary>
internal static class ChainAssertions
{
    public static readonly StoreLayout SecondSite = StoreHarness.Small with { StoreId = "corner-02", Name = "Corner store, second site" };

    /// <summary>
    /// Every store's own receipts for the scripted morning: one per payer per store, the visit of that store, paid,
    /// with exactly the expected lines, and nothing more.
    /// </summary>
    public static async Task EachStoreSettledExactlyAsync(ReceiptBook receipts, Func<string, Task<VisitState>> visitOf, Scenario morning, params string[] stores)
    {
        Assert.Equal(stores.Length * morning.Expected.Count, receipts.Issued.Count);
        foreach (var storeId in stores)
        {
            foreach (var expected in morning.Expected)
            {
                var receipt = Assert.Single(receipts.Issued, r => r.PayerId == expected.PayerId && r.VisitId.StartsWith(storeId + "-", StringComparison.Ordinal));
                var visit = await visitOf(receipt.VisitId);
                Assert.Equal((storeId, VisitPhase.Paid), (visit.StoreId, visit.Phase));
                Assert.Equal(
                    expected.Units.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Value}x{u.Key}"),
                    visit.Receipt!.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => $"{l.Units}x{l.Sku}"));
                Assert.Equal(visit.Receipt.Total, visit.ChargedMinor);
            }
        }
    }
}
