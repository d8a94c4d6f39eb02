namespace SmartStore.Messaging.Transport;

/// <summary>What became of one inbound device message once the node has dealt with it.</summary>
public enum Delivery
{
    /// <summary>Accepted; whatever it changes is stored (safe to acknowledge to the device or broker).</summary>
    Accepted,

    /// <summary>The same device and sequence number was accepted before; nothing changed.</summary>
    Duplicate,

    /// <summary>It arrived after its moment was closed (older than the watermark); counted and flagged, not used.</summary>
    Late,

    /// <summary>Refused (malformed, unknown device, impossible value); counted per reason.</summary>
    Rejected,
}

/// <summary>
/// The node's side of every transport: one call per inbound message. The returned task completes once the
/// message's effect is durable (or it was refused), so a transport acknowledges only then; a failure (the
/// journal is down) faults the task and the transport must not acknowledge.
/// </summary>
public interface IDeviceInbox
{
    ValueTask<Delivery> DeliverAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}

/// <summary>How the node sends commands back to devices (gate open/deny).</summary>
public interface ICommandPublisher
{
    ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);
}

/// <summary>
/// A command publisher whose target is set later: a node needs its publisher when it starts, and the transport
/// that will publish needs the node first. Commands before a target is set are dropped (nothing could carry them).
/// </summary>
public sealed class LateBoundPublisher : ICommandPublisher
{
    private volatile ICommandPublisher? _target;

    public ICommandPublisher? Target
    {
        get => _target;
        set => _target = value;
    }

    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        _target?.PublishAsync(topic, payload, cancellationToken) ?? default;
}
