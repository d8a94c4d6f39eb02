using System.CommandLine;
using SmartStore.Simulator.Replay;
using Spectre.Console;

namespace SmartStore.Simulator;

internal static partial class SimulatorCli
{
    /// <summary>The environment variable that can hold the console API token, so it stays out of shell history.</summary>
    private const string ApiTokenVariable = "SMARTSTORE_API_TOKEN";

    private static Command PlayCommand()
    {
        var feed = new Option<FileInfo>("--feed") { Description = "A feed file (.feed.jsonl or .feed.jsonl.gz).", Required = true };
        var truth = new Option<FileInfo?>("--truth") { Description = "Its ground truth, for the feed's shoppers (default: next to the feed, .truth.json)." };
        var broker = new Option<string>("--broker") { Description = "host:port of the broker the running store listens on.", Required = true };
        var console = new Option<string>("--console") { Description = "The running store's console, such as http://127.0.0.1:5080 (its API enrols the feed's shoppers).", Required = true };
        var token = new Option<string?>("--token") { Description = $"An API token an operator or supervisor was issued on the console's Users page (default: ${ApiTokenVariable})." };
        var speed = SpeedOption("realtime");
        var command = new Command("play", "Play a feed's device messages into a store that is already running (smartstore-node run with --console): its shoppers are enrolled through the console's API, device times start now, sequence numbers and tracks are renumbered for this play.") { feed, truth, broker, console, token, speed };
        command.Validators.Add(r =>
        {
            if (r.GetValue(broker) is { } given && !MqttReplay.TryParseBroker(given, out _, out _))
            {
                r.AddError($"--broker must be host:port with a port between 1 and 65535, got '{given}'.");
            }

            if (r.GetValue(console) is { } address && !(Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                r.AddError($"--console must be the console's http(s) address, such as http://127.0.0.1:5080, got '{address}'.");
            }

            if (string.IsNullOrWhiteSpace(r.GetValue(token)) && string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(ApiTokenVariable)))
            {
                r.AddError($"an API token is needed: --token or ${ApiTokenVariable} (a supervisor issues one on the console's Users page).");
            }
        });
        command.SetAction(async (result, cancellationToken) =>
        {
            var feedFile = result.GetValue(feed)!;
            var options = new PlayOptions(
                feedFile.FullName,
                (result.GetValue(truth) ?? new FileInfo(TruthPathFor(feedFile.FullName))).FullName,
                result.GetValue(broker)!,
                new Uri(result.GetValue(console)!),
                result.GetValue(token) is { Length: > 0 } given ? given : Environment.GetEnvironmentVariable(ApiTokenVariable)!,
                ParseSpeed(result.GetValue(speed)!));
            try
            {
                PlayOutcome outcome = null!;
                await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).StartAsync(async progress =>
                {
                    ProgressTask? bar = null;
                    outcome = await FeedPlayer.PlayAsync(
                        options,
                        line => AnsiConsole.MarkupLine(Markup.Escape(line)),
                        (done, total) => (bar ??= progress.AddTask("devices → broker", maxValue: total)).Value = done,
                        cancellationToken);
                });
                AnsiConsole.MarkupLine($"played into [blue]{Markup.Escape(outcome.StoreId)}[/]: {outcome.Published:N0} messages published{(outcome.Skipped > 0 ? $", {outcome.Skipped:N0} gate-camera frames skipped (binary: not rebased)" : string.Empty)}; tracks tagged [blue]~{Markup.Escape(outcome.RunTag)}[/]. Receipts and reviews appear in the console and in the node's output.");
                return 0;
            }
            catch (PlayException exception)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(exception.Message)}");
                return exception.BadInput ? 2 : 1;
            }
            catch (Exception exception) when (exception is HttpRequestException or Messaging.Transport.MqttException or System.Text.Json.JsonException
                or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                // The console or the broker failed half-way (gone, timed out, an answer that is not JSON).
                AnsiConsole.MarkupLine($"[red]error:[/] the play stopped: {Markup.Escape(exception.Message)}");
                return 1;
            }
        });
        return command;
    }
}
