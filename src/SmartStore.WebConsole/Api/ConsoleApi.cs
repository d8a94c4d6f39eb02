using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Visits;
using SmartStore.Node.Health;
using SmartStore.ReadModels;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Live;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Api;

/// <summary>
/// A visit as the API returns it: its receipt, review reasons with what each doubtful weight change showed (the
/// cell's trace, the candidates with their scores and positions), disputes and refunds (no personal data beyond
/// the payer's id).
/// </summary>
public sealed record VisitResource(string VisitId, string PayerId, VisitPhase Phase, int Party, IReadOnlyList<string> ReviewReasons, Receipt? Receipt, long ChargedMinor, long RefundedMinor, DateTimeOffset? SettledAt, IReadOnlyList<Dispute> Disputes, IReadOnlyList<SmartStore.Domain.Fusion.ChangeReview> ChangeReviews)
{
    public static VisitResource Of(VisitDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var s = document.State;
        return new VisitResource(document.Id, s.PayerId, s.Phase, s.Party, s.ReviewReasons, s.Receipt, s.ChargedMinor, s.RefundedMinor, s.SettledAt, s.Disputes, s.ChangeReviews);
    }
}

/// <summary>
/// A shopper in the list, from the shoppers read model: the id, <c>enrolled</c> or <c>erased</c>, and times. Never the
/// name, the payment token or the template: those are sealed in the journal, and only
/// <c>GET /shoppers/{shopperId}</c> asks the node for one shopper's name and payment hint.
/// </summary>
public sealed record ShopperResource(string ShopperId, string Status, DateTimeOffset? EnrolledAt, bool FaceEnrolled, DateTimeOffset? FaceEnrolledAt, DateTimeOffset? PaymentChangedAt, DateTimeOffset? ErasedAt)
{
    public static ShopperResource Of(ShopperDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return new ShopperResource(document.Id, NameOf(document.Status), document.EnrolledAt, document.FaceEnrolled, document.FaceEnrolledAt, document.PaymentChangedAt, document.ErasedAt);
    }

    /// <summary>How the API and the page write a status.</summary>
    public static string NameOf(ShopperStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>A status as a caller writes it (<c>enrolled</c>, <c>erased</c>, any case); null when it is neither.</summary>
    public static ShopperStatus? Parse(string? status) =>
        Enum.GetValues<ShopperStatus>().Where(s => string.Equals(NameOf(s), status?.Trim(), StringComparison.OrdinalIgnoreCase)).Select(s => (ShopperStatus?)s).FirstOrDefault();
}

/// <summary>The store this console serves, and how far its event time has come (the floor's watermark, Unix ms; null before its first device message).</summary>
public sealed record StoreResource(string StoreId, string Name, string Currency, long? WatermarkMs);

/// <summary>An operator's decision on a cart in review: <c>charge</c>, <c>void</c> or <c>correct</c> with <c>lines</c> as "sku=units, …".</summary>
public sealed record ReviewDecisionRequest(string? Decision, string? Lines, string? Note);

public sealed record RefundRequest(string? Sku, int? Units, string? Reason);

public sealed record PaymentMethodRequest(string? PaymentToken);

/// <summary>
/// A shopper whose face a gate device recognises itself (the gate names the shopper; <c>faceReference</c> is the
/// device's own name for the template): id, name, payment token, and the shopper's consent, which must be true.
/// </summary>
public sealed record ShopperEnrolmentRequest(string? ShopperId, string? Name, string? PaymentToken, string? FaceReference, bool? Consent);

/// <summary>
/// The console's operations for integrators, under <c>/api/v1</c>, described at <c>/openapi/v1.json</c>. Callers
/// authenticate with a bearer token a supervisor issued (<see cref="ApiTokens"/>) and have that user's role; the
/// session cookie opens nothing here, so there is no cross-site request to forge. Refusals are problem details:
/// 400 malformed, 403 role, 404 unknown, 409 refused by the store's rules. Every change is in the audit log.
/// </summary>
public static class ConsoleApi
{
    private const string Root = "/api";

    /// <summary>A request for the API (answered in problem details), not for a page.</summary>
    public static bool Serves(HttpContext context) => context?.Request.Path.StartsWithSegments(Root) == true;

    public static IEndpointRouteBuilder MapConsoleApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup(Root + "/v1")
            .RequireAuthorization(policy => policy.AddAuthenticationSchemes(ApiTokenAuthentication.SchemeName).RequireAuthenticatedUser())
            .WithTags("SmartStore console")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        api.MapGet("/reviews", async (VisitQueries queries, CancellationToken ct) =>
                (await queries.ReviewQueueAsync(200, ct)).Select(VisitResource.Of).ToList())
            .RequireAuthorization(ConsolePolicies.Resolve)
            .WithSummary("Carts waiting for an operator, the longest waiting first");

        api.MapPost("/reviews/{visitId}/decision", ResolveAsync)
            .RequireAuthorization(ConsolePolicies.Resolve)
            .WithSummary("Decide a cart in review: charge as proposed, charge corrected lines, or void");

        api.MapGet("/receipts", async (VisitQueries queries, string? payer, string? sku, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct) =>
                (await queries.ReceiptsAsync(new ReceiptSearch { PayerId = payer, Sku = sku, From = from, To = to, Limit = 200 }, ct)).Select(VisitResource.Of).ToList())
            .RequireAuthorization(ConsolePolicies.Watch)
            .WithSummary("Issued receipts by shopper, product and settlement time, newest first");

        api.MapGet("/visits/{visitId}", async Task<Results<Ok<VisitResource>, ProblemHttpResult>> (string visitId, VisitQueries queries, CancellationToken ct) =>
                await queries.VisitAsync(visitId, ct) is { } visit ? TypedResults.Ok(VisitResource.Of(visit)) : NotFound($"no visit '{visitId}'"))
            .RequireAuthorization(ConsolePolicies.Watch)
            .WithSummary("One visit: receipt, review reasons, disputes and refunds");

        api.MapPost("/visits/{visitId}/refunds", RefundAsync)
            .RequireAuthorization(ConsolePolicies.Supervise)
            .WithSummary("Refund units of a receipt line (never more than was charged, counting earlier refunds)");

        api.MapGet("/store", async Task<Results<Ok<StoreResource>, ProblemHttpResult>> (IStoreOperations store, CancellationToken ct) =>
                store.Layout is { } layout && await store.FloorAsync(ct) is { } floor
                    ? TypedResults.Ok(new StoreResource(layout.StoreId, layout.Name, layout.Currency, floor.WatermarkMs > 0 ? floor.WatermarkMs : null))
                    : NotConnected())
            .RequireAuthorization(ConsolePolicies.Watch)
            .WithSummary("The store this console serves and its event time (what a device feed must start after)");

        api.MapGet("/floor", async Task<Results<Ok<MapFrame>, ProblemHttpResult>> (IStoreOperations store, CancellationToken ct) =>
                await store.FloorAsync(ct) is { } floor ? TypedResults.Ok(new MapFrameBuilder().Next(floor) with { Flashes = [] }) : NotConnected())
            .RequireAuthorization(ConsolePolicies.Watch)
            .WithSummary("The floor now: the people the cameras see and the visits inside");

        api.MapGet("/devices", Results<Ok<HealthSummary>, ProblemHttpResult> (IStoreOperations store) =>
                store.Health() is { } health ? TypedResults.Ok(health) : NotConnected())
            .RequireAuthorization(ConsolePolicies.Watch)
            .WithSummary("Counters, rejections by reason, devices last heard and recent alerts");

        api.MapGet("/shoppers", async Task<Results<Ok<List<ShopperResource>>, ProblemHttpResult>> (ShopperQueries queries, string? status, string? prefix, CancellationToken ct) =>
            {
                var wanted = ShopperResource.Parse(status);
                if (!string.IsNullOrWhiteSpace(status) && wanted is null)
                {
                    return BadRequest($"status '{status}': enrolled or erased");
                }

                var search = new ShopperSearch { Status = wanted, IdPrefix = string.IsNullOrWhiteSpace(prefix) ? null : prefix.Trim(), Limit = 200 };
                return TypedResults.Ok((await queries.ListAsync(search, ct)).Select(ShopperResource.Of).ToList());
            })
            .RequireAuthorization(ConsolePolicies.Resolve)
            .WithSummary("Shoppers from the read model, the newest 200 first, by status and the start of the id (no name, token or template)");

        api.MapGet("/shoppers/{shopperId}", async Task<Results<Ok<ShopperView>, ProblemHttpResult>> (string shopperId, IStoreOperations store, CancellationToken ct) =>
                await store.FindShopperAsync(shopperId, ct) is { } shopper ? TypedResults.Ok(shopper) : NotFound($"no shopper '{shopperId}'"))
            .RequireAuthorization(ConsolePolicies.Resolve)
            .WithSummary("A shopper's status, name, payment hint and whether a face is enrolled (never the template)");

        api.MapPost("/shoppers", EnrolAsync)
            .RequireAuthorization(ConsolePolicies.Resolve)
            .WithSummary("Enrol a shopper whose face a gate device recognises itself (consent required); photos are enrolled in the console");

        api.MapPut("/shoppers/{shopperId}/payment-method", ChangePaymentAsync)
            .RequireAuthorization(ConsolePolicies.Resolve)
            .WithSummary("Change a shopper's payment method");

        api.MapDelete("/shoppers/{shopperId}", EraseAsync)
            .RequireAuthorization(ConsolePolicies.Supervise)
            .WithSummary("Erase a shopper's personal data and face; receipts keep the id only");

        api.MapGet("/audit", async (AuditLog audit, int? limit, CancellationToken ct) => await audit.NewestAsync(Math.Clamp(limit ?? 100, 1, 1000), ct))
            .RequireAuthorization(ConsolePolicies.Audit)
            .WithSummary("The audit log, newest first");
        return routes;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ResolveAsync(string visitId, ReviewDecisionRequest request, HttpContext http, IStoreOperations store, AuditLog audit, CancellationToken ct)
    {
        var read = ReviewDecision.Read(request.Decision, request.Lines);
        if (string.IsNullOrWhiteSpace(request.Note) || read.Refusal is not null)
        {
            return BadRequest(read.Refusal ?? "a decision needs a note (what you checked)");
        }

        var who = Who(http);
        if (await store.ResolveReviewAsync(visitId, who, read.Units, request.Note, ct) is { } refused)
        {
            await audit.RecordAsync(who, "review refused", $"{visitId}: {refused} (api)", ct);
            return Conflict(refused);
        }

        await audit.RecordAsync(who, "review resolved", $"{visitId}: {request.Decision}; {request.Note} (api)", ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RefundAsync(string visitId, RefundRequest request, HttpContext http, IStoreOperations store, AuditLog audit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Sku) || request.Units is not (>= 1 and <= 99) || string.IsNullOrWhiteSpace(request.Reason))
        {
            return BadRequest("a refund needs a sku, units from 1 to 99 and a reason");
        }

        var who = Who(http);
        if (await store.RefundAsync(visitId, request.Sku, request.Units.Value, request.Reason, who, ct) is { } refused)
        {
            await audit.RecordAsync(who, "refund refused", $"{visitId}: {request.Units}× {request.Sku}: {refused} (api)", ct);
            return Conflict(refused);
        }

        await audit.RecordAsync(who, "refund", $"{visitId}: {request.Units}× {request.Sku}; {request.Reason} (api)", ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<ShopperView>, ProblemHttpResult>> EnrolAsync(ShopperEnrolmentRequest request, HttpContext http, IStoreOperations store, AuditLog audit, CancellationToken ct)
    {
        if (EnrolmentRefusal(request) is { } malformed)
        {
            return BadRequest(malformed);
        }

        var who = Who(http);
        var outcome = await store.EnrolWithFaceReferenceAsync(request.ShopperId!.Trim(), request.Name!.Trim(), request.PaymentToken!.Trim(), request.FaceReference!.Trim(), DateTimeOffset.UtcNow, ct);
        if (!outcome.Done || outcome.Shopper is null)
        {
            var refused = outcome.Refusals.Count > 0 ? string.Join("; ", outcome.Refusals) : "the store enrolled nobody";
            await audit.RecordAsync(who, "enrolment refused", $"{request.ShopperId}: {refused} (api)", ct);
            return Conflict(refused);
        }

        await audit.RecordAsync(who, "shopper enrolled", $"{outcome.Shopper.ShopperId} with a device's face reference (api)", ct);
        return TypedResults.Created($"{Root}/v1/shoppers/{Uri.EscapeDataString(outcome.Shopper.ShopperId)}", outcome.Shopper);
    }

    private static string? EnrolmentRefusal(ShopperEnrolmentRequest request)
    {
        foreach (var (field, value) in new[] { ("shopperId", request.ShopperId), ("name", request.Name), ("paymentToken", request.PaymentToken), ("faceReference", request.FaceReference) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                return $"'{field}' is required";
            }

            if (value.Length > 200)
            {
                return $"'{field}' is longer than 200 characters";
            }
        }

        return request.Consent == true ? null : "enrolment needs the shopper's consent ('consent': true)";
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePaymentAsync(string shopperId, PaymentMethodRequest request, HttpContext http, IStoreOperations store, AuditLog audit, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.PaymentToken))
        {
            return BadRequest("a payment token is required");
        }

        var who = Who(http);
        if (await store.ChangePaymentMethodAsync(shopperId, request.PaymentToken.Trim(), ct) is { } refused)
        {
            await audit.RecordAsync(who, "payment change refused", $"{shopperId}: {refused} (api)", ct);
            return Conflict(refused);
        }

        await audit.RecordAsync(who, "payment method changed", $"{shopperId} (api)", ct);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> EraseAsync(string shopperId, HttpContext http, IStoreOperations store, AuditLog audit, CancellationToken ct)
    {
        var who = Who(http);
        if (await store.EraseShopperAsync(shopperId, ct) is { } refused)
        {
            await audit.RecordAsync(who, "erasure refused", $"{shopperId}: {refused} (api)", ct);
            return refused.StartsWith("no shopper", StringComparison.Ordinal) ? NotFound(refused) : Conflict(refused);
        }

        await audit.RecordAsync(who, "shopper erased", $"{shopperId} (api)", ct);
        return TypedResults.NoContent();
    }

    private static string Who(HttpContext http) => http.User.Identity?.Name ?? "?";

    private static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "malformed request");

    private static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "refused by the store");

    private static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "not found");

    private static ProblemHttpResult NotConnected() => TypedResults.Problem("this console is not connected to a store", statusCode: StatusCodes.Status503ServiceUnavailable, title: "no store");
}
