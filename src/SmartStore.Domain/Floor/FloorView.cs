using SmartStore.Domain.Fusion;

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
            People =
            [
                .. fusion.Tracks.Values
                    .Where(t => !t.Exited && t.Last is not null)
                    .Select(t => new PersonOnFloor(t.TrackId, t.Last!.Body.X, t.Last.Body.Y, t.Last.TimeMs, t.Visits.Count == 1 && !t.Doubtful ? t.Visits.First() : null, t.Doubtful || t.Visits.Count > 1)),
            ],
            SilentBins = [.. fusion.SilentBins.Order(StringComparer.Ordinal)],
        };
    }
}
