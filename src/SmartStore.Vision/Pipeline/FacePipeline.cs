using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;
using SmartStore.Vision.Alignment;
using SmartStore.Vision.Detection;
using SmartStore.Vision.Embedding;
using SmartStore.Vision.Models;
using SmartStore.Vision.Quality;

namespace SmartStore.Vision.Pipeline;

/// <summary>
/// Decode → detect → align → measure → embed, for one encoded image at a time per worker. The two ONNX
/// Runtime sessions are created once (here) and shared; a semaphore sized to <see cref="VisionOptions.Workers"/>
/// bounds how many images are analysed at once, so a burst of gate frames queues instead of oversubscribing the
/// cores the store's actors also need. Nothing is kept: the image, its pixels and its faces are the caller's.
/// </summary>
public sealed class FacePipeline : IDisposable
{
    private readonly InferenceSession _detectorSession;
    private readonly InferenceSession _embedderSession;
    private readonly YuNetDetector _detector;
    private readonly FaceEmbedder _embedder;
    private readonly SemaphoreSlim _workers;

    public FacePipeline(VisionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Workers, 1);
        Options = options;
        _detectorSession = InferenceSessions.Open(options.DetectorModelPath, "face detector", options);
        try
        {
            _embedderSession = InferenceSessions.Open(options.EmbedderModelPath, "face embedder", options, options.EmbedderSha256);
            _detector = new YuNetDetector(_detectorSession);
            _embedder = new FaceEmbedder(_embedderSession);
        }
        catch
        {
            _detectorSession.Dispose();
            _embedderSession?.Dispose();
            throw;
        }

        _workers = new SemaphoreSlim(options.Workers, options.Workers);
    }

    public VisionOptions Options { get; }

    /// <summary>Length of every embedding this pipeline produces.</summary>
    public int Dimensions => _embedder.Dimensions;

    /// <summary>Analyses one JPEG or PNG; throws <see cref="VisionInputException"/> for what is not a usable image.</summary>
    public async Task<FrameAnalysis> AnalyseAsync(ReadOnlyMemory<byte> encoded, CancellationToken cancellationToken = default)
    {
        if (encoded.Length == 0)
        {
            throw new VisionInputException("the image is empty");
        }

        if (encoded.Length > Options.MaxImageBytes)
        {
            throw new VisionInputException($"the image is {encoded.Length:N0} bytes; at most {Options.MaxImageBytes:N0} are accepted");
        }

        await _workers.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Inference is CPU-bound and synchronous: run it off the caller's thread (an actor's dispatcher or a
            // request thread), one image per permit.
            return await Task.Run(() => Analyse(encoded), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _workers.Release();
        }
    }

    private FrameAnalysis Analyse(ReadOnlyMemory<byte> encoded)
    {
        using var image = Decode(encoded.Span);
        var faces = _detector.Detect(image, Options.Quality.MinDetectionScore);
        var analysed = new List<AnalysedFace>(faces.Count);
        foreach (var face in faces)
        {
            using var aligned = FaceAligner.Align(image, face);
            var measures = FaceQuality.Measure(face, aligned, image.Size());
            analysed.Add(new AnalysedFace(face, measures, FaceQuality.Judge(measures, Options.Quality), _embedder.Embed(aligned)));
        }

        return new FrameAnalysis(image.Width, image.Height, analysed);
    }

    private Mat Decode(ReadOnlySpan<byte> encoded)
    {
        if (!LooksLikeImage(encoded))
        {
            throw new VisionInputException("not a JPEG or PNG image");
        }

        if (ImageHeader.SizeOf(encoded) is var (declaredWidth, declaredHeight) && (declaredWidth > Options.MaxImageSide || declaredHeight > Options.MaxImageSide))
        {
            throw new VisionInputException($"the image declares {declaredWidth}×{declaredHeight}; sides of 16 to {Options.MaxImageSide} pixels are accepted");
        }

        Mat image;
        try
        {
            image = Cv2.ImDecode(encoded, ImreadModes.Color);
        }
        catch (OpenCVException error)
        {
            throw new VisionInputException($"the image could not be decoded: {error.Message}", error);
        }

        if (image.Empty())
        {
            image.Dispose();
            throw new VisionInputException("the image could not be decoded (truncated or corrupt)");
        }

        if (image.Width > Options.MaxImageSide || image.Height > Options.MaxImageSide || image.Width < 16 || image.Height < 16)
        {
            var (w, h) = (image.Width, image.Height);
            image.Dispose();
            throw new VisionInputException($"the image is {w}×{h}; sides of 16 to {Options.MaxImageSide} pixels are accepted");
        }

        return image;
    }

    private static bool LooksLikeImage(ReadOnlySpan<byte> bytes) =>
        (bytes.Length > 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        || (bytes.Length > 8 && bytes[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]));

    public void Dispose()
    {
        _detectorSession.Dispose();
        _embedderSession.Dispose();
        _workers.Dispose();
    }
}
