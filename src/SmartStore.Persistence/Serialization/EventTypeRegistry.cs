using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace SmartStore.Persistence;

/// <summary>
/// Maps event (and snapshot) types to stable names and versions, never CLR names, and (de)serialises them with
/// System.Text.Json metadata from source generation. Old versions are upcast step by step (v1 → v2 → …) on read.
/// Register everything at start-up; afterwards the registry is read-only and safe to share.
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly Dictionary<Type, Registration> _byType = [];
    private readonly Dictionary<string, Registration> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, int FromVersion), Func<JsonNode, JsonNode>> _upcasters = [];

    /// <summary>Registers <typeparamref name="T"/> as <paramref name="typeName"/> at its current <paramref name="version"/>.</summary>
    public EventTypeRegistry Register<T>(string typeName, int version, JsonTypeInfo<T> typeInfo)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (typeName.StartsWith('$'))
        {
            throw new ArgumentException("Type names starting with '$' are reserved for the journal.", nameof(typeName));
        }

        if (_byName.ContainsKey(typeName) || _byType.ContainsKey(typeof(T)))
        {
            throw new InvalidOperationException($"'{typeName}' ({typeof(T).Name}) is already registered.");
        }

        var registration = new Registration(typeName, version, typeInfo);
        _byType.Add(typeof(T), registration);
        _byName.Add(typeName, registration);
        return this;
    }

    /// <summary>Registers how to turn version <paramref name="fromVersion"/> of a type into the next version.</summary>
    public EventTypeRegistry AddUpcaster(string typeName, int fromVersion, Func<JsonNode, JsonNode> upcast)
    {
        ArgumentNullException.ThrowIfNull(upcast);
        _upcasters.Add((typeName, fromVersion), upcast);
        return this;
    }

    /// <summary>Serialises an event; an unregistered type or a serializer failure is a rejection.</summary>
    public EventData Serialize(object value, IReadOnlyList<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!_byType.TryGetValue(value.GetType(), out var registration))
        {
            throw new EventRejectedException($"type {value.GetType().Name} is not registered");
        }

        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(value, registration.TypeInfo);
            return new EventData(registration.Name, registration.Version, payload, tags ?? []);
        }
        catch (Exception exception) when (exception is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new EventRejectedException($"{registration.Name} could not be serialised: {exception.Message}", exception);
        }
    }

    /// <summary>Reads an event back, upcasting old versions; failures name the stream and sequence number.</summary>
    public object Deserialize(PersistedEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return Deserialize(stored.StreamId, stored.Sequence, stored.TypeName, stored.TypeVersion, stored.Payload);
    }

    public object Deserialize(SnapshotData snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Deserialize(snapshot.StreamId, snapshot.Sequence, snapshot.TypeName, snapshot.TypeVersion, snapshot.Payload);
    }

    private object Deserialize(string streamId, long sequence, string typeName, int version, ReadOnlyMemory<byte> payload)
    {
        if (!_byName.TryGetValue(typeName, out var registration))
        {
            throw new EventDeserializationException(streamId, sequence, $"unknown event type '{typeName}'");
        }

        if (version > registration.Version)
        {
            throw new EventDeserializationException(streamId, sequence, $"'{typeName}' v{version} is newer than this build knows (v{registration.Version})");
        }

        try
        {
            if (version == registration.Version)
            {
                return JsonSerializer.Deserialize(payload.Span, registration.TypeInfo)
                    ?? throw new EventDeserializationException(streamId, sequence, "payload is null");
            }

            var node = JsonNode.Parse(payload.Span) ?? throw new EventDeserializationException(streamId, sequence, "payload is null");
            for (var v = version; v < registration.Version; v++)
            {
                if (!_upcasters.TryGetValue((typeName, v), out var upcast))
                {
                    throw new EventDeserializationException(streamId, sequence, $"no upcaster from '{typeName}' v{v} to v{v + 1}");
                }

                node = upcast(node);
            }

            return node.Deserialize(registration.TypeInfo)
                ?? throw new EventDeserializationException(streamId, sequence, "upcast payload is null");
        }
        catch (JsonException exception)
        {
            throw new EventDeserializationException(streamId, sequence, $"corrupted payload for '{typeName}' v{version}: {exception.Message}", exception);
        }
        catch (Exception exception) when (exception is NotSupportedException or InvalidOperationException or ArgumentException)
        {
            throw new EventDeserializationException(streamId, sequence, $"'{typeName}' v{version}: {exception.Message}", exception);
        }
    }

    private sealed record Registration(string Name, int Version, JsonTypeInfo TypeInfo);
}
