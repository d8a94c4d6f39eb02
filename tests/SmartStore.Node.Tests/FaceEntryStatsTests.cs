using SmartStore.Node.Health;
using SmartStore.Node.Hosting;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class FaceEntryStatsTests
{
    [Fact]
    public void Refusals_are_counted_by_reason_without_their_figures_and_latencies_give_percentiles()
    {
        var stats = new FaceEntryStats();
        stats.Refused("face too blurred: sharpness 12, at least 25 needed; look at the camera, or use the app code", TimeSpan.FromMilliseconds(30));
        stats.Refused("face too blurred: sharpness 14, at least 25 needed; look at the camera, or use the app code", TimeSpan.FromMilliseconds(40));
        stats.Refused("liveness: the face did not move (0.004 eye distances, at least 0.020); a photo held still", TimeSpan.FromMilliseconds(20));
        stats.Refused("2 faces at the gate: come through one at a time, or the payer starts a group entry", TimeSpan.FromMilliseconds(25));
        for (var i = 1; i <= 96; i++)
        {
            stats.Identified(TimeSpan.FromMilliseconds(i));
        }

        var summary = stats.Summary();
        Assert.Equal(2, summary.RefusedByReason["face too blurred"]);
        Assert.Equal(1, summary.RefusedByReason["liveness: the face did not move"]);
        Assert.Equal(1, summary.RefusedByReason["faces at the gate"]);
        Assert.Equal((96, 100), (summary.Identified, summary.Decisions));
        Assert.Equal(46, summary.P50Ms); // the 50th of the hundred: 1..46 and the four refusals
        Assert.Equal(95, summary.P99Ms);
    }

    [Fact]
    public void The_retained_health_report_carries_face_entry_through_json()
    {
        var stats = new FaceEntryStats();
        stats.Identified(TimeSpan.FromMilliseconds(42));
        var report = new HealthReport("corner-01", "node-1", DateTimeOffset.UnixEpoch, true, 1, 2, 2, 0, 2, 2, 0, 0, 0, new Dictionary<string, long>(), 0, null, 0, 1, 1, 0, 0, 0, 0, 0, new Dictionary<string, long>()) { Faces = stats.Summary() };
        var back = HealthReport.FromJson(report.ToJson())!;
        Assert.Equal(1, back.Faces!.Identified);
        Assert.Equal(42, back.Faces.P99Ms);
    }
}
