using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;
using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;
using SmartStore.Testing;

namespace SmartStore.Benchmarks.Mqtt;

/// <summary>
/// Stores per node over MQTT (issue 16): one node carries K stores of a chain (copies of the busy hour's store
/// under their own ids), each store with its own MQTT session on one Mosquitto and its own simulated devices
/// publishing the same busy stretch at N× real time. A busy store sends about 500 device messages a second, so
/// K stores at N× are K·N busy stores' worth of traffic. The row that matters is the walk-out → receipt p99
/// (the time beyond the settlement bound, as the replay reports it) as the load grows.
/// </summary>
internal static class StoresPerNodeLoad
{
    /// <param name="args">Visits in the stretch (40), the speed-up (10), the store counts ("1,2,4,6").</param>
    public static async Task RunAsync(string[] args)
    {
        var visits = BenchArguments.Int(args, 0, "the visits", 40, 5, 400);
        var speed = BenchArguments.Number(args, 1, "the speed-up", 10, 1, 100);
        var counts = (args.Length > 2 ? args[2] : "1,2,4,6").Split(',').Select(c => int.TryParse(c, out var k) && k is >= 1 and <= 32 ? k : throw new BadArgumentException($"store counts are 1..32 separated by commas, got '{args[2]}'")).ToList();

        var busy = Scenarios.Find("busy-hour")!;
        var layout = LayoutReader.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "store-layouts", busy.Layout)), busy.Layout);
        var feed = Scenarios.Generate(busy, layout, 42, visits);
        var storeSeconds = (feed.Header.EndMs - feed.Header.StartMs) / 1000.0;
        var perStoreRate = feed.Messages.Count / storeSeconds;
        Console.WriteLine($"busy hour seed 42, {visits} visits: {feed.Messages.Count:N0} messages over {storeSeconds:N0} s of store time ({perStoreRate:N0}/s at real time), each store at {speed}×");
        Console.WriteLine("| stores on the node | busy-store equivalents | device messages/s (all stores) | walk-out → receipt beyond the bound p50 / p99 | receipts / review / undecided |");
        Console.WriteLine("| ---: | ---: | ---: | ---: | --- |");

        await using var mosquitto = await MosquittoServer.StartAsync();
        foreach (var k in counts)
        {
            var row = await RunAsync(feed, layout, k, speed, $"{mosquitto.Host}:{mosquitto.Port}");
            Console.WriteLine($"| {k} | {k * speed * perStoreRate / 500:N0} | {row.Rate:N0} | {row.P50:N0} / {row.P99:N0} ms | {row.Receipts} / {row.Review} / {row.Undecided} |");
        }
    }

    private static async Task<(double Rate, double P50, double P99, int Receipts, int Review, int Undecided)> RunAsync(GeneratedFeed feed, StoreLayout layout, int stores, double speed, string broker)
    {
        var directory = Directory.CreateTempSubdirectory("smartstore-stores-");
        try
        {
            var chain = Enumerable.Range(0, stores).Select(i => layout with { StoreId = $"{layout.StoreId}-{i:00}" }).ToList();
            var options = new StoreNodeOptions(chain[0])
            {
                Chain = chain[1..],
                Journal = JournalSettings.SqliteFile(Path.Combine(directory.FullName, "journal.db")),
                KeyVault = new SmartStore.Node.Accounts.KeyVaultSettings { Path = Path.Combine(directory.FullName, "keys.db") },
            };
            var sink = new InProcessTransport(commandCapacity: 1_000_000);
            var commands = new LateBoundPublisher { Target = sink };
            await using var node = await StoreNode.StartAsync(options, new ResilientGateway(new SimulatedPsp(new PspSimulation()), new RetrySettings()), commands, NullLoggerFactory.Instance);
            sink.Connect(node);
            foreach (var shopper in feed.Truth.Shoppers)
            {
                await node.EnrolAsync(shopper.Id, shopper.Name, shopper.FaceRef, shopper.Token, DateTimeOffset.UtcNow);
            }

            var replays = new List<MqttReplay>();
            try
            {
                foreach (var store in chain)
                {
                    replays.Add(await MqttReplay.StartAsync(broker, store.StoreId, node, commands, sink, CancellationToken.None));
                }

                var clock = Stopwatch.StartNew();
                var sending = replays.Select((replay, i) =>
                {
                    var messages = Retopic(feed.Messages, layout.StoreId, chain[i].StoreId);
                    return replay.SendAsync(messages, speed, [], clock, new long[Enum.GetValues<Delivery>().Length], null, CancellationToken.None);
                });
                await Task.WhenAll(sending);
                var sent = clock.Elapsed.TotalSeconds;
                foreach (var store in chain)
                {
                    await node.AdvanceClockAsync(store.StoreId, feed.Header.EndMs + options.Floor.SettlementBoundMs + 1_000);
                }

                using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                var expected = stores * feed.Truth.Visits.Count;
                try
                {
                    await node.Receipts.WaitForDecidedAsync(expected, patience.Token);
                }
                catch (OperationCanceledException)
                {
                    // Reported as undecided in the row: a benchmark says what it saw.
                }

                var latency = Scoring.Summarise(node.Receipts.Issued.Where(r => r.Latency is not null).Select(r => r.Latency!.Value.TotalMilliseconds));
                return (stores * feed.Messages.Count / sent, latency.P50, latency.P99, node.Receipts.Issued.Count, node.Receipts.Review.Count, expected - node.Receipts.Decided);
            }
            finally
            {
                foreach (var replay in replays)
                {
                    await replay.DisposeAsync();
                }
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>The same stretch as another store's devices send it: only the store in the topic differs.</summary>
    private static List<FeedMessage> Retopic(IReadOnlyList<FeedMessage> messages, string from, string to)
    {
        var prefix = $"smartstore/{from}/";
        return [.. messages.Select(m => m with { Topic = string.Concat($"smartstore/{to}/", m.Topic.AsSpan(prefix.Length)) })];
    }
}
