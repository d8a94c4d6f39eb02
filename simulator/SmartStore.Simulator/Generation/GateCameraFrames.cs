using OpenCvSharp;
using SmartStore.Messaging.Protocol;

namespace SmartStore.Simulator.Generation;

/// <summary>
/// What a gate's face camera sends while someone stands at the gate, made from a still photo: the photo scaled
/// to the camera's 960-pixel frame, then moved a little more in each frame (8 pixels across, a turn of 1.5° and
/// 3 % closer per frame, as a head does walking up to the gate at 5 frames a second) with the camera's sensor noise; or the same frame again and
/// again (a still replayed at the camera: what liveness must refuse).
/// </summary>
public static class GateCameraFrames
{
    public const int FrameSide = 960;

    /// <summary>Frames of a person walking up to the gate (JPEG, quality 90).</summary>
    public static IReadOnlyList<byte[]> Walking(ReadOnlySpan<byte> photo, int count, int seed)
    {
        using var frame = Framed(photo);
        var random = new Random(seed);
        var frames = new List<byte[]>(count);
        for (var i = 0; i < count; i++)
        {
            var angle = (i * 1.5) + ((random.NextDouble() - 0.5) * 1.0);
            var scale = 1 + (i * 0.03);
            using var transform = Cv2.GetRotationMatrix2D(new Point2f(frame.Width / 2f, frame.Height / 2f), angle, scale);
            transform.Set(0, 2, transform.At<double>(0, 2) + (i * 8) + random.Next(-3, 4));
            transform.Set(1, 2, transform.At<double>(1, 2) + random.Next(-2, 3));
            using var moved = new Mat();
            Cv2.WarpAffine(frame, moved, transform, frame.Size(), InterpolationFlags.Linear, BorderTypes.Replicate);
            using var noise = new Mat(moved.Size(), MatType.CV_8UC3);
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(4));
            Cv2.Add(moved, noise, moved);
            frames.Add(moved.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 90]));
        }

        return frames;
    }

    /// <summary>One frame sent <paramref name="count"/> times, byte for byte: a still replayed to the camera.</summary>
    public static IReadOnlyList<byte[]> Still(ReadOnlySpan<byte> photo, int count)
    {
        using var frame = Framed(photo);
        var bytes = frame.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 90]);
        return [.. Enumerable.Repeat(bytes, count)];
    }

    /// <summary>The frames as the camera publishes them: framed with their header (see <see cref="GateFrameCodec"/>).</summary>
    public static IReadOnlyList<byte[]> Publish(string gate, long firstSeq, long startMs, long intervalMs, IReadOnlyList<byte[]> frames, int? party = null) =>
        [.. frames.Select((image, i) => GateFrameCodec.Write(new GateFrameHeader(GateFrameCodec.SchemaVersion, gate, firstSeq + i, startMs + (i * intervalMs), party), image))];

    private static Mat Framed(ReadOnlySpan<byte> photo)
    {
        using var image = Cv2.ImDecode(photo, ImreadModes.Color);
        if (image.Empty())
        {
            throw new ArgumentException("The photo could not be decoded.", nameof(photo));
        }

        var scale = Math.Min(1.0, (double)FrameSide / Math.Max(image.Width, image.Height));
        var frame = new Mat();
        Cv2.Resize(image, frame, new Size(Math.Max(1, (int)(image.Width * scale)), Math.Max(1, (int)(image.Height * scale))), interpolation: InterpolationFlags.Area);
        return frame;
    }
}
