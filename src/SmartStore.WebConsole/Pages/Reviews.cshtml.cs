using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.WebConsole.Audit;
using SmartStore.ReadModels;

namespace SmartStore.WebConsole.Pages;

[Authorize(Policy = ConsolePolicies.Resolve)]
public sealed class ReviewsModel(VisitQueries queries, IStoreOperations store, AuditLog audit) : PageModel
{
    public IReadOnlyList<VisitDocument> Waiting { get; private set; } = [];

    public string? Refusal { get; private set; }

    /// <summary>The store's layout, for how far each candidate was from the bin (null when no store is connected).</summary>
    public SmartStore.Domain.Layouts.StoreLayout? Layout => store.Layout;

    public async Task OnGetAsync(CancellationToken cancellationToken) => Waiting = await queries.ReviewQueueAsync(200, cancellationToken);

    public async Task<IActionResult> OnPostResolveAsync(string? visitId, string? decision, string? lines, string? note, CancellationToken cancellationToken)
    {
        var who = User.Identity?.Name ?? "?";
        var read = ReviewDecision.Read(decision, lines);

        // A malformed decision is the request's fault (400); a refusal by the visit's rules is the store's answer (409).
        Refusal = (visitId, note) switch
        {
            (null or "", _) => "which visit?",
            (_, null or "") => "a decision needs a note (what you checked)",
            _ => read.Refusal,
        };
        var status = StatusCodes.Status400BadRequest;
        if (Refusal is null)
        {
            Refusal = await store.ResolveReviewAsync(visitId!, who, read.Units, note!, cancellationToken);
            status = StatusCodes.Status409Conflict;
        }

        if (Refusal is not null)
        {
            await audit.RecordAsync(who, "review refused", $"{visitId}: {Refusal}", cancellationToken);
            Waiting = await queries.ReviewQueueAsync(200, cancellationToken);
            return new PageResult { StatusCode = status };
        }

        var what = read.Units switch
        {
            null => "charged as proposed",
            { Count: 0 } => "voided",
            var units => $"charged corrected lines {string.Join(", ", units.Select(u => $"{u.Key}={u.Value}"))}",
        };
        await audit.RecordAsync(who, "review resolved", $"{visitId}: {what}; {note}", cancellationToken);
        return RedirectToPage();
    }
}
