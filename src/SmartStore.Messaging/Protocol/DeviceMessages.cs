using System.Text.Json.Serialization;

namespace SmartStore.Messaging.Protocol;

/// <summary>The kinds of device, as they appear in topics.</summary>
public enum DeviceKind
{
    Gate,
    Shelf,
    Camera,

    /// <summary>A gate's face camera: it publishes JPEG frames under the gate's own id (<c>gate/{gate}/frames</c>).</summary>
    GateCamera,
}

/// <summary>
/// Every device message, version 1: schema version, device id, the device's own clock (Unix milliseconds) and
/// its per-device sequence number, then the body. Gate events, shelf weights and camera observations each have
/// their own body type; one JSON document per MQTT message.
/// </summary>
public abstract record DeviceMessage(int V, string Device, long Seq, long Ts);

/// <summary>
/// What a gate reports. <c>identified</c>: face recognition named a shopper with a confidence; <c>token</c>: an
/// app QR code or card; <c>crossed</c>: a person track crossed the gate line (inward or not); <c>party</c> is the
/// number of people the payer asks to bring in.
/// </summary>
public sealed record GateEvent(int V, string Device, long Seq, long Ts, string Event, string? Shopper, double? Confidence, string? Token, string? Track, bool? Inward, int? Party)
    : DeviceMessage(V, Device, Seq, Ts);

/// <summary>One raw reading of one bin's load cell.</summary>
public sealed record WeightReport(int V, string Device, long Seq, long Ts, string Bin, double Grams)
    : DeviceMessage(V, Device, Seq, Ts);

/// <summary>A person track in store coordinates (metres), with a hand position when a hand reaches out.</summary>
public sealed record CameraObservation(int V, string Device, long Seq, long Ts, string Track, double[] Body, double[]? Hand)
    : DeviceMessage(V, Device, Seq, Ts);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GateEvent))]
[JsonSerializable(typeof(WeightReport))]
[JsonSerializable(typeof(CameraObservation))]
[JsonSerializable(typeof(GateFrameHeader))]
internal sealed partial class ProtocolJson : JsonSerializerContext;

/// <summary>
/// One JPEG frame from a gate's face camera (binary, see <see cref="GateFrameCodec"/>): device id, device time and
/// sequence as for every device, the party size when the payer started a group entry, then the image bytes.
/// </summary>
public sealed record GateFrame(int V, string Device, long Seq, long Ts, int? Party, ReadOnlyMemory<byte> Image)
    : DeviceMessage(V, Device, Seq, Ts);
