using SmartStore.Benchmarks.Store;
using SmartStore.Domain.Layouts;
using SmartStore.Node.Feeds;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;
using SmartStore.Testing;

namespace SmartStore.Benchmarks.Qa;

/// <summary>
/// The QA load run (issue 6): the busy-hour feed through the whole node in-process on SQLite and on PostgreSQL
/// (durable), beside the same feed through the pure domain pipeline in the same run; then every preset's
/// accuracy (SQLite, as fast as possible).
/// </summary>
internal static class QaLoad
{
    public static async Task RunAsync(string[] args)
    {
        var seed = BenchArguments.Int(args, 0, "the seed", 42, int.MinValue, int.MaxValue);

        // Runs of each journal: this 2-core machine's own noise moves one run by ±20 %, so report several.
        var repeat = BenchArguments.Int(args, 1, "the number of runs", 1, 1, 10);
        var busy = Scenarios.Find("busy-hour")!;
        var medium = Load(busy.Layout);
        var generated = Scenarios.Generate(busy, medium, seed);
        Console.WriteLine($"busy-hour (seed {seed}): {generated.Truth.Visits.Count} visits, {generated.Messages.Count:N0} device messages, {(generated.Header.EndMs - generated.Header.StartMs) / 60_000.0:0.0} minutes of store time");

        var expected = generated.Truth.Visits.Select(v => new ExpectedReceipt(v.PayerId, v.Lines.ToDictionary(l => l.Sku, l => l.Units))).ToList();

        // Warm-up, not measured (as BenchmarkDotNet's warm-up iterations): the whole feed once through the pure
        // pipeline and a node. A cold process spends a third of its CPU in the JIT and in dynamic PGO's
        // instrumented code for its first minute on two cores: that is the process starting, not the node's pace.
        StoreLoad.PureDomain(medium, generated.Messages.Select(m => (m.Topic, m.Payload)), generated.Header.EndMs, expected);
        var warm = await ReplayRunner.RunAsync(generated.Header, generated.Messages, generated.Truth, medium, new ReplayOptions());
        Console.WriteLine($"warm-up (not measured): the feed through the pure pipeline and a node on SQLite ({warm.MessagesPerSecond:N0}/s cold)");

        var baseline = StoreLoad.PureDomain(medium, generated.Messages.Select(m => (m.Topic, m.Payload)), generated.Header.EndMs, expected);
        await using var postgres = await PostgresServer.StartAsync(durable: true);
        var runs = new List<(string Journal, ScoreReport Report)>();
        for (var run = 1; run <= repeat; run++)
        {
            foreach (var journal in new[] { "sqlite", await postgres.CreateDatabaseAsync($"qa_{Guid.NewGuid():N}") })
            {
                var outcome = await ReplayRunner.RunAsync(generated.Header, generated.Messages, generated.Truth, medium, new ReplayOptions { Journal = journal });
                runs.Add(((journal == "sqlite" ? "SQLite" : "PostgreSQL") + (repeat > 1 ? $" (run {run})" : string.Empty), Scoring.Score(generated.Truth, outcome)));
            }
        }

        Console.WriteLine();
        Console.WriteLine("| pipeline | wall time | device messages/s | × real time | time vs pure domain | exact receipts | walk-out → receipt beyond the bound p50 / p99 | entry decision p50 / p99 |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        var storeSeconds = (generated.Header.EndMs - generated.Header.StartMs) / 1000.0;
        Console.WriteLine($"| pure domain (baseline) | {baseline.Seconds:0.00} s | {generated.Messages.Count / baseline.Seconds:N0} | {storeSeconds / baseline.Seconds:N0}× | 1.00× | {baseline.Exact}/{expected.Count} | — | — |");
        foreach (var (journal, report) in runs)
        {
            Console.WriteLine($"| node on {journal} | {report.WallSeconds:0.00} s | {report.MessagesPerSecond:N0} | {storeSeconds / report.WallSeconds:N0}× | {report.WallSeconds / baseline.Seconds:0.00}× | {report.Exact}/{report.Visits} | {report.ReceiptBeyondBoundMs.P50:0} / {report.ReceiptBeyondBoundMs.P99:0} ms | {report.EntryDecisionMs.P50:0} / {report.EntryDecisionMs.P99:0} ms |");
        }

        Console.WriteLine();
        Console.WriteLine("| preset | visits | messages | exact receipts | item precision | item recall | item F1 | wrong charges | review | not settled | denied / expected | tailgating alerts / tailgaters |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var spec in Scenarios.Presets)
        {
            var report = spec.Name == "busy-hour" ? runs[0].Report : await ScoreAsync(spec, seed);
            Console.WriteLine($"| {spec.Name} | {report.Visits} | {report.Messages:N0} | {report.ExactReceiptRate:P1} | {report.ItemPrecision:P1} | {report.ItemRecall:P1} | {report.ItemF1:P1} | {report.WrongChargeRate:P1} | {report.ReviewRate:P1} | {report.NotSettled} | {report.Denied} / {report.ExpectedDenials} | {report.TailgatingAlerts} / {report.ExpectedTailgaters} |");
            foreach (var cause in report.ErrorsByCause.OrderByDescending(c => c.Value))
            {
                Console.Error.WriteLine($"  {spec.Name}: {cause.Key} {cause.Value}");
            }
        }
    }

    private static async Task<ScoreReport> ScoreAsync(ScenarioSpec spec, int seed)
    {
        var layout = Load(spec.Layout);
        var generated = Scenarios.Generate(spec, layout, seed);
        var outcome = await ReplayRunner.RunAsync(generated.Header, generated.Messages, generated.Truth, layout, new ReplayOptions { SettleTimeout = TimeSpan.FromSeconds(30) });
        return Scoring.Score(generated.Truth, outcome);
    }

    private static StoreLayout Load(string name) =>
        LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", name)), name);
}
