using System.Text.Json.Serialization;

namespace SmartStore.Node.Visits;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(VisitOpened))]
[JsonSerializable(typeof(VisitSettled))]
[JsonSerializable(typeof(VisitSentToReview))]
[JsonSerializable(typeof(ReviewResolved))]
[JsonSerializable(typeof(ReceiptIssued))]
[JsonSerializable(typeof(DisputeOpened))]
[JsonSerializable(typeof(DisputeDecided))]
[JsonSerializable(typeof(RefundRecorded))]
[JsonSerializable(typeof(VisitState))]
internal sealed partial class VisitJson : JsonSerializerContext;
