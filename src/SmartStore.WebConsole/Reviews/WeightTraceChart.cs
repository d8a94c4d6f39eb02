using System.Globalization;
using SmartStore.Domain.Fusion;

namespace SmartStore.WebConsole.Reviews;

/// <summary>
/// Where a weight trace goes on the review page's chart (SVG user units): time across, grams up, with the change's
/// window marked, so an operator sees the level before, the step and the level after, and whether it was one step
/// or two. Times are labelled in seconds from the start of the change.
/// </summary>
public sealed class WeightTraceChart
{
    public const double Width = 480;
    public const double Height = 170;
    private const double Left = 62;
    private const double Right = 12;
    private const double Top = 10;
    private const double Bottom = 30;

    private readonly long _fromMs;
    private readonly long _toMs;
    private readonly double _low;
    private readonly double _high;

    public WeightTraceChart(ChangeReview review)
    {
        ArgumentNullException.ThrowIfNull(review);
        Review = review;
        var trace = review.Trace;
        if (trace is null || trace.Grams.IsDefaultOrEmpty)
        {
            return;
        }

        _fromMs = Math.Min(trace.StartMs, review.FromMs);
        _toMs = Math.Max(trace.EndMs, Math.Max(review.ToMs, _fromMs + 1));
        var (low, high) = (trace.Grams.Min(), trace.Grams.Max());

        // A flat trace still gets a scale: a few grams either side, like the cell's noise.
        var pad = Math.Max(2, (high - low) * 0.08);
        (_low, _high) = (low - pad, high + pad);
    }

    public ChangeReview Review { get; }

    public bool HasTrace => Review.Trace is { Grams.IsDefaultOrEmpty: false };

    public static string ViewBox => FormattableString.Invariant($"0 0 {Width} {Height}");

    /// <summary>The polyline's points: one per reading kept.</summary>
    public string Points
    {
        get
        {
            var trace = Review.Trace!;
            return string.Join(' ', trace.OffsetsMs.Select((offset, i) => Pair(X(trace.StartMs + offset), Y(trace.Grams[i]))));
        }
    }

    public double WindowX => X(Review.FromMs);

    public double WindowWidth => Math.Max(1, X(Review.ToMs) - X(Review.FromMs));

    public static double PlotTop => Top;

    public static double PlotBottom => Height - Bottom;

    public static double PlotLeft => Left;

    public static double PlotRight => Width - Right;

    /// <summary>Gram labels: the bottom, the middle and the top of the scale.</summary>
    public IEnumerable<(double Y, string Label)> GramTicks =>
        new[] { _low, (_low + _high) / 2, _high }.Select(g => (Y(g), g.ToString("0", CultureInfo.InvariantCulture) + " g"));

    /// <summary>
    /// Time labels in seconds from the change's start: the change's start and end first, then the trace's ends,
    /// each only where it does not crowd a label already placed.
    /// </summary>
    public IEnumerable<(double X, string Label, string Anchor)> TimeTicks
    {
        get
        {
            var placed = new List<(double X, string Label, string Anchor)>();
            foreach (var time in new[] { Review.FromMs, Review.ToMs, _fromMs, _toMs })
            {
                var x = X(time);
                if (placed.All(p => Math.Abs(p.X - x) >= 44))
                {
                    // A label at the chart's right end ends there, so it is not cut off by the edge.
                    var anchor = x > Width - Right - 20 ? "end" : "middle";
                    placed.Add((x, ((time - Review.FromMs) / 1000.0).ToString("+0.0;-0.0;0", CultureInfo.InvariantCulture) + " s", anchor));
                }
            }

            return placed.OrderBy(p => p.X);
        }
    }

    public double X(long timeMs) => Left + ((timeMs - _fromMs) * (Width - Left - Right) / (_toMs - _fromMs));

    public double Y(double grams) => Height - Bottom - ((grams - _low) * (Height - Top - Bottom) / (_high - _low));

    public static string Number(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Pair(double x, double y) => $"{Number(x)},{Number(y)}";
}
