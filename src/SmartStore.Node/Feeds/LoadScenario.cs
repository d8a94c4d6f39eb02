using SmartStore.Domain.Layouts;

namespace SmartStore.Node.Feeds;

/// <summary>
/// A steady stream of ordinary visits for load runs: shopper <c>i</c> enters every <c>spacingMs</c>, picks one to
/// three items from single-product, unrestricted bins (spread so that concurrent shoppers rarely share a bin),
/// sometimes puts one back, and leaves. Deterministic for a seed; the expected receipts come with it.
/// </summary>
public static class LoadScenario
{
    public static Scenario Build(StoreLayout layout, int visits, long startMs, long spacingMs = 2_000, int seed = 11)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var bins = layout.Bins
            .Where(b => b.Skus.Count == 1 && layout.FindProduct(b.Skus[0]) is { AgeRestricted: false })
            .ToList();
        if (bins.Count == 0)
        {
            throw new ArgumentException($"Layout '{layout.StoreId}' has no single-product, unrestricted bin to pick from.", nameof(layout));
        }

        var random = new Random(seed);

        // Ordinary traffic: nobody reaches into a bin area (bins on different levels share one) while someone else does.
        var reservations = new Dictionary<Rect, List<long>>();
        var stock = bins.ToDictionary(b => b.Id, b => b.Capacity, StringComparer.Ordinal);
        var entry = layout.Gates.First(g => g.Direction == GateDirection.Entry).Id;
        var exit = layout.Gates.First(g => g.Direction == GateDirection.Exit).Id;
        const long Clearance = 4_000;
        var feed = new ScriptedFeed(layout, startMs, seed);
        var shoppers = new List<ScenarioShopper>(visits);
        var expected = new List<ExpectedReceipt>(visits);
        var end = startMs;
        for (var i = 0; i < visits; i++)
        {
            var shopper = new ScenarioShopper($"s-{i:00000}", $"Shopper {i}", $"face-template-{i:00000}", $"tok-{i:00000}");
            shoppers.Add(shopper);
            var track = $"trk-{i:00000}";
            var t = startMs + 1_000 + (i * spacingMs);
            feed.Identify(t, entry, shopper.ShopperId);
            t = feed.Enter(t + 600, entry, track);
            var units = new Dictionary<string, int>(StringComparer.Ordinal);
            var picks = random.Next(1, 4);
            for (var k = 0; k < picks; k++)
            {
                var preferred = ((i * 3) + k) % bins.Count;
                var bin = Enumerable.Range(0, bins.Count).Select(o => bins[(preferred + o) % bins.Count])
                    .FirstOrDefault(b => stock[b.Id] > 0 && (!reservations.TryGetValue(b.Area, out var taken) || taken.All(r => Math.Abs(r - feed.ReachStartsAt(t, track, b.Id)) > Clearance)));
                if (bin is null)
                {
                    t = feed.Wait(t, track, 1_000);
                    continue;
                }

                var reachAt = feed.ReachStartsAt(t, track, bin.Id);
                if (!reservations.TryGetValue(bin.Area, out var list))
                {
                    reservations[bin.Area] = list = [];
                }

                list.Add(reachAt);
                var sku = bin.Skus[0];
                var n = Math.Min(random.Next(1, 3), stock[bin.Id]);
                if (n == 0)
                {
                    continue;
                }

                stock[bin.Id] -= n;
                t = feed.Pick(t, track, bin.Id, sku, n);
                units[sku] = units.GetValueOrDefault(sku) + n;
                if (k == 0 && random.Next(4) == 0)
                {
                    t = feed.PutBack(t + 200, track, bin.Id, sku);
                    units[sku]--;
                    stock[bin.Id]++;
                }
            }

            t = feed.Leave(t, exit, track);
            end = Math.Max(end, t);
            expected.Add(new ExpectedReceipt(shopper.ShopperId, units.Where(u => u.Value > 0).ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal)));
        }

        end += 1_000;
        return new Scenario($"{visits} visits every {spacingMs} ms", shoppers, feed.Build(end), end, expected, DeniedEntries: 0, Tailgaters: 0);
    }
}
