using SmartStore.Node.Demo;
using Spectre.Console;

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return args.FirstOrDefault() switch
{
    "demo" => await StoreDemo.RunAsync(args[1..], stop.Token),
    "kernel-demo" => await ActorDemo.RunAsync(args[1..], stop.Token),
    null or "-h" or "--help" => Usage(0),
    var other => Usage(2, $"unknown command '{other}'"),
};

static int Usage(int code, string? error = null)
{
    if (error is not null)
    {
        AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error)}");
    }

    AnsiConsole.WriteLine("usage: smartstore-node demo [--layout store-layouts/small-convenience.yaml] [--config cluster.hocon] [--data DIR] [--verbose]");
    AnsiConsole.WriteLine("       smartstore-node kernel-demo [--shelves N] [--readings N] [--config cluster.hocon]");
    return code;
}
