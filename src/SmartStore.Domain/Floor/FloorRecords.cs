using System.Text.Json.Serialization;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Floor;

/// <summary>
/// What the store floor persists, in order, in its stream (<c>floor-{store}</c>): accepted device inputs, the
/// store clock moving on without input, shelf reference weights, and visits leaving the floor. The floor's state
/// is a deterministic fold of these records, so replaying them rebuilds it exactly, late and duplicate verdicts
/// included. Compact field names: a busy store writes millions of these a day.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "k")]
[JsonDerivedType(typeof(EntryRecord), "entry")]
[JsonDerivedType(typeof(CrossingRecord), "cross")]
[JsonDerivedType(typeof(SightingRecord), "seen")]
[JsonDerivedType(typeof(ShelfChangeRecord), "change")]
[JsonDerivedType(typeof(BinReferenceRecord), "ref")]
[JsonDerivedType(typeof(ClockRecord), "clock")]
[JsonDerivedType(typeof(VisitClosedRecord), "closed")]
[JsonDerivedType(typeof(BinHealthRecord), "health")]
public abstract record FloorRecord;

/// <summary>A gate admitted a visit.</summary>
public sealed record EntryRecord(string D, long S, long T, string Gate, string Visit, string Payer, int Party) : FloorRecord;

/// <summary>A person track crossed a gate line.</summary>
public sealed record CrossingRecord(string D, long S, long T, string Gate, string Track, bool In) : FloorRecord;

/// <summary>A camera saw a track (body position, hand when reaching, the hand's height when the camera sees depth).</summary>
public sealed record SightingRecord(string D, long S, long T, string Track, double X, double Y, double? Hx, double? Hy, double? Hz = null) : FloorRecord;

/// <summary>
/// A bin's weight settled on a new plateau (<paramref name="After"/>, from the reading numbered <paramref name="LastSeq"/>);
/// <paramref name="W"/> is the cell's trace around it, for a review (absent in records stored before it was kept).
/// </summary>
public sealed record ShelfChangeRecord(string D, long S, long T, string Bin, string Change, double Delta, long From, long To, double After, long LastSeq, WeightTrace? W = null) : FloorRecord;

/// <summary>A bin's reference weight followed drift (no pick): kept so a restarted shelf compares against it.</summary>
public sealed record BinReferenceRecord(string Bin, double Grams, long Since, long LastSeq, int Changes) : FloorRecord;

/// <summary>The store clock reached <paramref name="T"/> (device time) without an input that said so.</summary>
public sealed record ClockRecord(long T) : FloorRecord;

/// <summary>A visit was settled or sent to review: the floor forgets it.</summary>
public sealed record VisitClosedRecord(string Visit) : FloorRecord;

/// <summary>
/// A bin's load cell went silent, or reported again (device time <paramref name="T"/>); a silence names the
/// device time of the cell's last reading (<paramref name="Since"/>), since it is noticed only seconds later.
/// </summary>
public sealed record BinHealthRecord(string Bin, bool Silent, long T, long? Since = null) : FloorRecord;

/// <summary>One journal event: a batch of records written together.</summary>
public sealed record FloorBatch(IReadOnlyList<FloorRecord> Records);

/// <summary>Maps records to the domain's floor inputs.</summary>
public static class FloorRecords
{
    public static FloorInput? ToInput(FloorRecord record) => record switch
    {
        EntryRecord e => new EntryGranted(e.D, e.S, e.T, e.Gate, e.Visit, e.Payer, e.Party),
        CrossingRecord c => new GateCrossed(c.D, c.S, c.T, c.Gate, c.Track, c.In),
        SightingRecord s => new PersonSeen(s.D, s.S, s.T, s.Track, new Point(s.X, s.Y), s.Hx is { } hx && s.Hy is { } hy ? new Point(hx, hy) : null, s.Hz),
        ShelfChangeRecord c => new ShelfChanged(c.D, c.S, c.T, c.Bin, c.Change, c.Delta, c.From, c.To, c.W),
        _ => null,
    };
}
