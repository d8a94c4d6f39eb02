using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;

namespace SmartStore.Domain.Fusion;

/// <summary>The whole floor's state for fusion: visits, tracks, bins, admissions and alerts (immutable).</summary>
public sealed record FusionState(
    ImmutableSortedDictionary<string, Visit> Visits,
    ImmutableSortedDictionary<string, Track> Tracks,
    ImmutableSortedDictionary<string, BinStock> Bins,
    ImmutableList<OpenAdmission> Admissions,
    ImmutableList<FloorAlert> Alerts,
    ImmutableList<ShelfChanged> PendingChanges,
    ImmutableSortedDictionary<string, string> Aliases,
    ImmutableList<OpenAmbiguity> Ambiguities)
{
    /// <summary>Bins whose load cell has gone silent: a pick there cannot be weighed.</summary>
    public ImmutableHashSet<string> SilentBins { get; init; } = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);

    /// <summary>Silent bins whose cell has spoken again, and the device time it did: the silence ends there in event time.</summary>
    public ImmutableSortedDictionary<string, long> SilenceEnds { get; init; } = ImmutableSortedDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Per bin, every visit that reached into it during its current silence, settled ones too: a visit that has
    /// left may still have taken part of what the bin lost, so it must count when the silence is summed up.
    /// </summary>
    public ImmutableSortedDictionary<string, ImmutableSortedSet<string>> SilentReaches { get; init; } = ImmutableSortedDictionary<string, ImmutableSortedSet<string>>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>The store-wide track a camera's track id stands for.</summary>
    public string Resolve(string trackId) => Aliases.TryGetValue(trackId, out var canonical) ? canonical : trackId;

    public static FusionState For(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new FusionState(
            ImmutableSortedDictionary<string, Visit>.Empty.WithComparers(StringComparer.Ordinal),
            ImmutableSortedDictionary<string, Track>.Empty.WithComparers(StringComparer.Ordinal),
            layout.Bins.ToImmutableSortedDictionary(b => b.Id, BinStock.For, StringComparer.Ordinal),
            [],
            [],
            [],
            ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal),
            []);
    }
}
