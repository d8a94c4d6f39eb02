using SmartStore.Domain.Layouts;

namespace SmartStore.Simulator.Generation;

/// <summary>
/// The hard cases, as scripts over the world. Each episode reserves the bin areas it uses, so ordinary traffic
/// keeps clear of it, labels the shelf events and visits it makes, and returns when it is over. They follow the
/// CPS-IoT 2020 autonomous-checkout competition's hard cases, plus the store's own (tailgating, unknown faces,
/// dead sensors, camera outages).
/// </summary>
internal static class Episodes
{
    public const string MisplacedPutBack = "misplaced-put-back";
    public const string SimultaneousSameBin = "simultaneous-same-bin";
    public const string CrossingHands = "crossing-hands";
    public const string HandOff = "hand-off";
    public const string MultiUnit = "multi-unit";
    public const string RestingHand = "resting-hand";
    public const string CrowdOfFour = "crowd-of-four";
    public const string Tailgating = "tailgating";
    public const string UnknownFace = "unknown-face";
    public const string DeadWeightSensor = "dead-weight-sensor";
    public const string CameraOutage = "camera-outage";
    public const string InterleavedAdmission = "interleaved-admission";
    public const string NeighbourReach = "neighbour-reach";
    public const string LightItem = "light-item";

    public static readonly IReadOnlyList<string> All =
        [MisplacedPutBack, SimultaneousSameBin, CrossingHands, HandOff, MultiUnit, RestingHand, CrowdOfFour, Tailgating, UnknownFace, DeadWeightSensor, CameraOutage, InterleavedAdmission, NeighbourReach, LightItem];

    /// <summary>Runs episode <paramref name="n"/> of <paramref name="kind"/> starting at <paramref name="t"/>; returns when its people have left.</summary>
    public static long Run(StoreWorld w, string kind, int n, long t) => kind switch
    {
        MisplacedPutBack => Misplaced(w, n, t),
        SimultaneousSameBin => Simultaneous(w, n, t),
        CrossingHands => Crossing(w, n, t),
        HandOff => Handing(w, n, t),
        MultiUnit => Several(w, n, t),
        RestingHand => Resting(w, n, t),
        CrowdOfFour => Crowd(w, n, t),
        Tailgating => Tailgate(w, n, t),
        UnknownFace => Unknown(w, n, t),
        DeadWeightSensor => DeadSensor(w, n, t),
        CameraOutage => CameraDown(w, n, t),
        InterleavedAdmission => Interleaved(w, n, t),
        NeighbourReach => Neighbours(w, n, t),
        LightItem => Light(w, n, t),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown hard case."),
    };

    /// <summary>Single-product, unrestricted bins: where scripted people pick.</summary>
    public static List<Bin> PlainBins(StoreLayout layout) =>
        [.. layout.Bins.Where(b => b.Skus.Count == 1 && layout.FindProduct(b.Skus[0]) is { AgeRestricted: false })];

    private static string Sku(Bin bin) => bin.Skus[0];

    private static Bin Pick(StoreWorld w, int n, int offset = 0)
    {
        // Episode n starts its search n × 5 bins along, wrapping round: the mixed presets number their episodes
        // past 100, and without the wrap every one of those fell back to the first stocked bin, so a dead-sensor
        // episode and a camera-outage episode happened at the same bin by accident.
        var bins = PlainBins(w.Layout);
        return bins.Skip(((n * 5) + offset) % bins.Count).Concat(bins).First(b => w.Stock[b.Id].GetValueOrDefault(Sku(b)) >= 4);
    }

    /// <summary>Starts a payer's visit alone: identified, crossed in; returns (visit, track, time inside).</summary>
    private static (string Visit, string Track, long T) Arrive(StoreWorld w, string kind, int n, string who, long t, IReadOnlyList<string>? labels = null)
    {
        var key = $"{kind}-{n:00}-{who}";
        var shopper = w.Enrol(key);
        w.Identify(t, key, shopper.Id, labels: labels ?? [kind]);
        var track = $"trk-{key}";
        return (key, track, w.Enter(t + 600, track, key));
    }

    private static long Reserve(StoreWorld w, long at, params Bin[] bins)
    {
        foreach (var bin in bins)
        {
            w.Reserve(bin, at);
        }

        return at;
    }

    private static long Misplaced(StoreWorld w, int n, long t)
    {
        // Two bins whose products weigh nearly the same (cola 350 g, lemonade 345 g in the small store).
        var bins = PlainBins(w.Layout);
        var pairs = (from a in bins
                     from b in bins
                     where a.Id != b.Id && Math.Abs(w.Layout.FindProduct(Sku(a))!.Weight.Grams - w.Layout.FindProduct(Sku(b))!.Weight.Grams) <= 10
                     select (a, b)).ToList();
        var (from, into) = pairs.Count > 0 ? pairs[n % pairs.Count] : (bins[0], bins[1]);
        string[] labels = [MisplacedPutBack];
        var (_, ana, ta) = Arrive(w, MisplacedPutBack, n, "a", t);
        Reserve(w, t + 4_000, from, into);
        ta = w.Reach(ta, ana, from, Sku(from), 1);
        ta = w.Dwell(ta, ana, 1_000);
        ta = w.Reach(ta, ana, into, Sku(from), -1, labels);
        var end = w.Leave(ta, ana);

        // Later someone takes "from the lemonade bin" the cola lying on top.
        var (_, ben, tb) = Arrive(w, MisplacedPutBack, n, "b", ta + 3_000);
        Reserve(w, tb + 3_000, into);
        tb = w.Reach(tb, ben, into, Sku(from), 1, labels);
        return Math.Max(end, w.Leave(tb, ben));
    }

    private static long Simultaneous(StoreWorld w, int n, long t)
    {
        var bin = Pick(w, n);
        string[] labels = [SimultaneousSameBin];
        var (_, ana, ta) = Arrive(w, SimultaneousSameBin, n, "a", t);
        var (_, ben, tb) = Arrive(w, SimultaneousSameBin, n, "b", t + 1_500);
        var at = Reserve(w, Math.Max(w.ReachStartsAt(ta, ana, bin), w.ReachStartsAt(tb, ben, bin)) + 500, bin);
        ta = w.WalkTo(ta, ana, StoreWorld.Front(bin, -0.3));
        tb = w.WalkTo(tb, ben, StoreWorld.Front(bin, +0.3));
        ta = w.Dwell(ta, ana, Math.Max(0, at - ta));
        tb = w.Dwell(tb, ben, Math.Max(0, at + 150 - tb));
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, labels, standOffsetX: -0.3);
        tb = w.Reach(tb, ben, bin, Sku(bin), 1, labels, standOffsetX: +0.3);
        return Math.Max(w.Leave(ta, ana), w.Leave(tb + 1_500, ben));
    }

    private static long Crossing(StoreWorld w, int n, long t)
    {
        // Two neighbouring bins on one level; each shopper stands at one and reaches across into the other.
        var bins = PlainBins(w.Layout);
        var pairs = (from a in bins
                     from b in bins
                     where a.Level == b.Level && a.Area.Max.X == b.Area.Min.X && a.Area.Min.Y == b.Area.Min.Y
                     select (a, b)).ToList();
        var (left, right) = pairs[n % pairs.Count];
        string[] labels = [CrossingHands];
        var (_, ana, ta) = Arrive(w, CrossingHands, n, "a", t);
        var (_, ben, tb) = Arrive(w, CrossingHands, n, "b", t + 1_500);
        var at = Reserve(w, Math.Max(w.ReachStartsAt(ta, ana, left), w.ReachStartsAt(tb, ben, right)) + 500, left, right);
        ta = w.WalkTo(ta, ana, StoreWorld.Front(left));
        tb = w.WalkTo(tb, ben, StoreWorld.Front(right));
        ta = w.Dwell(ta, ana, Math.Max(0, at - ta));
        tb = w.Dwell(tb, ben, Math.Max(0, at + 400 - tb));
        ta = w.Reach(ta, ana, left, Sku(right), 1, labels, handBin: right);
        tb = w.Reach(tb, ben, right, Sku(left), 1, labels, handBin: left);
        return Math.Max(w.Leave(ta, ana), w.Leave(tb + 1_500, ben));
    }

    private static long Handing(StoreWorld w, int n, long t)
    {
        var bin = Pick(w, n);
        string[] labels = [HandOff];
        var (_, ana, ta) = Arrive(w, HandOff, n, "a", t, labels);
        var (_, ben, tb) = Arrive(w, HandOff, n, "b", t + 1_500, labels);
        Reserve(w, w.ReachStartsAt(ta, ana, bin), bin);
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, labels);
        var meet = new Point(StoreWorld.Front(bin).X + 1.5, StoreWorld.Front(bin).Y - 0.8);
        tb = w.WalkTo(tb, ben, meet with { X = meet.X + 0.4 });
        ta = w.WalkTo(ta, ana, meet);
        var together = Math.Max(ta, tb);
        w.Dwell(ta, ana, together - ta + 1_000);
        tb = w.Dwell(tb, ben, together - tb + 1_000);

        // The one who took the item over leaves first; the picker pays for it.
        var bOut = w.Leave(tb, ben);
        return Math.Max(bOut, w.Leave(together + 4_000, ana));
    }

    private static long Several(StoreWorld w, int n, long t)
    {
        var bin = Pick(w, n);
        var (_, ana, ta) = Arrive(w, MultiUnit, n, "a", t);
        Reserve(w, w.ReachStartsAt(ta, ana, bin), bin);
        ta = w.Reach(ta, ana, bin, Sku(bin), 3 + (n % 2), [MultiUnit]);
        return w.Leave(ta, ana);
    }

    private static long Resting(StoreWorld w, int n, long t)
    {
        var bin = Pick(w, n);
        var (_, ana, ta) = Arrive(w, RestingHand, n, "a", t);
        Reserve(w, w.ReachStartsAt(ta, ana, bin), bin);
        ta = w.RestHand(ta, ana, bin, 150 + ((n % 5) * 40), 1_600);
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, [RestingHand]);
        return w.Leave(ta, ana);
    }

    private static long Crowd(StoreWorld w, int n, long t)
    {
        var shelves = w.Layout.Shelves.Where(s => s.Bins.Count(b => PlainBins(w.Layout).Contains(b)) >= 3).ToList();
        var shelf = shelves[n % shelves.Count];
        var bins = shelf.Bins.Where(b => PlainBins(w.Layout).Contains(b)).Take(3).ToList();
        bins.Add(bins[0]);
        string[] labels = [CrowdOfFour];
        var ends = new List<long>();
        var people = Enumerable.Range(0, 4).Select(i => Arrive(w, CrowdOfFour, n, ((char)('a' + i)).ToString(), t + (i * 1_200))).ToList();
        var at = people.Max(p => w.ReachStartsAt(p.T, p.Track, bins[0])) + 1_500;
        Reserve(w, at, [.. bins]);
        for (var i = 0; i < 4; i++)
        {
            var (_, track, tt) = people[i];
            var offset = i == 3 ? 0.35 : 0;
            tt = w.WalkTo(tt, track, StoreWorld.Front(bins[i], offset));
            tt = w.Dwell(tt, track, Math.Max(0, at + (i * 700) - tt));
            tt = w.Reach(tt, track, bins[i], Sku(bins[i]), 1, labels, standOffsetX: offset);
            ends.Add(w.Leave(tt + (i * 800), track));
        }

        return ends.Max();
    }

    private static long Tailgate(StoreWorld w, int n, long t)
    {
        var bin = Pick(w, n);
        var (_, ana, ta) = Arrive(w, Tailgating, n, "a", t);
        var sneak = $"trk-{Tailgating}-{n:00}-x";
        var tx = w.Enter(ta + 300, sneak, visitKey: null);
        w.Tailgaters++;
        Reserve(w, w.ReachStartsAt(ta, ana, bin), bin);
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, [Tailgating]);
        tx = w.WalkTo(tx, sneak, new Point(StoreWorld.Front(bin).X + 2, 1.2));
        tx = w.Dwell(tx, sneak, 2_000);
        return Math.Max(w.Leave(ta, ana), w.Leave(tx, sneak));
    }

    private static long Unknown(StoreWorld w, int n, long t)
    {
        // A face nobody enrolled, then an enrolled shopper matched with too little confidence, who uses the app.
        w.IdentifyRefused(t, $"stranger-{n:00}", 0.98, "not enrolled");
        var key = $"{UnknownFace}-{n:00}-a";
        var shopper = w.Enrol(key);
        w.IdentifyRefused(t + 1_500, shopper.Id, 0.55, "low confidence");
        w.ShowCode(t + 3_000, key, shopper.Id, labels: [UnknownFace]);
        var track = $"trk-{key}";
        var ta = w.Enter(t + 3_600, track, key);
        var bin = Pick(w, n);
        Reserve(w, w.ReachStartsAt(ta, track, bin), bin);
        ta = w.Reach(ta, track, bin, Sku(bin), 1, [UnknownFace]);
        return w.Leave(ta, track);
    }

    private static long DeadSensor(StoreWorld w, int n, long t)
    {
        var bin = Pick(w, n, offset: 2);
        var shelf = w.Layout.Shelves.First(s => s.Bins.Contains(bin));
        // The cell dies, someone picks from the bin, and staff replace the cell a while later.
        var (_, ana, ta) = Arrive(w, DeadWeightSensor, n, "a", t + 6_000);
        Reserve(w, w.ReachStartsAt(ta, ana, bin), bin);
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, [DeadWeightSensor]);
        w.Outages.Add(new Outage($"{shelf.Id}/{bin.Id}", t - w.StartMs, ta + 20_000 - w.StartMs));
        return w.Leave(ta, ana);
    }

    private static long CameraDown(StoreWorld w, int n, long t)
    {
        var bin = Pick(w, n, offset: 1);
        var camera = w.Layout.Cameras.First(c => c.Sees.Contains(StoreWorld.Front(bin)));
        var (_, ana, ta) = Arrive(w, CameraOutage, n, "a", t);
        if (n % 2 == 1)
        {
            // Takes an item in sight, then puts it back while the camera is down: nothing to pay.
            var first = Reserve(w, w.ReachStartsAt(ta, ana, bin), bin);
            ta = w.Reach(ta, ana, bin, Sku(bin), 1, [CameraOutage]);
            ta = w.Dwell(ta, ana, 5_000);
            w.Outages.Add(new Outage(camera.Id, ta - 1_000 - w.StartMs, ta + 6_000 - w.StartMs));
            Reserve(w, Math.Max(first, ta), bin);
            ta = w.Reach(ta, ana, bin, Sku(bin), -1, [CameraOutage, "put-back"]);
            return w.Leave(ta + 6_000, ana);
        }

        var at = Reserve(w, w.ReachStartsAt(ta, ana, bin), bin);
        w.Outages.Add(new Outage(camera.Id, at - 4_000 - w.StartMs, at + 6_000 - w.StartMs));
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, [CameraOutage]);
        return w.Leave(ta, ana);
    }

    private static long Interleaved(StoreWorld w, int n, long t)
    {
        // A payer with a companion is admitted; another shopper is identified at the same gate before the
        // companion is through: earlier, just after, or while the companion is still ahead of the barrier.
        var offsets = new[] { 400L, 1_000L, 1_250L };
        var offset = offsets[n % offsets.Length];
        string[] labels = [InterleavedAdmission];
        var key = $"{InterleavedAdmission}-{n:00}-a";
        var payer = w.Enrol(key);
        w.Identify(t, key, payer.Id, party: 2, labels: ["group", InterleavedAdmission]);
        var (ta, tb) = ($"trk-{key}", $"trk-{key}-b");
        var timeA = w.Enter(t + StoreWorld.PayerWalkMs, ta, key);
        var other = $"{InterleavedAdmission}-{n:00}-e";
        var shopper = w.Enrol(other);
        w.Identify(t + offset, other, shopper.Id, labels: labels);
        var te = $"trk-{other}";
        var timeE = w.Enter(t + offset + StoreWorld.PayerWalkMs, te, other);
        var timeB = w.Enter(t + 1_400, tb, key);

        // Each of the three takes something different.
        var bins = PlainBins(w.Layout).Where(b => w.Stock[b.Id].GetValueOrDefault(Sku(b)) >= 4).Skip(n * 3).Concat(PlainBins(w.Layout)).Take(3).ToList();
        var ends = new List<long>();
        foreach (var (track, start, bin) in new[] { (ta, timeA, bins[0]), (te, timeE, bins[1]), (tb, timeB, bins[2]) })
        {
            var at = w.NextFree(bin, w.ReachStartsAt(start, track, bin), 4_000);
            Reserve(w, at, bin);
            var tt = w.WalkTo(start, track, StoreWorld.Front(bin));
            tt = w.Dwell(tt, track, Math.Max(0, at - tt));
            tt = w.Reach(tt, track, bin, Sku(bin), 1, labels);
            ends.Add(w.Leave(tt, track));
        }

        return ends.Max();
    }

    private static long Neighbours(StoreWorld w, int n, long t)
    {
        // Two shoppers side by side at neighbouring bins of one level: one takes two units while the other's
        // hand is in the next bin, taking one.
        var bins = PlainBins(w.Layout);
        var pairs = (from a in bins
                     from b in bins
                     where a.Level == b.Level && Math.Abs(a.Area.Max.X - b.Area.Min.X) < 1e-9 && a.Area.Min.Y == b.Area.Min.Y
                         && w.Stock[a.Id].GetValueOrDefault(Sku(a)) >= 4 && w.Stock[b.Id].GetValueOrDefault(Sku(b)) >= 4
                     select (a, b)).ToList();
        var (left, right) = pairs[(n * 7) % pairs.Count];
        string[] labels = [NeighbourReach];
        var (_, ana, ta) = Arrive(w, NeighbourReach, n, "a", t);
        var (_, ben, tb) = Arrive(w, NeighbourReach, n, "b", t + 1_500);
        var at = Reserve(w, Math.Max(w.ReachStartsAt(ta, ana, left), w.ReachStartsAt(tb, ben, right)) + 500, left, right);
        ta = w.WalkTo(ta, ana, StoreWorld.Front(left));
        tb = w.WalkTo(tb, ben, StoreWorld.Front(right));
        ta = w.Dwell(ta, ana, Math.Max(0, at - ta));
        tb = w.Dwell(tb, ben, Math.Max(0, at + 200 - tb));
        ta = w.Reach(ta, ana, left, Sku(left), 2, labels);
        tb = w.Reach(tb, ben, right, Sku(right), 1, labels);
        return Math.Max(w.Leave(ta, ana), w.Leave(tb + 1_500, ben));
    }

    private static long Light(StoreWorld w, int n, long t)
    {
        // The lightest products the store has, one unit at a time, from a cell that is still creeping.
        var lightest = PlainBins(w.Layout)
            .Where(b => w.Stock[b.Id].GetValueOrDefault(Sku(b)) >= 4)
            .OrderBy(b => w.Layout.FindProduct(Sku(b))!.Weight.Grams)
            .ThenBy(b => b.Id, StringComparer.Ordinal)
            .Take(3)
            .ToList();
        var bin = lightest[n % lightest.Count];
        var (_, ana, ta) = Arrive(w, LightItem, n, "a", t);
        var at = w.NextFree(bin, w.ReachStartsAt(ta, ana, bin), 4_000);
        Reserve(w, at, bin);
        ta = w.Dwell(w.WalkTo(ta, ana, StoreWorld.Front(bin)), ana, 0);
        ta = w.Dwell(ta, ana, Math.Max(0, at - ta));
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, [LightItem]);
        ta = w.Dwell(ta, ana, 2_500);
        Reserve(w, ta, bin);
        ta = w.Reach(ta, ana, bin, Sku(bin), 1, [LightItem]);
        return w.Leave(ta, ana);
    }
}
