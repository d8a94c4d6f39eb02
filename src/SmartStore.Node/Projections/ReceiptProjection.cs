using Akka.Persistence.Query;
using SmartStore.Domain.Visits;
using SmartStore.Node.Persistence;

namespace SmartStore.Node.Projections;

/// <summary>
/// Every visit event (tag <c>visits</c>) folded with the visit's own rules into its state: the receipt book,
/// the review queue and the store's history counters, which a restarted node therefore counts in full.
/// </summary>
public sealed class ReceiptProjectionActor : TagProjection
{
    private const string StreamPrefix = "visit-";
    private readonly ReceiptBook _book;
    private readonly Dictionary<string, VisitState> _visits = new(StringComparer.Ordinal);

    public ReceiptProjectionActor(ReceiptBook book, ProjectionSettings settings)
        : base("receipts", Tags.Visits, settings) => _book = book;

    protected override void Apply(EventEnvelope envelope)
    {
        if (envelope.Event is not IVisitEvent @event || !envelope.PersistenceId.StartsWith(StreamPrefix, StringComparison.Ordinal))
        {
            return;
        }

        var visitId = envelope.PersistenceId[StreamPrefix.Length..];
        var state = VisitRules.Evolve(_visits.GetValueOrDefault(visitId) ?? VisitState.None(visitId), @event);
        _visits[visitId] = state;
        _book.Update(state);
    }

    protected override object Snapshot(long offset, long events) => new ReceiptBookSnapshot(offset, events, [.. _visits.Values]);

    protected override (long Offset, long Events) Restore(object snapshot)
    {
        var stored = (ReceiptBookSnapshot)snapshot;
        foreach (var visit in stored.Visits)
        {
            _visits[visit.VisitId] = visit;
            _book.Update(visit);
        }

        return (stored.Offset, stored.Events);
    }
}
