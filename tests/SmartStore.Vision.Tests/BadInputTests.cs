using SmartStore.Testing;
using Xunit;

namespace SmartStore.Vision.Tests;

/// <summary>What is not a usable image is refused with a specific reason, and the pipeline keeps working.</summary>
public sealed class BadInputTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task Each_kind_of_bad_image_is_refused_with_its_reason()
    {
        var jpeg = FaceData.Bytes("obama/obama-1.jpg");
        var cases = new (byte[] Bytes, string Reason)[]
        {
            ([], "the image is empty"),
            ("not an image at all"u8.ToArray(), "not a JPEG or PNG image"),
            (jpeg[..200], "the image could not be decoded"),
            ([.. jpeg[..3], .. new byte[5000]], "the image could not be decoded"),
            (new byte[(8 * 1024 * 1024) + 1], "bytes; at most"),
        };
        foreach (var (bytes, reason) in cases)
        {
            var error = await Assert.ThrowsAsync<VisionInputException>(() => fixture.Pipeline.AnalyseAsync(bytes));
            Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        }

        Assert.Single((await fixture.Pipeline.AnalyseAsync(jpeg)).Faces);
    }

    [Fact]
    public async Task An_image_declaring_a_huge_size_is_refused_from_its_header_before_it_is_decoded()
    {
        Assert.Equal((910, 1137), Pipeline.ImageHeader.SizeOf(FaceData.Bytes("obama/obama-1.jpg")));

        // A plain JPEG (no EXIF thumbnail, whose own start-of-frame comes first) with its start-of-frame saying
        // 60,000 × 60,000: refused without decoding (which would allocate about 10 GB).
        using var image = OpenCvSharp.Cv2.ImDecode(FaceData.Bytes("obama/obama-1.jpg"), OpenCvSharp.ImreadModes.Color);
        var huge = image.ImEncode(".jpg");
        var sof = FindStartOfFrame(huge);
        huge[sof + 5] = huge[sof + 7] = 0xEA;
        huge[sof + 6] = huge[sof + 8] = 0x60;
        var error = await Assert.ThrowsAsync<VisionInputException>(() => fixture.Pipeline.AnalyseAsync(huge));
        Assert.Equal("the image declares 60000×60000; sides of 16 to 4096 pixels are accepted", error.Message);
    }

    private static int FindStartOfFrame(byte[] jpeg)
    {
        for (var i = 2; i < jpeg.Length - 1; i++)
        {
            if (jpeg[i] == 0xFF && jpeg[i + 1] is 0xC0 or 0xC2)
            {
                return i;
            }
        }

        throw new InvalidDataException("no start-of-frame marker");
    }

    [Fact]
    public void A_model_that_is_not_the_recorded_file_is_refused_by_its_hash()
    {
        var options = fixture.Options with { EmbedderSha256 = new string('0', 64) };
        var error = Assert.Throws<VisionConfigurationException>(() => new Pipeline.FacePipeline(options));
        Assert.Contains("not the recorded", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_says_how_to_get_it()
    {
        var options = fixture.Options with { EmbedderModelPath = "/nonexistent/fr_feature.onnx" };
        var error = Assert.Throws<VisionConfigurationException>(() => new Pipeline.FacePipeline(options));
        Assert.Contains("setup-models", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cuda_asked_for_without_its_libraries_fails_with_a_clear_error_instead_of_running_on_the_cpu()
    {
        var options = fixture.Options with { Provider = ExecutionProvider.Cuda };
        var error = Assert.Throws<VisionConfigurationException>(() => new Pipeline.FacePipeline(options));
        Assert.Contains("CUDA execution provider could not start", error.Message, StringComparison.Ordinal);
    }
}
