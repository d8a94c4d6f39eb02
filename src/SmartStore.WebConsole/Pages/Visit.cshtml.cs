using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.Domain.Carts;
using SmartStore.ReadModels;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Pages;

/// <summary>One visit: its cart or receipt line by line with the evidence, its disputes, and (for supervisors) refunds.</summary>
[Authorize(Policy = ConsolePolicies.Watch)]
public sealed class VisitModel(VisitQueries queries, IStoreOperations store, AuditLog audit) : PageModel
{
    /// <summary>The store's layout, for how far each candidate of a doubtful change was from the bin.</summary>
    public SmartStore.Domain.Layouts.StoreLayout? Layout => store.Layout;

    [FromRoute]
    public string VisitId { get; set; } = string.Empty;

    public VisitDocument? Visit { get; private set; }

    /// <summary>The visit on the floor, while it is there.</summary>
    public SmartStore.Domain.Fusion.Visit? Live { get; private set; }

    public string? Refusal { get; private set; }

    public string? Done { get; private set; }

    public bool MayRefund => User.IsInRole(OperatorRoles.Supervisor);

    public static string Evidence(CartChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        var e = change.Evidence;
        var what = change.Units > 0 ? $"took {change.Units}" : $"put back {-change.Units}";
        return $"{what} from {e.BinId} · weight change {e.WeightChangeId ?? "none (camera only)"} · {e.ObservationIds.Length} sightings · confidence {e.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}";
    }

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        return Visit is null && Live is null ? NotFound() : Page();
    }

    // Razor Pages ignore authorization attributes on handlers: the page lets every role watch, a refund needs a supervisor.
    public async Task<IActionResult> OnPostRefundAsync(string? sku, int? units, string? reason, CancellationToken cancellationToken)
    {
        if (!MayRefund)
        {
            return Forbid();
        }

        var who = User.Identity?.Name ?? "?";
        Refusal = (sku, units, reason) switch
        {
            (null or "", _, _) => "which product?",
            (_, null or < 1 or > 99, _) => "units are a whole number from 1 to 99",
            (_, _, null or "") => "a refund needs a reason",
            _ => null,
        };
        if (Refusal is not null)
        {
            await LoadAsync(cancellationToken);
            return new PageResult { StatusCode = StatusCodes.Status400BadRequest };
        }

        Refusal = await store.RefundAsync(VisitId, sku!, units!.Value, reason!, who, cancellationToken);
        if (Refusal is not null)
        {
            await audit.RecordAsync(who, "refund refused", $"{VisitId}: {units}× {sku}: {Refusal}", cancellationToken);
            await LoadAsync(cancellationToken);
            return new PageResult { StatusCode = StatusCodes.Status409Conflict };
        }

        await audit.RecordAsync(who, "refund", $"{VisitId}: {units}× {sku}; {reason}", cancellationToken);
        return RedirectToPage(new { visitId = VisitId });
    }

    public async Task<IActionResult> OnPostDecideAsync(string? disputeId, bool? approve, CancellationToken cancellationToken)
    {
        if (!MayRefund)
        {
            return Forbid();
        }

        var who = User.Identity?.Name ?? "?";
        if (string.IsNullOrWhiteSpace(disputeId) || approve is null)
        {
            Refusal = "which dispute, and refund or reject?";
            await LoadAsync(cancellationToken);
            return new PageResult { StatusCode = StatusCodes.Status400BadRequest };
        }

        Refusal = await store.DecideDisputeAsync(VisitId, disputeId, approve.Value, who, approve.Value ? "refunded from the console" : "rejected from the console", cancellationToken);
        await audit.RecordAsync(who, Refusal is null ? (approve.Value ? "refund" : "dispute rejected") : "dispute decision refused", $"{VisitId}/{disputeId}{(Refusal is null ? string.Empty : $": {Refusal}")}", cancellationToken);
        if (Refusal is not null)
        {
            await LoadAsync(cancellationToken);
            return new PageResult { StatusCode = StatusCodes.Status409Conflict };
        }

        return RedirectToPage(new { visitId = VisitId });
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Visit = await queries.VisitAsync(VisitId, cancellationToken);
        var floor = await store.FloorAsync(cancellationToken);
        Live = floor?.Visits.FirstOrDefault(v => v.VisitId == VisitId && v.Status == SmartStore.Domain.Fusion.VisitStatus.Inside);
    }
}
