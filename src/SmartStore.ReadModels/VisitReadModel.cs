using Akka.Persistence.Query;
using Marten;
using SmartStore.Node.Persistence;
using SmartStore.Domain.Visits;

namespace SmartStore.ReadModels;

/// <summary>
/// Folds a batch of visit events (tag <c>visits</c>) into <see cref="VisitDocument"/>s. The documents and the
/// checkpoint are written in one Marten session, so one transaction: after a crash the checkpoint says exactly
/// which events the stored documents contain. An event at or below the checkpoint is skipped, so a batch read
/// again (the query resumed from an older offset) changes nothing.
/// </summary>
public sealed class VisitReadModel(IDocumentStore store) : ITaggedReadModel
{
    /// <summary>The checkpoint's id: one per read model.</summary>
    public const string Name = "visits";

    public string Tag => Tags.Visits;

    private const string StreamPrefix = "visit-";

    /// <summary>The offset of the last event the stored documents contain (0: none).</summary>
    public async Task<ProjectionCheckpoint> CheckpointAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ProjectionCheckpoint>(Name, cancellationToken) ?? new ProjectionCheckpoint(Name, 0, 0);
    }

    public async Task<ProjectionCheckpoint> ApplyAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var session = store.LightweightSession();
        var checkpoint = await session.LoadAsync<ProjectionCheckpoint>(Name, cancellationToken) ?? new ProjectionCheckpoint(Name, 0, 0);
        var fresh = batch.Where(e => OffsetOf(e) > checkpoint.Offset).ToList();
        if (fresh.Count == 0)
        {
            return checkpoint;
        }

        var ids = fresh.Select(VisitIdOf).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var documents = (await session.LoadManyAsync<VisitDocument>(cancellationToken, ids)).ToDictionary(d => d.Id, StringComparer.Ordinal);
        foreach (var envelope in fresh)
        {
            if (envelope.Event is IVisitEvent @event && VisitIdOf(envelope) is { } visitId)
            {
                var state = documents.TryGetValue(visitId, out var known) ? known.State : VisitState.None(visitId);
                documents[visitId] = new VisitDocument(visitId, VisitRules.Evolve(state, @event), OffsetOf(envelope));
            }
        }

        checkpoint = checkpoint with { Offset = OffsetOf(fresh[^1]), Events = checkpoint.Events + fresh.Count };
        session.Store(documents.Values.ToArray());
        session.Store(checkpoint);
        await session.SaveChangesAsync(cancellationToken);
        return checkpoint;
    }

    private static long OffsetOf(EventEnvelope envelope) => envelope.Offset is Sequence sequence ? sequence.Value : 0;

    private static string? VisitIdOf(EventEnvelope envelope) =>
        envelope.PersistenceId.StartsWith(StreamPrefix, StringComparison.Ordinal) ? envelope.PersistenceId[StreamPrefix.Length..] : null;
}
