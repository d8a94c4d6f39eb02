using Akka.Cluster.Sharding;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;

namespace SmartStore.Node.Protocol;

/// <summary>
/// A message for one sharded entity: its region routes it by <see cref="EntityId"/> (wherever in the cluster the
/// entity lives) and hands the entity <see cref="Payload"/>. Entities answer the sender with a reply message,
/// never through a promise carried inside the message, so an answer crosses nodes like any other message.
/// </summary>
public interface IShardEnvelope
{
    string EntityId { get; }

    object Payload { get; }
}

/// <summary>
/// A parsed device message for its device's entity (a gate, camera or shelf of one store), entity id
/// <c>{store}:{device}</c>. The id is made once per device by the node and carried along: the region reads it
/// several times per message, and most messages are a shelf reading that changes nothing.
/// </summary>
public sealed record DeviceEnvelope(string EntityId, DeviceMessage Message) : IShardEnvelope
{
    public object Payload => Message;

    /// <summary>Device ids are unique within a store only.</summary>
    public static string DeviceEntityId(string storeId, string deviceId) => $"{storeId}:{deviceId}";

    public static (string StoreId, string DeviceId) Parse(string entityId)
    {
        ArgumentNullException.ThrowIfNull(entityId);
        var colon = entityId.IndexOf(':', StringComparison.Ordinal);
        return colon <= 0 ? throw new ArgumentException($"'{entityId}' is not a device entity id (store:device)", nameof(entityId)) : (entityId[..colon], entityId[(colon + 1)..]);
    }
}

public sealed record FloorEnvelope(string StoreId, FloorCommand Command) : IShardEnvelope
{
    public string EntityId => StoreId;

    public object Payload => Command;
}

public sealed record VisitEnvelope(string VisitId, VisitCommand Command) : IShardEnvelope
{
    public string EntityId => VisitId;

    public object Payload => Command;
}

public sealed record AccountEnvelope(string ShopperId, AccountCommand Command) : IShardEnvelope
{
    public string EntityId => ShopperId;

    public object Payload => Command;
}

public sealed record LedgerEnvelope(string VisitId, LedgerCommand Command) : IShardEnvelope
{
    public string EntityId => VisitId;

    public object Payload => Command;
}

/// <summary>Routes every <see cref="IShardEnvelope"/> to its entity; a hundred shards spread over the cluster's nodes.</summary>
public sealed class EnvelopeExtractor() : HashCodeMessageExtractor(MaxShards)
{
    public const int MaxShards = 100;

    public override string? EntityId(object message) => (message as IShardEnvelope)?.EntityId;

    public override object EntityMessage(object message) => (message as IShardEnvelope)?.Payload ?? message;
}
