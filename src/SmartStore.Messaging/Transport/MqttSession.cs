using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace SmartStore.Messaging.Transport;

/// <summary>One message from the broker.</summary>
public sealed record MqttInbound(string Topic, byte[] Payload)
{
    /// <summary>Where the message stands in its session's arrival order; <see cref="MqttSession.Handled"/> reads it.</summary>
    internal MqttSession.Ticket? Ticket { get; init; }
}

public sealed class MqttException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A persistent MQTT session on MQTTnet's client that acknowledges a received QoS 1 message only after the
/// application said it is handled (<see cref="Handled"/>), so a message the node has not yet stored is
/// redelivered by the broker after a crash. It reconnects with back-off (subscribing again each time) and hands
/// received messages over through <see cref="Inbox"/>; application code never runs on MQTTnet's threads.
/// </summary>
/// <remarks>
/// <para>Acknowledgement: MQTT wants PUBACKs in the order their messages came, and the application finishes
/// messages in any order (each store entity persists at its own pace). So the session acknowledges the longest
/// run of handled messages at the front of the arrival order, as soon as there is one, up to
/// <see cref="MqttSessionOptions.AcknowledgeBatch"/> PUBACKs written to the socket in one go
/// (<see cref="CorkableStream"/>); a message handled early waits for those before it. It never holds more than
/// <see cref="MqttSessionOptions.InboxCapacity"/> unhandled messages (nor the broker more than the receive
/// maximum unacknowledged ones); the broker holds the rest in the session.</para>
/// <para>A PUBACK only ever goes out on the connection its message came in on: acknowledging and reconnecting
/// take turns (<see cref="_link"/>), and what arrived on a connection that has gone is left to the broker to
/// send again (the node drops the repeat by device and sequence).</para>
/// <para>Thread safety: <see cref="PublishAsync"/>, <see cref="Subscribe"/> and <see cref="Handled"/> may be
/// called from any thread at once; <see cref="ConnectAsync"/> once; closing once (further calls wait for it).</para>
/// </remarks>
public sealed partial class MqttSession : IAsyncDisposable
{
    // MQTTnet's own wait for a broker's answer (SUBACK, PUBACK). Generous: under full load a publish may queue
    // behind thousands; the connect has its own, shorter limit (ConnectTimeout).
    private static readonly TimeSpan PacketTimeout = TimeSpan.FromMinutes(2);

    private readonly MqttSessionOptions _options;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly CorkableStreamProvider _streams;
    private readonly Channel<MqttInbound> _inbox = Channel.CreateUnbounded<MqttInbound>(new UnboundedChannelOptions { SingleWriter = true });

    // Guards what was taken in and not yet acknowledged, the subscription list and the online signal.
    private readonly Lock _gate = new();
    private readonly List<string> _subscriptions = [];
    private readonly Queue<Ticket> _tickets = new();
    private long _nextIndex;
    private TaskCompletionSource _online = NewSignal();

    // Acknowledging and (re)connecting take turns, so a PUBACK never goes out on another connection than its message's.
    private readonly SemaphoreSlim _link = new(1, 1);
    private readonly Pulse _headHandled = new();
    private readonly Pulse _progress = new();
    private readonly Pulse _lost = new();
    private readonly CancellationTokenSource _closingSource = new();
    private readonly TaskCompletionSource _closed = NewSignal();
    private Task _acknowledging = Task.CompletedTask;
    private Task _reconnecting = Task.CompletedTask;

    // Counts connections and losses: a message remembers the one it came on.
    private long _connection;
    private int _started;
    private int _closing;
    private volatile bool _draining;
    private volatile bool _isConnected;
    private int _unhandled;

    // The arrival index of the oldest message not yet acknowledged, and whether the acknowledger waits for it.
    private long _head;
    private int _acknowledgerWaiting;
    private int _publishing;
    private long _received;
    private long _acknowledged;
    private long _connects;
    private long _published;
    private volatile string? _lastError;

    public MqttSession(MqttSessionOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException($"MQTT options for client '{options.ClientId}': {problem}", nameof(options));
        }

        _streams = new CorkableStreamProvider(options.TcpNoDelay);
        _clientOptions = BuildClientOptions(options, _streams);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += TakeAsync;
        _client.DisconnectedAsync += LostAsync;
    }

    /// <summary>MQTTnet's version, for the health page and the banner.</summary>
    public static string LibraryVersion { get; } =
        typeof(IMqttClient).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(IMqttClient).Assembly.GetName().Version?.ToString() ?? "unknown";

    public MqttSessionOptions Options => _options;

    /// <summary>What the broker sent. Call <see cref="Handled"/> once for each message read from it, once it is safe to acknowledge.</summary>
    public ChannelReader<MqttInbound> Inbox => _inbox.Reader;

    public bool IsConnected => _isConnected;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Received messages whose acknowledgement has been written to the socket (the broker may not have read it yet).</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Received messages not yet handled (their acknowledgement waits).</summary>
    public int Unhandled => Volatile.Read(ref _unhandled);

    public long Connects => Interlocked.Read(ref _connects);

    public long Published => Interlocked.Read(ref _published);

    /// <summary>The last connection problem (refused, lost, unreachable), for health pages; null while none happened.</summary>
    public string? LastError => _lastError;

    /// <summary>Raised when the connection comes or goes, on a thread of MQTTnet's or this session's: keep it short (tell an actor).</summary>
    public Action<bool>? ConnectionChanged { get; set; }

    /// <summary>Subscribes at QoS 1 now (if connected) and again after every reconnect.</summary>
    public void Subscribe(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        lock (_gate)
        {
            _subscriptions.Add(pattern);
        }

        if (_isConnected)
        {
            _ = SubscribeLateAsync(pattern);
        }
    }

    /// <summary>
    /// Connects and waits until the broker has accepted the client (CONNACK) and answered every subscription
    /// made before (SUBACK): a message published after this returns reaches the client. The SUBACKs are read
    /// apart from the messages, so a session the broker kept may deliver its queue meanwhile.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            throw new InvalidOperationException($"MQTT client '{_options.ClientId}' is already connected.");
        }

        _acknowledging = Task.Run(AcknowledgeLoopAsync, CancellationToken.None);
        await ConnectOnceAsync(cancellationToken);
        _reconnecting = Task.Run(ReconnectLoopAsync, CancellationToken.None);
    }

    /// <summary>
    /// Publishes at QoS 1; completes when the broker has acknowledged it. While the connection is down the
    /// message waits for the reconnect (and is sent again if the connection went while it was on its way).
    /// </summary>
    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var message = new MqttApplicationMessage
        {
            Topic = topic,
            // The caller's array as it is when there is one: a copy per message is a busy hour's worth of garbage.
            PayloadSegment = MemoryMarshal.TryGetArray(payload, out var array) ? array : new ArraySegment<byte>(payload.ToArray()),
            QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
            Retain = retain,
        };
        Interlocked.Increment(ref _publishing);
        try
        {
            var closing = _closingSource.Token;
            while (true)
            {
                if (Volatile.Read(ref _closing) == 1 && !_draining)
                {
                    throw new ObjectDisposedException(nameof(MqttSession), $"MQTT client '{_options.ClientId}' is closed");
                }

                Task online;
                lock (_gate)
                {
                    online = _online.Task;
                }

                try
                {
                    await online.WaitAsync(closing);
                    var result = await _client.PublishAsync(message, closing);
                    if (!result.IsSuccess)
                    {
                        throw new MqttException($"the broker refused the publish to '{topic}': {result.ReasonCode} {result.ReasonString}".TrimEnd());
                    }

                    Interlocked.Increment(ref _published);
                    return;
                }
                catch (Exception error) when (IsConnectionGone(error) && !closing.IsCancellationRequested)
                {
                    // The connection went under it: wait for the next one and send it again (QoS 1 allows the repeat).
                    await Task.Yield();
                }
                catch (OperationCanceledException) when (closing.IsCancellationRequested)
                {
                    throw new MqttException($"MQTT client '{_options.ClientId}' was closed before the broker acknowledged the message to '{topic}'");
                }
            }
        }
        finally
        {
            Interlocked.Decrement(ref _publishing);
        }
    }

    /// <summary>
    /// Ends a persistent session for good (a node taken out of service, a finished replay): connects with a clean
    /// start and no expiry, so the broker drops the session's subscriptions and queued messages.
    /// </summary>
    public static async Task EndSessionAsync(MqttSessionOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var eraser = new MqttSession(options with { CleanSession = true });
        await eraser.ConnectAsync(cancellationToken);
    }

    /// <summary>
    /// Closes gracefully: stops taking new messages, waits (up to <see cref="MqttSessionOptions.DrainTimeout"/>)
    /// until everything received is handled and acknowledged and every publish is acknowledged, then disconnects.
    /// What is still unhandled after that is left to the broker to redeliver.
    /// </summary>
    public ValueTask DisposeAsync() => CloseAsync(graceful: true);

    /// <summary>
    /// Drops the connection at once, as a crash would: nothing more is acknowledged, so the broker redelivers
    /// every unacknowledged message to the next client of this session.
    /// </summary>
    public ValueTask AbortAsync() => CloseAsync(graceful: false);

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static bool IsConnectionGone(Exception error) =>
        error is MqttCommunicationException or MqttClientNotConnectedException;
}
