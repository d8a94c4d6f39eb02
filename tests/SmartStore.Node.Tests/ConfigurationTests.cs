using SmartStore.Node.Configuration;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed class ConfigurationTests
{
    [Fact]
    public async Task The_shipped_cluster_hocon_reads_into_the_kernel_settings()
    {
        var settings = await NodeSettings.LoadAsync(Path.Combine(AppContext.BaseDirectory, "cluster.hocon"), CancellationToken.None);

        Assert.Equal(100, settings.Actors.Throughput);
        Assert.Equal(TimeSpan.FromMilliseconds(1), settings.Actors.ThroughputDeadline);
        Assert.Equal(TimeSpan.FromSeconds(5), settings.Actors.ShutdownDrainTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.Regions.IdleTimeout);
        Assert.Equal("store-layouts/small-convenience.yaml", settings.LayoutPath);
        Assert.Equal((JournalSettings.Sqlite, ".smartstore/journal.db"), (settings.Journal.Kind, settings.Journal.SqlitePath));
        Assert.Equal(TransportSettings.InProcess, settings.Transport.Kind);
        Assert.Equal((1883, 5, TimeSpan.FromDays(7), 2000, 1000), (settings.Transport.Mqtt.Port, settings.Transport.Mqtt.ProtocolVersion, settings.Transport.Mqtt.SessionExpiry, settings.Transport.Mqtt.ReceiveMaximum, settings.Transport.Mqtt.AcknowledgeBatch));
        Assert.Equal("smartstore-node-corner-01", settings.Transport.MqttFor("corner-01").ClientId);
    }

    [Fact]
    public void A_broker_with_credentials_and_TLS_reads_into_the_client_options_with_the_password_from_the_environment()
    {
        var ca = typeof(ConfigurationTests).Assembly.Location;
        var config = HoconReader.Parse(
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
            """,
            "node.hocon");
        var environment = new Dictionary<string, string?> { ["STORE_BROKER_SECRET"] = "s3cret" };

        var settings = NodeSettings.From(config, name => environment.GetValueOrDefault(name));

        var mqtt = settings.Transport.MqttFor("corner-01");
        Assert.Equal(TransportSettings.MqttKind, settings.Transport.Kind);
        Assert.Equal(("broker.store.lan", 8883, "node-a", 4, TimeSpan.FromSeconds(20)), (mqtt.Host, mqtt.Port, mqtt.ClientId, mqtt.ProtocolVersion, mqtt.KeepAlive));
        Assert.Equal(("node", "s3cret", ca), (mqtt.Username, mqtt.Password, mqtt.TlsCaFile));
        Assert.Equal((JournalSettings.PostgreSql, "Host=db;Username=smartstore"), (settings.Journal.Kind, settings.Journal.PostgresConnection));
    }

    [Fact]
    public void Nested_objects_dotted_keys_comments_strings_and_overrides_are_understood()
    {
        var config = HoconReader.Parse(
            """
            # a comment
            a {
              b = 1          // trailing comment
              c { d: "x # not a comment" }
            }
            a.c.e = 250ms
            a.b = 2
            """.Replace("c { d: \"x # not a comment\" }", "c {\n d: \"x # not a comment\"\n }", StringComparison.Ordinal),
            "t.hocon");

        Assert.Equal(2, config.GetInt("a.b", 0));
        Assert.Equal("x # not a comment", config.GetString("a.c.d", ""));
        Assert.Equal(TimeSpan.FromMilliseconds(250), config.GetDuration("a.c.e", TimeSpan.Zero));
        Assert.Equal(7, config.GetInt("missing", 7));
    }

    [Theory]
    [InlineData("a {\n b = 1\n", "t.hocon:1: 'a {' is never closed")]
    [InlineData("}\n", "t.hocon:1: '}' closes nothing")]
    [InlineData("a = \"open\n", "t.hocon:1: unterminated string for 'a'")]
    [InlineData("just words\n", "t.hocon:1: expected 'key = value'")]
    [InlineData("bad key! = 1\n", "t.hocon:1: 'bad key!' is not a valid key")]
    public void Malformed_files_fail_with_the_file_and_line(string text, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => HoconReader.Parse(text, "t.hocon"));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("smartstore.actors.throughput = 0", "t.hocon:1: 'smartstore.actors.throughput' must be a whole number between 1 and 100000, got '0'")]
    [InlineData("smartstore.actors.shutdown-drain-timeout = soon", "t.hocon:1: 'smartstore.actors.shutdown-drain-timeout' must be a duration")]
    [InlineData("smartstore.transport.mqtt.hots = broker", "t.hocon:1: unknown key 'smartstore.transport.mqtt.hots'; known keys in 'smartstore.transport.mqtt': host, port, client-id")]
    [InlineData("smartstore.transport.kind = pigeon", "t.hocon:1: 'smartstore.transport.kind' must be one of in-process, mqtt, got 'pigeon'")]
    [InlineData("smartstore.transport.mqtt.port = 70000", "t.hocon:1: 'smartstore.transport.mqtt.port' must be a whole number between 1 and 65535, got '70000'")]
    [InlineData("smartstore.journal.kind = postgresql", "t.hocon:1: 'smartstore.journal.kind = postgresql' needs 'smartstore.journal.postgresql'")]
    [InlineData("smartstore.transport.kind = mqtt\nsmartstore.transport.mqtt.tls-ca-file = /nowhere/ca.crt", "t.hocon:2: smartstore.transport.mqtt: the TLS CA file '/nowhere/ca.crt' does not exist")]
    public void Out_of_range_or_mistyped_values_are_reported_not_defaulted(string text, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => NodeSettings.From(HoconReader.Parse(text, "t.hocon")));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }
}
