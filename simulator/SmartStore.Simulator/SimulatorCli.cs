using System.CommandLine;
using System.CommandLine.Invocation;
using System.Globalization;
using SmartStore.Domain.Layouts;
using SmartStore.Simulator.Faces;
using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Simulator.Reports;
using Spectre.Console;

namespace SmartStore.Simulator;

/// <summary>
/// <c>smartstore-sim</c>: <c>list-scenarios</c>, <c>generate</c>, <c>replay</c>, <c>report</c> and <c>demo</c>.
/// Bad arguments and unreadable files end with a specific message and exit code 2; thresholds that are not met
/// end with exit code 1, so a CI job can gate a release on a replay.
/// </summary>
internal static partial class SimulatorCli
{
    public static async Task<int> RunAsync(string[] args)
    {
        var root = new RootCommand("SmartStore QA: generate store feeds, replay them through a real node, score the receipts against ground truth.")
        {
            ListCommand(),
            GenerateCommand(),
            ReplayCommand(),
            PlayCommand(),
            ReportCommand(),
            DemoCommand(),
            RecordCommand(),
            FaceCommands.Create(),
            FaceEntryCommand.Create(),
        };
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction refusal)
        {
            // System.CommandLine ends a parse error with exit code 1, which this tool keeps for a threshold not
            // met: a CI job must tell "this build is worse" from "this job is miswritten". The errors alone go to
            // stderr (with its typo corrections), not buried under the whole usage.
            refusal.ShowHelp = false;
            refusal.Invoke(parsed);
            await Console.Error.WriteLineAsync($"See '{HelpPath(parsed.CommandResult)} --help'.");
            return 2;
        }

        return await parsed.InvokeAsync();
    }

    private static string HelpPath(System.CommandLine.Parsing.CommandResult command) =>
        command.Parent is System.CommandLine.Parsing.CommandResult parent ? $"{HelpPath(parent)} {command.Command.Name}" : "smartstore-sim";

    private static Command ListCommand()
    {
        var command = new Command("list-scenarios", "The preset scenarios and what each one plays.");
        command.SetAction(_ =>
        {
            var table = new Table().AddColumns("scenario", "store", "what happens");
            foreach (var spec in Scenarios.Presets)
            {
                table.AddRow(spec.Name, spec.Layout, Markup.Escape(spec.Description));
            }

            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command GenerateCommand()
    {
        var scenario = new Option<string>("--scenario") { Description = "A preset (see list-scenarios).", Required = true };
        scenario.Validators.Add(r =>
        {
            var name = r.GetValueOrDefault<string>();
            if (name is not null && Scenarios.Find(name) is null)
            {
                r.AddError($"Unknown scenario '{name}'. Known: {string.Join(", ", Scenarios.Presets.Select(p => p.Name))}.");
            }
        });
        var seed = new Option<int>("--seed") { Description = "Same seed, same files (byte for byte).", DefaultValueFactory = _ => 42 };
        var visits = new Option<int?>("--visits") { Description = "Override the preset's number of ordinary visits." };
        visits.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 0 or > 100_000)
            {
                r.AddError("--visits must be between 0 and 100000.");
            }
        });
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write the feed and its ground truth.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("artifacts", "feeds")) };
        var compress = new Option<bool>("--gzip") { Description = "Write the feed gzip-compressed (.feed.jsonl.gz)." };
        var layout = LayoutOption();
        var command = new Command("generate", "Generate a feed (device messages as the network delivers them) and its ground truth.") { scenario, seed, visits, output, compress, layout };
        command.SetAction(async (result, cancellationToken) =>
        {
            var spec = Scenarios.Find(result.GetValue(scenario)!)!;
            var store = await LoadLayoutFileAsync(result.GetValue(layout)?.FullName ?? spec.Layout, cancellationToken);
            if (store is null)
            {
                return 2;
            }

            var (feedPath, truthPath, generated) = await GenerateAsync(spec, store, result.GetValue(seed), result.GetValue(visits), result.GetValue(output)!, result.GetValue(compress), cancellationToken);
            AnsiConsole.MarkupLine($"[green]{generated.Messages.Count:N0}[/] messages, {generated.Truth.Visits.Count} visits, {(generated.Header.EndMs - generated.Header.StartMs) / 1000.0:N0} s of store time");
            AnsiConsole.MarkupLine($"feed  [blue]{Markup.Escape(feedPath)}[/]\ntruth [blue]{Markup.Escape(truthPath)}[/]");
            return 0;
        });
        return command;
    }

    private static Command ReplayCommand()
    {
        var feed = new Option<FileInfo>("--feed") { Description = "A feed file (.feed.jsonl or .feed.jsonl.gz).", Required = true };
        var truth = new Option<FileInfo?>("--truth") { Description = "Its ground truth (default: next to the feed, .truth.json)." };
        var speed = SpeedOption();
        var journal = new Option<string>("--journal") { Description = "'sqlite' (a fresh temporary file) or a PostgreSQL connection string (Host=…).", DefaultValueFactory = _ => "sqlite" };
        journal.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (value is not null && value != "sqlite" && !value.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
            {
                r.AddError($"--journal must be 'sqlite' or a PostgreSQL connection string starting with Host=, not '{value}'.");
            }
        });
        var badLines = new Option<string>("--bad-lines") { Description = "What to do with unreadable feed lines.", DefaultValueFactory = _ => "skip" };
        badLines.AcceptOnlyFromAmong("skip", "reject");
        var transport = new Option<string>("--transport") { Description = "How the feed reaches the node: in-process; published to an MQTT broker as the devices would (mqtt, with --broker); or through a broker of the replay's own (embedded, MQTTnet in this process).", DefaultValueFactory = _ => "inproc" };
        transport.AcceptOnlyFromAmong("inproc", "mqtt", "embedded");
        var broker = new Option<string?>("--broker") { Description = "host:port of the MQTT broker (with --transport mqtt)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write outcome.json, report.json and report.html.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("artifacts", "reports")) };
        var layout = LayoutOption();
        var thresholds = ThresholdOptions();
        var command = new Command("replay", "Replay a feed through a real node in-process and score it against its ground truth.") { feed, truth, speed, journal, badLines, transport, broker, output, layout };
        command.Validators.Add(r =>
        {
            // The raw word: a transport that is not one of the choices is reported by the option itself, and
            // reading its value here would throw.
            var overMqtt = r.GetResult(transport) is { Tokens.Count: > 0 } given && given.Tokens[0].Value == "mqtt";
            if (overMqtt && string.IsNullOrWhiteSpace(r.GetValue(broker)))
            {
                r.AddError("--transport mqtt needs --broker host:port.");
            }
            else if (overMqtt && !MqttReplay.TryParseBroker(r.GetValue(broker)!, out _, out _))
            {
                r.AddError($"--broker must be host:port with a port between 1 and 65535, got '{r.GetValue(broker)}'.");
            }
            else if (!overMqtt && r.GetValue(broker) is not null)
            {
                r.AddError("--broker only goes with --transport mqtt.");
            }
        });
        foreach (var option in thresholds.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            var feedFile = result.GetValue(feed)!;
            var truthFile = result.GetValue(truth) ?? new FileInfo(TruthPathFor(feedFile.FullName));
            var options = new ReplayOptions { Journal = result.GetValue(journal)!, Speed = ParseSpeed(result.GetValue(speed)!), Broker = result.GetValue(transport) == "mqtt" ? result.GetValue(broker) : null, EmbeddedBroker = result.GetValue(transport) == "embedded" };
            var report = await ReplayAndReportAsync(feedFile.FullName, truthFile.FullName, result.GetValue(layout)?.FullName, options, result.GetValue(badLines) == "reject" ? BadLinePolicy.Reject : BadLinePolicy.Skip, result.GetValue(output)!, thresholds.Read(result), cancellationToken);
            return report is null ? 2 : report.Passed ? 0 : 1;
        });
        return command;
    }

    private static Command ReportCommand()
    {
        var outcome = new Option<FileInfo>("--outcome") { Description = "The outcome.json a replay wrote.", Required = true };
        var truth = new Option<FileInfo>("--truth") { Description = "The feed's ground truth.", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Where to write report.json and report.html.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("artifacts", "reports")) };
        var thresholds = ThresholdOptions();
        var command = new Command("report", "Score a recorded replay outcome against ground truth again (for example with other thresholds).") { outcome, truth, output };
        foreach (var option in thresholds.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (result, cancellationToken) =>
        {
            try
            {
                var replayed = await ReportFiles.ReadOutcomeAsync(result.GetValue(outcome)!.FullName, cancellationToken);
                var groundTruth = await GroundTruth.ReadAsync(result.GetValue(truth)!.FullName, cancellationToken);
                var report = Scoring.Score(groundTruth, replayed, thresholds.Read(result));
                await WriteReportAsync(report, null, result.GetValue(output)!, cancellationToken);
                return report.Passed ? 0 : 1;
            }
            catch (Exception exception) when (exception is InvalidFeedException or IOException or System.Text.Json.JsonException or InvalidDataException)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {Markup.Escape(exception.Message)}");
                return 2;
            }
        });
        return command;
    }

    private static Command RecordCommand()
    {
        var scenario = new Option<string>("--scenario") { Description = "The preset to record.", Required = true };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 42 };
        var visits = new Option<int?>("--visits") { Description = "Ordinary visits (keep regression scenarios small)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "The regression folder.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("simulator", "regression")) };
        var command = new Command("record-regression", "Generate a small scenario, replay it, and write its feed, truth and expected outcome into the regression suite (review the expectation before committing it).") { scenario, seed, visits, output };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (await ScenarioWithLayoutAsync(result.GetValue(scenario)!, cancellationToken) is not var (spec, store))
            {
                return 2;
            }

            var directory = result.GetValue(output)!;
            var (feedPath, truthPath, _) = await GenerateAsync(spec, store, result.GetValue(seed), result.GetValue(visits), directory, compress: true, cancellationToken);
            var report = await ReplayAndReportAsync(feedPath, truthPath, null, new ReplayOptions(), BadLinePolicy.Reject, new DirectoryInfo(Path.Combine(Path.GetTempPath(), "smartstore-regression-report")), new Thresholds(), cancellationToken);
            if (report is null)
            {
                return 2;
            }

            var expected = feedPath.Replace(".feed.jsonl.gz", ".expected.json", StringComparison.Ordinal);
            await RegressionExpectation.From(report).WriteAsync(expected, cancellationToken);
            AnsiConsole.MarkupLine($"expectation [blue]{Markup.Escape(expected)}[/]");
            return 0;
        });
        return command;
    }

    /// <summary>A preset and its store layout, or null after saying which one is missing.</summary>
    private static async Task<(ScenarioSpec Spec, LayoutFile Layout)?> ScenarioWithLayoutAsync(string name, CancellationToken cancellationToken)
    {
        if (Scenarios.Find(name) is not { } spec)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] unknown scenario '{Markup.Escape(name)}'");
            return null;
        }

        return await LoadLayoutFileAsync(spec.Layout, cancellationToken) is { } layout ? (spec, layout) : null;
    }

    private static async Task<(string Feed, string Truth, GeneratedFeed Generated)> GenerateAsync(ScenarioSpec spec, LayoutFile layout, int seed, int? visits, DirectoryInfo output, bool compress, CancellationToken cancellationToken)
    {
        GeneratedFeed generated = null!;
        await AnsiConsole.Status().StartAsync($"generating {spec.Name} (seed {seed})", _ =>
        {
            generated = Scenarios.Generate(spec, layout.Layout, seed, visits);
            return Task.CompletedTask;
        });
        generated = generated with { Header = generated.Header with { Layout = layout.Name, LayoutDefinition = layout.Text } };
        output.Create();
        var baseName = Path.Combine(output.FullName, $"{spec.Name}-{seed}");
        var feedPath = baseName + (compress ? ".feed.jsonl.gz" : ".feed.jsonl");
        var truthPath = baseName + ".truth.json";
        await FeedFile.WriteAsync(feedPath, generated.Header, generated.Messages, cancellationToken);
        await GroundTruth.WriteAsync(truthPath, generated.Truth, cancellationToken);
        return (feedPath, truthPath, generated);
    }

    private static async Task<ScoreReport?> ReplayAndReportAsync(string feedPath, string truthPath, string? layoutPath, ReplayOptions options, BadLinePolicy policy, DirectoryInfo output, Thresholds thresholds, CancellationToken cancellationToken)
    {
        FeedHeader header;
        List<FeedMessage> messages;
        GroundTruth truth;
        var problems = new List<FeedProblem>();
        try
        {
            (header, messages) = await FeedFile.ReadAsync(feedPath, policy, problems, cancellationToken);
            truth = await GroundTruth.ReadAsync(truthPath, cancellationToken);
        }
        catch (InvalidFeedException exception)
        {
            AnsiConsole.MarkupLine($"[red]cannot replay:[/] {Markup.Escape(exception.Problem.ToString())}");
            return null;
        }

        foreach (var problem in problems.Take(20))
        {
            AnsiConsole.MarkupLine($"[yellow]skipped[/] {Markup.Escape(problem.ToString())}");
        }

        if (problems.Count > 20)
        {
            AnsiConsole.MarkupLine($"[yellow]… and {problems.Count - 20} more unreadable lines skipped[/]");
        }

        var layout = layoutPath is null && header.LayoutDefinition is { } definition
            ? ParseLayout(definition, $"{header.Layout} (as recorded in {Path.GetFileName(feedPath)})")
            : await LoadLayoutAsync(layoutPath ?? header.Layout, cancellationToken);
        if (layout is null)
        {
            return null;
        }

        if (layout.StoreId != header.Store)
        {
            AnsiConsole.MarkupLine($"[red]cannot replay:[/] the feed is for store '{Markup.Escape(header.Store)}', the layout is '{Markup.Escape(layout.StoreId)}'");
            return null;
        }

        ReplayOutcome outcome = null!;
        var speed = (options.Speed == 0 ? "as fast as possible" : options.Speed == 1 ? "in real time" : $"at {options.Speed}× real time") + (options.EmbeddedBroker ? " over MQTT (embedded broker)" : options.Broker is null ? string.Empty : $" over MQTT ({options.Broker})");
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).StartAsync(async progress =>
        {
            var task = progress.AddTask($"{header.Scenario}: {messages.Count:N0} messages {speed} → node ({(options.Journal == "sqlite" ? "SQLite" : "PostgreSQL")})", maxValue: messages.Count);
            outcome = await ReplayRunner.RunAsync(header, messages, truth, layout, options, sent => task.Value = sent, cancellationToken);
            task.Value = messages.Count;
        });

        var report = Scoring.Score(truth, outcome, thresholds);
        await WriteReportAsync(report, outcome, output, cancellationToken);
        return report;
    }

    private static async Task WriteReportAsync(ScoreReport report, ReplayOutcome? outcome, DirectoryInfo output, CancellationToken cancellationToken)
    {
        output.Create();
        if (outcome is not null)
        {
            await ReportFiles.WriteOutcomeAsync(Path.Combine(output.FullName, "outcome.json"), outcome, cancellationToken);
        }

        var json = Path.Combine(output.FullName, "report.json");
        var html = Path.Combine(output.FullName, "report.html");
        await ReportFiles.WriteJsonAsync(json, report, cancellationToken);
        await ReportFiles.WriteHtmlAsync(html, report, cancellationToken);
        PrintSummary(report);
        AnsiConsole.MarkupLine($"report [blue]{Markup.Escape(html)}[/] (JSON: {Markup.Escape(json)})");
    }

    private static void PrintSummary(ScoreReport report)
    {
        var chart = new BarChart().Width(72).Label($"[bold]{Markup.Escape(report.Scenario)}: {report.Visits} visits[/]")
            .AddItem("exact", report.Exact, Color.Green)
            .AddItem("wrong charge", report.WrongCharges, Color.Red)
            .AddItem("review", report.Review, Color.Yellow)
            .AddItem("not settled", report.NotSettled, Color.Grey);
        AnsiConsole.Write(chart);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"exact receipts [bold]{report.ExactReceiptRate:P1}[/] · item F1 [bold]{report.ItemF1:P1}[/] (P {report.ItemPrecision:P1}, R {report.ItemRecall:P1}) · wrong charges [bold]{report.WrongChargeRate:P2}[/] · review [bold]{report.ReviewRate:P1}[/]"));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"{report.Messages:N0} messages in {report.WallSeconds:0.00} s = [bold]{report.MessagesPerSecond:N0}/s[/] · accepted {report.Accepted:N0}, duplicates {report.Duplicates:N0}, late {report.Late:N0}, rejected {report.Rejected:N0}"));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"walk-out → receipt beyond the bound p50 {report.ReceiptBeyondBoundMs.P50:0} ms, p99 {report.ReceiptBeyondBoundMs.P99:0} ms · entry decision p50 {report.EntryDecisionMs.P50:0} ms, p99 {report.EntryDecisionMs.P99:0} ms · denied {report.Denied}/{report.ExpectedDenials} · tailgating alerts {report.TailgatingAlerts}/{report.ExpectedTailgaters}"));
        foreach (var failure in report.Failures)
        {
            AnsiConsole.MarkupLine($"[red]threshold not met:[/] {Markup.Escape(failure)}");
        }
    }
}
