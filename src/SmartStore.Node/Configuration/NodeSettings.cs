using System.Globalization;
using Akka.Configuration;
using Akka.Configuration.Hocon;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Persistence;
using SmartStore.Vision;
using SmartStore.Vision.Identification;
using SmartStore.Vision.Search;

namespace SmartStore.Node.Configuration;

/// <summary>A configuration that cannot be used: which file, which setting, and why.</summary>
public sealed class ConfigurationException(string file, string message) : Exception($"{file}: {message}")
{
    public string File { get; } = file;
}

/// <summary>
/// How devices reach the node: in this process (the embedded default: the demo and the simulator's devices
/// live beside the node), through an MQTT broker, or through an MQTT broker the node runs itself
/// (<see cref="Broker"/>, kind <c>embedded</c>; the node's client then connects to it on 127.0.0.1).
/// <see cref="Mqtt"/> has its client id filled in with the store's id at start when the file does not name one.
/// </summary>
public sealed record TransportSettings(string Kind, MqttSessionOptions Mqtt, EmbeddedBrokerOptions? Broker = null)
{
    public const string InProcess = "in-process";
    public const string MqttKind = "mqtt";
    public const string EmbeddedKind = "embedded";

    /// <summary>The environment variable that holds the broker password unless the file names another.</summary>
    public const string DefaultPasswordVariable = "SMARTSTORE_MQTT_PASSWORD";

    public static TransportSettings Embedded { get; } = new(InProcess, new MqttSessionOptions { ClientId = string.Empty });

    /// <summary>The MQTT options for a store: a client id that stays the same across restarts, so the session does.</summary>
    public MqttSessionOptions MqttFor(string storeId) => Mqtt.ClientId.Length > 0 ? Mqtt : Mqtt with { ClientId = $"smartstore-node-{storeId}" };
}

/// <summary>
/// The node's settings from <c>cluster.hocon</c>, read by Akka's own HOCON library: the <c>akka</c> section
/// configures the actor system (it overrides the node's defaults), the <c>smartstore</c> section the store,
/// its journal and its device transport. Every <c>smartstore</c> key is optional and has the embedded default; a
/// key the node does not know is an error that names it (a typo must not silently fall back to a default), a
/// value of the wrong kind names its setting, and relative paths resolve against the file's own folder.
/// </summary>
public sealed record NodeSettings
{
    private const string Mqtt = "smartstore.transport.mqtt.";
    private const string Embedded = "smartstore.transport.embedded.";

    private static readonly string[] Known =
    [
        "smartstore.store.layout", "smartstore.store.chain", "smartstore.store.delivery-timeout",
        "smartstore.journal.kind", "smartstore.journal.sqlite-path", "smartstore.journal.postgresql",
        "smartstore.transport.kind",
        "smartstore.biometrics.vault-path", "smartstore.biometrics.master-key-file",
        "smartstore.vision.enabled", "smartstore.vision.detector", "smartstore.vision.embedder", "smartstore.vision.embedder-sha256",
        "smartstore.vision.provider", "smartstore.vision.workers", "smartstore.vision.match-threshold", "smartstore.vision.match-margin",
        "smartstore.vision.liveness", "smartstore.vision.liveness-frames",
        .. new[]
        {
            "host", "port", "client-id", "protocol", "keep-alive", "session-expiry", "receive-maximum", "acknowledge-batch",
            "inbox-capacity", "username", "password-env", "tls-ca-file", "tls-cert-file", "tls-key-file",
            "reconnect-delay", "reconnect-delay-max", "connect-timeout", "drain-timeout",
        }.Select(k => Mqtt + k),
        .. new[] { "port", "max-queued-messages", "username", "password-env" }.Select(k => Embedded + k),
    ];

    /// <summary>The file a command reads when it is given none.</summary>
    public const string DefaultFile = "cluster.hocon";

    public static NodeSettings Defaults { get; } = new();

    /// <summary>The store layout file the node runs, when the configuration names one (resolved against the file's folder).</summary>
    public string? LayoutPath { get; init; }

    /// <summary>
    /// <c>smartstore.store.chain</c>: the layout files of every store of the chain (resolved against the file's
    /// folder). Every node of a cluster must list the same ones: sharding may start any store's entities on any node.
    /// </summary>
    public IReadOnlyList<string> ChainPaths { get; init; } = [];

    public JournalSettings Journal { get; init; } = JournalSettings.Embedded;

    public TransportSettings Transport { get; init; } = TransportSettings.Embedded;

    /// <summary>The shoppers' key vault; null: beside the journal.</summary>
    public Accounts.KeyVaultSettings? KeyVault { get; init; }

    /// <summary>The face pipeline when face entry is on (null: off, or "auto" and the models are not set up).</summary>
    public VisionOptions? Vision { get; init; }

    /// <summary>Why face entry is off, when it is (for the start-up log).</summary>
    public string? VisionOff { get; init; } = "no configuration file";

    public FaceEntrySettings FaceEntry { get; init; } = new();

    /// <summary>The whole file, for the actor system (its <c>akka</c> section); null without a file.</summary>
    public Config? Hocon { get; init; }

    /// <summary>
    /// How long a device message may take to be stored before the transport gives up on that try and sends it again
    /// (never acknowledged before it is stored). A message that was on its way to a node that died is only retried
    /// after it, so in a cluster it bounds how long a node's death holds up the other stores' messages.
    /// </summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary><c>akka.cluster.seed-nodes</c> from the file: none means a node of its own.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>Where the settings came from (a path, or "defaults").</summary>
    public string Source { get; init; } = "defaults";

    /// <summary>Reads <paramref name="path"/>; a file that is not there is an error, never a silent fall-back to the defaults.</summary>
    public static async Task<NodeSettings> LoadAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ConfigurationException(path, "the configuration file does not exist");
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        return Parse(text, path);
    }

    /// <summary>
    /// The settings a command runs on: <paramref name="path"/> when one was given (a path that does not exist is an
    /// error), else <c>cluster.hocon</c> in the working folder when there is one, else the embedded defaults.
    /// </summary>
    public static Task<NodeSettings> LoadOrDefaultsAsync(string? path, CancellationToken cancellationToken) =>
        path is null && !File.Exists(DefaultFile) ? Task.FromResult(Defaults) : LoadAsync(path ?? DefaultFile, cancellationToken);

    /// <param name="environment">Reads an environment variable (the broker password); the process's by default.</param>
    public static NodeSettings Parse(string text, string file, Func<string, string?>? environment = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(file);
        HoconShape.Check(text, file);
        Config config;
        try
        {
            config = ConfigurationFactory.ParseString(text);
        }
        catch (Exception error) when (error is ConfigurationException or FormatException or Akka.Configuration.ConfigurationException)
        {
            throw new ConfigurationException(file, error.Message);
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? Directory.GetCurrentDirectory();
        var reader = new Reader(config, file, folder);
        foreach (var key in reader.Keys("smartstore").Where(k => !Known.Contains(k, StringComparer.Ordinal)))
        {
            throw new ConfigurationException(file, $"unknown key '{key}'{Suggestion(key)}");
        }

        var (vision, visionOff) = ReadVision(reader);
        return new NodeSettings
        {
            KeyVault = ReadVault(reader),
            Vision = vision,
            VisionOff = visionOff,
            FaceEntry = ReadFaceEntry(reader),
            LayoutPath = reader.OptionalPath("smartstore.store.layout"),
            ChainPaths = reader.OptionalPaths("smartstore.store.chain"),
            DeliveryTimeout = reader.Duration("smartstore.store.delivery-timeout", TimeSpan.FromMinutes(1)),
            Journal = ReadJournal(reader),
            Transport = ReadTransport(reader, environment ?? Environment.GetEnvironmentVariable),
            Hocon = config,
            SeedNodes = config.HasPath("akka.cluster.seed-nodes") ? [.. config.GetStringList("akka.cluster.seed-nodes")] : [],
            Source = file,
        };
    }

    private static Accounts.KeyVaultSettings? ReadVault(Reader config)
    {
        var path = config.OptionalPath("smartstore.biometrics.vault-path");
        var keyFile = config.OptionalPath("smartstore.biometrics.master-key-file");
        return path is null && keyFile is null ? null : new Accounts.KeyVaultSettings { Path = path ?? new Accounts.KeyVaultSettings().Path, MasterKeyFile = keyFile };
    }

    /// <summary>
    /// <c>enabled = auto</c> (the default) turns face entry on when both model files are there, and says why not
    /// otherwise; <c>on</c> makes missing models an error; <c>off</c> refuses gate-camera frames.
    /// </summary>
    private static (VisionOptions? Options, string? Off) ReadVision(Reader config)
    {
        const string key = "smartstore.vision.";
        var enabled = config.Choice(key + "enabled", "auto", "auto", "on", "off");
        if (enabled == "off")
        {
            return (null, "smartstore.vision.enabled = off");
        }

        var detector = config.OptionalPath(key + "detector") ?? Path.GetFullPath(Path.Combine(".smartstore", "models", "face_detection_yunet_320.onnx"), config.Folder);
        var embedder = config.OptionalPath(key + "embedder") ?? Path.GetFullPath(Path.Combine(".smartstore", "models", "fr_feature.onnx"), config.Folder);
        var missing = new[] { detector, embedder }.Where(f => !File.Exists(f)).ToList();
        if (missing.Count > 0)
        {
            var why = $"face models missing ({string.Join(", ", missing)}): run ./smartstore setup-models";
            return enabled == "on" ? throw new ConfigurationException(config.File, $"smartstore.vision.enabled = on, but the {why}") : (null, why);
        }

        var provider = config.Choice(key + "provider", "cpu", "cpu", "cuda");
        return (new VisionOptions
        {
            DetectorModelPath = detector,
            EmbedderModelPath = embedder,
            EmbedderSha256 = config.OptionalString(key + "embedder-sha256"),
            Provider = provider == "cuda" ? ExecutionProvider.Cuda : ExecutionProvider.Cpu,
            Workers = config.Int(key + "workers", Math.Max(1, Environment.ProcessorCount), 1, 256),
        }, null);
    }

    private static FaceEntrySettings ReadFaceEntry(Reader config)
    {
        const string key = "smartstore.vision.";
        var defaults = new FaceEntrySettings();
        return defaults with
        {
            Match = new MatchSettings
            {
                Threshold = config.Fraction(key + "match-threshold", defaults.Match.Threshold),
                Margin = config.Fraction(key + "match-margin", defaults.Match.Margin),
            },
            Liveness = defaults.Liveness with
            {
                Required = config.Choice(key + "liveness", "motion", "motion", "off") == "motion",
                MinFrames = config.Int(key + "liveness-frames", defaults.Liveness.MinFrames, 2, 30),
            },
        };
    }

    private static JournalSettings ReadJournal(Reader config)
    {
        var kind = config.Choice("smartstore.journal.kind", JournalSettings.Sqlite, JournalSettings.Sqlite, JournalSettings.PostgreSql);
        var connection = config.OptionalString("smartstore.journal.postgresql");
        if (kind == JournalSettings.PostgreSql && string.IsNullOrWhiteSpace(connection))
        {
            throw new ConfigurationException(config.File, "'smartstore.journal.kind = postgresql' needs 'smartstore.journal.postgresql' (an Npgsql connection string)");
        }

        return new JournalSettings(kind, config.OptionalPath("smartstore.journal.sqlite-path") ?? Path.Combine(config.Folder, JournalSettings.Embedded.SqlitePath), connection);
    }

    private static TransportSettings ReadTransport(Reader config, Func<string, string?> environment)
    {
        var kind = config.Choice("smartstore.transport.kind", TransportSettings.InProcess, TransportSettings.InProcess, TransportSettings.MqttKind, TransportSettings.EmbeddedKind);
        var defaults = new MqttSessionOptions();
        var username = config.OptionalString(Mqtt + "username");
        var passwordVariable = config.OptionalString(Mqtt + "password-env") ?? TransportSettings.DefaultPasswordVariable;
        var options = new MqttSessionOptions
        {
            Host = config.OptionalString(Mqtt + "host") ?? defaults.Host,
            Port = config.Int(Mqtt + "port", defaults.Port, 1, 65_535),
            ClientId = config.OptionalString(Mqtt + "client-id") ?? string.Empty,
            ProtocolVersion = config.Int(Mqtt + "protocol", defaults.ProtocolVersion, 4, 5),
            KeepAlive = config.Duration(Mqtt + "keep-alive", defaults.KeepAlive),
            SessionExpiry = config.Duration(Mqtt + "session-expiry", defaults.SessionExpiry),
            ReceiveMaximum = config.Int(Mqtt + "receive-maximum", defaults.ReceiveMaximum, 1, 65_535),
            AcknowledgeBatch = config.Int(Mqtt + "acknowledge-batch", defaults.AcknowledgeBatch, 1, 1_000_000),
            InboxCapacity = config.Int(Mqtt + "inbox-capacity", defaults.InboxCapacity, 1, 10_000_000),
            Username = username,
            Password = username is null ? null : environment(passwordVariable),
            TlsCaFile = config.OptionalPath(Mqtt + "tls-ca-file"),
            TlsCertFile = config.OptionalPath(Mqtt + "tls-cert-file"),
            TlsKeyFile = config.OptionalPath(Mqtt + "tls-key-file"),
            ReconnectDelay = config.Duration(Mqtt + "reconnect-delay", defaults.ReconnectDelay),
            ReconnectDelayMax = config.Duration(Mqtt + "reconnect-delay-max", defaults.ReconnectDelayMax),
            ConnectTimeout = config.Duration(Mqtt + "connect-timeout", defaults.ConnectTimeout),
            DrainTimeout = config.Duration(Mqtt + "drain-timeout", defaults.DrainTimeout),
        };

        // The client id is filled in from the store at start when absent; judge the rest now.
        if (kind == TransportSettings.MqttKind && (options with { ClientId = options.ClientId.Length > 0 ? options.ClientId : "smartstore-node" }).Problem() is { } problem)
        {
            throw new ConfigurationException(config.File, $"smartstore.transport.mqtt: {problem}");
        }

        var broker = ReadEmbeddedBroker(config, kind, environment);
        if (kind == TransportSettings.EmbeddedKind)
        {
            // The node's client goes to the broker in this process: host, port, credentials and TLS come from there.
            var client = (options with { ClientId = options.ClientId.Length > 0 ? options.ClientId : "smartstore-node", Host = EmbeddedBrokerOptions.Host, Port = 1, Username = null, Password = null, TlsCaFile = null, TlsCertFile = null, TlsKeyFile = null })
                .Problem();
            if (client is not null)
            {
                throw new ConfigurationException(config.File, $"smartstore.transport.mqtt: {client}");
            }
        }

        return new TransportSettings(kind, options, kind == TransportSettings.EmbeddedKind ? broker : null);
    }

    /// <summary>
    /// The broker <c>kind = embedded</c> runs. Read whatever the kind, so a mistake in the section is reported
    /// before someone switches to it. A username needs its password in the environment variable
    /// <c>password-env</c> names: a broker that would let in anyone who knows the name is refused.
    /// </summary>
    private static EmbeddedBrokerOptions ReadEmbeddedBroker(Reader config, string kind, Func<string, string?> environment)
    {
        var defaults = new EmbeddedBrokerOptions();
        var username = config.OptionalString(Embedded + "username");
        var passwordVariable = config.OptionalString(Embedded + "password-env") ?? TransportSettings.DefaultPasswordVariable;
        var password = username is null ? null : environment(passwordVariable);
        if (username is { Length: 0 })
        {
            throw new ConfigurationException(config.File, $"'{Embedded}username' is empty; leave it out to let any client on this machine connect");
        }

        if (username is not null && string.IsNullOrEmpty(password) && kind == TransportSettings.EmbeddedKind)
        {
            throw new ConfigurationException(config.File, $"'{Embedded}username' is set, but the environment variable '{passwordVariable}' ('{Embedded}password-env') that holds its password is not");
        }

        return new EmbeddedBrokerOptions
        {
            Port = config.Int(Embedded + "port", defaults.Port, 0, 65_535),
            MaxQueuedMessages = config.Int(Embedded + "max-queued-messages", defaults.MaxQueuedMessages, 1, 100_000_000),
            Username = username,
            Password = password,
        };
    }

    private static string Suggestion(string key)
    {
        var section = key[..(key.LastIndexOf('.') + 1)];
        var siblings = Known.Where(k => k.StartsWith(section, StringComparison.Ordinal) && k.IndexOf('.', section.Length) < 0).Select(k => k[section.Length..]).ToList();
        return siblings.Count == 0 ? string.Empty : $"; known keys in '{section.TrimEnd('.')}': {string.Join(", ", siblings)}";
    }

    /// <summary>Typed reads of one file's settings, each error naming the setting.</summary>
    private sealed class Reader(Config config, string file, string folder)
    {
        public string File { get; } = file;

        public string Folder { get; } = folder;

        /// <summary>Every leaf key under <paramref name="section"/>, as a dotted path.</summary>
        public List<string> Keys(string section)
        {
            if (!config.HasPath(section))
            {
                return [];
            }

            var keys = new List<string>();
            Walk(section, config.GetValue(section), keys);
            return keys;
        }

        public string? OptionalString(string key)
        {
            if (!config.HasPath(key))
            {
                return null;
            }

            var value = config.GetValue(key);
            return value.IsString() ? value.GetString() : throw Wrong(key, "a single value", value);
        }

        public string? OptionalPath(string key) => OptionalString(key) is { } path ? Path.GetFullPath(path, Folder) : null;

        public IReadOnlyList<string> OptionalPaths(string key)
        {
            if (!config.HasPath(key))
            {
                return [];
            }

            var value = config.GetValue(key);
            if (!value.IsArray())
            {
                throw Wrong(key, "a list of files, such as [\"store-layouts/a.yaml\", \"store-layouts/b.yaml\"]", value);
            }

            var items = value.GetArray();
            return items.All(item => item.IsString())
                ? [.. items.Select(item => Path.GetFullPath(item.GetString(), Folder))]
                : throw Wrong(key, "a list of file names (text)", value);
        }

        public string Choice(string key, string fallback, params string[] choices)
        {
            var value = OptionalString(key) ?? fallback;
            return choices.Contains(value, StringComparer.Ordinal) ? value : throw new ConfigurationException(File, $"'{key}' must be one of {string.Join(", ", choices)}, got '{value}'");
        }

        public int Int(string key, int fallback, int min, int max)
        {
            var text = OptionalString(key);
            if (text is null)
            {
                return fallback;
            }

            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : throw new ConfigurationException(File, $"'{key}' must be a whole number between {min} and {max}, got '{text}'");
        }

        public double Fraction(string key, double fallback)
        {
            var text = OptionalString(key);
            if (text is null)
            {
                return fallback;
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
                ? value
                : throw new ConfigurationException(File, $"'{key}' must be a number between 0 and 1, got '{text}'");
        }

        public TimeSpan Duration(string key, TimeSpan fallback)
        {
            if (OptionalString(key) is not { } text)
            {
                return fallback;
            }

            try
            {
                return config.GetTimeSpan(key, fallback, allowInfinite: false);
            }
            catch (Exception error) when (error is FormatException or OverflowException or ArgumentException)
            {
                throw new ConfigurationException(File, $"'{key}' must be a duration such as 500ms, 30s or 7d, got '{text}'");
            }
        }

        private ConfigurationException Wrong(string key, string expected, HoconValue value) => new(File, $"'{key}' must be {expected}, got {value}");

        private static void Walk(string path, HoconValue value, List<string> keys)
        {
            if (!value.IsObject())
            {
                keys.Add(path);
                return;
            }

            foreach (var (name, child) in value.GetObject().Items)
            {
                Walk($"{path}.{name}", child, keys);
            }
        }
    }
}
