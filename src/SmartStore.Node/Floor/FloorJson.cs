using System.Text.Json.Serialization;

namespace SmartStore.Node.Floor;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(FloorBatch))]
internal sealed partial class FloorJson : JsonSerializerContext;
