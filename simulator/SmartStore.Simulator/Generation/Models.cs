namespace SmartStore.Simulator.Generation;

/// <summary>Load cells: sampling rate, noise, zero drift, creep after a load change (an exponential settle), tare.</summary>
public sealed record WeightSensorModel
{
    public double SampleHz { get; init; } = 5;

    public double NoiseGrams { get; init; } = 1.2;

    /// <summary>Each sensor drifts at a rate drawn from ±this (grams per minute).</summary>
    public double DriftGramsPerMinute { get; init; } = 1.5;

    /// <summary>Time constant of the creep towards a new load after an item is taken or put down.</summary>
    public double SettleMs { get; init; } = 120;

    public double TareGrams { get; init; } = 400;

    /// <summary>
    /// Creep: after a load change the cell keeps moving by this share of the change, slowly (time constant
    /// <see cref="CreepMs"/>), as real strain-gauge cells do under a new load. 0 for none.
    /// </summary>
    public double CreepFraction { get; init; }

    public double CreepMs { get; init; } = 6_000;
}

/// <summary>Ceiling cameras: frame rate, position noise, missed detections, identity switches, occlusion in crowds.</summary>
public sealed record CameraModel
{
    public double FrameHz { get; init; } = 5;

    public double PositionNoiseMetres { get; init; } = 0.04;

    public double MissRate { get; init; } = 0.02;

    /// <summary>Chance that a visit's track gets a new id once during the visit (the tracker lost and re-found the person).</summary>
    public double IdentitySwitchRate { get; init; }

    /// <summary>With at least two other people this close, a person is occluded at <see cref="OcclusionMissRate"/>.</summary>
    public double OcclusionRadius { get; init; } = 0.9;

    public double OcclusionMissRate { get; init; } = 0.25;

    /// <summary>Cameras that see depth report how high a hand is (observations of version 2); without it, version 1.</summary>
    public bool SeesHeight { get; init; } = true;
}

/// <summary>The store network: latency, jitter (reorders messages), duplicates, late arrivals.</summary>
public sealed record NetworkModel
{
    public double LatencyMs { get; init; } = 15;

    /// <summary>Mean of an exponential extra delay per message.</summary>
    public double JitterMs { get; init; } = 10;

    public double DuplicateRate { get; init; } = 0.005;

    /// <summary>Share of messages held back beyond the node's lateness bound (they must be flagged late, not used).</summary>
    public double LateRate { get; init; }

    public long LateByMs { get; init; } = 5_000;
}

/// <summary>A device (or one bin's sensor, as <c>shelf/bin</c>) that sends nothing from <paramref name="FromMs"/> to <paramref name="ToMs"/> (store time from the start).</summary>
public sealed record Outage(string Device, long FromMs, long ToMs);

/// <summary>Ordinary shoppers around the hard cases.</summary>
public sealed record TrafficModel
{
    public int Visits { get; init; }

    /// <summary>Mean time between two arrivals.</summary>
    public long ArrivalEveryMs { get; init; } = 8_000;

    public int MaxPicks { get; init; } = 4;

    public double PutBackRate { get; init; } = 0.15;

    public double MultiUnitRate { get; init; } = 0.1;

    /// <summary>Share of visits that are a payer with a companion (group entry).</summary>
    public double GroupRate { get; init; } = 0.1;

    public long BrowseMs { get; init; } = 2_500;
}
