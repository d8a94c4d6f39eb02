using SmartStore.Domain.Visits;

namespace SmartStore.Node.Persistence;

// How the node stores what the domain's events and the projections' state do not store as they are.

/// <summary>
/// The first event of a shopper's account stream: the key that seals the account's personal fields. Erasure
/// deletes the stream's rows, this one with them, so what is left of the sealed fields anywhere can no longer be
/// opened; the personal fields themselves never reach the database in the clear.
/// </summary>
public sealed record AccountKeyIssued(string Key);

/// <summary><see cref="Domain.Accounts.ShopperEnrolled"/> with its personal fields sealed by the account's key.</summary>
public sealed record SealedShopperEnrolled(string ShopperId, string Name, string FaceTemplateRef, string PaymentToken, DateTimeOffset ConsentedAt);

/// <summary>
/// <see cref="Domain.Accounts.FaceTemplateEnrolled"/> with the template sealed by the shopper's key (the key lives in
/// the key vault, never in the journal): the little-endian float32 values, sealed, base64.
/// </summary>
public sealed record SealedFaceTemplate(string Template, DateTimeOffset ConsentedAt);

/// <summary><see cref="Domain.Accounts.PaymentMethodChanged"/> with the token sealed.</summary>
public sealed record SealedPaymentMethodChanged(string PaymentToken);

/// <summary>An account's snapshot: taken only when it is erased, so it holds nothing personal.</summary>
public sealed record ErasedAccountSnapshot(DateTimeOffset ErasedAt);

/// <summary>The receipt projection's state with the tag offset it has read to (one snapshot: both or neither).</summary>
public sealed record ReceiptBookSnapshot(long Offset, long Events, IReadOnlyList<VisitState> Visits);

/// <summary>The debt projection's state with its tag offset: what each shopper owes, by visit.</summary>
public sealed record DebtBookSnapshot(long Offset, long Events, IReadOnlyDictionary<string, IReadOnlyDictionary<string, long>> DebtsByShopper);

/// <summary>The tags events carry so the projections can read them across every entity.</summary>
public static class Tags
{
    /// <summary>Every visit event: receipts, reviews, the store's history counters.</summary>
    public const string Visits = "visits";

    /// <summary>Debts recorded (declined visits): the gate's debt lookup.</summary>
    public const string Debts = "debts";

    /// <summary>
    /// Every shopper account event (sealed as stored, so the tag reveals only that an account changed): the console's
    /// shoppers read model.
    /// </summary>
    public const string Accounts = "accounts";
}
