using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace SmartStore.Messaging.Mqtt;

/// <summary>One message from the broker.</summary>
public sealed record MqttInbound(string Topic, byte[] Payload);

public sealed class MqttException(string message) : Exception(message);

/// <summary>
/// A libmosquitto client that acknowledges a received QoS 1 message only after the application said it is
/// handled (<see cref="Handled"/>), so a message the node has not yet stored is redelivered by the broker after
/// a crash. One network thread of its own reads, writes, keeps the connection alive and reconnects with back-off
/// (subscribing again each time); it only copies received messages into <see cref="Inbox"/> and never runs
/// application code.
/// </summary>
/// <remarks>
/// <para>Acknowledgement: the network thread writes queued packets (PUBACKs among them) only at a moment when
/// every message it has read is handled. It reads at most <see cref="MqttOptions.AcknowledgeBatch"/> messages
/// before it waits for that moment, and never more than <see cref="MqttOptions.InboxCapacity"/> unhandled ones,
/// so memory stays bounded and the broker holds the rest in the session.</para>
/// <para>Because outgoing publishes leave through the same gate, a client that must publish while it holds
/// unhandled messages (a node answering a gate) publishes through a second client.</para>
/// <para>Thread safety: <see cref="PublishAsync"/>, <see cref="Subscribe"/> and <see cref="Handled"/> may be
/// called from any thread at once; <see cref="ConnectAsync"/> once; closing once (further calls wait for it).</para>
/// </remarks>
public sealed partial class MqttClient : IAsyncDisposable
{
    private static readonly Lock InitLock = new();
    private static bool _initialised;

    private readonly MqttOptions _options;
    private readonly Channel<MqttInbound> _inbox = Channel.CreateUnbounded<MqttInbound>(new UnboundedChannelOptions { SingleWriter = true });

    // Guards the native handle's lifetime against close, for calls from threads other than the network thread.
    private readonly Lock _native = new();

    // Guards the publish waiters and the subscription list.
    private readonly Lock _gate = new();
    private readonly Dictionary<int, TaskCompletionSource> _pending = [];
    private readonly HashSet<int> _earlyAcks = [];
    private readonly List<string> _subscriptions = [];

    // The first connection's subscriptions the broker has not yet answered (SUBACK); owned by the network thread.
    private readonly HashSet<int> _firstSubscriptions = [];
    private readonly WakeSignal _wake = new();
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _loopExited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private GCHandle _self;
    private nint _mosq;
    private Thread? _thread;
    private int _closing;
    private volatile bool _isConnected;
    private int _unhandled;
    private long _received;
    private long _acknowledged;
    private long _connects;
    private long _published;
    private volatile string? _lastError;

    public MqttClient(MqttOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException($"MQTT options for client '{options.ClientId}': {problem}", nameof(options));
        }

        lock (InitLock)
        {
            if (!_initialised)
            {
                _initialised = LibMosquitto.LibInit() == LibMosquitto.Success;
            }
        }

        _self = GCHandle.Alloc(this);
        _mosq = LibMosquitto.New(options.ClientId, options.CleanSession, GCHandle.ToIntPtr(_self));
        if (_mosq == 0)
        {
            _self.Free();
            _wake.Dispose();
            throw new MqttException($"libmosquitto could not create a client '{options.ClientId}'");
        }

        Configure();
    }

    /// <summary>libmosquitto's version, for the health page.</summary>
    public static string NativeVersion
    {
        get
        {
            LibMosquitto.LibVersion(out var major, out var minor, out var revision);
            return $"{major}.{minor}.{revision}";
        }
    }

    public MqttOptions Options => _options;

    /// <summary>What the network thread received. Call <see cref="Handled"/> once for each message read from it, once it is safe to acknowledge.</summary>
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

    /// <summary>Raised on the network thread when the connection comes or goes: keep it short (tell an actor).</summary>
    public Action<bool>? ConnectionChanged { get; set; }

    /// <summary>
    /// Says that one message read from <see cref="Inbox"/> is dealt with (stored, or refused for good). Once all
    /// received messages are, their acknowledgements go to the broker.
    /// </summary>
    public void Handled()
    {
        var left = Interlocked.Decrement(ref _unhandled);
        if (left < 0)
        {
            Interlocked.Increment(ref _unhandled);
            throw new InvalidOperationException("Handled was called more often than messages were received.");
        }

        // Only these two moments can unblock the network thread: everything handled, or room in the inbox again.
        if (left == 0 || left == _options.InboxCapacity - 1)
        {
            Wake();
        }
    }

    /// <summary>Subscribes at QoS 1 now (if connected) and again after every reconnect.</summary>
    public void Subscribe(string pattern)
    {
        ArgumentException.ThrowIfNullOrEmpty(pattern);
        lock (_gate)
        {
            _subscriptions.Add(pattern);
        }

        lock (_native)
        {
            if (_isConnected && _mosq != 0)
            {
                Check(LibMosquitto.Subscribe(_mosq, out _, pattern, 1), $"subscribe '{pattern}'");
                _wake.Signal();
            }
        }
    }

    /// <summary>
    /// Connects, starts the network thread, and waits until the broker has accepted the client (CONNACK) and, for a
    /// new session, every subscription made before (SUBACK): a message published after this returns reaches the client.
    /// A session the broker kept already has its subscriptions and may deliver queued messages at once, so then only
    /// the CONNACK is awaited; waiting for a SUBACK queued behind unhandled messages could never end.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        if (_thread is not null)
        {
            throw new InvalidOperationException($"MQTT client '{_options.ClientId}' is already connected.");
        }

        var rc = await Task.Run(ConnectNative, cancellationToken);
        Check(rc, "connect");
        _thread = new Thread(NetworkLoop) { IsBackground = true, Name = $"mqtt {_options.ClientId}" };
        _thread.Start();
        try
        {
            await _connected.Task.WaitAsync(_options.ConnectTimeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new MqttException($"MQTT broker {_options.Host}:{_options.Port} did not answer client '{_options.ClientId}' within {_options.ConnectTimeout.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// Publishes at QoS 1; completes when the broker has acknowledged it. While the connection is down
    /// libmosquitto keeps the message and sends it after the reconnect.
    /// </summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain = false)
    {
        int mid;
        int rc;
        lock (_native)
        {
            if (_mosq == 0)
            {
                return Task.FromException(new ObjectDisposedException(nameof(MqttClient), $"MQTT client '{_options.ClientId}' is closed"));
            }

            unsafe
            {
                fixed (byte* data = payload.Span)
                {
                    rc = LibMosquitto.Publish(_mosq, out mid, topic, payload.Length, data, 1, retain);
                }
            }

            _wake.Signal();
        }

        if (rc != LibMosquitto.Success && rc != LibMosquitto.ErrorNoConnection)
        {
            return Task.FromException(new MqttException($"publish to '{topic}': {LibMosquitto.Error(rc)}"));
        }

        Interlocked.Increment(ref _published);
        lock (_gate)
        {
            if (_earlyAcks.Remove(mid))
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pending[mid] = done;
            return done.Task;
        }
    }

    /// <summary>
    /// Ends a persistent session for good (a node taken out of service, a finished replay): connects with a clean
    /// start and no expiry, so the broker drops the session's subscriptions and queued messages.
    /// </summary>
    public static async Task EndSessionAsync(MqttOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var eraser = new MqttClient(options with { CleanSession = true });
        await eraser.ConnectAsync(cancellationToken);
    }

    /// <summary>
    /// Closes gracefully: stops taking new messages, waits (up to <see cref="MqttOptions.DrainTimeout"/>) until
    /// everything received is handled and acknowledged and every publish is acknowledged, then disconnects. What
    /// is still unhandled after that is left to the broker to redeliver.
    /// </summary>
    public ValueTask DisposeAsync() => CloseAsync(graceful: true);

    /// <summary>
    /// Drops the connection at once, as a crash would: nothing more is acknowledged, so the broker redelivers
    /// every unacknowledged message to the next client of this session.
    /// </summary>
    public ValueTask AbortAsync() => CloseAsync(graceful: false);

    private async ValueTask CloseAsync(bool graceful)
    {
        if (Interlocked.Exchange(ref _closing, 1) == 1)
        {
            await _closed.Task;
            return;
        }

        if (_thread is not null)
        {
            RequestStop(graceful ? StopDraining : StopAborting);
            if (graceful && !await WaitAsync(_loopExited.Task, _options.DrainTimeout))
            {
                RequestStop(StopAborting);
            }

            await _loopExited.Task;
        }

        lock (_native)
        {
            // Destroying closes the socket without a DISCONNECT when the loop did not send one (abort).
            LibMosquitto.Destroy(_mosq);
            _mosq = 0;
            _wake.Dispose();
        }

        _self.Free();
        _isConnected = false;
        _inbox.Writer.TryComplete();
        _connected.TrySetException(new MqttException($"MQTT client '{_options.ClientId}' was closed before the broker answered"));
        lock (_gate)
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new MqttException("the client was closed before the broker acknowledged the message"));
            }

            _pending.Clear();
        }

        _closed.TrySetResult();
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private void Wake()
    {
        lock (_native)
        {
            if (_mosq != 0)
            {
                _wake.Signal();
            }
        }
    }

    private void Configure()
    {
        // External threading: libmosquitto only queues outgoing packets; the network loop decides when to write.
        Check(LibMosquitto.ThreadedSet(_mosq, true), "threading mode");
        Check(LibMosquitto.IntOption(_mosq, LibMosquitto.OptionProtocolVersion, _options.ProtocolVersion), "protocol version");
        if (_options.ProtocolVersion == LibMosquitto.ProtocolV5)
        {
            Check(LibMosquitto.IntOption(_mosq, LibMosquitto.OptionReceiveMaximum, _options.ReceiveMaximum), "receive maximum");
        }

        Check(LibMosquitto.IntOption(_mosq, LibMosquitto.OptionTcpNoDelay, _options.TcpNoDelay ? 1 : 0), "TCP no-delay");
        if (_options.Username is not null)
        {
            Check(LibMosquitto.UsernamePasswordSet(_mosq, _options.Username, _options.Password), "credentials");
        }

        if (_options.TlsCaFile is not null)
        {
            Check(LibMosquitto.TlsSet(_mosq, _options.TlsCaFile, null, _options.TlsCertFile, _options.TlsKeyFile, 0), "TLS");
        }

        unsafe
        {
            LibMosquitto.ConnectWithFlagsCallbackSet(_mosq, &OnConnect);
            LibMosquitto.SubscribeCallbackSet(_mosq, &OnSubscribe);
            LibMosquitto.DisconnectCallbackSet(_mosq, &OnDisconnect);
            LibMosquitto.PublishCallbackSet(_mosq, &OnPublish);
            LibMosquitto.MessageCallbackSet(_mosq, &OnMessage);
        }
    }

    /// <summary>Opens the TCP (and TLS) connection and queues CONNECT; used for the first connect and every reconnect.</summary>
    private int ConnectNative()
    {
        var keepAlive = (int)_options.KeepAlive.TotalSeconds;
        if (_options.ProtocolVersion != LibMosquitto.ProtocolV5)
        {
            return LibMosquitto.Connect(_mosq, _options.Host, _options.Port, keepAlive);
        }

        // The session expiry travels with every CONNECT: a reconnect without it would end the session at the next drop.
        nint properties = 0;
        var expiry = _options.CleanSession ? 0u : (uint)Math.Min(uint.MaxValue, _options.SessionExpiry.TotalSeconds);
        var rc = LibMosquitto.PropertyAddInt32(ref properties, LibMosquitto.PropertySessionExpiryInterval, expiry);
        if (rc == LibMosquitto.Success)
        {
            rc = LibMosquitto.ConnectV5(_mosq, _options.Host, _options.Port, keepAlive, null, properties);
        }

        LibMosquitto.PropertyFreeAll(ref properties);
        return rc;
    }

    private void Check(int rc, string what)
    {
        if (rc != LibMosquitto.Success)
        {
            throw new MqttException($"MQTT {what} ({_options.Host}:{_options.Port}, client '{_options.ClientId}'): {LibMosquitto.Error(rc)}");
        }
    }
}
