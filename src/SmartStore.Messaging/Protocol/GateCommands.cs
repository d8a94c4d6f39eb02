using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartStore.Messaging.Protocol;

/// <summary>
/// What the node tells a gate device, on <c>smartstore/{store}/gate/{gate}/commands</c>: <c>open</c> lets
/// <c>party</c> people through for a visit; <c>deny</c> keeps the gate shut and shows <c>reason</c>.
/// </summary>
public sealed record GateCommand(int V, string Gate, string Command, string? Visit, int? Party, string? Reason, long Ts)
{
    public const string Open = "open";

    public const string Deny = "deny";

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, CommandJson.Default.GateCommand);

    public static GateCommand? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, CommandJson.Default.GateCommand);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GateCommand))]
internal sealed partial class CommandJson : JsonSerializerContext;
