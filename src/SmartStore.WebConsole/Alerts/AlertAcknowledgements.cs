using System.Security.Cryptography;
using System.Text;
using Marten;
using SmartStore.Domain.Fusion;

namespace SmartStore.WebConsole.Alerts;

/// <summary>An operator saw an alert and took it on: kept in the console's store, so it outlives the node's memory of the alert.</summary>
public sealed record AlertAcknowledgement(string Id, string Kind, long TimeMs, string Detail, string By, DateTimeOffset At);

/// <summary>
/// Which alerts operators have acknowledged. An alert is named by its kind, time and detail (a hash of them), so
/// the same alert reported again is the same alert and an acknowledgement is idempotent.
/// </summary>
public sealed class AlertAcknowledgements(IDocumentStore store, TimeProvider clock)
{
    public static string IdOf(FloorAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{alert.Kind}\n{alert.TimeMs}\n{alert.Detail}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 12));
    }

    public async Task<IReadOnlyDictionary<string, AlertAcknowledgement>> OfAsync(IEnumerable<FloorAlert> alerts, CancellationToken cancellationToken)
    {
        var ids = alerts.Select(IdOf).Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return new Dictionary<string, AlertAcknowledgement>(StringComparer.Ordinal);
        }

        await using var session = store.QuerySession();
        var found = await session.LoadManyAsync<AlertAcknowledgement>(cancellationToken, ids);
        return found.ToDictionary(a => a.Id, StringComparer.Ordinal);
    }

    /// <summary>Records the acknowledgement; false when someone had already acknowledged the alert (theirs stands).</summary>
    public async Task<bool> AcknowledgeAsync(FloorAlert alert, string by, CancellationToken cancellationToken)
    {
        var id = IdOf(alert);
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<AlertAcknowledgement>(id, cancellationToken) is not null)
        {
            return false;
        }

        session.Insert(new AlertAcknowledgement(id, alert.Kind, alert.TimeMs, alert.Detail, by, clock.GetUtcNow()));
        try
        {
            await session.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (JasperFx.DocumentAlreadyExistsException)
        {
            return false;
        }
    }
}
