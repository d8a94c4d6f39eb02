using Akka.Persistence.Query;
using Marten;
using SmartStore.Node.Persistence;
using SmartStore.Domain.Visits;

namespace SmartStore.ReadModels;

/// <summary>
/// Folds visit events (tag <c>visits</c>) into <see cref="VisitDocument"/>s with the visit's own rules
/// (<see cref="VisitRules.Evolve"/>), so the read side never disagrees with the visit about a receipt.
/// </summary>
public sealed class VisitReadModel(IDocumentStore store) : StreamReadModel<VisitDocument>(store, Name, Tags.Visits, "visit-")
{
    /// <summary>The checkpoint's id: one per read model.</summary>
    public const string Name = "visits";

    protected override string DocumentId(VisitDocument document) => document.Id;

    protected override VisitDocument? Evolve(VisitDocument? known, string id, EventEnvelope envelope) =>
        envelope.Event is IVisitEvent @event
            ? new VisitDocument(id, VisitRules.Evolve(known?.State ?? VisitState.None(id), @event), OffsetOf(envelope))
            : null;
}
