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
    [Fact]
    public async Task In_chromium_the_first_supervisor_is_set_up_signs_in_and_finds_a_receipt_without_breaking_the_csp()
    {
        await StorePaidVisitAsync();
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Browsers.LaunchAsync(playwright);
        var page = await Browsers.LaptopPageAsync(browser);
        var violations = Browsers.CspViolations(page);

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
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browsers.Screenshots, "console-receipts.png"), FullPage = true });
        await page.GotoAsync(new Uri(Console.Address, "/audit").ToString());
        Assert.Contains("first supervisor created", await page.InnerTextAsync("tbody"), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browsers.Screenshots, "console-audit.png"), FullPage = true });
        Assert.Empty(violations);
    }
}
