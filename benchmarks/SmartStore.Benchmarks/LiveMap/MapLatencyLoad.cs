using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SmartStore.Domain.Layouts;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.ReadModels;
using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Testing;
using SmartStore.WebConsole;
using SmartStore.WebConsole.Security;

namespace SmartStore.Benchmarks.LiveMap;

/// <summary>
/// The console's load run (issue 15), on a real node, PostgreSQL and Debian's chromium:
/// <list type="number">
/// <item>device message → visible on the live map while the busy hour plays at real time (a window of it): for
/// every camera observation sent, the first frame the page drew after it was sent in which that person is at that
/// sighting or a newer one. The baseline, measured from the same frames, is the map as it was before people were
/// drawn from the event-time buffer: a sighting shows once the floor's watermark has passed it.</item>
/// <item>the map with a crowd of about 50 people: the page's animation frames per second and the time to draw one
/// frame the hub sends.</item>
/// <item>the visits' projection into Marten while the whole busy hour replays as fast as possible: events
/// projected per second and how long after the last message it caught up, beside the same replay with no
/// projection (the baseline).</item>
/// </list>
/// </summary>
internal static class MapLatencyLoad
{
    private const string Password = "correct horse battery";

    public static async Task RunAsync(string[] args)
    {
        var minutes = BenchArguments.Number(args, 0, "the minutes to play", 3, 0.5, 60);
        var seed = BenchArguments.Int(args, 1, "the seed", 42, int.MinValue, int.MaxValue);

        var busy = Scenarios.Find("busy-hour")!;
        var medium = Load(busy.Layout);
        var hour = Scenarios.Generate(busy, medium, seed);
        await using var postgres = await PostgresServer.StartAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright);

        var window = Window(hour, (long)(minutes * 60_000));
        System.Console.WriteLine($"busy hour (seed {seed}): the first {minutes:0.#} minutes at real time, {window.Messages.Count:N0} device messages");
        var busyRun = await PlayOnMapAsync(window, hour.Truth, medium, postgres, browser);

        // About 50 people on the floor at once: the busy hour's visits arriving every 0.4 s and browsing 12 s a pick.
        var crowdSpec = busy with { Traffic = busy.Traffic with { Visits = 160, ArrivalEveryMs = 400, BrowseMs = 12_000 } };
        var crowd = Scenarios.Generate(crowdSpec, medium, seed);
        var crowdWindow = Window(crowd, Math.Min(crowd.Header.EndMs - crowd.Header.StartMs, (long)(minutes * 60_000)));
        System.Console.WriteLine($"crowd: {crowd.Truth.Visits.Count} visits arriving every 0.4 s, {crowdWindow.Messages.Count:N0} device messages at real time");
        var crowdRun = await PlayOnMapAsync(crowdWindow, crowd.Truth, medium, postgres, browser);

        System.Console.WriteLine("busy hour as fast as possible: once to warm up (not measured), then without and with the visits' projection into Marten");
        await ReplayRunner.RunAsync(hour.Header, hour.Messages, hour.Truth, medium, new ReplayOptions { SettleTimeout = TimeSpan.FromSeconds(30) });
        var plain = await ReplayRunner.RunAsync(hour.Header, hour.Messages, hour.Truth, medium, new ReplayOptions { SettleTimeout = TimeSpan.FromSeconds(30) });
        var projected = await ProjectAsync(hour, medium, postgres);

        System.Console.WriteLine();
        System.Console.WriteLine("| live map | frames | people on the map (median / max) | message → visible p50 / p95 / p99 | sightings shown | before: once the watermark passed, p50 / p95 / p99 | page frames/s | draw one frame p50 / p99 |");
        System.Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (name, run) in new[] { ($"busy hour, {minutes:0.#} min at real time", busyRun), ("crowd at real time", crowdRun) })
        {
            System.Console.WriteLine($"| {name} | {run.Frames:N0} | {run.PeopleMedian} / {run.PeopleMax} | {run.Lag.P50:0} / {run.Lag.P95:0} / {run.Lag.P99:0} ms | {run.Shown:N0} of {run.Sent:N0} | {run.Watermark.P50:0} / {run.Watermark.P95:0} / {run.Watermark.P99:0} ms | {run.AnimationFps:0} | {run.Draw.P50:0.0} / {run.Draw.P99:0.0} ms |");
        }

        System.Console.WriteLine();
        System.Console.WriteLine("| busy hour, as fast as possible | wall time | device messages/s | time vs no projection | visit events projected | read model complete after the last decision | rebuilt from the journal | events/s rebuilding |");
        System.Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        System.Console.WriteLine($"| no projection (baseline) | {plain.WallSeconds:0.0} s | {plain.MessagesPerSecond:N0} | 1.00× | — | — | — | — |");
        System.Console.WriteLine($"| projection into Marten | {projected.Outcome.WallSeconds:0.0} s | {projected.Outcome.MessagesPerSecond:N0} | {projected.Outcome.WallSeconds / plain.WallSeconds:0.00}× | {projected.Events:N0} | {projected.CatchUp.TotalMilliseconds:N0} ms | {projected.Rebuild.TotalMilliseconds:N0} ms | {projected.Events / projected.Rebuild.TotalSeconds:N0} |");
    }

    private static StoreLayout Load(string file) =>
        LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", file)), file);

    /// <summary>The feed's first <paramref name="length"/> ms of store time, with a header that ends there.</summary>
    private static GeneratedFeed Window(GeneratedFeed feed, long length)
    {
        var messages = feed.Messages.Where(m => m.At <= length).ToList();
        return feed with { Header = feed.Header with { EndMs = feed.Header.StartMs + length, Messages = messages.Count }, Messages = messages };
    }

    private static async Task<MapRun> PlayOnMapAsync(GeneratedFeed feed, GroundTruth truth, StoreLayout layout, PostgresServer postgres, IBrowser browser)
    {
        var database = await postgres.CreateDatabaseAsync("map");
        var started = DateTimeOffset.MinValue;
        IPage? page = null;
        JsonElement trace = default;
        var options = new ReplayOptions
        {
            Speed = 1,
            SettleTimeout = TimeSpan.FromSeconds(5),
            ClockStarted = at => started = at,
            Attach = async (node, ct) =>
            {
                var opened = await DemoConsole.OpenAsync(node, database, new ConsoleOptions(), ct);
                var console = opened.Server;
                var refused = await console.Services.GetRequiredService<OperatorDirectory>().CreateAsync("watcher", Password, OperatorRoles.Operator, "benchmark", ct);
                if (refused is not null)
                {
                    throw new InvalidOperationException(refused.Reason);
                }

                page = await Browsers.LaptopPageAsync(browser);
                await Browsers.SignInAsync(page, console.Address, "watcher", Password);
                await page.GotoAsync(new Uri(console.Address, "/map?trace").ToString());
                await page.WaitForFunctionAsync("() => window.smartstoreMap && window.smartstoreMap.connected");
                return opened;
            },
            BeforeStop = async _ => trace = await page!.EvaluateAsync<JsonElement>("() => window.smartstoreMap.samples"),
        };
        var progress = new Progress(feed.Messages.Count);
        await ReplayRunner.RunAsync(feed.Header, feed.Messages, truth, layout, options, progress.Report);
        await page!.CloseAsync();
        progress.Done();
        return MapRun.Measure(feed, started, trace);
    }

    /// <summary>
    /// The busy hour as fast as possible with the visits' projection running: how long after the last decision the
    /// read model had every event; then the projection built again from the whole journal into an empty database
    /// (its throughput, not held back by the replay's pace).
    /// </summary>
    private static async Task<ProjectionRun> ProjectAsync(GeneratedFeed hour, StoreLayout layout, PostgresServer postgres)
    {
        using var live = ReadModelStore.Open(await postgres.CreateDatabaseAsync("projection"));
        using var rebuilt = ReadModelStore.Open(await postgres.CreateDatabaseAsync("rebuild"));
        StoreNode? store = null;
        ReadModelFeed? feed = null;
        var run = new ProjectionRun(null!, 0, TimeSpan.Zero, TimeSpan.Zero);
        var options = new ReplayOptions
        {
            SettleTimeout = TimeSpan.FromSeconds(30),
            Attach = (node, _) =>
            {
                store = node;
                feed = ReadModelFeed.Start(node.System, new VisitReadModel(live));
                return Task.FromResult<IAsyncDisposable>(feed);
            },
            BeforeStop = async ct =>
            {
                // Caught up: nothing new projected for two seconds after the last decision.
                var clock = Stopwatch.StartNew();
                var last = feed!.Checkpoint;
                var changed = TimeSpan.Zero;
                while (clock.Elapsed - changed < TimeSpan.FromSeconds(2))
                {
                    await Task.Delay(20, ct);
                    if (feed.Checkpoint != last)
                    {
                        (last, changed) = (feed.Checkpoint, clock.Elapsed);
                    }
                }

                var rebuild = Stopwatch.StartNew();
                await using var again = ReadModelFeed.Start(store!.System, new VisitReadModel(rebuilt));
                using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
                patience.CancelAfter(TimeSpan.FromMinutes(5));
                await again.WaitUntilAsync(c => c.Events >= last.Events, patience.Token);
                run = run with { Events = last.Events, CatchUp = changed, Rebuild = rebuild.Elapsed };
            },
        };
        var outcome = await ReplayRunner.RunAsync(hour.Header, hour.Messages, hour.Truth, layout, options);
        return run with { Outcome = outcome };
    }

    private sealed record ProjectionRun(ReplayOutcome Outcome, long Events, TimeSpan CatchUp, TimeSpan Rebuild);

    /// <summary>A line that grows while the feed plays, so a run of minutes shows it is alive.</summary>
    private sealed class Progress(int total)
    {
        private int _shown;

        public void Report(long sent)
        {
            var tenths = (int)(sent * 40 / Math.Max(total, 1));
            for (; _shown < tenths; _shown++)
            {
                System.Console.Write('▮');
            }
        }

        public void Done() => System.Console.WriteLine($" {total:N0} sent");
    }
}

internal sealed record Spread(double P50, double P95, double P99)
{
    public static Spread Of(List<double> values)
    {
        if (values.Count == 0)
        {
            return new Spread(double.NaN, double.NaN, double.NaN);
        }

        values.Sort();
        double At(double p) => values[Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1)];
        return new Spread(At(0.50), At(0.95), At(0.99));
    }
}

/// <summary>What one real-time play measured on the page.</summary>
internal sealed record MapRun(int Frames, int PeopleMedian, int PeopleMax, int Sent, int Shown, Spread Lag, Spread Watermark, double AnimationFps, Spread Draw)
{
    private sealed record Frame(long At, Dictionary<string, long> Seen, long WatermarkMs, double DrawMs, long AnimationFrames);

    public static MapRun Measure(GeneratedFeed feed, DateTimeOffset started, JsonElement samples)
    {
        var frames = samples.EnumerateArray().Select(f => new Frame(
            f.GetProperty("at").GetInt64(),
            f.GetProperty("seen").EnumerateArray().ToDictionary(p => p[0].GetString()!, p => p[1].GetInt64(), StringComparer.Ordinal),
            f.GetProperty("watermarkMs").GetInt64(),
            f.GetProperty("drawMs").GetDouble(),
            f.GetProperty("animationFrames").GetInt64())).OrderBy(f => f.At).ToList();
        var begin = started.ToUnixTimeMilliseconds();

        // Each sighting (person, device time) once, sent at its first message (several cameras see one person).
        var sightings = new Dictionary<(string Track, long Ts), long>();
        foreach (var message in feed.Messages.Where(m => m.Topic.EndsWith("/observations", StringComparison.Ordinal)))
        {
            using var json = JsonDocument.Parse(message.Payload);
            if (json.RootElement.TryGetProperty("track", out var track) && json.RootElement.TryGetProperty("ts", out var ts))
            {
                var key = (track.GetString()!, ts.GetInt64());
                sightings[key] = Math.Min(sightings.GetValueOrDefault(key, long.MaxValue), begin + message.At);
            }
        }

        // The feed's last second is left out: the replay stops taking frames soon after it.
        var lastSent = begin + (feed.Header.EndMs - feed.Header.StartMs) - 1_000;
        var lags = new List<double>();
        var before = new List<double>();
        foreach (var ((track, ts), sentAt) in sightings.Where(s => s.Value <= lastSent))
        {
            var shown = frames.FirstOrDefault(f => f.At >= sentAt && f.Seen.TryGetValue(track, out var seen) && seen >= ts);
            if (shown is not null)
            {
                lags.Add(shown.At - sentAt);
            }

            var folded = frames.FirstOrDefault(f => f.At >= sentAt && f.Seen.ContainsKey(track) && f.WatermarkMs >= ts);
            if (folded is not null)
            {
                before.Add(folded.At - sentAt);
            }
        }

        var playing = frames.Where(f => f.At >= begin && f.At <= lastSent).ToList();
        var people = playing.Select(f => f.Seen.Count).Order().ToList();
        var fps = playing.Count > 1 ? (playing[^1].AnimationFrames - playing[0].AnimationFrames) * 1000.0 / (playing[^1].At - playing[0].At) : double.NaN;
        return new MapRun(
            playing.Count,
            people.Count == 0 ? 0 : people[people.Count / 2],
            people.Count == 0 ? 0 : people[^1],
            sightings.Count(s => s.Value <= lastSent),
            lags.Count,
            Spread.Of(lags),
            Spread.Of(before),
            fps,
            Spread.Of([.. playing.Select(f => f.DrawMs)]));
    }
}
