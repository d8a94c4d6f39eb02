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

    public async Task OnGetAsync(CancellationToken cancellationToken) => Waiting = await queries.ReviewQueueAsync(200, cancellationToken);

    public async Task<IActionResult> OnPostResolveAsync(string? visitId, string? decision, string? note, CancellationToken cancellationToken)
    {
        var who = User.Identity?.Name ?? "?";
        IReadOnlyDictionary<string, int>? units = decision switch
        {
            "charge" => null,
            "void" => new Dictionary<string, int>(),
            _ => null,
        };
        // A malformed decision is the request's fault (400); a refusal by the visit's rules is the store's answer (409).
        Refusal = (visitId, decision, note) switch
        {
            (null or "", _, _) => "which visit?",
            (_, not ("charge" or "void"), _) => "the decision is 'charge' or 'void'",
            (_, _, null or "") => "a decision needs a note (what you checked)",
            _ => null,
        };
        var status = StatusCodes.Status400BadRequest;
        if (Refusal is null)
        {
            Refusal = await store.ResolveReviewAsync(visitId!, who, units, note!, cancellationToken);
            status = StatusCodes.Status409Conflict;
        }

        if (Refusal is not null)
        {
            await audit.RecordAsync(who, "review refused", $"{visitId}: {Refusal}", cancellationToken);
            Waiting = await queries.ReviewQueueAsync(200, cancellationToken);
            return new PageResult { StatusCode = status };
        }

        await audit.RecordAsync(who, "review resolved", $"{visitId}: {(decision == "void" ? "voided" : "charged as proposed")}; {note}", cancellationToken);
        return RedirectToPage();
    }
}
