using Microsoft.Playwright;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// The console in Debian's chromium through Playwright (never a downloaded browser): the first supervisor is set up
/// from the setup token, signs in and finds a receipt; the page breaks none of its content security policy.
/// Screenshots go to <c>artifacts/screenshots</c>.
/// </summary>
public sealed class ConsoleInBrowserTests(PostgresFixture postgres) : ConsoleOnPostgres(postgres), IClassFixture<PostgresFixture>
{
    private static string Chromium =>
        new[] { Environment.GetEnvironmentVariable("SMARTSTORE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("Debian's chromium is not installed (apt-get install chromium; ./smartstore test does it) and SMARTSTORE_CHROMIUM names no browser");

    private static string Screenshots => Directory.CreateDirectory(Path.Combine(FaceData.RepositoryRoot, "artifacts", "screenshots")).FullName;

    [Fact]
    public async Task In_chromium_the_first_supervisor_is_set_up_signs_in_and_finds_a_receipt_without_breaking_the_csp()
    {
        await StorePaidVisitAsync();
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

        await page.GotoAsync(new Uri(Console.Address, "/setup").ToString());
        await page.FillAsync("input[name=Token]", Console.SetupToken!);
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
        await page.GotoAsync(new Uri(Console.Address, "/audit").ToString());
        Assert.Contains("first supervisor created", await page.InnerTextAsync("tbody"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "console-audit.png"), FullPage = true });
        Assert.Empty(violations);
    }
}
