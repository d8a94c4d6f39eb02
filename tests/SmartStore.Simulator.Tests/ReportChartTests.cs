using System.Globalization;
using System.Xml.Linq;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Simulator.Reports;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>The report's latency histograms keep every label inside their view box, whatever the distribution.</summary>
public sealed class ReportChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    // A label's box at the charts' 12 px: 7.2 px a character is wider than system-ui's average, and the box
    // reaches the font size above the baseline and a third of it below (descenders).
    private const double CharacterWidth = 7.2, Above = 12, Below = 4;

    // Latencies from a fraction of a millisecond to a quarter of an hour, in the shapes a replay gives: spread
    // out, all the same, a long tail with one outlier as the maximum (p99 is then at the right edge), bunched
    // near the maximum.
    private static readonly Gen<double> Scale = Gen.Elements(1.0, 9.0, 120.0, 2_500.0, 60_000.0, 900_000.0);

    private static readonly Arbitrary<double[]> Distributions = Gen.OneOf(
        Gen.Zip(Scale, Gen.Choose(0, 1_000).NonEmptyListOf()).Select(t => t.Item2.Select(v => t.Item1 * v / 1_000).ToArray()),
        Gen.Zip(Scale, Gen.Choose(1, 300)).Select(t => Enumerable.Repeat(t.Item1, t.Item2).ToArray()),
        Gen.Zip(Scale, Gen.Choose(0, 50).NonEmptyListOf()).Select(t => t.Item2.Select(v => t.Item1 * v / 1_000).Append(t.Item1).ToArray()),
        Gen.Zip(Scale, Gen.Choose(900, 1_000).NonEmptyListOf()).Select(t => t.Item2.Select(v => t.Item1 * v / 1_000).ToArray()))
        .ToArbitrary();

    [Fact]
    public void Every_label_of_a_histogram_stays_inside_its_view_box_and_clear_of_the_others()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Distributions, samples =>
        {
            var svg = ReportFiles.Histogram(Scoring.Summarise(samples));
            AssertLabelsFit(svg, string.Join(", ", samples.Take(12)));
        }));
    }

    [Fact]
    public void A_p99_at_the_maximum_is_labelled_left_of_its_line()
    {
        // The report's usual case: p99 is the slowest of under a hundred samples, drawn at the right edge.
        var svg = XElement.Parse(ReportFiles.Histogram(Scoring.Summarise(Enumerable.Range(1, 78).Select(i => (double)i))));
        var p99 = svg.Elements(Svg + "text").Single(t => t.Value.StartsWith("p99", StringComparison.Ordinal));

        Assert.Equal("p99 78 ms", p99.Value);
        Assert.Equal("end", (string?)p99.Attribute("text-anchor"));
        AssertLabelsFit(svg.ToString(), "1..78");
    }

    private static void AssertLabelsFit(string markup, string distribution)
    {
        var svg = XElement.Parse(markup);
        var viewBox = ((string?)svg.Attribute("viewBox") ?? throw new Xunit.Sdk.XunitException("the histogram has no viewBox"))
            .Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var (minX, minY, maxX, maxY) = (viewBox[0], viewBox[1], viewBox[0] + viewBox[2], viewBox[1] + viewBox[3]);
        var boxes = svg.Elements(Svg + "text").Select(Box).ToList();
        Assert.True(boxes.Count >= 5, $"expected the p50, p99 and axis labels, got {boxes.Count}");
        foreach (var box in boxes)
        {
            Assert.True(
                box.Left >= minX && box.Right <= maxX && box.Top >= minY && box.Bottom <= maxY,
                $"'{box.Text}' spans x {box.Left:0.0}..{box.Right:0.0}, y {box.Top:0.0}..{box.Bottom:0.0}, outside the view box {minX}..{maxX} × {minY}..{maxY} (samples {distribution})");
        }

        foreach (var (a, b) in boxes.SelectMany((a, i) => boxes.Skip(i + 1).Select(b => (a, b))))
        {
            var apart = a.Right <= b.Left || b.Right <= a.Left || a.Bottom <= b.Top || b.Bottom <= a.Top;
            Assert.True(apart, $"'{a.Text}' and '{b.Text}' overlap (samples {distribution})");
        }
    }

    private static TextBox Box(XElement text)
    {
        var x = double.Parse((string)text.Attribute("x")!, CultureInfo.InvariantCulture);
        var y = double.Parse((string)text.Attribute("y")!, CultureInfo.InvariantCulture);
        var width = text.Value.Length * CharacterWidth;
        var left = (string?)text.Attribute("text-anchor") switch
        {
            "end" => x - width,
            "middle" => x - (width / 2),
            _ => x,
        };
        return new TextBox(text.Value, left, left + width, y - Above, y + Below);
    }

    private sealed record TextBox(string Text, double Left, double Right, double Top, double Bottom);
}
