using System.Collections.Immutable;

namespace SmartStore.Domain.Carts;

/// <summary>
/// Why a cart line holds what it holds: the shelf event that changed it, the bin and weight change behind
/// it, the camera observations that tied it to this shopper, and how sure the store was.
/// </summary>
public sealed record CartEvidence(string EventId, string BinId, string? WeightChangeId, ImmutableArray<string> ObservationIds, double Confidence);

/// <summary>One change to a cart: units of a product taken (positive) or put back (negative), with its evidence.</summary>
public sealed record CartChange(string Sku, int Units, CartEvidence Evidence);

/// <summary>A cart line: the product, the units held and every change that produced them.</summary>
public sealed record CartLine(string Sku, int Units, ImmutableArray<CartChange> Changes);

/// <summary>
/// A shopper's virtual cart: an immutable value. Picks add units, put-backs remove them (also when the item
/// went back to a different shelf: the product is what counts, not the bin). A line that reaches zero units
/// disappears; a put-back of something the cart does not hold is refused, not turned into a negative line.
/// A change whose event was applied before is ignored, so replays and duplicates change nothing.
/// </summary>
public sealed record VirtualCart
{
    public static VirtualCart Empty { get; } = new(ImmutableSortedDictionary<string, CartLine>.Empty.WithComparers(StringComparer.Ordinal), ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal));

    private VirtualCart(ImmutableSortedDictionary<string, CartLine> lines, ImmutableHashSet<string> appliedEvents)
    {
        Lines = lines;
        AppliedEvents = appliedEvents;
    }

    /// <summary>Rebuilds a cart from its lines and applied event ids (a snapshot).</summary>
    public static VirtualCart Restore(IEnumerable<CartLine> lines, IEnumerable<string> appliedEvents) =>
        new(lines.ToImmutableSortedDictionary(l => l.Sku, l => l, StringComparer.Ordinal), appliedEvents.ToImmutableHashSet(StringComparer.Ordinal));

    public ImmutableSortedDictionary<string, CartLine> Lines { get; }

    /// <summary>Ids of the events already applied (the cart's own deduplication).</summary>
    public ImmutableHashSet<string> AppliedEvents { get; }

    public int TotalUnits => Lines.Values.Sum(l => l.Units);

    public int UnitsOf(string sku) => Lines.TryGetValue(sku, out var line) ? line.Units : 0;

    /// <summary>The cart after <paramref name="change"/>, or why it cannot be applied.</summary>
    public CartResult Apply(CartChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (AppliedEvents.Contains(change.Evidence.EventId))
        {
            return new CartResult(this, CartOutcome.Duplicate);
        }

        if (change.Units == 0)
        {
            return new CartResult(this, CartOutcome.NothingToApply);
        }

        var held = UnitsOf(change.Sku);
        var units = held + change.Units;
        if (units < 0)
        {
            return new CartResult(this, CartOutcome.PutBackOfItemNotHeld);
        }

        var changes = Lines.TryGetValue(change.Sku, out var line) ? line.Changes.Add(change) : [change];
        var lines = units == 0 ? Lines.Remove(change.Sku) : Lines.SetItem(change.Sku, new CartLine(change.Sku, units, changes));
        return new CartResult(new VirtualCart(lines, AppliedEvents.Add(change.Evidence.EventId)), CartOutcome.Applied);
    }

    public bool Equivalent(VirtualCart other) =>
        other is not null && Lines.Count == other.Lines.Count && Lines.All(l => other.UnitsOf(l.Key) == l.Value.Units);
}

public enum CartOutcome
{
    Applied,
    Duplicate,
    NothingToApply,
    PutBackOfItemNotHeld,
}

public sealed record CartResult(VirtualCart Cart, CartOutcome Outcome);
