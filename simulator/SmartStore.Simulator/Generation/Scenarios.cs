using SmartStore.Domain.Layouts;
using SmartStore.Simulator.Feeds;

namespace SmartStore.Simulator.Generation;

/// <summary>A named preset: which store, how noisy its devices and network are, how much ordinary traffic, which hard case how often.</summary>
public sealed record ScenarioSpec(string Name, string Description, string Layout)
{
    public WeightSensorModel Weights { get; init; } = new();

    public CameraModel Cameras { get; init; } = new();

    public NetworkModel Network { get; init; } = new();

    public TrafficModel Traffic { get; init; } = new();

    /// <summary>The hard case every episode plays (null: ordinary traffic only).</summary>
    public string? HardCase { get; init; }

    /// <summary>One episode of every hard case mixed into the ordinary traffic.</summary>
    public bool MixedHardCases { get; init; }

    public int Episodes { get; init; }

    /// <summary>Gap between episodes (store time).</summary>
    public long EpisodeEveryMs { get; init; } = 30_000;
}

/// <summary>A generated feed: its header, the messages in arrival order, and the truth.</summary>
public sealed record GeneratedFeed(FeedHeader Header, IReadOnlyList<FeedMessage> Messages, GroundTruth Truth);

/// <summary>The presets QA picks from (<c>list-scenarios</c>), and the generator that plays them.</summary>
public static class Scenarios
{
    public const string Small = "small-convenience.yaml";
    public const string Medium = "medium-grocery.yaml";
    public const string Narrow = "narrow-kiosk.yaml";

    /// <summary>Every layout the project ships (the accuracy matrix runs every preset on each).</summary>
    public static readonly IReadOnlyList<string> ShippedLayouts = [Small, Medium, Narrow];

    /// <summary>Narrow cantilevered bins: slower to settle, with creep and more drift than the shelves of the other stores.</summary>
    private static readonly WeightSensorModel NarrowCells = new() { SettleMs = 300, CreepFraction = 0.03, CreepMs = 6_000, DriftGramsPerMinute = 3 };

    public static readonly IReadOnlyList<ScenarioSpec> Presets =
    [
        new("normal", "Ordinary traffic in the small store: 40 visits, some groups, put-backs and multi-unit picks; light sensor and network noise.", Small)
        {
            Traffic = new TrafficModel { Visits = 40, ArrivalEveryMs = 6_000 },
        },
        new("noisy-network", "The normal day over a bad network: 3 % duplicates, heavy jitter (reordering), 0.5 % of messages later than the lateness bound.", Small)
        {
            Traffic = new TrafficModel { Visits = 30, ArrivalEveryMs = 6_000 },
            Network = new NetworkModel { DuplicateRate = 0.03, JitterMs = 120, LateRate = 0.005 },
        },
        Hard(Episodes.MisplacedPutBack, "An item put back into a bin of a different product of (nearly) the same weight, later picked by someone else."),
        Hard(Episodes.SimultaneousSameBin, "Two shoppers pick the same product from the same bin at the same moment."),
        Hard(Episodes.CrossingHands, "Two shoppers at neighbouring bins reach across each other into the other bin."),
        Hard(Episodes.HandOff, "A shopper picks an item and hands it to another, who leaves first: the picker pays."),
        Hard(Episodes.MultiUnit, "Three or four units taken in one reach."),
        Hard(Episodes.RestingHand, "A shopper rests a hand on a shelf (pressing it down) before picking."),
        Hard(Episodes.CrowdOfFour, "Four shoppers crowd one shelf and pick within a few seconds."),
        Hard(Episodes.Tailgating, "Someone slips in behind an admitted shopper without being admitted."),
        Hard(Episodes.UnknownFace, "A face nobody enrolled, and an enrolled face matched with too little confidence who then uses the app code."),
        Hard(Episodes.DeadWeightSensor, "A bin's load cell dies; later someone picks from that bin."),
        Hard(Episodes.CameraOutage, "The camera over a bin goes down while someone picks from it, or puts back what they took."),
        Hard(Episodes.InterleavedAdmission, "A payer with a companion is admitted, and another shopper is identified at the same gate before the companion is through."),
        Hard(Episodes.NeighbourReach, "Two shoppers side by side at neighbouring narrow bins: one takes two units while the other's hand is in the next bin.") with { Layout = Narrow },
        Hard(Episodes.LightItem, "The lightest products in the store (chewing gum in the kiosk), one unit at a time, from slow, creeping cells.") with { Weights = NarrowCells, Layout = Narrow },
        new("busy-hour", "One hour of the medium store: 220 visits, groups, put-backs, multi-unit picks, realistic noise (2 Hz load cells).", Medium)
        {
            Traffic = new TrafficModel { Visits = 220, ArrivalEveryMs = 16_000, MaxPicks = 5 },
            Weights = new WeightSensorModel { SampleHz = 2 },
            Cameras = new CameraModel { FrameHz = 4 },
        },
        new("busy-small", "A busy stretch in the small store: 60 ordinary visits arriving every 4 s, and an episode of every hard case mixed in (with visits of their own).", Small)
        {
            Traffic = new TrafficModel { Visits = 60, ArrivalEveryMs = 4_000 },
            MixedHardCases = true,
        },
        new("narrow-normal", "Ordinary traffic in the station kiosk: 40 visits at 10-30 cm facings of near-identical weights, on slow, creeping cells.", Narrow)
        {
            Traffic = new TrafficModel { Visits = 40, ArrivalEveryMs = 6_000 },
            Weights = NarrowCells,
        },
        new("narrow-busy", "A busy stretch in the station kiosk: 60 ordinary visits arriving every 4 s, and an episode of every hard case mixed in (with visits of their own).", Narrow)
        {
            Traffic = new TrafficModel { Visits = 60, ArrivalEveryMs = 4_000 },
            Weights = NarrowCells,
            MixedHardCases = true,
        },
    ];

    public static ScenarioSpec? Find(string name) => Presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    private static ScenarioSpec Hard(string kind, string description) => new(kind, description + " Six episodes among light ordinary traffic.", Small)
    {
        HardCase = kind,
        Episodes = 6,
        Traffic = new TrafficModel { Visits = 6, ArrivalEveryMs = 25_000 },
    };

    /// <summary>
    /// Plays a preset in a fresh world: hard-case episodes first (they reserve their bins), then the ordinary
    /// traffic around them; then sensors, cameras and network. The same spec, layout and seed give the same feed.
    /// </summary>
    public static GeneratedFeed Generate(ScenarioSpec spec, StoreLayout layout, int seed, int? visits = null, long startMs = 1_795_248_000_000)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(layout);
        var world = new StoreWorld(layout, startMs, new Random(seed));
        var t = startMs + 2_000;
        var end = t;
        if (spec.HardCase is { } kind)
        {
            for (var n = 0; n < spec.Episodes; n++)
            {
                end = Math.Max(end, Episodes.Run(world, kind, n, t + (n * spec.EpisodeEveryMs)));
            }
        }
        else if (spec.MixedHardCases)
        {
            for (var n = 0; n < Episodes.All.Count; n++)
            {
                end = Math.Max(end, Episodes.Run(world, Episodes.All[n], 100 + n, t + 5_000 + (n * 20_000)));
            }
        }

        end = Math.Max(end, Traffic.Run(world, spec.Traffic with { Visits = visits ?? spec.Traffic.Visits }, t));
        end = Math.Max(end, world.EndMs) + 3_000;
        var messages = FeedEmitter.Emit(world, end, spec.Weights, spec.Cameras, spec.Network);
        var truth = new GroundTruth(
            GroundTruth.CurrentVersion,
            spec.Name,
            layout.StoreId,
            seed,
            world.Shoppers,
            world.TruthVisits(),
            [.. world.Actions.OrderBy(a => a.TimeMs)],
            world.Denials,
            world.Tailgaters,
            [.. world.Outages.Select(o => $"outage: {o.Device} from {o.FromMs} ms to {(o.ToMs == long.MaxValue ? "the end" : $"{o.ToMs} ms")}")]);
        var header = new FeedHeader(FeedHeader.FormatName, FeedHeader.CurrentVersion, layout.StoreId, spec.Layout, spec.Name, seed, startMs, end, messages.Count);
        return new GeneratedFeed(header, messages, truth);
    }
}

/// <summary>Ordinary shoppers: arrive, browse a few bins (keeping clear of everyone else's reach), sometimes with a companion, and leave.</summary>
internal static class Traffic
{
    private const long Clearance = 4_000;

    public static long Run(StoreWorld w, TrafficModel model, long start)
    {
        var random = w.Random;
        var bins = Episodes.PlainBins(w.Layout);
        var end = start;
        var t = start;
        for (var i = 0; i < model.Visits; i++)
        {
            t += 1_500 + (long)(-model.ArrivalEveryMs * Math.Log(1.0 - random.NextDouble()) * 0.8);
            var key = $"visit-{i:0000}";
            var group = random.NextDouble() < model.GroupRate;
            var shopper = w.Enrol(key);
            w.Identify(t, key, shopper.Id, party: group ? 2 : 1, labels: group ? ["group"] : []);
            var tracks = new List<(string Track, long T)> { ($"trk-{key}-a", w.Enter(t + 600, $"trk-{key}-a", key)) };
            if (group)
            {
                tracks.Add(($"trk-{key}-b", w.Enter(t + 1_400, $"trk-{key}-b", key)));
            }

            var picks = random.Next(1, model.MaxPicks + 1);
            for (var k = 0; k < picks; k++)
            {
                var who = group && random.NextDouble() < 0.4 ? 1 : 0;
                var (track, tt) = tracks[who];
                var units = random.NextDouble() < model.MultiUnitRate ? 2 : 1;
                var offset = random.Next(bins.Count);
                Domain.Layouts.Bin? bin = null;
                for (var o = 0; o < bins.Count && bin is null; o++)
                {
                    var candidate = bins[(offset + o) % bins.Count];
                    if (w.Stock[candidate.Id].GetValueOrDefault(candidate.Skus[0]) >= units + 1 && w.AreaFree(candidate, w.ReachStartsAt(tt, track, candidate), Clearance * 3))
                    {
                        bin = candidate;
                    }
                }

                if (bin is null)
                {
                    tracks[who] = (track, w.Dwell(tt, track, 1_000));
                    continue;
                }

                // Walk up, wait until nobody else is reaching there, then reach (the reach reserves its own moment).
                var labels = units > 1 ? new[] { Episodes.MultiUnit } : [];
                tt = w.WalkTo(tt, track, StoreWorld.Front(bin));
                tt = w.Dwell(tt, track, w.NextFree(bin, tt, Clearance) - tt);
                tt = w.Reach(tt, track, bin, bin.Skus[0], units, labels);
                if (random.NextDouble() < model.PutBackRate)
                {
                    tt = w.Dwell(tt, track, 600);
                    tt = w.Dwell(tt, track, w.NextFree(bin, tt, Clearance) - tt);
                    tt = w.Reach(tt, track, bin, bin.Skus[0], -1, ["put-back"]);
                }

                tracks[who] = (track, w.Dwell(tt, track, (long)(random.NextDouble() * model.BrowseMs)));
            }

            foreach (var (track, tt) in tracks)
            {
                end = Math.Max(end, w.Leave(tt, track));
            }
        }

        return end;
    }
}
