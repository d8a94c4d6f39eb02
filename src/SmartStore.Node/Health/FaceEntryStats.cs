using System.Collections.Concurrent;

namespace SmartStore.Node.Health;

/// <summary>Face entry at a glance: frames, admissions, refusals by reason, and how long a decision took.</summary>
public sealed record FaceEntrySummary(
    long FramesAnalysed,
    long FramesRefused,
    long Identified,
    IReadOnlyDictionary<string, long> RefusedByReason,
    int Decisions,
    double? P50Ms,
    double? P99Ms)
{
    public long RefusedTotal => RefusedByReason.Values.Sum();
}

/// <summary>
/// Counts what the gate cameras' frames led to, from any thread. A refusal is counted under its reason without
/// the figures in it (so "face too blurred: sharpness 12…" and "…sharpness 14…" are one reason). The decision
/// latency is frame received (by the node) to gate command published; the last 10,000 are kept for percentiles.
/// </summary>
public sealed class FaceEntryStats
{
    private const int KeptLatencies = 10_000;
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<double> _latencies = new();
    private long _analysed;
    private long _badFrames;
    private long _admitted;

    public void FrameAnalysed() => Interlocked.Increment(ref _analysed);

    public void FrameRefused() => Interlocked.Increment(ref _badFrames);

    /// <summary>A face was identified and its entry decided (the gate opened, or the account's standing kept it shut).</summary>
    public void Identified(TimeSpan latency)
    {
        Interlocked.Increment(ref _admitted);
        Record(latency);
    }

    public void Refused(string reason, TimeSpan latency)
    {
        ArgumentNullException.ThrowIfNull(reason);
        _refused.AddOrUpdate(ReasonKind(reason), 1, (_, n) => n + 1);
        Record(latency);
    }

    public FaceEntrySummary Summary()
    {
        var sorted = _latencies.ToArray();
        Array.Sort(sorted);
        double? At(double q) => sorted.Length == 0 ? null : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new FaceEntrySummary(Interlocked.Read(ref _analysed), Interlocked.Read(ref _badFrames), Interlocked.Read(ref _admitted), new Dictionary<string, long>(_refused), sorted.Length, At(0.50), At(0.99));
    }

    /// <summary>
    /// The reason without its figures: the words before the first colon, or for liveness the check that failed
    /// ("liveness: every frame is identical", "liveness: the face did not move").
    /// </summary>
    public static string ReasonKind(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        var end = reason.StartsWith("liveness:", StringComparison.Ordinal)
            ? reason.IndexOfAny(['(', ';', '.'], "liveness:".Length)
            : reason.IndexOf(':', StringComparison.Ordinal);
        var kind = end > 0 ? reason[..end] : reason;
        return string.Join(' ', new string([.. kind.Where(c => !char.IsDigit(c))]).Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private void Record(TimeSpan latency)
    {
        _latencies.Enqueue(latency.TotalMilliseconds);
        while (_latencies.Count > KeptLatencies && _latencies.TryDequeue(out _))
        {
        }
    }
}
