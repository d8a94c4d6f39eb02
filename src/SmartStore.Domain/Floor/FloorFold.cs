using System.Collections.Immutable;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Floor;

/// <summary>Settings of the floor: event-time lateness, when to settle, how the store's clock ticks, batching.</summary>
public sealed record FloorSettings
{
    /// <summary>How late (device time) an input may arrive and still be used in order.</summary>
    public long LatenessMs { get; init; } = 2_000;

    /// <summary>
    /// How long after an exit (beyond the watermark) the cart waits before settling: a weight change just before
    /// the exit must first be reported, which its shelf does only once the new level has held for
    /// <see cref="Signals.WeightSignalSettings.ConfirmMs"/> (a second), and then its evidence window
    /// (<see cref="FusionSettings.EvidenceSlackMs"/>) must close. A shopper who takes three litres of milk and is
    /// through the exit two seconds later is otherwise settled before the milk is weighed.
    /// </summary>
    public long SettleDelayMs { get; init; } = 2_500;

    /// <summary>How often the store's clock is moved on when no input arrives.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Records per journal event; a write holds every record that queued behind the previous one.</summary>
    public int RecordsPerEvent { get; init; } = 1_024;

    /// <summary>Unbound tracks (tailgaters, unknown faces) not seen for this long are forgotten.</summary>
    public long TrackIdleMs { get; init; } = 120_000;

    public FusionSettings Fusion { get; init; } = new();

    /// <summary>The whole bound between an exit and its settlement, in device time.</summary>
    public long SettlementBoundMs => LatenessMs + SettleDelayMs;
}

/// <summary>What a restarted shelf needs to compare new readings against: its last reference plateau per bin.</summary>
public sealed record BinReference(double Grams, long SinceMs, long LastSequence, int Changes);

/// <summary>The floor: the event-time buffer, fusion's state and the shelves' reference weights (immutable).</summary>
public sealed record FloorState(EventTimeBuffer<FloorInput> Buffer, FusionState Fusion, ImmutableDictionary<string, BinReference> Bins, long NewestDeviceTimeMs)
{
    /// <summary>Gate inputs that arrived late and were applied anyway (their device and sequence), so a redelivery is not applied twice.</summary>
    public ImmutableHashSet<string> LateGateInputs { get; init; } = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);

    public static FloorState For(StoreLayout layout, FloorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new FloorState(EventTimeBuffer<FloorInput>.Create(settings.LatenessMs), FusionState.For(layout), ImmutableDictionary<string, BinReference>.Empty.WithComparers(StringComparer.Ordinal), 0);
    }

    public long WatermarkMs => Buffer.WatermarkMs;
}

/// <summary>One record's effect: the floor after it, the verdict on an input, and alerts it raised.</summary>
public sealed record FloorStep(FloorState State, InputVerdict? Verdict, ImmutableList<FloorAlert> Alerts);

/// <summary>
/// The floor as a left fold over its records: pure, so the store actor, its recovery and tests all run the same
/// code. Inputs go through the event-time buffer (duplicates and late inputs get their verdict); whatever the
/// watermark releases goes through fusion, and held weight changes are attributed once their evidence window
/// has passed. Alerts are handed out and cleared, so the state never accumulates them.
/// </summary>
public static class FloorFold
{
    public static FloorStep Apply(FloorState state, FloorRecord record, StoreLayout layout, FloorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(settings);
        InputVerdict? verdict = null;
        switch (record)
        {
            case ClockRecord clock:
                var (advanced, due) = state.Buffer.AdvanceTo(clock.T);
                state = Release(state with { Buffer = advanced }, due, layout, settings);
                state = state with { Fusion = FloorHousekeeping.Prune(state.Fusion, state.WatermarkMs, settings.TrackIdleMs) };
                break;
            case VisitClosedRecord closed:
                state = state with { Fusion = FloorHousekeeping.Forget(state.Fusion, closed.Visit) };
                break;
            case BinHealthRecord health:
                state = state with { Fusion = CartFusion.SensorSilent(state.Fusion, health.Bin, health.Silent, health.T, layout, settings.Fusion, health.Since) };
                break;
            case BinReferenceRecord reference:
                state = state with { Bins = state.Bins.SetItem(reference.Bin, new BinReference(reference.Grams, reference.Since, reference.LastSeq, reference.Changes)) };
                break;
            default:
                var input = FloorRecords.ToInput(record) ?? throw new ArgumentOutOfRangeException(nameof(record), record.GetType().Name, "Unknown floor record.");
                if (record is ShelfChangeRecord change)
                {
                    state = state with { Bins = state.Bins.SetItem(change.Bin, new BinReference(change.After, change.To, change.LastSeq, (int)change.S)) };
                }

                var (buffer, inputVerdict, released) = state.Buffer.Add(input);
                verdict = inputVerdict;
                state = Release(state with { Buffer = buffer, NewestDeviceTimeMs = Math.Max(state.NewestDeviceTimeMs, input.DeviceTimeMs) }, released, layout, settings);
                if (inputVerdict == InputVerdict.Late && input is EntryGranted or GateCrossed)
                {
                    state = ApplyLateGateInput(state, input, layout, settings);
                }

                break;
        }

        var alerts = state.Fusion.Alerts;
        if (!alerts.IsEmpty)
        {
            state = state with { Fusion = state.Fusion with { Alerts = [] } };
        }

        return new FloorStep(state, verdict, alerts);
    }

    /// <summary>
    /// A late sighting or weight change is dropped (its moment has been judged), but a late admission or gate
    /// crossing is a fact the floor cannot do without: a visit whose exit was dropped would never end. It is applied
    /// at the watermark, once per device and sequence.
    /// </summary>
    private static FloorState ApplyLateGateInput(FloorState state, FloorInput input, StoreLayout layout, FloorSettings settings)
    {
        var key = $"{input.DeviceId}#{input.Sequence}";
        if (state.LateGateInputs.Contains(key))
        {
            return state;
        }

        var at = input switch
        {
            EntryGranted entry => (FloorInput)(entry with { DeviceTimeMs = state.WatermarkMs }),
            GateCrossed crossing => crossing with { DeviceTimeMs = state.WatermarkMs },
            _ => input,
        };
        var late = state.LateGateInputs.Count > 4_096 ? state.LateGateInputs.Clear() : state.LateGateInputs;
        return state with { Fusion = CartFusion.Apply(state.Fusion, at, layout, settings.Fusion), LateGateInputs = late.Add(key) };
    }

    private static FloorState Release(FloorState state, ImmutableList<FloorInput> released, StoreLayout layout, FloorSettings settings)
    {
        var fusion = state.Fusion;
        foreach (var input in released)
        {
            fusion = CartFusion.Apply(fusion, input, layout, settings.Fusion);
        }

        if (!fusion.PendingChanges.IsEmpty)
        {
            fusion = CartFusion.AdvanceTo(fusion, state.WatermarkMs, layout, settings.Fusion);
        }

        return ReferenceEquals(fusion, state.Fusion) ? state : state with { Fusion = fusion };
    }
}
