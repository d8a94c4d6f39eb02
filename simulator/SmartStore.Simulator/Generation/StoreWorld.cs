using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;
using SmartStore.Simulator.Feeds;

namespace SmartStore.Simulator.Generation;

/// <summary>Where a person was at one moment (true position, hand when reaching, and the hand's height above the floor).</summary>
internal readonly record struct MotionSample(long T, Point Body, Point? Hand, double? HandZ = null);

/// <summary>A true gate event, numbered by its device later.</summary>
internal sealed record GateHappening(string Gate, long T, string Event, string? Shopper, double? Confidence, string? Token, string? Track, bool? Inward, int? Party);

/// <summary>
/// What really happens in the store, before any sensor or network sees it: people moving (sampled every
/// 100 ms), their hands in bins, true weight changes per bin, gate events, and the truth of every visit.
/// Scenario scripts drive it through the verbs below; the emitter turns it into device messages.
/// </summary>
internal sealed class StoreWorld
{
    public const long Step = 100;

    /// <summary>From identification at the barrier to crossing the gate line.</summary>
    public const long PayerWalkMs = 600;

    /// <summary>Someone already past the barrier when the next person is identified crosses within this.</summary>
    public const long AheadOfBarrierMs = 300;
    private const double WalkSpeed = 1.2;
    private readonly Dictionary<string, Point> _positions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _visitOfTrack = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VisitBuilder> _visits = new(StringComparer.Ordinal);
    private readonly Dictionary<Rect, List<long>> _reachReservations = [];

    public StoreWorld(StoreLayout layout, long startMs, Random random)
    {
        Layout = layout;
        StartMs = startMs;
        Random = random;
        foreach (var bin in layout.Bins)
        {
            Stock[bin.Id] = bin.Skus.ToDictionary(s => s, _ => bin.Capacity / bin.Skus.Count, StringComparer.Ordinal);
        }
    }

    public StoreLayout Layout { get; }

    public long StartMs { get; }

    public Random Random { get; }

    public Dictionary<string, List<MotionSample>> Motion { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<(long T, double Delta)>> BinDeltas { get; } = new(StringComparer.Ordinal);

    /// <summary>What each bin holds now (misplaced products included), units per SKU.</summary>
    public Dictionary<string, Dictionary<string, int>> Stock { get; } = new(StringComparer.Ordinal);

    public List<GateHappening> Gates { get; } = [];

    public List<TruthAction> Actions { get; } = [];

    public List<TruthShopper> Shoppers { get; } = [];

    public List<TruthDenial> Denials { get; } = [];

    public List<Outage> Outages { get; } = [];

    public Dictionary<string, long> IdentitySwitches { get; } = new(StringComparer.Ordinal);

    public int Tailgaters { get; set; }

    public long EndMs { get; private set; }

    public string EntryGate => Layout.Gates.First(g => g.Direction == GateDirection.Entry).Id;

    public string ExitGate => Layout.Gates.First(g => g.Direction == GateDirection.Exit).Id;

    public TruthShopper Enrol(string id)
    {
        var shopper = new TruthShopper(id, $"Shopper {id}", $"face-template-{id}", $"tok-{id}");
        Shoppers.Add(shopper);
        return shopper;
    }

    /// <summary>A payer is identified at the entry gate and admitted with <paramref name="party"/> people; returns the visit key.</summary>
    public string Identify(long t, string visitKey, string shopperId, int party = 1, string? gate = null, double confidence = 0.97, IReadOnlyList<string>? labels = null)
    {
        Gates.Add(new GateHappening(gate ?? EntryGate, t, "identified", shopperId, confidence, null, null, null, party));
        _visits[visitKey] = new VisitBuilder(visitKey, shopperId, party, labels ?? []);
        return visitKey;
    }

    /// <summary>The same with the app's code instead of the face.</summary>
    public string ShowCode(long t, string visitKey, string shopperId, int party = 1, IReadOnlyList<string>? labels = null)
    {
        Gates.Add(new GateHappening(EntryGate, t, "token", null, null, null, null, null, party) with { Token = $"shopper:{shopperId}" });
        _visits[visitKey] = new VisitBuilder(visitKey, shopperId, party, labels ?? []);
        return visitKey;
    }

    /// <summary>An identification the gate must refuse.</summary>
    public void IdentifyRefused(long t, string who, double confidence, string why)
    {
        Gates.Add(new GateHappening(EntryGate, t, "identified", who, confidence, null, null, null, 1));
        Denials.Add(new TruthDenial(EntryGate, t, who, why));
    }

    /// <summary>
    /// A person crosses into the store; <paramref name="visitKey"/> null for someone nobody admitted. Gates are
    /// single-lane: whoever is identified stands at the barrier and reaches the line <see cref="PayerWalkMs"/>
    /// later, so anyone else crosses within <see cref="AheadOfBarrierMs"/> of that identification (they were
    /// already past the barrier) or after the identified person.
    /// </summary>
    public long Enter(long t, string track, string? visitKey, string? gate = null)
    {
        var line = Layout.Gates.First(g => g.Id == (gate ?? EntryGate));
        var isPayer = visitKey is not null && _visits[visitKey].Tracks.Count == 0;
        foreach (var identified in Gates.Where(g => !isPayer && g.Gate == line.Id && g.Event is "identified" or "token" && g.T < t && g.T + PayerWalkMs > t).OrderBy(g => g.T).ToList())
        {
            if (t > identified.T + AheadOfBarrierMs)
            {
                t = identified.T + PayerWalkMs + Step;
            }
        }

        Gates.Add(new GateHappening(line.Id, t, "crossed", null, null, null, track, true, null));
        _visitOfTrack[track] = visitKey;
        if (visitKey is not null)
        {
            var visit = _visits[visitKey];
            visit.Tracks.Add(track);
            visit.EnteredMs = visit.EnteredMs == 0 ? t : Math.Min(visit.EnteredMs, t);
        }

        var at = new Point(((line.From.X + line.To.X) / 2) + ((Random.NextDouble() - 0.5) * 0.4), 0.5);
        _positions[track] = at;
        Motion[track] = [new MotionSample(t, at, null)];
        return t + Step;
    }

    public long Leave(long t, string track, string? gate = null)
    {
        var line = Layout.Gates.First(g => g.Id == (gate ?? ExitGate));
        t = WalkTo(t, track, new Point((line.From.X + line.To.X) / 2, 0.5));
        Gates.Add(new GateHappening(line.Id, t, "crossed", null, null, null, track, false, null));
        if (_visitOfTrack[track] is { } key)
        {
            _visits[key].ExitedMs = Math.Max(_visits[key].ExitedMs, t);
        }

        EndMs = Math.Max(EndMs, t);
        return t + Step;
    }

    public long WalkTo(long t, string track, Point to)
    {
        var from = _positions[track];
        var speed = WalkSpeed * (0.85 + (Random.NextDouble() * 0.3));
        var steps = Math.Max(1, (int)Math.Ceiling(from.DistanceTo(to) / speed * 1000 / Step));
        var samples = Motion[track];
        for (var i = 1; i <= steps; i++)
        {
            samples.Add(new MotionSample(t + (i * Step), new Point(from.X + ((to.X - from.X) * i / steps), from.Y + ((to.Y - from.Y) * i / steps)), null));
        }

        _positions[track] = to;
        return t + ((steps + 1) * Step);
    }

    public long Dwell(long t, string track, long ms, Point? hand = null)
    {
        var samples = Motion[track];
        for (var s = Step; s <= ms; s += Step)
        {
            samples.Add(new MotionSample(t + s, _positions[track], hand));
        }

        return t + ms + Step;
    }

    public static Point Front(Bin bin, double offsetX = 0) => new(((bin.Area.Min.X + bin.Area.Max.X) / 2) + offsetX, bin.Area.Min.Y >= 1.0 ? bin.Area.Min.Y - 0.45 : bin.Area.Max.Y + 0.45);

    public static Point HandIn(Bin bin, double offsetX = 0) => new(((bin.Area.Min.X + bin.Area.Max.X) / 2) + offsetX, bin.Area.Min.Y >= 1.0 ? bin.Area.Min.Y + 0.05 : bin.Area.Max.Y - 0.05);

    /// <summary>A hand in a bin is at the middle of its shelf level's height.</summary>
    public double? HandHeight(Bin bin) => Layout.HeightOf(bin) is var (low, high) ? (low + high) / 2 : null;

    /// <summary>When a person setting off at <paramref name="t"/> would start reaching into <paramref name="bin"/>.</summary>
    public long ReachStartsAt(long t, string track, Bin bin) =>
        t + ((Math.Max(1, (int)Math.Ceiling(_positions[track].DistanceTo(Front(bin)) / (WalkSpeed * 0.85) * 1000 / Step)) + 1) * Step);

    /// <summary>Is the bin's area free of other reaches around <paramref name="at"/> (ordinary traffic keeps clear of each other)?</summary>
    public bool AreaFree(Bin bin, long at, long clearance) =>
        !_reachReservations.TryGetValue(bin.Area, out var taken) || taken.All(r => Math.Abs(r - at) > clearance);

    /// <summary>The first moment from <paramref name="t"/> on when nobody else reaches into the bin's area within <paramref name="clearance"/>.</summary>
    public long NextFree(Bin bin, long t, long clearance)
    {
        if (!_reachReservations.TryGetValue(bin.Area, out var taken))
        {
            return t;
        }

        var moved = true;
        while (moved)
        {
            moved = false;
            foreach (var r in taken.Where(r => Math.Abs(r - t) <= clearance))
            {
                t = r + clearance + Step;
                moved = true;
            }
        }

        return t;
    }

    public void Reserve(Bin bin, long at)
    {
        if (!_reachReservations.TryGetValue(bin.Area, out var list))
        {
            _reachReservations[bin.Area] = list = [];
        }

        list.Add(at);
    }

    /// <summary>
    /// Walks to a bin and reaches in (hand over <paramref name="handBin"/>, the same bin unless hands cross), then
    /// takes (<paramref name="units"/> &gt; 0) or returns (&lt; 0) units of <paramref name="sku"/> mid-reach.
    /// </summary>
    public long Reach(long t, string track, Bin bin, string sku, int units, IReadOnlyList<string>? labels = null, Bin? handBin = null, double standOffsetX = 0, long reachMs = 800)
    {
        t = WalkTo(t, track, Front(bin, standOffsetX));
        var into = handBin ?? bin;
        var hand = HandIn(into, standOffsetX * 0.3 * Math.Min(1, into.Area.Width));
        var z = HandHeight(into);
        var samples = Motion[track];
        for (var s = 0L; s <= reachMs; s += Step)
        {
            samples.Add(new MotionSample(t + s, _positions[track], hand, z));
        }

        Reserve(into, t);
        if (into != bin)
        {
            Reserve(bin, t);
        }

        var at = t + (reachMs / 2);
        Take(at, track, into, sku, units, labels ?? []);
        return t + reachMs + Step;
    }

    /// <summary>A hand resting on a bin presses it down for a while (no item moves).</summary>
    public long RestHand(long t, string track, Bin bin, double grams, long ms)
    {
        t = WalkTo(t, track, Front(bin));
        var samples = Motion[track];
        for (var s = 0L; s <= ms; s += Step)
        {
            samples.Add(new MotionSample(t + s, _positions[track], HandIn(bin), HandHeight(bin)));
        }

        Reserve(bin, t);
        AddDelta(bin.Id, t + 100, grams);
        AddDelta(bin.Id, t + ms - 100, -grams);
        return t + ms + Step;
    }

    public void Take(long at, string track, Bin bin, string sku, int units, IReadOnlyList<string> labels)
    {
        var product = Layout.FindProduct(sku) ?? throw new ArgumentException($"No product '{sku}'.", nameof(sku));
        var stock = Stock[bin.Id];
        if (units > 0 && stock.GetValueOrDefault(sku) < units)
        {
            throw new InvalidOperationException($"Bin {bin.Id} holds {stock.GetValueOrDefault(sku)} of {sku}; the script takes {units}.");
        }

        stock[sku] = stock.GetValueOrDefault(sku) - units;

        // Every unit weighs a little differently from the catalogue's mean.
        var grams = 0.0;
        for (var u = 0; u < Math.Abs(units); u++)
        {
            grams += product.Weight.Grams + (Gaussian() * product.Weight.Spread * 0.5);
        }

        AddDelta(bin.Id, at, units > 0 ? -grams : grams);
        var visit = _visitOfTrack.GetValueOrDefault(track);
        if (visit is not null)
        {
            var cart = _visits[visit].Cart;
            cart[sku] = cart.GetValueOrDefault(sku) + units;
            _visits[visit].Labels.UnionWith(labels);
        }

        Actions.Add(new TruthAction(at, track, visit, bin.Id, sku, units, labels));
    }

    public double Gaussian()
    {
        var u1 = 1.0 - Random.NextDouble();
        var u2 = Random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    public IReadOnlyList<TruthVisit> TruthVisits() => [.. _visits.Values.OrderBy(v => v.EnteredMs).ThenBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Build(Layout))];

    public IEnumerable<string> TracksOf(string visitKey) => _visits[visitKey].Tracks;

    private void AddDelta(string bin, long at, double grams)
    {
        if (!BinDeltas.TryGetValue(bin, out var list))
        {
            BinDeltas[bin] = list = [];
        }

        list.Add((at, grams));
    }

    private sealed class VisitBuilder(string key, string payer, int party, IReadOnlyList<string> labels)
    {
        public string Key { get; } = key;

        public string Payer { get; } = payer;

        public List<string> Tracks { get; } = [];

        public Dictionary<string, int> Cart { get; } = new(StringComparer.Ordinal);

        public HashSet<string> Labels { get; } = [.. labels];

        public long EnteredMs { get; set; }

        public long ExitedMs { get; set; }

        public TruthVisit Build(StoreLayout layout)
        {
            var cart = VirtualCart.Empty;
            foreach (var (sku, units) in Cart.Where(c => c.Value > 0).OrderBy(c => c.Key, StringComparer.Ordinal))
            {
                cart = cart.Apply(new CartChange(sku, units, new CartEvidence($"truth:{sku}", "truth", null, [], 1))).Cart;
            }

            var receipt = Pricing.Price(cart, layout);
            return new TruthVisit(Key, Payer, party, Tracks, EnteredMs, ExitedMs, [.. receipt.Lines.Select(l => new TruthLine(l.Sku, l.Units, l.UnitPrice, l.Total))], receipt.Total, [.. Labels.Order(StringComparer.Ordinal)]);
        }
    }
}
