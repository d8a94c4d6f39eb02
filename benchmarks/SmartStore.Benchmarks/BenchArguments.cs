using System.Globalization;

namespace SmartStore.Benchmarks;

/// <summary>
/// A benchmark argument that is not what it takes. Program prints it and exits 2, as the simulator and the node
/// do for bad input: a run on a silently substituted default would publish figures for something not asked for.
/// </summary>
internal sealed class BadArgumentException(string message) : Exception(message);

/// <summary>The benchmarks' positional arguments: absent means the default, present must be valid.</summary>
internal static class BenchArguments
{
    public static int Int(string[] args, int index, string name, int byDefault, int min, int max)
    {
        if (args.Length <= index)
        {
            return byDefault;
        }

        return int.TryParse(args[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new BadArgumentException($"{name} is a whole number from {min} to {max}, not '{args[index]}'");
    }

    public static double Number(string[] args, int index, string name, double byDefault, double min, double max)
    {
        if (args.Length <= index)
        {
            return byDefault;
        }

        return double.TryParse(args[index], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new BadArgumentException($"{name} is a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, not '{args[index]}'");
    }
}
