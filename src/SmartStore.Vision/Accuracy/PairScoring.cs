namespace SmartStore.Vision.Accuracy;

/// <summary>One labelled pair's similarity (null when a face was not found in one of the images).</summary>
public sealed record ScoredPair(string FileX, string FileY, bool Same, double? Similarity);

/// <summary>One point of the ROC: at this threshold, the share of genuine pairs accepted and impostor pairs accepted.</summary>
public sealed record RocPoint(double Threshold, double TrueAcceptRate, double FalseAcceptRate);

/// <summary>What a labelled pair list says about a matcher.</summary>
public sealed record PairReport(
    int Pairs,
    int Scored,
    int Genuine,
    int Impostor,
    double AccuracyAtThreshold,
    double Threshold,
    double BestAccuracy,
    double BestThreshold,
    double? TarAtFar0001,
    double? TarAtFar001,
    IReadOnlyList<RocPoint> Roc);

/// <summary>
/// Accuracy of a verifier over labelled pairs: a pair is accepted when its similarity reaches the threshold.
/// Pairs whose images had no face count as rejected (a real gate would refuse them too). TAR at a FAR is the
/// best genuine-accept rate among thresholds whose impostor-accept rate does not exceed it; null when the list
/// has too few impostor pairs to measure that FAR (fewer than 1/FAR).
/// </summary>
public static class PairScoring
{
    public static PairReport Report(IReadOnlyList<ScoredPair> pairs, double threshold)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        var genuine = pairs.Count(p => p.Same);
        var impostor = pairs.Count - genuine;
        // The thresholds that change anything are the similarities themselves (and one above them all); the
        // configured one is a point of the ROC but not a candidate for "best", or it would win every tie.
        var observed = pairs.Where(p => p.Similarity is not null).Select(p => p.Similarity!.Value).Concat([1.0001]).Distinct().Order().ToList();
        var thresholds = observed.Concat([threshold]).Distinct().Order().ToList();
        var roc = thresholds.Select(t => new RocPoint(t, Rate(pairs, t, same: true), Rate(pairs, t, same: false))).ToList();
        var best = observed.Select(t => (Threshold: t, Accuracy: Accuracy(pairs, t))).MaxBy(x => x.Accuracy);
        return new PairReport(
            pairs.Count,
            pairs.Count(p => p.Similarity is not null),
            genuine,
            impostor,
            Accuracy(pairs, threshold),
            threshold,
            best.Accuracy,
            best.Threshold,
            TarAt(roc, impostor, 0.001),
            TarAt(roc, impostor, 0.01),
            roc);
    }

    public static double Accuracy(IReadOnlyList<ScoredPair> pairs, double threshold)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        return pairs.Count == 0 ? 0 : pairs.Count(p => Accepted(p, threshold) == p.Same) / (double)pairs.Count;
    }

    private static double Rate(IReadOnlyList<ScoredPair> pairs, double threshold, bool same)
    {
        var group = pairs.Where(p => p.Same == same).ToList();
        return group.Count == 0 ? 0 : group.Count(p => Accepted(p, threshold)) / (double)group.Count;
    }

    private static double? TarAt(IReadOnlyList<RocPoint> roc, int impostors, double far) =>
        impostors < 1 / far ? null : roc.Where(p => p.FalseAcceptRate <= far).Select(p => p.TrueAcceptRate).DefaultIfEmpty(0).Max();

    private static bool Accepted(ScoredPair pair, double threshold) => pair.Similarity is { } s && s >= threshold;
}
