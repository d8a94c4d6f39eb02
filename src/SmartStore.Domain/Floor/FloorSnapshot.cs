using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;

namespace SmartStore.Domain.Floor;

/// <summary>
/// The floor's state as plain data, so recovery loads the newest snapshot and folds only the records after
/// it instead of the store's whole history. Collections are lists and dictionaries here and get their
/// ordinal comparers back on <see cref="Restore"/>: the fold's determinism (the same verdicts and carts after
/// a restart) depends on the order of sorted collections, which a generic deserialiser would not keep.
/// </summary>
public sealed record FloorSnapshot(
    int Schema,
    long LatenessMs,
    long WatermarkMs,
    IReadOnlyList<FloorInput> PendingInputs,
    IReadOnlyDictionary<string, long[]> SeenSequences,
    IReadOnlyList<FloorSnapshot.VisitPart> Visits,
    IReadOnlyList<FloorSnapshot.TrackPart> Tracks,
    IReadOnlyList<FloorSnapshot.BinStockPart> Stock,
    IReadOnlyList<OpenAdmission> Admissions,
    IReadOnlyList<ShelfChanged> PendingChanges,
    IReadOnlyDictionary<string, string> Aliases,
    IReadOnlyList<FloorSnapshot.AmbiguityPart> Ambiguities,
    IReadOnlyList<string> SilentBins,
    IReadOnlyDictionary<string, BinReference> BinReferences,
    long NewestDeviceTimeMs,
    IReadOnlyList<string> LateGateInputs,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? SilentReaches = null,
    IReadOnlyDictionary<string, long>? SilenceEnds = null)
{
    /// <summary>The layout of this record; a reader refuses a schema it does not know rather than guess.</summary>
    public const int CurrentSchema = 1;

    public sealed record VisitPart(string VisitId, string PayerId, int PartySize, long EnteredMs, VisitStatus Status, long? ExitedMs, IReadOnlyList<CartLine> Lines, IReadOnlyList<string> AppliedEvents, IReadOnlyList<string> ReviewReasons, IReadOnlyList<ChangeReview>? ChangeReviews = null);

    public sealed record TrackPart(string TrackId, IReadOnlyList<string> Visits, IReadOnlyList<Sighting> Sightings, bool Exited, bool Doubtful = false, string? EnteredGate = null, long? EnteredMs = null);

    public sealed record BinStockPart(string BinId, IReadOnlyList<string> PlannedSkus, IReadOnlyDictionary<string, int> Misplaced);

    public sealed record AmbiguityPart(string ChangeId, string BinId, IReadOnlyDictionary<string, int> Units, IReadOnlyList<string> Candidates, string Reason, double Confidence);

    public static FloorSnapshot Capture(FloorState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var fusion = state.Fusion;
        return new FloorSnapshot(
            CurrentSchema,
            state.Buffer.LatenessMs,
            state.Buffer.WatermarkMs,
            [.. state.Buffer.Pending],
            state.Buffer.Seen.ToDictionary(s => s.Key, s => s.Value.Order().ToArray(), StringComparer.Ordinal),
            [.. fusion.Visits.Values.Select(v => new VisitPart(v.VisitId, v.PayerId, v.PartySize, v.EnteredMs, v.Status, v.ExitedMs, [.. v.Cart.Lines.Values], [.. v.Cart.AppliedEvents.Order(StringComparer.Ordinal)], [.. v.ReviewReasons], [.. v.ChangeReviews]))],
            [.. fusion.Tracks.Values.Select(t => new TrackPart(t.TrackId, [.. t.Visits.Order(StringComparer.Ordinal)], [.. t.Sightings], t.Exited, t.Doubtful, t.EnteredGate, t.EnteredMs))],
            [.. fusion.Bins.Values.Select(b => new BinStockPart(b.BinId, [.. b.PlannedSkus], b.Misplaced.ToDictionary(m => m.Key, m => m.Value, StringComparer.Ordinal)))],
            [.. fusion.Admissions],
            [.. fusion.PendingChanges],
            fusion.Aliases.ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal),
            [.. fusion.Ambiguities.Select(a => new AmbiguityPart(a.ChangeId, a.BinId, a.Units.ToDictionary(u => u.Key, u => u.Value, StringComparer.Ordinal), [.. a.Candidates.Order(StringComparer.Ordinal)], a.Reason, a.Confidence))],
            [.. fusion.SilentBins.Order(StringComparer.Ordinal)],
            state.Bins.ToDictionary(b => b.Key, b => b.Value, StringComparer.Ordinal),
            state.NewestDeviceTimeMs,
            [.. state.LateGateInputs.Order(StringComparer.Ordinal)],
            fusion.SilentReaches.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)[.. r.Value], StringComparer.Ordinal),
            fusion.SilenceEnds.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal));
    }

    /// <summary>The floor this snapshot describes; bins the layout gained since then start with their planned stock.</summary>
    public FloorState Restore(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (Schema != CurrentSchema)
        {
            throw new InvalidOperationException($"Floor snapshot schema {Schema} is not known (this node reads {CurrentSchema}).");
        }

        var stock = Stock.ToImmutableSortedDictionary(
            b => b.BinId,
            b => new BinStock(b.BinId, [.. b.PlannedSkus], b.Misplaced.ToImmutableSortedDictionary(StringComparer.Ordinal)),
            StringComparer.Ordinal);
        foreach (var bin in layout.Bins.Where(b => !stock.ContainsKey(b.Id)))
        {
            stock = stock.Add(bin.Id, BinStock.For(bin));
        }

        var fusion = new FusionState(
            Visits.ToImmutableSortedDictionary(
                v => v.VisitId,
                v => new Visit(v.VisitId, v.PayerId, v.PartySize, v.EnteredMs, v.Status, v.ExitedMs, VirtualCart.Restore(v.Lines, v.AppliedEvents), [.. v.ReviewReasons]) { ChangeReviews = [.. v.ChangeReviews ?? []] },
                StringComparer.Ordinal),
            Tracks.ToImmutableSortedDictionary(t => t.TrackId, t => new Track(t.TrackId, [.. t.Visits], [.. t.Sightings], t.Exited) { Doubtful = t.Doubtful, EnteredGate = t.EnteredGate, EnteredMs = t.EnteredMs }, StringComparer.Ordinal),
            stock,
            [.. Admissions],
            [],
            [.. PendingChanges],
            Aliases.ToImmutableSortedDictionary(StringComparer.Ordinal),
            [.. Ambiguities.Select(a => new OpenAmbiguity(a.ChangeId, a.BinId, a.Units.ToImmutableSortedDictionary(StringComparer.Ordinal), [.. a.Candidates], a.Reason, a.Confidence))])
        {
            SilentBins = SilentBins.ToImmutableHashSet(StringComparer.Ordinal),
            SilentReaches = (SilentReaches ?? new Dictionary<string, IReadOnlyList<string>>()).ToImmutableSortedDictionary(r => r.Key, r => r.Value.ToImmutableSortedSet(StringComparer.Ordinal), StringComparer.Ordinal),
            SilenceEnds = (SilenceEnds ?? new Dictionary<string, long>()).ToImmutableSortedDictionary(StringComparer.Ordinal),
        };
        var buffer = EventTimeBuffer<FloorInput>.Restore(LatenessMs, WatermarkMs, PendingInputs, SeenSequences.Select(s => new KeyValuePair<string, IEnumerable<long>>(s.Key, s.Value)));
        return new FloorState(buffer, fusion, BinReferences.ToImmutableDictionary(StringComparer.Ordinal), NewestDeviceTimeMs)
        {
            LateGateInputs = LateGateInputs.ToImmutableHashSet(StringComparer.Ordinal),
        };
    }
}
