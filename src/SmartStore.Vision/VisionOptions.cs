namespace SmartStore.Vision;

/// <summary>Where inference runs.</summary>
public enum ExecutionProvider
{
    /// <summary>ONNX Runtime's CPU provider (the default, and what every test uses).</summary>
    Cpu,

    /// <summary>The CUDA provider (needs the Microsoft.ML.OnnxRuntime.Gpu package's libraries and a GPU).</summary>
    Cuda,
}

/// <summary>
/// The face pipeline's configuration: the two model files, where inference runs, how much runs at once, and the
/// quality gate's limits. Every limit is configuration; the defaults were chosen on <c>../shared/data/faces</c>
/// (see the README's "Quality gate" table).
/// </summary>
public sealed record VisionOptions
{
    /// <summary>YuNet (2021 export, 320×320 input, loc/conf/iou outputs): a path the operator configures.</summary>
    public required string DetectorModelPath { get; init; }

    /// <summary>The 112×112 → 512-d embedding network (fr_feature.onnx from npm, fetched at set-up).</summary>
    public required string EmbedderModelPath { get; init; }

    /// <summary>The embedder's SHA-256 as recorded at set-up (null skips the check: an operator's own model).</summary>
    public string? EmbedderSha256 { get; init; }

    public ExecutionProvider Provider { get; init; } = ExecutionProvider.Cpu;

    /// <summary>CUDA device id when <see cref="Provider"/> is CUDA.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>Images analysed at once; each uses one core (inference is single-threaded per call).</summary>
    public int Workers { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>Largest encoded image accepted (bytes); anything bigger is refused before decoding.</summary>
    public int MaxImageBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Largest decoded side accepted (pixels).</summary>
    public int MaxImageSide { get; init; } = 4096;

    public FaceQualityLimits Quality { get; init; } = new();
}

/// <summary>What a face must be like to enrol or to identify someone.</summary>
public sealed record FaceQualityLimits
{
    /// <summary>Detector score (softmaxed class × IoU, square-rooted) a face needs to count as a face.</summary>
    public double MinDetectionScore { get; init; } = 0.75;

    /// <summary>Distance between the eyes in pixels: below this the face is too small to identify.</summary>
    public double MinEyeDistancePixels { get; init; } = 24;

    /// <summary>Variance of the Laplacian of the aligned 112×112 face: below this it is too blurred.</summary>
    public double MinSharpness { get; init; } = 25;

    /// <summary>How far the nose sits from the eyes' midline, as a fraction of the eye distance (a yaw measure).</summary>
    public double MaxYawRatio { get; init; } = 0.35;

    /// <summary>Mean brightness (0..255) of the aligned face: below this it is too dark.</summary>
    public double MinBrightness { get; init; } = 45;

    /// <summary>Landmarks closer to the image's edge than this many eye distances: the face is cut off.</summary>
    public double MinEdgeMargin { get; init; } = 0.15;
}
