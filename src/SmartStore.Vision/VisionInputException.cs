namespace SmartStore.Vision;

/// <summary>An image the pipeline refuses to look at (too big, not an image, an impossible size), with why.</summary>
public sealed class VisionInputException : Exception
{
    public VisionInputException(string message)
        : base(message)
    {
    }

    public VisionInputException()
    {
    }

    public VisionInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The vision pipeline cannot start as configured (a model missing or altered, CUDA asked for and absent).</summary>
public sealed class VisionConfigurationException : Exception
{
    public VisionConfigurationException(string message)
        : base(message)
    {
    }

    public VisionConfigurationException()
    {
    }

    public VisionConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
