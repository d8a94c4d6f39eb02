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

    to.WriteLine("usage: smartstore-node run [--config cluster.hocon] [--layout PATH] [--health-every 5s] [--enrol-demo-shoppers] [--verbose]");
    to.WriteLine("       smartstore-node demo [--layout store-layouts/small-convenience.yaml] [--config cluster.hocon] [--data DIR] [--verbose]");
    return code;
}
