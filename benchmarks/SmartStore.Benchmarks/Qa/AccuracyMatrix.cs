using System.Text.Json;
using SmartStore.Domain.Layouts;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;

namespace SmartStore.Benchmarks.Qa;

/// <summary>
/// The accuracy matrix (issue 13): every preset × every shipped layout × several seeds, each generated and
/// replayed through a node in-process (SQLite) and scored against its truth. <c>--label</c> saves the rows
/// (artifacts/accuracy/LABEL.json) and <c>--compare FILE</c> prints them beside an earlier run, so a change to
/// the domain is judged on the same feeds before and after.
/// </summary>
internal static class AccuracyMatrix
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    private static bool Details { get; set; }

    public static async Task RunAsync(string[] args)
    {
        Details = args.Contains("--details");
        var seeds = Option(args, "--seeds")?.Split(',').Select(s => int.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, out var seed) ? seed : throw new BadArgumentException($"--seeds takes whole numbers separated by commas, not '{s}'")).ToList() ?? [42, 7, 1234];
        var layouts = Option(args, "--layouts")?.Split(',').ToList() ?? [.. Scenarios.ShippedLayouts];
        var presets = Option(args, "--presets")?.Split(',').Select(p => Scenarios.Find(p) ?? throw new BadArgumentException($"no preset '{p}' (known: {string.Join(", ", Scenarios.Presets.Select(k => k.Name))})")).ToList() ?? [.. Scenarios.Presets];
        var label = Option(args, "--label") ?? "latest";
        var compare = Option(args, "--compare") is { } file ? JsonSerializer.Deserialize<List<Row>>(await File.ReadAllTextAsync(file)) : null;

        var rows = new List<Row>();
        var total = layouts.Count * presets.Count * seeds.Count;
        foreach (var layoutName in layouts)
        {
            var layout = LayoutReader.Parse(await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "store-layouts", layoutName)), layoutName);
            foreach (var spec in presets)
            {
                foreach (var seed in seeds)
                {
                    Console.Error.Write($"[{rows.Count + 1}/{total}] {spec.Name} on {layoutName}, seed {seed} … ");
                    rows.Add(await RunOneAsync(spec with { Layout = layoutName }, layout, seed));
                    Console.Error.WriteLine(rows[^1].Summary);
                }
            }
        }

        Directory.CreateDirectory("artifacts/accuracy");
        var path = Path.Combine("artifacts/accuracy", $"{label}.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(rows, Json));
        Console.Error.WriteLine($"rows written to {path}");
        Print(rows, compare);
    }

    private static async Task<Row> RunOneAsync(ScenarioSpec spec, StoreLayout layout, int seed)
    {
        GeneratedFeed generated;
        try
        {
            generated = Scenarios.Generate(spec, layout, seed);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or ArgumentOutOfRangeException)
        {
            // A hard case needs bins this layout does not have (for example two of nearly the same weight).
            return new Row(spec.Name, spec.Layout, seed, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, $"not playable here: {e.Message}");
        }

        var outcome = await ReplayRunner.RunAsync(generated.Header, generated.Messages, generated.Truth, layout, new ReplayOptions { SettleTimeout = TimeSpan.FromSeconds(30) });
        var report = Scoring.Score(generated.Truth, outcome);
        if (Details)
        {
            foreach (var visit in report.PerVisit.Where(v => !v.Exact))
            {
                var reasons = outcome.Visits.FirstOrDefault(v => v.PayerId == visit.PayerId)?.ReviewReasons ?? [];
                Console.Error.WriteLine($"    {visit.Key} [{string.Join(",", visit.Labels)}] {visit.Outcome}: expected {visit.Expected}, got {visit.Decided}; {string.Join("; ", visit.Differences)}; {string.Join("; ", visit.Causes)} {string.Join(" | ", reasons)}");
            }
        }

        return new Row(
            spec.Name,
            spec.Layout,
            seed,
            report.Visits,
            report.Messages,
            report.ExactReceiptRate,
            report.ItemF1,
            report.WrongChargeRate,
            report.ReviewRate,
            report.WrongCharges,
            report.ErrorsByCause.GetValueOrDefault("wrong shopper"),
            report.NotSettled,
            report.MessagesPerSecond,
            null);
    }

    private static void Print(List<Row> rows, List<Row>? before)
    {
        Console.WriteLine();
        Console.WriteLine(before is null
            ? "| layout | preset | seed | visits | exact | F1 | wrong charges | of them wrong shopper | review | not settled |"
            : "| layout | preset | seed | visits | exact before → after | F1 before → after | wrong charges before → after | wrong shopper before → after | review before → after |");
        Console.WriteLine(before is null ? "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" : "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var row in rows)
        {
            var layout = Path.GetFileNameWithoutExtension(row.Layout);
            if (row.Problem is { } problem)
            {
                Console.WriteLine($"| {layout} | {row.Preset} | {row.Seed} | — | {problem} |");
                continue;
            }

            var old = before?.FirstOrDefault(b => b.Preset == row.Preset && b.Layout == row.Layout && b.Seed == row.Seed && b.Problem is null);
            if (before is null)
            {
                Console.WriteLine($"| {layout} | {row.Preset} | {row.Seed} | {row.Visits} | {row.Exact:P1} | {row.F1:P1} | {row.Wrong:P1} | {row.WrongShopper} | {row.Review:P1} | {row.NotSettled} |");
            }
            else
            {
                Console.WriteLine($"| {layout} | {row.Preset} | {row.Seed} | {row.Visits} | {Pair(old?.Exact, row.Exact)} | {Pair(old?.F1, row.F1)} | {Pair(old?.Wrong, row.Wrong)} | {old?.WrongShopper.ToString() ?? "—"} → {row.WrongShopper} | {Pair(old?.Review, row.Review)} |");
            }
        }

        Console.WriteLine();
        var played = rows.Where(r => r.Problem is null).ToList();
        Console.WriteLine($"all runs: {played.Count}; wrong charges in {played.Count(r => r.WrongCharges > 0)} runs ({played.Sum(r => r.WrongCharges)} visits), wrong shopper {played.Sum(r => r.WrongShopper)}; "
            + $"runs over 0.5 % wrong: {played.Count(r => r.Wrong > 0.005)}");
        foreach (var preset in new[] { "normal", "busy-small", "busy-hour", "narrow-normal", "narrow-busy" })
        {
            var of = played.Where(r => r.Preset == preset).ToList();
            if (of.Count > 0)
            {
                Console.WriteLine($"{preset}: F1 min {of.Min(r => r.F1):P1}, review max {of.Max(r => r.Review):P1}, wrong max {of.Max(r => r.Wrong):P1}");
            }
        }

        foreach (var busy in played.Where(r => r.Preset == "busy-hour"))
        {
            var old = before?.FirstOrDefault(b => b.Preset == busy.Preset && b.Layout == busy.Layout && b.Seed == busy.Seed);
            Console.WriteLine($"busy-hour {Path.GetFileNameWithoutExtension(busy.Layout)} seed {busy.Seed}: {busy.MessagesPerSecond:N0} messages/s" + (old is null ? string.Empty : $" (before {old.MessagesPerSecond:N0}/s, {busy.MessagesPerSecond / old.MessagesPerSecond:0.00}×)"));
        }
    }

    private static string Pair(double? before, double after) => $"{(before is { } b ? b.ToString("P1") : "—")} → {after:P1}";

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    internal sealed record Row(string Preset, string Layout, int Seed, int Visits, long Messages, double Exact, double F1, double Wrong, double Review, int WrongCharges, int WrongShopper, int NotSettled, double MessagesPerSecond, string? Problem)
    {
        public string Summary => Problem ?? $"exact {Exact:P1}, F1 {F1:P1}, wrong {Wrong:P1} ({WrongShopper} wrong shopper), review {Review:P1}";
    }
}
