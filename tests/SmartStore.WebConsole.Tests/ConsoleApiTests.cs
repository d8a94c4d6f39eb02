using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SmartStore.Node.Feeds;
using SmartStore.Testing;
using SmartStore.WebConsole.Audit;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// The HTTP API for integrators on a real node: described by an OpenAPI document; opened only by a bearer token a
/// supervisor issued (never by the session cookie, so a forged cross-site request gets nothing); each token with
/// its user's role; refusals as problem details; a revoked token refused at once; every change audited.
/// </summary>
public sealed partial class ConsoleApiTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private StoreWithConsole _store = null!;

    public async Task InitializeAsync() => _store = await StoreWithConsole.StartAsync(postgres);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task The_api_is_described_by_openapi_and_opens_only_with_a_token_carrying_its_users_role()
    {
        var visitId = await _store.PaidVisitAsync();
        using var anonymous = new HttpClient { BaseAddress = _store.Console.Address };
        using var sam = await _store.SignedInAsync("sam");

        var document = await anonymous.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var noToken = await anonymous.GetAsync(new Uri("/api/v1/receipts", UriKind.Relative));
        var cookieOnly = await sam.GetAsync("/api/v1/receipts");
        var samToken = await IssueTokenAsync(sam, "sam");
        var olgaToken = await IssueTokenAsync(sam, "olga");

        using (var json = JsonDocument.Parse(document))
        {
            var paths = json.RootElement.GetProperty("paths");
            Assert.True(paths.TryGetProperty("/api/v1/visits/{visitId}/refunds", out _), document);
            Assert.True(paths.TryGetProperty("/api/v1/reviews/{visitId}/decision", out _), document);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, cookieOnly.StatusCode);
        Assert.StartsWith("sst_", samToken, StringComparison.Ordinal);

        using var olga = Api(olgaToken);
        using var supervisor = Api(samToken);
        using var forged = Api("sst_not-a-token-anyone-was-given");
        var receipts = await olga.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/receipts?payer=s-pia", UriKind.Relative));
        var byOperator = await olga.PostAsJsonAsync(new Uri($"/api/v1/visits/{visitId}/refunds", UriKind.Relative), new { sku = DemoScenario.Cola, units = 1, reason = "dented" });
        var refunded = await supervisor.PostAsJsonAsync(new Uri($"/api/v1/visits/{visitId}/refunds", UriKind.Relative), new { sku = DemoScenario.Cola, units = 1, reason = "dented" });
        var tooMany = await supervisor.PostAsJsonAsync(new Uri($"/api/v1/visits/{visitId}/refunds", UriKind.Relative), new { sku = DemoScenario.Cola, units = 2, reason = "dented" });
        var malformed = await supervisor.PostAsJsonAsync(new Uri($"/api/v1/visits/{visitId}/refunds", UriKind.Relative), new { sku = DemoScenario.Cola, units = 500 });
        using var notJson = new StringContent("{\"sku\": \"cola\", \"units\": ", System.Text.Encoding.UTF8, "application/json");
        var garbled = await supervisor.PostAsync(new Uri($"/api/v1/visits/{visitId}/refunds", UriKind.Relative), notJson);
        var unknown = await olga.GetAsync(new Uri("/api/v1/visits/no-such-visit", UriKind.Relative));
        var byForger = await forged.GetAsync(new Uri("/api/v1/receipts", UriKind.Relative));

        Assert.Equal(visitId, Assert.Single(receipts.EnumerateArray()).GetProperty("visitId").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, byOperator.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, refunded.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, tooMany.StatusCode);
        var problem = await tooMany.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("2 unit(s) cannot be disputed: the line has 2, 1 already disputed", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, garbled.StatusCode);
        Assert.Equal("application/problem+json", garbled.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("application/problem+json", unknown.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Unauthorized, byForger.StatusCode);
        var cola = StoreWithConsole.Small.FindProduct(DemoScenario.Cola)!;
        await _store.WaitForReadModelAsync(async queries => (await queries.VisitAsync(visitId, CancellationToken.None))?.State.RefundedMinor > 0);
        Assert.Equal(cola.UnitPrice, (await supervisor.GetFromJsonAsync<JsonElement>(new Uri($"/api/v1/visits/{visitId}", UriKind.Relative))).GetProperty("refundedMinor").GetInt64());

        // Revoked: the next request is refused; the audit log names who did what through the API.
        var revoked = await sam.PostFormAsync("/users?handler=Revoke", new Dictionary<string, string> { ["UserName"] = "olga" }, formPage: "/users");
        Assert.Equal(HttpStatusCode.Redirect, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await olga.GetAsync(new Uri("/api/v1/receipts", UriKind.Relative))).StatusCode);
        var audit = await _store.Console.Services.GetRequiredService<AuditLog>().NewestAsync(30, CancellationToken.None);
        Assert.Single(audit, e => e.Action == "refund" && e.Actor == "sam" && e.Detail.EndsWith("(api)", StringComparison.Ordinal));
        Assert.Equal(2, audit.Count(e => e.Action == "api token issued"));
        Assert.Single(audit, e => e.Action == "api tokens revoked" && e.Detail == "1 of olga");
    }

    [Fact]
    public async Task A_shopper_whose_gate_recognises_them_is_enrolled_through_the_api_with_consent_once_and_never_by_an_auditor()
    {
        using var sam = await _store.SignedInAsync("sam");
        using var olga = Api(await IssueTokenAsync(sam, "olga"));
        using var aldo = Api(await IssueTokenAsync(sam, "aldo"));
        var nina = new { shopperId = "s-nina", name = "Nina", paymentToken = "tok_nina_4242", faceReference = "gate-template:nina", consent = true };

        var store = await olga.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/store", UriKind.Relative));
        var withoutConsent = await olga.PostAsJsonAsync(new Uri("/api/v1/shoppers", UriKind.Relative), nina with { consent = false });
        var withoutName = await olga.PostAsJsonAsync(new Uri("/api/v1/shoppers", UriKind.Relative), nina with { name = " " });
        var byAuditor = await aldo.PostAsJsonAsync(new Uri("/api/v1/shoppers", UriKind.Relative), nina);
        var created = await olga.PostAsJsonAsync(new Uri("/api/v1/shoppers", UriKind.Relative), nina);
        var again = await olga.PostAsJsonAsync(new Uri("/api/v1/shoppers", UriKind.Relative), nina);
        var found = await olga.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/shoppers/s-nina", UriKind.Relative));

        Assert.Equal(StoreWithConsole.Small.StoreId, store.GetProperty("storeId").GetString());
        Assert.Equal(JsonValueKind.Null, store.GetProperty("watermarkMs").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, withoutConsent.StatusCode);
        Assert.Contains("consent", (await withoutConsent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, withoutName.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAuditor.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/v1/shoppers/s-nina", created.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("Nina", found.GetProperty("name").GetString());
        Assert.Equal("••••4242", found.GetProperty("paymentHint").GetString());
        var audit = await _store.Console.Services.GetRequiredService<AuditLog>().NewestAsync(30, CancellationToken.None);
        Assert.Single(audit, e => e.Action == "shopper enrolled" && e.Actor == "olga" && e.Detail.StartsWith("s-nina", StringComparison.Ordinal));
        Assert.Single(audit, e => e.Action == "enrolment refused" && e.Actor == "olga");
    }

    private HttpClient Api(string token) => ConsoleClient.Api(_store.Console.Address, token);

    private static async Task<string> IssueTokenAsync(ConsoleClient supervisor, string user)
    {
        var (issued, token) = await supervisor.IssueApiTokenAsync(user);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        Assert.True(issued.Headers.CacheControl?.NoStore, issued.Headers.CacheControl?.ToString());
        return token;
    }

}
