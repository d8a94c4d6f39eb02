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
public sealed class ShopperReadModel(IDocumentStore store) : StreamReadModel<ShopperDocument>(store, Name, Tags.Accounts, "shopper-")
{
    /// <summary>The checkpoint's id: one per read model.</summary>
    public const string Name = "shoppers";

    protected override string DocumentId(ShopperDocument document) => document.Id;

    /// <summary>The document after one stored event; null when the event says nothing to the list.</summary>
    protected override ShopperDocument? Evolve(ShopperDocument? known, string id, EventEnvelope envelope)
    {
        var offset = OffsetOf(envelope);

        // Once erased, always erased (the rules never enrol an erased id again): what follows the erasure in the
        // journal is the erasure repeated for the read side, and the first time it was recorded stays.
        if (known is { Status: ShopperStatus.Erased })
        {
            return known with { Offset = offset };
        }

        var enrolled = known ?? new ShopperDocument(id, ShopperStatus.Enrolled, null, false, null, null, null, offset);
        return envelope.Event switch
        {
            SealedShopperEnrolled e => enrolled with { EnrolledAt = e.ConsentedAt, Offset = offset },
            SealedFaceTemplate f => enrolled with { FaceEnrolled = true, FaceEnrolledAt = f.ConsentedAt, Offset = offset },

            // The change holds only the sealed token: the journal's own write time is the change's time.
            SealedPaymentMethodChanged => enrolled with { PaymentChangedAt = WrittenAt(envelope), Offset = offset },
            ShopperErased erased => ShopperDocument.Erased(id, erased.ErasedAt, offset),
            _ => null,
        };
    }

    // The SQL journal stamps each row with DateTime.UtcNow.Ticks (UTC ticks, not Unix milliseconds).
    private static DateTimeOffset WrittenAt(EventEnvelope envelope) => new(envelope.Timestamp, TimeSpan.Zero);
}
