using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using SmartStore.Node.Health;
using SmartStore.WebConsole.Alerts;
using SmartStore.WebConsole.Audit;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Pages;

/// <summary>Devices and alerts: what came in and what was rejected by reason, silent cells, quiet devices, alerts to acknowledge.</summary>
[Authorize(Policy = ConsolePolicies.Watch)]
public sealed class DevicesModel(IStoreOperations store, AlertAcknowledgements acknowledgements, AuditLog audit, TimeProvider clock) : PageModel
{
    /// <summary>A device quiet this long is shown as a problem: cameras send several frames a second, cells several readings.</summary>
    public static readonly TimeSpan QuietAfter = TimeSpan.FromSeconds(10);

    public HealthSummary? Health { get; private set; }

    public IReadOnlyList<string> SilentBins { get; private set; } = [];

    public IReadOnlyDictionary<string, AlertAcknowledgement> Acknowledged { get; private set; } = new Dictionary<string, AlertAcknowledgement>();

    public DateTimeOffset Now { get; private set; }

    public bool MayAcknowledge => User.IsInRole(OperatorRoles.Operator) || User.IsInRole(OperatorRoles.Supervisor);

    public static string Duration(TimeSpan span) => span < TimeSpan.Zero ? "0 s" : span.TotalMinutes < 2 ? $"{span.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s" : $"{span.TotalMinutes.ToString("0", CultureInfo.InvariantCulture)} min";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public async Task<IActionResult> OnPostAcknowledgeAsync(string? alertId, CancellationToken cancellationToken)
    {
        if (!MayAcknowledge)
        {
            return Forbid();
        }

        var alert = store.Health()?.RecentAlerts.FirstOrDefault(a => AlertAcknowledgements.IdOf(a) == alertId);
        if (alert is null)
        {
            await LoadAsync(cancellationToken);
            return new PageResult { StatusCode = StatusCodes.Status404NotFound };
        }

        var who = User.Identity?.Name ?? "?";
        if (await acknowledgements.AcknowledgeAsync(alert, who, cancellationToken))
        {
            await audit.RecordAsync(who, "alert acknowledged", $"{alert.Kind}: {alert.Detail}", cancellationToken);
        }

        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Now = clock.GetUtcNow();
        Health = store.Health();
        SilentBins = (await store.FloorAsync(cancellationToken))?.SilentBins ?? [];
        Acknowledged = Health is null ? Acknowledged : await acknowledgements.OfAsync(Health.RecentAlerts, cancellationToken);
    }
}
