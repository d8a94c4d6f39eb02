using Akka.Actor;
using Akka.Persistence.Query;
using SmartStore.Node.Persistence;
using SmartStore.Node.Protocol;
using SmartStore.Payments;

namespace SmartStore.Node.Projections;

/// <summary>
/// What each shopper owes: every recorded debt (tag <c>debts</c>), by visit, so the gate's entry decision asks
/// one actor instead of reading the shopper's whole history on every entry.
/// </summary>
public sealed class DebtProjectionActor(ProjectionSettings settings) : TagProjection("debts", Tags.Debts, settings)
{
    private readonly Dictionary<string, Dictionary<string, long>> _debts = new(StringComparer.Ordinal);

    protected override void Apply(EventEnvelope envelope)
    {
        if (envelope.Event is DebtRecorded debt)
        {
            if (!_debts.TryGetValue(debt.ShopperId, out var visits))
            {
                _debts[debt.ShopperId] = visits = new Dictionary<string, long>(StringComparer.Ordinal);
            }

            visits[debt.VisitId] = debt.AmountMinor;
        }
    }

    protected override bool Answer(object message)
    {
        if (message is not GetDebt get)
        {
            return false;
        }

        Sender.Tell(new DebtOf(get.ShopperId, _debts.TryGetValue(get.ShopperId, out var visits) ? visits.Values.Sum() : 0));
        return true;
    }

    protected override object Snapshot(long offset, long events) =>
        new DebtBookSnapshot(offset, events, _debts.ToDictionary(d => d.Key, d => (IReadOnlyDictionary<string, long>)d.Value, StringComparer.Ordinal));

    protected override (long Offset, long Events) Restore(object snapshot)
    {
        var stored = (DebtBookSnapshot)snapshot;
        foreach (var (shopper, visits) in stored.DebtsByShopper)
        {
            _debts[shopper] = new Dictionary<string, long>(visits, StringComparer.Ordinal);
        }

        return (stored.Offset, stored.Events);
    }
}
