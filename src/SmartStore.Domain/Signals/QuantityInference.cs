using System.Collections.Immutable;
using SmartStore.Domain.Layouts;

namespace SmartStore.Domain.Signals;

/// <summary>One explanation of a weight change: so many units of which products, and how likely it is.</summary>
public sealed record QuantityHypothesis(ImmutableSortedDictionary<string, int> Units, double ExpectedGrams, double Likelihood)
{
    public int TotalUnits => Units.Values.Sum();
}

public sealed record InferenceSettings
{
    /// <summary>A combination is within tolerance when |observed − expected| ≤ this many standard deviations.</summary>
    public double ToleranceSigmas { get; init; } = 3;

    /// <summary>Noise of the measurement itself (one standard deviation of a settled delta), grams.</summary>
    public double SensorNoiseGrams { get; init; } = 3;

    /// <summary>
    /// The cell's error in proportion to the load it measures (one standard deviation as a fraction of the
    /// expected weight): creep still under way when the change is reported, and gain error. 1.5 % covers a
    /// cell that creeps 3 % of a change with a time constant of seconds.
    /// </summary>
    public double GainErrorFraction { get; init; } = 0.015;

    /// <summary>The most units one hand can take at once.</summary>
    public int MaxUnits { get; init; } = 8;
}

/// <summary>
/// Explains a weight delta as units of the products a bin may hold. Each combination's expected weight is the
/// sum of unit weights; its spread combines the units' spreads and the sensor noise. Only combinations within
/// tolerance are returned, most likely first, with likelihoods normalised to sum to one. An empty answer means
/// nothing in the bin explains the change: the caller sends it to review instead of guessing.
/// </summary>
public static class QuantityInference
{
    /// <summary>The hypotheses conditioned on being the only possible ones: likelihoods rescaled to sum to one.</summary>
    public static ImmutableList<QuantityHypothesis> Renormalise(ImmutableList<QuantityHypothesis> hypotheses)
    {
        ArgumentNullException.ThrowIfNull(hypotheses);
        var total = hypotheses.Sum(h => h.Likelihood);
        return total <= 0 ? hypotheses : hypotheses.Select(h => h with { Likelihood = h.Likelihood / total }).ToImmutableList();
    }

    public static ImmutableList<QuantityHypothesis> Infer(double deltaGrams, IReadOnlyList<Product> candidates, InferenceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(settings);
        var grams = Math.Abs(deltaGrams);
        var products = candidates.DistinctBy(p => p.Sku).OrderBy(p => p.Sku, StringComparer.Ordinal).ToArray();
        var found = new List<(int[] Counts, double Expected, double Density)>();
        var counts = new int[products.Length];
        Enumerate(0, 0);
        if (found.Count == 0)
        {
            return [];
        }

        var total = found.Sum(f => f.Density);
        return found
            .Select(f => new QuantityHypothesis(
                products.Select((p, i) => (p.Sku, Count: f.Counts[i])).Where(x => x.Count > 0).ToImmutableSortedDictionary(x => x.Sku, x => x.Count, StringComparer.Ordinal),
                f.Expected,
                total > 0 ? f.Density / total : 1.0 / found.Count))
            .OrderByDescending(h => h.Likelihood)
            .ThenBy(h => h.TotalUnits)
            .ToImmutableList();

        void Enumerate(int index, int units)
        {
            if (index == products.Length)
            {
                if (units > 0)
                {
                    Score();
                }

                return;
            }

            for (var n = 0; units + n <= settings.MaxUnits; n++)
            {
                counts[index] = n;
                Enumerate(index + 1, units + n);
            }

            counts[index] = 0;
        }

        void Score()
        {
            double expected = 0, variance = settings.SensorNoiseGrams * settings.SensorNoiseGrams;
            for (var i = 0; i < products.Length; i++)
            {
                expected += counts[i] * products[i].Weight.Grams;
                variance += counts[i] * products[i].Weight.Spread * products[i].Weight.Spread;
            }

            variance += expected * expected * settings.GainErrorFraction * settings.GainErrorFraction;
            var sigma = Math.Sqrt(variance);
            var z = (grams - expected) / sigma;
            if (Math.Abs(z) <= settings.ToleranceSigmas)
            {
                found.Add(((int[])counts.Clone(), expected, Math.Exp(-0.5 * z * z) / sigma));
            }
        }
    }
}

/// <summary>
/// What a bin holds beyond its planned products: items put back into the wrong bin are remembered here, so a
/// later pick from this bin can be one of them (the CPS-IoT misplaced-item case).
/// </summary>
public sealed record BinStock(string BinId, ImmutableArray<string> PlannedSkus, ImmutableSortedDictionary<string, int> Misplaced)
{
    /// <summary>Grams a resting hand adds to the bin right now (see <see cref="Fusion.CartFusion"/>), and whose hand it is.</summary>
    public double Pressure { get; init; }

    public string? PressureBy { get; init; }

    public string? PressureReason { get; init; }

    public static BinStock For(Bin bin)
    {
        ArgumentNullException.ThrowIfNull(bin);
        return new BinStock(bin.Id, [.. bin.Skus], ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal));
    }

    /// <summary>The products a change on this bin may be made of.</summary>
    public IReadOnlyList<Product> Candidates(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return PlannedSkus.Concat(Misplaced.Keys).Distinct(StringComparer.Ordinal).Select(s => layout.FindProduct(s)).OfType<Product>().ToList();
    }

    /// <summary>Units put back: products that do not belong here are remembered as misplaced.</summary>
    public BinStock AfterPutBack(string sku, int units) =>
        PlannedSkus.Contains(sku) ? this : this with { Misplaced = Misplaced.SetItem(sku, Misplaced.GetValueOrDefault(sku) + units) };

    /// <summary>Units picked: a misplaced product leaves the memory when its last unit is taken.</summary>
    public BinStock AfterPick(string sku, int units)
    {
        if (!Misplaced.TryGetValue(sku, out var held))
        {
            return this;
        }

        return this with { Misplaced = held <= units ? Misplaced.Remove(sku) : Misplaced.SetItem(sku, held - units) };
    }
}
