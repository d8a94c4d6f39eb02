using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartStore.Simulator.Feeds;

/// <summary>A shopper the replay enrols before the store opens (consent included).</summary>
public sealed record TruthShopper(string Id, string Name, string FaceRef, string Token);

/// <summary>A line of the receipt the visit must get.</summary>
public sealed record TruthLine(string Sku, int Units, long UnitPrice, long Total);

/// <summary>
/// One visit as it really happened: who paid, who came along (true track ids), when they entered and left,
/// what they took (picker pays), the receipt that must follow, and the hard cases it was part of.
/// </summary>
public sealed record TruthVisit(string Key, string PayerId, int Party, IReadOnlyList<string> Tracks, long EnteredMs, long ExitedMs, IReadOnlyList<TruthLine> Lines, long Total, IReadOnlyList<string> Labels);

/// <summary>A true shelf event: who took or returned what where, with the hard-case labels it carries.</summary>
public sealed record TruthAction(long TimeMs, string Track, string? VisitKey, string Bin, string Sku, int Units, IReadOnlyList<string> Labels);

/// <summary>An identification the gate must refuse (an unknown face, a low-confidence match).</summary>
public sealed record TruthDenial(string Gate, long Ts, string Who, string Why);

/// <summary>Everything that really happened in a feed, for scoring the node's receipts against.</summary>
public sealed record GroundTruth(
    int Version,
    string Scenario,
    string Store,
    int Seed,
    IReadOnlyList<TruthShopper> Shoppers,
    IReadOnlyList<TruthVisit> Visits,
    IReadOnlyList<TruthAction> Actions,
    IReadOnlyList<TruthDenial> Denials,
    int Tailgaters,
    IReadOnlyList<string> Notes)
{
    public const int CurrentVersion = 1;

    public static async Task WriteAsync(string path, GroundTruth truth, CancellationToken cancellationToken = default)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, truth, TruthJson.Default.GroundTruth, cancellationToken);
    }

    public static async Task<GroundTruth> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new InvalidFeedException(new FeedProblem(path, 0, "no such file"));
        }

        try
        {
            await using var file = File.OpenRead(path);
            var truth = await JsonSerializer.DeserializeAsync(file, TruthJson.Default.GroundTruth, cancellationToken)
                ?? throw new InvalidFeedException(new FeedProblem(Path.GetFileName(path), 1, "empty ground truth"));
            return truth.Version == CurrentVersion
                ? truth
                : throw new InvalidFeedException(new FeedProblem(Path.GetFileName(path), 1, $"ground truth version {truth.Version}; this simulator reads version {CurrentVersion}"));
        }
        catch (JsonException exception)
        {
            throw new InvalidFeedException(new FeedProblem(Path.GetFileName(path), (int)(exception.LineNumber ?? 0) + 1, $"not valid ground truth: {exception.Message}"));
        }
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(GroundTruth))]
internal sealed partial class TruthJson : JsonSerializerContext;
