using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;

namespace SmartStore.Domain.Fusion;

// Fusion, part four: weight changes nobody was seen to make (cameras down, blind spots) and changes summed up
// over a silent weight sensor.
public static partial class CartFusion
{
    /// <summary>
    /// Visits inside (or leaving after the change began) that may have made the change unseen: one of their
    /// people has no sighting that places them too far from the bin to have made it. Being seen is not enough:
    /// someone seen a second before, walking towards a bin whose camera is down, is exactly who took it. A
    /// sighting clears a person only where the bin was out of their reach even at walking pace over the time
    /// between the sighting and the change, so every sighting the track still holds counts, however long before
    /// or after: seen eight metres away two seconds before is as good an alibi as seen there during the change.
    /// A party is cleared only when each of its people is: the payer far away says nothing of a companion.
    /// </summary>
    private static List<string> OutOfSight(FusionState state, Bin bin, ShelfChanged change, FusionSettings settings)
    {
        var unseen = new List<string>();
        foreach (var visit in state.Visits.Values.Where(v => v.EnteredMs <= change.ToMs && (v.Status == VisitStatus.Inside || v.ExitedMs >= change.FromMs)))
        {
            var tracks = state.Tracks.Values.Where(t => t.Visits.Contains(visit.VisitId)).ToList();
            if (tracks.Any(t => !t.Sightings.Any(TooFarToHaveMadeIt)))
            {
                unseen.Add(visit.VisitId);
            }
        }

        return unseen;

        bool TooFarToHaveMadeIt(Sighting s)
        {
            var apart = s.TimeMs < change.FromMs ? change.FromMs - s.TimeMs : Math.Max(0, s.TimeMs - change.ToMs);
            return bin.Area.DistanceTo(s.Body) > settings.BodyReach + (settings.WalkingSpeed * apart / 1000.0);
        }
    }

    /// <summary>
    /// A change nobody was seen to make. One visit out of sight at the time: it goes onto that visit's cart (a
    /// put-back comes off it), and the visit goes to review so an operator confirms. Several: each goes to review,
    /// the pick kept open. None: an alert, and nobody pays.
    /// </summary>
    private static FusionState AttributeUnseen(FusionState state, Bin bin, ShelfChanged change, List<string> candidates, StoreLayout layout, FusionSettings settings, Dictionary<string, Evidence>? evidence = null)
    {
        if (change.DeltaGrams > 0)
        {
            // A put-back can only be by someone holding something it could be.
            candidates = [.. candidates.Where(v => PutBackHypotheses(state.Visits[v], state.Bins[bin.Id], change, layout, settings).Count > 0)];
        }

        var kind = change.DeltaGrams < 0 ? "pick" : "put-back";
        if (candidates.Count == 0)
        {
            return state with { Alerts = state.Alerts.Add(new FloorAlert("unattributed", change.DeviceTimeMs, $"{change.DeltaGrams:+0;-0} g on {bin.Id} ({change.ChangeId}): nobody near")) };
        }

        var reason = $"{kind} {change.ChangeId} on {bin.Id} was seen by no camera; {string.Join(", ", candidates)} {(candidates.Count == 1 ? "was" : "were")} out of sight then";
        var alert = new FloorAlert("unseen-change", change.DeviceTimeMs, reason);
        if (candidates.Count == 1)
        {
            state = ApplyToCart(state, state.Visits[candidates[0]], bin, change, 0.5, layout, settings);
            return state with { Visits = state.Visits.SetItem(candidates[0], state.Visits[candidates[0]].NeedsReview(Review(state, change, reason, candidates, evidence))), Alerts = state.Alerts.Add(alert) };
        }

        var visits = state.Visits;
        var review = Review(state, change, reason, candidates, evidence);
        foreach (var visitId in candidates)
        {
            visits = visits.SetItem(visitId, visits[visitId].NeedsReview(review));
        }

        var ambiguities = state.Ambiguities;
        if (change.DeltaGrams < 0 && QuantityInference.Infer(change.DeltaGrams, state.Bins[bin.Id].Candidates(layout), settings.Inference) is [var guess, ..])
        {
            ambiguities = ambiguities.Add(new OpenAmbiguity(change.ChangeId, bin.Id, guess.Units, [.. candidates], reason, 0.5 * guess.Likelihood / candidates.Count));
        }

        return state with { Visits = visits, Ambiguities = ambiguities, Alerts = state.Alerts.Add(alert) };
    }

    /// <summary>
    /// A change that sums up what happened while its bin was not watched (the cell was silent). Who was near
    /// when it ended says nothing: only a visit that reached into the bin while it was silent can have made it.
    /// Exactly one such visit, and still on the floor: the change settles what it took. Otherwise nobody pays
    /// (one that has already left and been settled may have taken all of it or part).
    /// </summary>
    private static FusionState AttributeUnwatched(FusionState state, Bin bin, ShelfChanged change, StoreLayout layout, FusionSettings settings)
    {
        var reason = SilentReachReason(bin.Id);
        var reached = state.SilentReaches.GetValueOrDefault(bin.Id)?.ToHashSet(StringComparer.Ordinal) ?? [];
        var reachers = state.Visits.Values.Where(v => v.ReviewReasons.Contains(reason) || reached.Contains(v.VisitId)).ToList();
        var gone = reached.Where(v => !state.Visits.ContainsKey(v)).ToList();
        state = state with { SilentReaches = state.SilentReaches.Remove(bin.Id) };

        // The one seen reaching in pays only if nobody could have reached in unseen: a shopper no camera placed away
        // from the bin during the silence (its camera down too) may have taken some of what is missing.
        var unseen = OutOfSight(state, bin, change, settings).Where(v => reachers.All(r => r.VisitId != v)).ToList();
        if (reachers.Count == 1 && gone.Count == 0 && unseen.Count == 0 && change.DeltaGrams < 0)
        {
            var visit = reachers[0].Resolved(reason);
            state = state with { Visits = state.Visits.SetItem(visit.VisitId, visit) };
            return ApplyToCart(state, visit, bin, change, 0.5, layout, settings);
        }

        var detail = $"{change.DeltaGrams:+0;-0} g on {bin.Id} ({change.ChangeId}) over {(change.ToMs - change.FromMs) / 1000} s while the bin was not watched";
        var unseenReason = $"may have reached into {bin.Id} unseen while its weight sensor was silent: a pick may be missing";
        var visits = state.Visits;
        foreach (var visitId in reachers.Count > 0 ? unseen : [])
        {
            visits = visits.SetItem(visitId, visits[visitId].NeedsReview(Review(state, change, unseenReason, [.. reachers.Select(r => r.VisitId), .. unseen], null)));
        }

        state = state with { Visits = visits };
        var who = reachers.Select(r => r.VisitId).Concat(gone.Select(v => $"{v} (settled)")).Concat(reachers.Count > 0 ? unseen.Select(v => $"{v} (out of sight)") : []).ToList();
        return state with { Alerts = state.Alerts.Add(new FloorAlert("unwatched-change", change.DeviceTimeMs, who.Count == 0 ? $"{detail}: nobody reached in then" : $"{detail}: {string.Join(", ", who)} reached in then, in review")) };
    }

    /// <summary>The review reason of a visit that reached into a bin while its weight sensor was silent.</summary>
    private static string SilentReachReason(string binId) => $"reached into {binId} while its weight sensor was silent: a pick may be missing";
}
