using OpenCvSharp;

namespace SmartStore.Vision.Detection;

/// <summary>
/// One face the detector found, in the image's pixels: its box, its score and five landmarks in the order
/// right eye, left eye (as seen in the image: the subject's right eye is on the image's left), nose tip,
/// right and left mouth corners.
/// </summary>
public sealed record DetectedFace(Rect2f Box, float Score, Point2f[] Landmarks)
{
    public Point2f RightEye => Landmarks[0];

    public Point2f LeftEye => Landmarks[1];

    public Point2f Nose => Landmarks[2];

    public double EyeDistance => Math.Sqrt(Math.Pow(LeftEye.X - RightEye.X, 2) + Math.Pow(LeftEye.Y - RightEye.Y, 2));

    /// <summary>
    /// How far the nose tip sits from the line through the eyes' midpoint perpendicular to them, as a fraction
    /// of the eye distance: about 0 for a frontal face, growing as the head turns (a yaw measure that needs no
    /// 3D model and does not change with roll).
    /// </summary>
    public double YawRatio
    {
        get
        {
            var (ex, ey) = (LeftEye.X - RightEye.X, LeftEye.Y - RightEye.Y);
            var length = Math.Sqrt((ex * ex) + (ey * ey));
            if (length < 1e-3)
            {
                return double.PositiveInfinity;
            }

            var (mx, my) = ((LeftEye.X + RightEye.X) / 2, (LeftEye.Y + RightEye.Y) / 2);
            var along = (((Nose.X - mx) * ex) + ((Nose.Y - my) * ey)) / length;
            return along / length;
        }
    }
}
