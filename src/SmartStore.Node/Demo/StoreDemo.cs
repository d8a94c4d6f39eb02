using Microsoft.Extensions.Logging;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Configuration;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Payments;
using SmartStore.Node.Health;
using SmartStore.Node.Persistence;
using Spectre.Console;

namespace SmartStore.Node.Demo;

/// <summary>
/// <c>smartstore-node demo</c>: runs one store on the embedded defaults (a SQLite journal in a fresh directory,
/// the in-process transport, a payment provider simulator that fails now and then) and feeds it the built-in
/// scripted morning; prints the receipts, checks them against the script, and prints the node's health.
/// </summary>
internal static class StoreDemo
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (!TryParse(args, out var layoutPath, out var configPath, out var dataDirectory, out var verbose, out var error))
        {
            return Refusal.Print("error", error);
        }

        StoreLayout layout;
        NodeSettings settings;
        try
        {
            layout = LayoutReader.Parse(await File.ReadAllTextAsync(layoutPath, cancellationToken), layoutPath);
            settings = await NodeSettings.LoadOrDefaultsAsync(configPath, cancellationToken);
        }
        catch (Exception exception) when (exception is InvalidLayoutException or ConfigurationException or IOException)
        {
            return Refusal.Print("cannot start", exception.Message);
        }

        dataDirectory ??= Directory.CreateTempSubdirectory("smartstore-demo-").FullName;
        Directory.CreateDirectory(dataDirectory);
        var journalPath = Path.Combine(dataDirectory, "journal.db");
        using var loggers = LoggerFactory.Create(b => b
            .AddSimpleConsole(o => o.SingleLine = true)
            .SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Error));

        AnsiConsole.Write(new Rule($"[bold]SmartStore: {Markup.Escape(layout.Name)}[/]").LeftJustified());
        AnsiConsole.MarkupLine($"Layout [blue]{Markup.Escape(layoutPath)}[/] · journal [blue]{Markup.Escape(journalPath)}[/] (SQLite) · in-process transport · simulated payment provider (20 % transient failures, 10 % lost answers)");

        var psp = new SimulatedPsp(new PspSimulation { TransientFailureRate = 0.2, LostAnswerRate = 0.1, Latency = TimeSpan.FromMilliseconds(5) });
        var gateway = new ResilientGateway(psp, new RetrySettings { FirstDelay = TimeSpan.FromMilliseconds(20), MaxAttempts = 8 });
        var transport = new InProcessTransport();
        var options = settings.ToOptions(layout) with { Journal = JournalSettings.SqliteFile(journalPath) };
        await using var node = await StoreNode.StartAsync(options, gateway, transport, loggers, cancellationToken);
        transport.Connect(node);

        var start = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        var scenario = DemoScenario.Build(layout, start);
        foreach (var shopper in scenario.Shoppers)
        {
            await node.EnrolAsync(shopper.ShopperId, shopper.Name, shopper.FaceTemplateRef, shopper.PaymentToken, DateTimeOffset.UtcNow, cancellationToken);
        }

        AnsiConsole.MarkupLine($"Enrolled {scenario.Shoppers.Count} shoppers (with consent). Feeding [bold]{scenario.Messages.Count:N0}[/] device messages ({Markup.Escape(scenario.Name)}) plus two bad ones.");
        ReplayResult replay = null!;
        await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var task = progress.AddTask("devices → node", maxValue: scenario.Messages.Count);
            replay = await FeedReplay.SendAsync(transport, layout.StoreId, scenario.Messages, progress: sent => task.Value = sent, cancellationToken: cancellationToken);
            task.Value = scenario.Messages.Count;
        });

        // Bad input is refused with a counted reason and changes nothing.
        await transport.SendAsync($"smartstore/{layout.StoreId}/camera/cam-nw/observations", "{\"v\":1,\"device\":"u8.ToArray(), cancellationToken);
        await transport.SendAsync($"smartstore/{layout.StoreId}/shelf/shelf-99/weight", "{}"u8.ToArray(), cancellationToken);

        // The feed is over: let the store clock run past the settlement bound.
        await node.AdvanceClockAsync(scenario.EndMs + options.Floor.SettlementBoundMs + 1_000, cancellationToken);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            try
            {
                await node.Receipts.WaitForDecidedAsync(scenario.Expected.Count, timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var floor = await node.GetFloorAsync(cancellationToken);
                AnsiConsole.MarkupLine($"[red]Only {node.Receipts.Decided} of {scenario.Expected.Count} visits were decided within a minute.[/] Floor: watermark {floor.WatermarkMs}, {floor.VisitsInside} inside, {floor.VisitsExited} exited, {floor.PendingInputs} inputs and {floor.PendingChanges} changes pending.");
                foreach (var visit in floor.Visits)
                {
                    AnsiConsole.MarkupLine(Markup.Escape($"  {visit.VisitId} {visit.PayerId} {visit.Status} exited {visit.ExitedMs}: {string.Join(", ", visit.Cart.Lines.Values.Select(l => $"{l.Units}x{l.Sku}"))} {string.Join("; ", visit.ReviewReasons)}"));
                }
            }
        }

        var correct = PrintReceipts(node, scenario, layout);
        var chargedTwice = scenario.Shoppers.Where(s => psp.CapturesOf(s.PaymentToken) > 1).Select(s => s.ShopperId).ToList();
        if (chargedTwice.Count > 0 || psp.OpenHolds > 0)
        {
            correct = false;
            AnsiConsole.MarkupLine($"[red]Charged more than once: {Markup.Escape(string.Join(", ", chargedTwice))}; holds left open: {psp.OpenHolds}[/]");
        }

        PrintHealth(node.Health.Snapshot(), replay, psp);
        AnsiConsole.MarkupLine(correct
            ? $"[green]All {scenario.Expected.Count} receipts match the script; every visit was charged exactly once.[/]"
            : "[red]Some receipts differ from the script (see above).[/]");
        return correct ? 0 : 1;
    }

    private static bool PrintReceipts(StoreNode node, Scenario scenario, StoreLayout layout)
    {
        var correct = true;
        foreach (var issued in node.Receipts.Issued)
        {
            var expected = scenario.Expected.FirstOrDefault(e => e.PayerId == issued.PayerId);
            var matches = expected is not null
                && expected.Units.Count == issued.Receipt.Lines.Count
                && issued.Receipt.Lines.All(l => expected.Units.GetValueOrDefault(l.Sku) == l.Units);
            correct &= matches;
            var table = new Table().Border(TableBorder.Rounded)
                .Title($"Receipt {Markup.Escape(issued.VisitId)} · payer {Markup.Escape(issued.PayerId)} · {(matches ? "[green]matches the script[/]" : "[red]differs from the script[/]")}")
                .AddColumns("product", "units", "unit price", "total", "evidence");
            foreach (var line in issued.Receipt.Lines)
            {
                var evidence = string.Join("; ", line.Evidence.Select(e => $"{e.Evidence.BinId} {e.Units:+0;-0} ({e.Evidence.Confidence:0.00})"));
                table.AddRow(Markup.Escape(line.Name), line.Units.ToString(), Money(line.UnitPrice, layout), Money(line.Total, layout), Markup.Escape(evidence));
            }

            foreach (var tax in issued.Receipt.Taxes)
            {
                table.AddRow($"[grey]incl. {Markup.Escape(tax.TaxClass)} tax {tax.RateBasisPoints / 100.0:0.##} %[/]", string.Empty, string.Empty, $"[grey]{Money(tax.Tax, layout)}[/]", string.Empty);
            }

            table.AddRow("[bold]total[/]", string.Empty, string.Empty, $"[bold]{Money(issued.Receipt.Total, layout)}[/]", $"{issued.Outcome} · charged {Money(issued.ChargedMinor, layout)}");
            AnsiConsole.Write(table);
        }

        foreach (var review in node.Receipts.Review)
        {
            correct = false;
            AnsiConsole.MarkupLine($"[yellow]In review:[/] {Markup.Escape(review.VisitId)} ({Markup.Escape(string.Join("; ", review.Reasons))})");
        }

        correct &= node.Receipts.Issued.Count == scenario.Expected.Count;
        return correct;
    }

    private static void PrintHealth(HealthSummary health, ReplayResult replay, SimulatedPsp psp)
    {
        var chart = new BarChart().Label("[bold]Node health[/]").Width(70)
            .AddItem("accepted", health.Accepted, Color.Green)
            .AddItem("duplicates", health.Duplicates, Color.Grey)
            .AddItem("late", health.Late, Color.Yellow)
            .AddItem("rejected", health.RejectedTotal, Color.Red);
        AnsiConsole.Write(chart);
        var table = new Table().Border(TableBorder.Simple).AddColumns("what", "count");
        table.AddRow("device messages sent / accepted / duplicate / late / rejected", $"{replay.Sent:N0} / {replay.Accepted:N0} / {replay.Duplicates} / {replay.Late} / {replay.Rejected}");
        table.AddRow("floor inputs (entries, crossings, sightings, weight changes)", $"{health.FloorInputs:N0}");
        table.AddRow("floor records / batched writes", $"{health.FloorRecords:N0} / {health.FloorWrites:N0}");
        table.AddRow("entries admitted / denied", $"{health.EntriesAdmitted} / {health.EntriesDenied}");
        table.AddRow("payments captured / declined / provider calls (injected failures)", $"{health.Captured} / {health.Declined} / {psp.Calls} ({psp.InjectedFailures})");
        foreach (var (reason, count) in health.Rejected.Where(r => r.Value > 0))
        {
            table.AddRow($"rejected: {reason}", count.ToString());
        }

        foreach (var (kind, count) in health.AlertsByKind.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            table.AddRow($"alert: {Markup.Escape(kind)}", count.ToString());
        }

        AnsiConsole.Write(table);
        var alerts = health.RecentAlerts.Where(a => a.Kind is "tailgating" or "entry-denied").ToList();
        var zone = TimeZoneInfo.Local;
        if (alerts.Count > 0)
        {
            AnsiConsole.MarkupLine($"Alerts, in the store's local time (the layout names no time zone: this machine's, {Markup.Escape(zone.Id)}):");
        }

        foreach (var alert in alerts)
        {
            AnsiConsole.MarkupLine($"  {Markup.Escape(AlertText.LocalTime(alert.TimeMs, zone))} [yellow]{Markup.Escape(alert.Kind)}[/] {Markup.Escape(alert.Detail)}");
        }
    }

    private static string Money(long minor, StoreLayout layout) => $"{minor / 100.0:0.00} {layout.Currency}";

    private static bool TryParse(string[] args, out string layoutPath, out string? configPath, out string? dataDirectory, out bool verbose, out string error)
    {
        layoutPath = Path.Combine("store-layouts", "small-convenience.yaml");
        configPath = null;
        dataDirectory = null;
        verbose = false;
        error = string.Empty;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--layout" when value is not null:
                    layoutPath = value;
                    i++;
                    break;
                case "--config" when value is not null:
                    configPath = value;
                    i++;
                    break;
                case "--data" when value is not null:
                    dataDirectory = value;
                    i++;
                    break;
                case "--verbose":
                    verbose = true;
                    break;
                default:
                    error = $"bad argument '{args[i]}' (expected --layout PATH, --config PATH, --data DIR or --verbose)";
                    return false;
            }
        }

        return true;
    }
}
