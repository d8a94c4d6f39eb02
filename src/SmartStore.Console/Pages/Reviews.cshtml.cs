using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.ReadModels;

namespace SmartStore.Console.Pages;

[Authorize(Policy = ConsolePolicies.Resolve)]
public sealed class ReviewsModel(VisitQueries queries) : PageModel
{
    public IReadOnlyList<VisitDocument> Waiting { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Waiting = await queries.ReviewQueueAsync(200, cancellationToken);
}
