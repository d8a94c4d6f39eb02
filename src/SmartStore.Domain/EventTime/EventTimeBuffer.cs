using System.Collections.Immutable;

namespace SmartStore.Domain.EventTime;

/// <summary>Anything a device sends: who sent it, its own clock, its own sequence number.</summary>
public interface IDeviceInput
{
    string DeviceId { get; }

    long Sequence { get; }

    long DeviceTimeMs { get; }
}

/// <summary>Why an input did not go through the buffer.</summary>
public enum InputVerdict
{
    Accepted,

    /// <summary>Same device and sequence as one already seen: ignored.</summary>
    Duplicate,

    /// <summary>Older than the watermark: arrived after its moment was closed; flagged for operators.</summary>
    Late,
}

/// <summary>
/// Bounded lateness for device inputs. Inputs are held until the watermark (the newest device time seen minus
/// the lateness bound) passes them, then released in (time, device, sequence) order, so any arrival order
/// within the bound yields the same output. Duplicates by (device, sequence) are dropped; inputs older than
/// the watermark are flagged late rather than silently reordered into the past.
/// </summary>
public sealed record EventTimeBuffer<T>
    where T : IDeviceInput
{
    private EventTimeBuffer(long lateness, long watermark, ImmutableSortedSet<T> pending, ImmutableDictionary<string, ImmutableHashSet<long>> seen)
    {
        LatenessMs = lateness;
        WatermarkMs = watermark;
        Pending = pending;
        Seen = seen;
    }

    public long LatenessMs { get; }

    /// <summary>Everything at or before this device time has been released.</summary>
    public long WatermarkMs { get; }

    public ImmutableSortedSet<T> Pending { get; }

    /// <summary>Sequence numbers seen per device since their release horizon (kept small by pruning).</summary>
    public ImmutableDictionary<string, ImmutableHashSet<long>> Seen { get; }

    public static EventTimeBuffer<T> Create(long latenessMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latenessMs);
        return new EventTimeBuffer<T>(latenessMs, long.MinValue, ImmutableSortedSet.Create<T>(InputOrder.Instance), ImmutableDictionary<string, ImmutableHashSet<long>>.Empty);
    }

    /// <summary>Takes one input; returns the buffer, the verdict and whatever the new watermark releases, in order.</summary>
    /// <summary>Rebuilds a buffer from what <see cref="Pending"/>, <see cref="Seen"/> and the watermark held (a snapshot).</summary>
    public static EventTimeBuffer<T> Restore(long latenessMs, long watermarkMs, IEnumerable<T> pending, IEnumerable<KeyValuePair<string, IEnumerable<long>>> seen)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(latenessMs);
        ArgumentNullException.ThrowIfNull(pending);
        ArgumentNullException.ThrowIfNull(seen);
        return new EventTimeBuffer<T>(
            latenessMs,
            watermarkMs,
            ImmutableSortedSet.CreateRange(InputOrder.Instance, pending),
            seen.ToImmutableDictionary(s => s.Key, s => s.Value.ToImmutableHashSet()));
    }

    public (EventTimeBuffer<T> Buffer, InputVerdict Verdict, ImmutableList<T> Released) Add(T input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (Seen.TryGetValue(input.DeviceId, out var sequences) && sequences.Contains(input.Sequence))
        {
            return (this, InputVerdict.Duplicate, []);
        }

        if (input.DeviceTimeMs <= WatermarkMs)
        {
            return (this, InputVerdict.Late, []);
        }

        var seen = Seen.SetItem(input.DeviceId, (sequences ?? []).Add(input.Sequence));
        var next = new EventTimeBuffer<T>(LatenessMs, WatermarkMs, Pending.Add(input), seen);
        var newest = next.Pending.Max!.DeviceTimeMs;
        var (advanced, released) = next.ReleaseUpTo(newest - LatenessMs);
        return (advanced, InputVerdict.Accepted, released);
    }

    /// <summary>Releases everything up to <paramref name="timeMs"/> (the store's clock moved on without input).</summary>
    public (EventTimeBuffer<T> Buffer, ImmutableList<T> Released) AdvanceTo(long timeMs) => ReleaseUpTo(timeMs - LatenessMs);

    /// <summary>Releases everything held (end of a replay).</summary>
    public (EventTimeBuffer<T> Buffer, ImmutableList<T> Released) Flush() => ReleaseUpTo(Pending.Count == 0 ? WatermarkMs : Pending.Max!.DeviceTimeMs);

    private (EventTimeBuffer<T>, ImmutableList<T>) ReleaseUpTo(long watermark)
    {
        if (watermark <= WatermarkMs)
        {
            return (this, []);
        }

        var released = Pending.TakeWhile(p => p.DeviceTimeMs <= watermark).ToImmutableList();
        var pending = Pending.Except(released);

        return (new EventTimeBuffer<T>(LatenessMs, watermark, pending, Prune(Seen, pending)), released);
    }

    private static ImmutableDictionary<string, ImmutableHashSet<long>> Prune(ImmutableDictionary<string, ImmutableHashSet<long>> seen, ImmutableSortedSet<T> pending)
    {
        // Keep, per device, its pending sequences and the 1,024 highest released ones (duplicates arrive close
        // behind the original; anything older is late by then).
        var builder = seen.ToBuilder();
        foreach (var (device, sequences) in seen)
        {
            if (sequences.Count > 2_048)
            {
                builder[device] = sequences.OrderDescending().Take(1_024).Concat(pending.Where(p => p.DeviceId == device).Select(p => p.Sequence)).ToImmutableHashSet();
            }
        }

        return builder.ToImmutable();
    }

    /// <summary>Device time, then device, then sequence: a total order every replica agrees on.</summary>
    private sealed class InputOrder : IComparer<T>
    {
        public static readonly InputOrder Instance = new();

        public int Compare(T? x, T? y)
        {
            if (ReferenceEquals(x, y))
            {
                return 0;
            }

            if (x is null || y is null)
            {
                return x is null ? -1 : 1;
            }

            var byTime = x.DeviceTimeMs.CompareTo(y.DeviceTimeMs);
            if (byTime != 0)
            {
                return byTime;
            }

            var byDevice = string.CompareOrdinal(x.DeviceId, y.DeviceId);
            return byDevice != 0 ? byDevice : x.Sequence.CompareTo(y.Sequence);
        }
    }
}
