using SmartStore.WebConsole;
using SmartStore.Node.Hosting;
using Spectre.Console;

namespace SmartStore.Simulator.Replay;

/// <summary>
/// The demo's web console: the replay's node gets its read models (fed from its journal into the PostgreSQL the
/// script started) and the console on them, so an operator can watch receipts arrive and decide reviews while the
/// busy stretch plays. Disposed with the replay.
/// </summary>
public static class DemoConsole
{
    /// <summary>The node's read models in <paramref name="database"/> and the console on them (the map benchmark's too).</summary>
    public static Task<NodeConsole> OpenAsync(StoreNode node, string database, ConsoleOptions options, CancellationToken cancellationToken) =>
        NodeConsole.OpenAsync(node, database, options, cancellationToken: cancellationToken);

    internal static async Task<IAsyncDisposable> StartAsync(StoreNode node, string database, string url, CancellationToken cancellationToken)
    {
        var opened = await OpenAsync(node, database, new ConsoleOptions { Url = url }, cancellationToken);
        var console = opened.Server;
        AnsiConsole.MarkupLine($"console [blue]{Markup.Escape(console.Address.ToString())}[/]: open [blue]{Markup.Escape(new Uri(console.Address, "/setup").ToString())}[/] and create the first supervisor with the one-time setup token [bold]{Markup.Escape(console.SetupToken ?? "(none: a supervisor exists)")}[/], then sign in");
        return opened;
    }

    /// <summary>
    /// Keeps the store running (with its console) until the operator presses Enter; then the replay ends and the QA
    /// report follows. Ctrl+C stops everything at once. With no input to read (stdin closed), it runs until stopped.
    /// </summary>
    public static async Task KeepRunningAsync(CancellationToken cancellationToken)
    {
        AnsiConsole.MarkupLine("the store keeps running with its console: press [bold]Enter[/] to stop it and see the QA report (Ctrl+C stops at once)");
        try
        {
            // No input at all (stdin closed or empty): nothing will ever press Enter, so run until stopped.
            if (await System.Console.In.ReadLineAsync(cancellationToken) is null)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped at once.
        }
    }
}
