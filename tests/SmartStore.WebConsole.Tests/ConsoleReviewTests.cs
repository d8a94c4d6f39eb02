using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;
using SmartStore.Domain.Layouts;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Payments;
using SmartStore.ReadModels;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// A cart in review on a real node (an age-restricted pick waits for an operator), its read model in Marten fed
/// from the node's journal, decided from the console: charged once through the visit's own settlement, a second
/// decision refused, an auditor refused, every decision in the audit log.
/// </summary>
public sealed class ConsoleReviewTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string Password = StoreWithConsole.Password;
    private static readonly StoreLayout Small = StoreWithConsole.Small;
    private static readonly TimeSpan Patience = StoreWithConsole.Patience;
    private StoreWithConsole _store = null!;

    public async Task InitializeAsync()
    {
        _store = await StoreWithConsole.StartAsync(postgres);

        // Erin takes a lager and crisps and walks out: the lager needs an operator's look at her ID.
        await _store.Node.EnrolAsync("s-erin", "Erin Example", "face-template-erin-0001", "tok-erin-4242", DateTimeOffset.UtcNow);
        var feed = new ScriptedFeed(Small, StoreWithConsole.Start);
        var t = StoreWithConsole.Start + 1_000;
        feed.Identify(t, "gate-in", "s-erin");
        t = feed.Enter(t + 600, "gate-in", "trk-erin");
        t = feed.Pick(t, "trk-erin", "shelf-06-l1b2", "alcohol-027");
        t = feed.Pick(t, "trk-erin", "shelf-02-l1b2", DemoScenario.Crisps);
        t = feed.Leave(t, "gate-out", "trk-erin");
        await _store.PlayAsync(feed.Build(t + 1_000), t + 1_000);
        using var timeout = new CancellationTokenSource(Patience);
        await _store.Node.Receipts.WaitForDecidedAsync(1, timeout.Token);
        await WaitForReadModelAsync(async queries => (await queries.ReviewQueueAsync(10, CancellationToken.None)).Count == 1);
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task An_operator_charges_a_reviewed_cart_once_from_the_console_and_a_second_decision_is_refused()
    {
        var visitId = Assert.Single(_store.Node.Receipts.Review).VisitId;
        using var auditor = new ConsoleClient(_store.Console.Address);
        using var olga = new ConsoleClient(_store.Console.Address);
        await auditor.SignInAsync("aldo", Password);
        await olga.SignInAsync("olga", Password);

        var queue = await (await olga.GetAsync("/reviews")).Content.ReadAsStringAsync();
        var byAuditor = await auditor.PostFormAsync("/reviews?handler=Resolve", Decision(visitId, "charge"), formPage: "/receipts");
        var noNote = await olga.PostFormAsync("/reviews?handler=Resolve", new Dictionary<string, string> { ["VisitId"] = visitId, ["Decision"] = "charge" }, formPage: "/reviews");
        var charged = await olga.PostFormAsync("/reviews?handler=Resolve", Decision(visitId, "charge"), formPage: "/reviews");
        using (var timeout = new CancellationTokenSource(Patience))
        {
            await _store.Node.Receipts.WaitForIssuedAsync(1, timeout.Token);
        }

        var twice = await olga.PostFormAsync("/reviews?handler=Resolve", Decision(visitId, "void"), formPage: "/receipts");

        Assert.Contains("age-restricted", queue, StringComparison.Ordinal);
        Assert.Contains(visitId, queue, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Redirect, "/denied"), (byAuditor.StatusCode, byAuditor.Headers.Location?.AbsolutePath));
        Assert.Equal(HttpStatusCode.BadRequest, noNote.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, charged.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Equal(1, _store.Psp.CapturesOf("tok-erin-4242"));
        var receipt = Assert.Single(_store.Node.Receipts.Issued).Receipt;
        Assert.Equal(receipt.Total, _store.Psp.NetChargedTo("tok-erin-4242"));

        await WaitForReadModelAsync(async queries => (await queries.ReviewQueueAsync(10, CancellationToken.None)).Count == 0);
        var audit = await _store.Console.Services.GetRequiredService<AuditLog>().NewestAsync(20, CancellationToken.None);
        Assert.Single(audit, e => e.Action == "review resolved" && e.Actor == "olga" && e.Detail.StartsWith(visitId, StringComparison.Ordinal));
        Assert.Equal(2, audit.Count(e => e.Action == "review refused"));
    }

    [Fact]
    public async Task An_operator_charges_corrected_lines_and_a_product_not_in_the_catalog_is_refused_by_the_visit()
    {
        var visitId = Assert.Single(_store.Node.Receipts.Review).VisitId;
        using var olga = new ConsoleClient(_store.Console.Address);
        await olga.SignInAsync("olga", Password);
        Dictionary<string, string> Correct(string lines) => new(Decision(visitId, "correct")) { ["Lines"] = lines };

        var malformed = await olga.PostFormAsync("/reviews?handler=Resolve", Correct("crisps"), formPage: "/reviews");
        var unknown = await olga.PostFormAsync("/reviews?handler=Resolve", Correct("caviar-999=1"), formPage: "/reviews");
        var corrected = await olga.PostFormAsync("/reviews?handler=Resolve", Correct($"alcohol-027=0, {DemoScenario.Crisps}=1"), formPage: "/reviews");
        using (var timeout = new CancellationTokenSource(Patience))
        {
            await _store.Node.Receipts.WaitForIssuedAsync(1, timeout.Token);
        }

        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, unknown.StatusCode);
        Assert.Contains("not in the catalog", WebUtility.HtmlDecode(await unknown.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, corrected.StatusCode);
        var receipt = Assert.Single(_store.Node.Receipts.Issued).Receipt;
        Assert.Equal([DemoScenario.Crisps], receipt.Lines.Select(l => l.Sku));
        Assert.Equal(Small.FindProduct(DemoScenario.Crisps)!.UnitPrice, receipt.Total);
        Assert.Equal((1, receipt.Total), (_store.Psp.CapturesOf("tok-erin-4242"), _store.Psp.NetChargedTo("tok-erin-4242")));
        var audit = await _store.Console.Services.GetRequiredService<AuditLog>().NewestAsync(20, CancellationToken.None);
        Assert.Single(audit, e => e.Action == "review resolved" && e.Detail.Contains($"charged corrected lines alcohol-027=0, {DemoScenario.Crisps}=1", StringComparison.Ordinal));
    }

    private static Dictionary<string, string> Decision(string visitId, string decision) =>
        new() { ["VisitId"] = visitId, ["Decision"] = decision, ["Note"] = "ID checked on camera" };

    private Task WaitForReadModelAsync(Func<VisitQueries, Task<bool>> condition) => _store.WaitForReadModelAsync(condition);
}
