using System.CommandLine;
using System.Globalization;
using SmartStore.Vision;
using SmartStore.Vision.Pipeline;
using SmartStore.Vision.Search;
using Spectre.Console;

namespace SmartStore.Simulator.Faces;

/// <summary>
/// <c>faces PAIRS.csv</c>: the face matcher's accuracy over a labelled pair list (issue 14, item 7), and
/// <c>faces make-pairs DIR OUT.csv</c>: such a list from a folder per identity. As elsewhere in the CLI, a bad
/// argument, a missing file or a model that cannot be loaded exits 2; bad rows are reported and skipped.
/// </summary>
internal static class FaceCommands
{
    public static Command Create()
    {
        var pairs = new Argument<FileInfo>("pairs") { Description = "The pair list: file_x,file_y,same (yes/no or true/false), images relative to the list's folder." };
        var threshold = new Option<double>("--threshold") { Description = "Cosine similarity a pair must reach to count as the same person.", DefaultValueFactory = _ => new MatchSettings().Threshold };
        threshold.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<double>() is < -1 or > 1 or double.NaN)
            {
                r.AddError("--threshold is a cosine similarity between -1 and 1.");
            }
        });
        var detector = new Option<FileInfo?>("--detector") { Description = "The YuNet model (default: .smartstore/models/face_detection_yunet_320.onnx in the checkout)." };
        var embedder = new Option<FileInfo?>("--embedder") { Description = "The embedding model (default: .smartstore/models/fr_feature.onnx in the checkout)." };
        var rocOut = new Option<FileInfo?>("--roc-out") { Description = "Write the ROC (threshold, TAR, FAR per point) to this CSV." };
        var scoresOut = new Option<FileInfo?>("--scores-out") { Description = "Write every pair with its similarity (empty when an image had no face) to this CSV." };
        var command = new Command("faces", "Face accuracy over a labelled pair list: accuracy at the threshold, the best threshold, TAR at FAR, the ROC, images without a face.")
        {
            pairs, threshold, detector, embedder, rocOut, scoresOut, MakePairsCommand(),
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var request = new FaceRequest(result.GetValue(pairs)!, result.GetValue(threshold), result.GetValue(detector), result.GetValue(embedder), result.GetValue(rocOut), result.GetValue(scoresOut));
            return await RunAsync(request, AnsiConsole.Console, cancellationToken);
        });
        return command;
    }

    private static Command MakePairsCommand()
    {
        var faces = new Argument<DirectoryInfo>("faces-dir") { Description = "One folder per person; _multi/unknown-* are people never enrolled." };
        var output = new Argument<FileInfo>("out") { Description = "The pair list to write (images relative to its folder)." };
        var command = new Command("make-pairs", "Write every same-person and different-person pair of a folder-per-identity tree, with the unknown faces as impostors against everyone.") { faces, output };
        command.SetAction(async (result, cancellationToken) =>
        {
            var directory = result.GetValue(faces)!;
            if (!directory.Exists)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] no such folder '{Markup.Escape(directory.FullName)}'");
                return 2;
            }

            var made = await PairMaker.WriteAsync(directory.FullName, result.GetValue(output)!.FullName, cancellationToken);
            if (made.Genuine + made.Impostor == 0)
            {
                AnsiConsole.MarkupLine($"[red]error:[/] '{Markup.Escape(directory.FullName)}' has no pair of images (one folder per person, images in them)");
                return 2;
            }

            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"{made.Genuine + made.Impostor:N0} pairs ([green]{made.Genuine}[/] same person, [red]{made.Impostor}[/] different) from {made.Images} images of {made.People} people and {made.Unknown} unknown → [blue]{Markup.Escape(result.GetValue(output)!.FullName)}[/]"));
            return 0;
        });
        return command;
    }

    internal sealed record FaceRequest(FileInfo Pairs, double Threshold, FileInfo? Detector, FileInfo? Embedder, FileInfo? RocOut, FileInfo? ScoresOut = null);

    internal static async Task<int> RunAsync(FaceRequest request, IAnsiConsole console, CancellationToken cancellationToken)
    {
        if (!request.Pairs.Exists)
        {
            console.MarkupLine($"[red]error:[/] no such pair list '{Markup.Escape(request.Pairs.FullName)}'");
            return 2;
        }

        var models = ModelsDirectory();
        var detector = request.Detector?.FullName ?? (models is null ? null : Path.Combine(models, "face_detection_yunet_320.onnx"));
        var embedder = request.Embedder?.FullName ?? (models is null ? null : Path.Combine(models, "fr_feature.onnx"));
        if (detector is null || embedder is null)
        {
            console.MarkupLine("[red]error:[/] not inside a SmartStore checkout, so there is no .smartstore/models: pass --detector and --embedder");
            return 2;
        }

        var list = await PairList.ReadAsync(request.Pairs.FullName, cancellationToken);
        foreach (var problem in list.Problems.Take(20))
        {
            console.MarkupLine($"[yellow]skipped[/] {Markup.Escape(request.Pairs.Name)}:{Markup.Escape(problem.ToString())}");
        }

        if (list.Problems.Count > 20)
        {
            console.MarkupLine($"[yellow]… and {list.Problems.Count - 20} more bad rows skipped[/]");
        }

        if (list.Pairs.Count == 0)
        {
            console.MarkupLine($"[red]error:[/] '{Markup.Escape(request.Pairs.FullName)}' has no usable pair ({list.Problems.Count} bad rows)");
            return 2;
        }

        FacePipeline pipeline;
        try
        {
            pipeline = new FacePipeline(new VisionOptions { DetectorModelPath = detector, EmbedderModelPath = embedder });
        }
        catch (VisionConfigurationException error)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(error.Message)}");
            return 2;
        }

        FaceAccuracyResult result = null!;
        using (pipeline)
        {
            var images = list.Pairs.SelectMany(p => new[] { p.FileX, p.FileY }).Distinct(StringComparer.Ordinal).Count();
            var description = $"analysing {images} images ({pipeline.Options.Workers} at once)";
            if (!console.Profile.Capabilities.Interactive)
            {
                // A log (CI, a pipe) gets no live bar, only its first frame: say what is happening, then what took how long.
                var clock = System.Diagnostics.Stopwatch.StartNew();
                console.MarkupLine($"{description} …");
                result = await FaceAccuracy.ScoreAsync(list, pipeline, request.Threshold, null, cancellationToken);
                console.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"analysed {images} images in {clock.Elapsed.TotalSeconds:0.0} s"));
            }
            else
            {
                await console.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn()).StartAsync(async progress =>
                {
                    var task = progress.AddTask(description, maxValue: images);
                    result = await FaceAccuracy.ScoreAsync(list, pipeline, request.Threshold, done => task.Value = done, cancellationToken);
                });
            }
        }

        FaceReportPrinter.Print(result, console);
        if (request.RocOut is { } rocOut)
        {
            await FaceReportPrinter.WriteRocAsync(result.Report, rocOut.FullName, cancellationToken);
            console.MarkupLine($"ROC [blue]{Markup.Escape(rocOut.FullName)}[/] ({result.Report.Roc.Count} points)");
        }

        if (request.ScoresOut is { } scoresOut)
        {
            await FaceReportPrinter.WriteScoresAsync(result, scoresOut.FullName, cancellationToken);
            console.MarkupLine($"scores [blue]{Markup.Escape(scoresOut.FullName)}[/] ({result.Pairs.Count} pairs)");
        }

        return 0;
    }

    /// <summary>Where <c>./smartstore setup-models</c> puts the models: the checkout's .smartstore/models.</summary>
    internal static string? ModelsDirectory()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SmartStore.sln")))
                {
                    return Path.Combine(dir.FullName, ".smartstore", "models");
                }
            }
        }

        return null;
    }
}
