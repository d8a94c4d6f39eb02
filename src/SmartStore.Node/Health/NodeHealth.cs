using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Fusion;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;

namespace SmartStore.Node.Health;

/// <summary>
/// The node's counters at one moment. Those about the store's history (entries admitted, reviews, payments,
/// disputes, refunds) come from the journal through the receipt projection, so a restarted node counts what
/// earlier processes did; the rest describe this process (what it received, rejected, alerted on).
/// </summary>
/// <remarks>
/// <see cref="Accepted"/>, <see cref="Duplicates"/>, <see cref="Late"/> and <see cref="Rejected"/> count device
/// messages, each once, by the answer the node gave it (see <see cref="NodeHealth.Answered"/>): every surface (the
/// status and shutdown lines, the health topic, the console) shows these, so they agree. What the floor took in
/// (several readings make one weight change) is <see cref="FloorInputs"/>.
/// </remarks>
public sealed record HealthSummary(
    long Accepted,
    long Duplicates,
    long Late,
    IReadOnlyDictionary<RejectionReason, long> Rejected,
    long FloorInputs,
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
    IReadOnlyDictionary<string, DateTimeOffset> DevicesLastSeen,
    long EntriesAdmittedHere)
{
    public long RejectedTotal => Rejected.Values.Sum();
}

/// <summary>The store's history as counted by the receipt projection (every visit the journal holds).</summary>
public sealed record StoreCounters(long EntriesAdmitted, long ReviewsQueued, long Captured, long CapturedMinor, long Declined, long Disputes, long RefundedMinor)
{
    public static StoreCounters None { get; } = new(0, 0, 0, 0, 0, 0, 0);
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
    private readonly ConcurrentDictionary<string, long> _dispatched = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TimeSpan> _receiptLatency = new(StringComparer.Ordinal);
    private long _accepted;
    private long _duplicates;
    private long _late;
    private long _floorInputs;
    private long _floorRecords;
    private long _floorWrites;
    private long _recovered;
    private long _denied;
    private long _admittedHere;
    private long _retries;

    public RejectionCounters Rejections { get; } = rejections;

    /// <summary>What the gate cameras' frames led to (admissions, refusals by reason, decision latency).</summary>
    public FaceEntryStats Faces { get; } = new();

    /// <summary>Where the store's history counters come from (the receipt projection's view); none until it is set.</summary>
    public Func<StoreCounters> StoreCounters { get; set; } = static () => Health.StoreCounters.None;

    /// <summary>
    /// The floor's verdict on one of its inputs (a sighting, a crossing, a weight change, a bin's reference): only
    /// what it accepted is counted, as <see cref="HealthSummary.FloorInputs"/>. Whether a device message was a
    /// duplicate or late is counted by the answer it got (<see cref="Answered"/>), once, wherever it was found out.
    /// </summary>
    public void InputVerdict(InputVerdict verdict)
    {
        if (verdict == Domain.EventTime.InputVerdict.Accepted)
        {
            Interlocked.Increment(ref _floorInputs);
        }
    }

    /// <summary>
    /// The one place a device message is counted: the node's inbox calls this with the answer its device entity
    /// gave (accepted: parsed and taken by its device; duplicate: its device and sequence came before; late: older
    /// than the watermark). A refusal is counted by its reason where it was found (<see cref="Rejected"/>), so it
    /// is not counted here again; a message that failed (the journal away) is counted when it comes again.
    /// </summary>
    public void Answered(Delivery outcome, string device)
    {
        switch (outcome)
        {
            case Delivery.Accepted:
                Interlocked.Increment(ref _accepted);
                break;
            case Delivery.Duplicate:
                Interlocked.Increment(ref _duplicates);
                break;
            case Delivery.Late:
                Interlocked.Increment(ref _late);
                RateLimitedLog("late", $"{device}: arrived after the watermark (counted, not used)");
                break;
        }
    }

    public void Rejected(RejectionReason reason, string detail)
    {
        Rejections.Count(reason);
        RateLimitedLog($"rejected:{reason}", $"rejected ({reason}): {detail}");
    }

    /// <summary>Logs a rejection the parser already counted.</summary>
    public void RejectionCounted(RejectionReason reason, string detail) => RateLimitedLog($"rejected:{reason}", $"rejected ({reason}): {detail}");

    public void DeviceSeen(string deviceId) => _devices[deviceId] = time.GetUtcNow();

    public void FloorBatchWritten(int records)
    {
        Interlocked.Add(ref _floorRecords, records);
        Interlocked.Increment(ref _floorWrites);
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

        RateLimitedLog($"alert:{alert.Kind}", $"alert {AlertText.Format(alert, time.LocalTimeZone)}");
    }

    /// <summary>This process let a party in (the store-wide count is <see cref="HealthSummary.EntriesAdmitted"/>, from the journal).</summary>
    public void EntryAdmitted() => Interlocked.Increment(ref _admittedHere);

    public void EntryDenied(string gate, string reason)
    {
        Interlocked.Increment(ref _denied);
        Alert(new FloorAlert("entry-denied", time.GetUtcNow().ToUnixTimeMilliseconds(), $"{gate}: {reason}"));
    }

    public void PaymentRetryScheduled() => Interlocked.Increment(ref _retries);

    /// <summary>The floor handed a visit over for settlement (its bound passed): the receipt latency starts here.</summary>
    public void SettlementDispatched(string visitId) => _dispatched.TryAdd(visitId, time.GetTimestamp());

    /// <summary>The visit issued its receipt: how long after the floor handed it over, when this node saw both.</summary>
    public void ReceiptIssued(string visitId)
    {
        if (_dispatched.TryRemove(visitId, out var dispatchedAt))
        {
            _receiptLatency[visitId] = time.GetElapsedTime(dispatchedAt);
        }
    }

    /// <summary>The visit went to an operator: its hand-over is no receipt latency to wait for.</summary>
    public void ReceiptNotDue(string visitId) => _dispatched.TryRemove(visitId, out _);

    /// <summary>From the floor handing the cart over to the receipt; null when another process or node did either.</summary>
    public TimeSpan? ReceiptLatencyOf(string visitId) => _receiptLatency.TryGetValue(visitId, out var latency) ? latency : null;

    public HealthSummary Snapshot()
    {
        var store = StoreCounters();
        return new HealthSummary(
            Interlocked.Read(ref _accepted),
            Interlocked.Read(ref _duplicates),
            Interlocked.Read(ref _late),
            Rejections.Snapshot(),
            Interlocked.Read(ref _floorInputs),
            Interlocked.Read(ref _floorRecords),
            Interlocked.Read(ref _floorWrites),
            Interlocked.Read(ref _recovered),
            store.EntriesAdmitted,
            Interlocked.Read(ref _denied),
            store.ReviewsQueued,
            store.Captured,
            store.CapturedMinor,
            store.Declined,
            Interlocked.Read(ref _retries),
            store.Disputes,
            store.RefundedMinor,
            new Dictionary<string, long>(_alerts, StringComparer.Ordinal),
            [.. _recent],
            new Dictionary<string, DateTimeOffset>(_devices, StringComparer.Ordinal),
            Interlocked.Read(ref _admittedHere));
    }

    private void RateLimitedLog(string key, string message)
    {
        if (!_throttle.Allows(key, out var suppressed))
        {
            return;
        }

        if (suppressed == 0)
        {
            log.LogWarning("{Message}", message);
        }
        else
        {
            log.LogWarning("{Message} ({Suppressed} more of this kind since the last such line, not logged)", message, suppressed);
        }
    }
}
