using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Domain.EventTime;
using SmartStore.Node.Floor;
using SmartStore.Persistence;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>The floor as a fold: verdicts, and that recovery (records read back from the journal, in any batches) rebuilds the same floor.</summary>
public sealed class FloorFoldTests
{
    private static readonly FloorSettings Settings = new();
    private static readonly EventTypeRegistry Types = StoreActor.Register(new EventTypeRegistry());
    private static readonly string[] Bins = ["shelf-01-l1b1", "shelf-02-l1b2", "shelf-03-l1b1"];

    /// <summary>Three shoppers entering, moving between three bins, reaching, picking and leaving, at random.</summary>
    private static List<FloorRecord> RandomMorning(int seed)
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

    private static (FloorState State, List<InputVerdict?> Verdicts) Fold(IEnumerable<FloorRecord> records)
    {
        var state = FloorState.For(StoreHarness.Small, Settings);
        var verdicts = new List<InputVerdict?>();
        foreach (var record in records)
        {
            var step = FloorFold.Apply(state, record, StoreHarness.Small, Settings);
            state = step.State;
            verdicts.Add(step.Verdict);
        }

        return (state, verdicts);
    }

    /// <summary>Everything about the floor that settlement and recovery depend on, as comparable text.</summary>
    private static string Fingerprint(FloorState state) => string.Join(
        "\n",
        [
            $"watermark {state.WatermarkMs} pending {state.Buffer.Pending.Count} changes {state.Fusion.PendingChanges.Count} tracks {state.Fusion.Tracks.Count} ambiguities {state.Fusion.Ambiguities.Count}",
            .. state.Fusion.Visits.Values.Select(v => $"{v.VisitId} {v.Status} {v.ExitedMs} [{string.Join(",", v.Cart.Lines.Values.Select(l => $"{l.Units}x{l.Sku}"))}] {string.Join(";", v.ReviewReasons)}"),
            .. state.Bins.OrderBy(b => b.Key, StringComparer.Ordinal).Select(b => $"{b.Key} {b.Value}"),
        ]);

    /// <summary>Writes records in batches of the given sizes through the journal's serialiser and reads them back.</summary>
    private static List<FloorRecord> RoundTrip(List<FloorRecord> records, int[] batchSizes)
    {
        var back = new List<FloorRecord>();
        var i = 0;
        for (var b = 0; i < records.Count; b++)
        {
            var size = Math.Max(1, batchSizes.Length == 0 ? records.Count : batchSizes[b % batchSizes.Length]);
            var data = Types.Serialize(new FloorBatch(records.Skip(i).Take(size).ToArray()));
            var stored = new PersistedEvent(b + 1, "floor-corner-01", b + 1, data.TypeName, data.TypeVersion, data.Payload, [], DateTimeOffset.UnixEpoch);
            back.AddRange(((FloorBatch)Types.Deserialize(stored)).Records);
            i += size;
        }

        return back;
    }

    [Fact]
    public void Recovery_from_the_journal_in_any_batching_rebuilds_exactly_the_floor_that_was_running()
    {
        var property = Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), Gen.Choose(1, 40).ArrayOf().ToArbitrary(), (seed, batches) =>
        {
            var records = RandomMorning(seed);
            var (live, liveVerdicts) = Fold(records);
            var (recovered, recoveredVerdicts) = Fold(RoundTrip(records, batches));
            return Fingerprint(live) == Fingerprint(recovered) && liveVerdicts.SequenceEqual(recoveredVerdicts);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    [Fact]
    public void Redelivered_inputs_are_duplicates_and_change_nothing()
    {
        var property = Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), seed =>
        {
            var records = RandomMorning(seed);
            var random = new Random(seed);

            // Each input may come again right behind itself, as a QoS 1 redelivery does.
            var redelivered = records.SelectMany(r => r is not ClockRecord && random.Next(4) == 0 ? new[] { r, r } : [r]).ToList();
            var (once, _) = Fold(records);
            var (twice, verdicts) = Fold(redelivered);
            var duplicates = redelivered.Count - records.Count;
            return Fingerprint(once) == Fingerprint(twice) && verdicts.Count(v => v == InputVerdict.Duplicate) == duplicates;
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    [Fact]
    public void A_sighting_older_than_the_watermark_is_late_and_not_used()
    {
        var (state, _) = Fold([new EntryRecord("gate-in", 1, 1_000, "gate-in", "v0", "s0", 1), new SightingRecord("cam-sw", 1, 10_000, "trk-x", 5, 1, null, null)]);

        var late = FloorFold.Apply(state, new SightingRecord("cam-sw", 2, 1_500, "trk-y", 2, 1, null, null), StoreHarness.Small, Settings);

        Assert.Equal(InputVerdict.Late, late.Verdict);
        Assert.Equal(Fingerprint(state), Fingerprint(late.State));
        Assert.Equal(10_000 - Settings.LatenessMs, state.WatermarkMs);
    }

    [Fact]
    public void A_late_gate_crossing_is_still_applied_once_so_its_visit_can_end()
    {
        var (state, _) = Fold([new EntryRecord("gate-in", 1, 1_000, "gate-in", "v0", "s0", 1), new CrossingRecord("gate-in", 2, 1_500, "gate-in", "trk-0", true), new SightingRecord("cam-sw", 1, 10_000, "trk-x", 5, 1, null, null)]);

        var late = FloorFold.Apply(state, new CrossingRecord("gate-out", 1, 7_000, "gate-out", "trk-0", false), StoreHarness.Small, Settings);
        var again = FloorFold.Apply(late.State, new CrossingRecord("gate-out", 1, 7_000, "gate-out", "trk-0", false), StoreHarness.Small, Settings);

        Assert.Equal(InputVerdict.Late, late.Verdict);
        Assert.Equal(Domain.Fusion.VisitStatus.Exited, late.State.Fusion.Visits["v0"].Status);
        Assert.Equal(late.State.WatermarkMs, late.State.Fusion.Visits["v0"].ExitedMs);
        Assert.Equal(Fingerprint(late.State), Fingerprint(again.State));
        Assert.Empty(again.Alerts);
    }

    [Fact]
    public void Closing_a_visit_forgets_it_and_the_tracks_only_it_owned()
    {
        var (state, _) = Fold(RandomMorning(3));
        Assert.Contains(state.Fusion.Visits.Values, v => v.Cart.TotalUnits > 0);
        var visit = state.Fusion.Visits.Keys.First();

        var closed = FloorFold.Apply(state, new VisitClosedRecord(visit), StoreHarness.Small, Settings).State;

        Assert.False(closed.Fusion.Visits.ContainsKey(visit));
        Assert.DoesNotContain(closed.Fusion.Tracks.Values, t => t.Visits.Contains(visit));
        Assert.Equal(state.Fusion.Visits.Count - 1, closed.Fusion.Visits.Count);
        Assert.Equal(JsonSerializer.Serialize(state.Bins), JsonSerializer.Serialize(closed.Bins));
    }
}
