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
