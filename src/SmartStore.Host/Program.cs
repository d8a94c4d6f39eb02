using System.Runtime.InteropServices;
using SmartStore.Node.Demo;
using Microsoft.Extensions.Logging;
using SmartStore.Node.Hosting;
using SmartStore.WebConsole;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // A log file or a service manager: whole lines, no colour codes.
    AnsiConsole.Profile.Width = 250;
    AnsiConsole.Profile.Capabilities.Ansi = false;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

// A service manager stops with SIGTERM: stop as gracefully as on Ctrl-C (store and acknowledge what was received).
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    stop.Cancel();
});

return args.FirstOrDefault() switch
{
    "run" => await RunCommand.RunAsync(args[1..], stop.Token, StartConsoleAsync),
    "demo" => await StoreDemo.RunAsync(args[1..], stop.Token),
    null or "-h" or "--help" => Usage(0),
    var other => Usage(Refusal.ExitCode, $"unknown command '{other}'"),
};

static int Usage(int code, string? error = null)
{
    // Asked for, the usage is the output; after a mistake it goes with the error to stderr.
    var to = error is null ? Console.Out : Console.Error;
    if (error is not null)
    {
        to.WriteLine($"error: {error}");
    }

    to.WriteLine(RunCommand.Usage);
    to.WriteLine("       smartstore-node demo [--layout store-layouts/small-convenience.yaml] [--config cluster.hocon] [--data DIR] [--verbose]");
    return code;
}

// The console beside the store: its read models in PostgreSQL, fed from the node's journal.
static async Task<(IAsyncDisposable Console, string Banner)> StartConsoleAsync(StoreNode node, string url, string readModels, ILoggerFactory loggers, CancellationToken cancellationToken)
{
    var console = await NodeConsole.OpenAsync(node, readModels, new ConsoleOptions { Url = url }, loggers, cancellationToken);
    var address = console.Server.Address;
    var setup = console.Server.SetupToken is { } token
        ? $": open [blue]{Markup.Escape(new Uri(address, "/setup").ToString())}[/] and create the first supervisor with the one-time setup token [bold]{Markup.Escape(token)}[/]"
        : " (sign in; supervisors issue API tokens on /users)";
    return (console, $"console [blue]{Markup.Escape(address.ToString())}[/]{setup}");
}
