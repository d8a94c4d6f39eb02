using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;

namespace SmartStore.Domain.Fusion;

// Fusion, part two: people. Admissions, gate crossings, sightings, identity switches and silent bins.
public static partial class CartFusion
{
    private static FusionState Admit(FusionState state, EntryGranted granted, FusionSettings settings)
    {
        if (state.Visits.ContainsKey(granted.VisitId))
        {
            return state;
        }

        var visit = new Visit(granted.VisitId, granted.PayerId, granted.PartySize, granted.DeviceTimeMs, VisitStatus.Inside, null, VirtualCart.Empty, []);
        return state with
        {
            Visits = state.Visits.Add(visit.VisitId, visit),
            Admissions = state.Admissions.Add(new OpenAdmission(visit.VisitId, granted.GateId, granted.PartySize, granted.DeviceTimeMs + settings.AdmissionWindowMs, granted.DeviceTimeMs)),
        };
    }

    private static FusionState Cross(FusionState state, GateCrossed crossed, FusionSettings settings) => crossed.Inward ? Enter(state, crossed, settings) : Leave(state, crossed);

    private static FusionState Enter(FusionState state, GateCrossed crossed, FusionSettings settings)
    {
        var track = (state.Tracks.GetValueOrDefault(crossed.TrackId) ?? new Track(crossed.TrackId, [], [], false)) with { EnteredGate = crossed.GateId, EnteredMs = crossed.DeviceTimeMs };
        var binding = AdmissionBinding.Bind(state.Admissions, crossed, settings);
        switch (binding)
        {
            case AdmissionBinding.Nobody:
                var alert = new FloorAlert("tailgating", crossed.DeviceTimeMs, $"track {crossed.TrackId} entered through {crossed.GateId} without an admission");
                state = state with { Alerts = state.Alerts.Add(alert) };
                return BesideTheAdmitted(state, track, settings) ?? state with { Tracks = state.Tracks.SetItem(track.TrackId, track with { Visits = [] }) };
            case AdmissionBinding.Doubt doubt:
                // Never guess whose companion this is: the track may be any of them, and what it picks goes to review.
                var candidates = doubt.Candidates.Select(a => a.VisitId).ToImmutableHashSet(StringComparer.Ordinal);
                var doubtful = new FloorAlert("admission-ambiguous", crossed.DeviceTimeMs, $"track {crossed.TrackId} crossed {crossed.GateId} while admissions of {string.Join(", ", candidates.Order(StringComparer.Ordinal))} were open: it may be any of them");
                return state with { Tracks = state.Tracks.SetItem(track.TrackId, track with { Visits = candidates, Doubtful = true }), Admissions = Consume(state.Admissions, doubt.Counted), Alerts = state.Alerts.Add(doubtful) };
            case AdmissionBinding.Bound bound:
                return state with { Tracks = state.Tracks.SetItem(track.TrackId, track with { Visits = [bound.Admission.VisitId] }), Admissions = Consume(state.Admissions, bound.Admission) };
            default:
                throw new InvalidOperationException($"Unknown admission binding {binding.GetType().Name}.");
        }
    }

    /// <summary>
    /// Someone nobody was admitted for crossed side by side with someone who took an admission: one of the two is
    /// the tailgater, and the lane's order cannot say which. Both may be that visit's person, so both tracks are in
    /// doubt: what either takes goes to review, never onto the visit's cart, nor onto someone else's as unseen.
    /// </summary>
    private static FusionState? BesideTheAdmitted(FusionState state, Track track, FusionSettings settings)
    {
        var beside = state.Tracks.Values
            .Where(t => t.TrackId != track.TrackId && t.Visits.Count > 0 && t.EnteredGate == track.EnteredGate
                && t.EnteredMs is { } at && Math.Abs(track.EnteredMs!.Value - at) <= settings.SideBySideMs)
            .ToList();
        if (beside.Count == 0)
        {
            return null;
        }

        var visits = beside.SelectMany(t => t.Visits).ToImmutableHashSet(StringComparer.Ordinal);
        var tracks = state.Tracks.SetItem(track.TrackId, track with { Visits = visits, Doubtful = true });
        foreach (var other in beside)
        {
            tracks = tracks.SetItem(other.TrackId, other with { Doubtful = true });
        }

        var detail = $"track {track.TrackId} crossed {track.EnteredGate} beside {string.Join(", ", beside.Select(t => t.TrackId))} with one admission for them: either may be {string.Join(", ", visits.Order(StringComparer.Ordinal))}";
        return state with { Tracks = tracks, Alerts = state.Alerts.Add(new FloorAlert("admission-ambiguous", track.EnteredMs!.Value, detail)) };
    }

    private static ImmutableList<OpenAdmission> Consume(ImmutableList<OpenAdmission> admissions, OpenAdmission admission) =>
        admission.Remaining <= 1 ? admissions.Remove(admission) : admissions.Replace(admission, admission with { Remaining = admission.Remaining - 1, PayerCrossed = true });

    private static FusionState Leave(FusionState state, GateCrossed crossed)
    {
        if (!state.Tracks.TryGetValue(crossed.TrackId, out var track))
        {
            return state;
        }

        var tracks = state.Tracks.SetItem(track.TrackId, track with { Exited = true });
        var visits = state.Visits;
        foreach (var visitId in track.Visits)
        {
            // A visit ends when none of its clearly bound tracks is still inside, nor a doubtful one that may be its
            // companion (else what the companion takes later would fall to the other candidates alone).
            var stillInside = tracks.Values.Any(t => !t.Exited && t.Visits.Contains(visitId) && (t.Visits.Count == 1 || t.Doubtful));
            if (!stillInside && visits.TryGetValue(visitId, out var visit) && visit.Status == VisitStatus.Inside)
            {
                visits = visits.SetItem(visitId, visit with { Status = VisitStatus.Exited, ExitedMs = crossed.DeviceTimeMs });
            }
        }

        return state with { Tracks = tracks, Visits = visits };
    }

    /// <summary>
    /// A bin's load cell went silent (or spoke again) at device time <paramref name="atMs"/>. While it is silent, a
    /// hand in that bin may take something nobody can weigh: the visit is sent to review rather than charged for
    /// less than it took. Both edges are placed in event time, not when the news arrives: a silence is only noticed
    /// seconds after the last reading (<paramref name="sinceMs"/>), so the sightings since then that the floor
    /// already holds are looked at again; and a cell that speaks again ends the silence at its reading's time, so
    /// sightings from just before then that are still on their way (cameras lag the scales) still count.
    /// </summary>
    public static FusionState SensorSilent(FusionState state, string binId, bool silent, long atMs, StoreLayout layout, FusionSettings settings, long? sinceMs = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(settings);
        if (!silent)
        {
            return state.SilentBins.Contains(binId) ? state with { SilenceEnds = state.SilenceEnds.SetItem(binId, atMs) } : state;
        }

        // A new silence starts with nobody having reached in; a repeated report of the same one (or a silence that
        // resumes before its end has passed) keeps who did.
        var reaches = state.SilentBins.Contains(binId) ? state.SilentReaches : state.SilentReaches.Remove(binId);
        state = state with { SilentBins = state.SilentBins.Add(binId), SilenceEnds = state.SilenceEnds.Remove(binId), SilentReaches = reaches };
        if (layout.FindBin(binId) is not { } bin)
        {
            return state;
        }

        var since = sinceMs ?? atMs;
        foreach (var track in state.Tracks.Values.ToList())
        {
            if (track.Sightings.Any(s => s.TimeMs >= since && s.Hand is { } hand && ReachesInto(bin, hand, s.HandHeight, layout, settings)))
            {
                state = FlagSilentReach(state, bin, track);
            }
        }

        return state;
    }

    private static FusionState FlagReachIntoSilentBin(FusionState state, PersonSeen seen, StoreLayout layout, FusionSettings settings)
    {
        if (state.SilentBins.IsEmpty || seen.Hand is not { } hand)
        {
            return state;
        }

        var bin = state.SilentBins
            .Where(b => !state.SilenceEnds.TryGetValue(b, out var end) || seen.DeviceTimeMs < end)
            .Select(layout.FindBin).OfType<Bin>()
            .FirstOrDefault(b => ReachesInto(b, hand, seen.HandHeight, layout, settings));
        if (bin is null || !state.Tracks.TryGetValue(state.Resolve(seen.TrackId), out var track))
        {
            return state;
        }

        return FlagSilentReach(state, bin, track);
    }

    /// <summary>Silences whose cell spoke again before <paramref name="timeMs"/>: no sighting from then on can fall inside them.</summary>
    private static FusionState EndSilences(FusionState state, long timeMs)
    {
        // Called for every input: nothing to look at is the common case, and it allocates nothing.
        if (state.SilenceEnds.IsEmpty)
        {
            return state;
        }

        var ended = state.SilenceEnds.Where(e => e.Value < timeMs).Select(e => e.Key).ToList();
        return ended.Count == 0 ? state : state with { SilentBins = state.SilentBins.Except(ended), SilenceEnds = state.SilenceEnds.RemoveRange(ended) };
    }

    private static bool ReachesInto(Bin bin, Point hand, double? height, StoreLayout layout, FusionSettings settings) =>
        HandDistance(bin, hand, height, layout) <= settings.HandReach
        && HandLikelihood(bin, hand, height, layout.ShelfOf(bin)?.Bins ?? [bin], layout, settings) >= settings.HandInBin;

    private static FusionState FlagSilentReach(FusionState state, Bin bin, Track track)
    {
        var reason = SilentReachReason(bin.Id);
        var visits = state.Visits;
        var reached = state.SilentReaches.GetValueOrDefault(bin.Id) ?? ImmutableSortedSet<string>.Empty.WithComparer(StringComparer.Ordinal);
        foreach (var visitId in track.Visits.Where(visits.ContainsKey))
        {
            visits = visits.SetItem(visitId, visits[visitId].NeedsReview(reason));
            reached = reached.Add(visitId);
        }

        return ReferenceEquals(visits, state.Visits) ? state : state with { Visits = visits, SilentReaches = state.SilentReaches.SetItem(bin.Id, reached) };
    }

    private static FusionState See(FusionState state, PersonSeen seen, FusionSettings settings)
    {
        var sighting = new Sighting(seen.DeviceTimeMs, seen.DeviceId, seen.Body, seen.Hand, seen.HandHeight);
        if (state.Tracks.TryGetValue(state.Resolve(seen.TrackId), out var known))
        {
            // Keep a few seconds of history: enough for any change's evidence window.
            var sightings = known.Sightings.Add(sighting).RemoveAll(s => s.TimeMs < seen.DeviceTimeMs - 10_000);
            return state with { Tracks = state.Tracks.SetItem(known.TrackId, known with { Sightings = sightings }) };
        }

        // A track id never seen before. Another camera following someone right here, right now: the same
        // person seen twice, so this id becomes an alias of that store-wide track.
        var samePerson = state.Tracks.Values.FirstOrDefault(t => !t.Exited && t.Last is { } l
            && l.CameraId != seen.DeviceId
            && Math.Abs(seen.DeviceTimeMs - l.TimeMs) <= settings.SamePersonWindowMs
            && l.Body.DistanceTo(seen.Body) <= settings.SamePersonRadius);
        if (samePerson is not null)
        {
            var merged = samePerson with { Sightings = samePerson.Sightings.Add(sighting) };
            return state with { Tracks = state.Tracks.SetItem(merged.TrackId, merged), Aliases = state.Aliases.SetItem(seen.TrackId, merged.TrackId) };
        }

        // Otherwise possibly a switched identity of a track that just vanished.
        var lost = state.Tracks.Values
            .Where(t => !t.Exited && t.Visits.Count > 0 && t.Last is { } last
                && seen.DeviceTimeMs - last.TimeMs is > 0
                && seen.DeviceTimeMs - last.TimeMs <= settings.SwitchWindowMs
                && last.Body.DistanceTo(seen.Body) <= settings.SwitchRadius)
            .ToList();
        var visits = lost.SelectMany(t => t.Visits).ToImmutableHashSet(StringComparer.Ordinal);
        var track = new Track(seen.TrackId, visits, [sighting], false) { Doubtful = visits.Count > 1 || lost.Any(t => t.Doubtful) };
        var alerts = lost.Count > 1
            ? state.Alerts.Add(new FloorAlert("identity-ambiguous", seen.DeviceTimeMs, $"track {seen.TrackId} may be any of {string.Join(", ", lost.Select(t => t.TrackId))}"))
            : state.Alerts;
        // The lost tracks live on in the new one: they no longer count as someone inside (else their visit could
        // never end once the new id walks out through the exit).
        var tracks = state.Tracks.Add(track.TrackId, track);
        foreach (var gone in lost)
        {
            tracks = tracks.SetItem(gone.TrackId, gone with { Exited = true });
        }

        return state with { Tracks = tracks, Alerts = alerts };
    }
}
