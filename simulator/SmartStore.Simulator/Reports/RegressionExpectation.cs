using System.Text.Json;
using System.Text.Json.Serialization;

namespace SmartStore.Simulator.Reports;

/// <summary>What one visit of a recorded regression scenario must come out as.</summary>
public sealed record ExpectedVisit(string Key, string Outcome, string Decided);

/// <summary>
/// The checked-in expectation of a regression scenario: every visit's outcome and receipt as the node decided them
/// when the scenario was recorded (and reviewed). A replay that decides any visit differently fails the suite.
/// </summary>
public sealed record RegressionExpectation(string Scenario, int Visits, int Exact, int Review, int WrongCharges, IReadOnlyList<ExpectedVisit> PerVisit)
{
    public static RegressionExpectation From(ScoreReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new RegressionExpectation(report.Scenario, report.Visits, report.Exact, report.Review, report.WrongCharges, [.. report.PerVisit.Select(v => new ExpectedVisit(v.Key, v.Outcome, v.Decided))]);
    }

    /// <summary>The differences between this expectation and a new replay's report (none: it passes).</summary>
    public IReadOnlyList<string> Compare(ScoreReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var actual = From(report);
        var differences = new List<string>();
        var now = actual.PerVisit.ToDictionary(v => v.Key, StringComparer.Ordinal);
        foreach (var expected in PerVisit)
        {
            if (!now.TryGetValue(expected.Key, out var got))
            {
                differences.Add($"{expected.Key}: missing from the replay");
            }
            else if (got != expected)
            {
                differences.Add($"{expected.Key}: expected {expected.Outcome} [{expected.Decided}], got {got.Outcome} [{got.Decided}]");
            }
        }

        differences.AddRange(actual.PerVisit.Where(v => PerVisit.All(e => e.Key != v.Key)).Select(v => $"{v.Key}: not in the expectation"));
        return differences;
    }

    public async Task WriteAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, this, RegressionJson.Default.RegressionExpectation, cancellationToken);
    }

    public static async Task<RegressionExpectation> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, RegressionJson.Default.RegressionExpectation, cancellationToken) ?? throw new InvalidDataException($"{path}: empty expectation");
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(RegressionExpectation))]
internal sealed partial class RegressionJson : JsonSerializerContext;
