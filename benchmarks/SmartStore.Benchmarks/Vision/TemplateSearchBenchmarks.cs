using BenchmarkDotNet.Attributes;
using SmartStore.Vision.Search;

namespace SmartStore.Benchmarks.Vision;

/// <summary>
/// One 1:N search (best and second best) over a gallery of random unit 512-d templates, the size the embedder
/// produces: the gallery's <see cref="TemplateIndex.Search"/> (SIMD dot per row, under its read lock) against a
/// plain scalar loop over the same numbers as the baseline. The probe is a noisy copy of one template, as a
/// returning shopper's face would be.
/// </summary>
[MemoryDiagnoser]
public class TemplateSearchBenchmarks : IDisposable
{
    private const int Dimensions = 512;
    private TemplateIndex _index = null!;
    private float[] _rows = [];
    private float[] _probe = [];

    [Params(10_000, 100_000)]
    public int Templates { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(14);
        _rows = new float[Templates * Dimensions];
        _index = new TemplateIndex(Dimensions, Templates);
        for (var row = 0; row < Templates; row++)
        {
            var template = _rows.AsSpan(row * Dimensions, Dimensions);
            Gaussian(random, template);
            _index.Upsert($"shopper-{row}", template);
        }

        _probe = new float[Dimensions];
        Gaussian(random, _probe);
        for (var i = 0; i < Dimensions; i++)
        {
            _probe[i] = (0.2f * _probe[i]) + _rows[(Templates / 2 * Dimensions) + i];
        }

        Normalise(_probe);
    }

    [Benchmark(Baseline = true)]
    public int ScalarLoop()
    {
        var (best, second) = (-1, -1);
        var (bestScore, secondScore) = (float.NegativeInfinity, float.NegativeInfinity);
        for (var row = 0; row < Templates; row++)
        {
            var offset = row * Dimensions;
            var score = 0f;
            for (var i = 0; i < Dimensions; i++)
            {
                score += _rows[offset + i] * _probe[i];
            }

            if (score > bestScore)
            {
                (second, secondScore) = (best, bestScore);
                (best, bestScore) = (row, score);
            }
            else if (score > secondScore)
            {
                (second, secondScore) = (row, score);
            }
        }

        return best + second;
    }

    [Benchmark]
    public SearchResult IndexSearch() => _index.Search(_probe);

    /// <summary>Gaussian coordinates, then unit length: a direction uniform on the sphere, like no two real faces.</summary>
    private static void Gaussian(Random random, Span<float> vector)
    {
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        Normalise(vector);
    }

    private static void Normalise(Span<float> vector)
    {
        var norm = MathF.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares<float>(vector));
        System.Numerics.Tensors.TensorPrimitives.Divide(vector, norm, vector);
    }

    public void Dispose()
    {
        _index?.Dispose();
        GC.SuppressFinalize(this);
    }
}
