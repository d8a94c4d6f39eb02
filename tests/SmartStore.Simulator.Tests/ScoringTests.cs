using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>The report's numbers against values worked out by hand on a four-visit day.</summary>
public sealed class ScoringTests
{
    private static TruthVisit Visit(string key, string[] labels, params (string Sku, int Units)[] lines) =>
        new(key, $"p-{key}", 1, [$"t-{key}"], 0, 1, [.. lines.Select(l => new TruthLine(l.Sku, l.Units, 100, 100 * l.Units))], lines.Sum(l => 100L * l.Units), labels);

    private static ReplayedVisit Decided(string key, string outcome, double? latency, params (string Sku, int Units)[] lines) =>
        new($"node-{key}", $"p-{key}", outcome, [.. lines.Select(l => new ReplayedLine(l.Sku, l.Units))], 0, [], latency);

    private static readonly GroundTruth Truth = new(
        GroundTruth.CurrentVersion, "tiny", "corner-01", 1, [],
        [
            Visit("v1", [], ("A", 2), ("B", 1)),
            Visit("v2", ["hand-off"], ("A", 1)),
            Visit("v3", [], ("B", 1), ("C", 1)),
            Visit("v4", [], ("C", 1)),
        ],
        [], [new TruthDenial("gate-in", 5, "stranger", "not enrolled")], 1, []);

    private static readonly ReplayOutcome Outcome = new(
        "tiny", "corner-01", "sqlite", 0, 1_000, 990, 6, 3, 1, 0.5, 2_000,
        [
            Decided("v1", "charged", 10, ("A", 2), ("B", 1)),     // exact
            Decided("v2", "charged", 20, ("A", 1), ("C", 1)),     // charged for someone else's C
            Decided("v3", "review", null, ("B", 1)),              // in review, C not seen
            Decided("v5", "charged", 30),                         // a visit the truth does not know
        ],
        [new EntryDecisionSeen("gate-in", 1, "open", null, 4), new EntryDecisionSeen("gate-in", 5, "deny", "not enrolled", 8)],
        new Dictionary<string, long> { ["tailgating"] = 1 },
        new Dictionary<string, long>());

    [Fact]
    public void Visits_items_and_rates_are_what_a_person_counts_by_hand()
    {
        var report = Scoring.Score(Truth, Outcome);

        Assert.Equal((4, 1, 1, 1, 1), (report.Visits, report.Exact, report.WrongCharges, report.Review, report.NotSettled));
        Assert.Equal((0.25, 0.25, 0.25), (report.ExactReceiptRate, report.WrongChargeRate, report.ReviewRate));

        // Units: v1 3 found; v2 1 found + 1 extra; v3 1 found, 1 missed; v4 1 missed.
        Assert.Equal((5, 1, 2), (report.ItemTruePositives, report.ItemFalsePositives, report.ItemFalseNegatives));
        Assert.Equal(5.0 / 6, report.ItemPrecision, 6);
        Assert.Equal(5.0 / 7, report.ItemRecall, 6);
        Assert.Equal(10.0 / 13, report.ItemF1, 6);
    }

    [Fact]
    public void Errors_are_put_down_to_their_cause_and_to_their_hard_case()
    {
        var report = Scoring.Score(Truth, Outcome);

        Assert.Equal(1, report.ErrorsByCause["wrong shopper"]);      // v2's C was v3's or v4's
        Assert.Equal(1, report.ErrorsByCause["sent to review"]);
        Assert.Equal(2, report.ErrorsByCause["missed item"]);        // v3 and v4
        Assert.Equal(1, report.ErrorsByCause["not admitted"]);
        var handOff = Assert.Single(report.ByLabel);
        Assert.Equal(("hand-off", 1, 0, 1), (handOff.Label, handOff.Visits, handOff.Exact, handOff.WrongCharges));
        Assert.Equal(2.0 / 3, handOff.ItemF1, 6);
        Assert.Equal(["+1 C"], report.PerVisit.Single(v => v.Key == "v2").Differences);
    }

    [Fact]
    public void Latencies_denials_and_throughput_come_from_the_replay()
    {
        var report = Scoring.Score(Truth, Outcome);

        Assert.Equal((3, 20.0, 30.0, 30.0), (report.ReceiptBeyondBoundMs.Count, report.ReceiptBeyondBoundMs.P50, report.ReceiptBeyondBoundMs.P99, report.ReceiptBeyondBoundMs.Max));
        Assert.Equal((2, 8.0), (report.EntryDecisionMs.Count, report.EntryDecisionMs.P99));
        Assert.Equal((1, 1), (report.ExpectedDenials, report.Denied));
        Assert.Equal((1, 1L), (report.ExpectedTailgaters, report.TailgatingAlerts));
        Assert.Equal(2_000, report.MessagesPerSecond);
    }

    [Fact]
    public void Thresholds_that_are_not_met_are_listed_and_fail_the_report()
    {
        var passing = Scoring.Score(Truth, Outcome, new Thresholds { MinExactReceiptRate = 0.25, MaxReviewRate = 0.25 });
        var failing = Scoring.Score(Truth, Outcome, new Thresholds { MinExactReceiptRate = 0.99, MinItemF1 = 0.97, MaxWrongChargeRate = 0.005, MaxReviewRate = 0.02, MinMessagesPerSecond = 100_000 });

        Assert.True(passing.Passed);
        Assert.False(failing.Passed);
        Assert.Equal(5, failing.Failures.Count);
        Assert.Contains(failing.Failures, f => f.StartsWith("exact receipts 25.0 %", StringComparison.Ordinal));
    }

    [Fact]
    public void The_html_report_is_one_self_contained_page_with_svg_charts()
    {
        var html = ReportFiles.Html(Scoring.Score(Truth, Outcome));

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.True(html.Split("<svg").Length - 1 >= 5, "charts are inline SVG");
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("v2", html, StringComparison.Ordinal);
    }
}
