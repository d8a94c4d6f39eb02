using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartStore.Simulator.Feeds;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>
/// <c>sim play</c> into <c>smartstore-node run</c> as a user runs them: the node a real process on a real Mosquitto,
/// its console on a real PostgreSQL; the feed's shoppers enrolled through the console's API with a token a
/// supervisor issued, the devices published over the broker. Every visit of the feed gets its receipt, and the same
/// feed played a second time is new traffic again (times, sequence numbers and tracks rebased), not duplicates.
/// </summary>
[Collection("console")]
#pragma warning disable CA1001 // The broker, the database server and the captured console go in DisposeAsync (xunit's IAsyncLifetime).
public sealed partial class PlayIntoRunningStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-play-");
    private MosquittoServer _broker = null!;
    private PostgresServer _postgres = null!;
    private NodeProcess? _node;

    private CapturedConsole? _console;

    private string NodeOutput => _node?.Output + "\nsim play printed:\n" + _console?.Printed;

    public async Task InitializeAsync()
    {
        // What the simulator prints goes where a failure message can show it.
        _console = new CapturedConsole();
        _broker = await MosquittoServer.StartAsync();
        _postgres = await PostgresServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        NodeProcess.KillAll();
        await _broker.DisposeAsync();
        await _postgres.DisposeAsync();
        _directory.Delete(recursive: true);
        _console?.Dispose();
    }

    [Fact]
    public async Task A_feed_played_into_a_running_store_enrols_its_shoppers_and_every_visit_gets_its_receipt_twice_over()
    {
        var feeds = Path.Combine(_directory.FullName, "feeds");
        Assert.Equal(0, await SimulatorCli.RunAsync(["generate", "--scenario", "normal", "--visits", "3", "--seed", "4", "--out", feeds]));
        var feed = Path.Combine(feeds, "normal-4.feed.jsonl");
        var truth = await GroundTruth.ReadAsync(Path.Combine(feeds, "normal-4.truth.json"));
        var charged = truth.Visits.Where(v => v.Total > 0).ToList();
        Assert.NotEmpty(charged);

        var (console, setupToken) = await StartNodeAsync(await _postgres.CreateDatabaseAsync("play"));
        var token = await IssueApiTokenAsync(console, setupToken);
        using var api = ConsoleClient.Api(console, token);

        // Refused before anything is sent: a token nobody was given (exit 2, bad input), nothing enrolled.
        Assert.Equal(2, await SimulatorCli.RunAsync(["play", "--feed", feed, "--broker", Broker, "--console", console.ToString(), "--token", "sst_not-a-token-anyone-was-given", "--speed", "max"]));
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync(new Uri($"/api/v1/shoppers/{truth.Shoppers[0].Id}", UriKind.Relative))).StatusCode);

        Assert.Equal(0, await SimulatorCli.RunAsync(["play", "--feed", feed, "--broker", Broker, "--console", console.ToString(), "--token", token, "--speed", "max"]));
        var first = await WaitForReceiptsAsync(api, charged.Count);
        foreach (var shopper in truth.Shoppers)
        {
            Assert.Equal(HttpStatusCode.OK, (await api.GetAsync(new Uri($"/api/v1/shoppers/{shopper.Id}", UriKind.Relative))).StatusCode);
        }

        // The same feed again: its shoppers are already enrolled, and its messages are new traffic, so every visit
        // is charged a second time (a play that reused the first play's sequence numbers would be all duplicates).
        Assert.Equal(0, await SimulatorCli.RunAsync(["play", "--feed", feed, "--broker", Broker, "--console", console.ToString(), "--token", token, "--speed", "max"]));
        var both = await WaitForReceiptsAsync(api, 2 * charged.Count);

        foreach (var visit in charged)
        {
            var totals = both.Where(r => r.Payer == visit.PayerId).Select(r => r.Total).ToList();
            Assert.True(totals.Count == 2 && totals.All(t => t == visit.Total), $"{visit.PayerId}: charged [{string.Join(", ", totals)}], took {visit.Total}; first play: {first.Count} receipts; node output:\n{NodeOutput}");
        }

        // A service manager's SIGTERM stops the store and its console gracefully.
        Assert.Equal(0, await _node!.StopAsync());
    }

    private string Broker => $"{_broker.Host}:{_broker.Port}";

    private async Task<(Uri Console, string SetupToken)> StartNodeAsync(string readModels)
    {
        var config = Path.Combine(_directory.FullName, "node.hocon");
        await File.WriteAllTextAsync(config, $$"""
            smartstore {
              journal {
                kind = sqlite
                sqlite-path = "{{Path.Combine(_directory.FullName, "journal.db")}}"
              }
              transport {
                kind = mqtt
                mqtt {
                  host = {{_broker.Host}}
                  port = {{_broker.Port}}
                  reconnect-delay = 200ms
                }
              }
            }
            """);
        _node = NodeProcess.Start(["run", "--config", config, "--layout", Path.Combine("store-layouts", "small-convenience.yaml"), "--console", "http://127.0.0.1:0", "--read-models", readModels], patience: Patience);
        var announced = await _node.WaitForLineAsync(ConsoleLine().ToString());
        return (new Uri(announced.Groups["url"].Value), announced.Groups["token"].Value);
    }

    /// <summary>As a supervisor does on the first start: the setup token makes the account, the Users page issues the token.</summary>
    private static async Task<string> IssueApiTokenAsync(Uri console, string setupToken)
    {
        const string password = "correct horse battery";
        using var browser = new ConsoleClient(console);
        var setup = await browser.PostFormAsync("/setup", new Dictionary<string, string> { ["Token"] = setupToken, ["UserName"] = "sam", ["Password"] = password });
        Assert.True(setup.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther, $"setup answered {setup.StatusCode}");
        Assert.Equal(HttpStatusCode.Redirect, await browser.SignInAsync("sam", password));
        var (issued, token) = await browser.IssueApiTokenAsync("sam");
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        return token;
    }

    private async Task<List<(string Payer, long Total)>> WaitForReceiptsAsync(HttpClient api, int count)
    {
        var clock = Stopwatch.StartNew();
        var receipts = new List<(string Payer, long Total)>();
        while (clock.Elapsed < Patience)
        {
            using var answer = await api.GetFromJsonAsync<JsonDocument>(new Uri("/api/v1/receipts", UriKind.Relative));
            receipts = [.. answer!.RootElement.EnumerateArray()
                .Where(v => v.GetProperty("receipt").ValueKind == JsonValueKind.Object)
                .Select(v => (v.GetProperty("payerId").GetString()!, v.GetProperty("receipt").GetProperty("total").GetInt64()))];
            if (receipts.Count >= count)
            {
                return receipts;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"{receipts.Count} of {count} receipts after {Patience.TotalSeconds} s; node output:\n{NodeOutput}");
        return receipts;
    }

    [GeneratedRegex(@"console (?<url>http://127\.0\.0\.1:\d+)/?: open \S+ and create the first supervisor with the one-time setup token (?<token>\S+)")]
    private static partial Regex ConsoleLine();

}
#pragma warning restore CA1001
