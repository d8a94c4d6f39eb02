using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;

namespace SmartStore.Node.Feeds;

/// <summary>A shopper the scenario enrols before the store opens.</summary>
public sealed record ScenarioShopper(string ShopperId, string Name, string FaceTemplateRef, string PaymentToken);

/// <summary>What one payer's receipt must hold: units per SKU.</summary>
public sealed record ExpectedReceipt(string PayerId, IReadOnlyDictionary<string, int> Units);

/// <summary>A scripted feed with the people it needs and the receipts it must produce.</summary>
public sealed record Scenario(string Name, IReadOnlyList<ScenarioShopper> Shoppers, IReadOnlyList<DeviceMessage> Messages, long EndMs, IReadOnlyList<ExpectedReceipt> Expected, int DeniedEntries, int Tailgaters);

/// <summary>
/// The built-in scripted morning in the small store: a shopper who puts an item back on the wrong shelf, a payer
/// with a companion (group entry), a hand-off between two shoppers (the picker pays), a tailgater, a face
/// matched with too little confidence and a face nobody enrolled.
/// </summary>
public static class DemoScenario
{
    public const string Cola = "drink-001";
    public const string Water = "drink-003";
    public const string AppleJuice = "drink-006";
    public const string Crisps = "snack-007";
    public const string Granola = "snack-011";
    public const string Skyr = "dairy-016";

    private static readonly string[] ShopperNames = ["alice", "bob", "carol", "dave"];

    public static Scenario Build(StoreLayout layout, long startMs)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var feed = new ScriptedFeed(layout, startMs);
        var t0 = startMs + 2_000;

        // Alice takes two colas and crisps, then puts one cola back into the lemonade bin next door.
        feed.Identify(t0, "gate-in", "s-alice");
        var t = feed.Enter(t0 + 600, "gate-in", "trk-alice");
        t = feed.Pick(t, "trk-alice", "shelf-01-l1b1", Cola, units: 2);
        t = feed.Pick(t, "trk-alice", "shelf-02-l1b2", Crisps);
        t = feed.PutBack(t + 400, "trk-alice", "shelf-01-l1b2", Cola);
        var aliceOut = feed.Leave(t, "gate-out", "trk-alice");

        // Bob pays for himself and a companion: one code, a party of two.
        var t1 = t0 + 12_000;
        feed.Token(t1, "gate-in", "shopper:s-bob", party: 2);
        var tb = feed.Enter(t1 + 600, "gate-in", "trk-bob");
        var tc = feed.Enter(t1 + 1_400, "gate-in", "trk-bob-friend");
        tb = feed.Pick(tb + 1_000, "trk-bob", "shelf-02-l1b1", AppleJuice);
        tc = feed.Pick(Math.Max(tc, tb) + 2_000, "trk-bob-friend", "shelf-01-l2b1", Water);
        feed.Leave(tb + 6_000, "gate-out", "trk-bob");
        var bobOut = feed.Leave(tc + 1_000, "gate-out", "trk-bob-friend");

        // Carol picks a granola bar and hands it to Dave, who walks out with it: the picker pays.
        var t2 = Math.Max(aliceOut, bobOut) + 1_000;
        feed.Identify(t2, "gate-in", "s-carol");
        var tcarol = feed.Enter(t2 + 600, "gate-in", "trk-carol");
        feed.Identify(t2 + 1_500, "gate-in", "s-dave");
        var tdave = feed.Enter(t2 + 2_100, "gate-in", "trk-dave");

        // Someone slips in right behind Dave without being admitted.
        feed.Cross(t2 + 2_500, "gate-in", "trk-tailgater", inward: true);
        tcarol = feed.Pick(tcarol, "trk-carol", "shelf-03-l1b1", Granola);
        tdave = feed.Pick(Math.Max(tdave, tcarol) + 1_000, "trk-dave", "shelf-04-l1b1", Skyr);
        tcarol = feed.WalkTo(tcarol, "trk-carol", new Point(3.5, 4.3));
        tcarol = feed.Wait(Math.Max(tcarol, tdave), "trk-carol", 1_000);
        tdave = feed.Leave(tcarol + 200, "gate-out", "trk-dave");
        tcarol = feed.Leave(tcarol + 2_000, "gate-out", "trk-carol");

        // A face matched with too little confidence, and a face nobody enrolled.
        feed.Identify(tcarol + 1_000, "gate-in", "s-eve", confidence: 0.55);
        feed.Identify(tcarol + 2_000, "gate-in", "s-nobody", confidence: 0.99);

        var end = tcarol + 4_000;
        var shoppers = ShopperNames
            .Select(n => new ScenarioShopper($"s-{n}", $"{char.ToUpperInvariant(n[0])}{n[1..]} Example", $"face-template-{n}-0001", $"tok-{n}-4242"))
            .ToList();
        var expected = new List<ExpectedReceipt>
        {
            new("s-alice", new Dictionary<string, int> { [Cola] = 1, [Crisps] = 1 }),
            new("s-bob", new Dictionary<string, int> { [AppleJuice] = 1, [Water] = 1 }),
            new("s-carol", new Dictionary<string, int> { [Granola] = 1 }),
            new("s-dave", new Dictionary<string, int> { [Skyr] = 1 }),
        };
        return new Scenario("scripted morning", shoppers, feed.Build(end), end, expected, DeniedEntries: 2, Tailgaters: 1);
    }
}
