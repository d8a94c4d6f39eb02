using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using SmartStore.ReadModels;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// The shoppers list on a real node with the shoppers read model fed from its journal: the page and the API list
/// ids, status and times (never a name or a token) for an operator, filtered by status and the start of the id;
/// opening one shopper still shows the name, asked of the node; an auditor gets neither list.
/// </summary>
public sealed partial class ConsoleShoppersTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private const string AdaName = "Ada Lovelace-q7";
    private const string AdaToken = "tok-ada-8812";
    private const string BobName = "Bob Beamon-z3";
    private const string BobToken = "tok-bob-4410";
    private readonly DateTimeOffset _now = DateTimeOffset.UtcNow;
    private StoreWithConsole _store = null!;

    public async Task InitializeAsync()
    {
        _store = await StoreWithConsole.StartAsync(postgres);

        // Ada, then Bob (erased since: the newest thing in the list), then Carol.
        Assert.Null((await _store.Node.EnrolAsync("s-ada", AdaName, "face/ada", AdaToken, _now.AddHours(-3))).Refused);
        Assert.Null((await _store.Node.EnrolAsync("s-bob", BobName, "face/bob", BobToken, _now.AddHours(-2))).Refused);
        Assert.Null((await _store.Node.EnrolAsync("s-carol", "Carol Shaw-k5", "face/carol", "tok-carol-2207", _now.AddHours(-1))).Refused);
        Assert.Null((await _store.Node.EraseAccountAsync("s-bob")).Refused);
        await _store.WaitForShoppersAsync(async queries =>
        {
            var counts = await queries.CountByStatusAsync(CancellationToken.None);
            return counts[ShopperStatus.Enrolled] == 2 && counts[ShopperStatus.Erased] == 1;
        });
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task The_shoppers_page_lists_them_newest_first_for_an_operator_with_nothing_personal_and_refuses_an_auditor()
    {
        using var olga = await _store.SignedInAsync("olga");
        using var aldo = await _store.SignedInAsync("aldo");

        var all = await PageAsync(olga, "/shoppers");
        var erased = await PageAsync(olga, "/shoppers?status=erased");
        var byPrefix = await PageAsync(olga, "/shoppers?prefix=s-c");
        var ada = await PageAsync(olga, "/shoppers?id=s-ada");
        var byAuditor = await aldo.GetAsync("/shoppers");

        Assert.Equal(["s-bob", "s-carol", "s-ada"], Rows(all));
        Assert.Contains("href=\"/shoppers?id=s-ada\"", all, StringComparison.Ordinal);
        Assert.Contains("2 enrolled, 1 erased", all, StringComparison.Ordinal);
        Assert.Matches(@"data-shopper-row=""s-bob"">\s*<td>.*?</td>\s*<td>erased</td>\s*<td>no</td>\s*<td></td>\s*<td>\d{4}-", all);
        foreach (var personal in new[] { AdaName, AdaToken, BobName, BobToken })
        {
            Assert.DoesNotContain(personal, all, StringComparison.Ordinal);
        }

        Assert.Equal(["s-bob"], Rows(erased));
        Assert.Equal(["s-carol"], Rows(byPrefix));

        // One shopper opened: the name and payment hint come from the node, live; the list is not shown.
        Assert.Contains(AdaName, ada, StringComparison.Ordinal);
        Assert.Contains("8812</dd>", ada, StringComparison.Ordinal);
        Assert.DoesNotContain(AdaToken, ada, StringComparison.Ordinal);
        Assert.Empty(Rows(ada));

        Assert.Equal(HttpStatusCode.Redirect, byAuditor.StatusCode);
        Assert.Equal("/denied", byAuditor.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task The_api_lists_shoppers_by_status_and_id_prefix_for_an_operator_and_not_for_an_auditor()
    {
        using var sam = await _store.SignedInAsync("sam");
        using var olga = Api(await IssueTokenAsync(sam, "olga"));
        using var aldo = Api(await IssueTokenAsync(sam, "aldo"));

        var all = await olga.GetStringAsync(new Uri("/api/v1/shoppers", UriKind.Relative));
        var erased = await olga.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/shoppers?status=Erased", UriKind.Relative));
        var enrolledA = await olga.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/shoppers?status=enrolled&prefix=s-a", UriKind.Relative));
        var bogus = await olga.GetAsync(new Uri("/api/v1/shoppers?status=gone", UriKind.Relative));
        var byAuditor = await aldo.GetAsync(new Uri("/api/v1/shoppers", UriKind.Relative));

        using (var json = JsonDocument.Parse(all))
        {
            Assert.Equal(["s-bob", "s-carol", "s-ada"], json.RootElement.EnumerateArray().Select(s => s.GetProperty("shopperId").GetString()));
            Assert.Equal(["erased", "enrolled", "enrolled"], json.RootElement.EnumerateArray().Select(s => s.GetProperty("status").GetString()));
        }

        foreach (var personal in new[] { AdaName, AdaToken, BobName, BobToken })
        {
            Assert.DoesNotContain(personal, all, StringComparison.Ordinal);
        }

        var bob = Assert.Single(erased.EnumerateArray());
        Assert.Equal("s-bob", bob.GetProperty("shopperId").GetString());
        Assert.Equal(JsonValueKind.String, bob.GetProperty("erasedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, bob.GetProperty("enrolledAt").ValueKind);
        var ada = Assert.Single(enrolledA.EnumerateArray());
        Assert.Equal(("s-ada", false), (ada.GetProperty("shopperId").GetString(), ada.GetProperty("faceEnrolled").GetBoolean()));
        Assert.Equal(_now.AddHours(-3), ada.GetProperty("enrolledAt").GetDateTimeOffset());
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, byAuditor.StatusCode);
    }

    private static async Task<string> PageAsync(ConsoleClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static string[] Rows(string html) => [.. ShopperRow().Matches(html).Select(m => m.Groups[1].Value)];

    private HttpClient Api(string token) => ConsoleClient.Api(_store.Console.Address, token);

    private static async Task<string> IssueTokenAsync(ConsoleClient supervisor, string user)
    {
        var (issued, token) = await supervisor.IssueApiTokenAsync(user);
        Assert.Equal(HttpStatusCode.OK, issued.StatusCode);
        return token;
    }

    [GeneratedRegex("data-shopper-row=\"([^\"]+)\"")]
    private static partial Regex ShopperRow();

}
