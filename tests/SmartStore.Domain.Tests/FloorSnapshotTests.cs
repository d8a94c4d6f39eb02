using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Domain.Floor;
using Xunit;

namespace SmartStore.Domain.Tests;

/// <summary>A floor snapshot is plain data that restores exactly the floor it was taken of.</summary>
public sealed class FloorSnapshotTests
{
    private static FloorSnapshot ThroughJson(FloorSnapshot snapshot) =>
        JsonSerializer.Deserialize<FloorSnapshot>(JsonSerializer.Serialize(snapshot))!;

    [Fact]
    public void A_floor_restored_from_a_snapshot_at_any_point_folds_the_rest_of_the_morning_to_the_same_floor_and_verdicts()
    {
        var property = Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), Gen.Choose(0, 1_000).ToArbitrary(), (seed, cutAt) =>
        {
            var records = FloorHistory.RandomMorning(seed);
            var cut = cutAt % (records.Count + 1);
            var (live, liveVerdicts) = FloorHistory.Fold(records);

            var (before, firstVerdicts) = FloorHistory.Fold(records.Take(cut));
            var restored = ThroughJson(FloorSnapshot.Capture(before)).Restore(FloorHistory.Small);
            var (after, restVerdicts) = FloorHistory.Fold(records.Skip(cut), restored);

            return FloorHistory.Fingerprint(restored) == FloorHistory.Fingerprint(before)
                && FloorHistory.Fingerprint(after) == FloorHistory.Fingerprint(live)
                && liveVerdicts.SequenceEqual(firstVerdicts.Concat(restVerdicts));
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(80), property);
    }

    [Fact]
    public void A_snapshot_keeps_the_carts_evidence_so_a_redelivered_pick_is_still_recognised()
    {
        var records = FloorHistory.RandomMorning(7);
        var (state, _) = FloorHistory.Fold(records.Take(records.Count - 4));
        var restored = ThroughJson(FloorSnapshot.Capture(state)).Restore(FloorHistory.Small);

        foreach (var (visitId, visit) in state.Fusion.Visits)
        {
            Assert.Equal(visit.Cart.AppliedEvents.Order(StringComparer.Ordinal), restored.Fusion.Visits[visitId].Cart.AppliedEvents.Order(StringComparer.Ordinal));
        }

        var change = records.OfType<ShelfChangeRecord>().First();
        Assert.Equal(EventTime.InputVerdict.Duplicate, FloorFold.Apply(restored, change, FloorHistory.Small, new FloorSettings()).Verdict);
    }

    [Fact]
    public void A_snapshot_of_an_unknown_schema_is_refused_rather_than_guessed()
    {
        var snapshot = FloorSnapshot.Capture(FloorState.For(FloorHistory.Small, new FloorSettings())) with { Schema = 99 };

        var error = Assert.Throws<InvalidOperationException>(() => snapshot.Restore(FloorHistory.Small));

        Assert.Contains("schema 99", error.Message, StringComparison.Ordinal);
    }
}
