using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;

namespace SmartStore.Node.Feeds;

/// <summary>
/// Writes the device messages of scripted shoppers, as the store's devices would send them: gates report
/// identifications and line crossings, the camera covering a person reports their track every
/// <see cref="FrameMs"/> (with the hand while reaching), and every shelf reports each bin's raw weight at
/// <see cref="WeighMs"/> intervals with a little sensor noise. Deterministic for a seed. It is the node's
/// built-in feed (the demo, tests, load runs); the simulator generates richer ones.
/// </summary>
public sealed class ScriptedFeed
{
    public const long FrameMs = 200;
    public const long WeighMs = 200;
    private const double WalkSpeed = 1.2;
    private const double Tare = 400;

    private readonly StoreLayout _layout;
    private readonly Random _noise;
    private readonly List<DeviceMessage> _messages = [];
    private readonly Dictionary<string, long> _sequences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(long Time, double Delta)>> _binChanges = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Point> _positions = new(StringComparer.Ordinal);

    public ScriptedFeed(StoreLayout layout, long startMs, int seed = 7)
    {
        _layout = layout ?? throw new ArgumentNullException(nameof(layout));
        StartMs = startMs;
        _noise = new Random(seed);
    }

    public long StartMs { get; }

    public long EndMs { get; private set; }

    public StoreLayout Layout => _layout;

    /// <summary>A face identification at an entry gate.</summary>
    public ScriptedFeed Identify(long t, string gate, string shopperId, double confidence = 0.97, int party = 1) =>
        Add(new GateEvent(1, gate, Next(gate), t, "identified", shopperId, confidence, null, null, null, party));

    /// <summary>An app code or card at an entry gate.</summary>
    public ScriptedFeed Token(long t, string gate, string token, int party = 1) =>
        Add(new GateEvent(1, gate, Next(gate), t, "token", null, null, token, null, null, party));

    /// <summary>A person crosses into the store through an entry gate and stands just inside it.</summary>
    public long Enter(long t, string gate, string track)
    {
        var line = Gate(gate);
        Add(new GateEvent(1, gate, Next(gate), t, "crossed", null, null, null, track, true, null));
        _positions[track] = new Point((line.From.X + line.To.X) / 2, 0.5);
        See(t, track, _positions[track], null);
        return t + FrameMs;
    }

    /// <summary>A person walks to the exit gate and crosses it outward.</summary>
    public long Leave(long t, string gate, string track)
    {
        var line = Gate(gate);
        t = WalkTo(t, track, new Point((line.From.X + line.To.X) / 2, 0.5));
        Add(new GateEvent(1, gate, Next(gate), t, "crossed", null, null, null, track, false, null));
        _positions.Remove(track);
        return t + FrameMs;
    }

    /// <summary>A track crosses a gate with nobody admitted for it (tailgating, or walking in backwards through the exit).</summary>
    public ScriptedFeed Cross(long t, string gate, string track, bool inward)
    {
        Add(new GateEvent(1, gate, Next(gate), t, "crossed", null, null, null, track, inward, null));
        return this;
    }

    /// <summary>Walks in a straight line at walking pace, seen every frame; returns the arrival time.</summary>
    public long WalkTo(long t, string track, Point to)
    {
        var from = _positions[track];
        var steps = Math.Max(1, (int)Math.Ceiling(from.DistanceTo(to) / WalkSpeed * 1000 / FrameMs));
        for (var i = 1; i <= steps; i++)
        {
            var p = new Point(from.X + ((to.X - from.X) * i / steps), from.Y + ((to.Y - from.Y) * i / steps));
            See(t + (i * FrameMs), track, p, null);
        }

        _positions[track] = to;
        return t + ((steps + 1) * FrameMs);
    }

    /// <summary>When a reach into <paramref name="binId"/> would start if the track set off for it at <paramref name="t"/>.</summary>
    public long ReachStartsAt(long t, string track, string binId)
    {
        var bin = _layout.FindBin(binId) ?? throw new ArgumentException($"No bin '{binId}'.", nameof(binId));
        var front = new Point((bin.Area.Min.X + bin.Area.Max.X) / 2, FrontY(bin));
        var steps = Math.Max(1, (int)Math.Ceiling(_positions[track].DistanceTo(front) / WalkSpeed * 1000 / FrameMs));
        return t + ((steps + 1) * FrameMs);
    }

    /// <summary>Stands still, seen every frame.</summary>
    public long Wait(long t, string track, long ms)
    {
        for (var s = FrameMs; s <= ms; s += FrameMs)
        {
            See(t + s, track, _positions[track], null);
        }

        return t + ms + FrameMs;
    }

    /// <summary>Walks to a bin, reaches in and takes <paramref name="units"/> of <paramref name="sku"/> (the bin's weight drops mid-reach).</summary>
    public long Pick(long t, string track, string binId, string sku, int units = 1) => Reach(t, track, binId, -units * Product(sku).Weight.Grams);

    /// <summary>Walks to a bin and puts <paramref name="units"/> of <paramref name="sku"/> into it (any bin: a wrong-shelf put-back is allowed).</summary>
    public long PutBack(long t, string track, string binId, string sku, int units = 1) => Reach(t, track, binId, units * Product(sku).Weight.Grams);

    /// <summary>The device messages, every bin's readings included, in device-time order.</summary>
    public IReadOnlyList<DeviceMessage> Build(long endMs)
    {
        EndMs = endMs;
        var all = new List<DeviceMessage>(_messages);
        foreach (var shelf in _layout.Shelves)
        {
            for (var t = StartMs; t <= endMs; t += WeighMs)
            {
                foreach (var bin in shelf.Bins)
                {
                    all.Add(new WeightReport(1, shelf.Id, Next(shelf.Id), t, bin.Id, Math.Round(WeightAt(bin, t) + ((_noise.NextDouble() - 0.5) * 3), 1)));
                }
            }
        }

        // Devices number their messages in the order they send them: renumber in device-time order.
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        return [.. all.OrderBy(m => m.Ts).ThenBy(m => m.Device, StringComparer.Ordinal).ThenBy(m => m.Seq)
            .Select(m => m with { Seq = numbers[m.Device] = numbers.GetValueOrDefault(m.Device) + 1 })];
    }

    private long Reach(long t, string track, string binId, double deltaGrams)
    {
        var bin = _layout.FindBin(binId) ?? throw new ArgumentException($"No bin '{binId}'.", nameof(binId));
        var front = new Point((bin.Area.Min.X + bin.Area.Max.X) / 2, FrontY(bin));
        t = WalkTo(t, track, front);
        var hand = new Point(front.X, front.Y < bin.Area.Min.Y ? bin.Area.Min.Y - 0.05 : bin.Area.Max.Y + 0.05);
        for (var s = 0L; s <= 800; s += FrameMs)
        {
            See(t + s, track, front, hand);
        }

        if (!_binChanges.TryGetValue(binId, out var changes))
        {
            _binChanges[binId] = changes = [];
        }

        changes.Add((t + 400, deltaGrams));
        return t + 1_000;
    }

    private static double FrontY(Bin bin) => bin.Area.Min.Y >= 1.0 ? bin.Area.Min.Y - 0.4 : bin.Area.Max.Y + 0.4;

    private double WeightAt(Bin bin, long t)
    {
        var product = Product(bin.Skus[0]);
        // Bins start full.
        var grams = Tare + (product.Weight.Grams * Math.Max(1, bin.Capacity));
        if (_binChanges.TryGetValue(bin.Id, out var changes))
        {
            grams += changes.Where(c => c.Time <= t).Sum(c => c.Delta);
        }

        return grams;
    }

    private void See(long t, string track, Point body, Point? hand)
    {
        var camera = _layout.Cameras.FirstOrDefault(c => c.Sees.Contains(body));
        if (camera is null)
        {
            return;
        }

        Add(new CameraObservation(1, camera.Id, Next(camera.Id), t, track, [Math.Round(body.X, 3), Math.Round(body.Y, 3)], hand is { } h ? [Math.Round(h.X, 3), Math.Round(h.Y, 3)] : null));
    }

    private Gate Gate(string id) => _layout.Gates.FirstOrDefault(g => g.Id == id) ?? throw new ArgumentException($"No gate '{id}'.", nameof(id));

    private Product Product(string sku) => _layout.FindProduct(sku) ?? throw new ArgumentException($"No product '{sku}'.", nameof(sku));

    private long Next(string device) => _sequences[device] = _sequences.GetValueOrDefault(device) + 1;

    private ScriptedFeed Add(DeviceMessage message)
    {
        _messages.Add(message);
        return this;
    }
}
