using Akka.Persistence.Query;
using Marten;
using SmartStore.Domain.Accounts;
using SmartStore.Node.Persistence;

namespace SmartStore.ReadModels;

/// <summary>
/// Folds a batch of account events (tag <c>accounts</c>) into <see cref="ShopperDocument"/>s, with the checkpoint in
/// the same Marten session as the documents (one transaction), and skips what is at or below the checkpoint: the
/// same contract as <see cref="VisitReadModel"/>. It reads only what the events hold in the clear; a sealed field is
/// never opened here (the read side has no key, and must not have one).
/// </summary>
public sealed class ShopperReadModel(IDocumentStore store) : ITaggedReadModel
{
    /// <summary>The checkpoint's id: one per read model.</summary>
    public const string Name = "shoppers";

    public string Tag => Tags.Accounts;

    private const string StreamPrefix = "shopper-";

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

        var ids = fresh.Select(ShopperIdOf).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        var documents = (await session.LoadManyAsync<ShopperDocument>(cancellationToken, ids)).ToDictionary(d => d.Id, StringComparer.Ordinal);
        foreach (var envelope in fresh)
        {
            if (ShopperIdOf(envelope) is { } shopperId)
            {
                documents.TryGetValue(shopperId, out var known);
                if (Evolve(known, shopperId, envelope) is { } evolved)
                {
                    documents[shopperId] = evolved;
                }
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

    /// <summary>The document after one stored event; null when the event says nothing to the list.</summary>
    private static ShopperDocument? Evolve(ShopperDocument? known, string shopperId, EventEnvelope envelope)
    {
        var offset = OffsetOf(envelope);

        // Once erased, always erased (the rules never enrol an erased id again): what follows the erasure in the
        // journal is the erasure repeated for the read side, and the first time it was recorded stays.
        if (known is { Status: ShopperStatus.Erased })
        {
            return known with { Offset = offset };
        }

        var enrolled = known ?? new ShopperDocument(shopperId, ShopperStatus.Enrolled, null, false, null, null, null, offset);
        return envelope.Event switch
        {
            SealedShopperEnrolled e => enrolled with { EnrolledAt = e.ConsentedAt, Offset = offset },
            SealedFaceTemplate f => enrolled with { FaceEnrolled = true, FaceEnrolledAt = f.ConsentedAt, Offset = offset },

            // The change holds only the sealed token: the journal's own write time is the change's time.
            SealedPaymentMethodChanged => enrolled with { PaymentChangedAt = WrittenAt(envelope), Offset = offset },
            ShopperErased erased => ShopperDocument.Erased(shopperId, erased.ErasedAt, offset),
            _ => null,
        };
    }

    private static long OffsetOf(EventEnvelope envelope) => envelope.Offset is Sequence sequence ? sequence.Value : 0;

    // The SQL journal stamps each row with DateTime.UtcNow.Ticks (UTC ticks, not Unix milliseconds).
    private static DateTimeOffset WrittenAt(EventEnvelope envelope) => new(envelope.Timestamp, TimeSpan.Zero);

    private static string? ShopperIdOf(EventEnvelope envelope) =>
        envelope.PersistenceId.StartsWith(StreamPrefix, StringComparison.Ordinal) ? envelope.PersistenceId[StreamPrefix.Length..] : null;
}
