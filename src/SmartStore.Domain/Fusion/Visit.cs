using System.Collections.Immutable;
using SmartStore.Domain.Carts;

namespace SmartStore.Domain.Fusion;

public enum VisitStatus
{
    Inside,
    Exited,
}

/// <summary>One shopper's (or one group's) trip: who pays, which tracks belong to it, and its cart.</summary>
public sealed record Visit(
    string VisitId,
    string PayerId,
    int PartySize,
    long EnteredMs,
    VisitStatus Status,
    long? ExitedMs,
    VirtualCart Cart,
    ImmutableList<string> ReviewReasons)
{
    /// <summary>What the weight changes behind some of <see cref="ReviewReasons"/> showed: one per reason, for the operator.</summary>
    public ImmutableList<ChangeReview> ChangeReviews { get; init; } = [];

    public Visit NeedsReview(string reason) => ReviewReasons.Contains(reason) ? this : this with { ReviewReasons = ReviewReasons.Add(reason) };

    /// <summary>In review for a weight change: the reason, with what the change showed (kept once per reason).</summary>
    public Visit NeedsReview(ChangeReview review)
    {
        ArgumentNullException.ThrowIfNull(review);
        var visit = NeedsReview(review.Reason);
        return visit.ChangeReviews.Any(r => r.Reason == review.Reason) ? visit : visit with { ChangeReviews = visit.ChangeReviews.Add(review) };
    }

    public Visit Resolved(string reason) => this with { ReviewReasons = ReviewReasons.Remove(reason), ChangeReviews = ChangeReviews.RemoveAll(r => r.Reason == reason) };
}

/// <summary>
/// A store-wide person track. <see cref="Visits"/> is the set of visits it may belong to: one when the binding
/// is clear, several after an identity switch or interleaved admissions that could not be resolved, none for an
/// unknown person. A <see cref="Doubtful"/> track stays in doubt even when all but one of its visits have left:
/// what it picks goes to review, never straight onto a cart.
/// </summary>
public sealed record Track(string TrackId, ImmutableHashSet<string> Visits, ImmutableList<Sighting> Sightings, bool Exited)
{
    public bool Doubtful { get; init; }

    /// <summary>The entry gate the track came in through, and when: who crossed right beside it.</summary>
    public string? EnteredGate { get; init; }

    public long? EnteredMs { get; init; }

    public Sighting? Last => Sightings.IsEmpty ? null : Sightings[^1];
}

public sealed record Sighting(long TimeMs, string CameraId, Layouts.Point Body, Layouts.Point? Hand, double? HandHeight = null);

/// <summary>A pick that several visits may have made; kept open until later evidence settles it or review does.</summary>
public sealed record OpenAmbiguity(string ChangeId, string BinId, ImmutableSortedDictionary<string, int> Units, ImmutableHashSet<string> Candidates, string Reason, double Confidence);

/// <summary>An admission that still waits for its people to cross the entry gate (its payer first, then companions).</summary>
public sealed record OpenAdmission(string VisitId, string GateId, int Remaining, long UntilMs, long GrantedMs = 0, bool PayerCrossed = false);
