using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Tests;

/// <summary>
/// Random but reproducible floor histories in the small store (three shoppers entering, moving between three
/// bins, reaching, picking and leaving), and a fingerprint of everything about a floor that settlement and
/// recovery depend on, so two floors can be compared as text.
/// </summary>
public static class FloorHistory
{
    public static readonly StoreLayout Small = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");

    private static readonly string[] Bins = ["shelf-01-l1b1", "shelf-02-l1b2", "shelf-03-l1b1"];

    public static List<FloorRecord> RandomMorning(int seed)
    {
        var random = new Random(seed);
        var records = new List<FloorRecord>();
        long t = 1_000;
        long gateSeq = 0, camSeq = 0;
        var changes = new Dictionary<string, int>();
        for (var v = 0; v < 3; v++)
        {
            records.Add(new EntryRecord("gate-in", ++gateSeq, t, "gate-in", $"v{v}", $"s{v}", 1));
            records.Add(new CrossingRecord("gate-in", ++gateSeq, t + 300, "gate-in", $"trk-{v}", true));
            t += 500;
        }

        for (var step = 0; step < 120; step++)
        {
            t += random.Next(50, 250);
            var who = random.Next(3);
            var bin = Bins[random.Next(Bins.Length)];
            var x = bin switch { "shelf-01-l1b1" => 2.5, "shelf-02-l1b2" => 6.5, _ => 8.5 };
            var reaching = random.Next(3) == 0;
            records.Add(new SightingRecord("cam-sw", ++camSeq, t, $"trk-{who}", x, 1.6, reaching ? x : null, reaching ? 1.95 : null));
            if (reaching && random.Next(2) == 0)
            {
                var n = changes[bin] = changes.GetValueOrDefault(bin) + 1;
                var grams = bin switch { "shelf-01-l1b1" => 350, "shelf-02-l1b2" => 160, _ => 43 };
                records.Add(new ShelfChangeRecord($"ws-{bin}", n, t + 400, bin, $"ws-{bin}#{n}", -grams * random.Next(1, 3), t - 100, t + 100, 5_000 - (n * grams), step));
            }
        }

        for (var v = 0; v < 3; v++)
        {
            t += 600;
            records.Add(new CrossingRecord("gate-out", v + 1, t, "gate-out", $"trk-{v}", false));
        }

        records.Add(new ClockRecord(t + 10_000));
        return records;
    }

    public static (FloorState State, List<EventTime.InputVerdict?> Verdicts) Fold(IEnumerable<FloorRecord> records, FloorState? from = null, FloorSettings? settings = null)
    {
        settings ??= new FloorSettings();
        var state = from ?? FloorState.For(Small, settings);
        var verdicts = new List<EventTime.InputVerdict?>();
        foreach (var record in records)
        {
            var step = FloorFold.Apply(state, record, Small, settings);
            state = step.State;
            verdicts.Add(step.Verdict);
        }

        return (state, verdicts);
    }

    /// <summary>Everything about the floor that settlement and recovery depend on, as comparable text.</summary>
    public static string Fingerprint(FloorState state) => string.Join(
        "\n",
        [
            $"watermark {state.WatermarkMs} pending {state.Buffer.Pending.Count} changes {state.Fusion.PendingChanges.Count} tracks {state.Fusion.Tracks.Count} ambiguities {state.Fusion.Ambiguities.Count} newest {state.NewestDeviceTimeMs}",
            .. state.Fusion.Visits.Values.Select(v => $"{v.VisitId} {v.Status} {v.ExitedMs} [{string.Join(",", v.Cart.Lines.Values.Select(l => $"{l.Units}x{l.Sku}"))}] {string.Join(";", v.ReviewReasons)}"),
            .. state.Fusion.Tracks.Values.Select(t => $"{t.TrackId} {string.Join(",", t.Visits.Order(StringComparer.Ordinal))} {t.Sightings.Count} {t.Exited}"),
            .. state.Bins.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key} {b.Value}"),
        ]);
}
