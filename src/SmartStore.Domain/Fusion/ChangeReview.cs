using System.Collections.Immutable;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Fusion;

/// <summary>
/// A bin's load-cell readings around one change, as the shelf had them when it reported the change: each point
/// is milliseconds after <paramref name="StartMs"/> (device time) and grams. Readings themselves are not stored;
/// this is what an operator reviewing the change sees of them.
/// </summary>
public sealed record WeightTrace(long StartMs, ImmutableArray<int> OffsetsMs, ImmutableArray<double> Grams)
{
    /// <summary>
    /// At most <paramref name="maxPoints"/> of <paramref name="readings"/> (time order): evenly spaced through
    /// them, the first and the last always kept, so a chart shows the level before and after and the step between.
    /// </summary>
    public static WeightTrace? Of(IReadOnlyList<(long TimeMs, double Grams)> readings, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPoints, 2);
        if (readings.Count == 0)
        {
            return null;
        }

        var start = readings[0].TimeMs;
        var count = Math.Min(readings.Count, maxPoints);
        var offsets = ImmutableArray.CreateBuilder<int>(count);
        var grams = ImmutableArray.CreateBuilder<double>(count);
        for (var i = 0; i < count; i++)
        {
            var (time, weight) = readings[count == 1 ? 0 : (int)Math.Round((double)i * (readings.Count - 1) / (count - 1))];
            offsets.Add((int)Math.Clamp(time - start, 0, int.MaxValue));
            grams.Add(Math.Round(weight, 1));
        }

        return new WeightTrace(start, offsets.MoveToImmutable(), grams.MoveToImmutable());
    }

    public long EndMs => OffsetsMs.IsDefaultOrEmpty ? StartMs : StartMs + OffsetsMs[^1];
}

/// <summary>
/// A visit (and who pays for it) that may have made a change, as fusion scored it: its evidence score (what the review reason quotes),
/// how many frames showed its hand in the bin during the change, and where the sighting that scored best placed
/// its body and hand (null when no camera placed it near the bin then).
/// </summary>
public sealed record PickCandidate(string VisitId, string PayerId, double Score, int HandsInBin, Point? Body, Point? Hand, double? HandHeight, long? SeenMs);

/// <summary>
/// Why a weight change sent a visit to review, with what the operator needs to judge it: the change, the load
/// cell's trace around it and every visit that may have made it. Kept on the visit with its reason, so resolving
/// the reason on the floor (later evidence settled it) drops this too.
/// </summary>
public sealed record ChangeReview(string Reason, string ChangeId, string BinId, double DeltaGrams, long FromMs, long ToMs, WeightTrace? Trace, ImmutableArray<PickCandidate> Candidates);
