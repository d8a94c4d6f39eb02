using OpenCvSharp;
using SmartStore.Testing;
using SmartStore.Vision.Liveness;
using Xunit;

namespace SmartStore.Vision.Tests;

/// <summary>The motion liveness check on frames made from a real photo: replayed as a still, and moving.</summary>
public sealed class LivenessTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private static readonly LivenessSettings Settings = new();

    [Fact]
    public async Task A_still_replayed_as_identical_frames_is_refused()
    {
        var frame = FaceData.Bytes("biden/biden-2.jpg");
        var samples = await SamplesAsync(Enumerable.Repeat(frame, 5));
        Assert.Equal("liveness: every frame is identical (a replayed still image)", MotionLiveness.Refusal(samples, Settings));
    }

    [Fact]
    public async Task A_still_reencoded_each_time_is_refused_as_a_face_that_did_not_move()
    {
        // A printed photo held perfectly still: every frame differs in its bytes (sensor noise, re-encoding) but
        // the face does not move.
        using var image = Cv2.ImDecode(FaceData.Bytes("biden/biden-2.jpg"), ImreadModes.Color);
        var frames = Enumerable.Range(0, 4).Select(i =>
        {
            using var noisy = image.Clone();
            using var noise = new Mat(image.Size(), MatType.CV_8UC3);
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(3 + i));
            Cv2.Add(noisy, noise, noisy);
            return noisy.ImEncode(".jpg", [(int)ImwriteFlags.JpegQuality, 90 - i]);
        });
        var refusal = MotionLiveness.Refusal(await SamplesAsync(frames), Settings);
        Assert.NotNull(refusal);
        Assert.Contains("did not move", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_face_that_moves_a_little_between_frames_passes()
    {
        var samples = await SamplesAsync(MovingFrames("biden/biden-2.jpg", 4));
        Assert.Null(MotionLiveness.Refusal(samples, Settings));
    }

    [Fact]
    public async Task Too_few_frames_are_refused_and_the_check_can_be_turned_off()
    {
        var samples = await SamplesAsync(MovingFrames("biden/biden-2.jpg", 2));
        Assert.Equal("liveness: 2 frame(s) with the face, 3 needed", MotionLiveness.Refusal(samples, Settings));
        Assert.Null(MotionLiveness.Refusal(samples, Settings with { Required = false }));
    }

    [Fact]
    public void A_different_face_swapped_in_between_frames_is_refused()
    {
        Point2f[] At(float x) => [new(x, 100), new(x + 50, 100), new(x + 25, 125), new(x + 5, 150), new(x + 45, 150)];
        var samples = new[] { new LivenessSample(At(100), 1), new LivenessSample(At(101), 2), new LivenessSample(At(300), 3) };
        Assert.Contains("jumped", MotionLiveness.Refusal(samples, Settings), StringComparison.Ordinal);
    }

    /// <summary>The photo shifted and slightly rotated a little more in each frame, as a head moves walking in.</summary>
    internal static IEnumerable<byte[]> MovingFrames(string photo, int count)
    {
        using var image = Cv2.ImDecode(FaceData.Bytes(photo), ImreadModes.Color);
        for (var i = 0; i < count; i++)
        {
            using var transform = Cv2.GetRotationMatrix2D(new Point2f(image.Width / 2f, image.Height / 2f), i * 1.5, 1 + (i * 0.02));
            transform.Set(0, 2, transform.At<double>(0, 2) + (i * 6));
            using var moved = new Mat();
            Cv2.WarpAffine(image, moved, transform, image.Size(), borderMode: BorderTypes.Replicate);
            yield return moved.ImEncode(".jpg");
        }
    }

    private async Task<IReadOnlyList<LivenessSample>> SamplesAsync(IEnumerable<byte[]> frames)
    {
        var samples = new List<LivenessSample>();
        foreach (var frame in frames)
        {
            var face = (await fixture.Pipeline.AnalyseAsync(frame)).Faces.Single();
            samples.Add(new LivenessSample(face.Detection.Landmarks, LivenessSample.HashOf(frame)));
        }

        return samples;
    }
}
