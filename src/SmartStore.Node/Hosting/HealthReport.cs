using System.Text.Json;
using System.Text.Json.Serialization;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Health;
using SmartStore.Node.Projections;
using SmartStore.Node.Transport;

namespace SmartStore.Node.Hosting;

/// <summary>
/// What a running node publishes (retained) on <c>smartstore/{store}/node/health</c>: its transport's
/// counters, every rejection by reason, entries, receipts, reviews, alerts and face entry's figures. An operator or a monitor reads
/// it with any MQTT client; the retained copy answers at once.
/// </summary>
public sealed record HealthReport(
    string Store,
    string Node,
    DateTimeOffset At,
    bool BrokerConnected,
    long Connects,
    long Received,
    long Acknowledged,
    int Unhandled,
    long Delivered,
    long Accepted,
    long Duplicates,
    long Late,
    long Rejected,
    IReadOnlyDictionary<string, long> RejectedByReason,
    long Retries,
    string? LastError,
    int CommandsWaiting,
    long CommandsPublished,
    long EntriesAdmitted,
    long EntriesDenied,
    int Receipts,
    int Reviews,
    long Captured,
    long Declined,
    IReadOnlyDictionary<string, long> Alerts)
{
    /// <summary>Face entry: frames analysed, identifications, refusals by reason and decision latency (null: face entry off).</summary>
    public FaceEntrySummary? Faces { get; init; }

    public static HealthReport From(string store, string node, DateTimeOffset at, MqttTransportStatus transport, HealthSummary health, ReceiptBook receipts)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(health);
        ArgumentNullException.ThrowIfNull(receipts);
        return new HealthReport(
            store,
            node,
            at,
            transport.Connected,
            transport.Connects,
            transport.Received,
            transport.Acknowledged,
            transport.Unhandled,
            transport.Delivered,
            // The node's own counts (one definition, NodeHealth.Answered), not the transport's: the status and
            // shutdown lines and the console show these too, and they include what came by any other way.
            health.Accepted,
            health.Duplicates,
            health.Late,
            health.RejectedTotal,
            health.Rejected.Where(r => r.Value > 0).ToDictionary(r => r.Key.ToString(), r => r.Value, StringComparer.Ordinal),
            transport.Retries,
            transport.LastError,
            transport.Commands.Waiting,
            transport.Commands.Published,
            health.EntriesAdmitted,
            health.EntriesDenied,
            receipts.Issued.Count,
            receipts.Review.Count,
            health.Captured,
            health.Declined,
            health.AlertsByKind);
    }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, HealthJson.Default.HealthReport);

    public static HealthReport? FromJson(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, HealthJson.Default.HealthReport);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJson : JsonSerializerContext;
