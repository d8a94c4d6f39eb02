using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SmartStore.WebConsole.Security;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// The console on a real Kestrel and a real PostgreSQL, asked as a browser asks: the first supervisor only from
/// the setup token, wrong passwords refused and throttled, every page behind sign-in and its role, forms refused
/// without their antiforgery token, the security headers, and hostile input shown as text.
/// </summary>
public sealed class ConsoleSecurityTests(PostgresFixture postgres) : ConsoleOnPostgres(postgres), IClassFixture<PostgresFixture>
{
    private const string Password = "correct horse battery";
    [Fact]
    public async Task The_first_supervisor_comes_only_from_the_one_time_setup_token_and_the_token_works_once()
    {
        using var browser = new ConsoleClient(Console.Address);
        Assert.NotNull(Console.SetupToken);

        var wrongToken = await Setup(browser, "not-the-token", "ada", Password);
        var shortPassword = await Setup(browser, Console.SetupToken!, "ada", "short");
        var done = await Setup(browser, Console.SetupToken!, "ada", Password);
        // Once done, the page has no form; a post made with a token from another page is refused all the same.
        var again = await browser.PostFormAsync("/setup", new Dictionary<string, string> { ["Token"] = Console.SetupToken!, ["UserName"] = "eve", ["Password"] = Password }, formPage: "/signin");

        Assert.Equal(HttpStatusCode.BadRequest, wrongToken.StatusCode);
        Assert.Contains("not the one this node printed", await wrongToken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("at least 12 characters", await shortPassword.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Redirect, "/signin"), (done.StatusCode, done.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("Setup is done", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, await browser.SignInAsync("ada", Password));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/audit")).StatusCode);

        // A console started again on the same store has a supervisor: it prints no token.
        await using var restarted = await ConsoleServer.StartAsync(new ConsoleOptions(), Store);
        Assert.Null(restarted.SetupToken);
    }

    [Fact]
    public async Task Wrong_passwords_are_refused_and_past_five_attempts_a_minute_even_the_right_one_is_throttled()
    {
        using var browser = new ConsoleClient(Console.Address);
        await CreateAsync("ben", OperatorRoles.Operator);

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await browser.SignInAsync("ben", "wrong password " + i));
        }

        answers.Add(await browser.SignInAsync("ben", Password));

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests], answers);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/receipts")).StatusCode);
        var audit = await Console.Services.GetRequiredService<SmartStore.WebConsole.Audit.AuditLog>().NewestAsync(10, CancellationToken.None);
        Assert.Equal(5, audit.Count(e => e.Action == "sign-in refused" && e.Actor == "ben"));
        Assert.Single(audit, e => e.Action == "sign-in throttled");
    }

    [Fact]
    public async Task Every_page_needs_a_signed_in_operator_and_each_role_opens_only_what_it_may()
    {
        await CreateAsync("olga", OperatorRoles.Operator);
        await CreateAsync("aldo", OperatorRoles.Auditor);
        await CreateAsync("sue", OperatorRoles.Supervisor);
        using var anonymous = new ConsoleClient(Console.Address);
        var toSignIn = await anonymous.GetAsync("/reviews");
        Assert.Equal(HttpStatusCode.Redirect, toSignIn.StatusCode);
        Assert.StartsWith("/signin", toSignIn.Headers.Location!.AbsolutePath, StringComparison.Ordinal);

        var allowed = new Dictionary<string, string[]>
        {
            ["olga"] = ["/map", "/receipts", "/devices", "/reviews", "/shoppers"],
            ["aldo"] = ["/map", "/receipts", "/devices", "/audit"],
            ["sue"] = ["/map", "/receipts", "/devices", "/reviews", "/shoppers", "/users", "/audit"],
        };
        foreach (var (user, pages) in allowed)
        {
            using var browser = new ConsoleClient(Console.Address);
            Assert.Equal(HttpStatusCode.Redirect, await browser.SignInAsync(user, Password));
            foreach (var page in new[] { "/map", "/receipts", "/devices", "/reviews", "/shoppers", "/users", "/audit" })
            {
                var response = await browser.GetAsync(page);
                var expected = pages.Contains(page) ? HttpStatusCode.OK : HttpStatusCode.Redirect;
                Assert.True(response.StatusCode == expected, $"{user} on {page}: {response.StatusCode}");
                if (expected == HttpStatusCode.Redirect)
                {
                    Assert.Equal("/denied", response.Headers.Location!.AbsolutePath);
                }
            }
        }
    }

    [Fact]
    public async Task A_supervisor_adds_users_and_changes_roles_which_take_effect_on_the_next_request_and_no_supervisor_demotes_themselves()
    {
        await CreateAsync("sue", OperatorRoles.Supervisor);
        using var sue = new ConsoleClient(Console.Address);
        await sue.SignInAsync("sue", Password);

        var weak = await sue.PostFormAsync("/users?handler=Create", new Dictionary<string, string> { ["UserName"] = "otto", ["Password"] = "short", ["Role"] = OperatorRoles.Operator });
        var added = await sue.PostFormAsync("/users?handler=Create", new Dictionary<string, string> { ["UserName"] = "otto", ["Password"] = Password, ["Role"] = OperatorRoles.Operator });
        using var otto = new ConsoleClient(Console.Address);
        await otto.SignInAsync("otto", Password);
        var beforeUsers = await otto.GetAsync("/users");
        var promoted = await sue.PostFormAsync("/users?handler=Role", new Dictionary<string, string> { ["UserName"] = "otto", ["Role"] = OperatorRoles.Supervisor });
        var afterUsers = await otto.GetAsync("/users");
        var selfDemotion = await sue.PostFormAsync("/users?handler=Role", new Dictionary<string, string> { ["UserName"] = "sue", ["Role"] = OperatorRoles.Auditor });
        var demoted = await otto.PostFormAsync("/users?handler=Role", new Dictionary<string, string> { ["UserName"] = "sue", ["Role"] = OperatorRoles.Auditor });
        var sueAfter = await sue.GetAsync("/users");
        var again = await otto.PostFormAsync("/users?handler=Role", new Dictionary<string, string> { ["UserName"] = "sue", ["Role"] = OperatorRoles.Auditor }, formPage: "/users");
        var byAuditor = await sue.PostFormAsync("/users?handler=Role", new Dictionary<string, string> { ["UserName"] = "otto", ["Role"] = OperatorRoles.Operator }, formPage: "/audit");

        Assert.Equal(HttpStatusCode.Conflict, weak.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal("/denied", beforeUsers.Headers.Location?.AbsolutePath);
        Assert.Equal(HttpStatusCode.Redirect, promoted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, afterUsers.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, selfDemotion.StatusCode);
        Assert.Contains("cannot take the role from themselves", await selfDemotion.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, demoted.StatusCode);
        Assert.Equal("/denied", sueAfter.Headers.Location?.AbsolutePath);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already auditor", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("/denied", byAuditor.Headers.Location?.AbsolutePath);
        var audit = await Console.Services.GetRequiredService<SmartStore.WebConsole.Audit.AuditLog>().NewestAsync(20, CancellationToken.None);
        Assert.Equal(["otto to supervisor", "sue to auditor"], audit.Where(e => e.Action == "role changed").Select(e => e.Detail).Reverse());
        Assert.Single(audit, e => e.Action == "user created" && e.Actor == "sue" && e.Detail == "otto as operator");
    }

    [Fact]
    public async Task A_form_posted_without_its_antiforgery_token_is_refused_and_changes_nothing()
    {
        await CreateAsync("ben", OperatorRoles.Operator);
        using var browser = new ConsoleClient(Console.Address);
        Assert.Equal(HttpStatusCode.Redirect, await browser.SignInAsync("ben", Password));

        var forgedSignOut = await browser.PostWithoutTokenAsync("/signout", new Dictionary<string, string>());
        var forgedSignIn = await new ConsoleClient(Console.Address).PostWithoutTokenAsync("/signin", new Dictionary<string, string> { ["UserName"] = "ben", ["Password"] = Password });

        Assert.Equal(HttpStatusCode.BadRequest, forgedSignOut.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, forgedSignIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/receipts")).StatusCode);

        // The header's sign-out form carries its token: with it, signing out works.
        var signOut = await browser.PostFormAsync("/signout", new Dictionary<string, string>(), formPage: "/receipts");
        Assert.Equal((HttpStatusCode.Redirect, "/signin"), (signOut.StatusCode, signOut.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/receipts")).StatusCode);
    }

    [Fact]
    public async Task Responses_carry_the_security_headers_and_the_session_cookie_is_http_only_and_same_site_strict()
    {
        await CreateAsync("ben", OperatorRoles.Operator);
        using var browser = new ConsoleClient(Console.Address);
        var page = await browser.GetAsync("/signin");
        var signIn = await browser.PostFormAsync("/signin", new Dictionary<string, string> { ["UserName"] = "ben", ["Password"] = Password });

        Assert.Equal(SecurityHeaders.ContentSecurityPolicy, page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        var session = signIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("smartstore-console=", StringComparison.Ordinal));
        Assert.Contains("httponly", session, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Receipts_are_found_by_shopper_and_what_a_search_echoes_back_is_text_not_markup()
    {
        await CreateAsync("ben", OperatorRoles.Operator);
        await StorePaidVisitAsync();

        using var browser = new ConsoleClient(Console.Address);
        await browser.SignInAsync("ben", Password);
        var alice = WebUtility.HtmlDecode(await (await browser.GetAsync("/receipts?payer=s-alice")).Content.ReadAsStringAsync());
        var hostile = await (await browser.GetAsync("/receipts?payer=%3Cscript%3Ealert(1)%3C%2Fscript%3E")).Content.ReadAsStringAsync();

        Assert.Contains("2× Cola 330 ml", alice, StringComparison.Ordinal);
        Assert.Contains("2.98 EUR", alice, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert(1)</script>", hostile, StringComparison.Ordinal);
        Assert.Contains("0 receipts", hostile, StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> Setup(ConsoleClient browser, string token, string user, string password) =>
        browser.PostFormAsync("/setup", new Dictionary<string, string> { ["Token"] = token, ["UserName"] = user, ["Password"] = password });

    private async Task CreateAsync(string user, string role)
    {
        var refused = await Console.Services.GetRequiredService<OperatorDirectory>().CreateAsync(user, Password, role, "test", CancellationToken.None);
        Assert.Null(refused);
    }
}
