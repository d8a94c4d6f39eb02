using System.Collections.Immutable;

namespace SmartStore.Domain.Signals;

/// <summary>One raw load-cell reading, stamped by the device (its clock, its per-sensor sequence number).</summary>
public sealed record WeightReading(string SensorId, long Sequence, long DeviceTimeMs, double Grams);

/// <summary>How a bin's weight signal is judged. Defaults suit 10-60 Hz retail load cells with ~2 g noise.</summary>
public sealed record WeightSignalSettings
{
    /// <summary>Readings outside this range are impossible for the sensor and rejected.</summary>
    public double MinGrams { get; init; } = -500;

    public double MaxGrams { get; init; } = 60_000;

    /// <summary>A plateau is stable when its readings stay within this band for <see cref="SettleMs"/>.</summary>
    public double NoiseBandGrams { get; init; } = 8;

    public long SettleMs { get; init; } = 300;

    /// <summary>
    /// How long a new plateau must hold before its change is reported. A cell approaches its new load
    /// exponentially, so the first window flat enough to pass is still a few grams short of it: nothing for a
    /// bottle, a fifth of a 40 g pack of mints, enough to read a put-back of one product as a lighter one. By
    /// this much later the cell has closed in, and the change is measured from the newest flat window.
    /// </summary>
    public long ConfirmMs { get; init; } = 1_000;

    /// <summary>
    /// Smaller moves between plateaus are drift or creep: absorbed into the reference, never an event. This is the
    /// most it is; a bin of light products gets less (see <see cref="ForBin"/>).
    /// </summary>
    public double MinChangeGrams { get; init; } = 12;

    /// <summary>The cell's own noise, one standard deviation of a single reading, grams.</summary>
    public double NoiseGrams { get; init; } = 1.5;

    /// <summary>
    /// How fast drift and creep may move a settled level (grams per second of device time). A plateau that moved
    /// faster than this, but by less than <see cref="MinChangeGrams"/>, is a change still under way, not drift:
    /// the reference is held, so two small steps of one pick add up instead of each being absorbed.
    /// </summary>
    public double DriftGramsPerSecond { get; init; } = 2;

    /// <summary>A held reference whose level stays put this long was creep after all: the reference follows it.</summary>
    public long HoldMs { get; init; } = 4_000;

    /// <summary>
    /// Creep after a change: the cell may keep moving by up to this share of the change, for about
    /// <see cref="CreepMs"/> after it. That movement is followed as drift, however fast, never held.
    /// </summary>
    public double CreepFraction { get; init; } = 0.04;

    public long CreepMs { get; init; } = 20_000;

    /// <summary>
    /// The settings for one bin: the smallest change that counts is half the bin's lightest product, but never
    /// below five times the cell's noise nor above <see cref="MinChangeGrams"/>; the stability band narrows the
    /// same way, so a light item's step cannot pass as a stable plateau halfway down.
    /// </summary>
    public WeightSignalSettings ForBin(Layouts.Bin bin, Layouts.StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(bin);
        ArgumentNullException.ThrowIfNull(layout);
        var weights = bin.Skus.Select(layout.FindProduct).OfType<Layouts.Product>().Select(p => p.Weight.Grams).ToList();
        if (weights.Count == 0)
        {
            return this;
        }

        var lightest = weights.Min();
        return this with
        {
            MinChangeGrams = Math.Max(5 * NoiseGrams, Math.Min(MinChangeGrams, lightest / 2)),
            NoiseBandGrams = Math.Max(4 * NoiseGrams, Math.Min(NoiseBandGrams, lightest * 0.4)),
        };
    }

    /// <summary>A single reading this far from its neighbours that does not persist is a spike.</summary>
    public double SpikeGrams { get; init; } = 1_500;

    /// <summary>Readings that must agree before a big jump counts as real rather than a spike.</summary>
    public int ConfirmReadings { get; init; } = 3;

    /// <summary>Bit-identical readings for this long mean a stuck sensor (real load cells always jitter).</summary>
    public long StuckAfterMs { get; init; } = 30_000;

    /// <summary>No reading for this long means a silent sensor.</summary>
    public long SilentAfterMs { get; init; } = 5_000;
}

/// <summary>What the weight signal of one bin says happened.</summary>
public abstract record WeightSignalEvent(string SensorId)
{
    /// <summary>A settled change of weight: negative for a pick, positive for a put-back.</summary>
    public sealed record Changed(string SensorId, string ChangeId, double DeltaGrams, double Before, double After, long FromMs, long ToMs) : WeightSignalEvent(SensorId);

    public sealed record Rejected(string SensorId, long Sequence, double Grams, string Reason) : WeightSignalEvent(SensorId);

    /// <summary>A reading with a sequence number at or below the last one seen: a duplicate or a late arrival.</summary>
    public sealed record Ignored(string SensorId, long Sequence, string Reason) : WeightSignalEvent(SensorId);

    public sealed record Stuck(string SensorId, long SinceMs, double Grams) : WeightSignalEvent(SensorId);

    public sealed record Silent(string SensorId, long LastReadingMs) : WeightSignalEvent(SensorId);
}

/// <summary>The state of one bin's signal between readings (immutable).</summary>
public sealed record WeightSignalState(
    string SensorId,
    long LastSequence,
    long LastReadingMs,
    double? Reference,
    long ReferenceSinceMs,
    ImmutableList<WeightReading> Window,
    ImmutableList<WeightReading> Suspect,
    long IdenticalSinceMs,
    bool StuckReported,
    bool SilentReported,
    int Changes,
    double DriftAbsorbed)
{
    /// <summary>Since when the reference has been held against a plateau that moved too fast to be drift (0: not held).</summary>
    public long HeldSinceMs { get; init; }

    /// <summary>The last reported change and when it settled: the cell may creep after it.</summary>
    public double LastChangeGrams { get; init; }

    public long LastChangeMs { get; init; }

    /// <summary>A change whose new plateau is being confirmed (see <see cref="WeightSignalSettings.ConfirmMs"/>); null when none.</summary>
    public PendingChange? Pending { get; init; }

    public static WeightSignalState Initial(string sensorId) => new(sensorId, 0, 0, null, 0, [], [], 0, false, false, 0, 0);
}

/// <summary>A change seen settling: its first flat window began at <paramref name="SettledFromMs"/>; the newest flat plateau so far.</summary>
public sealed record PendingChange(long SettledFromMs, double Plateau);

/// <summary>
/// Turns raw readings into settled weight changes. Load cells are noisy and drift a few grams over minutes,
/// so only <em>changes between stable plateaus</em> are trusted: a change starts when readings leave the
/// reference band and is reported once they settle on a new plateau (flat: no trend across the window).
/// Movement below <see cref="WeightSignalSettings.MinChangeGrams"/> is absorbed into the reference as drift only
/// when it is slow; a faster one is a step under way, and the reference is held until it completes (or stays
/// put long enough to be creep), so a light item picked while the cell creeps is still seen.
/// </summary>
public static class WeightSignal
{
    public static (WeightSignalState State, ImmutableList<WeightSignalEvent> Events) Step(WeightSignalState state, WeightReading reading, WeightSignalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(reading);
        ArgumentNullException.ThrowIfNull(settings);
        var events = ImmutableList.CreateBuilder<WeightSignalEvent>();
        if (reading.Sequence <= state.LastSequence)
        {
            var reason = reading.Sequence == state.LastSequence ? "duplicate" : "late: an older reading than one already used";
            events.Add(new WeightSignalEvent.Ignored(state.SensorId, reading.Sequence, reason));
            return (state, events.ToImmutable());
        }

        state = state with { LastSequence = reading.Sequence, LastReadingMs = reading.DeviceTimeMs, SilentReported = false };
        if (!double.IsFinite(reading.Grams) || reading.Grams < settings.MinGrams || reading.Grams > settings.MaxGrams)
        {
            events.Add(new WeightSignalEvent.Rejected(state.SensorId, reading.Sequence, reading.Grams, $"outside the sensor's range {settings.MinGrams}..{settings.MaxGrams} g"));
            return (state, events.ToImmutable());
        }

        state = TrackStuck(state, reading, settings, events);

        // Spikes: a reading far from the recent level is held until enough readings agree with it.
        var level = state.Window.Count > 0 ? Median(state.Window) : state.Reference;
        if (level is { } current && Math.Abs(reading.Grams - current) > settings.SpikeGrams)
        {
            var suspect = state.Suspect.Add(reading);
            if (suspect.Count < settings.ConfirmReadings || Spread(suspect) > settings.NoiseBandGrams)
            {
                if (suspect.Count >= settings.ConfirmReadings)
                {
                    // They do not agree with each other either: the oldest is noise.
                    events.Add(new WeightSignalEvent.Rejected(state.SensorId, suspect[0].Sequence, suspect[0].Grams, "spike"));
                    suspect = suspect.RemoveAt(0);
                }

                return (state with { Suspect = suspect }, events.ToImmutable());
            }

            // Confirmed: a real, large change. Its readings join the window.
            state = state with { Window = suspect, Suspect = [] };
        }
        else
        {
            foreach (var spike in state.Suspect)
            {
                events.Add(new WeightSignalEvent.Rejected(state.SensorId, spike.Sequence, spike.Grams, "spike"));
            }

            state = state with { Window = state.Window.Add(reading), Suspect = [] };
        }

        return Settle(state, settings, events);
    }

    /// <summary>Checks for silence at <paramref name="nowMs"/> (device time of the store's clock), without a reading.</summary>
    public static (WeightSignalState State, ImmutableList<WeightSignalEvent> Events) Check(WeightSignalState state, long nowMs, WeightSignalSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        // A state restored without a reading of its own (only redelivered duplicates so far) has no last reading to
        // measure a silence from: the cell is not silent, this node just has not heard it yet.
        if (!state.SilentReported && state.LastSequence > 0 && state.LastReadingMs > 0 && nowMs - state.LastReadingMs >= settings.SilentAfterMs)
        {
            return (state with { SilentReported = true }, [new WeightSignalEvent.Silent(state.SensorId, state.LastReadingMs)]);
        }

        return (state, []);
    }

    private static (WeightSignalState, ImmutableList<WeightSignalEvent>) Settle(WeightSignalState state, WeightSignalSettings settings, ImmutableList<WeightSignalEvent>.Builder events)
    {
        // Keep only the most recent settle period of readings.
        var window = state.Window;
        var newest = window[^1].DeviceTimeMs;
        while (window.Count > 2 && newest - window[1].DeviceTimeMs >= settings.SettleMs)
        {
            window = window.RemoveAt(0);
        }

        state = state with { Window = window };
        var spansSettle = newest - window[0].DeviceTimeMs >= settings.SettleMs;

        // Flat as well as narrow: a window caught halfway down a slow step can be narrow, but it slopes.
        var trend = Math.Abs(window[^1].Grams - window[0].Grams);
        if (!spansSettle || Spread(window) > settings.NoiseBandGrams || trend > Math.Max(2.5 * settings.NoiseGrams, settings.NoiseBandGrams / 2))
        {
            if (state.Pending is not { } moving)
            {
                return (state, events.ToImmutable());
            }

            // Moving again before the plateau was confirmed. Further the same way by less than a product, for a
            // little while: the cell still closing in on its load. Otherwise the next step has begun, and this one
            // ends where it was last flat.
            var beyond = window[^1].Grams - moving.Plateau;
            var closingIn = Math.Sign(beyond) == Math.Sign(moving.Plateau - state.Reference!.Value) && Math.Abs(beyond) < settings.MinChangeGrams;
            return closingIn && newest - moving.SettledFromMs < 3 * settings.ConfirmMs
                ? (state, events.ToImmutable())
                : Report(state, moving, newest, events);
        }

        var plateau = Median(window);
        if (state.Reference is not { } reference)
        {
            return (state with { Reference = plateau, ReferenceSinceMs = newest }, events.ToImmutable());
        }

        var delta = plateau - reference;
        if (Math.Abs(delta) >= settings.MinChangeGrams)
        {
            var pending = new PendingChange(state.Pending?.SettledFromMs ?? window[0].DeviceTimeMs, plateau);
            return newest - pending.SettledFromMs >= settings.ConfirmMs
                ? Report(state, pending, newest, events)
                : (state with { Pending = pending }, events.ToImmutable());
        }

        // Back within the band of the reference before it was confirmed (taken and put straight back): nothing happened.
        state = state with { Pending = null };

        // Drift or creep moves slowly: follow it, but it is never a pick. Faster, it is a step under way (or
        // noise): hold the reference, unless the level has stayed put for long enough to be creep after all.
        var elapsed = Math.Max(0, newest - state.ReferenceSinceMs);
        var creeping = newest - state.LastChangeMs < settings.CreepMs ? settings.CreepFraction * Math.Abs(state.LastChangeGrams) : 0;
        var allowance = (2 * settings.NoiseGrams) + (settings.DriftGramsPerSecond * elapsed / 1000.0) + creeping;
        var heldSince = state.HeldSinceMs == 0 ? newest : state.HeldSinceMs;
        if (Math.Abs(delta) > allowance && newest - heldSince < settings.HoldMs)
        {
            return (state with { HeldSinceMs = heldSince }, events.ToImmutable());
        }

        return (state with { Reference = plateau, ReferenceSinceMs = newest, DriftAbsorbed = state.DriftAbsorbed + Math.Abs(delta), HeldSinceMs = 0 }, events.ToImmutable());
    }

    private static (WeightSignalState, ImmutableList<WeightSignalEvent>) Report(WeightSignalState state, PendingChange pending, long newest, ImmutableList<WeightSignalEvent>.Builder events)
    {
        var reference = state.Reference!.Value;
        var delta = pending.Plateau - reference;
        var changes = state.Changes + 1;
        events.Add(new WeightSignalEvent.Changed(state.SensorId, $"{state.SensorId}#{changes}", delta, reference, pending.Plateau, state.ReferenceSinceMs, pending.SettledFromMs));
        return (state with { Reference = pending.Plateau, ReferenceSinceMs = newest, Changes = changes, HeldSinceMs = 0, LastChangeGrams = delta, LastChangeMs = newest, Pending = null }, events.ToImmutable());
    }

    private static WeightSignalState TrackStuck(WeightSignalState state, WeightReading reading, WeightSignalSettings settings, ImmutableList<WeightSignalEvent>.Builder events)
    {
        var previous = state.Window.Count > 0 ? state.Window[^1] : null;

        // Bit-identical on purpose: real load cells never repeat a value exactly for long.
        var identical = previous is not null && previous.Grams.Equals(reading.Grams);
        if (!identical)
        {
            return state with { IdenticalSinceMs = reading.DeviceTimeMs, StuckReported = false };
        }

        if (!state.StuckReported && reading.DeviceTimeMs - state.IdenticalSinceMs >= settings.StuckAfterMs)
        {
            events.Add(new WeightSignalEvent.Stuck(state.SensorId, state.IdenticalSinceMs, reading.Grams));
            return state with { StuckReported = true };
        }

        return state;
    }

    private static double Median(ImmutableList<WeightReading> readings)
    {
        var sorted = readings.Select(r => r.Grams).Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double Spread(ImmutableList<WeightReading> readings) => readings.Max(r => r.Grams) - readings.Min(r => r.Grams);
}
