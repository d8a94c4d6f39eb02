using System.Text.Json.Serialization;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using SmartStore.Payments;

namespace SmartStore.Node.Persistence;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FloorBatch))]
[JsonSerializable(typeof(FloorSnapshot))]
[JsonSerializable(typeof(VisitOpened))]
[JsonSerializable(typeof(VisitSettled))]
[JsonSerializable(typeof(VisitSentToReview))]
[JsonSerializable(typeof(ReviewResolved))]
[JsonSerializable(typeof(ReceiptIssued))]
[JsonSerializable(typeof(DisputeOpened))]
[JsonSerializable(typeof(DisputeDecided))]
[JsonSerializable(typeof(RefundRecorded))]
[JsonSerializable(typeof(AccountKeyIssued))]
[JsonSerializable(typeof(SealedShopperEnrolled))]
[JsonSerializable(typeof(SealedPaymentMethodChanged))]
[JsonSerializable(typeof(SealedFaceTemplate))]
[JsonSerializable(typeof(Domain.Accounts.ShopperErased))]
[JsonSerializable(typeof(ErasedAccountSnapshot))]
[JsonSerializable(typeof(PaymentCaptured))]
[JsonSerializable(typeof(PaymentDeclined))]
[JsonSerializable(typeof(DebtRecorded))]
[JsonSerializable(typeof(RefundIssued))]
[JsonSerializable(typeof(ReceiptBookSnapshot))]
[JsonSerializable(typeof(DebtBookSnapshot))]
internal sealed partial class StoredJson : JsonSerializerContext;

/// <summary>The node's stored types and their names. A name never changes once released; a new shape is a new version with an upcaster.</summary>
public static class NodeCatalog
{
    public static EventCatalog Create() => new EventCatalog()
        .Register("floor-batch", 1, StoredJson.Default.FloorBatch)
        .Register("floor-snapshot", 1, StoredJson.Default.FloorSnapshot)
        .Register("visit-opened", 1, StoredJson.Default.VisitOpened)
        .Register("visit-settled", 1, StoredJson.Default.VisitSettled)
        .Register("visit-sent-to-review", 1, StoredJson.Default.VisitSentToReview)
        .Register("review-resolved", 1, StoredJson.Default.ReviewResolved)
        .Register("receipt-issued", 1, StoredJson.Default.ReceiptIssued)
        .Register("dispute-opened", 1, StoredJson.Default.DisputeOpened)
        .Register("dispute-decided", 1, StoredJson.Default.DisputeDecided)
        .Register("refund-recorded", 1, StoredJson.Default.RefundRecorded)
        .Register("account-key-issued", 1, StoredJson.Default.AccountKeyIssued)
        .Register("shopper-enrolled", 1, StoredJson.Default.SealedShopperEnrolled)
        .Register("payment-method-changed", 1, StoredJson.Default.SealedPaymentMethodChanged)
        .Register("face-template-enrolled", 1, StoredJson.Default.SealedFaceTemplate)
        .Register("shopper-erased", 1, StoredJson.Default.ShopperErased)
        .Register("erased-account", 1, StoredJson.Default.ErasedAccountSnapshot)
        .Register("payment-captured", 1, StoredJson.Default.PaymentCaptured)
        .Register("payment-declined", 1, StoredJson.Default.PaymentDeclined)
        .Register("debt-recorded", 1, StoredJson.Default.DebtRecorded)
        .Register("refund-issued", 1, StoredJson.Default.RefundIssued)
        .Register("receipt-book", 1, StoredJson.Default.ReceiptBookSnapshot)
        .Register("debt-book", 1, StoredJson.Default.DebtBookSnapshot);
}
