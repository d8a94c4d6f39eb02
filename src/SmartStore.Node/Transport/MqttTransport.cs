using Microsoft.Extensions.Logging;
using SmartStore.Actors;
using SmartStore.Messaging.Mqtt;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Transport;

/// <summary>
/// The node over MQTT. The client's network thread fills a bounded inbox; a pump hands each message to the
/// node's inbox and frees its place only once the node has made it durable (or refused it), so the inbox
/// bounds memory and, when the node falls behind, the network thread stops reading and the broker holds the
/// rest in the node's persistent session. Commands to gates go out through the connection's owner actor.
/// </summary>
/// <remarks>
/// The guarantee, given that libmosquitto 2.0 acknowledges a QoS 1 message on receipt: every message the broker
/// handed over is in the inbox or the node until it is durable; a delivery that fails (the journal is down) is
/// retried with back-off, never dropped; stopping the transport first disconnects (the broker keeps what was
/// not yet sent) and then drains the inbox into the node. Only a crash of the process can lose the messages
/// in the inbox at that moment (at most <see cref="MqttOptions.InboxCapacity"/>); duplicates from redelivery
/// are absorbed by the node's (device, sequence) deduplication.
/// </remarks>
public sealed class MqttTransport : ICommandPublisher, IAsyncDisposable
{
    private readonly MqttClient _client;
    private readonly IDeviceInbox _inbox;
    private readonly ActorRef<MqttConnectionCommand> _owner;
    private readonly ILogger _log;
    private readonly Task _pump;
    private readonly long[] _outcomes = new long[Enum.GetValues<Delivery>().Length];
    private long _delivered;
    private long _retries;

    private MqttTransport(MqttClient client, IDeviceInbox inbox, ActorRef<MqttConnectionCommand> owner, ILogger log)
    {
        _client = client;
        _inbox = inbox;
        _owner = owner;
        _log = log;
        _pump = Task.Run(PumpAsync);
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Received => _client.Received;

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>How many deliveries ended in <paramref name="delivery"/>.</summary>
    public long Count(Delivery delivery) => Interlocked.Read(ref _outcomes[(int)delivery]);

    /// <summary>Connects with a persistent session, subscribes to the store's device topics, and starts feeding the node.</summary>
    public static async Task<MqttTransport> StartAsync(MqttOptions options, string storeId, IDeviceInbox inbox, ActorSystem system, ILogger log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(system);
        var client = new MqttClient(options);
        try
        {
            foreach (var pattern in Topics.SubscriptionsFor(storeId))
            {
                client.Subscribe(pattern);
            }

            var owner = system.Spawn(Props.Create(() => new MqttConnectionActor(client)), $"mqtt-{Guid.NewGuid():N}");
            await client.ConnectAsync(cancellationToken);
            return new MqttTransport(client, inbox, owner, log);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public Task<MqttStatus> StatusAsync(CancellationToken cancellationToken = default) =>
        _owner.AskAsync<MqttConnectionCommand, MqttStatus>(reply => new MqttConnectionCommand.GetStatus(reply), TimeSpan.FromSeconds(10), cancellationToken);

    public async ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _owner.Tell(new MqttConnectionCommand.Publish(topic, payload.ToArray(), done));
        await done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Disconnects (the broker keeps the rest for the session), then waits until everything received is in the node.</summary>
    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _pump;
    }

    /// <summary>
    /// Hands messages to the node in arrival order, many at once, but never more than
    /// <see cref="MaxSkewMs"/> of device time ahead of the oldest one not yet durable: a backlog the broker kept
    /// while the node was down arrives at full speed, and the node's event-time buffer only tolerates its
    /// lateness bound of reordering between devices.
    /// </summary>
    private async Task PumpAsync()
    {
        var pending = new Queue<(long Ts, Task Delivery)>();
        long newest = 0;
        await foreach (var message in _client.Inbox.ReadAllAsync())
        {
            var ts = DeviceTimeOf(message.Payload) ?? newest;
            newest = Math.Max(newest, ts);
            while (pending.Count > 0 && (pending.Count >= MaxInFlight || pending.Peek().Ts < ts - MaxSkewMs || pending.Peek().Delivery.IsCompleted))
            {
                await pending.Dequeue().Delivery;
            }

            pending.Enqueue((ts, DeliverAsync(message)));
        }

        await Task.WhenAll(pending.Select(p => p.Delivery));
    }

    private const long MaxSkewMs = 1_000;
    private const int MaxInFlight = 4_096;

    /// <summary>The device's <c>ts</c>, read without deserialising the message (null when the payload has none).</summary>
    private static long? DeviceTimeOf(byte[] payload)
    {
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(payload);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isTs = reader.ValueTextEquals("ts"u8);
                if (!reader.Read())
                {
                    return null;
                }

                if (isTs)
                {
                    return reader.TokenType == System.Text.Json.JsonTokenType.Number && reader.TryGetInt64(out var ts) ? ts : null;
                }

                reader.Skip();
            }

            return null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private async Task DeliverAsync(MqttInbound message)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                var outcome = await _inbox.DeliverAsync(message.Topic, message.Payload);
                Interlocked.Increment(ref _outcomes[(int)outcome]);
                Interlocked.Increment(ref _delivered);
                _client.Handled();
                return;
            }
#pragma warning disable CA1031 // The broker already considers it delivered: keep it and try again, whatever failed.
            catch (Exception error)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _retries);
                _log.LogWarning(error, "delivering {Topic} to the node failed; retrying in {Delay}", message.Topic, delay);
                await Task.Delay(delay);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }
}
