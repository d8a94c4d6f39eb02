using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace SmartStore.Messaging.Mqtt;

/// <summary>How to reach the broker and how the session behaves.</summary>
public sealed record MqttOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 1883;

    /// <summary>Names the persistent session: the broker keeps QoS 1 messages for it while the client is away.</summary>
    public string ClientId { get; init; } = $"smartstore-{Environment.MachineName}";

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>False: a persistent session (clean start off), so nothing published while the node is down is lost.</summary>
    public bool CleanSession { get; init; }

    /// <summary>5 (MQTT v5, with a session expiry) or 4 (MQTT 3.1.1).</summary>
    public int ProtocolVersion { get; init; } = LibMosquitto.ProtocolV5;

    public uint SessionExpirySeconds { get; init; } = 7 * 24 * 3600;

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>A CA file turns TLS on; a client certificate and key are optional.</summary>
    public string? TlsCaFile { get; init; }

    public string? TlsCertFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>Messages received and not yet handled; when full the network thread waits (the broker holds the rest).</summary>
    public int InboxCapacity { get; init; } = 8_192;

    /// <summary>QoS 1 messages the broker may have in flight to us (MQTT v5 receive maximum).</summary>
    public int ReceiveMaximum { get; init; } = 1_000;

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>One message from the broker.</summary>
public sealed record MqttInbound(string Topic, byte[] Payload);

public sealed class MqttException(string message) : Exception(message);

/// <summary>
/// A libmosquitto client. Its network thread (libmosquitto's loop thread) only copies each message into a
/// bounded inbox and counts; it never runs application code. When the inbox is full the thread waits, so the
/// socket is not read and the broker keeps the rest: memory stays bounded however far the node falls behind.
/// It reconnects with back-off on its own and subscribes again on every connect. QoS 1 publishes complete when
/// the broker acknowledges them.
/// </summary>
/// <remarks>
/// libmosquitto 2.0 acknowledges a received QoS 1 message to the broker before the application sees it
/// (manual acknowledgement came with 2.1). So a message is the client's once it is in the inbox; see the
/// transport for how the node keeps that window bounded and drained.
/// </remarks>
public sealed class MqttClient : IAsyncDisposable
{
    private static readonly Lock InitLock = new();
    private static bool _initialised;

    private readonly MqttOptions _options;
    private readonly Channel<MqttInbound> _inbox = Channel.CreateUnbounded<MqttInbound>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly SemaphoreSlim _capacity;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, TaskCompletionSource> _pending = [];
    private readonly HashSet<int> _earlyAcks = [];
    private readonly List<string> _subscriptions = [];
    private GCHandle _self;
    private nint _mosq;
    private TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _isConnected;
    private volatile bool _disposed;
    private long _received;
    private long _connects;

    public unsafe MqttClient(MqttOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _capacity = new SemaphoreSlim(options.InboxCapacity, options.InboxCapacity);
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
            throw new MqttException($"libmosquitto could not create a client '{options.ClientId}' (a persistent session needs a client id)");
        }

        Check(LibMosquitto.IntOption(_mosq, LibMosquitto.OptionProtocolVersion, options.ProtocolVersion), "protocol version");
        if (options.ProtocolVersion == LibMosquitto.ProtocolV5)
        {
            Check(LibMosquitto.IntOption(_mosq, LibMosquitto.OptionReceiveMaximum, Math.Clamp(options.ReceiveMaximum, 1, 65_535)), "receive maximum");
        }

        if (options.Username is not null)
        {
            Check(LibMosquitto.UsernamePasswordSet(_mosq, options.Username, options.Password), "credentials");
        }

        if (options.TlsCaFile is not null)
        {
            Check(LibMosquitto.TlsSet(_mosq, options.TlsCaFile, null, options.TlsCertFile, options.TlsKeyFile, 0), "TLS");
        }

        Check(LibMosquitto.ReconnectDelaySet(_mosq, (uint)Math.Max(1, options.ReconnectDelay.TotalSeconds), (uint)Math.Max(1, options.ReconnectDelayMax.TotalSeconds), true), "reconnect delay");
        LibMosquitto.ConnectCallbackSet(_mosq, &OnConnect);
        LibMosquitto.DisconnectCallbackSet(_mosq, &OnDisconnect);
        LibMosquitto.PublishCallbackSet(_mosq, &OnPublish);
        LibMosquitto.MessageCallbackSet(_mosq, &OnMessage);
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

    /// <summary>What the network thread received; read it and call <see cref="Handled"/> for each message once it is safe.</summary>
    public ChannelReader<MqttInbound> Inbox => _inbox.Reader;

    public bool IsConnected => _isConnected;

    public long Received => Interlocked.Read(ref _received);

    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Raised on the network thread when the connection comes or goes: keep it short (tell an actor).</summary>
    public Action<bool>? ConnectionChanged { get; set; }

    /// <summary>Frees one inbox place (the message is durable or refused).</summary>
    public void Handled() => _capacity.Release();

    /// <summary>Subscribes now (if connected) and again after every reconnect.</summary>
    public void Subscribe(string pattern)
    {
        lock (_gate)
        {
            _subscriptions.Add(pattern);
        }

        if (_isConnected)
        {
            Check(LibMosquitto.Subscribe(_mosq, out _, pattern, 1), $"subscribe '{pattern}'");
        }
    }

    /// <summary>Connects, starts the network thread, and waits for the broker's CONNACK.</summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        var keepAlive = (int)Math.Max(5, _options.KeepAlive.TotalSeconds);
        int rc;
        if (_options.ProtocolVersion == LibMosquitto.ProtocolV5)
        {
            nint properties = 0;
            LibMosquitto.PropertyAddInt32(ref properties, LibMosquitto.PropertySessionExpiryInterval, _options.CleanSession ? 0 : _options.SessionExpirySeconds);
            rc = LibMosquitto.ConnectV5(_mosq, _options.Host, _options.Port, keepAlive, null, properties);
            LibMosquitto.PropertyFreeAll(ref properties);
        }
        else
        {
            rc = LibMosquitto.Connect(_mosq, _options.Host, _options.Port, keepAlive);
        }

        Check(rc, $"connect to {_options.Host}:{_options.Port}");
        Check(LibMosquitto.LoopStart(_mosq), "start the network thread");
        await _connected.Task.WaitAsync(_options.ConnectTimeout, cancellationToken);
    }

    /// <summary>Publishes; QoS 1 completes when the broker has acknowledged it (libmosquitto retries it across reconnects).</summary>
    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, int qos = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int mid;
        int rc;
        unsafe
        {
            fixed (byte* data = payload.Span)
            {
                rc = LibMosquitto.Publish(_mosq, out mid, topic, payload.Length, data, qos, false);
            }
        }

        // Not connected just now: libmosquitto keeps the message and sends it after the reconnect.
        if (rc != LibMosquitto.Success && rc != 4)
        {
            return Task.FromException(new MqttException($"publish to '{topic}': {LibMosquitto.Error(rc)}"));
        }

        if (qos == 0)
        {
            return Task.CompletedTask;
        }

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

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;

        // Not connected is fine here: closing is what was asked.
        _ = LibMosquitto.Disconnect(_mosq);
        await Task.Run(() => LibMosquitto.LoopStop(_mosq, false)).ConfigureAwait(false);
        LibMosquitto.Destroy(_mosq);
        _mosq = 0;
        _self.Free();
        _inbox.Writer.TryComplete();
        lock (_gate)
        {
            foreach (var pending in _pending.Values)
            {
                pending.TrySetException(new MqttException("the client was closed before the broker acknowledged the message"));
            }

            _pending.Clear();
        }
    }

    private static MqttClient Of(nint userData) => (MqttClient)GCHandle.FromIntPtr(userData).Target!;

    private void Check(int rc, string what)
    {
        if (rc != LibMosquitto.Success)
        {
            throw new MqttException($"MQTT {what} ({_options.Host}:{_options.Port}, client '{_options.ClientId}'): {LibMosquitto.Error(rc)}");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnConnect(nint mosq, nint userData, int rc)
    {
        var client = Of(userData);
        if (rc != 0)
        {
            client._connected.TrySetException(new MqttException($"the broker refused the connection (code {rc})"));
            return;
        }

        Interlocked.Increment(ref client._connects);
        string[] subscriptions;
        lock (client._gate)
        {
            subscriptions = [.. client._subscriptions];
        }

        foreach (var pattern in subscriptions)
        {
            LibMosquitto.Subscribe(mosq, out _, pattern, 1);
        }

        client._isConnected = true;
        client._connected.TrySetResult();
        client.ConnectionChanged?.Invoke(true);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDisconnect(nint mosq, nint userData, int rc)
    {
        var client = Of(userData);
        client._isConnected = false;
        if (client._connected.Task.IsCompleted)
        {
            client._connected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        client.ConnectionChanged?.Invoke(false);
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnPublish(nint mosq, nint userData, int mid)
    {
        var client = Of(userData);
        TaskCompletionSource? done;
        lock (client._gate)
        {
            if (!client._pending.Remove(mid, out done))
            {
                client._earlyAcks.Add(mid);
            }
        }

        done?.TrySetResult();
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static unsafe void OnMessage(nint mosq, nint userData, NativeMessage* message)
    {
        var client = Of(userData);
        var topic = Marshal.PtrToStringUTF8(message->Topic) ?? string.Empty;
        var payload = new byte[message->PayloadLength];
        if (payload.Length > 0)
        {
            new ReadOnlySpan<byte>((void*)message->Payload, payload.Length).CopyTo(payload);
        }

        // Back-pressure: with the inbox full the network thread waits here, and the broker holds the rest.
        client._capacity.Wait();
        Interlocked.Increment(ref client._received);
        if (!client._inbox.Writer.TryWrite(new MqttInbound(topic, payload)))
        {
            client._capacity.Release();
        }
    }
}
