using System.Security.Cryptography;
using Microsoft.ML.OnnxRuntime;

namespace SmartStore.Vision.Models;

/// <summary>
/// Creates the pipeline's ONNX Runtime sessions, once per process: each is thread-safe and shared by every
/// worker. Denormals are flushed to zero (the embedder produces them, and they made it 7× slower here), and
/// each call runs on its caller's thread so the worker pool, not ONNX Runtime, decides how many cores are busy.
/// </summary>
internal static class InferenceSessions
{
    public static InferenceSession Open(string path, string role, VisionOptions options, string? expectedSha256 = null)
    {
        if (string.IsNullOrWhiteSpace(path) || !File.Exists(path))
        {
            throw new VisionConfigurationException($"The {role} model is not at '{path}'. Run './smartstore setup-models' or configure its path.");
        }

        if (expectedSha256 is not null)
        {
            var actual = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
            if (!string.Equals(actual, expectedSha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new VisionConfigurationException($"The {role} model at '{path}' has SHA-256 {actual}, not the recorded {expectedSha256}: it is not the file set-up fetched.");
            }
        }

        var session = new SessionOptions
        {
            IntraOpNumThreads = 1,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        try
        {
            session.AddSessionConfigEntry("session.set_denormal_as_zero", "1");
            if (options.Provider == ExecutionProvider.Cuda)
            {
                AppendCuda(session, options.CudaDeviceId);
            }

            return new InferenceSession(path, session);
        }
        catch (OnnxRuntimeException error)
        {
            throw new VisionConfigurationException($"The {role} model at '{path}' could not be loaded: {error.Message}", error);
        }
        finally
        {
            session.Dispose();
        }
    }

    private static void AppendCuda(SessionOptions session, int deviceId)
    {
        try
        {
            session.AppendExecutionProvider_CUDA(deviceId);
        }
        catch (Exception error) when (error is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException)
        {
            // ONNX Runtime lists CUDA as available whether or not its libraries and a GPU are present, and does not
            // fall back by itself: say plainly what is missing instead of running on the CPU behind the operator's back.
            throw new VisionConfigurationException(
                $"Vision is configured for CUDA (device {deviceId}) but the CUDA execution provider could not start: {error.Message}. " +
                "Install the Microsoft.ML.OnnxRuntime.Gpu build with CUDA 12 and cuDNN 9 on a machine with an NVIDIA GPU, or set the provider to Cpu.",
                error);
        }
    }
}
