using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace SmartStore.Persistence.Tests;

public sealed record ItemAdded(string Sku, int Quantity);

public sealed record ItemRemoved(string Sku);

/// <summary>Version 2 of a shopper's note: v1 had only "text"; v2 split out "author".</summary>
public sealed record NoteWritten(string Text, string Author);

public sealed record CartState(int Items, int Changes);

/// <summary>A type the registry knows but System.Text.Json cannot write (a cycle through object).</summary>
public sealed class Unserialisable
{
    public object? Self { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ItemAdded))]
[JsonSerializable(typeof(ItemRemoved))]
[JsonSerializable(typeof(NoteWritten))]
[JsonSerializable(typeof(CartState))]
[JsonSerializable(typeof(Unserialisable))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

internal static class TestTypes
{
    public static EventTypeRegistry Registry() => new EventTypeRegistry()
        .Register("item-added", 1, TestJsonContext.Default.ItemAdded)
        .Register("item-removed", 1, TestJsonContext.Default.ItemRemoved)
        .Register("note-written", 2, TestJsonContext.Default.NoteWritten)
        .Register("cart-state", 1, TestJsonContext.Default.CartState)
        .Register("unserialisable", 1, TestJsonContext.Default.Unserialisable)
        .AddUpcaster("note-written", 1, node => new JsonObject { ["text"] = node["text"]!.GetValue<string>(), ["author"] = "unknown" });

    public static EventData Added(string sku, int quantity = 1, params string[] tags) => Registry().Serialize(new ItemAdded(sku, quantity), tags);

    public static EventData Raw(string type, int version, string json) => new(type, version, Encoding.UTF8.GetBytes(json), []);
}
