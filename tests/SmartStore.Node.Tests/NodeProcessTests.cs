using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Messaging.Transport;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Payments;
using SmartStore.Node.Persistence;
using SmartStore.Testing;
using Xunit;
using static SmartStore.Node.Tests.DevicePublishing;

namespace SmartStore.Node.Tests;

/// <summary>
/// <c>smartstore-node run</c> as a real process on a real Mosquitto and a SQLite file: configured from a HOCON
/// file, reporting its health (retained) over MQTT, counting bad input by reason, killed with SIGKILL in the
/// middle of the morning and started again, then stopped with SIGTERM; the journal it leaves is read back.
/// </summary>
#pragma warning disable CA1001 // The broker and the directory go in DisposeAsync (xunit's IAsyncLifetime).
public sealed class NodeProcessTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly Scenario _morning = DemoScenario.Build(StoreHarness.Small, StoreHarness.Start);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-node-process-");
    private MosquittoServer _broker = null!;

    private string Journal => Path.Combine(_directory.FullName, "journal.db");

    public async Task InitializeAsync() => _broker = await MosquittoServer.StartAsync();

    public async Task DisposeAsync()
    {
        // A failed test must not leave a node running.
        NodeProcess.KillAll();
        await _broker.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task The_node_serves_the_store_over_the_broker_counts_bad_input_survives_a_kill_and_charges_each_visit_once()
    {
        var config = await WriteConfigAsync();
        await using var health = await HealthListener.StartAsync(_broker);
        var node = StartNode(config);
        await health.WaitForAsync(h => h.BrokerConnected, node);

        // Bad input from a real client is refused and counted by reason, and the node runs on.
        await PublishWithToolAsync("smartstore/corner-01/camera/cam-nw/observations", "{\"v\":1,\"device\":");
        await PublishWithToolAsync("smartstore/corner-01/shelf/shelf-99/weight", "{}");
        await PublishWithToolAsync("smartstore/corner-01/gate/gate-in/events", "{\"v\":2,\"device\":\"gate-in\",\"seq\":1,\"ts\":1,\"event\":\"crossed\"}");
        var counted = await health.WaitForAsync(h => h.Rejected == 3, node);
        Assert.Equal(new Dictionary<string, long> { ["MalformedJson"] = 1, ["UnknownDevice"] = 1, ["UnsupportedVersion"] = 1 }, counted.RejectedByReason);

        // The morning until half-way to the first exit goes out; the node is killed (SIGKILL) while it works
        // through it, so no visit is settled yet and every receipt must come from the second process.
        var firstExit = _morning.Messages.ToList().FindIndex(m => m is GateEvent { Device: "gate-out", Event: "crossed" });
        var cut = firstExit / 2;
        await using var devices = new MqttSession(new MqttSessionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "devices", CleanSession = true });
        await devices.ConnectAsync();
        var publishing = devices.PublishAllAsync(AsSent(_morning.Messages.Take(cut)));
        var beforeKill = await health.WaitForAsync(h => h.Delivered >= cut / 3, node);
        node.Kill();
        await publishing;
        Assert.Equal(0, beforeKill.Receipts);

        // A new process on the same journal and session: the broker hands over everything not acknowledged.
        node = StartNode(config);
        await devices.PublishAllAsync(AsSent(_morning.Messages.Skip(cut)));
        var settled = await health.WaitForAsync(h => h.Receipts + h.Reviews >= _morning.Expected.Count, node);
        Assert.Equal((0, 0L), (await node.StopAsync(), settled.Rejected));
        Assert.Equal((_morning.Expected.Count, 0, (long)_morning.Expected.Count), (settled.Receipts, settled.Reviews, settled.Captured));

        await AssertJournalHoldsTheScriptedReceiptsAsync();
    }

    [Fact]
    public async Task The_status_line_the_health_topic_and_the_shutdown_line_count_the_same_messages()
    {
        var config = await WriteConfigAsync();
        await using var health = await HealthListener.StartAsync(_broker);
        var node = StartNode(config);
        await health.WaitForAsync(h => h.BrokerConnected, node);

        // N good messages (the morning's first, each new), M bad ones, one reading an hour behind its shelf.
        var good = _morning.Messages.Take(60).ToList();
        var shelf = good.OfType<WeightReport>().Last();
        (string Topic, string Payload)[] bad =
        [
            ("smartstore/corner-01/camera/cam-nw/observations", "{\"v\":1,\"device\":"),
            ("smartstore/corner-01/shelf/shelf-99/weight", "{}"),
            ("smartstore/corner-01/gate/gate-in/events", "{\"v\":1,\"device\":\"gate-in\",\"seq\":900001,\"ts\":-5,\"event\":\"crossed\",\"track\":\"t\",\"inward\":true}"),
            ("smartstore/corner-01/camera/cam-nw/observations", $"{{\"v\":1,\"device\":\"cam-nw\",\"seq\":900002,\"ts\":{shelf.Ts},\"track\":\"t-far\",\"body\":[500,500]}}"),
            ($"smartstore/corner-01/shelf/{shelf.Device}/weight", $"{{\"v\":1,\"device\":\"{shelf.Device}\",\"seq\":900003,\"ts\":{shelf.Ts},\"bin\":\"{shelf.Bin}\",\"grams\":-5}}"),
        ];
        var late = new WeightReport(1, shelf.Device, 900_004, shelf.Ts - 3_600_000, shelf.Bin, shelf.Grams);
        await using var devices = new MqttSession(new MqttSessionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = "devices", CleanSession = true });
        await devices.ConnectAsync();
        await devices.PublishAllAsync([.. AsSent(good), .. bad.Select(b => (b.Topic, Encoding.UTF8.GetBytes(b.Payload))), .. AsSent([late])]);

        var counted = await health.WaitForAsync(h => h.Accepted + h.Duplicates + h.Late + h.Rejected == good.Count + bad.Length + 1, node);
        // A later report, so the status line printed with it was printed after the last message was counted.
        var topic = await health.WaitForAsync(h => h.At > counted.At, node);
        Assert.Equal(0, await node.StopAsync());

        Assert.Equal((good.Count, 0L, 1L, (long)bad.Length), (topic.Accepted, topic.Duplicates, topic.Late, topic.Rejected));
        Assert.Equal(
            new Dictionary<string, long> { ["MalformedJson"] = 1, ["UnknownDevice"] = 1, ["BadTimestamp"] = 1, ["OutsideFloor"] = 1, ["ImpossibleValue"] = 1 },
            topic.RejectedByReason);
        var output = node.Output.Replace('\n', ' ');
        var counters = @"accepted\s+([\d,]+)\s+·\s+duplicates\s+([\d,]+)\s+·\s+late\s+([\d,]+)\s+·\s+rejected\s+([\d,]+)\s+\(([^)]*)\)";
        var status = System.Text.RegularExpressions.Regex.Matches(output, @"stored & acknowledged\s+[\d,]+\s+·\s+" + counters);
        var stopped = System.Text.RegularExpressions.Regex.Match(output, @"stopped\s+·\s+" + counters);
        Assert.True(status.Count > 0 && stopped.Success, node.Output);
        var expected = $"{topic.Accepted} {topic.Duplicates} {topic.Late} {topic.Rejected}";
        Assert.Equal(expected, Counted(status[^1]));
        Assert.Equal(expected, Counted(stopped));
        Assert.Equal(status[^1].Groups[5].Value, stopped.Groups[5].Value);
        Assert.Contains("OutsideFloor 1", stopped.Groups[5].Value, StringComparison.Ordinal);

        static string Counted(System.Text.RegularExpressions.Match line) =>
            string.Join(' ', Enumerable.Range(1, 4).Select(i => line.Groups[i].Value.Replace(",", string.Empty, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_refuses_a_configuration_without_a_broker_and_bad_arguments_with_the_reason()
    {
        var inProcess = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", Path.Combine(AppContext.BaseDirectory, "cluster.hocon"), "--layout", LayoutPath]);
        var badArgument = await NodeProcess.RunToEndAsync(Patience, ["run", "--health-every", "soon"]);
        var badConfig = Path.Combine(_directory.FullName, "bad.hocon");
        await File.WriteAllTextAsync(badConfig, "smartstore.transport.kind = mqtt\nsmartstore.transport.mqtt.prot = 5\n");
        var typo = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", badConfig]);
        var missing = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", Path.Combine(_directory.FullName, "nowhere.hocon")]);

        Assert.Equal(2, inProcess.ExitCode);
        Assert.Contains("'smartstore.transport.kind' is 'in-process'", inProcess.Output, StringComparison.Ordinal);
        Assert.Equal(2, badArgument.ExitCode);
        Assert.Contains("--health-every takes a duration", badArgument.Output, StringComparison.Ordinal);
        Assert.Equal(2, typo.ExitCode);
        Assert.Contains("bad.hocon: unknown key 'smartstore.transport.mqtt.prot'", typo.Output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("the configuration file does not exist", missing.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_refuses_a_console_it_cannot_serve_before_touching_the_broker()
    {
        var config = await WriteConfigAsync();
        var notAnAddress = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", config, "--console", "ftp://127.0.0.1:21"]);
        var withoutReadModels = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", config, "--console", "http://127.0.0.1:0"]);
        var unreadableReadModels = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", config, "--console", "http://127.0.0.1:0", "--read-models", "Hots=127.0.0.1;Databse=x"]);

        Assert.Equal(2, notAnAddress.ExitCode);
        Assert.Contains("--console takes the address to listen on, such as http://127.0.0.1:5080, got 'ftp://127.0.0.1:21'", notAnAddress.Output, StringComparison.Ordinal);
        Assert.Equal(2, withoutReadModels.ExitCode);
        Assert.Contains("--console needs the read models' PostgreSQL", withoutReadModels.Output, StringComparison.Ordinal);
        Assert.True(unreadableReadModels.ExitCode == 2, unreadableReadModels.Output);
        Assert.Contains("cannot start the console", unreadableReadModels.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_refuses_a_chain_that_names_one_store_twice()
    {
        var kiosk = Path.Combine(AppContext.BaseDirectory, "store-layouts", "narrow-kiosk.yaml");
        var copy = Path.Combine(_directory.FullName, "kiosk-copy.yaml");
        File.Copy(kiosk, copy, overwrite: true);
        var config = Path.Combine(_directory.FullName, "chain.hocon");
        await File.WriteAllTextAsync(config, $$"""
            smartstore {
              store.layout = "{{LayoutPath}}"
              store.chain = ["{{LayoutPath}}", "{{kiosk}}", "{{copy}}"]
              journal.sqlite-path = "{{Journal}}"
            }
            """);

        var run = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", config]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'smartstore.store.chain': store 'kiosk-05' is in the chain twice", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_an_embedded_broker_the_node_serves_devices_that_publish_with_mosquitto_pub_and_refuses_a_wrong_password()
    {
        var config = Path.Combine(_directory.FullName, "embedded.hocon");
        await File.WriteAllTextAsync(config, $$"""
            smartstore {
              store.layout = "{{LayoutPath}}"
              journal.sqlite-path = "{{Journal}}"
              transport {
                kind = embedded
                embedded {
                  port = 0
                  username = store
                  password-env = "SMARTSTORE_TEST_BROKER_SECRET"
                }
              }
            }
            """);
        var node = StartNode(config, new Dictionary<string, string> { ["SMARTSTORE_TEST_BROKER_SECRET"] = "s3cret" });
        var port = (await node.WaitForLineAsync(@"broker: embedded MQTTnet on 127\.0\.0\.1:(\d+) \(sessions in memory")).Groups[1].Value;
        await using var health = await HealthListener.StartAsync(new MqttSessionOptions { Host = "127.0.0.1", Port = int.Parse(port, CultureInfo.InvariantCulture), Username = "store", Password = "s3cret" });
        await health.WaitForAsync(h => h.BrokerConnected, node);

        // A device as a shell script would be one: mosquitto_pub at QoS 1, once with the right password, once not.
        var (topic, payload) = AsSent(_morning.Messages.Take(1)).Single();
        string[] common = ["-h", "127.0.0.1", "-p", port, "-q", "1", "-u", "store", "-t", topic, "-m", Encoding.UTF8.GetString(payload)];
        var wrong = await CommandLineTool.RunAsync("mosquitto_pub", [.. common, "-P", "guess"]);
        (await CommandLineTool.RunAsync("mosquitto_pub", [.. common, "-P", "s3cret"])).EnsureSuccess();
        var accepted = await health.WaitForAsync(h => h.Accepted == 1, node);

        // The retained health as any MQTT tool reads it.
        var retained = await CommandLineTool.RunAsync("mosquitto_sub", ["-h", "127.0.0.1", "-p", port, "-u", "store", "-P", "s3cret", "-C", "1", "-W", "30", "-t", Topics.NodeHealth(StoreHarness.Small.StoreId)]);
        var stopped = await node.StopAsync();

        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Equal((0L, StoreHarness.Small.StoreId), (accepted.Rejected, accepted.Store));
        Assert.Equal(0, retained.ExitCode);
        Assert.Equal(StoreHarness.Small.StoreId, HealthReport.FromJson(Encoding.UTF8.GetBytes(retained.Output.Trim()))!.Store);
        Assert.Equal(0, stopped);
        Assert.Contains("embedded broker: 1 clients refused, 0 queued messages dropped", node.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embedded.port = 70000", "'smartstore.transport.embedded.port' must be a whole number between 0 and 65535, got '70000'")]
    [InlineData("embedded.queue = 10", "unknown key 'smartstore.transport.embedded.queue'; known keys in 'smartstore.transport.embedded': port, max-queued-messages, username, password-env")]
    [InlineData("embedded.username = store\nsmartstore.transport.embedded.password-env = SMARTSTORE_TEST_UNSET_SECRET", "'smartstore.transport.embedded.username' is set, but the environment variable 'SMARTSTORE_TEST_UNSET_SECRET'")]
    public async Task Run_refuses_an_embedded_broker_configuration_it_cannot_use_naming_the_key(string line, string expected)
    {
        var config = Path.Combine(_directory.FullName, "bad-embedded.hocon");
        await File.WriteAllTextAsync(config, $"smartstore.store.layout = \"{LayoutPath}\"\nsmartstore.transport.kind = embedded\nsmartstore.transport.{line}\n");

        var run = await NodeProcess.RunToEndAsync(Patience, ["run", "--config", config]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Output.Replace("\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    private static string LayoutPath => Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml");

    private async Task<string> WriteConfigAsync()
    {
        var path = Path.Combine(_directory.FullName, "node.hocon");
        await File.WriteAllTextAsync(path, $$"""
            smartstore {
              store.layout = "{{LayoutPath}}"
              journal {
                kind = sqlite
                sqlite-path = "{{Journal}}"
              }
              transport {
                kind = mqtt
                mqtt {
                  host = {{_broker.Host}}
                  port = {{_broker.Port}}
                  reconnect-delay = 200ms
                }
              }
            }
            """);
        return path;
    }

    private async Task PublishWithToolAsync(string topic, string payload)
    {
        var publish = await CommandLineTool.RunAsync("mosquitto_pub", ["-h", _broker.Host, "-p", _broker.Port.ToString(CultureInfo.InvariantCulture), "-q", "1", "-t", topic, "-m", payload]);
        Assert.True(publish.ExitCode == 0, $"mosquitto_pub exited with {publish.ExitCode}: {publish.Output}");
    }

    /// <summary>Reads the journal the processes left with a node of its own: every scripted visit paid once, with its receipt.</summary>
    private async Task AssertJournalHoldsTheScriptedReceiptsAsync()
    {
        await using var reader = await StoreNode.StartAsync(new StoreNodeOptions(StoreHarness.Small) { Journal = JournalSettings.SqliteFile(Journal) }, new ResilientGateway(new SimulatedPsp(new PspSimulation()), new RetrySettings()), new InProcessTransport(), NullLoggerFactory.Instance);
        var paid = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var identification in _morning.Messages.OfType<GateEvent>().Where(g => g.Event is "identified" or "token"))
        {
            var visit = (await reader.GetVisitAsync(VisitIds.For(StoreHarness.Small.StoreId, identification.Device, identification.Ts, identification.Seq))).State;
            if (visit.Phase == VisitPhase.Paid)
            {
                paid.Add(visit.PayerId, string.Join(' ', visit.Receipt!.Lines.OrderBy(l => l.Sku, StringComparer.Ordinal).Select(l => $"{l.Units}x{l.Sku}")));
            }
        }

        Assert.Equal(
            _morning.Expected.ToDictionary(e => e.PayerId, e => string.Join(' ', e.Units.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Value}x{u.Key}")), StringComparer.Ordinal),
            paid);
    }

    /// <summary>The retained health topic, read as it changes.</summary>
    private sealed class HealthListener(MqttSession client) : IAsyncDisposable
    {
        public static Task<HealthListener> StartAsync(MosquittoServer broker) => StartAsync(new MqttSessionOptions { Host = broker.Host, Port = broker.Port });

        public static async Task<HealthListener> StartAsync(MqttSessionOptions broker)
        {
            var client = new MqttSession(broker with { ClientId = "health-watch", CleanSession = true });
            client.Subscribe(Topics.NodeHealth(StoreHarness.Small.StoreId));
            await client.ConnectAsync();
            return new HealthListener(client);
        }

        public async Task<HealthReport> WaitForAsync(Func<HealthReport, bool> condition, NodeProcess node)
        {
            using var timeout = new CancellationTokenSource(Patience);
            HealthReport? last = null;
            try
            {
                while (true)
                {
                    var message = await client.Inbox.ReadAsync(timeout.Token);
                    client.Handled(message);
                    last = HealthReport.FromJson(message.Payload)!;
                    if (condition(last))
                    {
                        return last;
                    }
                }
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the node's health never met the condition; last: {last}; node output:\n{node.Output}");
            }
        }

        public ValueTask DisposeAsync() => client.DisposeAsync();
    }

    /// <summary>The store as a service, reporting its health every 200 ms, with the scripted morning's shoppers enrolled.</summary>
    private static NodeProcess StartNode(string config, IReadOnlyDictionary<string, string>? environment = null) =>
        NodeProcess.Start(["run", "--config", config, "--health-every", "200ms", "--enrol-demo-shoppers"], environment, Patience);
}
#pragma warning restore CA1001
