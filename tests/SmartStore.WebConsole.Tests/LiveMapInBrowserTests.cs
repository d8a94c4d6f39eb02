using Microsoft.Playwright;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Feeds;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// The live floor map in chromium against a real node: a shopper who comes in appears on the map as her visit,
/// moves as the cameras see her, and the bin she takes a cola from flashes; clicking her opens her visit and its
/// live cart. The page breaks none of the console's content security policy.
/// </summary>
public sealed class LiveMapInBrowserTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private StoreWithConsole _store = null!;

    public async Task InitializeAsync() =>
        _store = await StoreWithConsole.StartAsync(postgres, console: new ConsoleOptions { MapInterval = TimeSpan.FromMilliseconds(100) });

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_shopper_appears_on_the_map_moves_and_the_bin_she_picks_from_flashes()
    {
        await _store.Node.EnrolAsync("s-mia", "Mia Example", "face-template-mia-0001", "tok-mia-2222", DateTimeOffset.UtcNow);
        var feed = new ScriptedFeed(StoreWithConsole.Small, StoreWithConsole.Start);
        var t = StoreWithConsole.Start + 1_000;
        feed.Identify(t, "gate-in", "s-mia");
        t = feed.Enter(t + 600, "gate-in", "trk-mia");
        var arrived = feed.Wait(feed.WalkTo(t, "trk-mia", new Point(4.5, 3.2)), "trk-mia", 2_000);
        var end = feed.Wait(feed.Pick(arrived, "trk-mia", "shelf-01-l1b1", "drink-001"), "trk-mia", 3_000);
        var messages = feed.Build(end);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright);
        var page = await Browsers.LaptopPageAsync(browser);
        var violations = Browsers.CspViolations(page);
        await Browsers.SignInAsync(page, _store.Console.Address, "olga", StoreWithConsole.Password);
        await page.GotoAsync(new Uri(_store.Console.Address, "/map").ToString());
        await page.WaitForFunctionAsync("() => window.smartstoreMap && window.smartstoreMap.connected");
        Assert.Equal(StoreWithConsole.Small.Bins.Count(), await page.Locator("#floor-map [data-bin]").CountAsync());

        // Up to where she stands still mid-floor: she is on the map as her visit.
        await _store.PlayAsync([.. messages.Where(m => m.Ts <= arrived - 1_000)], arrived - 1_000);
        var mia = page.Locator("#floor-map [data-visit]");
        await mia.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        var standing = await mia.GetAttributeAsync("transform");
        Assert.Equal("s-mia", await mia.Locator("text").TextContentAsync());

        // Then she walks to the cola and takes one: she moves, and the bin flashes with the pick.
        await _store.PlayAsync([.. messages.Where(m => m.Ts > arrived - 1_000)], end);
        var bin = page.Locator("#floor-map [data-bin='shelf-01-l1b1'][data-last-change^='pick 1 drink-001']");
        await bin.WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000, State = WaitForSelectorState.Attached });
        Assert.NotEqual(standing, await mia.GetAttributeAsync("transform"));

        // The flash is seen, not only marked: the bin is drawn green (once its 0.3 s fade-in has run).
        await page.WaitForFunctionAsync("() => getComputedStyle(document.querySelector(\"#floor-map [data-bin='shelf-01-l1b1']\")).fill === 'rgb(45, 164, 78)'");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browsers.Screenshots, "console-live-map.png") });

        await mia.ClickAsync();
        await page.WaitForURLAsync("**/visits/**");
        Assert.Contains("Live cart", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Contains("took 1 from shelf-01-l1b1", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.Empty(violations);
    }
}
