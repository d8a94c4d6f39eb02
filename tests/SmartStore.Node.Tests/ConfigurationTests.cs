using SmartStore.Messaging.Transport;
using SmartStore.Node.Configuration;
using SmartStore.Node.Persistence;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary><c>cluster.hocon</c> read by Akka's HOCON library: the shipped file, the smartstore section's keys, paths, and what is refused.</summary>
public sealed class ConfigurationTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "smartstore-config");

    [Fact]
    public async Task The_shipped_cluster_hocon_reads_into_the_node_settings_with_paths_from_its_own_folder()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "cluster.hocon");

        var settings = await NodeSettings.LoadAsync(file, CancellationToken.None);

        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml"), settings.LayoutPath);
        Assert.Equal((JournalSettings.Sqlite, Path.Combine(AppContext.BaseDirectory, ".smartstore", "journal.db")), (settings.Journal.Kind, settings.Journal.SqlitePath));
        Assert.Equal(TransportSettings.InProcess, settings.Transport.Kind);
        Assert.Equal((1883, 5, TimeSpan.FromDays(7), 2000, 1000), (settings.Transport.Mqtt.Port, settings.Transport.Mqtt.ProtocolVersion, settings.Transport.Mqtt.SessionExpiry, settings.Transport.Mqtt.ReceiveMaximum, settings.Transport.Mqtt.AcknowledgeBatch));
        Assert.Equal("smartstore-node-corner-01", settings.Transport.MqttFor("corner-01").ClientId);
        Assert.Null(settings.Transport.Broker);
        Assert.Equal(100, settings.Hocon!.GetInt("akka.actor.default-dispatcher.throughput"));
        Assert.Equal(TimeSpan.FromMinutes(2), settings.Hocon.GetTimeSpan("akka.cluster.sharding.passivate-idle-entity-after"));
        Assert.Empty(settings.SeedNodes);
    }

    [Fact]
    public void A_broker_with_credentials_and_TLS_and_a_PostgreSQL_journal_read_into_the_options_with_the_password_from_the_environment()
    {
        var ca = typeof(ConfigurationTests).Assembly.Location;
        var environment = new Dictionary<string, string?> { ["STORE_BROKER_SECRET"] = "s3cret" };

        var settings = NodeSettings.Parse(
            $$"""
            smartstore.transport {
              kind = mqtt
              mqtt {
                host = broker.store.lan
                port = 8883
                client-id = "node-a"
                protocol = 4
                keep-alive = 20s
                username = node
                password-env = "STORE_BROKER_SECRET"
                tls-ca-file = "{{ca}}"
              }
            }
            smartstore.journal {
              kind = postgresql
              postgresql = "Host=db;Username=smartstore"
            }
            akka.cluster.seed-nodes = ["akka.tcp://smartstore@10.0.0.5:4053"]
            """,
            Path.Combine(Folder, "node.hocon"),
            name => environment.GetValueOrDefault(name));

        var mqtt = settings.Transport.MqttFor("corner-01");
        Assert.Equal(TransportSettings.MqttKind, settings.Transport.Kind);
        Assert.Equal(("broker.store.lan", 8883, "node-a", 4, TimeSpan.FromSeconds(20)), (mqtt.Host, mqtt.Port, mqtt.ClientId, mqtt.ProtocolVersion, mqtt.KeepAlive));
        Assert.Equal(("node", "s3cret", ca), (mqtt.Username, mqtt.Password, mqtt.TlsCaFile));
        Assert.Equal((JournalSettings.PostgreSql, "Host=db;Username=smartstore"), (settings.Journal.Kind, settings.Journal.PostgresConnection));
        Assert.Equal(["akka.tcp://smartstore@10.0.0.5:4053"], settings.SeedNodes);
    }

    [Fact]
    public void The_embedded_broker_reads_its_port_queue_and_credentials_with_the_password_from_the_environment()
    {
        var environment = new Dictionary<string, string?> { ["STORE_SECRET"] = "s3cret" };

        var settings = NodeSettings.Parse(
            """
            smartstore.transport {
              kind = embedded
              embedded {
                port = 0
                max-queued-messages = 250000
                username = store
                password-env = "STORE_SECRET"
              }
              mqtt.client-id = "node-a"
            }
            """,
            Path.Combine(Folder, "node.hocon"),
            name => environment.GetValueOrDefault(name));

        Assert.Equal(TransportSettings.EmbeddedKind, settings.Transport.Kind);
        Assert.Equal(new EmbeddedBrokerOptions { Port = 0, MaxQueuedMessages = 250_000, Username = "store", Password = "s3cret" }, settings.Transport.Broker);
        Assert.Equal("node-a", settings.Transport.MqttFor("corner-01").ClientId);
        Assert.Equal(new EmbeddedBrokerOptions(), NodeSettings.Parse("smartstore.transport.kind = embedded", "t.hocon").Transport.Broker);
    }

    [Fact]
    public void Relative_paths_resolve_against_the_files_folder_and_absolute_ones_stay()
    {
        var settings = NodeSettings.Parse("smartstore.store.layout = \"layouts/mine.yaml\"\nsmartstore.journal.sqlite-path = \"/var/lib/smartstore/j.db\"", Path.Combine(Folder, "etc", "node.hocon"));

        Assert.Equal(Path.Combine(Folder, "etc", "layouts", "mine.yaml"), settings.LayoutPath);
        Assert.Equal("/var/lib/smartstore/j.db", settings.Journal.SqlitePath);
    }

    [Fact]
    public async Task A_configuration_file_that_is_not_there_is_an_error_not_the_defaults()
    {
        var missing = Path.Combine(Folder, "nowhere.hocon");

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => NodeSettings.LoadAsync(missing, CancellationToken.None));

        Assert.Equal($"{missing}: the configuration file does not exist", error.Message);
    }

    [Theory]
    [InlineData("a {\n b = 1\n", "t.hocon: line 1: '{' is never closed")]
    [InlineData("a = 1\n}\nb = 2\n", "t.hocon: line 2: '}' closes nothing")]
    [InlineData("a = \"open\nb = 2\n", "t.hocon: line 1: a string is never closed")]
    [InlineData("a = [1, 2\n", "t.hocon: line 1: '[' is never closed")]
    public void A_file_with_unbalanced_braces_or_strings_is_refused_with_its_line_instead_of_half_read(string text, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeSettings.Parse(text, "t.hocon"));
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void The_chain_lists_every_store_s_layout_resolved_against_the_file_s_folder()
    {
        var settings = NodeSettings.Parse("smartstore.store.chain = [\"layouts/a.yaml\", \"/srv/b.yaml\"]", Path.Combine(Folder, "node.hocon"));

        Assert.Equal([Path.Combine(Folder, "layouts", "a.yaml"), "/srv/b.yaml"], settings.ChainPaths);
        Assert.Empty(NodeSettings.Parse("smartstore.store.layout = x.yaml", Path.Combine(Folder, "node.hocon")).ChainPaths);
    }

    [Fact]
    public void Comments_and_strings_with_braces_in_them_are_not_mistaken_for_structure()
    {
        var settings = NodeSettings.Parse("# a comment with { and }\nsmartstore {\n  // another }\n  journal.sqlite-path = \"odd{name}.db\"\n}\n", Path.Combine(Folder, "t.hocon"));

        Assert.Equal(Path.Combine(Folder, "odd{name}.db"), settings.Journal.SqlitePath);
    }

    [Theory]
    [InlineData("smartstore.transport.mqtt.hots = broker", "t.hocon: unknown key 'smartstore.transport.mqtt.hots'; known keys in 'smartstore.transport.mqtt': host, port, client-id")]
    [InlineData("smartstore { actors { throughput = 10 } }", "t.hocon: unknown key 'smartstore.actors.throughput'")]
    [InlineData("smartstore.transport.kind = pigeon", "t.hocon: 'smartstore.transport.kind' must be one of in-process, mqtt, embedded, got 'pigeon'")]
    [InlineData("smartstore.transport.kind = embedded\nsmartstore.transport.embedded.port = 70000", "t.hocon: 'smartstore.transport.embedded.port' must be a whole number between 0 and 65535, got '70000'")]
    [InlineData("smartstore.transport.embedded.max-queued-messages = none", "t.hocon: 'smartstore.transport.embedded.max-queued-messages' must be a whole number between 1 and 100000000, got 'none'")]
    [InlineData("smartstore.transport.embedded.prot = 1", "t.hocon: unknown key 'smartstore.transport.embedded.prot'; known keys in 'smartstore.transport.embedded': port, max-queued-messages, username, password-env")]
    [InlineData("smartstore.transport.kind = embedded\nsmartstore.transport.embedded.username = store\nsmartstore.transport.embedded.password-env = SMARTSTORE_TEST_UNSET_SECRET", "t.hocon: 'smartstore.transport.embedded.username' is set, but the environment variable 'SMARTSTORE_TEST_UNSET_SECRET' ('smartstore.transport.embedded.password-env') that holds its password is not")]
    [InlineData("smartstore.transport.mqtt.port = 70000", "t.hocon: 'smartstore.transport.mqtt.port' must be a whole number between 1 and 65535, got '70000'")]
    [InlineData("smartstore.transport.mqtt.keep-alive = soon", "t.hocon: 'smartstore.transport.mqtt.keep-alive' must be a duration such as 500ms, 30s or 7d, got 'soon'")]
    [InlineData("smartstore.journal.kind = postgresql", "t.hocon: 'smartstore.journal.kind = postgresql' needs 'smartstore.journal.postgresql'")]
    [InlineData("smartstore.store.layout = [a, b]", "t.hocon: 'smartstore.store.layout' must be a single value")]
    [InlineData("smartstore.store.chain = a.yaml", "t.hocon: 'smartstore.store.chain' must be a list of files, such as [\"store-layouts/a.yaml\", \"store-layouts/b.yaml\"]")]
    [InlineData("smartstore.store.chain = [a.yaml, { x = 1 }]", "t.hocon: 'smartstore.store.chain' must be a list of file names (text)")]
    [InlineData("smartstore.transport.kind = mqtt\nsmartstore.transport.mqtt.tls-ca-file = /nowhere/ca.crt", "t.hocon: smartstore.transport.mqtt: the TLS CA file '/nowhere/ca.crt' does not exist")]
    public void Unknown_keys_and_out_of_range_or_mistyped_values_are_reported_with_their_setting_not_defaulted(string text, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeSettings.Parse(text, "t.hocon"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("5s", 5_000)]
    [InlineData("2m", 120_000)]
    public void Durations_on_the_command_line_read_as_in_the_file(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), DurationArgument.Parse(text));

    [Theory]
    [InlineData("soon")]
    [InlineData("")]
    [InlineData("5 s; rm")]
    public void Anything_else_is_not_a_duration(string text) => Assert.Null(DurationArgument.Parse(text));
}
