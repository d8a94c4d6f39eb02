using System.CommandLine;
using System.Globalization;
using SmartStore.Simulator.Faces;
using SmartStore.Simulator.Reports;
using Spectre.Console;

namespace SmartStore.Simulator.Replay;

/// <summary><c>smartstore-sim face-entry</c>: the face-entry QA run (<see cref="FaceEntryRun"/>) and its printed report.</summary>
internal static class FaceEntryCommand
{
    public static Command Create()
    {
        var faces = new Option<DirectoryInfo>("--faces") { Description = "A folder per enrolled person and _multi/unknown-* strangers.", DefaultValueFactory = _ => new DirectoryInfo(Path.Combine("..", "shared", "data", "faces")) };
        var padding = new Option<int>("--gallery") { Description = "Made-up shoppers added to the gallery (e.g. 10000), so the search runs at a real store's size.", DefaultValueFactory = _ => 0 };
        var walks = new Option<int>("--walks") { Description = "Walk-ups per person.", DefaultValueFactory = _ => 2 };
        var output = new Option<FileInfo?>("--out") { Description = "Also write every walk-up to this JSON file." };
        padding.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 1_000_000) { r.AddError("--gallery must be 0 to 1,000,000."); } });
        walks.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 100) { r.AddError("--walks must be 1 to 100."); } });
        var command = new Command("face-entry", "Enrol every person in --faces from their photos, walk each up to the entry gate as camera frames (a photo not enrolled), then strangers and replayed stills; report false accepts, false rejects, refusals and gate decision latency.") { faces, padding, walks, output };
        command.SetAction(async (result, cancellationToken) =>
        {
            var folder = result.GetValue(faces)!;
            var models = FaceCommands.ModelsDirectory();
            if (!folder.Exists || models is null || !File.Exists(Path.Combine(models, "fr_feature.onnx")))
            {
                AnsiConsole.MarkupLine($"[red]error:[/] {(folder.Exists ? "no face models: run ./smartstore setup-models" : $"no faces folder at {Markup.Escape(folder.FullName)}")}");
                return 2;
            }

            if (await SimulatorCli.LoadLayoutAsync("small-convenience.yaml", cancellationToken) is not { } layout)
            {
                return 2;
            }

            var options = new FaceEntryOptions(folder.FullName, Path.Combine(models, "face_detection_yunet_320.onnx"), Path.Combine(models, "fr_feature.onnx"))
            {
                GalleryPadding = result.GetValue(padding),
                WalksPerPerson = result.GetValue(walks),
            };
            FaceEntryReport report = null!;
            await AnsiConsole.Status().StartAsync("starting the node", async status =>
            {
                report = await FaceEntryRun.RunAsync(layout, options, new Progress<string>(line => status.Status(Markup.Escape(line))), cancellationToken);
            });
            Print(report);
            if (result.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, System.Text.Json.JsonSerializer.Serialize(report, ReportJson.Default.FaceEntryReport), cancellationToken);
                AnsiConsole.MarkupLine($"walk-ups written to [blue]{Markup.Escape(file.FullName)}[/]");
            }

            return report.FalseAccepts == 0 ? 0 : 1;
        });
        return command;
    }

    private static void Print(FaceEntryReport report)
    {
        AnsiConsole.Write(new Rule("[bold]face entry[/]").LeftJustified());
        var table = new Table().AddColumns("", "count").HideHeaders();
        table.AddRow("shoppers enrolled (photos)", report.Enrolled.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("templates in the gallery", report.GallerySize.ToString("N0", CultureInfo.InvariantCulture));
        table.AddRow("walk-ups", report.Attempts.Count.ToString(CultureInfo.InvariantCulture));
        table.AddRow("[red]false accepts[/] (opened for the wrong person, a stranger or a still)", report.FalseAccepts.ToString(CultureInfo.InvariantCulture));
        table.AddRow("false rejects (an enrolled, live shopper kept out)", $"{report.FalseRejects} of {report.Genuine}");
        table.AddRow("unknown faces refused", $"{report.UnknownRefused} of {report.UnknownAttempts}");
        table.AddRow("replayed stills refused", $"{report.StillsRefused} of {report.StillAttempts}");
        table.AddRow("frames analysed per second", report.FramesPerSecond.ToString("0.0", CultureInfo.InvariantCulture));
        AnsiConsole.Write(table);
        var latency = report.Latency;
        AnsiConsole.Write(new BarChart().Label("gate decision latency, last frame received → gate command (ms)").WithMaxValue(Math.Max(1, latency.Max))
            .AddItem("p50", Math.Round(latency.P50, 1), Color.Green)
            .AddItem("p90", Math.Round(latency.P90, 1), Color.Yellow)
            .AddItem("p99", Math.Round(latency.P99, 1), Color.Red)
            .AddItem("max", Math.Round(latency.Max, 1), Color.Grey));
        foreach (var refused in report.RefusedAtEnrolment)
        {
            AnsiConsole.MarkupLine($"  refused at enrolment (not walked up with): {Markup.Escape(refused)}");
        }

        foreach (var wrong in report.Attempts.Where(a => a.FalseAccept || a.FalseReject))
        {
            AnsiConsole.MarkupLine($"  {(wrong.FalseAccept ? "[red]false accept[/]" : "false reject")}: {Markup.Escape(wrong.Kind)} {Markup.Escape(wrong.Photo)} → {Markup.Escape(wrong.Command)} {Markup.Escape(wrong.AdmittedShopper ?? wrong.Reason ?? string.Empty)}");
        }
    }
}
