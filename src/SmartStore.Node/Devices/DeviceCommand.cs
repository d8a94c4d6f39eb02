using SmartStore.Messaging.Protocol;

namespace SmartStore.Node.Devices;

/// <summary>What device actors (gates, cameras, shelves) receive.</summary>
public abstract record DeviceCommand
{
    private DeviceCommand()
    {
    }

    /// <summary>One parsed message from the device, with the promise its transport waits on.</summary>
    public sealed record Inbound(DeviceMessage Message, DeliveryAck Ack) : DeviceCommand;

    internal sealed record Tick : DeviceCommand
    {
        public static readonly Tick Instance = new();
    }
}
