using SmartStore.Testing;
using SmartStore.Vision;
using SmartStore.Vision.Pipeline;

namespace SmartStore.Vision.Tests;

/// <summary>One pipeline (two ONNX Runtime sessions) for a whole test class, as a node would hold it.</summary>
public sealed class PipelineFixture : IDisposable
{
    public PipelineFixture()
    {
        Options = new VisionOptions
        {
            DetectorModelPath = FaceData.DetectorModel,
            EmbedderModelPath = FaceData.EmbedderModel,
            EmbedderSha256 = FaceData.EmbedderSha256,
            Workers = 2,
        };
        Pipeline = new FacePipeline(Options);
    }

    public VisionOptions Options { get; }

    public FacePipeline Pipeline { get; }

    public Task<FrameAnalysis> AnalyseAsync(string photo) => Pipeline.AnalyseAsync(FaceData.Bytes(photo));

    public void Dispose() => Pipeline.Dispose();
}
