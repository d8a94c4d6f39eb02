namespace SmartStore.Node.Hosting;

/// <summary>
/// How the node's commands refuse to start on bad input (arguments, configuration, layout): the reason on stderr,
/// so a service manager's log and a shell keep it apart from the node's own output, and exit code 2, the code the
/// simulator gives bad input too (1 is a run that started and then failed).
/// </summary>
internal static class Refusal
{
    public const int ExitCode = 2;

    public static int Print(string what, string reason)
    {
        Console.Error.WriteLine($"{what}: {reason}");
        return ExitCode;
    }
}
