using System.Collections.Concurrent;
using System.Numerics.Tensors;
using SmartStore.Vision;
using SmartStore.Vision.Accuracy;
using SmartStore.Vision.Pipeline;
using SmartStore.Vision.Quality;

namespace SmartStore.Simulator.Faces;

/// <summary>
/// What one image of the list gave: the embedding of its best face (highest detector score), or why there is
/// none. <see cref="Quality"/> is what the gate's quality check says of that face: the pair is still scored
/// (this measures the matcher), but the gate itself would refuse such a frame.
/// </summary>
internal sealed record ImageOutcome(string Name, float[]? Embedding, int Faces, QualityProblem Quality, string? Problem);

/// <summary>The report over the scorable rows, each pair's similarity, and what could not be used.</summary>
internal sealed record FaceAccuracyResult(
    PairReport Report,
    IReadOnlyList<ScoredPair> Pairs,
    IReadOnlyList<PairListProblem> BadRows,
    IReadOnlyList<ImageOutcome> Images)
{
    public IEnumerable<ImageOutcome> WithoutFace => Images.Where(i => i.Embedding is null);

    public double? MinGenuine => Pairs.Where(p => p.Same && p.Similarity is not null).Select(p => p.Similarity).Min();

    public double? MaxImpostor => Pairs.Where(p => !p.Same && p.Similarity is not null).Select(p => p.Similarity).Max();
}

/// <summary>
/// Scores a labelled pair list with the real face pipeline: each distinct image is analysed once (a list of
/// n images has up to n² pairs, and analysing is the expensive part), in parallel up to the pipeline's workers;
/// a pair's similarity is the dot product of its two unit embeddings; <see cref="PairScoring"/> does the rest.
/// </summary>
internal static class FaceAccuracy
{
    public static async Task<FaceAccuracyResult> ScoreAsync(PairListContent list, FacePipeline pipeline, double threshold, Action<int>? analysed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(pipeline);
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in list.Pairs)
        {
            names.TryAdd(pair.FileX, pair.NameX);
            names.TryAdd(pair.FileY, pair.NameY);
        }

        var outcomes = new ConcurrentDictionary<string, ImageOutcome>(StringComparer.Ordinal);
        var done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = pipeline.Options.Workers, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(names, parallel, async (image, token) =>
        {
            outcomes[image.Key] = await AnalyseAsync(pipeline, image.Key, image.Value, token);
            analysed?.Invoke(Interlocked.Increment(ref done));
        });

        var scored = list.Pairs.Select(p => new ScoredPair(p.NameX, p.NameY, p.Same, Similarity(outcomes[p.FileX], outcomes[p.FileY]))).ToList();
        var images = names.Keys.Select(k => outcomes[k]).ToList();
        return new FaceAccuracyResult(PairScoring.Report(scored, threshold), scored, list.Problems, images);
    }

    private static async Task<ImageOutcome> AnalyseAsync(FacePipeline pipeline, string path, string name, CancellationToken cancellationToken)
    {
        try
        {
            var analysis = await pipeline.AnalyseAsync(await File.ReadAllBytesAsync(path, cancellationToken), cancellationToken);
            // Faces come best detection first: the one the detector is surest of is the subject.
            return analysis.Faces.Count == 0
                ? new ImageOutcome(name, null, 0, QualityProblem.NoFace, "no face found")
                : new ImageOutcome(name, analysis.Faces[0].Embedding, analysis.Faces.Count, analysis.Faces[0].Problem, null);
        }
        catch (Exception error) when (error is VisionInputException or IOException or UnauthorizedAccessException)
        {
            return new ImageOutcome(name, null, 0, QualityProblem.NoFace, $"not readable: {error.Message}");
        }
    }

    private static double? Similarity(ImageOutcome x, ImageOutcome y) =>
        x.Embedding is { } a && y.Embedding is { } b ? TensorPrimitives.Dot(a, b) : null;
}
