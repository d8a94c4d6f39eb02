using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Fusion;
using SmartStore.Messaging.Protocol;
using SmartStore.Payments;

namespace SmartStore.Node.Hosting;

/// <summary>The node's counters at one moment, for the health summary, the console and tests.</summary>
public sealed record HealthSummary(
    long Accepted,
    long Duplicates,
    long Late,
    IReadOnlyDictionary<RejectionReason, long> Rejected,
    long FloorRecords,
    long FloorWrites,
    long RecoveredRecords,
    long EntriesAdmitted,
    long EntriesDenied,
    long ReviewsQueued,
    long Captured,
    long CapturedMinor,
    long Declined,
    long PaymentRetries,
    long Disputes,
    long RefundedMinor,
    IReadOnlyDictionary<string, long> AlertsByKind,
    IReadOnlyList<FloorAlert> RecentAlerts,
    IReadOnlyDictionary<string, DateTimeOffset> DevicesLastSeen)
{
    public long RejectedTotal => Rejected.Values.Sum();
}

/// <summary>
/// Counters and recent alerts of one node, updated from any actor (lock-free counters, bounded alert memory).
/// Alerts and rejections are logged at most once per interval per kind, so a flood of bad input cannot flood
/// the log; the counters still count every one.
/// </summary>
public sealed class NodeHealth(RejectionCounters rejections, ILogger log, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, long> _alerts = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<FloorAlert> _recent = new();
    private readonly LogThrottle _throttle = new(time, TimeSpan.FromSeconds(10));
    private readonly ConcurrentDictionary<string, DateTimeOffset> _devices = new(StringComparer.Ordinal);
    private long _accepted;
    private long _duplicates;
    private long _late;
    private long _floorRecords;
    private long _floorWrites;
    private long _recovered;
    private long _admitted;
    private long _denied;
    private long _reviews;
    private long _captured;
    private long _capturedMinor;
    private long _declined;
    private long _retries;
    private long _disputes;
    private long _refunded;

    public RejectionCounters Rejections { get; } = rejections;

    public void InputVerdict(InputVerdict verdict)
    {
        switch (verdict)
        {
            case Domain.EventTime.InputVerdict.Accepted:
                Interlocked.Increment(ref _accepted);
                break;
            case Domain.EventTime.InputVerdict.Duplicate:
                Interlocked.Increment(ref _duplicates);
                break;
            case Domain.EventTime.InputVerdict.Late:
                Interlocked.Increment(ref _late);
                RateLimitedLog("late", "input arrived after the watermark (counted, not used)");
                break;
        }
    }

    /// <summary>A device-level duplicate caught before it reached the floor.</summary>
    public void DuplicateAtDevice() => Interlocked.Increment(ref _duplicates);

    public void Rejected(RejectionReason reason, string detail)
    {
        Rejections.Count(reason);
        RateLimitedLog($"rejected:{reason}", $"rejected ({reason}): {detail}");
    }

    /// <summary>Logs a rejection the parser already counted.</summary>
    public void RejectionCounted(RejectionReason reason, string detail) => RateLimitedLog($"rejected:{reason}", $"rejected ({reason}): {detail}");

    public void DeviceSeen(string deviceId) => _devices[deviceId] = time.GetUtcNow();

    public void FloorBatchWritten(int records, int events)
    {
        Interlocked.Add(ref _floorRecords, records);
        Interlocked.Add(ref _floorWrites, 1);
        _ = events;
    }

    public void FloorRecovered(long records) => Interlocked.Add(ref _recovered, records);

    public void Alert(FloorAlert alert)
    {
        ArgumentNullException.ThrowIfNull(alert);
        _alerts.AddOrUpdate(alert.Kind, 1, (_, n) => n + 1);
        _recent.Enqueue(alert);
        while (_recent.Count > 200 && _recent.TryDequeue(out _))
        {
        }

        RateLimitedLog($"alert:{alert.Kind}", $"alert {alert.Kind}: {alert.Detail}");
    }

    public void EntryAdmitted() => Interlocked.Increment(ref _admitted);

    public void EntryDenied(string gate, string reason)
    {
        Interlocked.Increment(ref _denied);
        Alert(new FloorAlert("entry-denied", time.GetUtcNow().ToUnixTimeMilliseconds(), $"{gate}: {reason}"));
    }

    public void ReviewQueued() => Interlocked.Increment(ref _reviews);

    public void Payment(PaymentOutcome outcome, long amountMinor)
    {
        if (outcome == PaymentOutcome.Approved)
        {
            Interlocked.Increment(ref _captured);
            Interlocked.Add(ref _capturedMinor, amountMinor);
        }
        else
        {
            Interlocked.Increment(ref _declined);
        }
    }

    public void PaymentRetryScheduled() => Interlocked.Increment(ref _retries);

    public void DisputeOpened() => Interlocked.Increment(ref _disputes);

    public void RefundIssued(long amountMinor) => Interlocked.Add(ref _refunded, amountMinor);

    public HealthSummary Snapshot() => new(
        Interlocked.Read(ref _accepted),
        Interlocked.Read(ref _duplicates),
        Interlocked.Read(ref _late),
        Rejections.Snapshot(),
        Interlocked.Read(ref _floorRecords),
        Interlocked.Read(ref _floorWrites),
        Interlocked.Read(ref _recovered),
        Interlocked.Read(ref _admitted),
        Interlocked.Read(ref _denied),
        Interlocked.Read(ref _reviews),
        Interlocked.Read(ref _captured),
        Interlocked.Read(ref _capturedMinor),
        Interlocked.Read(ref _declined),
        Interlocked.Read(ref _retries),
        Interlocked.Read(ref _disputes),
        Interlocked.Read(ref _refunded),
        new Dictionary<string, long>(_alerts, StringComparer.Ordinal),
        [.. _recent],
        new Dictionary<string, DateTimeOffset>(_devices, StringComparer.Ordinal));

    private void RateLimitedLog(string key, string message)
    {
        if (_throttle.Allows(key))
        {
            log.LogWarning("{Message}", message);
        }
    }
}
