using System.Globalization;
using System.Text;
using SmartStore.Vision.Accuracy;
using SmartStore.Vision.Quality;
using Spectre.Console;

namespace SmartStore.Simulator.Faces;

/// <summary>The face accuracy report on the console, and the ROC as CSV.</summary>
internal static class FaceReportPrinter
{
    /// <summary>The FARs the chart shows TAR at; a FAR is only shown when the list has enough impostors to see it.</summary>
    private static readonly double[] ChartFars = [0, 0.001, 0.01, 0.05, 0.1, 0.2, 0.5];

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Print(FaceAccuracyResult result, IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(console);
        var prefix = CommonFolder(result.Images.Select(i => i.Name));
        if (prefix.Length > 0)
        {
            // Lists made from a tree elsewhere repeat a long ../../ path on every name: say it once.
            console.MarkupLine($"images under [blue]{Markup.Escape(prefix)}[/]");
            result = result with
            {
                Pairs = [.. result.Pairs.Select(p => p with { FileX = p.FileX[prefix.Length..], FileY = p.FileY[prefix.Length..] })],
                Images = [.. result.Images.Select(i => i with { Name = i.Name[prefix.Length..] })],
            };
        }

        var report = result.Report;
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "");
        table.HideHeaders();
        table.AddRow("pairs", Format($"{report.Pairs:N0} ({report.Genuine:N0} same person, {report.Impostor:N0} different){(result.BadRows.Count > 0 ? $"; {result.BadRows.Count} bad rows skipped" : string.Empty)}"));
        table.AddRow("scored", Format($"{report.Scored:N0} (a pair with a face-less image counts as rejected)"));
        table.AddRow("accuracy at threshold", Format($"[bold]{report.AccuracyAtThreshold:P2}[/] at {report.Threshold:0.000}"));
        table.AddRow("best accuracy", Format($"[bold]{report.BestAccuracy:P2}[/] at {report.BestThreshold:0.000}{BestBand(result)}"));
        table.AddRow("TAR at FAR 0.1 %", Tar(report.TarAtFar0001, report.Impostor, 0.001));
        table.AddRow("TAR at FAR 1 %", Tar(report.TarAtFar001, report.Impostor, 0.01));
        table.AddRow("lowest same-person similarity", Extreme(result.Pairs.Where(p => p.Same), lowest: true));
        table.AddRow("highest different-person similarity", Extreme(result.Pairs.Where(p => !p.Same), lowest: false));
        console.Write(table);

        PrintErrors(result, console);
        PrintImages(result, console);
        console.Write(RocChart(report));
        console.Write(Distribution(result.Pairs, report.Threshold));
    }

    public static async Task WriteRocAsync(PairReport report, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var csv = new StringBuilder("threshold,tar,far\n");
        foreach (var point in report.Roc)
        {
            csv.Append(Invariant, $"{point.Threshold:R},{point.TrueAcceptRate:R},{point.FalseAcceptRate:R}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, csv.ToString(), cancellationToken);
    }

    public static async Task WriteScoresAsync(FaceAccuracyResult result, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        var csv = new StringBuilder("file_x,file_y,same,similarity\n");
        foreach (var pair in result.Pairs)
        {
            csv.Append(Invariant, $"{PairList.Quote(pair.FileX)},{PairList.Quote(pair.FileY)},{(pair.Same ? "yes" : "no")},{pair.Similarity:R}\n");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await File.WriteAllTextAsync(path, csv.ToString(), cancellationToken);
    }

    /// <summary>
    /// Every threshold in a run of equally good ones is "the best", and the one reported is merely the lowest
    /// tried; the run's ends say how much room the choice really has.
    /// </summary>
    private static string BestBand(FaceAccuracyResult result)
    {
        var report = result.Report;
        var points = report.Roc;
        var at = points.ToList().FindIndex(p => p.Threshold == report.BestThreshold);
        if (at < 0)
        {
            return string.Empty;
        }

        bool Best(RocPoint p) => Math.Abs(AccuracyOf(p, report) - report.BestAccuracy) < 1e-12;
        var (from, to) = (at, at);
        while (from > 0 && Best(points[from - 1]))
        {
            from--;
        }

        while (to + 1 < points.Count && Best(points[to + 1]))
        {
            to++;
        }

        var lower = from > 0 ? points[from - 1].Threshold : double.NegativeInfinity;
        return from == to ? string.Empty : Format($" (and at every threshold above {lower:0.000} up to {points[to].Threshold:0.000})");
    }

    private static double AccuracyOf(RocPoint point, PairReport report) =>
        report.Pairs == 0 ? 0 : ((point.TrueAcceptRate * report.Genuine) + ((1 - point.FalseAcceptRate) * report.Impostor)) / report.Pairs;

    /// <summary>Below 1/FAR impostor pairs a FAR cannot be told from zero, so the figure would be a guess.</summary>
    private static string Tar(double? tar, int impostors, double far) => tar is { } value
        ? Format($"[bold]{value:P2}[/]")
        : Format($"[grey]not measurable: {impostors:N0} impostor pairs, need ≥ {(int)Math.Ceiling(1 / far):N0}[/]");

    private static string Extreme(IEnumerable<ScoredPair> pairs, bool lowest)
    {
        var scored = pairs.Where(p => p.Similarity is not null).ToList();
        if (scored.Count == 0)
        {
            return "[grey]none scored[/]";
        }

        var pair = lowest ? scored.MinBy(p => p.Similarity)! : scored.MaxBy(p => p.Similarity)!;
        return Format($"[bold]{pair.Similarity:0.000}[/] ({Markup.Escape(pair.FileX)} · {Markup.Escape(pair.FileY)})");
    }

    private static void PrintErrors(FaceAccuracyResult result, IAnsiConsole console)
    {
        var threshold = result.Report.Threshold;
        var rejected = result.Pairs.Where(p => p.Same && !(p.Similarity >= threshold)).ToList();
        var accepted = result.Pairs.Where(p => !p.Same && p.Similarity >= threshold).ToList();
        foreach (var (label, colour, wrong) in new[] { ("false reject", "yellow", rejected), ("false accept", "red", accepted) })
        {
            foreach (var pair in wrong.Take(10))
            {
                var similarity = pair.Similarity is { } s ? s.ToString("0.000", Invariant) : "no face";
                console.MarkupLine($"[{colour}]{label}[/] {Markup.Escape(pair.FileX)} · {Markup.Escape(pair.FileY)}: {similarity}");
            }

            if (wrong.Count > 10)
            {
                console.MarkupLine($"[{colour}]… and {wrong.Count - 10} more {label}s[/]");
            }
        }
    }

    private static void PrintImages(FaceAccuracyResult result, IAnsiConsole console)
    {
        var faceless = result.WithoutFace.ToList();
        console.MarkupLine(faceless.Count == 0
            ? $"a face was found in all {result.Images.Count} images"
            : $"[yellow]no face in {faceless.Count} of {result.Images.Count} images:[/]");
        foreach (var image in faceless)
        {
            console.MarkupLine($"  {Markup.Escape(image.Name)}: {Markup.Escape(image.Problem ?? "no face found")}");
        }

        foreach (var image in result.Images.Where(i => i.Embedding is not null && i.Quality != QualityProblem.None))
        {
            console.MarkupLine($"[grey]scored, but the gate's quality check would refuse it ({image.Quality}):[/] {Markup.Escape(image.Name)}");
        }

        foreach (var image in result.Images.Where(i => i.Faces > 1))
        {
            console.MarkupLine($"[grey]{image.Faces} faces, the best detection used:[/] {Markup.Escape(image.Name)}");
        }
    }

    /// <summary>TAR at a few FARs: the part of the ROC a gate's threshold is chosen from.</summary>
    private static BarChart RocChart(PairReport report)
    {
        var chart = new BarChart().Width(72).WithMaxValue(100).Label("[bold]ROC: % of same-person pairs accepted, at most this share of impostors accepted[/]");
        foreach (var far in ChartFars.Where(f => f == 0 || report.Impostor >= Math.Ceiling(1 / f)))
        {
            var tar = report.Roc.Where(p => p.FalseAcceptRate <= far).Select(p => p.TrueAcceptRate).DefaultIfEmpty(0).Max();
            chart.AddItem(string.Create(Invariant, $"FAR ≤ {far * 100:0.#} %"), Math.Round(tar * 100, 1), far == 0 ? Color.Green : Color.Blue);
        }

        return chart;
    }

    /// <summary>How the two kinds of pair spread over similarity: the gap between them is what the threshold sits in.</summary>
    private static Table Distribution(IReadOnlyList<ScoredPair> pairs, double threshold)
    {
        const double width = 0.1;
        var scored = pairs.Where(p => p.Similarity is not null).ToList();
        var table = new Table().Border(TableBorder.Simple).Title("similarity of the scored pairs").AddColumns("similarity", "same person", "different");
        if (scored.Count == 0)
        {
            return table;
        }

        var low = Math.Floor(scored.Min(p => p.Similarity!.Value) / width);
        var high = Math.Floor(Math.Min(scored.Max(p => p.Similarity!.Value), 0.9999) / width);
        var largest = 1;
        var rows = new List<(double From, int Genuine, int Impostor)>();
        for (var bin = low; bin <= high; bin++)
        {
            var inBin = scored.Where(p => Math.Floor(Math.Min(p.Similarity!.Value, 0.9999) / width) == bin).ToList();
            var genuine = inBin.Count(p => p.Same);
            rows.Add((bin * width, genuine, inBin.Count - genuine));
            largest = Math.Max(largest, Math.Max(genuine, inBin.Count - genuine));
        }

        foreach (var (from, genuine, impostor) in rows.AsEnumerable().Reverse())
        {
            var marker = threshold >= from && threshold < from + width ? " ← threshold" : string.Empty;
            table.AddRow(
                string.Create(Invariant, $"{from:0.0} … {from + width:0.0}{marker}"),
                $"[green]{Bar(genuine, largest)}[/] {genuine}",
                $"[red]{Bar(impostor, largest)}[/] {impostor}");
        }

        return table;
    }

    private static string CommonFolder(IEnumerable<string> names)
    {
        string? common = null;
        foreach (var name in names)
        {
            common ??= name;
            var length = 0;
            while (length < common.Length && length < name.Length && common[length] == name[length])
            {
                length++;
            }

            common = common[..length];
        }

        return common is null ? string.Empty : common[..(common.LastIndexOf('/') + 1)];
    }

    private static string Bar(int count, int largest) => new('█', count == 0 ? 0 : Math.Max(1, (int)Math.Round(24.0 * count / largest)));

    private static string Format(FormattableString text) => text.ToString(Invariant);
}
