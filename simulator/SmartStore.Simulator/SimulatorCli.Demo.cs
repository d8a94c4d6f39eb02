using System.CommandLine;
using System.Globalization;
using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;
using Spectre.Console;

namespace SmartStore.Simulator;

// The demo command (what ./smartstore demo runs): the busy stretch through a node with its web console.
internal static partial class SimulatorCli
{
    private static Command DemoCommand()
    {
        var scenario = new Option<string>("--scenario") { Description = "The preset to play.", DefaultValueFactory = _ => "busy-small" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where the feed and the report go.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("artifacts", "demo")) };
        // Ten times real time: the busy stretch takes half a minute, slow enough to watch the console keep up.
        var speed = SpeedOption("10");
        var consoleDb = new Option<string?>("--console-db") { Description = "PostgreSQL for the console's read models (./smartstore demo starts one and sets SMARTSTORE_CONSOLE_DB); without it, no console.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SMARTSTORE_CONSOLE_DB") };
        var consoleUrl = new Option<string>("--console-url") { Description = "Where the console listens.", DefaultValueFactory = _ => "http://127.0.0.1:5080" };
        // The embedded broker by default: the main job goes through MQTT as a real store's devices do, with nothing
        // to install; inproc skips the broker.
        var transport = new Option<string>("--transport") { Description = "How the devices reach the node: through a broker in this process (embedded, MQTTnet), or in-process calls (inproc).", DefaultValueFactory = _ => "embedded" };
        transport.AcceptOnlyFromAmong("embedded", "inproc");
        var keepRunning = new Option<bool>("--keep-running") { Description = "After the feed, keep the store and its console running until Enter is pressed, then print the QA report." };
        var command = new Command("demo", "Generate a busy scenario for the small store, replay it through a node with its web console, print the summary and the report's path.") { scenario, output, speed, transport, consoleDb, consoleUrl, keepRunning };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (await ScenarioWithLayoutAsync(result.GetValue(scenario)!, cancellationToken) is not var (spec, store))
            {
                return 2;
            }

            AnsiConsole.Write(new Rule($"[bold]SmartStore QA demo: {Markup.Escape(spec.Name)}[/]").LeftJustified());
            AnsiConsole.MarkupLine(Markup.Escape(spec.Description));
            var directory = result.GetValue(output)!;
            var (feedPath, truthPath, generated) = await GenerateAsync(spec, store, 42, null, directory, compress: true, cancellationToken);
            // The counts of the feed just generated, not the preset's: its hard-case episodes bring visits of
            // their own on top of the ordinary traffic, so the summary's count is larger than the preset's.
            var visits = generated.Truth.Visits.Count;
            var inEpisodes = visits - spec.Traffic.Visits;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"[bold]{visits} visits[/]{(inEpisodes > 0 ? $" ({spec.Traffic.Visits} ordinary, {inEpisodes} in the hard-case episodes)" : string.Empty)} · {generated.Messages.Count:N0} device messages · {(generated.Header.EndMs - generated.Header.StartMs) / 1000.0:N0} s of store time"));
            var database = result.GetValue(consoleDb);
            if (string.IsNullOrWhiteSpace(database))
            {
                AnsiConsole.MarkupLine("[grey]console: off (no PostgreSQL for its read models; ./smartstore demo starts one)[/]");
            }

            var options = new ReplayOptions
            {
                Speed = ParseSpeed(result.GetValue(speed)!),
                EmbeddedBroker = result.GetValue(transport) == "embedded",
                Attach = string.IsNullOrWhiteSpace(database) ? null : (node, token) => DemoConsole.StartAsync(node, database, result.GetValue(consoleUrl)!, token),
                BeforeStop = result.GetValue(keepRunning) ? DemoConsole.KeepRunningAsync : null,
            };
            var report = await ReplayAndReportAsync(feedPath, truthPath, null, options, BadLinePolicy.Reject, directory, new Thresholds(), cancellationToken);
            return report is null ? 2 : 0;
        });
        return command;
    }
}
