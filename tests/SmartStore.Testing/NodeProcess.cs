using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace SmartStore.Testing;

/// <summary>
/// The built node executable as a real process (<c>dotnet smartstore-node.dll</c> from the test's output folder,
/// where a project reference to <c>src/SmartStore.Host</c> puts it), its output kept line by line. Every process
/// started is remembered, so a failed test can kill what it left running (<see cref="KillAll"/>).
/// </summary>
public sealed class NodeProcess
{
    private static readonly ConcurrentBag<Process> Started = [];
    private readonly Process _process;
    private readonly TimeSpan _patience;
    private readonly ConcurrentQueue<string> _output = new();

    private NodeProcess(Process process, TimeSpan patience)
    {
        _process = process;
        _patience = patience;
        Started.Add(process);
        process.OutputDataReceived += (_, e) => Keep(e.Data);
        process.ErrorDataReceived += (_, e) => Keep(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Everything it printed so far, standard output and errors as they came.</summary>
    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    /// <summary>Starts the node with these arguments; <paramref name="patience"/> bounds every wait on it (default 90 s).</summary>
    public static NodeProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? patience = null) =>
        new(Process.Start(Info(arguments, environment))!, patience ?? TimeSpan.FromSeconds(90));

    /// <summary>Runs the node until it exits by itself (a refusal, a usage error) and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(TimeSpan patience, IEnumerable<string> arguments)
    {
        var node = new NodeProcess(Process.Start(Info(arguments, null))!, patience);
        using var timeout = new CancellationTokenSource(patience);
        await node._process.WaitForExitAsync(timeout.Token);
        return (node._process.ExitCode, node.Output);
    }

    /// <summary>Waits until the node has printed a line that matches <paramref name="pattern"/>, and returns the match.</summary>
    public async Task<Match> WaitForLineAsync(string pattern)
    {
        using var timeout = new CancellationTokenSource(_patience);
        while (true)
        {
            if (_output.Select(line => Regex.Match(line, pattern)).FirstOrDefault(m => m.Success) is { } match)
            {
                return match;
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the node exited with {_process.ExitCode} before printing /{pattern}/:\n{Output}");
            }

            try
            {
                await Task.Delay(50, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"the node never printed /{pattern}/ within {_patience.TotalSeconds:0} s:\n{Output}");
            }
        }
    }

    public static void KillAll()
    {
        foreach (var process in Started.Where(p => !p.HasExited))
        {
            process.Kill();
        }
    }

    /// <summary>As a crash: SIGKILL, no chance to store or acknowledge anything more.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit();
    }

    /// <summary>As a service manager: SIGTERM, and the exit code of the graceful stop.</summary>
    public async Task<int> StopAsync()
    {
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(_patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
            throw new TimeoutException($"the node did not stop within {_patience.TotalSeconds:0} s of SIGTERM; its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    private static ProcessStartInfo Info(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "smartstore-node.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
            StandardOutputEncoding = Encoding.UTF8,
        };

        // Whole lines in the output the tests read; the read models only where a test names them.
        info.Environment["COLUMNS"] = "400";
        info.Environment.Remove("SMARTSTORE_READ_MODELS");
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return info;
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
