using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Generation;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>The demo command as ./smartstore demo runs it (without the console, as fast as the node takes the feed).</summary>
[Collection("console")]
public sealed class DemoCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-demo-");
    private readonly CapturedConsole _console = new();

    public void Dispose()
    {
        _console.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task The_banner_states_the_visits_of_the_generated_feed_the_summary_counts()
    {
        var code = await SimulatorCli.RunAsync(["demo", "--speed", "max", "--console-db", string.Empty, "--out", _directory.FullName]);

        var printed = _console.Out;
        Assert.True(code == 0, printed);
        var truth = await GroundTruth.ReadAsync(Path.Combine(_directory.FullName, "busy-small-42.truth.json"));
        var ordinary = Scenarios.Find("busy-small")!.Traffic.Visits;
        Assert.True(truth.Visits.Count > ordinary, "the hard-case episodes bring visits of their own");
        var banner = printed.IndexOf($"{truth.Visits.Count} visits ({ordinary} ordinary, {truth.Visits.Count - ordinary} in the hard-case episodes)", StringComparison.Ordinal);
        var summary = printed.IndexOf($"busy-small: {truth.Visits.Count} visits", StringComparison.Ordinal);
        Assert.True(banner >= 0 && summary > banner, printed);

        // The main job goes through MQTT, on the broker it starts itself.
        Assert.Contains("over MQTT (embedded broker)", printed, StringComparison.Ordinal);
    }
}
