using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>The command line as QA uses it: clear refusals, files written, exit codes a CI job can gate on.</summary>
[Collection("console")]
public sealed class CliTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-cli-");
    private readonly CapturedConsole _console = new();

    public void Dispose()
    {
        _console.Dispose();
        _directory.Delete(recursive: true);
    }

    private string Printed => _console.Printed;

    [Theory]
    [InlineData("generate --scenario no-such-thing", "Unknown scenario 'no-such-thing'")]
    [InlineData("generate --scenario normal --visits -3", "--visits must be between 0 and 100000")]
    [InlineData("replay --feed x.feed.jsonl --speed fast", "--speed must be 'max', 'realtime' or a factor")]
    [InlineData("replay --feed x.feed.jsonl --journal mysql://db", "--journal must be 'sqlite' or a PostgreSQL connection string")]
    [InlineData("replay --feed x.feed.jsonl --min-exact 99", "--min-exact is a fraction between 0 and 1")]
    [InlineData("replay", "--feed")]
    [InlineData("replay --feed x.feed.jsonl --transport mqtt", "--transport mqtt needs --broker host:port")]
    [InlineData("replay --feed x.feed.jsonl --transport mqtt --broker localhost:99999", "--broker must be host:port with a port between 1 and 65535, got 'localhost:99999'")]
    [InlineData("replay --feed x.feed.jsonl --broker localhost:1883", "--broker only goes with --transport mqtt")]
    [InlineData("replay --feed x.feed.jsonl --transport carrier-pigeon", "carrier-pigeon")]
    [InlineData("frobnicate", "frobnicate")]
    [InlineData("generate --scenario normal --seed abc", "Cannot parse argument 'abc' for option '--seed'")]
    [InlineData("replay --feed x.feed.jsonl --speed warp", "--speed must be 'max', 'realtime' or a factor between 0 and 10000, not 'warp'")]
    [InlineData("replay --feed x.feed.jsonl --min-exact 5", "--min-exact is a fraction between 0 and 1")]
    [InlineData("replay --feed x.feed.jsonl --max-wrong NaN", "--max-wrong is a fraction between 0 and 1")]
    [InlineData("report --outcome o.json --truth t.json --min-rate 0", "--min-rate is a number of messages per second above 0, not 0")]
    [InlineData("list-scenarios --bogus", "--bogus")]
    [InlineData("faces pairs.csv --threshold 2", "--threshold is a cosine similarity between -1 and 1")]
    [InlineData("face-entry --walks 0", "--walks must be 1 to 100")]
    public async Task Bad_arguments_exit_with_two_and_say_why_on_stderr(string arguments, string message)
    {
        var code = await SimulatorCli.RunAsync(arguments.Split(' '));

        // Two, not the one System.CommandLine gives a parse error: one is a threshold not met.
        Assert.Equal(2, code);
        Assert.Contains(message, _console.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Usage:", _console.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Asking_for_help_is_no_error()
    {
        var code = await SimulatorCli.RunAsync(["replay", "--help"]);

        Assert.Equal(0, code);
        Assert.Contains("--min-exact", _console.Out, StringComparison.Ordinal);
        Assert.Empty(_console.Error);
    }

    [Fact]
    public async Task A_missing_feed_file_is_named_and_exits_with_two()
    {
        var code = await SimulatorCli.RunAsync(["replay", "--feed", Path.Combine(_directory.FullName, "nope.feed.jsonl")]);

        Assert.Equal(2, code);
        Assert.Contains("nope.feed.jsonl", Printed, StringComparison.Ordinal);
        Assert.Contains("no such file", Printed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Generate_replay_and_report_write_their_files_and_thresholds_set_the_exit_code()
    {
        var feeds = Path.Combine(_directory.FullName, "feeds");
        var reports = Path.Combine(_directory.FullName, "reports");

        var generated = await SimulatorCli.RunAsync(["generate", "--scenario", "normal", "--visits", "3", "--seed", "4", "--out", feeds]);
        var feed = Path.Combine(feeds, "normal-4.feed.jsonl");
        var replayed = await SimulatorCli.RunAsync(["replay", "--feed", feed, "--out", reports, "--max-wrong", "0"]);
        var missed = await SimulatorCli.RunAsync(["replay", "--feed", feed, "--out", Path.Combine(_directory.FullName, "missed"), "--min-rate", "1e12"]);
        var impossible = await SimulatorCli.RunAsync(["report", "--outcome", Path.Combine(reports, "outcome.json"), "--truth", Path.Combine(feeds, "normal-4.truth.json"), "--out", reports, "--min-rate", "1e12"]);

        Assert.Equal(0, generated);
        Assert.Equal(0, replayed);
        Assert.Equal(1, missed);
        Assert.Equal(1, impossible);
        Assert.True(File.Exists(Path.Combine(reports, "report.html")));
        Assert.True(File.Exists(Path.Combine(reports, "report.json")));
        Assert.Contains("threshold not met: throughput", Printed, StringComparison.Ordinal);
    }
}

[CollectionDefinition("console", DisableParallelization = true)]
public sealed class ConsoleCollection;
