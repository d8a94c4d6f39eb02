using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using SmartStore.Domain.Visits;
using SmartStore.Node.Feeds;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// Two shoppers reach into the cola bin at the same moment and one cola goes: a real node cannot tell who took it
/// and sends both carts to review. What the operator then sees comes all the way from the devices: the shelf's own
/// readings around the change (kept by the shelf, stored with the change, carried by the visit into its read model)
/// drawn as a chart, and both shoppers with their scores and where the cameras placed their hands.
/// </summary>
public sealed partial class ReviewEvidenceTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string ColaBin = "shelf-01-l1b1";
    private StoreWithConsole _store = null!;

    public async Task InitializeAsync()
    {
        _store = await StoreWithConsole.StartAsync(postgres);
        await _store.Node.EnrolAsync("s-ana", "Ana Example", "face-template-ana-0001", "tok-ana-1111", DateTimeOffset.UtcNow);
        await _store.Node.EnrolAsync("s-ben", "Ben Example", "face-template-ben-0001", "tok-ben-2222", DateTimeOffset.UtcNow);
        var feed = new ScriptedFeed(StoreWithConsole.Small, StoreWithConsole.Start);
        var t = StoreWithConsole.Start + 1_000;
        feed.Identify(t, "gate-in", "s-ana");
        t = feed.Enter(t + 600, "gate-in", "trk-ana");
        feed.Identify(t + 400, "gate-in", "s-ben");
        t = feed.Enter(t + 1_000, "gate-in", "trk-ben");

        // Side by side at the bin, both hands in it; one cola leaves it.
        var done = feed.Pick(t, "trk-ana", ColaBin, DemoScenario.Cola);
        feed.PutBack(t, "trk-ben", ColaBin, DemoScenario.Cola, units: 0);
        t = feed.Leave(done, "gate-out", "trk-ana");
        t = feed.Leave(t, "gate-out", "trk-ben");
        await _store.PlayAsync(feed.Build(t + 1_000), t + 1_000);
        using var timeout = new CancellationTokenSource(StoreWithConsole.Patience);
        await _store.Node.Receipts.WaitForDecidedAsync(2, timeout.Token);
        await _store.WaitForReadModelAsync(async queries => (await queries.ReviewQueueAsync(10, CancellationToken.None)).Count == 2);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task Both_carts_in_review_carry_the_shelfs_trace_of_the_change_and_both_candidates_where_the_cameras_saw_them()
    {
        var queries = new ReadModels.VisitQueries(_store.Store);
        var queue = await queries.ReviewQueueAsync(10, CancellationToken.None);

        Assert.Equal(["s-ana", "s-ben"], queue.Select(v => v.PayerId).Order(StringComparer.Ordinal));
        foreach (var visit in queue)
        {
            var review = Assert.Single(visit.State.ChangeReviews);
            Assert.StartsWith("ambiguous pick", review.Reason, StringComparison.Ordinal);
            Assert.Contains(review.Reason, visit.State.ReviewReasons);
            Assert.Equal(ColaBin, review.BinId);

            // The trace is the cell's own readings: it starts before the change, ends after it, and falls by a cola.
            var trace = review.Trace!;
            Assert.True(trace.Grams.Length >= 8, $"{trace.Grams.Length} points");
            Assert.True(trace.StartMs < review.FromMs && trace.EndMs > review.ToMs, $"trace {trace.StartMs}..{trace.EndMs}, change {review.FromMs}..{review.ToMs}");
            Assert.InRange(trace.Grams[0] - trace.Grams[^1], 340, 360);

            Assert.Equal(queue.Select(v => (v.Id, v.PayerId)).Order(), review.Candidates.Select(c => (c.VisitId, c.PayerId)).Order());
            var bin = StoreWithConsole.Small.FindBin(ColaBin)!;
            Assert.All(review.Candidates, c =>
            {
                Assert.True(c.HandsInBin > 0 && c.Score > 0, $"{c.VisitId}: {c.HandsInBin} hands, score {c.Score}");
                Assert.InRange(bin.Area.DistanceTo(c.Hand!.Value), 0, 0.1);
                Assert.Contains($"{c.VisitId} {c.Score.ToString("0.00", CultureInfo.InvariantCulture)}", review.Reason, StringComparison.Ordinal);
            });
        }

        using var olga = await _store.SignedInAsync("olga");
        var response = await olga.GetAsync("/reviews");
        var page = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, WeightTraceChart().Count(page));
        var points = Polyline().Match(page).Groups["points"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(queue[0].State.ChangeReviews[0].Trace!.Grams.Length, points.Length);
        foreach (var visit in queue)
        {
            Assert.Contains($"data-candidate=\"{visit.Id}\"", page, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task In_chromium_the_review_page_draws_the_trace_inside_its_chart_and_lists_the_candidates()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright);
        var page = await Browsers.LaptopPageAsync(browser);
        var violations = Browsers.CspViolations(page);
        await Browsers.SignInAsync(page, _store.Console.Address, "olga", StoreWithConsole.Password);
        await page.GotoAsync(new Uri(_store.Console.Address, "/reviews").ToString());

        var chart = page.Locator("svg.weight-trace").First;
        var line = chart.Locator("polyline.trace");
        var window = chart.Locator("rect.window");
        var (chartBox, lineBox, windowBox) = (await chart.BoundingBoxAsync(), await line.BoundingBoxAsync(), await window.BoundingBoxAsync());
        Assert.NotNull(chartBox);
        Assert.NotNull(lineBox);
        Assert.NotNull(windowBox);

        // Drawn, not merely present: the line spans most of the chart's width and stays inside it; the change's band lies within the line's span.
        Assert.True(lineBox.Width > chartBox.Width * 0.6, $"line {lineBox.Width} of {chartBox.Width}");
        Assert.True(lineBox.Height > 10, $"line height {lineBox.Height}");
        Assert.True(lineBox.X >= chartBox.X && lineBox.X + lineBox.Width <= chartBox.X + chartBox.Width + 0.5);
        Assert.True(windowBox.X > lineBox.X && windowBox.X + windowBox.Width < lineBox.X + lineBox.Width);
        Assert.Equal(4, await page.Locator("table.candidates tbody tr").CountAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browsers.Screenshots, "console-review.png"), FullPage = true });
        Assert.Empty(violations);
    }

    [GeneratedRegex("<svg class=\"weight-trace\"")]
    private static partial Regex WeightTraceChart();

    [GeneratedRegex("<polyline class=\"trace\" points=\"(?<points>[^\"]*)\"")]
    private static partial Regex Polyline();
}
