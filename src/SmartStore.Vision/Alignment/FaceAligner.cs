using OpenCvSharp;
using SmartStore.Vision.Detection;

namespace SmartStore.Vision.Alignment;

/// <summary>
/// Warps a detected face onto the standard 112×112 five-point template (the one ArcFace-style embedders were
/// trained on) with the similarity transform (rotation, uniform scale, shift) that best fits its landmarks.
/// </summary>
public static class FaceAligner
{
    public const int Side = 112;

    private static readonly Point2f[] Template =
    [
        new(38.2946f, 51.6963f),
        new(73.5318f, 51.5014f),
        new(56.0252f, 71.7366f),
        new(41.5493f, 92.3655f),
        new(70.7299f, 92.2041f),
    ];

    /// <summary>The aligned face (BGR, 112×112); the caller disposes it.</summary>
    public static Mat Align(Mat bgr, DetectedFace face)
    {
        ArgumentNullException.ThrowIfNull(bgr);
        ArgumentNullException.ThrowIfNull(face);
        using var from = InputArray.Create(face.Landmarks);
        using var to = InputArray.Create(Template);
        using var transform = Cv2.EstimateAffinePartial2D(from, to);
        var aligned = new Mat();
        if (transform is null || transform.Empty())
        {
            // Degenerate landmarks (all in one spot): no similarity fits, so fall back to the box, scaled.
            using var crop = new Mat(bgr, Clamp(face.Box, bgr.Size()));
            Cv2.Resize(crop, aligned, new Size(Side, Side));
            return aligned;
        }

        Cv2.WarpAffine(bgr, aligned, transform, new Size(Side, Side), InterpolationFlags.Linear, BorderTypes.Constant);
        return aligned;
    }

    private static Rect Clamp(Rect2f box, Size size)
    {
        var x = Math.Clamp((int)box.X, 0, size.Width - 1);
        var y = Math.Clamp((int)box.Y, 0, size.Height - 1);
        var w = Math.Clamp((int)box.Width, 1, size.Width - x);
        var h = Math.Clamp((int)box.Height, 1, size.Height - y);
        return new Rect(x, y, w, h);
    }
}
