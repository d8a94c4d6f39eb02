using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Floor;
using Xunit;

namespace SmartStore.Domain.Tests;

/// <summary>The floor as a fold: verdicts for duplicates and late inputs, late gate inputs, closing visits.</summary>
public sealed class FloorFoldTests
{
    private static readonly FloorSettings Settings = new();

    private static (FloorState State, List<InputVerdict?> Verdicts) Fold(IEnumerable<FloorRecord> records) => FloorHistory.Fold(records);

    private static string Fingerprint(FloorState state) => FloorHistory.Fingerprint(state);

    private static List<FloorRecord> RandomMorning(int seed) => FloorHistory.RandomMorning(seed);

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

        var late = FloorFold.Apply(state, new SightingRecord("cam-sw", 2, 1_500, "trk-y", 2, 1, null, null), FloorHistory.Small, Settings);

        Assert.Equal(InputVerdict.Late, late.Verdict);
        Assert.Equal(Fingerprint(state), Fingerprint(late.State));
        Assert.Equal(10_000 - Settings.LatenessMs, state.WatermarkMs);
    }

    [Fact]
    public void A_late_gate_crossing_is_still_applied_once_so_its_visit_can_end()
    {
        var (state, _) = Fold([new EntryRecord("gate-in", 1, 1_000, "gate-in", "v0", "s0", 1), new CrossingRecord("gate-in", 2, 1_500, "gate-in", "trk-0", true), new SightingRecord("cam-sw", 1, 10_000, "trk-x", 5, 1, null, null)]);

        var late = FloorFold.Apply(state, new CrossingRecord("gate-out", 1, 7_000, "gate-out", "trk-0", false), FloorHistory.Small, Settings);
        var again = FloorFold.Apply(late.State, new CrossingRecord("gate-out", 1, 7_000, "gate-out", "trk-0", false), FloorHistory.Small, Settings);

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

        var closed = FloorFold.Apply(state, new VisitClosedRecord(visit), FloorHistory.Small, Settings).State;

        Assert.False(closed.Fusion.Visits.ContainsKey(visit));
        Assert.DoesNotContain(closed.Fusion.Tracks.Values, t => t.Visits.Contains(visit));
        Assert.Equal(state.Fusion.Visits.Count - 1, closed.Fusion.Visits.Count);
        Assert.Equal(JsonSerializer.Serialize(state.Bins), JsonSerializer.Serialize(closed.Bins));
    }

    [Fact]
    public void The_floor_view_shows_a_tracked_person_at_their_newest_sighting_before_fusion_folds_it()
    {
        var (state, _) = Fold(
        [
            new EntryRecord("gate-in", 1, 1_000, "gate-in", "v0", "s0", 1),
            new CrossingRecord("gate-in", 2, 1_500, "gate-in", "trk-0", true),
            new SightingRecord("cam-sw", 1, 2_000, "trk-0", 5, 1, null, null),
            new SightingRecord("cam-sw", 2, 6_000, "trk-0", 6, 1, null, null),
            new SightingRecord("cam-sw", 3, 6_500, "trk-0", 7, 1.5, null, null),
            new SightingRecord("cam-sw", 4, 6_400, "trk-stranger", 3, 3, null, null),
        ]);

        var people = FloorView.Of(state).People;

        // Only the first sighting is folded (the watermark is 4.5 s); the map still shows where she is now, and the
        // stranger the floor does not track yet is drawn at once, as nobody's.
        Assert.Equal(6_500 - Settings.LatenessMs, state.WatermarkMs);
        Assert.Equal(2_000, state.Fusion.Tracks["trk-0"].Last!.TimeMs);
        Assert.Equal([new PersonOnFloor("trk-0", 7, 1.5, 6_500, "v0", false), new PersonOnFloor("trk-stranger", 3, 3, 6_400, null, false)], people);
    }

    [Fact]
    public void A_second_cameras_id_for_someone_already_drawn_is_not_drawn_as_a_second_person_before_fusion_merges_them()
    {
        var (state, _) = Fold(
        [
            new EntryRecord("gate-in", 1, 1_000, "gate-in", "v0", "s0", 1),
            new CrossingRecord("gate-in", 2, 1_500, "gate-in", "trk-0", true),
            new SightingRecord("cam-sw", 1, 2_000, "trk-0", 5, 1, null, null),
            new SightingRecord("cam-sw", 2, 6_000, "trk-0", 6, 1, null, null),
            new SightingRecord("cam-se", 1, 6_100, "trk-se-9", 6.2, 1.1, null, null),
        ]);

        var person = Assert.Single(FloorView.Of(state).People);

        Assert.Equal("trk-0", person.TrackId);
        Assert.DoesNotContain("trk-se-9", state.Fusion.Tracks.Keys);
    }
}
