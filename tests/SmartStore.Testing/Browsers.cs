using Microsoft.Playwright;

namespace SmartStore.Testing;

/// <summary>Debian's chromium through Playwright (never a downloaded browser), on a laptop-sized page: for the console's browser tests and the map benchmark.</summary>
public static class Browsers
{
    public static string Chromium =>
        new[] { Environment.GetEnvironmentVariable("SMARTSTORE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("Debian's chromium is not installed (apt-get install chromium; ./smartstore test does it) and SMARTSTORE_CHROMIUM names no browser");

    public static string Screenshots => Directory.CreateDirectory(Path.Combine(FaceData.RepositoryRoot, "artifacts", "screenshots")).FullName;

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });

    /// <summary>
    /// A page the size of a laptop screen. Its waits allow 60 s rather than Playwright's 30: on a machine that has
    /// just installed chromium its first pages build the font cache while the node and PostgreSQL share two cores.
    /// </summary>
    public static async Task<IPage> LaptopPageAsync(IBrowser browser)
    {
        ArgumentNullException.ThrowIfNull(browser);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 768 } });
        page.SetDefaultTimeout(60_000);
        return page;
    }

    /// <summary>What the page's console says about breaking the content security policy, collected from now on.</summary>
    public static List<string> CspViolations(IPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                violations.Add(message.Text);
            }
        };
        return violations;
    }

    public static async Task SignInAsync(IPage page, Uri console, string user, string password)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync(new Uri(console, "/signin").ToString());
        await page.FillAsync("input[name=UserName]", user);
        await page.FillAsync("input[name=Password]", password);
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync("**/receipts");
    }
}
