using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Domain.Fusion;
using SmartStore.WebConsole.Reviews;
using Xunit;

namespace SmartStore.WebConsole.Tests;

public sealed class WeightTraceChartTests
{
    [Fact]
    public void Every_point_of_any_trace_and_the_changes_band_fall_inside_the_plot()
    {
        var traces = Gen.Choose(2, 60).SelectMany(n => Gen.Choose(-2_000, 2_000).ArrayOf(n).Select(steps => (n, steps))).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(traces, t =>
        {
            var readings = t.steps.Select((g, i) => (10_000L + (i * 100), 5_000.0 + g)).ToList();
            var review = new ChangeReview("why", "c1", "bin", -350, 10_000 + (t.n * 30), 10_000 + (t.n * 60), WeightTrace.Of(readings, 60), []);
            var chart = new WeightTraceChart(review);
            var points = chart.Points.Split(' ').Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            return points.All(p => p[0] >= WeightTraceChart.PlotLeft - 0.1 && p[0] <= WeightTraceChart.PlotRight + 0.1 && p[1] >= WeightTraceChart.PlotTop - 0.1 && p[1] <= WeightTraceChart.PlotBottom + 0.1)
                && chart.WindowX >= WeightTraceChart.PlotLeft - 0.1 && chart.WindowX + chart.WindowWidth <= WeightTraceChart.PlotRight + 1.1;
        }));
    }

    [Fact]
    public void The_time_labels_start_at_the_change_do_not_crowd_each_other_and_the_last_ends_at_the_right_edge()
    {
        var readings = Enumerable.Range(0, 40).Select(i => (9_000L + (i * 60), i < 18 ? 800.0 : 450.0)).ToList();
        var chart = new WeightTraceChart(new ChangeReview("why", "c1", "bin", -350, 10_000, 10_050, WeightTrace.Of(readings, 60), []));

        var ticks = chart.TimeTicks.ToList();
        Assert.Contains(ticks, t => t.Label == "0 s");
        Assert.All(ticks.Zip(ticks.Skip(1)), p => Assert.True(p.Item2.X - p.Item1.X >= 44, $"{p.Item1.Label} and {p.Item2.Label} crowd each other"));
        Assert.Equal(("-1.0 s", "+1.3 s", "end"), (ticks[0].Label, ticks[^1].Label, ticks[^1].Anchor));
        // The scale reaches a little beyond the lowest and highest reading (8 % of the range), so neither sits on an axis.
        Assert.Equal(["422 g", "625 g", "828 g"], chart.GramTicks.Select(t => t.Label).Order(StringComparer.Ordinal));
    }
}
