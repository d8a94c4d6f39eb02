using System.Threading.Channels;

namespace SmartStore.Messaging.Transport;

/// <summary>A command the node published, as a device would receive it.</summary>
public sealed record PublishedCommand(string Topic, ReadOnlyMemory<byte> Payload);

/// <summary>
/// The embedded transport: devices (the simulator, the demo, tests) hand messages straight to the node's inbox
/// and read the node's commands from <see cref="Commands"/>. Same contract as a broker: a send completes when
/// the node has made the message durable.
/// </summary>
public sealed class InProcessTransport : ICommandPublisher
{
    private readonly Channel<PublishedCommand> _commands;
    private IDeviceInbox? _inbox;

    /// <param name="commandCapacity">Commands kept for readers; the oldest are dropped beyond it (a device that is not listening misses them, as with a broker without a session).</param>
    public InProcessTransport(int commandCapacity = 10_000)
    {
        _commands = Channel.CreateBounded<PublishedCommand>(new BoundedChannelOptions(commandCapacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false });
    }

    public ChannelReader<PublishedCommand> Commands => _commands.Reader;

    /// <summary>Connects the node's inbox; sends before this fail.</summary>
    public void Connect(IDeviceInbox inbox) => _inbox = inbox ?? throw new ArgumentNullException(nameof(inbox));

    /// <summary>Sends one device message and waits until the node has dealt with it.</summary>
    public ValueTask<Delivery> SendAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        (_inbox ?? throw new InvalidOperationException("No node is connected to this transport.")).DeliverAsync(topic, payload, cancellationToken);

    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        _commands.Writer.TryWrite(new PublishedCommand(topic, payload));
        return default;
    }
}
