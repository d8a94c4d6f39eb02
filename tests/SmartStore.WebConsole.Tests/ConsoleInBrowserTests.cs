using Marten;
using Microsoft.Playwright;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Visits;
using SmartStore.ReadModels;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// The console in Debian's chromium through Playwright (never a downloaded browser): the first supervisor is set up
/// from the setup token, signs in and finds a receipt; the page breaks none of its content security policy.
/// Screenshots go to <c>artifacts/screenshots</c>.
/// </summary>
public sealed class ConsoleInBrowserTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private DocumentStore _store = null!;
    private ConsoleServer _console = null!;

    private static string Chromium =>
        new[] { Environment.GetEnvironmentVariable("SMARTSTORE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("Debian's chromium is not installed (apt-get install chromium; ./smartstore test does it) and SMARTSTORE_CHROMIUM names no browser");

    private static string Screenshots => Directory.CreateDirectory(Path.Combine(FaceData.RepositoryRoot, "artifacts", "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        _store = ReadModelStore.Open(await postgres.Server.CreateDatabaseAsync("console"));
        _console = await ConsoleServer.StartAsync(new ConsoleOptions(), _store);
    }

    public async Task DisposeAsync()
    {
        await _console.DisposeAsync();
        _store.Dispose();
    }

    [Fact]
    public async Task In_chromium_the_first_supervisor_is_set_up_signs_in_and_finds_a_receipt_without_breaking_the_csp()
    {
        await StoreReceiptAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };

        await page.GotoAsync(new Uri(_console.Address, "/setup").ToString());
        await page.FillAsync("input[name=Token]", _console.SetupToken!);
        await page.FillAsync("input[name=UserName]", "ada");
        await page.FillAsync("input[name=Password]", "correct horse battery");
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync("**/signin");
        await page.FillAsync("input[name=UserName]", "ada");
        await page.FillAsync("input[name=Password]", "correct horse battery");
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync("**/receipts");
        await page.FillAsync("input[name=payer]", "s-alice");
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/receipts\\?payer=s-alice"));

        Assert.Equal("2× Cola 330 ml", await page.InnerTextAsync("tbody tr td:nth-child(4)"));
        Assert.Contains("ada", await page.InnerTextAsync("header"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "console-receipts.png"), FullPage = true });
        await page.GotoAsync(new Uri(_console.Address, "/audit").ToString());
        Assert.Contains("first supervisor created", await page.InnerTextAsync("tbody"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "console-audit.png"), FullPage = true });
        Assert.Empty(violations);
    }

    private async Task StoreReceiptAsync()
    {
        var at = new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero);
        var receipt = new Receipt("EUR", [new ReceiptLine("drink-001", "Cola 330 ml", 2, 149, 298, "standard", [])], [], 298);
        var state = new IVisitEvent[]
        {
            new VisitOpened("v-1", "corner-01", "s-alice", 1, "gate-in", 0, null, 0, at),
            new VisitSettled(receipt, 60_000, at),
            new ReceiptIssued("paid", 298, "psp-1", at),
        }.Aggregate(VisitState.None("v-1"), VisitRules.Evolve);
        await using var session = _store.LightweightSession();
        session.Store(new VisitDocument("v-1", state, 1));
        await session.SaveChangesAsync();
    }
}
