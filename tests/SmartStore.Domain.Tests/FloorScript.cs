using SmartStore.Domain.EventTime;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Tests;

/// <summary>
/// A scenario as plain data: gate, camera and shelf inputs with device clocks and per-device sequence numbers,
/// run through the event-time buffer and fusion exactly as the store would.
/// </summary>
internal sealed class FloorScript
{
    public const long Lateness = 2_000;

    public static readonly StoreLayout Store = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");

    // Bins of the small store used by the scenarios.
    public const string ColaBin = "shelf-01-l1b1";      // drink-001, 350 g, area x 2..3, y 2..2.6
    public const string LemonadeBin = "shelf-01-l1b2";  // drink-002, 345 g, area x 3..4
    public const string CrispsBin = "shelf-02-l1b2";    // snack-007, 160 g, area x 6..7
    public const string LagerBin = "shelf-06-l1b2";    // alcohol-027, 355 g, age-restricted

    private readonly Dictionary<string, long> _sequences = [];

    public List<FloorInput> Inputs { get; } = [];

    public static Point At(string binId)
    {
        var area = Store.Bins.Single(b => b.Id == binId).Area;
        return new Point((area.Min.X + area.Max.X) / 2, area.Min.Y - 0.1);
    }

    private long Next(string device) => _sequences[device] = _sequences.GetValueOrDefault(device) + 1;

    public FloorScript Grant(long t, string visit, int party = 1) => Add(new EntryGranted("gate-in", Next("gate-in"), t, "gate-in", visit, $"payer-of-{visit}", party));

    public FloorScript In(long t, string track) => Add(new GateCrossed("cam-gates", Next("cam-gates"), t, "gate-in", track, true));

    public FloorScript Out(long t, string track) => Add(new GateCrossed("cam-gates", Next("cam-gates"), t, "gate-out", track, false));

    public FloorScript See(long t, string track, Point body, Point? hand = null, string camera = "cam-nw") => Add(new PersonSeen(camera, Next(camera), t, track, body, hand));

    /// <summary>A shopper stands at a bin and reaches into it over [t, t + 300 ms].</summary>
    public FloorScript Reach(long t, string track, string binId)
    {
        var bin = At(binId);
        var body = new Point(bin.X, bin.Y - 0.4);
        return See(t, track, body, bin).See(t + 150, track, body, bin).See(t + 300, track, body, bin);
    }

    public FloorScript Change(long t, string binId, double delta, WeightTrace? trace = null) =>
        Add(new ShelfChanged($"ws-{binId}", Next($"ws-{binId}"), t + 300, binId, $"{binId}@{t}", delta, t, t + 300, trace));

    private FloorScript Add(FloorInput input)
    {
        Inputs.Add(input);
        return this;
    }

    public static FusionState Run(IEnumerable<FloorInput> arrivals, FusionSettings? settings = null)
    {
        var buffer = EventTimeBuffer<FloorInput>.Create(Lateness);
        var state = FusionState.For(Store);
        settings ??= new FusionSettings();
        foreach (var input in arrivals)
        {
            var (next, verdict, released) = buffer.Add(input);
            if (verdict == InputVerdict.Late)
            {
                throw new InvalidOperationException($"Scenario input {input} arrived after the watermark {buffer.WatermarkMs}.");
            }

            buffer = next;
            state = released.Aggregate(state, (s, i) => CartFusion.Apply(s, i, Store, settings));
        }

        var (_, rest) = buffer.Flush();
        state = rest.Aggregate(state, (s, i) => CartFusion.Apply(s, i, Store, settings));
        return CartFusion.AdvanceTo(state, long.MaxValue, Store, settings);
    }

    /// <summary>Runs the script with inputs arriving in device-time order (the order they are written in does not matter).</summary>
    public FusionState Run() => Run(Inputs.OrderBy(i => i.DeviceTimeMs));
}
