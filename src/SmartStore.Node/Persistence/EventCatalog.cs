using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace SmartStore.Node.Persistence;

/// <summary>An event or snapshot that could not be read back: which manifest, and why.</summary>
public sealed class StoredEventException(string manifest, string message, Exception? inner = null)
    : Exception($"Cannot read stored '{manifest}': {message}", inner)
{
    public string Manifest { get; } = manifest;
}

/// <summary>
/// Every type the node stores (events and snapshots), each under a stable name and version that go into the
/// journal as the manifest <c>{name}.v{version}</c>, with System.Text.Json metadata from source generation (no
/// reflection). An old version is upcast step by step (v1 → v2 → …) on read, so a journal written by an earlier
/// release still recovers; renaming a C# type changes nothing stored.
/// </summary>
public sealed class EventCatalog
{
    private readonly Dictionary<Type, (string Name, int Version, JsonTypeInfo Info)> _byType = [];
    private readonly Dictionary<string, (int Version, JsonTypeInfo Info)> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, int FromVersion), Func<JsonNode, JsonNode>> _upcasters = [];

    public IReadOnlyCollection<Type> Types => _byType.Keys;

    public EventCatalog Register<T>(string name, int version, JsonTypeInfo<T> info)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentNullException.ThrowIfNull(info);
        if (name.Contains(".v", StringComparison.Ordinal) || !_byName.TryAdd(name, (version, info)))
        {
            throw new ArgumentException($"'{name}' is registered twice or contains '.v'", nameof(name));
        }

        _byType.Add(typeof(T), (name, version, info));
        return this;
    }

    /// <summary>How to turn version <paramref name="fromVersion"/> of <paramref name="name"/> into the next one.</summary>
    public EventCatalog AddUpcaster(string name, int fromVersion, Func<JsonNode, JsonNode> upcast)
    {
        ArgumentNullException.ThrowIfNull(upcast);
        _upcasters.Add((name, fromVersion), upcast);
        return this;
    }

    public string ManifestOf(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return _byType.TryGetValue(value.GetType(), out var entry)
            ? $"{entry.Name}.v{entry.Version}"
            : throw new ArgumentException($"{value.GetType().FullName} is not a stored type of this node; register it in the event catalog", nameof(value));
    }

    public byte[] ToBytes(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return _byType.TryGetValue(value.GetType(), out var entry)
            ? JsonSerializer.SerializeToUtf8Bytes(value, entry.Info)
            : throw new ArgumentException($"{value.GetType().FullName} is not a stored type of this node", nameof(value));
    }

    public object FromBytes(ReadOnlySpan<byte> bytes, string manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var dot = manifest.LastIndexOf(".v", StringComparison.Ordinal);
        if (dot <= 0 || !int.TryParse(manifest.AsSpan(dot + 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version))
        {
            throw new StoredEventException(manifest, "the manifest is not '{name}.v{version}'");
        }

        var name = manifest[..dot];
        if (!_byName.TryGetValue(name, out var current))
        {
            throw new StoredEventException(manifest, $"no type is registered as '{name}'");
        }

        if (version > current.Version)
        {
            throw new StoredEventException(manifest, $"it was written by a newer release (v{version}; this node reads up to v{current.Version})");
        }

        try
        {
            if (version == current.Version)
            {
                return JsonSerializer.Deserialize(bytes, current.Info) ?? throw new StoredEventException(manifest, "the payload is null");
            }

            var node = JsonNode.Parse(bytes) ?? throw new StoredEventException(manifest, "the payload is null");
            for (var v = version; v < current.Version; v++)
            {
                node = _upcasters.TryGetValue((name, v), out var upcast) ? upcast(node) : throw new StoredEventException(manifest, $"no upcaster from v{v} to v{v + 1}");
            }

            return node.Deserialize(current.Info) ?? throw new StoredEventException(manifest, "the upcast payload is null");
        }
        catch (JsonException error)
        {
            throw new StoredEventException(manifest, error.Message, error);
        }
    }
}
