using Akka.Configuration;

namespace SmartStore.Node.Configuration;

/// <summary>A duration given on the command line (<c>500ms</c>, <c>5s</c>, <c>2m</c>), read as HOCON reads one.</summary>
public static class DurationArgument
{
    public static TimeSpan? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text) || !char.IsAsciiDigit(text[0]) || text.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '.'))
        {
            return null;
        }

        try
        {
            return ConfigurationFactory.ParseString($"d = {text}").GetTimeSpan("d", null, allowInfinite: false);
        }
        catch (Exception error) when (error is FormatException or OverflowException or ArgumentException)
        {
            return null;
        }
    }
}
