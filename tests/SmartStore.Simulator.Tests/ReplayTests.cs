using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Simulator.Tests;

[CollectionDefinition("postgres")]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>;

/// <summary>Feeds replayed through a real node: every preset, the regression suite, and PostgreSQL.</summary>
[Collection("postgres")]
public sealed class ReplayTests(PostgresFixture postgres)
{
    public static TheoryData<string> Presets => [.. Scenarios.Presets.Select(p => p.Name)];

    private static async Task<ScoreReport> ReplayAsync(GeneratedFeed generated, ReplayOptions? options = null)
    {
        var layout = GeneratorAndFeedTests.Load(Scenarios.Find(generated.Header.Scenario)!.Layout);
        var outcome = await ReplayRunner.RunAsync(generated.Header, generated.Messages, generated.Truth, layout, options ?? new ReplayOptions { SettleTimeout = TimeSpan.FromSeconds(20) });
        return Scoring.Score(generated.Truth, outcome);
    }

    [Theory]
    [MemberData(nameof(Presets))]
    public async Task Every_preset_replays_through_the_node_into_a_report(string preset)
    {
        var spec = Scenarios.Find(preset)!;

        // Kept small for the test run; the benchmark plays the full presets.
        var generated = Scenarios.Generate(spec, GeneratorAndFeedTests.Load(spec.Layout), 5, visits: Math.Min(spec.Traffic.Visits, 6));
        var report = await ReplayAsync(generated);

        Assert.Equal(generated.Truth.Visits.Count, report.Visits);
        Assert.Equal(generated.Messages.Count, report.Messages);
        Assert.Equal(report.Messages, report.Accepted + report.Duplicates + report.Late + report.Rejected);
        Assert.Equal(0, report.Rejected);
        Assert.True(report.Exact + report.Review + report.WrongCharges + report.NotSettled == report.Visits);
        Assert.Equal(generated.Truth.Denials.Count, report.Denied);
        Assert.Equal(generated.Truth.Tailgaters, report.TailgatingAlerts);
        Assert.Contains("<svg", ReportFiles.Html(report), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ordinary_traffic_comes_out_exact_and_charges_nobody_wrongly()
    {
        var generated = Scenarios.Generate(Scenarios.Find("normal")!, GeneratorAndFeedTests.Small, 11, visits: 15);

        var report = await ReplayAsync(generated);

        Assert.Equal(0, report.WrongCharges);
        Assert.True(report.ExactReceiptRate >= 0.9, $"exact receipts {report.ExactReceiptRate:P1}");
    }

    [Fact]
    public async Task A_replay_on_postgresql_decides_like_one_on_sqlite()
    {
        var generated = Scenarios.Generate(Scenarios.Find("busy-small")!, GeneratorAndFeedTests.Small, 9, visits: 6);
        var database = await postgres.Server.CreateDatabaseAsync("replay");

        var onSqlite = await ReplayAsync(generated);
        var onPostgres = await ReplayAsync(generated, new ReplayOptions { Journal = database, SettleTimeout = TimeSpan.FromSeconds(20) });

        Assert.Equal("postgresql", onPostgres.Journal);
        Assert.Empty(RegressionExpectation.From(onSqlite).Compare(onPostgres));
    }

    [Fact]
    public async Task A_replay_through_a_real_broker_decides_like_one_in_process()
    {
        var generated = Scenarios.Generate(Scenarios.Find("busy-small")!, GeneratorAndFeedTests.Small, 9, visits: 6);
        await using var broker = await MosquittoServer.StartAsync();

        var inProcess = await ReplayAsync(generated);
        var overMqtt = await ReplayAsync(generated, new ReplayOptions { Broker = $"{broker.Host}:{broker.Port}", SettleTimeout = TimeSpan.FromSeconds(20) });

        Assert.Equal("sqlite over MQTT", overMqtt.Journal);
        Assert.Equal(generated.Messages.Count, overMqtt.Accepted + overMqtt.Duplicates + overMqtt.Late + overMqtt.Rejected);
        Assert.Empty(RegressionExpectation.From(inProcess).Compare(overMqtt));
        Assert.Equal(generated.Truth.Denials.Count, overMqtt.Denied);
    }

    [Fact]
    public async Task A_replay_through_the_embedded_broker_decides_like_one_in_process()
    {
        var generated = Scenarios.Generate(Scenarios.Find("busy-small")!, GeneratorAndFeedTests.Small, 9, visits: 6);

        var inProcess = await ReplayAsync(generated);
        var overEmbedded = await ReplayAsync(generated, new ReplayOptions { EmbeddedBroker = true, SettleTimeout = TimeSpan.FromSeconds(20) });

        Assert.Equal("sqlite over MQTT (embedded broker)", overEmbedded.Journal);
        Assert.Equal(generated.Messages.Count, overEmbedded.Accepted + overEmbedded.Duplicates + overEmbedded.Late + overEmbedded.Rejected);
        Assert.Empty(RegressionExpectation.From(inProcess).Compare(overEmbedded));
        Assert.Equal(generated.Truth.Denials.Count, overEmbedded.Denied);
    }

    public static TheoryData<string> Recorded => [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "regression"), "*.expected.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Recorded))]
    public async Task A_recorded_regression_scenario_still_comes_out_as_recorded(string expectation)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "regression");
        var name = expectation[..^".expected.json".Length];
        var expected = await RegressionExpectation.ReadAsync(Path.Combine(folder, expectation));
        var problems = new List<FeedProblem>();
        var (header, messages) = await FeedFile.ReadAsync(Path.Combine(folder, name + ".feed.jsonl.gz"), BadLinePolicy.Reject, problems);
        var truth = await GroundTruth.ReadAsync(Path.Combine(folder, name + ".truth.json"));

        var report = await ReplayAsync(new GeneratedFeed(header, messages, truth));

        Assert.Empty(expected.Compare(report));
        Assert.Equal((expected.Exact, expected.Review, expected.WrongCharges), (report.Exact, report.Review, report.WrongCharges));
    }
}
