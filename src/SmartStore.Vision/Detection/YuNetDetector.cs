using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace SmartStore.Vision.Detection;

/// <summary>
/// Finds faces with YuNet (the 2021 export: one 1×3×320×320 BGR input, outputs <c>loc</c> (box and five
/// landmarks as offsets from an anchor), <c>conf</c> (two raw logits) and <c>iou</c>). OpenCV 4.13's
/// FaceDetectorYN expects the later export and refuses this file, so the anchors are decoded here. The image is
/// letterboxed (scaled to fit, padded right and below) so faces keep their shape.
/// </summary>
public sealed class YuNetDetector
{
    public const int InputSide = 320;
    private static readonly int[][] MinSizes = [[10, 16, 24], [32, 48], [64, 96], [128, 192, 256]];
    private static readonly int[] Steps = [8, 16, 32, 64];
    private const float CentreVariance = 0.1f;
    private const float SizeVariance = 0.2f;
    private const float NmsOverlap = 0.3f;
    private const int MaxFaces = 50;

    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly Anchor[] _anchors = BuildAnchors();

    // One 1.2 MB input buffer per image in flight, reused: a new one per frame lands on the large-object heap
    // and made every third detection wait for a full collection (measured in the Vision benchmarks).
    private readonly ConcurrentBag<float[]> _buffers = [];

    internal YuNetDetector(InferenceSession session)
    {
        _session = session;
        _inputName = session.InputMetadata.Keys.First();
        var shape = session.InputMetadata[_inputName].Dimensions;
        if (shape.Length != 4 || shape[1] != 3 || shape[2] != InputSide || shape[3] != InputSide)
        {
            throw new VisionConfigurationException($"The detector takes [{string.Join(',', shape)}]; YuNet 320 takes [1,3,{InputSide},{InputSide}].");
        }

        foreach (var output in new[] { "loc", "conf", "iou" })
        {
            if (!session.OutputMetadata.ContainsKey(output))
            {
                throw new VisionConfigurationException($"The detector has no '{output}' output: it is not the 2021 YuNet export this decoder reads.");
            }
        }
    }

    /// <summary>Every face scoring at least <paramref name="minScore"/>, best first, overlaps suppressed.</summary>
    public IReadOnlyList<DetectedFace> Detect(Mat bgr, double minScore)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        var scale = Math.Min((float)InputSide / bgr.Width, (float)InputSide / bgr.Height);
        var buffer = _buffers.TryTake(out var reused) ? reused : new float[3 * InputSide * InputSide];
        try
        {
            Array.Clear(buffer);
            var input = new DenseTensor<float>(buffer, [1, 3, InputSide, InputSide]);
            using (var resized = new Mat())
            {
                var (w, h) = (Math.Max(1, (int)Math.Round(bgr.Width * scale)), Math.Max(1, (int)Math.Round(bgr.Height * scale)));
                Cv2.Resize(bgr, resized, new Size(w, h), interpolation: InterpolationFlags.Linear);
                Fill(input, resized);
            }

            return Run(input, minScore, scale);
        }
        finally
        {
            _buffers.Add(buffer);
        }
    }

    private List<DetectedFace> Run(DenseTensor<float> input, double minScore, float scale)
    {
        using var results = _session.Run([NamedOnnxValue.CreateFromTensor(_inputName, input)]);
        // Read flat: the export's outputs are [1, anchors, k] or [anchors, k] depending on the tool that made it.
        var loc = Flat(results, "loc", 14);
        var conf = Flat(results, "conf", 2);
        var iou = Flat(results, "iou", 1);

        var candidates = new List<DetectedFace>();
        for (var i = 0; i < _anchors.Length; i++)
        {
            var face = Logistic(conf[(2 * i) + 1] - conf[2 * i]);
            var score = (float)Math.Sqrt(face * Math.Clamp(iou[i], 0f, 1f));
            if (score < minScore)
            {
                continue;
            }

            candidates.Add(Decode(i, loc, score, scale));
        }

        return Suppress(candidates);
    }

    private ReadOnlySpan<float> Flat(IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results, string name, int perAnchor)
    {
        var tensor = results.First(r => r.Name == name).AsTensor<float>();
        if (tensor is not DenseTensor<float> dense || dense.Length != (long)_anchors.Length * perAnchor)
        {
            throw new VisionConfigurationException($"The detector's '{name}' output is [{string.Join(',', tensor.Dimensions.ToArray())}]; YuNet 320 gives {_anchors.Length}×{perAnchor}.");
        }

        return dense.Buffer.Span;
    }

    private DetectedFace Decode(int anchor, ReadOnlySpan<float> loc, float score, float scale)
    {
        var a = _anchors[anchor];
        var i = anchor * 14;
        var cx = a.X + (loc[i] * CentreVariance * a.Size);
        var cy = a.Y + (loc[i + 1] * CentreVariance * a.Size);
        var w = a.Size * MathF.Exp(loc[i + 2] * SizeVariance);
        var h = a.Size * MathF.Exp(loc[i + 3] * SizeVariance);
        var landmarks = new Point2f[5];
        for (var k = 0; k < 5; k++)
        {
            landmarks[k] = new Point2f(
                (a.X + (loc[i + 4 + (2 * k)] * CentreVariance * a.Size)) / scale,
                (a.Y + (loc[i + 5 + (2 * k)] * CentreVariance * a.Size)) / scale);
        }

        return new DetectedFace(new Rect2f((cx - (w / 2)) / scale, (cy - (h / 2)) / scale, w / scale, h / scale), score, landmarks);
    }

    private static List<DetectedFace> Suppress(List<DetectedFace> candidates)
    {
        candidates.Sort((x, y) => y.Score.CompareTo(x.Score));
        var kept = new List<DetectedFace>();
        foreach (var candidate in candidates)
        {
            if (kept.Count == MaxFaces)
            {
                break;
            }

            if (kept.TrueForAll(k => Overlap(k.Box, candidate.Box) < NmsOverlap))
            {
                kept.Add(candidate);
            }
        }

        return kept;
    }

    private static float Overlap(Rect2f a, Rect2f b)
    {
        var w = Math.Min(a.Right, b.Right) - Math.Max(a.Left, b.Left);
        var h = Math.Min(a.Bottom, b.Bottom) - Math.Max(a.Top, b.Top);
        if (w <= 0 || h <= 0)
        {
            return 0;
        }

        var inter = w * h;
        return inter / ((a.Width * a.Height) + (b.Width * b.Height) - inter);
    }

    private static float Logistic(float x) => 1f / (1f + MathF.Exp(-x));

    /// <summary>BGR bytes into the planar float input, unnormalised (YuNet was trained on raw 0..255); padding stays 0.</summary>
    private static void Fill(DenseTensor<float> input, Mat resized)
    {
        var span = input.Buffer.Span;
        var plane = InputSide * InputSide;
        var (rows, cols) = (resized.Rows, resized.Cols);
        var pixels = resized.AsRows<Vec3b>();
        for (var y = 0; y < rows; y++)
        {
            var line = pixels[y];
            for (var x = 0; x < cols; x++)
            {
                var pixel = line[x];
                var at = (y * InputSide) + x;
                span[at] = pixel.Item0;
                span[plane + at] = pixel.Item1;
                span[(2 * plane) + at] = pixel.Item2;
            }
        }
    }

    /// <summary>The anchors in the network's output order: per level, row by row, each cell's sizes in turn.</summary>
    private static Anchor[] BuildAnchors()
    {
        var anchors = new List<Anchor>();
        for (var level = 0; level < Steps.Length; level++)
        {
            var step = Steps[level];
            var cells = (int)Math.Ceiling((double)InputSide / step);
            for (var row = 0; row < cells; row++)
            {
                for (var col = 0; col < cells; col++)
                {
                    foreach (var size in MinSizes[level])
                    {
                        anchors.Add(new Anchor((col + 0.5f) * step, (row + 0.5f) * step, size));
                    }
                }
            }
        }

        return [.. anchors];
    }

    private readonly record struct Anchor(float X, float Y, float Size);
}
