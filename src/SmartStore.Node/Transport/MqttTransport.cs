using Microsoft.Extensions.Logging;
using Akka.Actor;
using SmartStore.Messaging.Transport;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Health;

namespace SmartStore.Node.Transport;

/// <summary>The node's MQTT side at a glance, for health pages and tests.</summary>
public sealed record MqttTransportStatus(
    bool Connected,
    long Connects,
    long Received,
    long Acknowledged,
    int Unhandled,
    long Delivered,
    IReadOnlyDictionary<Delivery, long> Outcomes,
    long Retries,
    string? LastError,
    OutboxStatus Commands);

/// <summary>
/// The node over MQTT, on two connections. The <b>session</b> connection (the node's client id, persistent
/// session, QoS 1 subscriptions to the store's device topics) feeds a pump that hands each message to the node
/// and tells the client it is handled only once the node has made it durable (or refused it); the client
/// acknowledges to the broker only then. The <b>command</b> connection (the node's <see cref="MqttCommandChannel"/>,
/// or one of the transport's own, <c>{client id}-commands</c>) carries gate commands out; it is separate because
/// acknowledgements wait for the node, and a gate's answer must not wait behind them.
/// </summary>
/// <remarks>
/// The guarantee: a device message is acknowledged to the broker only after its effect is stored, so a node
/// that crashes loses nothing (the broker redelivers; the node's (device, sequence) deduplication absorbs what
/// was stored but not yet acknowledged). A delivery that fails (the journal is down) is retried with back-off
/// and never acknowledged before it succeeds. Memory is bounded by the client's inbox; when the node falls
/// behind, the client stops reading and the broker holds the rest in the session.
/// </remarks>
public sealed class MqttTransport : ICommandPublisher, IAsyncDisposable
{
    private static readonly long MaxSkewMs = long.Parse(Environment.GetEnvironmentVariable("SMARTSTORE_PUMP_SKEW") ?? "1000", System.Globalization.CultureInfo.InvariantCulture);
    private const int MaxInFlight = 4_096;

    private readonly MqttSession _session;
    private readonly MqttCommandChannel _commands;
    private readonly bool _ownsCommands;
    private readonly IDeviceInbox _inbox;
    private readonly ILogger _log;
    private readonly Task _pump;
    private readonly long[] _outcomes = new long[Enum.GetValues<Delivery>().Length];
    private readonly LogThrottle _retryLog = new(TimeProvider.System, TimeSpan.FromSeconds(10));
    private readonly ChangeSignal _progress = new();
    private readonly CancellationTokenSource _giveUp = new();
    private long _delivered;
    private long _retries;
    private volatile bool _aborted;

    private MqttTransport(MqttSession session, MqttCommandChannel commands, bool ownsCommands, IDeviceInbox inbox, ILogger log)
    {
        _session = session;
        _commands = commands;
        _ownsCommands = ownsCommands;
        _inbox = inbox;
        _log = log;
        _pump = Task.Run(PumpAsync);
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Received => _session.Received;

    /// <summary>Received messages whose acknowledgement went to the broker (each was stored or refused first).</summary>
    public long Acknowledged => _session.Acknowledged;

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Waits until at least <paramref name="count"/> messages were handed to the node and answered.</summary>
    public Task WaitForDeliveredAsync(long count, CancellationToken cancellationToken) => _progress.WaitUntilAsync(() => Delivered >= count, cancellationToken);

    /// <summary>How many deliveries ended in <paramref name="delivery"/>.</summary>
    public long Count(Delivery delivery) => Interlocked.Read(ref _outcomes[(int)delivery]);

    /// <summary>
    /// Connects the session (and, unless the node's <paramref name="commands"/> channel is given, a command
    /// connection of its own, <c>{client id}-commands</c>), subscribes to the store's device topics, and starts feeding the node.
    /// </summary>
    public static Task<MqttTransport> StartAsync(MqttSessionOptions options, string storeId, IDeviceInbox inbox, ActorSystem system, ILogger log, CancellationToken cancellationToken = default) =>
        StartAsync(options, storeId, inbox, system, log, commands: null, cancellationToken);

    public static async Task<MqttTransport> StartAsync(MqttSessionOptions options, string storeId, IDeviceInbox inbox, ActorSystem system, ILogger log, MqttCommandChannel? commands, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(system);
        var session = new MqttSession(options);
        var owned = commands is null;
        try
        {
            foreach (var pattern in Topics.SubscriptionsFor(storeId))
            {
                session.Subscribe(pattern);
            }

            commands ??= await MqttCommandChannel.StartAsync(options with { ClientId = $"{options.ClientId}-commands" }, system, cancellationToken);
            await session.ConnectAsync(cancellationToken);
            log.LogInformation("MQTT: session '{ClientId}' on {Host}:{Port} (MQTTnet {Version}), subscribed to {Topics}", options.ClientId, options.Host, options.Port, MqttSession.LibraryVersion, string.Join(", ", Topics.SubscriptionsFor(storeId)));
            return new MqttTransport(session, commands, owned, inbox, log);
        }
        catch
        {
            await session.DisposeAsync();
            if (owned && commands is not null)
            {
                await commands.DisposeAsync();
            }

            throw;
        }
    }

    public async Task<MqttTransportStatus> StatusAsync(CancellationToken cancellationToken = default)
    {
        var commands = await _commands.StatusAsync(cancellationToken);
        return new MqttTransportStatus(
            _session.IsConnected,
            _session.Connects,
            _session.Received,
            _session.Acknowledged,
            _session.Unhandled,
            Delivered,
            Enum.GetValues<Delivery>().ToDictionary(d => d, Count),
            Retries,
            _session.LastError ?? _commands.LastError,
            commands);
    }

    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default) =>
        PublishAsync(topic, payload, retain: false, cancellationToken);

    /// <summary>Publishes at QoS 1 on the command connection; completes when the broker has it.</summary>
    public ValueTask PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken = default) =>
        _commands.PublishAsync(topic, payload, retain, cancellationToken);

    /// <summary>
    /// Stops gracefully: the session stops reading, waits until everything received is in the node and
    /// acknowledged, and disconnects (the broker keeps the rest for the session); then the command connection closes.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await _session.DisposeAsync();

        // The session is closed: what is still being retried (its entity unreachable, the cluster leaving) cannot
        // be acknowledged any more, so it is given up after the drain's limit and the broker sends it to the next holder.
        try
        {
            await _pump.WaitAsync(_session.Options.DrainTimeout);
        }
        catch (TimeoutException)
        {
            await _giveUp.CancelAsync();
            await _pump;
        }

        _giveUp.Dispose();
        if (_ownsCommands)
        {
            await _commands.DisposeAsync();
        }
    }

    /// <summary>
    /// As if the process died: the session drops at once, nothing more is acknowledged, and messages not yet in
    /// the node are forgotten here (the broker redelivers them to the next node of this session).
    /// </summary>
    public async ValueTask AbortAsync()
    {
        _aborted = true;
        await _giveUp.CancelAsync();
        await _session.AbortAsync();
        if (_ownsCommands)
        {
            await _commands.AbortAsync();
        }

        await _pump;
    }

    /// <summary>
    /// Hands messages to the node in arrival order, many at once, but never more than <see cref="MaxSkewMs"/> of
    /// device time ahead of the oldest one not yet durable: a backlog the broker kept while the node was down
    /// arrives at full speed, and the node's event-time buffer only tolerates its lateness bound of reordering.
    /// </summary>
    private async Task PumpAsync()
    {
        var pending = new Queue<(long Ts, Task Delivery)>();
        long newest = 0;
        await foreach (var message in _session.Inbox.ReadAllAsync())
        {
            if (_aborted)
            {
                break;
            }

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
        while (!_giveUp.IsCancellationRequested)
        {
            try
            {
                var outcome = await _inbox.DeliverAsync(message.Topic, message.Payload);
                Interlocked.Increment(ref _outcomes[(int)outcome]);
                Interlocked.Increment(ref _delivered);
                _session.Handled(message);
                _progress.Signal();
                return;
            }
#pragma warning disable CA1031 // Not acknowledged yet: keep it and try again, whatever failed; the broker would only send it again.
            catch (Exception error)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref _retries);
                LogRetry(error, message.Topic, delay);
                try
                {
                    await Task.Delay(delay, _giveUp.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    /// <summary>A journal outage fails every message in flight at once: one line per interval says so.</summary>
    private void LogRetry(Exception error, string topic, TimeSpan delay)
    {
        if (_retryLog.Allows("delivery"))
        {
            _log.LogWarning(error, "delivering {Topic} to the node failed ({Retries} retries so far); not acknowledged, retrying in {Delay}", topic, Retries, delay);
        }
    }
}
