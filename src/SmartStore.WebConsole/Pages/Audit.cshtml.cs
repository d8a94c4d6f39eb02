using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.WebConsole.Audit;

namespace SmartStore.WebConsole.Pages;

[Authorize(Policy = ConsolePolicies.Audit)]
public sealed class AuditModel(AuditLog audit) : PageModel
{
    public IReadOnlyList<AuditEntry> Entries { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Entries = await audit.NewestAsync(500, cancellationToken);
}
