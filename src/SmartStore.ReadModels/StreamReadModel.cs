using Akka.Persistence.Query;
using Marten;

namespace SmartStore.ReadModels;

/// <summary>
/// A read model of one document per entity stream (persistence id <c>{prefix}{id}</c>), folded from the events
/// carrying its tag. The documents and the checkpoint are written in one Marten session, so one transaction: after
/// a crash the checkpoint says exactly which events the stored documents contain. An event at or below the
/// checkpoint is skipped, so a batch read again (the query resumed from an older offset) changes nothing.
/// </summary>
public abstract class StreamReadModel<TDocument>(IDocumentStore store, string name, string tag, string streamPrefix) : ITaggedReadModel
    where TDocument : class
{
    public string Tag => tag;

    /// <summary>The offset of the last event the stored documents contain (0: none).</summary>
    public async Task<ProjectionCheckpoint> CheckpointAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<ProjectionCheckpoint>(name, cancellationToken) ?? new ProjectionCheckpoint(name, 0, 0);
    }

    public async Task<ProjectionCheckpoint> ApplyAsync(IReadOnlyList<EventEnvelope> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        await using var session = store.LightweightSession();
        var checkpoint = await session.LoadAsync<ProjectionCheckpoint>(name, cancellationToken) ?? new ProjectionCheckpoint(name, 0, 0);
        var fresh = batch.Where(e => OffsetOf(e) > checkpoint.Offset).ToList();
        if (fresh.Count == 0)
        {
            return checkpoint;
        }

        var ids = fresh.Select(IdOf).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var documents = (await session.LoadManyAsync<TDocument>(cancellationToken, ids)).ToDictionary(DocumentId, StringComparer.Ordinal);
        foreach (var envelope in fresh)
        {
            if (IdOf(envelope) is { } id && Evolve(documents.GetValueOrDefault(id), id, envelope) is { } evolved)
            {
                documents[id] = evolved;
            }
        }

        checkpoint = checkpoint with { Offset = OffsetOf(fresh[^1]), Events = checkpoint.Events + fresh.Count };
        if (documents.Count > 0)
        {
            session.Store(documents.Values.ToArray());
        }

        session.Store(checkpoint);
        await session.SaveChangesAsync(cancellationToken);
        return checkpoint;
    }

    /// <summary>The document's id (its entity's id).</summary>
    protected abstract string DocumentId(TDocument document);

    /// <summary>The document after one stored event of entity <paramref name="id"/>; null when the event changes nothing here.</summary>
    protected abstract TDocument? Evolve(TDocument? known, string id, EventEnvelope envelope);

    protected static long OffsetOf(EventEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return envelope.Offset is Sequence sequence ? sequence.Value : 0;
    }

    private string? IdOf(EventEnvelope envelope) =>
        envelope.PersistenceId.StartsWith(streamPrefix, StringComparison.Ordinal) ? envelope.PersistenceId[streamPrefix.Length..] : null;
}
