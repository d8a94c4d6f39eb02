using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.ReadModels;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Pages;

/// <summary>
/// Shoppers: find one, enrol one from photos with consent, re-enrol a face, change the payment method
/// (operators and supervisors), erase (supervisors). The face pipeline's refusals are shown one per photo.
/// With no shopper open it lists them from the shoppers read model (ids, status and times only); the name and the
/// payment hint of the one an operator opens come from the node, live, as they are sealed everywhere else.
/// </summary>
[Authorize(Policy = ConsolePolicies.Resolve)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUpload)]
[RequestSizeLimit(MaxUpload)]
public sealed class ShoppersModel(IStoreOperations store, VisitQueries queries, ShopperQueries shoppers, AuditLog audit, TimeProvider clock) : PageModel
{
    public const int MaxPhotoBytes = 8 * 1024 * 1024;

    /// <summary>The most shoppers the list shows: the newest, then a narrower search finds the rest.</summary>
    public const int ListLimit = 200;

    private const int MaxUpload = 5 * MaxPhotoBytes + 64 * 1024;

    [BindProperty(SupportsGet = true)]
    public string? Id { get; set; }

    /// <summary>The list's filter: <c>enrolled</c>, <c>erased</c> or empty for both.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    /// <summary>The list's search: the start of a shopper id.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Prefix { get; set; }

    public ShopperView? Shopper { get; private set; }

    public IReadOnlyList<ShopperDocument> Listed { get; private set; } = [];

    public IReadOnlyDictionary<ShopperStatus, int> Counts { get; private set; } = new Dictionary<ShopperStatus, int>();

    public IReadOnlyList<VisitDocument> Visits { get; private set; } = [];

    public IReadOnlyList<string> Refusals { get; private set; } = [];

    public string? Done { get; private set; }

    public bool MayErase => User.IsInRole(OperatorRoles.Supervisor);

    private string Who => User.Identity?.Name ?? "?";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostEnrolAsync(string? name, string? paymentToken, bool consent, List<IFormFile>? photos, CancellationToken cancellationToken)
    {
        var read = await ReadPhotosAsync(photos, cancellationToken);
        var refusal = (Id, name, paymentToken, consent) switch
        {
            (null or "", _, _, _) => "a shopper id is required",
            (_, null or "", _, _) => "a name is required",
            (_, _, null or "", _) => "a payment token is required",
            (_, _, _, false) => "the shopper's explicit consent is required",
            _ => read.Refusal,
        };
        if (refusal is not null)
        {
            return await RefusedAsync([refusal], StatusCodes.Status400BadRequest, cancellationToken);
        }

        var outcome = await store.EnrolShopperAsync(Id!.Trim(), name!.Trim(), paymentToken!.Trim(), read.Photos, clock.GetUtcNow(), cancellationToken);
        return await AfterEnrolmentAsync("shopper enrolled", outcome, cancellationToken);
    }

    public async Task<IActionResult> OnPostFaceAsync(bool consent, List<IFormFile>? photos, CancellationToken cancellationToken)
    {
        var read = await ReadPhotosAsync(photos, cancellationToken);
        var refusal = string.IsNullOrWhiteSpace(Id) ? "which shopper?" : !consent ? "the shopper's explicit consent is required" : read.Refusal;
        if (refusal is not null)
        {
            return await RefusedAsync([refusal], StatusCodes.Status400BadRequest, cancellationToken);
        }

        var outcome = await store.EnrolFaceAsync(Id!.Trim(), read.Photos, clock.GetUtcNow(), cancellationToken);
        return await AfterEnrolmentAsync("face enrolled", outcome, cancellationToken);
    }

    public async Task<IActionResult> OnPostPaymentAsync(string? paymentToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Id) || string.IsNullOrWhiteSpace(paymentToken))
        {
            return await RefusedAsync(["which shopper, and the new payment token?"], StatusCodes.Status400BadRequest, cancellationToken);
        }

        if (await store.ChangePaymentMethodAsync(Id.Trim(), paymentToken.Trim(), cancellationToken) is { } refused)
        {
            await audit.RecordAsync(Who, "payment change refused", $"{Id}: {refused}", cancellationToken);
            return await RefusedAsync([refused], StatusCodes.Status409Conflict, cancellationToken);
        }

        await audit.RecordAsync(Who, "payment method changed", Id.Trim(), cancellationToken);
        return RedirectToPage(new { id = Id.Trim() });
    }

    // Razor Pages ignore authorization attributes on handlers: erasure checks the supervisor role itself.
    public async Task<IActionResult> OnPostEraseAsync(string? confirm, CancellationToken cancellationToken)
    {
        if (!MayErase)
        {
            return Forbid();
        }

        if (string.IsNullOrWhiteSpace(Id) || !string.Equals(Id.Trim(), confirm?.Trim(), StringComparison.Ordinal))
        {
            return await RefusedAsync(["type the shopper's id exactly to confirm the erasure"], StatusCodes.Status400BadRequest, cancellationToken);
        }

        if (await store.EraseShopperAsync(Id.Trim(), cancellationToken) is { } refused)
        {
            await audit.RecordAsync(Who, "erasure refused", $"{Id}: {refused}", cancellationToken);
            return await RefusedAsync([refused], StatusCodes.Status409Conflict, cancellationToken);
        }

        await audit.RecordAsync(Who, "shopper erased", Id.Trim(), cancellationToken);
        return RedirectToPage(new { id = Id.Trim() });
    }

    private async Task<IActionResult> AfterEnrolmentAsync(string action, EnrolmentOutcome outcome, CancellationToken cancellationToken)
    {
        if (!outcome.Done)
        {
            await audit.RecordAsync(Who, "enrolment refused", $"{Id}: {string.Join("; ", outcome.Refusals)}", cancellationToken);
            return await RefusedAsync(outcome.Refusals, StatusCodes.Status422UnprocessableEntity, cancellationToken);
        }

        await audit.RecordAsync(Who, action, Id!.Trim(), cancellationToken);
        return RedirectToPage(new { id = Id.Trim() });
    }

    private async Task<IActionResult> RefusedAsync(IReadOnlyList<string> refusals, int status, CancellationToken cancellationToken)
    {
        Refusals = refusals;
        await LoadAsync(cancellationToken);
        return new PageResult { StatusCode = status };
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(Id))
        {
            var search = new ShopperSearch { Status = Api.ShopperResource.Parse(Status), IdPrefix = string.IsNullOrWhiteSpace(Prefix) ? null : Prefix.Trim(), Limit = ListLimit };
            Listed = await shoppers.ListAsync(search, cancellationToken);
            Counts = await shoppers.CountByStatusAsync(cancellationToken);
            return;
        }

        Id = Id.Trim();
        Shopper = await store.FindShopperAsync(Id, cancellationToken);
        Visits = Shopper is null ? [] : await queries.VisitsOfAsync(Id, 50, cancellationToken);
    }

    private static async Task<(IReadOnlyList<ReadOnlyMemory<byte>> Photos, string? Refusal)> ReadPhotosAsync(List<IFormFile>? files, CancellationToken cancellationToken)
    {
        if (files is null || files.Count is < 1 or > 5)
        {
            return ([], $"{files?.Count ?? 0} photos: enrol with 1 to 5");
        }

        var photos = new List<ReadOnlyMemory<byte>>(files.Count);
        foreach (var file in files)
        {
            if (file.Length is 0 or > MaxPhotoBytes)
            {
                return ([], $"photo '{file.FileName}' is {file.Length:N0} bytes: a photo is 1 byte to {MaxPhotoBytes / (1024 * 1024)} MiB");
            }

            using var copy = new MemoryStream((int)file.Length);
            await file.CopyToAsync(copy, cancellationToken);
            photos.Add(copy.ToArray());
        }

        return (photos, null);
    }
}
