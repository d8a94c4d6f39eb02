using System.Globalization;
using System.Net;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using SmartStore.Messaging.Transport;

namespace SmartStore.Messaging.Transport;

/// <summary>How the embedded broker listens and whom it lets in.</summary>
public sealed record EmbeddedBrokerOptions
{
    /// <summary>Only this address: a broker in the node's process serves the box it runs on, not the network.</summary>
    public const string Host = "127.0.0.1";

    /// <summary>The port on <see cref="Host"/>; 0 lets the system pick a free one (tests), read back from <see cref="EmbeddedBroker.Port"/>.</summary>
    public int Port { get; init; } = 1883;

    /// <summary>
    /// QoS 1 messages kept per session while its client is away. MQTTnet's own default (1,000) drops the oldest
    /// beyond it, which loses a minute of a busy store's readings during a node restart; a million holds hours of
    /// a small store, at a few hundred bytes each.
    /// </summary>
    public int MaxQueuedMessages { get; init; } = 1_000_000;

    /// <summary>With a username, every client must present it and <see cref="Password"/>; without one, anyone on the box may connect.</summary>
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>The first thing wrong with these options, in words an operator can act on; null when they are usable.</summary>
    public string? Problem() => this switch
    {
        { Port: < 0 or > 65_535 } => $"the port {Port} is not between 0 and 65535",
        { MaxQueuedMessages: < 1 } => "the queue must hold at least one message",
        { Username: "" } => "the username is empty",
        { Username: not null, Password: null or "" } => "a username without a password",
        { Username: null, Password: not null } => "a password without a username",
        _ => null,
    };
}

/// <summary>
/// An MQTT broker in the node's process (MQTTnet's server) for a store on one box that has no broker installed:
/// devices and the node's own MQTTnet client connect to it on 127.0.0.1 as they would to Mosquitto.
/// Persistent sessions are on and each holds <see cref="EmbeddedBrokerOptions.MaxQueuedMessages"/>, so what a
/// device published while the node was away is handed over when it comes back. Sessions and retained messages
/// live in memory only: when this process stops, they are gone (devices that retry unacknowledged messages
/// resend them; nothing else does).
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    // See AssignClientId.
    private static readonly FieldInfo? ConnectPacketField = typeof(ValidatingConnectionEventArgs).GetField("_connectPacket", BindingFlags.Instance | BindingFlags.NonPublic);

    private readonly MqttServer _server;
    private readonly EmbeddedBrokerOptions _options;
    private readonly ILogger _log;
    private readonly byte[]? _password;
    private long _refused;
    private long _overflowed;
    private int _stopped;

    private EmbeddedBroker(MqttServer server, EmbeddedBrokerOptions options, ILogger log)
    {
        _server = server;
        _options = options;
        _log = log;
        _password = options.Password is null ? null : Encoding.UTF8.GetBytes(options.Password);
        _server.ValidatingConnectionAsync += ValidateAsync;
        _server.QueuedApplicationMessageOverwrittenAsync += OverflowedAsync;
    }

    public string Host { get; } = EmbeddedBrokerOptions.Host;

    /// <summary>The port it listens on (the one the system picked when the options said 0).</summary>
    public int Port { get; private set; }

    public EmbeddedBrokerOptions Options => _options;

    /// <summary>Connections refused for a wrong or missing username or password.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>
    /// Times a full session queue dropped its oldest message; should stay 0. MQTTnet keeps a dropped message among
    /// the session's unacknowledged ones and queues those again when the client returns, so one message may be
    /// dropped (and counted) more than once.
    /// </summary>
    public long Overflowed => Interlocked.Read(ref _overflowed);

    /// <summary>Starts listening on 127.0.0.1 (IPv4 only); a port already taken is an error, never a broker that silently does not listen.</summary>
    public static async Task<EmbeddedBroker> StartAsync(EmbeddedBrokerOptions options, ILogger log, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        if (options.Problem() is { } problem)
        {
            throw new ArgumentException($"embedded broker: {problem}", nameof(options));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var factory = new MqttServerFactory(new LogBridge(log));
        var serverOptions = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            // IPAddress.None turns the IPv6 listener off; left on it would listen on every IPv6 address.
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(options.Port)
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(options.MaxQueuedMessages)
            .Build();
        var broker = new EmbeddedBroker(factory.CreateMqttServer(serverOptions), options, log);
        try
        {
            await broker._server.StartAsync().WaitAsync(cancellationToken);
        }
        catch
        {
            broker._server.Dispose();
            throw;
        }

        // The listener writes the port the system chose back into the endpoint options.
        broker.Port = serverOptions.DefaultEndpointOptions.Port;
        return broker;
    }

    /// <summary>The node's client options pointed at this broker, with its credentials.</summary>
    public MqttSessionOptions ClientOptions(MqttSessionOptions template)
    {
        ArgumentNullException.ThrowIfNull(template);
        return template with { Host = Host, Port = Port, Username = _options.Username, Password = _options.Password, TlsCaFile = null, TlsCertFile = null, TlsKeyFile = null };
    }

    /// <summary>Disconnects every client (MQTT 5: "server shutting down") and stops listening; the sessions go with it.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        try
        {
            await _server.StopAsync(new MqttServerStopOptions()).WaitAsync(cancellationToken);
        }
        finally
        {
            _server.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None);

    private Task ValidateAsync(ValidatingConnectionEventArgs connection)
    {
        if (_options.Username is null || (connection.UserName == _options.Username && PasswordMatches(connection.RawPassword)))
        {
            AssignClientId(connection);
            return Task.CompletedTask;
        }

        connection.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
        var refused = Interlocked.Increment(ref _refused);
        _log.LogWarning("embedded broker refused client '{ClientId}' from {Endpoint}: wrong or missing username or password ({Refused} refused so far)", connection.ClientId, connection.RemoteEndPoint, refused);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A client that connects with an empty client id and a clean session gets one made up, as Mosquitto does
    /// (MQTT 3.1.1, 3.1.3-6; MQTT 5, 3.1.3-2). mosquitto_pub and mosquitto_sub 2.x connect that way by default.
    /// MQTTnet assigns one only under MQTT 5 and refuses such a 3.1.1 client ("identifier rejected"), and its
    /// validation event cannot change the client id, so the CONNECT packet's is set through its private field.
    /// Without that field (another MQTTnet version) the broker refuses such clients as MQTTnet does, which the
    /// mosquitto_pub test catches.
    /// </summary>
    private static void AssignClientId(ValidatingConnectionEventArgs connection)
    {
        if (!string.IsNullOrEmpty(connection.ClientId) || connection.CleanSession != true)
        {
            return;
        }

        var assigned = $"auto-{Guid.NewGuid():N}";
        connection.AssignedClientIdentifier = assigned;
        if (ConnectPacketField?.GetValue(connection) is MqttConnectPacket packet)
        {
            packet.ClientId = assigned;
        }
    }

    // Compared in constant time, so how long a refusal takes says nothing about how much of a guess was right.
    private bool PasswordMatches(byte[]? given) => given is not null && _password is not null && CryptographicOperations.FixedTimeEquals(given, _password);

    private Task OverflowedAsync(QueueMessageOverwrittenEventArgs overwritten)
    {
        var count = Interlocked.Increment(ref _overflowed);

        // Once per power of two: a full queue overflows with every message, and a line each would bury the log.
        if ((count & (count - 1)) == 0)
        {
            _log.LogError("embedded broker: the session of '{ClientId}' holds {Max} queued messages and dropped its oldest ({Count} dropped so far); raise smartstore.transport.embedded.max-queued-messages or bring the client back", overwritten.ReceiverClientId, _options.MaxQueuedMessages, count);
        }

        return Task.CompletedTask;
    }

    /// <summary>MQTTnet's warnings and errors into the node's log; its verbose and information lines stay out.</summary>
    private sealed class LogBridge(ILogger log) : IMqttNetLogger
    {
        public bool IsEnabled => log.IsEnabled(LogLevel.Warning);

        public void Publish(MqttNetLogLevel level, string source, string message, object[] parameters, Exception exception)
        {
            if (level < MqttNetLogLevel.Warning)
            {
                return;
            }

            var text = parameters is { Length: > 0 } ? string.Format(CultureInfo.InvariantCulture, message, parameters) : message;
            log.Log(level == MqttNetLogLevel.Error ? LogLevel.Error : LogLevel.Warning, exception, "MQTTnet {Source}: {Message}", source, text);
        }
    }
}
