using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Reports;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>A feed generated on a layout of one's own carries that layout: it replays without naming it again.</summary>
[Collection("console")]
public sealed class CustomLayoutFeedTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-custom-layout-");
    private readonly CapturedConsole _console = new();

    public void Dispose()
    {
        _console.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task A_feed_generated_with_a_custom_layout_replays_without_layout_even_after_the_file_is_gone()
    {
        // The small store under another id: the preset's own layout (what the header used to name) is then the
        // wrong store, and the replay refuses it.
        var shipped = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml"));
        var custom = shipped.Replace("id: corner-01", "id: corner-custom", StringComparison.Ordinal);
        Assert.NotEqual(shipped, custom);
        var layoutPath = Path.Combine(_directory.FullName, "my-corner.yaml");
        await File.WriteAllTextAsync(layoutPath, custom);
        var feeds = Path.Combine(_directory.FullName, "feeds");
        var reports = Path.Combine(_directory.FullName, "reports");

        var generated = await SimulatorCli.RunAsync(["generate", "--scenario", "normal", "--visits", "3", "--seed", "4", "--layout", layoutPath, "--out", feeds]);
        var feed = Path.Combine(feeds, "normal-4.feed.jsonl");
        var (header, _) = await FeedFile.ReadAsync(feed, BadLinePolicy.Reject, []);
        File.Delete(layoutPath);
        var replayed = await SimulatorCli.RunAsync(["replay", "--feed", feed, "--out", reports]);

        Assert.Equal(0, generated);
        Assert.Equal(("corner-custom", layoutPath, custom), (header.Store, header.Layout, header.LayoutDefinition));
        Assert.True(replayed == 0, _console.Out);
        var report = await ReportFiles.ReadJsonAsync(Path.Combine(reports, "report.json"));
        Assert.Equal("corner-custom", report.Store);
        Assert.Equal(3, report.Visits);
    }

    [Fact]
    public async Task A_layout_given_at_replay_still_wins_over_the_recorded_one()
    {
        var feeds = Path.Combine(_directory.FullName, "feeds");
        var generated = await SimulatorCli.RunAsync(["generate", "--scenario", "normal", "--visits", "2", "--seed", "4", "--out", feeds]);
        var kiosk = Path.Combine(AppContext.BaseDirectory, "store-layouts", "narrow-kiosk.yaml");

        var replayed = await SimulatorCli.RunAsync(["replay", "--feed", Path.Combine(feeds, "normal-4.feed.jsonl"), "--layout", kiosk, "--out", Path.Combine(_directory.FullName, "reports")]);

        Assert.Equal(0, generated);
        Assert.NotEqual(0, replayed);
        Assert.Contains("'corner-01'", _console.Out, StringComparison.Ordinal);
    }
}
