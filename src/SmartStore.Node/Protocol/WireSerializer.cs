using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.Serialization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using Akka.Serialization;
using SmartStore.Domain.Floor;

namespace SmartStore.Node.Protocol;

/// <summary>
/// Akka's serializer for the messages between nodes: shard envelopes (with the device messages and commands in
/// them) and the answers to them, as System.Text.Json. The manifest is the message's type, accepted only from the
/// SmartStore assemblies; an abstract type or interface of ours (a command, a floor record, a device message) is
/// written with a <c>$type</c> naming the concrete type, so a command arrives as the command it was.
/// </summary>
/// <remarks>
/// Why not Akka's default (Newtonsoft.Json): it cannot rebuild the read-only lists C# collection expressions make
/// (<c>&lt;&gt;z__ReadOnlyArray</c>), so a command crossing nodes failed to deserialize and its Ask timed out.
/// Unlike the journal's catalog these bytes are never stored: both ends run the same build, so the type name is
/// a safe manifest, and nothing here needs a version.
/// </remarks>
public sealed class WireSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>Akka reserves 0–100; the journal's serializer is 7301.</summary>
    public const int Id = 7302;

    public const string Name = "smartstore-wire";

    private static readonly ConcurrentDictionary<string, Type> Types = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<Type, string> Manifests = new();

    /// <summary>What is bound to this serializer: every envelope, and each answer one node gives another.</summary>
    public static IReadOnlyList<Type> Bound { get; } =
    [
        typeof(IShardEnvelope), typeof(Delivered), typeof(VisitReply), typeof(AccountReply), typeof(FaceEnrolment),
        typeof(BinReferences), typeof(FloorView), typeof(LedgerReply), typeof(RefundReply),
        typeof(GetDebt), typeof(DebtOf), typeof(GetProjectionPosition), typeof(ProjectionPosition), typeof(StoreSessionState),
    ];

    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { WriteConcreteTypes, SkipComputedProperties } },
        AllowOutOfOrderMetadataProperties = true,
    };

    public override int Identifier => Id;

    // Asked for every message that crosses nodes: built once per type.
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return Manifests.GetOrAdd(o.GetType(), static type => $"{type.FullName}, {type.Assembly.GetName().Name}");
    }

    public override byte[] ToBinary(object obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Options);
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var type = Types.GetOrAdd(manifest, static m => Resolve(m));
        return JsonSerializer.Deserialize(bytes, type, Options) ?? throw new SerializationException($"'{manifest}': the message is empty");
    }

    /// <summary>Only our own types: a manifest naming any other type is refused, whatever sent it.</summary>
    private static Type Resolve(string manifest)
    {
        var comma = manifest.LastIndexOf(',');
        var assembly = comma < 0 ? string.Empty : manifest[(comma + 1)..].Trim();
        if (!IsOurs(assembly) || Type.GetType(manifest, throwOnError: false) is not { } type)
        {
            throw new SerializationException($"'{manifest}' is not a SmartStore message type");
        }

        return type;
    }

    private static bool IsOurs(string assemblyName) => assemblyName.StartsWith("SmartStore.", StringComparison.Ordinal);

    /// <summary>An abstract type or interface of ours is written with its concrete type, read back as that type.</summary>
    private static void WriteConcreteTypes(JsonTypeInfo info)
    {
        var type = info.Type;
        // A type that already says how it is written (the floor's records, with their short tags) keeps that.
        if (info.PolymorphismOptions is not null || !(type.IsAbstract || type.IsInterface) || type.IsGenericType || !IsOurs(type.Assembly.GetName().Name ?? string.Empty) || info.Kind != JsonTypeInfoKind.Object && !type.IsInterface)
        {
            return;
        }

        var polymorphism = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization };
        foreach (var concrete in ConcreteTypesOf(type))
        {
            polymorphism.DerivedTypes.Add(new JsonDerivedType(concrete, concrete.FullName!));
        }

        info.PolymorphismOptions = polymorphism;
    }

    /// <summary>A property that is computed from others (an envelope's <c>Payload</c>) is not sent: the constructor rebuilds it.</summary>
    private static void SkipComputedProperties(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || !IsOurs(info.Type.Assembly.GetName().Name ?? string.Empty))
        {
            return;
        }

        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (info.Properties[i] is { Set: null, AssociatedParameter: null })
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    private static IEnumerable<Type> ConcreteTypesOf(Type abstraction) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => IsOurs(a.GetName().Name ?? string.Empty))
            .SelectMany(LoadableTypes)
            .Where(t => t is { IsAbstract: false, IsInterface: false, IsGenericTypeDefinition: false } && abstraction.IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal);

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException partial)
        {
            return partial.Types.OfType<Type>();
        }
    }
}
