using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Replay;

namespace SmartStore.Simulator.Reports;

/// <summary>Pass/fail limits for a release gate; a null limit is not checked.</summary>
public sealed record Thresholds
{
    public double? MinExactReceiptRate { get; init; }

    public double? MinItemF1 { get; init; }

    public double? MaxWrongChargeRate { get; init; }

    public double? MaxReviewRate { get; init; }

    public double? MinMessagesPerSecond { get; init; }
}

/// <summary>One visit compared: what it should have cost, what the store decided, and how they differ.</summary>
public sealed record VisitDiff(string Key, string PayerId, string Outcome, bool Exact, IReadOnlyList<string> Labels, string Expected, string Decided, IReadOnlyList<string> Differences, IReadOnlyList<string> Causes);

/// <summary>Accuracy for the visits carrying one hard-case label.</summary>
public sealed record LabelScore(string Label, int Visits, int Exact, int Review, int WrongCharges, double ItemF1);

/// <summary>A latency distribution in milliseconds.</summary>
public sealed record LatencySummary(int Count, double P50, double P90, double P99, double Max, IReadOnlyList<double> Samples);

/// <summary>The scored replay: the numbers QA gates a release on.</summary>
public sealed record ScoreReport(
    string Scenario,
    string Store,
    string Journal,
    int Visits,
    int Exact,
    int Review,
    int WrongCharges,
    int NotSettled,
    double ExactReceiptRate,
    double ReviewRate,
    double WrongChargeRate,
    int ItemTruePositives,
    int ItemFalsePositives,
    int ItemFalseNegatives,
    double ItemPrecision,
    double ItemRecall,
    double ItemF1,
    IReadOnlyDictionary<string, int> ErrorsByCause,
    IReadOnlyList<LabelScore> ByLabel,
    int ExpectedDenials,
    int Denied,
    int ExpectedTailgaters,
    long TailgatingAlerts,
    LatencySummary EntryDecisionMs,
    LatencySummary ReceiptBeyondBoundMs,
    long Messages,
    long Accepted,
    long Duplicates,
    long Late,
    long Rejected,
    double WallSeconds,
    double MessagesPerSecond,
    IReadOnlyDictionary<string, long> Alerts,
    IReadOnlyList<VisitDiff> PerVisit,
    IReadOnlyList<string> Failures)
{
    public bool Passed => Failures.Count == 0;
}

/// <summary>
/// Scores a replay against its ground truth. Visits are matched by payer (one visit per payer per feed).
/// Items are counted in units per product: what the store charged, proposed for review, or held when the
/// replay ended, against what was really taken; the picker pays. Pure: no clock, no I/O.
/// </summary>
public static class Scoring
{
    public static ScoreReport Score(GroundTruth truth, ReplayOutcome outcome, Thresholds? thresholds = null)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(outcome);
        var byPayer = outcome.Visits.GroupBy(v => v.PayerId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var diffs = new List<VisitDiff>();
        int tp = 0, fp = 0, fn = 0;
        var perVisitItems = new Dictionary<string, (int Tp, int Fp, int Fn)>(StringComparer.Ordinal);
        var causes = new Dictionary<string, int>(StringComparer.Ordinal);

        // Units a visit was charged for but another visit took: a wrong shopper, not just an extra item.
        var missedBy = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var visit in truth.Visits)
        {
            var decided = byPayer.TryGetValue(visit.PayerId, out var d) ? Units(d.Lines.Select(l => (l.Sku, l.Units))) : [];
            foreach (var line in visit.Lines.Where(l => l.Units > decided.GetValueOrDefault(l.Sku)))
            {
                (missedBy.TryGetValue(line.Sku, out var set) ? set : missedBy[line.Sku] = new HashSet<string>(StringComparer.Ordinal)).Add(visit.Key);
            }
        }

        foreach (var visit in truth.Visits)
        {
            var expected = Units(visit.Lines.Select(l => (l.Sku, l.Units)));
            byPayer.TryGetValue(visit.PayerId, out var decided);
            var got = decided is null ? [] : Units(decided.Lines.Select(l => (l.Sku, l.Units)));
            var outcomeName = decided?.Outcome ?? "not admitted";
            var differences = new List<string>();
            var visitCauses = new List<string>();
            int vtp = 0, vfp = 0, vfn = 0;
            foreach (var sku in expected.Keys.Union(got.Keys).Order(StringComparer.Ordinal))
            {
                var want = expected.GetValueOrDefault(sku);
                var have = got.GetValueOrDefault(sku);
                vtp += Math.Min(want, have);
                if (have > want)
                {
                    vfp += have - want;
                    differences.Add($"+{have - want} {sku}");
                }
                else if (want > have)
                {
                    vfn += want - have;
                    differences.Add($"-{want - have} {sku}");
                }
            }

            var exact = differences.Count == 0 && outcomeName == "charged";
            if (decided is null || outcomeName is "undecided" or "not admitted")
            {
                visitCauses.Add(decided is null ? "not admitted" : "not settled");
            }
            else if (outcomeName == "review")
            {
                visitCauses.Add("sent to review");
            }

            if (vfp > 0 && vfn > 0)
            {
                visitCauses.Add("wrong product");
            }
            else if (vfp > 0)
            {
                var stolen = got.Where(g => g.Value > expected.GetValueOrDefault(g.Key)).Any(g => missedBy.TryGetValue(g.Key, out var others) && others.Any(o => o != visit.Key));
                visitCauses.Add(stolen ? "wrong shopper" : "extra item");
            }
            else if (vfn > 0)
            {
                visitCauses.Add("missed item");
            }

            foreach (var cause in visitCauses)
            {
                causes[cause] = causes.GetValueOrDefault(cause) + 1;
            }

            tp += vtp;
            fp += vfp;
            fn += vfn;
            perVisitItems[visit.Key] = (vtp, vfp, vfn);
            diffs.Add(new VisitDiff(visit.Key, visit.PayerId, outcomeName, exact, visit.Labels, Describe(expected), Describe(got), differences, visitCauses));
        }

        var visits = truth.Visits.Count;
        var exactCount = diffs.Count(d => d.Exact);
        var review = diffs.Count(d => d.Outcome == "review");
        var wrong = diffs.Count(d => d.Outcome is "charged" or "declined" && !d.Exact);
        var notSettled = diffs.Count(d => d.Outcome is "undecided" or "not admitted");
        var (precision, recall, f1) = Rates(tp, fp, fn);
        var byLabel = truth.Visits.SelectMany(v => v.Labels).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(label =>
        {
            var keys = truth.Visits.Where(v => v.Labels.Contains(label)).Select(v => v.Key).ToHashSet(StringComparer.Ordinal);
            var mine = diffs.Where(d => keys.Contains(d.Key)).ToList();
            var items = keys.Select(k => perVisitItems[k]).Aggregate((Tp: 0, Fp: 0, Fn: 0), (a, b) => (a.Tp + b.Tp, a.Fp + b.Fp, a.Fn + b.Fn));
            return new LabelScore(label, mine.Count, mine.Count(d => d.Exact), mine.Count(d => d.Outcome == "review"), mine.Count(d => d.Outcome is "charged" or "declined" && !d.Exact), Rates(items.Tp, items.Fp, items.Fn).F1);
        }).ToList();

        var report = new ScoreReport(
            outcome.Scenario,
            outcome.Store,
            outcome.Journal,
            visits,
            exactCount,
            review,
            wrong,
            notSettled,
            Ratio(exactCount, visits),
            Ratio(review, visits),
            Ratio(wrong, visits),
            tp,
            fp,
            fn,
            precision,
            recall,
            f1,
            causes,
            byLabel,
            truth.Denials.Count,
            outcome.Entries.Count(e => e.Command == "deny"),
            truth.Tailgaters,
            outcome.Alerts.GetValueOrDefault("tailgating"),
            Summarise(outcome.Entries.Select(e => e.LatencyMs).Where(double.IsFinite)),
            Summarise(outcome.Visits.Select(v => v.ReceiptLatencyMs).OfType<double>()),
            outcome.Messages,
            outcome.Accepted,
            outcome.Duplicates,
            outcome.Late,
            outcome.Rejected,
            outcome.WallSeconds,
            outcome.MessagesPerSecond,
            outcome.Alerts,
            diffs,
            []);
        return report with { Failures = Check(report, thresholds ?? new Thresholds()) };
    }

    public static IReadOnlyList<string> Check(ScoreReport report, Thresholds thresholds)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(thresholds);
        var failures = new List<string>();
        if (thresholds.MinExactReceiptRate is { } exact && report.ExactReceiptRate < exact)
        {
            failures.Add($"exact receipts {report.ExactReceiptRate:P1} < {exact:P1}");
        }

        if (thresholds.MinItemF1 is { } f1 && report.ItemF1 < f1)
        {
            failures.Add($"item F1 {report.ItemF1:P1} < {f1:P1}");
        }

        if (thresholds.MaxWrongChargeRate is { } wrong && report.WrongChargeRate > wrong)
        {
            failures.Add($"wrong charges {report.WrongChargeRate:P2} > {wrong:P2}");
        }

        if (thresholds.MaxReviewRate is { } review && report.ReviewRate > review)
        {
            failures.Add($"review rate {report.ReviewRate:P1} > {review:P1}");
        }

        if (thresholds.MinMessagesPerSecond is { } rate && report.MessagesPerSecond < rate)
        {
            failures.Add($"throughput {report.MessagesPerSecond:N0} messages/s < {rate:N0}");
        }

        return failures;
    }

    /// <summary>Precision, recall and F1; with nothing to find and nothing found, all three are 1.</summary>
    public static (double Precision, double Recall, double F1) Rates(int tp, int fp, int fn)
    {
        var precision = tp + fp == 0 ? 1.0 : (double)tp / (tp + fp);
        var recall = tp + fn == 0 ? 1.0 : (double)tp / (tp + fn);
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return (precision, recall, f1);
    }

    public static LatencySummary Summarise(IEnumerable<double> samples)
    {
        var sorted = samples.Order().ToList();
        if (sorted.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, []);
        }

        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
        return new LatencySummary(sorted.Count, At(0.50), At(0.90), At(0.99), sorted[^1], sorted);
    }

    private static double Ratio(int part, int whole) => whole == 0 ? 1.0 : (double)part / whole;

    private static Dictionary<string, int> Units(IEnumerable<(string Sku, int Units)> lines)
    {
        var units = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (sku, n) in lines)
        {
            units[sku] = units.GetValueOrDefault(sku) + n;
        }

        return units;
    }

    private static string Describe(Dictionary<string, int> units) =>
        units.Count == 0 ? "nothing" : string.Join(", ", units.Where(u => u.Value != 0).OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Value}× {u.Key}"));
}
