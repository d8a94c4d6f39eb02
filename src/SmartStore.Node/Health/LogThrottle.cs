using System.Collections.Concurrent;

namespace SmartStore.Node.Health;

/// <summary>
/// Lets each kind of log line through at most once per interval, so a flood (bad input, a journal outage that
/// fails every message in flight) cannot flood the log; what it holds back is still counted by its owner.
/// </summary>
internal sealed class LogThrottle(TimeProvider time, TimeSpan interval)
{
    private readonly ConcurrentDictionary<string, long> _lastLogged = new(StringComparer.Ordinal);

    /// <summary>True when a line of this kind may be written now; the caller then writes it.</summary>
    public bool Allows(string kind)
    {
        var now = time.GetTimestamp();
        var last = _lastLogged.GetOrAdd(kind, 0);
        if (last != 0 && time.GetElapsedTime(last, now) < interval)
        {
            return false;
        }

        // Of threads racing for the same moment, one wins.
        return _lastLogged.TryUpdate(kind, now, last);
    }
}
