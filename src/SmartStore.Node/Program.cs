using System.Runtime.InteropServices;
using SmartStore.Node.Demo;
using SmartStore.Node.Hosting;
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
    "run" => await RunCommand.RunAsync(args[1..], stop.Token),
    "demo" => await StoreDemo.RunAsync(args[1..], stop.Token),
    null or "-h" or "--help" => Usage(0),
    var other => Usage(2, $"unknown command '{other}'"),
};

static int Usage(int code, string? error = null)
{
    if (error is not null)
    {
        AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error)}");
    }

    AnsiConsole.WriteLine("usage: smartstore-node run [--config cluster.hocon] [--layout PATH] [--health-every 5s] [--enrol-demo-shoppers] [--verbose]");
    AnsiConsole.WriteLine("       smartstore-node demo [--layout store-layouts/small-convenience.yaml] [--config cluster.hocon] [--data DIR] [--verbose]");
    return code;
}
