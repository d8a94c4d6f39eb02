using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;
using SmartStore.Vision.Alignment;

namespace SmartStore.Vision.Embedding;

/// <summary>
/// Turns an aligned 112×112 face into an L2-normalised embedding (fr_feature.onnx: BGR, (x − 127.5) / 128,
/// planar), so that the cosine similarity of two faces is the dot product of their embeddings.
/// </summary>
public sealed class FaceEmbedder
{
    private readonly InferenceSession _session;
    private readonly string _inputName;

    // Reused input buffers (150 KB each, over the large-object threshold), one per face in flight.
    private readonly ConcurrentBag<float[]> _buffers = [];

    internal FaceEmbedder(InferenceSession session)
    {
        _session = session;
        _inputName = session.InputMetadata.Keys.First();
        var shape = session.InputMetadata[_inputName].Dimensions;
        if (shape.Length != 4 || shape[1] != 3 || shape[2] != FaceAligner.Side || shape[3] != FaceAligner.Side)
        {
            throw new VisionConfigurationException($"The embedder takes [{string.Join(',', shape)}]; this pipeline aligns faces to [1,3,112,112].");
        }

        Dimensions = session.OutputMetadata.First().Value.Dimensions[^1];
    }

    public int Dimensions { get; }

    public float[] Embed(Mat alignedBgr)
    {
        ArgumentNullException.ThrowIfNull(alignedBgr);
        const int side = FaceAligner.Side;
        const int plane = side * side;
        var buffer = _buffers.TryTake(out var reused) ? reused : new float[3 * plane];
        try
        {
            return Embed(alignedBgr, buffer);
        }
        finally
        {
            _buffers.Add(buffer);
        }
    }

    private float[] Embed(Mat alignedBgr, float[] buffer)
    {
        const int side = FaceAligner.Side;
        const int plane = side * side;
        var input = new DenseTensor<float>(buffer, [1, 3, side, side]);
        var span = input.Buffer.Span;
        var pixels = alignedBgr.AsRows<Vec3b>();
        for (var y = 0; y < side; y++)
        {
            var line = pixels[y];
            for (var x = 0; x < side; x++)
            {
                var pixel = line[x];
                var at = (y * side) + x;
                span[at] = (pixel.Item0 - 127.5f) / 128f;
                span[plane + at] = (pixel.Item1 - 127.5f) / 128f;
                span[(2 * plane) + at] = (pixel.Item2 - 127.5f) / 128f;
            }
        }

        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)]);
        var embedding = results[0].AsEnumerable<float>().ToArray();
        return Normalise(embedding);
    }

    /// <summary>Scales a vector to unit length in place (a zero vector stays zero) and returns it.</summary>
    public static float[] Normalise(float[] vector)
    {
        ArgumentNullException.ThrowIfNull(vector);
        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    /// <summary>The template of several photos: the normalised mean of their normalised embeddings.</summary>
    public static float[] MeanTemplate(IReadOnlyList<float[]> embeddings)
    {
        ArgumentNullException.ThrowIfNull(embeddings);
        if (embeddings.Count == 0)
        {
            throw new ArgumentException("A template needs at least one embedding.", nameof(embeddings));
        }

        var sum = new float[embeddings[0].Length];
        foreach (var embedding in embeddings)
        {
            TensorPrimitives.Add(sum, embedding, sum);
        }

        return Normalise(sum);
    }
}
