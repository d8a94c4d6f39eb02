using System.Globalization;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;

namespace SmartStore.WebConsole.Reviews;

/// <summary>
/// One doubtful weight change as the review page shows it: the reason, the cell's trace as a chart, and each
/// visit that may have made it with its score and where it was (body, hand and the hand's distance from the
/// bin, when the layout still has the bin).
/// </summary>
public sealed record ChangeReviewPanel(ChangeReview Review, Bin? Bin)
{
    public WeightTraceChart Chart { get; } = new(Review);

    public static IReadOnlyList<ChangeReviewPanel> For(IEnumerable<ChangeReview> reviews, StoreLayout? layout) =>
        [.. reviews.Select(r => new ChangeReviewPanel(r, layout?.FindBin(r.BinId)))];

    public static string Position(Point? point, double? height = null) => point switch
    {
        null => "not seen",
        { } p when height is { } z => FormattableString.Invariant($"({p.X:0.00}, {p.Y:0.00}) m, {z:0.00} m up"),
        { } p => FormattableString.Invariant($"({p.X:0.00}, {p.Y:0.00}) m"),
    };

    /// <summary>How far the candidate's hand (or, without one, its body) was from the bin's facing.</summary>
    public string FromBin(PickCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return (Bin, candidate.Hand ?? candidate.Body) is ({ } bin, { } point)
            ? FormattableString.Invariant($"{bin.Area.DistanceTo(point):0.00} m ({(candidate.Hand is null ? "body" : "hand")})")
            : "—";
    }

    /// <summary>When the candidate was seen there, in seconds from the start of the change.</summary>
    public string SeenAt(PickCandidate candidate)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return candidate.SeenMs is { } seen ? ((seen - Review.FromMs) / 1000.0).ToString("+0.0 s;-0.0 s;0 s", CultureInfo.InvariantCulture) : "—";
    }
}
