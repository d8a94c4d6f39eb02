using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Simulator.Feeds;

namespace SmartStore.Simulator.Generation;

/// <summary>
/// Turns what really happened into what the devices send and the network delivers: cameras sample people at
/// their frame rate (noise, misses, occlusion, identity switches, outages), load cells sample every bin
/// (noise, drift, creep, dead sensors), gates report their events; each device numbers its messages; then the
/// network adds latency, jitter, duplicates and late arrivals. Deterministic for the world's random source.
/// </summary>
internal static class FeedEmitter
{
    public static List<FeedMessage> Emit(StoreWorld world, long endMs, WeightSensorModel weights, CameraModel cameras, NetworkModel network)
    {
        var layout = world.Layout;
        var random = world.Random;
        var sent = new List<DeviceMessage>();
        var switches = ChooseSwitches(world, cameras);
        EmitGates(world, switches, sent);
        EmitCameras(world, endMs, cameras, switches, sent);
        EmitWeights(world, endMs, weights, sent);

        // Devices number what they send in the order they send it.
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        var numbered = sent
            .OrderBy(m => m.Ts).ThenBy(m => m.Device, StringComparer.Ordinal).ThenBy(m => m.Seq)
            .Select(m => m with { Seq = numbers[m.Device] = numbers.GetValueOrDefault(m.Device) + 1 })
            .ToList();

        var arrivals = new List<(long At, long Order, DeviceMessage Message)>(numbered.Count + (numbered.Count / 50));
        long order = 0;
        foreach (var message in numbered)
        {
            var at = message.Ts + (long)(network.LatencyMs + Exponential(random, network.JitterMs));
            // Gate events are on the control path: a gate with no decision keeps its door shut, so a person cannot
            // walk in ahead of their own late identification. Only sensor traffic arrives later than the bound.
            if (network.LateRate > 0 && message is not GateEvent && random.NextDouble() < network.LateRate)
            {
                at += network.LateByMs;
            }

            arrivals.Add((at, order++, message));
            if (network.DuplicateRate > 0 && random.NextDouble() < network.DuplicateRate)
            {
                arrivals.Add((at + 5 + (long)Exponential(random, 200), order++, message));
            }
        }

        return [.. arrivals
            .OrderBy(a => a.At).ThenBy(a => a.Order)
            .Select(a => new FeedMessage(a.At - world.StartMs, DeviceMessageWriter.TopicOf(layout.StoreId, a.Message), DeviceMessageWriter.ToJson(a.Message)))];
    }

    /// <summary>Identity switches: chosen per track up front, at a moment in the middle of its time in the store.</summary>
    private static Dictionary<string, long> ChooseSwitches(StoreWorld world, CameraModel model)
    {
        var switches = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (track, samples) in world.Motion.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (model.IdentitySwitchRate > 0 && world.Random.NextDouble() < model.IdentitySwitchRate && samples.Count > 20)
            {
                switches[track] = samples[samples.Count / 2].T;
            }
        }

        return switches;
    }

    /// <summary>The id the store's tracker gives a person at a moment (the gate line is watched by the same tracker).</summary>
    private static string Observed(string track, long t, Dictionary<string, long> switches) =>
        switches.TryGetValue(track, out var at) && t >= at ? $"{track}~2" : track;

    private static void EmitGates(StoreWorld world, Dictionary<string, long> switches, List<DeviceMessage> sent)
    {
        foreach (var g in world.Gates)
        {
            var track = g.Track is { } id ? Observed(id, g.T, switches) : null;
            sent.Add(new GateEvent(1, g.Gate, 0, g.T, g.Event, g.Shopper, g.Confidence, g.Token, track, g.Inward, g.Party));
        }
    }

    private static void EmitCameras(StoreWorld world, long endMs, CameraModel model, Dictionary<string, long> switches, List<DeviceMessage> sent)
    {
        var random = world.Random;
        var frame = (long)(1000 / model.FrameHz);
        var layout = world.Layout;

        // Everyone's position per frame, for occlusion.
        var frames = new SortedDictionary<long, List<(string Track, MotionSample Sample)>>();
        foreach (var (track, samples) in world.Motion.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var i = 0;
            var first = samples[0].T - (samples[0].T % frame) + frame;
            for (var t = first; t <= samples[^1].T && t <= endMs; t += frame)
            {
                while (i + 1 < samples.Count && samples[i + 1].T <= t)
                {
                    i++;
                }

                if (!frames.TryGetValue(t, out var list))
                {
                    frames[t] = list = [];
                }

                list.Add((track, samples[i]));
            }
        }

        foreach (var (t, people) in frames)
        {
            foreach (var (track, sample) in people)
            {
                var camera = layout.Cameras.FirstOrDefault(c => c.Sees.Contains(sample.Body));
                if (camera is null || Down(world, camera.Id, t))
                {
                    continue;
                }

                var crowd = people.Count(p => p.Track != track && p.Sample.Body.DistanceTo(sample.Body) <= model.OcclusionRadius);
                var miss = crowd >= 2 ? model.OcclusionMissRate : model.MissRate;
                if (random.NextDouble() < miss)
                {
                    continue;
                }

                var id = Observed(track, t, switches);
                var body = Noisy(world, sample.Body, model.PositionNoiseMetres);
                double[]? hand = sample.Hand is { } h ? Noisy(world, h, model.PositionNoiseMetres * 0.5) : null;
                if (hand is not null && model.SeesHeight && sample.HandZ is { } z)
                {
                    // Version 2 of the observation: the hand's height too (depth cameras, or stereo from two).
                    sent.Add(new CameraObservation(2, camera.Id, 0, t, id, body, [hand[0], hand[1], Math.Round(Math.Max(0, z + (world.Gaussian() * model.PositionNoiseMetres)), 3)]));
                    continue;
                }

                sent.Add(new CameraObservation(1, camera.Id, 0, t, id, body, hand));
            }
        }
    }

    private static void EmitWeights(StoreWorld world, long endMs, WeightSensorModel model, List<DeviceMessage> sent)
    {
        var random = world.Random;
        var period = (long)(1000 / model.SampleHz);
        foreach (var shelf in world.Layout.Shelves)
        {
            var phase = random.Next(0, (int)period);
            var bins = shelf.Bins.Select(b => new BinSignal(b, world, model)).ToList();
            for (var t = world.StartMs + phase; t <= endMs; t += period)
            {
                foreach (var bin in bins)
                {
                    if (Down(world, shelf.Id, t) || Down(world, $"{shelf.Id}/{bin.Bin.Id}", t))
                    {
                        continue;
                    }

                    sent.Add(new WeightReport(1, shelf.Id, 0, t, bin.Bin.Id, Math.Round(bin.At(t) + (world.Gaussian() * model.NoiseGrams), 1)));
                }
            }
        }
    }

    private static bool Down(StoreWorld world, string device, long t) =>
        world.Outages.Any(o => o.Device == device && t - world.StartMs >= o.FromMs && t - world.StartMs < o.ToMs);

    private static double[] Noisy(StoreWorld world, Point p, double sigma) =>
        [Math.Round(p.X + (world.Gaussian() * sigma), 3), Math.Round(p.Y + (world.Gaussian() * sigma), 3)];

    private static double Exponential(Random random, double mean) => mean <= 0 ? 0 : -mean * Math.Log(1.0 - random.NextDouble());

    /// <summary>One bin's true load over time: what it holds, its drift, and the creep after every change.</summary>
    private sealed class BinSignal
    {
        private readonly List<(long T, double Delta)> _deltas;
        private readonly double _initial;
        private readonly double _driftPerMs;
        private readonly double _tau;
        private readonly double _creep;
        private readonly double _creepTau;
        private readonly long _start;
        private int _applied;
        private double _settled;

        public BinSignal(Bin bin, StoreWorld world, WeightSensorModel model)
        {
            Bin = bin;
            _deltas = world.BinDeltas.TryGetValue(bin.Id, out var deltas) ? [.. deltas.OrderBy(d => d.T)] : [];
            _initial = model.TareGrams + bin.Skus.Sum(s => (world.Layout.FindProduct(s)?.Weight.Grams ?? 0) * (bin.Capacity / bin.Skus.Count));
            _driftPerMs = (world.Random.NextDouble() * 2 - 1) * model.DriftGramsPerMinute / 60_000;
            _tau = Math.Max(1, model.SettleMs);
            _creep = model.CreepFraction;
            _creepTau = Math.Max(1, model.CreepMs);
            _start = world.StartMs;
            _settled = _initial;
        }

        public Bin Bin { get; }

        /// <summary>The true load at <paramref name="t"/> (times only move forward).</summary>
        public double At(long t)
        {
            while (_applied < _deltas.Count && _deltas[_applied].T + (long)(_tau * 8) <= t)
            {
                _settled += _deltas[_applied++].Delta;
            }

            var value = _settled + (_driftPerMs * (t - _start));
            for (var i = _applied; i < _deltas.Count && _deltas[i].T <= t; i++)
            {
                value += _deltas[i].Delta * (1 - Math.Exp(-(t - _deltas[i].T) / _tau));
            }

            // Creep: the cell reads a little short of a new load at first and closes the gap slowly.
            for (var i = 0; _creep > 0 && i < _deltas.Count && _deltas[i].T <= t; i++)
            {
                var since = t - _deltas[i].T;
                if (since < _creepTau * 8)
                {
                    value -= _deltas[i].Delta * _creep * Math.Exp(-since / _creepTau);
                }
            }

            return value;
        }
    }
}
