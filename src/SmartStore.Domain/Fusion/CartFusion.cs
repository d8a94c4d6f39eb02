using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;

namespace SmartStore.Domain.Fusion;

/// <summary>
/// Fuses camera tracks and shelf weight changes into carts, one input at a time, in event-time order (feed it
/// from an <see cref="EventTime.EventTimeBuffer{T}"/>). Rules, in the order they apply:
/// <list type="bullet">
/// <item>Admission binds the next tracks that cross that entry gate inward, up to the party size; companions
/// share the payer's visit. A crossing nobody was admitted for is tailgating: an alert, and an unbound track.</item>
/// <item>A track that appears out of nowhere near a track that just vanished inherits its visit; near several,
/// it inherits all of them — ambiguity is kept, not guessed away.</item>
/// <item>A weight change is scored against every track's hands (strong) and body (weak) around its window.
/// One clear visit → its cart changes; several close ones → each goes to review with the scores; none → an
/// unattributed alert. Hand-offs follow "the picker pays": a cart changes only on shelf events.</item>
/// <item>The change's product comes from <see cref="QuantityInference"/> over the bin's stock (and, for a
/// put-back, what the visit holds); a put-back of a foreign product is remembered on the bin as misplaced.</item>
/// </list>
/// </summary>
public static partial class CartFusion
{
    public static FusionState Apply(FusionState state, FloorInput input, StoreLayout layout, FusionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(settings);
        state = AdvanceTo(state, input.DeviceTimeMs, layout, settings);
        state = state with { Admissions = state.Admissions.RemoveAll(a => a.UntilMs < input.DeviceTimeMs) };
        return input switch
        {
            EntryGranted granted => Admit(state, granted, settings),
            GateCrossed crossed => Cross(state, crossed with { TrackId = state.Resolve(crossed.TrackId) }, settings),
            PersonSeen seen => FlagReachIntoSilentBin(See(state, seen, settings), seen, layout, settings),

            // Evidence after the change is part of its window: attribute once event time has passed it.
            ShelfChanged changed => state with { PendingChanges = state.PendingChanges.Add(changed) },
            _ => throw new ArgumentOutOfRangeException(nameof(input), input.GetType().Name, "Unknown floor input."),
        };
    }

    /// <summary>
    /// Attributes every held change whose evidence window ended before <paramref name="timeMs"/> (call it with
    /// the watermark as the store's clock moves, and with <see cref="long.MaxValue"/> at the end of a replay).
    /// </summary>
    public static FusionState AdvanceTo(FusionState state, long timeMs, StoreLayout layout, FusionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        state = EndSilences(state, timeMs);
        var due = state.PendingChanges.Where(c => c.ToMs + settings.EvidenceSlackMs < timeMs).ToList();
        if (due.Count == 0)
        {
            return state;
        }

        state = state with { PendingChanges = state.PendingChanges.RemoveRange(due) };
        return due.Aggregate(state, (s, change) => Attribute(s, change, layout, settings));
    }
}
