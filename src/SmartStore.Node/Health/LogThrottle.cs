using System.Collections.Concurrent;

namespace SmartStore.Node.Health;

/// <summary>
/// Lets each kind of log line through at most once per interval, so a flood (bad input, a journal outage that
/// fails every message in flight) cannot flood the log; what it holds back is still counted by its owner, and
/// the next line let through says how many it held back, so a reader of the log alone sees the flood's size.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly ConcurrentDictionary<string, Kind> _kinds = new(StringComparer.Ordinal);

    /// <summary>True when a line of this kind may be written now; the caller then writes it.</summary>
    public bool Allows(string kind) => Allows(kind, out _);

    /// <summary>
    /// True when a line of this kind may be written now, with how many of its kind were held back since the last
    /// one let through (0 for the first).
    /// </summary>
    public bool Allows(string kind, out long suppressed)
    {
        var slot = _kinds.GetOrAdd(kind, static _ => new Kind());
        var now = time.GetTimestamp();

        // A lock per kind: the check, the count and the reset must be one step, or two threads could both let a
        // line through, or a held-back line be lost from the next one's count. Only bad input and failures come here.
        lock (slot)
        {
            if (slot.LastLogged is { } last && time.GetElapsedTime(last, now) < interval)
            {
                slot.Suppressed++;
                suppressed = 0;
                return false;
            }

            suppressed = slot.Suppressed;
            slot.Suppressed = 0;
            slot.LastLogged = now;
            return true;
        }
    }

    private sealed class Kind
    {
        public long? LastLogged { get; set; }

        public long Suppressed { get; set; }
    }
}
