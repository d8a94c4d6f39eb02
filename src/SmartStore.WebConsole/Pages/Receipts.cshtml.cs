using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.ReadModels;

namespace SmartStore.WebConsole.Pages;

[Authorize(Policy = ConsolePolicies.Watch)]
public sealed class ReceiptsModel(VisitQueries queries) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? Payer { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Sku { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateTime? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public DateTime? To { get; set; }

    public IReadOnlyList<VisitDocument> Found { get; private set; } = [];

    public static string Money(long minor, string? currency) => $"{(minor / 100m).ToString("0.00", CultureInfo.InvariantCulture)} {currency}";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Found = await queries.ReceiptsAsync(
            new ReceiptSearch
            {
                PayerId = string.IsNullOrWhiteSpace(Payer) ? null : Payer.Trim(),
                Sku = string.IsNullOrWhiteSpace(Sku) ? null : Sku.Trim(),
                From = From is { } from ? new DateTimeOffset(DateTime.SpecifyKind(from, DateTimeKind.Utc)) : null,
                To = To is { } to ? new DateTimeOffset(DateTime.SpecifyKind(to, DateTimeKind.Utc)) : null,
                Limit = 200,
            },
            cancellationToken);
    }
}
