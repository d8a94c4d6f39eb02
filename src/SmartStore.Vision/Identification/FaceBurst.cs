using System.Collections.Immutable;
using OpenCvSharp;
using SmartStore.Vision.Liveness;
using SmartStore.Vision.Search;

namespace SmartStore.Vision.Identification;

/// <summary>One usable face in a gate frame: where it is and who the gallery says it is (or why nobody).</summary>
public sealed record FaceCandidate(Point2f[] Landmarks, MatchVerdict Verdict);

/// <summary>
/// What the pipeline saw in one gate frame: the faces good enough to identify by, how many more it found but
/// could not use (and why the best of those failed), the group entry's size if the payer started one.
/// </summary>
public sealed record FrameFaces(long Seq, long Ts, int? Party, ulong Hash, IReadOnlyList<FaceCandidate> Faces, int UnusableFaces = 0, string? UnusableReason = null);

/// <summary>The gate's face-entry rules, all configuration.</summary>
public sealed record FaceEntrySettings
{
    public MatchSettings Match { get; init; } = new();

    public LivenessSettings Liveness { get; init; } = new();

    /// <summary>Frames further apart than this (device time) are not one person at the gate.</summary>
    public long WindowMs { get; init; } = 3_000;

    /// <summary>Frames of a face that cannot be used (blurred, turned away, cut off…) before the gate says so.</summary>
    public int MaxUnusableFrames { get; init; } = 3;

    /// <summary>After admitting a shopper, their face at this gate is ignored this long (they are walking through).</summary>
    public long AdmittedQuietMs { get; init; } = 10_000;

    /// <summary>After a refusal, frames are ignored this long, so one person is told once, not once per frame.</summary>
    public long RefusedQuietMs { get; init; } = 2_000;
}

/// <summary>What the frames so far lead to.</summary>
public abstract record BurstOutcome
{
    private BurstOutcome()
    {
    }

    /// <summary>Not yet enough to decide (or nothing to decide: nobody at the gate).</summary>
    public sealed record Pending : BurstOutcome
    {
        public static readonly Pending Instance = new();
    }

    /// <summary>One enrolled shopper, live, in every frame of the burst: admit (with the group entry's size).</summary>
    public sealed record Identified(string ShopperId, double Similarity, int Party, long Seq, long Ts) : BurstOutcome;

    /// <summary>Nobody is let in, and this is why (said to the person at the gate, counted by reason).</summary>
    public sealed record Refused(string Reason, long Seq, long Ts) : BurstOutcome;
}

/// <summary>
/// A gate's face entry as decide/evolve: frames come in one at a time, and the burst decides once it has
/// <see cref="LivenessSettings.MinFrames"/> frames of one subject. The subject is the only face in the frame, or,
/// in a group entry, the one enrolled face among the party's (unknown companions do not block a group; two
/// enrolled faces do, since nobody can tell who pays). It admits only when every frame names the same shopper
/// (threshold and margin cleared) and the face passes liveness; unknown faces never open the gate.
/// </summary>
public sealed record FaceBurst(
    ImmutableList<FrameFaces> Frames,
    ImmutableDictionary<string, long> RecentlyAdmitted,
    long QuietUntil,
    int UnusableFrames)
{
    public static FaceBurst Empty { get; } = new([], ImmutableDictionary<string, long>.Empty, 0, 0);

    public static (FaceBurst Next, BurstOutcome Outcome) Add(FaceBurst burst, FrameFaces frame, FaceEntrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(burst);
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(settings);
        var pending = BurstOutcome.Pending.Instance;
        if (frame.Ts < burst.QuietUntil || burst.Frames.Any(f => f.Seq == frame.Seq) || (burst.Frames.Count > 0 && burst.Frames[^1].Ts - frame.Ts > settings.WindowMs))
        {
            return (burst, pending);
        }

        var recent = burst.RecentlyAdmitted.Where(r => frame.Ts - r.Value < settings.AdmittedQuietMs).ToImmutableDictionary();
        var frames = burst.Frames.RemoveAll(f => frame.Ts - f.Ts > settings.WindowMs);
        burst = burst with { Frames = frames, RecentlyAdmitted = recent };
        if (frame.Faces.Count == 0)
        {
            if (frame.UnusableFaces == 0)
            {
                return (burst, pending);
            }

            var unusable = burst.UnusableFrames + 1;
            return unusable < settings.MaxUnusableFrames
                ? (burst with { UnusableFrames = unusable }, pending)
                : Refuse(burst, frame, $"{frame.UnusableReason ?? "face not usable"}; look at the camera, or use the app code", settings);
        }

        var party = frame.Party ?? 1;
        if (party == 1 && frame.Faces.Count > 1)
        {
            return Refuse(burst, frame, $"{frame.Faces.Count} faces at the gate: come through one at a time, or the payer starts a group entry", settings);
        }

        if (frame.Faces.Count > party)
        {
            return Refuse(burst, frame, $"{frame.Faces.Count} faces for a group entry of {party}", settings);
        }

        var recognised = frame.Faces.Where(f => f.Verdict.Recognised).ToList();
        if (recognised.Count > 1)
        {
            return Refuse(burst, frame, "more than one enrolled shopper in one group: the payer uses the app code", settings);
        }

        if (recognised.Count == 1 && recent.ContainsKey(recognised[0].Verdict.ShopperId!))
        {
            return (burst, pending);
        }

        // Frames are analysed in parallel and may finish out of order: the burst is kept in device-time order.
        frames = frames.Add(frame).Sort((a, b) => a.Ts != b.Ts ? a.Ts.CompareTo(b.Ts) : a.Seq.CompareTo(b.Seq));
        burst = burst with { Frames = frames };
        var needed = settings.Liveness.Required ? settings.Liveness.MinFrames : 1;
        if (frames.Count < needed)
        {
            return (burst, pending);
        }

        var subjects = frames.Select(Subject).ToList();
        var names = subjects.Select(s => s.Verdict.ShopperId).Distinct().ToList();
        if (names is not [{ } shopper])
        {
            var reason = names.Count > 1 && names.All(n => n is not null)
                ? "the face matched different shoppers from frame to frame: use the app code"
                : subjects.Select(s => s.Verdict.Refusal).FirstOrDefault(r => r is not null) ?? "face not recognised: use the app code";
            return Refuse(burst, frame, reason, settings);
        }

        var liveness = MotionLiveness.Refusal([.. frames.Select((f, i) => new LivenessSample(subjects[i].Landmarks, f.Hash))], settings.Liveness);
        if (liveness is not null)
        {
            return Refuse(burst, frame, liveness, settings);
        }

        var admitted = new BurstOutcome.Identified(shopper, subjects.Min(s => s.Verdict.Similarity), frames.Max(f => f.Party ?? 1), frame.Seq, frame.Ts);
        return (Empty with { RecentlyAdmitted = recent.SetItem(shopper, frame.Ts) }, admitted);
    }

    /// <summary>The face the frame is about: the enrolled one if any, else the biggest (closest to the gate).</summary>
    private static FaceCandidate Subject(FrameFaces frame) =>
        frame.Faces.FirstOrDefault(f => f.Verdict.Recognised)
        ?? frame.Faces.MaxBy(f => Math.Abs(f.Landmarks[1].X - f.Landmarks[0].X))!;

    private static (FaceBurst, BurstOutcome) Refuse(FaceBurst burst, FrameFaces frame, string reason, FaceEntrySettings settings) =>
        (Empty with { RecentlyAdmitted = burst.RecentlyAdmitted, QuietUntil = frame.Ts + settings.RefusedQuietMs }, new BurstOutcome.Refused(reason, frame.Seq, frame.Ts));
}
