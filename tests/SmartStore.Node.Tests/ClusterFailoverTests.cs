using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Feeds;
using SmartStore.Node.Health;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;
using SmartStore.Testing;
using Xunit;
using Xunit.Abstractions;
using static SmartStore.Node.Tests.DevicePublishing;

namespace SmartStore.Node.Tests;

/// <summary>
/// Three <c>smartstore-node run</c> processes as one cluster on one PostgreSQL and one Mosquitto, carrying a chain of
/// three stores, each store's MQTT session held by the store's own entity wherever sharding puts it. The busy
/// morning goes into every store at once while the broker is restarted; afterwards the journal must hold exactly
/// the receipts of the same morning on one node: nothing lost, nothing charged twice, no receipt missing.
/// (The same harness with a node SIGKILLed mid-morning passed 12 of 13 runs and froze once in CI; it is out of
/// the suite until that is understood: commit 7ee8e4c has it.)
/// </summary>
[Collection("cluster processes")]
#pragma warning disable CA1001 // The broker and the folder go in DisposeAsync (xunit's IAsyncLifetime).
public sealed class ClusterFailoverTests(PostgresFixture postgres, ITestOutputHelper output) : IAsyncLifetime
#pragma warning restore CA1001
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private static readonly string[] StoreIds = ["corner-01", "corner-02", "corner-03"];
    private readonly Scenario _morning = DemoScenario.Build(StoreHarness.Small, StoreHarness.Start);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-cluster-");
    private readonly int[] _ports = [FreePort(), FreePort(), FreePort()];
    private MosquittoServer _broker = null!;
    private string _journal = null!;

    public async Task InitializeAsync()
    {
        _broker = await MosquittoServer.StartAsync();
        _journal = await postgres.Server.CreateDatabaseAsync("cluster");
        var small = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml"));
        foreach (var store in StoreIds)
        {
            // The same shop fit at three sites: the one morning is every store's morning.
            await File.WriteAllTextAsync(LayoutPath(store), small.Replace("id: corner-01", $"id: {store}", StringComparison.Ordinal));
        }
    }

    public async Task DisposeAsync()
    {
        NodeProcess.KillAll();
        await _broker.DisposeAsync();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public async Task The_broker_restarted_mid_morning_loses_nothing()
    {
        await using var health = await StoreHealth.StartAsync(_broker);
        var nodes = StartCluster();
        await health.WaitForCarriersAsync(StoreIds, nodes);
        await using var devices = await DevicesAsync();

        // Mosquitto goes down (SIGTERM: it saves its sessions) and comes back on the same port while the nodes run:
        // every store's session reconnects to its queue, and what devices publish afterwards arrives as well.
        var half = _morning.Messages.Count / 2;
        await PublishMorningAsync(devices, 0, half);
        await _broker.RestartAsync();
        await health.WaitForCarriersAsync(StoreIds, nodes);
        await using var after = await DevicesAsync();
        await PublishMorningAsync(after, half, _morning.Messages.Count - half);

        await WaitForReceiptsAsync(nodes);
        await StopAllAsync(nodes);
        await AssertJournalHoldsEveryStoreSettledOnceAsync(nodes);
    }

    private NodeProcess[] StartCluster() => [.. Enumerable.Range(0, _ports.Length).Select(StartNode)];

    private NodeProcess StartNode(int index)
    {
        var config = Path.Combine(_directory.FullName, $"node-{index}.hocon");
        var seeds = string.Join(", ", _ports.Select(p => $"\"akka.tcp://{SmartStoreHosting.SystemName}@127.0.0.1:{p}\""));
        var chain = string.Join(", ", StoreIds.Select(s => $"\"{LayoutPath(s)}\""));
        File.WriteAllText(config, $$"""
            akka {
              remote.dot-netty.tcp { hostname = 127.0.0.1, port = {{_ports[index]}} }
              cluster {
                seed-nodes = [{{seeds}}]
                # The three form the cluster before any store is placed, so the stores spread over them.
                min-nr-of-members = 3
                # A test's patience, not production's (20 s): a dead node is downed 5 s after it is unreachable.
                split-brain-resolver.stable-after = 5s
              }
            }
            smartstore {
              store {
                layout = "{{LayoutPath(StoreIds[0])}}"
                chain = [{{chain}}]
                delivery-timeout = 10s
              }
              journal { kind = postgresql, postgresql = "{{_journal}}" }
              biometrics.vault-path = "{{Path.Combine(_directory.FullName, "keys.db")}}"
              vision.enabled = off
              transport {
                kind = mqtt
                mqtt { host = {{_broker.Host}}, port = {{_broker.Port}}, reconnect-delay = 200ms }
              }
            }
            """);

        // One master key for the cluster's one vault; the first node enrols the morning's shoppers.
        var environment = new Dictionary<string, string> { ["SMARTSTORE_MASTER_KEY"] = MasterKey };
        string[] enrol = index == 0 ? ["--enrol-demo-shoppers"] : [];
        return NodeProcess.Start(["run", "--config", config, "--health-every", "500ms", .. enrol], environment, Patience);
    }

    private static readonly string MasterKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private string LayoutPath(string store) => Path.Combine(_directory.FullName, $"{store}.yaml");

    private async Task<MqttSession> DevicesAsync()
    {
        var devices = new MqttSession(new MqttSessionOptions { Host = _broker.Host, Port = _broker.Port, ClientId = $"devices-{Guid.NewGuid():N}", CleanSession = true });
        await devices.ConnectAsync();
        return devices;
    }

    /// <summary>The same stretch of the morning into every store at once, as their devices send it.</summary>
    private Task PublishMorningAsync(MqttSession devices, int skip, int take) =>
        Task.WhenAll(StoreIds.Select(store => devices.PublishAllAsync(
            _morning.Messages.Skip(skip).Take(take).Select(m => (DeviceMessageWriter.TopicOf(store, m), DeviceMessageWriter.ToJson(m))))));

    /// <summary>
    /// Until the receipt projection (a singleton: it prints on whichever node it runs) has printed every store's
    /// receipts, counted once per visit over every process's output, the killed one's included.
    /// </summary>
    private async Task WaitForReceiptsAsync(NodeProcess[] nodes)
    {
        var expected = StoreIds.Length * _morning.Expected.Count;
        using var timeout = new CancellationTokenSource(Patience);
        var receipt = new Regex(@"receipt (\S+) · payer", RegexOptions.CultureInvariant);
        while (true)
        {
            var printed = nodes.SelectMany(n => receipt.Matches(n.Output).Select(m => m.Groups[1].Value)).Distinct(StringComparer.Ordinal).Count();
            if (printed >= expected)
            {
                return;
            }

            try
            {
                await Task.Delay(250, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"{printed} of {expected} receipts printed; the nodes said:\n{string.Join("\n---\n", nodes.Select(n => n.Output))}");
            }
        }
    }

    private static async Task StopAllAsync(NodeProcess[] nodes)
    {
        // The last one stops alone: with min-nr-of-members 3 none of them waits for the others on the way out.
        foreach (var node in nodes)
        {
            await StoppedGracefullyAsync(node);
        }
    }

    private static async Task StoppedGracefullyAsync(NodeProcess node)
    {
        var exit = await node.StopAsync();
        Assert.True(exit == 0, $"the node stopped with exit code {exit} after SIGTERM; its output:\n{node.Output}");
    }

    /// <summary>Reads the journal the cluster left with a node of its own: each store's receipts exactly, each once.</summary>
    private async Task AssertJournalHoldsEveryStoreSettledOnceAsync(NodeProcess[] nodes)
    {
        try
        {
            await AssertJournalHoldsEveryStoreSettledOnceAsync();
        }
        catch (Xunit.Sdk.XunitException)
        {
            // What the nodes said is the evidence of a failure; on success it is noise.
            foreach (var node in nodes)
            {
                output.WriteLine($"--- node output ---\n{node.Output}");
            }

            throw;
        }
    }

    private async Task AssertJournalHoldsEveryStoreSettledOnceAsync()
    {
        var layouts = StoreIds.Select(s => LayoutReader.Parse(File.ReadAllText(LayoutPath(s)), LayoutPath(s))).ToList();
        var options = new StoreNodeOptions(layouts[0])
        {
            Chain = layouts[1..],
            Journal = JournalSettings.Postgres(_journal),
            KeyVault = new KeyVaultSettings { Path = Path.Combine(_directory.FullName, "reader", "keys.db") },
        };
        await using var reader = await StoreNode.StartAsync(options, new ResilientGateway(new SimulatedPsp(new PspSimulation()), new RetrySettings()), new InProcessTransport(), NullLoggerFactory.Instance);
        using var timeout = new CancellationTokenSource(Patience);
        await reader.Receipts.WaitForIssuedAsync(StoreIds.Length * _morning.Expected.Count, timeout.Token);

        await ChainAssertions.EachStoreSettledExactlyAsync(reader.Receipts, async visitId => (await reader.GetVisitAsync(visitId)).State, _morning, StoreIds);
        foreach (var issued in reader.Receipts.Issued)
        {
            // Charged once: the ledger holds one capture, for the receipt's total.
            var settlement = await reader.GetSettlementAsync(issued.VisitId);
            Assert.NotNull(settlement);
            Assert.Equal((PaymentOutcome.Approved, issued.Receipt.Total), (settlement.Outcome, settlement.AmountMinor));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every store's retained health, as the nodes that carry the stores publish it.</summary>
    private sealed class StoreHealth : IAsyncDisposable
    {
        private readonly MqttSession _client;
        private readonly ConcurrentDictionary<string, HealthReport> _latest = new(StringComparer.Ordinal);
        private readonly ChangeSignal _changed = new();
        private readonly Task _reading;

        private StoreHealth(MqttSession client)
        {
            _client = client;
            _reading = Task.Run(async () =>
            {
                await foreach (var message in client.Inbox.ReadAllAsync())
                {
                    client.Handled(message);
                    if (HealthReport.FromJson(message.Payload) is { } report)
                    {
                        _latest[report.Store] = report;
                        _changed.Signal();
                    }
                }
            });
        }

        public static async Task<StoreHealth> StartAsync(MosquittoServer broker)
        {
            var client = new MqttSession(new MqttSessionOptions { Host = broker.Host, Port = broker.Port, ClientId = $"health-{Guid.NewGuid():N}", CleanSession = true });
            client.Subscribe(Topics.NodeHealth("+"));
            await client.ConnectAsync();
            return new StoreHealth(client);
        }

        /// <summary>Waits until every one of <paramref name="stores"/> reports from a live node (not <paramref name="except"/>) with its session connected, and says which.</summary>
        public async Task<IReadOnlyDictionary<string, string>> WaitForCarriersAsync(IReadOnlyList<string> stores, NodeProcess[] nodes, string? except = null)
        {
            var since = DateTimeOffset.UtcNow;
            await WaitUntilAsync(() => stores.All(s => _latest.TryGetValue(s, out var r) && r.BrokerConnected && r.Node != except && r.At >= since), nodes);
            return stores.ToDictionary(s => s, s => _latest[s].Node, StringComparer.Ordinal);
        }

        public Task WaitForAsync(Func<HealthReport, bool> condition, NodeProcess[] nodes) => WaitUntilAsync(() => _latest.Values.Any(condition), nodes);

        private async Task WaitUntilAsync(Func<bool> condition, NodeProcess[] nodes)
        {
            using var timeout = new CancellationTokenSource(Patience);
            try
            {
                await _changed.WaitUntilAsync(condition, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the stores' health never met the condition; last: {string.Join("; ", _latest.Values.Select(r => $"{r.Store} on {r.Node} at {r.At:O}"))}\n{string.Join("\n---\n", nodes.Select(n => n.Output))}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _client.DisposeAsync();
            await _reading;
        }
    }
}
