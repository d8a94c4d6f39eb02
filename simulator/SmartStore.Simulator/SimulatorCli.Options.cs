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

// What several commands share: the layout, speed and threshold options, and reading layouts and feeds' truth.
internal static partial class SimulatorCli
{
    private static Option<FileInfo?> LayoutOption() => new("--layout") { Description = "The store layout (default: the one the scenario or feed names, from store-layouts/)." };

    private static Option<string> SpeedOption(string byDefault = "max")
    {
        var speed = new Option<string>("--speed") { Description = $"'max' (as fast as the node takes it), 'realtime', or a factor such as 10 (default {byDefault}).", DefaultValueFactory = _ => byDefault };
        speed.Validators.Add(r =>
        {
            var value = r.GetValueOrDefault<string>();
            if (value is not null && value is not ("max" or "realtime") && !(double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var factor) && factor is > 0 and <= 10_000))
            {
                r.AddError($"--speed must be 'max', 'realtime' or a factor between 0 and 10000, not '{value}'.");
            }
        });
        return speed;
    }

    private static double ParseSpeed(string value) => value switch
    {
        "max" => 0,
        "realtime" => 1,
        _ => double.Parse(value, CultureInfo.InvariantCulture),
    };

    private static string TruthPathFor(string feed)
    {
        var name = feed.EndsWith(".gz", StringComparison.Ordinal) ? feed[..^3] : feed;
        return (name.EndsWith(".feed.jsonl", StringComparison.Ordinal) ? name[..^".feed.jsonl".Length] : Path.ChangeExtension(name, null)) + ".truth.json";
    }

    internal static async Task<StoreLayout?> LoadLayoutAsync(string nameOrPath, CancellationToken cancellationToken) =>
        (await LoadLayoutFileAsync(nameOrPath, cancellationToken))?.Layout;

    /// <summary>A layout file by name (in store-layouts/) or path, with its text; null after saying what is wrong.</summary>
    private static async Task<LayoutFile?> LoadLayoutFileAsync(string nameOrPath, CancellationToken cancellationToken)
    {
        var candidates = new[] { nameOrPath, Path.Combine("store-layouts", nameOrPath), Path.Combine(AppContext.BaseDirectory, "store-layouts", nameOrPath) };
        var path = candidates.FirstOrDefault(File.Exists);
        if (path is null)
        {
            AnsiConsole.MarkupLine($"[red]error:[/] no layout '{Markup.Escape(nameOrPath)}' (looked in ., store-layouts/ and next to the program)");
            return null;
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return ParseLayout(text, path) is { } layout ? new LayoutFile(nameOrPath, text, layout) : null;
    }

    private static StoreLayout? ParseLayout(string text, string source)
    {
        try
        {
            return LayoutReader.Parse(text, source);
        }
        catch (InvalidLayoutException exception)
        {
            AnsiConsole.MarkupLine($"[red]invalid layout:[/] {Markup.Escape(exception.Message)}");
            return null;
        }
    }

    /// <summary>A layout as it was read: the name or path it was asked for, the file's text, the parsed store.</summary>
    private sealed record LayoutFile(string Name, string Text, StoreLayout Layout);

    private sealed record ThresholdSet(Option<double?> Exact, Option<double?> F1, Option<double?> Wrong, Option<double?> Review, Option<double?> Rate)
    {
        public IEnumerable<Option> All => [Exact, F1, Wrong, Review, Rate];

        public Thresholds Read(ParseResult result) => new()
        {
            MinExactReceiptRate = result.GetValue(Exact),
            MinItemF1 = result.GetValue(F1),
            MaxWrongChargeRate = result.GetValue(Wrong),
            MaxReviewRate = result.GetValue(Review),
            MinMessagesPerSecond = result.GetValue(Rate),
        };
    }

    private static ThresholdSet ThresholdOptions()
    {
        static Option<double?> Fraction(string name, string description)
        {
            var option = new Option<double?>(name) { Description = description };
            option.Validators.Add(r =>
            {
                // Written so that NaN is refused too (it compares false with everything, so it would gate nothing).
                if (r.GetValueOrDefault<double?>() is { } value && !(value >= 0 && value <= 1))
                {
                    r.AddError($"{name} is a fraction between 0 and 1 (0.99 for 99 %).");
                }
            });
            return option;
        }

        var rate = new Option<double?>("--min-rate") { Description = "Fail below this many device messages per second." };
        rate.Validators.Add(r =>
        {
            // A rate of zero or less, or not a number, passes or fails every replay alike: a mistyped gate.
            if (r.GetValueOrDefault<double?>() is { } value && !(value > 0 && double.IsFinite(value)))
            {
                r.AddError($"--min-rate is a number of messages per second above 0, not {value.ToString(CultureInfo.InvariantCulture)}.");
            }
        });
        return new ThresholdSet(
            Fraction("--min-exact", "Fail below this share of exact receipts."),
            Fraction("--min-f1", "Fail below this item F1."),
            Fraction("--max-wrong", "Fail above this share of wrongly charged visits."),
            Fraction("--max-review", "Fail above this share of visits sent to review."),
            rate);
    }
}
