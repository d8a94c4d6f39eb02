using SmartStore.Node.Demo;
using Spectre.Console;

return args.FirstOrDefault() switch
{
    "demo" => await ActorDemo.RunAsync(args[1..], CancellationToken.None),
    null or "-h" or "--help" => Usage(0),
    var other => Usage(2, $"unknown command '{other}'"),
};

static int Usage(int code, string? error = null)
{
    if (error is not null)
    {
        AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(error)}");
    }

    AnsiConsole.WriteLine("usage: smartstore-node demo [--shelves N] [--readings N] [--config cluster.hocon]");
    return code;
}
