namespace SmartStore.Vision.Search;

/// <summary>The identification rule's two numbers: both are configuration, chosen from a measured ROC.</summary>
public sealed record MatchSettings
{
    /// <summary>The cosine similarity the best template must reach.</summary>
    public double Threshold { get; init; } = 0.40;

    /// <summary>How far the best must lead the second best, so two look-alikes never resolve by a hair.</summary>
    public double Margin { get; init; } = 0.08;
}

/// <summary>Who a face is, or why nobody: the best match cleared the threshold and led the next by the margin.</summary>
public sealed record MatchVerdict(string? ShopperId, double Similarity, string? Refusal)
{
    public bool Recognised => ShopperId is not null;
}

public static class MatchDecision
{
    public static MatchVerdict Decide(SearchResult result, MatchSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (result.Best is not { } best)
        {
            return new MatchVerdict(null, 0, "face not recognised: use the app code");
        }

        if (best.Similarity < settings.Threshold)
        {
            return new MatchVerdict(null, best.Similarity, "face not recognised: use the app code");
        }

        if (result.Second is { } second && best.Similarity - second.Similarity < settings.Margin)
        {
            return new MatchVerdict(null, best.Similarity, "face matches more than one shopper too closely: use the app code");
        }

        return new MatchVerdict(best.Id, best.Similarity, null);
    }
}
