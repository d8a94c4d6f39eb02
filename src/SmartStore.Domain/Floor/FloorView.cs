using SmartStore.Domain.Fusion;

namespace SmartStore.Domain.Floor;

/// <summary>The floor at a glance, for the health summary, the console and tests.</summary>
public sealed record FloorView(long WatermarkMs, int VisitsInside, int VisitsExited, int Tracks, int PendingInputs, int PendingChanges, int OpenAmbiguities, IReadOnlyList<Visit> Visits)
{
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
            [.. fusion.Visits.Values]);
    }
}
