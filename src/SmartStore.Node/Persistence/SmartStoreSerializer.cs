using Akka.Actor;
using Akka.Serialization;

namespace SmartStore.Node.Persistence;

/// <summary>
/// Akka's serializer for everything the node stores: the manifest is the catalog's stable name and version,
/// the bytes are System.Text.Json from source generation. Bound to exactly the catalog's types, so nothing
/// else falls to it and none of them falls to a reflection-based default.
/// </summary>
public sealed class SmartStoreSerializer(ExtendedActorSystem system, EventCatalog catalog) : SerializerWithStringManifest(system)
{
    /// <summary>Akka reserves 0–100; the id is stored with every event, so it never changes.</summary>
    public const int Id = 7301;

    public const string Name = "smartstore-json";

    public override int Identifier => Id;

    public override byte[] ToBinary(object obj) => catalog.ToBytes(obj);

    public override string Manifest(object o) => catalog.ManifestOf(o);

    public override object FromBinary(byte[] bytes, string manifest) => catalog.FromBytes(bytes, manifest);
}
