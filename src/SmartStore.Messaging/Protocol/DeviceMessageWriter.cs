using System.Text.Json;

namespace SmartStore.Messaging.Protocol;

/// <summary>Writes device messages exactly as devices send them (the simulator, the demo feed and tests use it).</summary>
public static class DeviceMessageWriter
{
    public static byte[] ToJson(DeviceMessage message) => message switch
    {
        GateEvent gate => JsonSerializer.SerializeToUtf8Bytes(gate, ProtocolJson.Default.GateEvent),
        WeightReport weight => JsonSerializer.SerializeToUtf8Bytes(weight, ProtocolJson.Default.WeightReport),
        CameraObservation seen => JsonSerializer.SerializeToUtf8Bytes(seen, ProtocolJson.Default.CameraObservation),
        null => throw new ArgumentNullException(nameof(message)),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "Unknown device message."),
    };

    /// <summary>The topic a device publishes this message on.</summary>
    public static string TopicOf(string store, DeviceMessage message) => message switch
    {
        GateEvent => Topics.For(store, DeviceKind.Gate, message.Device),
        WeightReport => Topics.For(store, DeviceKind.Shelf, message.Device),
        CameraObservation => Topics.For(store, DeviceKind.Camera, message.Device),
        null => throw new ArgumentNullException(nameof(message)),
        _ => throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "Unknown device message."),
    };
}
