namespace SmartStore.Domain.Fusion;

/// <summary>
/// Keeps the floor's state the size of the store's present, not its history: a settled visit is forgotten
/// with the tracks that only it owned, and people nobody pays for (tailgaters, unknown faces) are dropped once
/// they have left or not been seen for a while.
/// </summary>
public static class FloorHousekeeping
{
    /// <summary>Removes a settled (or reviewed) visit: its record, its claim on tracks and ambiguities, its admissions.</summary>
    public static FusionState Forget(FusionState state, string visitId)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!state.Visits.ContainsKey(visitId))
        {
            return state;
        }

        var tracks = state.Tracks;
        foreach (var track in state.Tracks.Values.Where(t => t.Visits.Contains(visitId)))
        {
            var rest = track.Visits.Remove(visitId);
            tracks = rest.IsEmpty && track.Exited ? tracks.Remove(track.TrackId) : tracks.SetItem(track.TrackId, track with { Visits = rest });
        }

        var ambiguities = state.Ambiguities
            .Select(a => a with { Candidates = a.Candidates.Remove(visitId) })
            .Where(a => !a.Candidates.IsEmpty)
            .ToImmutableListOrSame(state.Ambiguities);
        return DropAliasesOfRemovedTracks(state with
        {
            Visits = state.Visits.Remove(visitId),
            Tracks = tracks,
            Ambiguities = ambiguities,
            Admissions = state.Admissions.RemoveAll(a => a.VisitId == visitId),
        });
    }

    /// <summary>Drops tracks that belong to no visit and have left, or have not been seen for <paramref name="idleMs"/>.</summary>
    public static FusionState Prune(FusionState state, long nowMs, long idleMs)
    {
        ArgumentNullException.ThrowIfNull(state);
        var stale = state.Tracks.Values
            .Where(t => t.Visits.IsEmpty && (t.Exited || t.Last is null || nowMs - t.Last.TimeMs > idleMs))
            .Select(t => t.TrackId)
            .ToList();
        return stale.Count == 0 ? state : DropAliasesOfRemovedTracks(state with { Tracks = state.Tracks.RemoveRange(stale) });
    }

    private static FusionState DropAliasesOfRemovedTracks(FusionState state)
    {
        var dangling = state.Aliases.Where(a => !state.Tracks.ContainsKey(a.Value)).Select(a => a.Key).ToList();
        return dangling.Count == 0 ? state : state with { Aliases = state.Aliases.RemoveRange(dangling) };
    }

    private static System.Collections.Immutable.ImmutableList<T> ToImmutableListOrSame<T>(this IEnumerable<T> items, System.Collections.Immutable.ImmutableList<T> original)
    {
        var list = System.Collections.Immutable.ImmutableList.CreateRange(items);
        return list.Count == original.Count && list.SequenceEqual(original) ? original : list;
    }
}
