namespace SmartStore.Simulator.Tests;

/// <summary>
/// What the command under test prints, kept for the assertions: standard output and Spectre.Console's output in
/// <see cref="Out"/>, standard error in <see cref="Error"/>, both restored on dispose. The classes that use it share
/// the <c>console</c> collection, since the console is one per process.
/// </summary>
internal sealed class CapturedConsole : IDisposable
{
    private readonly StringWriter _out = new();
    private readonly StringWriter _error = new();
    private readonly TextWriter _originalOut = Console.Out;
    private readonly TextWriter _originalError = Console.Error;

    public CapturedConsole(int? width = null)
    {
        Console.SetOut(_out);
        Console.SetError(_error);
        Spectre.Console.AnsiConsole.Console = Spectre.Console.AnsiConsole.Create(new Spectre.Console.AnsiConsoleSettings { Out = new Spectre.Console.AnsiConsoleOutput(_out), Interactive = Spectre.Console.InteractionSupport.No, Ansi = Spectre.Console.AnsiSupport.No });
        if (width is { } columns)
        {
            Spectre.Console.AnsiConsole.Console.Profile.Width = columns;
        }
    }

    public string Out => _out.ToString();

    public string Error => _error.ToString();

    /// <summary>Everything printed: the output, then the errors.</summary>
    public string Printed => Out + Error;

    public void Dispose()
    {
        Console.SetOut(_originalOut);
        Console.SetError(_originalError);
        _out.Dispose();
        _error.Dispose();
    }
}
