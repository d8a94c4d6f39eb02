using BenchmarkDotNet.Attributes;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using SmartStore.Testing;
using SmartStore.Vision;
using SmartStore.Vision.Alignment;
using SmartStore.Vision.Detection;
using SmartStore.Vision.Embedding;
using SmartStore.Vision.Models;
using SmartStore.Vision.Pipeline;

namespace SmartStore.Benchmarks.Vision;

/// <summary>
/// What one image costs, stage by stage, on one core (the sessions run single-threaded by design, so
/// 1000 / mean ms is frames per second per core): decoding, detection alone (YuNet on the decoded image),
/// alignment and embedding alone (one face), and the whole <see cref="FacePipeline.AnalyseAsync"/> (the
/// baseline, so each stage shows as its share of it). On the original portrait (obama-1, 910×1137) and on it
/// letterboxed into a 640×480 gate frame.
/// </summary>
[MemoryDiagnoser]
public class FacePipelineBenchmarks : IDisposable
{
    private FacePipeline _pipeline = null!;
    private InferenceSession _detectorSession = null!;
    private InferenceSession _embedderSession = null!;
    private YuNetDetector _detector = null!;
    private FaceEmbedder _embedder = null!;
    private byte[] _encoded = [];
    private Mat _decoded = null!;
    private DetectedFace _face = null!;
    private double _minScore;

    [Params("obama-1 910x1137", "gate 640x480")]
    public string Image { get; set; } = string.Empty;

    [GlobalSetup]
    public void Setup()
    {
        var options = new VisionOptions
        {
            DetectorModelPath = FaceData.DetectorModel,
            EmbedderModelPath = FaceData.EmbedderModel,
            EmbedderSha256 = FaceData.EmbedderSha256,
            Workers = 1,
        };
        _minScore = options.Quality.MinDetectionScore;
        _pipeline = new FacePipeline(options);
        // The stages alone, built from the same internals the pipeline builds them from (Vision grants them to
        // the benchmarks), with its session settings.
        _detectorSession = InferenceSessions.Open(options.DetectorModelPath, "face detector", options);
        _embedderSession = InferenceSessions.Open(options.EmbedderModelPath, "face embedder", options);
        _detector = new YuNetDetector(_detectorSession);
        _embedder = new FaceEmbedder(_embedderSession);

        var original = FaceData.Bytes("obama/obama-1.jpg");
        _encoded = Image.StartsWith("gate", StringComparison.Ordinal) ? GateFrame(original) : original;
        _decoded = Cv2.ImDecode(_encoded, ImreadModes.Color);
        var faces = _detector.Detect(_decoded, _minScore);
        _face = faces.Count == 1 ? faces[0] : throw new InvalidOperationException($"The benchmark photo should show one face, the detector found {faces.Count}.");
    }

    [Benchmark]
    public int Decode()
    {
        using var image = Cv2.ImDecode(_encoded, ImreadModes.Color);
        return image.Width;
    }

    [Benchmark]
    public int Detect() => _detector.Detect(_decoded, _minScore).Count;

    [Benchmark]
    public float[] AlignAndEmbed()
    {
        using var aligned = FaceAligner.Align(_decoded, _face);
        return _embedder.Embed(aligned);
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Analyse() => (await _pipeline.AnalyseAsync(_encoded)).Faces.Count;

    /// <summary>The portrait letterboxed (scaled to fit, grey bars) into 640×480 and re-encoded, as a gate camera would send it.</summary>
    private static byte[] GateFrame(byte[] photo)
    {
        using var image = Cv2.ImDecode(photo, ImreadModes.Color);
        var scale = Math.Min(640.0 / image.Width, 480.0 / image.Height);
        using var resized = new Mat();
        Cv2.Resize(image, resized, new Size((int)Math.Round(image.Width * scale), (int)Math.Round(image.Height * scale)), interpolation: InterpolationFlags.Area);
        using var frame = new Mat();
        var (left, top) = ((640 - resized.Width) / 2, (480 - resized.Height) / 2);
        Cv2.CopyMakeBorder(resized, frame, top, 480 - resized.Height - top, left, 640 - resized.Width - left, BorderTypes.Constant, Scalar.All(96));
        return frame.ImEncode(".jpg", new ImageEncodingParam(ImwriteFlags.JpegQuality, 90));
    }

    public void Dispose()
    {
        _decoded?.Dispose();
        _pipeline?.Dispose();
        _detectorSession?.Dispose();
        _embedderSession?.Dispose();
        GC.SuppressFinalize(this);
    }
}
