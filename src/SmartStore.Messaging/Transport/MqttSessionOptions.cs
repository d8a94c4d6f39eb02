namespace SmartStore.Messaging.Transport;

/// <summary>How to reach the broker and how the session behaves.</summary>
public sealed record MqttSessionOptions
{
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 1883;

    /// <summary>Names the persistent session: the broker keeps QoS 1 messages for it while the client is away.</summary>
    public string ClientId { get; init; } = $"smartstore-{Environment.MachineName}";

    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>False: a persistent session (clean start off), so nothing published while the node is down is lost.</summary>
    public bool CleanSession { get; init; }

    /// <summary>5 (MQTT v5, with a session expiry and a receive maximum) or 4 (MQTT 3.1.1).</summary>
    public int ProtocolVersion { get; init; } = 5;

    /// <summary>MQTT v5: how long the broker keeps the session (and its queued messages) after the client went away.</summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(7);

    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>A CA file turns TLS on; a client certificate and key are optional.</summary>
    public string? TlsCaFile { get; init; }

    public string? TlsCertFile { get; init; }

    public string? TlsKeyFile { get; init; }

    /// <summary>Received messages not yet handled; at this many the client stops taking more (the broker holds the rest).</summary>
    public int InboxCapacity { get; init; } = 8_192;

    /// <summary>MQTT v5: QoS 1 messages the broker may have sent us unacknowledged (its send window).</summary>
    public int ReceiveMaximum { get; init; } = 2_000;

    /// <summary>At most this many PUBACKs go to the socket in one write (a batch waits for nothing: whatever run of handled messages is ready goes).</summary>
    public int AcknowledgeBatch { get; init; } = 1_000;

    /// <summary>Small packets go out at once (gate commands); off lets the kernel coalesce them.</summary>
    public bool TcpNoDelay { get; init; } = true;

    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a graceful close waits for received messages to be handled (and acknowledged) before it drops the connection.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The first thing wrong with these options, in words an operator can act on; null when they are usable.</summary>
    public string? Problem() => this switch
    {
        { Host: null or "" } => "the broker host is empty",
        { Port: < 1 or > 65_535 } => $"the broker port {Port} is not between 1 and 65535",
        { ClientId: null or "" } => "the client id is empty (a persistent session needs one)",
        { ClientId.Length: > 65_535 } => "the client id is longer than MQTT allows",
        { ProtocolVersion: not (4 or 5) } => $"protocol version {ProtocolVersion} is not 4 (MQTT 3.1.1) or 5 (MQTT 5)",
        { KeepAlive.TotalSeconds: < 5 or > 65_535 } => $"keep-alive {KeepAlive} is not between 5 s and 65535 s",
        { ReceiveMaximum: < 1 or > 65_535 } => $"receive maximum {ReceiveMaximum} is not between 1 and 65535",
        { AcknowledgeBatch: < 1 } => "the acknowledge batch must be at least 1",
        { InboxCapacity: < 1 } => "the inbox capacity must be at least 1",
        { Password: not null, Username: null } => "a password without a username",
        { TlsCaFile: null, TlsCertFile: not null } or { TlsCaFile: null, TlsKeyFile: not null } => "a TLS client certificate or key needs the CA file too",
        { TlsCertFile: null, TlsKeyFile: not null } or { TlsCertFile: not null, TlsKeyFile: null } => "a TLS client certificate and its key go together",
        { TlsCaFile: { } ca } when !File.Exists(ca) => $"the TLS CA file '{ca}' does not exist",
        { TlsCertFile: { } cert } when !File.Exists(cert) => $"the TLS certificate file '{cert}' does not exist",
        { TlsKeyFile: { } key } when !File.Exists(key) => $"the TLS key file '{key}' does not exist",
        _ => null,
    };
}
