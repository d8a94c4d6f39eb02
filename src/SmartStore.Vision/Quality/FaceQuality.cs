using OpenCvSharp;
using SmartStore.Vision.Detection;

namespace SmartStore.Vision.Quality;

/// <summary>Why a face is not good enough to enrol or to identify someone by.</summary>
public enum QualityProblem
{
    None,
    NoFace,
    SeveralFaces,
    TooSmall,
    TooBlurred,
    NotFrontal,
    TooDark,
    PartlyOutOfView,
}

/// <summary>The measurements behind a verdict, so a refusal can say by how much it missed.</summary>
public sealed record FaceMeasures(double EyeDistance, double Sharpness, double YawRatio, double Brightness)
{
    /// <summary>How far the landmarks keep from the image's edges, in eye distances (negative: a landmark outside).</summary>
    public double EdgeMargin { get; init; } = double.PositiveInfinity;
}

/// <summary>
/// The quality gate for one face: big enough, sharp enough, frontal enough and lit well enough, each measured
/// on the face itself (eye distance in the image, the aligned face's Laplacian variance and mean brightness,
/// the nose's offset from the eyes' midline, and whether the landmarks sit inside the picture: a face cut by the
/// edge gives landmarks the detector guessed). Pure arithmetic over pixels; the limits are configuration.
/// </summary>
public static class FaceQuality
{
    public static FaceMeasures Measure(DetectedFace face, Mat alignedBgr, Size image)
    {
        ArgumentNullException.ThrowIfNull(face);
        ArgumentNullException.ThrowIfNull(alignedBgr);
        using var gray = new Mat();
        Cv2.CvtColor(alignedBgr, gray, ColorConversionCodes.BGR2GRAY);

        // The centre of the aligned face: the border the warp may have padded would look dark and sharp.
        using var centre = new Mat(gray, new Rect(24, 32, 64, 64));
        using var laplacian = new Mat();
        Cv2.Laplacian(centre, laplacian, MatType.CV_64F);
        Cv2.MeanStdDev(laplacian, out _, out var deviation);
        var brightness = Cv2.Mean(centre).Val0;
        var margin = face.Landmarks.Min(p => Math.Min(Math.Min(p.X, image.Width - 1 - p.X), Math.Min(p.Y, image.Height - 1 - p.Y)));
        return new FaceMeasures(face.EyeDistance, deviation.Val0 * deviation.Val0, face.YawRatio, brightness) { EdgeMargin = margin / Math.Max(face.EyeDistance, 1) };
    }

    public static QualityProblem Judge(FaceMeasures measures, FaceQualityLimits limits)
    {
        ArgumentNullException.ThrowIfNull(measures);
        ArgumentNullException.ThrowIfNull(limits);
        if (measures.EdgeMargin < limits.MinEdgeMargin)
        {
            return QualityProblem.PartlyOutOfView;
        }

        if (measures.EyeDistance < limits.MinEyeDistancePixels)
        {
            return QualityProblem.TooSmall;
        }

        if (measures.Brightness < limits.MinBrightness)
        {
            return QualityProblem.TooDark;
        }

        if (Math.Abs(measures.YawRatio) > limits.MaxYawRatio)
        {
            return QualityProblem.NotFrontal;
        }

        return measures.Sharpness < limits.MinSharpness ? QualityProblem.TooBlurred : QualityProblem.None;
    }

    /// <summary>The refusal a shopper or operator reads, with the figure that missed.</summary>
    public static string Describe(QualityProblem problem, FaceMeasures? measures, FaceQualityLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return problem switch
        {
            QualityProblem.None => "good",
            QualityProblem.NoFace => "no face found",
            QualityProblem.SeveralFaces => "more than one face: the photo must show only the shopper",
            QualityProblem.TooSmall => $"face too small: {measures?.EyeDistance:0} px between the eyes, at least {limits.MinEyeDistancePixels:0} needed",
            QualityProblem.TooBlurred => $"face too blurred: sharpness {measures?.Sharpness:0}, at least {limits.MinSharpness:0} needed",
            QualityProblem.NotFrontal => $"face not frontal enough: turned {measures?.YawRatio:0.00} of the eye distance, at most {limits.MaxYawRatio:0.00}",
            QualityProblem.TooDark => $"face too dark: brightness {measures?.Brightness:0} of 255, at least {limits.MinBrightness:0} needed",
            QualityProblem.PartlyOutOfView => "face partly out of view: the whole face must be in the picture",
            _ => problem.ToString(),
        };
    }
}
