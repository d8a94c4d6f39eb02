using SmartStore.Vision.Accuracy;
using Xunit;

namespace SmartStore.Vision.Tests;

public sealed class PairScoringTests
{
    [Fact]
    public void Accuracy_best_threshold_and_rates_follow_from_the_similarities()
    {
        ScoredPair[] pairs =
        [
            new("a1", "a2", true, 0.80),
            new("b1", "b2", true, 0.45),
            new("c1", "c2", true, null),
            new("a1", "b1", false, 0.10),
            new("a1", "c1", false, 0.50),
        ];
        var report = PairScoring.Report(pairs, threshold: 0.40);
        Assert.Equal(5, report.Pairs);
        Assert.Equal(4, report.Scored);
        Assert.Equal(3, report.Genuine);
        Assert.Equal(2, report.Impostor);

        // At 0.40: both scored genuine pairs accepted, the face-less one rejected, one impostor accepted: 3 of 5.
        Assert.Equal(0.6, report.AccuracyAtThreshold, 6);

        // Raising the threshold above 0.50 rejects the impostor but loses 0.45: still 3 of 5; no threshold does better.
        Assert.Equal(0.6, report.BestAccuracy, 6);

        // Too few impostor pairs to measure a FAR of 1 % or 0.1 %.
        Assert.Null(report.TarAtFar001);
        Assert.Null(report.TarAtFar0001);
        var strict = report.Roc.Single(p => p.Threshold > 0.5 && p.Threshold < 0.81);
        Assert.Equal(1 / 3.0, strict.TrueAcceptRate, 6);
        Assert.Equal(0, strict.FalseAcceptRate);
    }
}
