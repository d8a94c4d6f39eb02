using System.Text.Json.Serialization;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Fusion;

/// <summary>What the store's devices report, as the domain sees it (already parsed and validated).</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "k")]
[JsonDerivedType(typeof(EntryGranted), "entry")]
[JsonDerivedType(typeof(GateCrossed), "cross")]
[JsonDerivedType(typeof(PersonSeen), "seen")]
[JsonDerivedType(typeof(ShelfChanged), "change")]
public abstract record FloorInput(string DeviceId, long Sequence, long DeviceTimeMs) : IDeviceInput;

/// <summary>The gate admitted a visit: its payer and how many people it lets in.</summary>
public sealed record EntryGranted(string DeviceId, long Sequence, long DeviceTimeMs, string GateId, string VisitId, string PayerId, int PartySize) : FloorInput(DeviceId, Sequence, DeviceTimeMs);

/// <summary>A person track crossed a gate line (inward = into the store).</summary>
public sealed record GateCrossed(string DeviceId, long Sequence, long DeviceTimeMs, string GateId, string TrackId, bool Inward) : FloorInput(DeviceId, Sequence, DeviceTimeMs);

/// <summary>
/// A camera saw a person track at a body position, and a hand position when a hand reached out; cameras that
/// see depth also say how high the hand is (metres above the floor), which tells shelf levels apart.
/// </summary>
public sealed record PersonSeen(string DeviceId, long Sequence, long DeviceTimeMs, string TrackId, Point Body, Point? Hand, double? HandHeight = null) : FloorInput(DeviceId, Sequence, DeviceTimeMs);

/// <summary>A bin's settled weight changed (from <see cref="Signals.WeightSignal"/>), with the readings around it when the shelf kept them.</summary>
public sealed record ShelfChanged(string DeviceId, long Sequence, long DeviceTimeMs, string BinId, string ChangeId, double DeltaGrams, long FromMs, long ToMs, WeightTrace? Trace = null) : FloorInput(DeviceId, Sequence, DeviceTimeMs);

/// <summary>Something operators should see.</summary>
public sealed record FloorAlert(string Kind, long TimeMs, string Detail);

/// <summary>Settings of fusion; the defaults are for a store with ceiling cameras and hand detection.</summary>
public sealed record FusionSettings
{
    /// <summary>A hand this close to a bin (metres) during a change is evidence; within it, how strong depends on <see cref="HandSigma"/>.</summary>
    public double HandReach { get; init; } = 0.35;

    /// <summary>
    /// How far off (metres, one standard deviation) a camera places a hand. A hand's evidence for a bin is its
    /// likelihood of being in that bin against every other bin of the shelf it is near, so at facings a few
    /// centimetres wide a hand in the neighbouring bin is no evidence for this one.
    /// </summary>
    public double HandSigma { get; init; } = 0.03;

    /// <summary>A hand at least this likely to be in a bin, over a change's window, counts as a hand in the bin (for splitting picks).</summary>
    public double HandInBin { get; init; } = 0.5;

    /// <summary>An identified payer needs at least this long from the barrier to the gate line: anyone crossing sooner was already past it.</summary>
    public long PayerCrossesAfterMs { get; init; } = 500;

    /// <summary>
    /// Two people crossing a single-lane gate's line closer together than this went through side by side or on
    /// each other's heels: the lane's order cannot say which of them the barrier let in (a person following
    /// another through a lane is at least a body's depth behind, some 25 cm: about 0.2 s at walking pace).
    /// </summary>
    public long SideBySideMs { get; init; } = 200;

    /// <summary>How fast a shopper may walk (metres per second): how far from a bin a sighting a moment before or after its change must be to clear them of it.</summary>
    public double WalkingSpeed { get; init; } = 1.5;

    /// <summary>
    /// A weight change whose window spans longer than this is the sum of what happened while the bin was not
    /// watched (its cell was silent): it is not attributed to whoever is near when it ends.
    /// </summary>
    public long UnwatchedChangeMs { get; init; } = 5_000;

    /// <summary>A body this close to a bin is weak evidence (for when hands are occluded).</summary>
    public double BodyReach { get; init; } = 1.2;

    /// <summary>Evidence counts from this long before a change's window to this long after it.</summary>
    public long EvidenceSlackMs { get; init; } = 1_000;

    /// <summary>How long an admission waits for its people to cross the gate.</summary>
    public long AdmissionWindowMs { get; init; } = 10_000;

    /// <summary>A new track this close in space and time to a lost one may be the same person (an identity switch).</summary>
    public double SwitchRadius { get; init; } = 1.0;

    /// <summary>A new track id within this distance and time of a track another camera follows is the same person.</summary>
    public double SamePersonRadius { get; init; } = 0.5;

    public long SamePersonWindowMs { get; init; } = 300;

    public long SwitchWindowMs { get; init; } = 2_000;

    /// <summary>The best visit must score at least this much, and this many times the runner-up, to be assigned.</summary>
    public double MinScore { get; init; } = 0.4;

    public double Dominance { get; init; } = 2.0;

    /// <summary>A product guess below this likelihood sends the visit to review.</summary>
    public double MinProductLikelihood { get; init; } = 0.8;

    /// <summary>How much likelier a put-back is one of the bin's own products than something from elsewhere.</summary>
    public double OwnBinPutBackPrior { get; init; } = 4;

    /// <summary>An unexplained gain up to this much while a hand is in the bin is taken for the hand pressing on it.</summary>
    public double MaxHandPressureGrams { get; init; } = 800;

    /// <summary>What is left of a change once the hand's pressure is taken out, below which nothing moved.</summary>
    public double HandPressureRelease { get; init; } = 12;

    public Signals.InferenceSettings Inference { get; init; } = new();
}
