using SmartStore.Actors;
using SmartStore.Messaging.Mqtt;

namespace SmartStore.Node.Configuration;

/// <summary>Where the node keeps its journal: a SQLite file (the embedded default) or a PostgreSQL database.</summary>
public sealed record JournalSettings(string Kind, string SqlitePath, string? PostgresConnection)
{
    public const string Sqlite = "sqlite";
    public const string PostgreSql = "postgresql";

    public static JournalSettings Embedded { get; } = new(Sqlite, Path.Combine(".smartstore", "journal.db"), null);
}

/// <summary>
/// How devices reach the node: in this process (the embedded default: the demo and the simulator's devices
/// live beside the node) or through an MQTT broker. <see cref="Mqtt"/> has its client id filled in with the
/// store's id at start when the file does not name one.
/// </summary>
public sealed record TransportSettings(string Kind, MqttOptions Mqtt)
{
    public const string InProcess = "in-process";
    public const string MqttKind = "mqtt";

    /// <summary>The environment variable that holds the broker password unless the file names another.</summary>
    public const string DefaultPasswordVariable = "SMARTSTORE_MQTT_PASSWORD";

    public static TransportSettings Embedded { get; } = new(InProcess, new MqttOptions { ClientId = string.Empty });

    /// <summary>The MQTT options for a store: a client id that stays the same across restarts, so the session does.</summary>
    public MqttOptions MqttFor(string storeId) => Mqtt.ClientId.Length > 0 ? Mqtt : Mqtt with { ClientId = $"smartstore-node-{storeId}" };
}

/// <summary>
/// The node's settings from <c>cluster.hocon</c>; every key is optional and has the embedded default. Keys
/// under <c>smartstore</c> that the node does not know are errors (a typo must not silently fall back to a
/// default), each naming its file and line.
/// </summary>
public sealed record NodeSettings(ActorSystemOptions Actors, RegionOptions Regions)
{
    private const string Mqtt = "smartstore.transport.mqtt.";

    private static readonly string[] Known =
    [
        "smartstore.actors.throughput", "smartstore.actors.throughput-deadline", "smartstore.actors.shutdown-drain-timeout",
        "smartstore.regions.idle-timeout",
        "smartstore.store.layout",
        "smartstore.journal.kind", "smartstore.journal.sqlite-path", "smartstore.journal.postgresql",
        "smartstore.transport.kind",
        .. new[]
        {
            "host", "port", "client-id", "protocol", "keep-alive", "session-expiry", "receive-maximum", "acknowledge-batch",
            "inbox-capacity", "username", "password-env", "tls-ca-file", "tls-cert-file", "tls-key-file",
            "reconnect-delay", "reconnect-delay-max", "connect-timeout", "drain-timeout",
        }.Select(k => Mqtt + k),
    ];

    public static NodeSettings Defaults { get; } = new(new ActorSystemOptions(), new RegionOptions());

    /// <summary>The store layout file the node runs, when the configuration names one.</summary>
    public string? LayoutPath { get; init; }

    public JournalSettings Journal { get; init; } = JournalSettings.Embedded;

    public TransportSettings Transport { get; init; } = TransportSettings.Embedded;

    /// <param name="environment">Reads an environment variable (the broker password); the process's by default.</param>
    public static NodeSettings From(HoconReader config, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        environment ??= Environment.GetEnvironmentVariable;
        foreach (var key in config.Keys.Where(k => k.StartsWith("smartstore.", StringComparison.Ordinal) && !Known.Contains(k, StringComparer.Ordinal)))
        {
            throw new ConfigurationException(config.File, config.LineOf(key), $"unknown key '{key}'{Suggestion(key)}");
        }

        var kernel = new ActorSystemOptions();
        var actors = kernel with
        {
            Throughput = config.GetInt("smartstore.actors.throughput", kernel.Throughput, min: 1, max: 100_000),
            ThroughputDeadline = config.GetDuration("smartstore.actors.throughput-deadline", kernel.ThroughputDeadline),
            ShutdownDrainTimeout = config.GetDuration("smartstore.actors.shutdown-drain-timeout", kernel.ShutdownDrainTimeout),
        };
        var regions = new RegionOptions { IdleTimeout = config.GetDuration("smartstore.regions.idle-timeout", new RegionOptions().IdleTimeout) };
        return new NodeSettings(actors, regions)
        {
            LayoutPath = config.GetOptionalString("smartstore.store.layout"),
            Journal = ReadJournal(config),
            Transport = ReadTransport(config, environment),
        };
    }

    /// <summary>Reads <paramref name="path"/> if it exists, else the defaults.</summary>
    public static async Task<NodeSettings> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return Defaults;
        }

        return From(HoconReader.Parse(await File.ReadAllTextAsync(path, cancellationToken), path));
    }

    private static JournalSettings ReadJournal(HoconReader config)
    {
        var kind = config.GetChoice("smartstore.journal.kind", JournalSettings.Sqlite, JournalSettings.Sqlite, JournalSettings.PostgreSql);
        var connection = config.GetOptionalString("smartstore.journal.postgresql");
        if (kind == JournalSettings.PostgreSql && string.IsNullOrWhiteSpace(connection))
        {
            throw new ConfigurationException(config.File, config.LineOf("smartstore.journal.kind"), "'smartstore.journal.kind = postgresql' needs 'smartstore.journal.postgresql' (an Npgsql connection string)");
        }

        return new JournalSettings(kind, config.GetString("smartstore.journal.sqlite-path", JournalSettings.Embedded.SqlitePath), connection);
    }

    private static TransportSettings ReadTransport(HoconReader config, Func<string, string?> environment)
    {
        var kind = config.GetChoice("smartstore.transport.kind", TransportSettings.InProcess, TransportSettings.InProcess, TransportSettings.MqttKind);
        var defaults = new MqttOptions();
        var username = config.GetOptionalString(Mqtt + "username");
        var passwordVariable = config.GetString(Mqtt + "password-env", TransportSettings.DefaultPasswordVariable);
        var options = new MqttOptions
        {
            Host = config.GetString(Mqtt + "host", defaults.Host),
            Port = config.GetInt(Mqtt + "port", defaults.Port, min: 1, max: 65_535),
            ClientId = config.GetString(Mqtt + "client-id", string.Empty),
            ProtocolVersion = config.GetInt(Mqtt + "protocol", defaults.ProtocolVersion, min: 4, max: 5),
            KeepAlive = config.GetDuration(Mqtt + "keep-alive", defaults.KeepAlive),
            SessionExpiry = config.GetDuration(Mqtt + "session-expiry", defaults.SessionExpiry),
            ReceiveMaximum = config.GetInt(Mqtt + "receive-maximum", defaults.ReceiveMaximum, min: 1, max: 65_535),
            AcknowledgeBatch = config.GetInt(Mqtt + "acknowledge-batch", defaults.AcknowledgeBatch, min: 1, max: 1_000_000),
            InboxCapacity = config.GetInt(Mqtt + "inbox-capacity", defaults.InboxCapacity, min: 1, max: 10_000_000),
            Username = username,
            Password = username is null ? null : environment(passwordVariable),
            TlsCaFile = config.GetOptionalString(Mqtt + "tls-ca-file"),
            TlsCertFile = config.GetOptionalString(Mqtt + "tls-cert-file"),
            TlsKeyFile = config.GetOptionalString(Mqtt + "tls-key-file"),
            ReconnectDelay = config.GetDuration(Mqtt + "reconnect-delay", defaults.ReconnectDelay),
            ReconnectDelayMax = config.GetDuration(Mqtt + "reconnect-delay-max", defaults.ReconnectDelayMax),
            ConnectTimeout = config.GetDuration(Mqtt + "connect-timeout", defaults.ConnectTimeout),
            DrainTimeout = config.GetDuration(Mqtt + "drain-timeout", defaults.DrainTimeout),
        };

        // The client id is filled in from the store at start when absent; judge the rest now.
        if (kind == TransportSettings.MqttKind && (options with { ClientId = options.ClientId.Length > 0 ? options.ClientId : "smartstore-node" }).Problem() is { } problem)
        {
            var line = config.Keys.Where(k => k.StartsWith(Mqtt, StringComparison.Ordinal)).Select(config.LineOf).DefaultIfEmpty(config.LineOf("smartstore.transport.kind")).Min();
            throw new ConfigurationException(config.File, line, $"smartstore.transport.mqtt: {problem}");
        }

        return new TransportSettings(kind, options);
    }

    private static string Suggestion(string key)
    {
        var section = key[..(key.LastIndexOf('.') + 1)];
        var siblings = Known.Where(k => k.StartsWith(section, StringComparison.Ordinal) && k.IndexOf('.', section.Length) < 0).Select(k => k[section.Length..]).ToList();
        return siblings.Count == 0 ? string.Empty : $"; known keys in '{section.TrimEnd('.')}': {string.Join(", ", siblings)}";
    }
}
