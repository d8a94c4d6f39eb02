using System.Diagnostics;

namespace SmartStore.Testing;

/// <summary>What a command-line program did: its exit code and everything it wrote (standard output, then errors).</summary>
public sealed record ToolRun(string Program, int ExitCode, string Output)
{
    public ToolRun EnsureSuccess() => ExitCode == 0 ? this : throw new InvalidOperationException($"{Program} exited with {ExitCode}: {Output}");
}

/// <summary>Runs the real command-line clients and tools the tests and load runs use (mosquitto_pub, openssl, …).</summary>
public static class CommandLineTool
{
    /// <param name="input">Written to the program's standard input, which is then closed (null: no input).</param>
    public static async Task<ToolRun> RunAsync(string program, IEnumerable<string> arguments, string? input = null, CancellationToken cancellationToken = default)
    {
        using var process = Process.Start(new ProcessStartInfo(program, arguments) { RedirectStandardInput = input is not null, RedirectStandardOutput = true, RedirectStandardError = true })
            ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), cancellationToken);
            process.StandardInput.Close();
        }

        await process.WaitForExitAsync(cancellationToken);
        return new ToolRun(program, process.ExitCode, await output + await errors);
    }
}
