using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Visits;
using SmartStore.Node.Feeds;
using SmartStore.Testing;
using SmartStore.WebConsole.Audit;
using Xunit;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// The rest of an operator's shift on a real node with face enrolment on: a refund bounded by what was charged and
/// paid back once; a shopper enrolled from photos with consent (each failing photo named), their payment method
/// changed and their data erased; devices and their health. Each role is refused where it should be, and every
/// action is in the audit log.
/// </summary>
public sealed class ConsoleShiftTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IAsyncLifetime
{
    private StoreWithConsole _store = null!;

    public async Task InitializeAsync() => _store = await StoreWithConsole.StartAsync(postgres, faces: true);

    public async Task DisposeAsync() => await _store.DisposeAsync();

    [Fact]
    public async Task A_supervisor_refunds_part_of_a_receipt_once_never_more_than_was_charged_and_an_operator_may_not()
    {
        var visitId = await _store.PaidVisitAsync();
        var cola = StoreWithConsole.Small.FindProduct(DemoScenario.Cola)!;
        using var sam = await _store.SignedInAsync("sam");
        using var olga = await _store.SignedInAsync("olga");
        var page = $"/visits/{visitId}";
        Dictionary<string, string> Refund(int units) => new() { ["Sku"] = DemoScenario.Cola, ["Units"] = units.ToString(System.Globalization.CultureInfo.InvariantCulture), ["Reason"] = "one can was dented" };
        var charged = _store.Psp.NetChargedTo("tok-pia-1111");

        var byOperator = await olga.PostFormAsync($"{page}?handler=Refund", Refund(1), formPage: "/receipts");
        var refunded = await sam.PostFormAsync($"{page}?handler=Refund", Refund(1), formPage: page);
        var tooMany = await sam.PostFormAsync($"{page}?handler=Refund", Refund(2), formPage: page);
        var noReason = await sam.PostFormAsync($"{page}?handler=Refund", new Dictionary<string, string>(Refund(1)) { ["Reason"] = string.Empty }, formPage: page);

        Assert.Equal((HttpStatusCode.Redirect, "/denied"), (byOperator.StatusCode, byOperator.Headers.Location?.AbsolutePath));
        Assert.Equal(HttpStatusCode.Redirect, refunded.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, tooMany.StatusCode);
        Assert.Contains("2 unit(s) cannot be disputed: the line has 2, 1 already disputed", WebUtility.HtmlDecode(await tooMany.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noReason.StatusCode);
        Assert.Equal(charged - cola.UnitPrice, _store.Psp.NetChargedTo("tok-pia-1111"));

        await _store.WaitForReadModelAsync(async queries => (await queries.VisitAsync(visitId, CancellationToken.None))?.State.RefundedMinor == cola.UnitPrice);
        var shown = WebUtility.HtmlDecode(await (await olga.GetAsync(page)).Content.ReadAsStringAsync());
        Assert.Contains("one can was dented", shown, StringComparison.Ordinal);
        Assert.Contains(nameof(DisputeStatus.Approved), shown, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Refund", shown, StringComparison.Ordinal);
        var audit = await _store.Console.Services.GetRequiredService<AuditLog>().NewestAsync(20, CancellationToken.None);
        Assert.Single(audit, e => e.Action == "refund" && e.Actor == "sam" && e.Detail.StartsWith($"{visitId}: 1× {DemoScenario.Cola}", StringComparison.Ordinal));
        Assert.Single(audit, e => e.Action == "refund refused" && e.Actor == "sam");
    }

    [Fact]
    public async Task A_shopper_is_enrolled_from_photos_with_consent_each_bad_photo_is_named_and_only_a_supervisor_erases()
    {
        using var sam = await _store.SignedInAsync("sam");
        using var olga = await _store.SignedInAsync("olga");
        using var aldo = await _store.SignedInAsync("aldo");
        var vlado = new[] { ("Photos", "vlado-1.jpg", FaceData.Bytes("vlado/vlado-1.jpg")), ("Photos", "vlado-2.jpg", FaceData.Bytes("vlado/vlado-2.jpg")) };
        Dictionary<string, string> Enrolment(string id, bool consent = true) =>
            new(consent ? [new("Consent", "true")] : []) { ["Id"] = id, ["Name"] = "Vlado Example", ["PaymentToken"] = "tok-vlado-9876" };

        var byAuditor = await aldo.GetAsync("/shoppers");
        var noConsent = await olga.PostMultipartAsync("/shoppers?handler=Enrol", Enrolment("s-vlado", consent: false), vlado, "/shoppers");
        var badPhoto = await olga.PostMultipartAsync("/shoppers?handler=Enrol", Enrolment("s-pair"), [("Photos", "two.jpg", FaceData.Bytes("_multi/two-people.jpg")), ("Photos", "notes.jpg", "not a photo"u8.ToArray())], "/shoppers");
        var enrolled = await olga.PostMultipartAsync("/shoppers?handler=Enrol", Enrolment("s-vlado"), vlado, "/shoppers");
        var shown = WebUtility.HtmlDecode(await (await olga.GetAsync("/shoppers?id=s-vlado")).Content.ReadAsStringAsync());
        var changed = await olga.PostFormAsync("/shoppers?handler=Payment", new Dictionary<string, string> { ["Id"] = "s-vlado", ["PaymentToken"] = "tok-vlado-5555" }, formPage: "/shoppers?id=s-vlado");

        Assert.Equal((HttpStatusCode.Redirect, "/denied"), (byAuditor.StatusCode, byAuditor.Headers.Location?.AbsolutePath));
        Assert.Equal(HttpStatusCode.BadRequest, noConsent.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badPhoto.StatusCode);
        var refusals = WebUtility.HtmlDecode(await badPhoto.Content.ReadAsStringAsync());
        Assert.Contains("photo 1: more than one face: the photo must show only the shopper", refusals, StringComparison.Ordinal);
        Assert.Contains("photo 2: not a JPEG or PNG image", refusals, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, enrolled.StatusCode);
        Assert.Equal(1, _store.Node.GallerySize);
        Assert.Contains("enrolled", shown, StringComparison.Ordinal);
        Assert.Contains("••••9876", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-vlado-9876", shown, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        Assert.Equal("tok-vlado-5555", (await _store.Node.GetAccountAsync("s-vlado")).State.PaymentToken);

        var eraseForm = "/shoppers?id=s-vlado";
        var byOperator = await olga.PostFormAsync("/shoppers?handler=Erase", new Dictionary<string, string> { ["Id"] = "s-vlado", ["Confirm"] = "s-vlado" }, formPage: eraseForm);
        var unconfirmed = await sam.PostFormAsync("/shoppers?handler=Erase", new Dictionary<string, string> { ["Id"] = "s-vlado", ["Confirm"] = "vlado" }, formPage: eraseForm);
        var erased = await sam.PostFormAsync("/shoppers?handler=Erase", new Dictionary<string, string> { ["Id"] = "s-vlado", ["Confirm"] = "s-vlado" }, formPage: eraseForm);

        Assert.Equal((HttpStatusCode.Redirect, "/denied"), (byOperator.StatusCode, byOperator.Headers.Location?.AbsolutePath));
        Assert.Equal(HttpStatusCode.BadRequest, unconfirmed.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, erased.StatusCode);
        var account = (await _store.Node.GetAccountAsync("s-vlado")).State;
        Assert.Equal((AccountStatus.Erased, string.Empty, string.Empty, null), (account.Status, account.Name, account.PaymentToken, account.FaceTemplate));
        Assert.Equal(0, _store.Node.GallerySize);
        var audit = await _store.Console.Services.GetRequiredService<AuditLog>().NewestAsync(30, CancellationToken.None);
        Assert.Equal(
            ["enrolment refused", "shopper enrolled", "payment method changed", "shopper erased"],
            audit.Where(e => e.Detail.StartsWith("s-", StringComparison.Ordinal)).Select(e => e.Action).Reverse());
    }

    [Fact]
    public async Task The_devices_page_lists_every_device_heard_and_what_was_rejected_by_reason()
    {
        await _store.PaidVisitAsync();
        var bogus = await _store.Node.DeliverAsync($"smartstore/{StoreWithConsole.Small.StoreId}/shelf/shelf-01/weight", "{ not json"u8.ToArray());
        using var aldo = await _store.SignedInAsync("aldo");

        var page = WebUtility.HtmlDecode(await (await aldo.GetAsync("/devices")).Content.ReadAsStringAsync());

        Assert.Equal(Messaging.Transport.Delivery.Rejected, bogus);
        Assert.Contains("data-device=\"cam-", page, StringComparison.Ordinal);
        Assert.Contains("data-device=\"shelf-01", page, StringComparison.Ordinal);
        Assert.Contains("MalformedJson", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=Acknowledge", page, StringComparison.Ordinal);

        // The node's one set of device-message counters, as the run command's lines and health topic show them.
        var health = _store.Node.Health.Snapshot();
        Assert.True(health.Accepted > 0);
        Assert.Contains($"<dt>Accepted</dt><dd>{health.Accepted:N0}</dd>", page, StringComparison.Ordinal);
        Assert.Contains($"<dt>Rejected</dt><dd>{health.RejectedTotal:N0}</dd>", page, StringComparison.Ordinal);
    }
}
