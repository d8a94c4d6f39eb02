using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Floor;

/// <summary>
/// A person the cameras see on the floor, where they were last seen: the visit their track belongs to when that
/// is clear (null for an unknown person or a track in doubt between several visits).
/// </summary>
public sealed record PersonOnFloor(string TrackId, double X, double Y, long SeenMs, string? VisitId, bool Doubtful);

/// <summary>The floor at a glance, for the health summary, the console and tests.</summary>
public sealed record FloorView(long WatermarkMs, int VisitsInside, int VisitsExited, int Tracks, int PendingInputs, int PendingChanges, int OpenAmbiguities, IReadOnlyList<Visit> Visits)
{
    /// <summary>The people inside, by track: what the live map draws.</summary>
    public IReadOnlyList<PersonOnFloor> People { get; init; } = [];

    /// <summary>Bins whose load cell has gone silent: picks there cannot be weighed until it speaks again.</summary>
    public IReadOnlyList<string> SilentBins { get; init; } = [];

    public static FloorView Of(FloorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var fusion = state.Fusion;
        return new FloorView(
            state.WatermarkMs,
            fusion.Visits.Values.Count(v => v.Status == VisitStatus.Inside),
            fusion.Visits.Values.Count(v => v.Status == VisitStatus.Exited),
            fusion.Tracks.Count,
            state.Buffer.Pending.Count,
            fusion.PendingChanges.Count,
            fusion.Ambiguities.Count,
            [.. fusion.Visits.Values])
        {
            People = PeopleOf(state),
            SilentBins = [.. fusion.SilentBins.Order(StringComparer.Ordinal)],
        };
    }

    /// <summary>Closer than this to someone drawn, a track fusion has not folded yet is taken for them (fusion's own same-person radius).</summary>
    private static readonly double SamePersonRadius = new FusionSettings().SamePersonRadius;

    // Sightings wait in the event-time buffer for the lateness bound before fusion folds them; the map should not
    // lag the cameras by that much. A person the floor already tracks is drawn at their newest sighting, folded or
    // not; who they are (the visit) is only what fusion has decided. Someone the floor does not track yet (just
    // through the gate, or a tailgater) is drawn at once as nobody's, unless a drawn person stands right there:
    // that is most likely a second camera's id for them, which fusion will merge, and drawing it would be a ghost.
    private static List<PersonOnFloor> PeopleOf(FloorState state)
    {
        var fusion = state.Fusion;
        var newest = new Dictionary<string, PersonSeen>(StringComparer.Ordinal);
        foreach (var seen in state.Buffer.Pending.OfType<PersonSeen>())
        {
            var track = fusion.Resolve(seen.TrackId);
            if (!newest.TryGetValue(track, out var known) || known.DeviceTimeMs < seen.DeviceTimeMs)
            {
                newest[track] = seen;
            }
        }

        var people = new List<PersonOnFloor>();
        foreach (var track in fusion.Tracks.Values)
        {
            if (track.Exited || track.Last is not { } last)
            {
                continue;
            }

            var (x, y, at) = newest.TryGetValue(track.TrackId, out var pending) && pending.DeviceTimeMs > last.TimeMs
                ? (pending.Body.X, pending.Body.Y, pending.DeviceTimeMs)
                : (last.Body.X, last.Body.Y, last.TimeMs);
            var doubtful = track.Doubtful || track.Visits.Count > 1;
            people.Add(new PersonOnFloor(track.TrackId, x, y, at, track.Visits.Count == 1 && !doubtful ? track.Visits.First() : null, doubtful));
        }

        foreach (var (trackId, seen) in newest.OrderBy(n => n.Value.DeviceTimeMs))
        {
            if (!fusion.Tracks.ContainsKey(trackId) && !people.Any(p => seen.Body.DistanceTo(new Point(p.X, p.Y)) <= SamePersonRadius))
            {
                people.Add(new PersonOnFloor(trackId, seen.Body.X, seen.Body.Y, seen.DeviceTimeMs, null, false));
            }
        }

        return people;
    }
}
