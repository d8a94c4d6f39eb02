using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;
using SmartStore.Testing;

namespace SmartStore.Benchmarks.Store;

/// <summary>
/// The store load run (issue 5): a stream of ordinary visits through the whole node (device actors, floor,
/// visits, settlement, payment ledger) on the in-process transport, on SQLite and on PostgreSQL (both durable:
/// synchronous=FULL, fsync on), beside the same feed through the pure domain pipeline alone (parse, weight
/// signal, event-time buffer, fusion, settlement policy, pricing; one thread, no actors, no journal) measured in
/// the same run as the baseline. Reports visits settled per second, device messages per second, and the
/// walk-out → receipt processing time beyond the settlement bound.
/// </summary>
internal static class StoreLoad
{
    public static async Task RunAsync(string[] args)
    {
        var visits = BenchArguments.Int(args, 0, "the number of visits", 300, 1, 100_000);
        var file = args.Length > 1 ? args[1] : "medium-grocery.yaml";
        var layout = LayoutReader.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "store-layouts", file)), file);
        var start = new DateTimeOffset(2026, 11, 21, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var scenario = LoadScenario.Build(layout, visits, start);
        Console.WriteLine($"store {layout.StoreId} ({layout.Bins.Count()} bins, {layout.Cameras.Count} cameras)");
        Console.WriteLine($"{visits} visits, {scenario.Messages.Count:N0} device messages, {scenario.Messages.Count / ((scenario.EndMs - start) / 1000.0):N0} messages per second of store time");

        // Warm-up, not measured: the same feed once through the pure pipeline and a node (the JIT and dynamic PGO's
        // instrumented code take a third of a cold process's CPU for its first minute on two cores).
        var warmUp = LoadScenario.Build(layout, visits, start);
        PureDomain(layout, warmUp.Messages.Select(m => (DeviceMessageWriter.TopicOf(layout.StoreId, m), DeviceMessageWriter.ToJson(m))), warmUp.EndMs, warmUp.Expected);
        Console.WriteLine($"warm-up (not measured): {warmUp.Messages.Count:N0} messages through a node on SQLite in {(await NodeAsync("sqlite", null!, layout, warmUp)).Seconds:0.00} s");

        var baseline = PureDomain(layout, scenario.Messages.Select(m => (DeviceMessageWriter.TopicOf(layout.StoreId, m), DeviceMessageWriter.ToJson(m))), scenario.EndMs, scenario.Expected);
        Console.WriteLine($"pure domain pipeline: {baseline.Seconds:0.000} s");
        await using var postgres = await PostgresServer.StartAsync(durable: true);
        var results = new List<(string Store, Run Run)>();
        foreach (var kind in new[] { "sqlite", "postgresql" })
        {
            var run = await NodeAsync(kind, postgres, layout, scenario);
            results.Add((kind, run));
            Console.WriteLine($"{kind}: {run.Seconds:0.000} s, {run.Exact}/{visits} exact receipts, {run.Review} in review");
        }

        Console.WriteLine();
        Console.WriteLine("| pipeline | wall time | visits settled/s | device messages/s | time vs pure domain | exact receipts | walk-out → receipt beyond the bound p50 / p99 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        Console.WriteLine($"| pure domain (baseline) | {baseline.Seconds:0.00} s | {visits / baseline.Seconds:N0} | {scenario.Messages.Count / baseline.Seconds:N0} | 1.00× | {baseline.Exact}/{visits} | — |");
        foreach (var (store, run) in results)
        {
            Console.WriteLine($"| node on {store} | {run.Seconds:0.00} s | {visits / run.Seconds:N0} | {scenario.Messages.Count / run.Seconds:N0} | {run.Seconds / baseline.Seconds:0.00}× | {run.Exact}/{visits} | {run.P50.TotalMilliseconds:0} ms / {run.P99.TotalMilliseconds:0} ms |");
        }
    }

    private sealed record Run(double Seconds, int Exact, int Review, TimeSpan P50, TimeSpan P99);

    private static async Task<Run> NodeAsync(string kind, PostgresServer postgres, StoreLayout layout, Scenario scenario)
    {
        var directory = Directory.CreateTempSubdirectory("smartstore-store-load-");
        try
        {
            var journal = kind == "sqlite"
                ? JournalSettings.SqliteFile(Path.Combine(directory.FullName, "journal.db"))
                : JournalSettings.Postgres(await postgres.CreateDatabaseAsync($"store_load_{Guid.NewGuid():N}"));
            var psp = new SimulatedPsp(new PspSimulation());
            var transport = new InProcessTransport();
            var options = new StoreNodeOptions(layout) { Journal = journal, KeyVault = new KeyVaultSettings { Path = Path.Combine(directory.FullName, "keys.db") } };
            await using var node = await StoreNode.StartAsync(options, new ResilientGateway(psp, new RetrySettings()), transport, NullLoggerFactory.Instance);
            transport.Connect(node);
            foreach (var shopper in scenario.Shoppers)
            {
                await node.EnrolAsync(shopper.ShopperId, shopper.Name, shopper.FaceTemplateRef, shopper.PaymentToken, DateTimeOffset.UtcNow);
            }

            var clock = Stopwatch.StartNew();
            await FeedReplay.SendAsync(transport, layout.StoreId, scenario.Messages);
            await node.AdvanceClockAsync(scenario.EndMs + options.Floor.SettlementBoundMs + 1_000);
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await node.Receipts.WaitForDecidedAsync(scenario.Expected.Count, timeout.Token);
            var seconds = clock.Elapsed.TotalSeconds;
            var health = node.Health.Snapshot();
            Console.WriteLine($"  {kind}: {health.FloorRecords:N0} floor records ({100.0 * health.FloorRecords / scenario.Messages.Count:0.0} % of the messages) in {health.FloorWrites:N0} journal writes ({(double)health.FloorRecords / health.FloorWrites:0.0} records per write)");

            var issued = node.Receipts.Issued.ToDictionary(r => r.PayerId);
            var exact = scenario.Expected.Count(e => issued.TryGetValue(e.PayerId, out var r) && Matches(e, r.Receipt.Lines.Select(l => (l.Sku, l.Units))));
            foreach (var reason in node.Receipts.Review.SelectMany(r => r.Reasons).Take(6))
            {
                Console.WriteLine($"  review: {reason}");
            }

            foreach (var wrong in scenario.Expected.Where(e => issued.TryGetValue(e.PayerId, out var r) && !Matches(e, r.Receipt.Lines.Select(l => (l.Sku, l.Units)))).Take(4))
            {
                Console.WriteLine($"  wrong: {wrong.PayerId} expected {string.Join(",", wrong.Units.Select(u => $"{u.Value}x{u.Key}"))} got {string.Join(",", issued[wrong.PayerId].Receipt.Lines.Select(l => $"{l.Units}x{l.Sku}"))}");
            }

            var latencies = node.Receipts.Issued.Where(r => r.Latency is not null).Select(r => r.Latency!.Value).Order().ToList();
            return new Run(seconds, exact, node.Receipts.Review.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    internal sealed record Pure(double Seconds, int Exact);

    /// <summary>The same decisions as the node's actors make, in one loop: the ceiling for the actor shell and the journal.</summary>
    internal static Pure PureDomain(StoreLayout layout, IEnumerable<(string Topic, byte[] Payload)> feed, long endMs, IReadOnlyList<ExpectedReceipt> expected)
    {
        var clock = Stopwatch.StartNew();
        var settings = new FloorSettings();
        var parser = new DeviceMessageParser(new RejectionCounters());
        var floor = FloorState.For(layout, settings);
        var signals = layout.Bins.ToDictionary(b => b.Id, b => WeightSignalState.Initial(b.SensorId));
        var sensors = layout.Bins.ToDictionary(b => b.Id, b => b.SensorId);
        var defaults = new WeightSignalSettings();
        var weights = layout.Bins.ToDictionary(b => b.Id, b => defaults.ForBin(b, layout));
        var receipts = new Dictionary<string, (string Payer, Domain.Carts.Receipt Receipt)>();
        var payers = new Dictionary<string, string>();
        foreach (var (topic, payload) in feed)
        {
            if (!Topics.TryParse(topic, out _, out var kind, out var device))
            {
                throw new InvalidOperationException($"The feed wrote an unroutable topic '{topic}'.");
            }

            if (parser.Parse(kind, device, payload).Message is not { } parsed)
            {
                continue;
            }

            FloorRecord? record = parsed switch
            {
                CameraObservation c => new SightingRecord(c.Device, c.Seq, c.Ts, c.Track, c.Body[0], c.Body[1], c.Hand?[0], c.Hand?[1], c.Hand is [_, _, var z] ? z : null),
                GateEvent { Event: "crossed" } g => new CrossingRecord(g.Device, g.Seq, g.Ts, g.Device, g.Track!, g.Inward!.Value),
                GateEvent g => new EntryRecord(g.Device, g.Seq, g.Ts, g.Device, VisitIds.For(layout.StoreId, g.Device, g.Ts, g.Seq), g.Shopper ?? g.Token!.Replace("shopper:", string.Empty, StringComparison.Ordinal), g.Party ?? 1),
                WeightReport w => Weigh(w),
                _ => null,
            };
            if (record is EntryRecord entry)
            {
                payers[entry.Visit] = entry.Payer;
            }

            if (record is not null)
            {
                floor = FloorFold.Apply(floor, record, layout, settings).State;
                Settle();
            }
        }

        floor = FloorFold.Apply(floor, new ClockRecord(endMs + settings.SettlementBoundMs + 1_000), layout, settings).State;
        Settle();
        var seconds = clock.Elapsed.TotalSeconds;
        var byPayer = receipts.Values.ToDictionary(r => r.Payer, r => r.Receipt);
        return new Pure(seconds, expected.Count(e => byPayer.TryGetValue(e.PayerId, out var r) && Matches(e, r.Lines.Select(l => (l.Sku, l.Units)))));

        FloorRecord? Weigh(WeightReport w)
        {
            var (state, events) = WeightSignal.Step(signals[w.Bin], new WeightReading(sensors[w.Bin], w.Seq, w.Ts, w.Grams), weights[w.Bin]);
            signals[w.Bin] = state;
            return events.OfType<WeightSignalEvent.Changed>().Select(c => (FloorRecord)new ShelfChangeRecord(sensors[w.Bin], state.Changes, w.Ts, w.Bin, c.ChangeId, c.DeltaGrams, c.FromMs, c.ToMs, c.After, w.Seq)).FirstOrDefault();
        }

        void Settle()
        {
            foreach (var visit in floor.Fusion.Visits.Values.Where(v => v.Status == VisitStatus.Exited).ToList())
            {
                var decision = SettlementPolicy.Decide(visit, floor.WatermarkMs, settings.SettleDelayMs, layout);
                if (decision is SettlementDecision.Settle or SettlementDecision.Review)
                {
                    // A cart in review is not an exact receipt: it counts as empty.
                    var receipt = decision is SettlementDecision.Settle settle ? settle.Receipt : ((SettlementDecision.Review)decision).Receipt with { Lines = [] };
                    receipts[visit.VisitId] = (payers[visit.VisitId], receipt);
                    floor = FloorFold.Apply(floor, new VisitClosedRecord(visit.VisitId), layout, settings).State;
                }
            }
        }
    }

    private static bool Matches(ExpectedReceipt expected, IEnumerable<(string Sku, int Units)> lines)
    {
        var actual = lines.ToList();
        return actual.Count == expected.Units.Count && actual.All(l => expected.Units.GetValueOrDefault(l.Sku) == l.Units);
    }

    private static TimeSpan Percentile(List<TimeSpan> sorted, double p) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
