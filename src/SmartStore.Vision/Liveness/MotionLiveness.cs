using System.Buffers.Binary;
using System.Security.Cryptography;
using OpenCvSharp;

namespace SmartStore.Vision.Liveness;

/// <summary>One frame's face as liveness sees it: its five landmarks and the frame's content hash.</summary>
public sealed record LivenessSample(Point2f[] Landmarks, ulong FrameHash)
{
    /// <summary>A frame's content hash (the first 8 bytes of its SHA-256): equal only for identical frames.</summary>
    public static ulong HashOf(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(frame));
}

/// <summary>What liveness asks of a burst of gate frames; <see cref="Required"/> false turns the check off.</summary>
public sealed record LivenessSettings
{
    public bool Required { get; init; } = true;

    /// <summary>Frames with the same face the gate must see before it decides.</summary>
    public int MinFrames { get; init; } = 3;

    /// <summary>The face must move at least this much (mean landmark shift, in eye distances) somewhere in the burst.</summary>
    public double MinMotion { get; init; } = 0.02;

    /// <summary>...and never jump more than this between frames (a different face swapped in).</summary>
    public double MaxJump { get; init; } = 0.8;

    /// <summary>The eye distance may change by at most this factor across the burst (walking closer, not a new face).</summary>
    public double MaxScaleChange { get; init; } = 1.5;
}

/// <summary>
/// A presentation-attack check over several frames of one face: the frames must differ (a still replayed as
/// identical frames is refused), the face must move naturally (some landmark motion, measured against its own
/// size) and consistently (no jumps, no sudden change of size). It stops a replayed still and a photo held
/// motionless; it does <b>not</b> stop a printed photo moved by hand, a video replay or a mask, which a depth
/// sensor or a trained liveness model would be needed for. It is a configurable requirement of face entry.
/// </summary>
public static class MotionLiveness
{
    public static string? Refusal(IReadOnlyList<LivenessSample> samples, LivenessSettings settings)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Required)
        {
            return null;
        }

        if (samples.Count < settings.MinFrames)
        {
            return $"liveness: {samples.Count} frame(s) with the face, {settings.MinFrames} needed";
        }

        if (samples.Select(s => s.FrameHash).Distinct().Count() == 1)
        {
            return "liveness: every frame is identical (a replayed still image)";
        }

        var maxMotion = 0.0;
        var (minEyes, maxEyes) = (double.MaxValue, 0.0);
        for (var i = 0; i < samples.Count; i++)
        {
            var eyes = EyeDistance(samples[i].Landmarks);
            (minEyes, maxEyes) = (Math.Min(minEyes, eyes), Math.Max(maxEyes, eyes));
            if (i == 0)
            {
                continue;
            }

            var shift = MeanShift(samples[i - 1].Landmarks, samples[i].Landmarks) / Math.Max(eyes, 1);
            if (shift > settings.MaxJump)
            {
                return $"liveness: the face jumped {shift:0.00} eye distances between frames (not one face moving)";
            }

            maxMotion = Math.Max(maxMotion, MeanShift(samples[0].Landmarks, samples[i].Landmarks) / Math.Max(eyes, 1));
        }

        if (minEyes <= 0 || maxEyes / minEyes > settings.MaxScaleChange)
        {
            return $"liveness: the face changed size by {maxEyes / Math.Max(minEyes, 1e-6):0.00}× within the burst";
        }

        return maxMotion < settings.MinMotion
            ? $"liveness: the face did not move ({maxMotion:0.000} eye distances, at least {settings.MinMotion:0.000}); a photo held still"
            : null;
    }

    private static double EyeDistance(Point2f[] landmarks) => Distance(landmarks[0], landmarks[1]);

    private static double MeanShift(Point2f[] a, Point2f[] b) => a.Zip(b, Distance).Average();

    private static double Distance(Point2f a, Point2f b) => Math.Sqrt(Math.Pow(a.X - b.X, 2) + Math.Pow(a.Y - b.Y, 2));
}
