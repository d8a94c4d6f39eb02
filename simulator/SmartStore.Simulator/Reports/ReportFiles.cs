using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SmartStore.Simulator.Replay;

namespace SmartStore.Simulator.Reports;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ScoreReport))]
[JsonSerializable(typeof(ReplayOutcome))]
[JsonSerializable(typeof(FaceEntryReport))]
internal sealed partial class ReportJson : JsonSerializerContext;

/// <summary>Writes a scored replay as JSON (for machines and CI) and as one self-contained HTML page with SVG charts (for people).</summary>
public static class ReportFiles
{
    public static async Task WriteJsonAsync(string path, ScoreReport report, CancellationToken cancellationToken = default)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, report, ReportJson.Default.ScoreReport, cancellationToken);
    }

    public static async Task<ScoreReport> ReadJsonAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, ReportJson.Default.ScoreReport, cancellationToken) ?? throw new InvalidDataException($"{path}: empty report");
    }

    public static async Task WriteOutcomeAsync(string path, ReplayOutcome outcome, CancellationToken cancellationToken = default)
    {
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, outcome, ReportJson.Default.ReplayOutcome, cancellationToken);
    }

    public static async Task<ReplayOutcome> ReadOutcomeAsync(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        return await JsonSerializer.DeserializeAsync(file, ReportJson.Default.ReplayOutcome, cancellationToken) ?? throw new InvalidDataException($"{path}: empty outcome");
    }

    public static Task WriteHtmlAsync(string path, ScoreReport report, CancellationToken cancellationToken = default) =>
        File.WriteAllTextAsync(path, Html(report), cancellationToken);

    private const string Style = """
        <style>
        body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330}
        h1{margin-bottom:.2rem} .sub{color:#667} .tiles{display:flex;gap:1rem;flex-wrap:wrap;margin:1.2rem 0}
        .tile{border:1px solid #dde;border-radius:8px;padding:.7rem 1rem;min-width:9rem} .tile b{display:block;font-size:1.5rem}
        .ok{color:#17803d} .bad{color:#b42318} table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
        td,th{border-bottom:1px solid #eee;padding:.3rem .5rem;text-align:left;vertical-align:top} th{background:#f6f7f9}
        .charts{display:grid;grid-template-columns:1fr 1fr;gap:1.5rem} svg text{font:12px system-ui,sans-serif}
        </style>
        """;

    public static string Html(ScoreReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var verdict = report.Passed ? "<span class=ok>all thresholds met</span>" : "<span class=bad>FAILED: " + E(string.Join("; ", report.Failures)) + "</span>";
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>SmartStore QA: {E(report.Scenario)}</title>\n");
        html.Append(Style).Append("</head><body>\n");
        html.Append(CultureInfo.InvariantCulture, $"<h1>QA replay: {E(report.Scenario)}</h1>\n");
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"sub\">store {E(report.Store)} · journal {E(report.Journal)} · {report.Messages:N0} device messages in {report.WallSeconds:0.00} s ({report.MessagesPerSecond:N0}/s) · {verdict}</div>\n<div class=\"tiles\">\n");
        html.Append(Tile("exact receipts", report.ExactReceiptRate.ToString("P1", CultureInfo.InvariantCulture), $"{report.Exact} of {report.Visits} visits"));
        html.Append(Tile("item F1", report.ItemF1.ToString("P1", CultureInfo.InvariantCulture), string.Create(CultureInfo.InvariantCulture, $"precision {report.ItemPrecision:P1} · recall {report.ItemRecall:P1}")));
        html.Append(Tile("wrong charges", report.WrongChargeRate.ToString("P2", CultureInfo.InvariantCulture), $"{report.WrongCharges} visits"));
        html.Append(Tile("review rate", report.ReviewRate.ToString("P1", CultureInfo.InvariantCulture), $"{report.Review} visits"));
        html.Append(Tile("walk-out → receipt p99", string.Create(CultureInfo.InvariantCulture, $"{report.ReceiptBeyondBoundMs.P99:0} ms"), "beyond the settlement bound"));
        html.Append(Tile("entry decision p99", string.Create(CultureInfo.InvariantCulture, $"{report.EntryDecisionMs.P99:0} ms"), $"{report.Denied} denied of {report.ExpectedDenials} expected"));
        html.Append("</div>\n<div class=\"charts\">\n");
        html.Append("<div><h3>Visits by outcome</h3>").Append(Bars([("exact", report.Exact, "#17803d"), ("wrong charge", report.WrongCharges, "#b42318"), ("review", report.Review, "#d18b00"), ("not settled", report.NotSettled, "#667")])).Append("</div>\n");
        html.Append("<div><h3>Errors by cause</h3>").Append(Bars([.. report.ErrorsByCause.OrderByDescending(c => c.Value).Select(c => (c.Key, c.Value, "#b42318"))])).Append("</div>\n");
        html.Append("<div><h3>Exact receipts by hard-case label</h3>").Append(Bars([.. report.ByLabel.Select(l => ($"{l.Label} ({l.Exact}/{l.Visits})", (int)Math.Round(100.0 * l.Exact / Math.Max(1, l.Visits)), l.Exact == l.Visits ? "#17803d" : "#d18b00"))], "%")).Append("</div>\n");
        html.Append("<div><h3>Device messages</h3>").Append(Bars([("accepted", (int)report.Accepted, "#17803d"), ("duplicate", (int)report.Duplicates, "#667"), ("late", (int)report.Late, "#d18b00"), ("rejected", (int)report.Rejected, "#b42318")])).Append("</div>\n");
        html.Append("<div><h3>Walk-out → receipt beyond the bound (ms)</h3>").Append(Histogram(report.ReceiptBeyondBoundMs)).Append("</div>\n");
        html.Append("<div><h3>Entry decision (ms)</h3>").Append(Histogram(report.EntryDecisionMs)).Append("</div>\n</div>\n");
        html.Append("<h2>By hard-case label</h2>\n<table><tr><th>label</th><th>visits</th><th>exact</th><th>review</th><th>wrong charges</th><th>item F1</th></tr>\n");
        foreach (var label in report.ByLabel)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(label.Label)}</td><td>{label.Visits}</td><td>{label.Exact}</td><td>{label.Review}</td><td>{label.WrongCharges}</td><td>{label.ItemF1:P1}</td></tr>\n");
        }

        html.Append("</table><h2>Alerts</h2><table><tr><th>kind</th><th>count</th></tr>\n");
        foreach (var (kind, count) in report.Alerts.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(kind)}</td><td>{count}</td></tr>\n");
        }

        html.Append(CultureInfo.InvariantCulture, $"</table><p>Tailgating: {report.TailgatingAlerts} alerts for {report.ExpectedTailgaters} tailgaters.</p>");
        html.Append("<h2>Per visit: receipt against truth (differences first)</h2><table><tr><th>visit</th><th>outcome</th><th>labels</th><th>truth</th><th>store</th><th>difference</th></tr>\n");
        foreach (var visit in report.PerVisit.OrderBy(v => v.Exact).ThenBy(v => v.Key, StringComparer.Ordinal))
        {
            var cls = visit.Exact ? "ok" : "bad";
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(visit.Key)}</td><td class={cls}>{E(visit.Outcome)}</td><td>{E(string.Join(", ", visit.Labels))}</td><td>{E(visit.Expected)}</td><td>{E(visit.Decided)}</td><td>{E(string.Join(", ", visit.Differences.Concat(visit.Causes)))}</td></tr>\n");
        }

        html.Append("</table></body></html>\n");
        return html.ToString();
    }

    private static string Tile(string title, string value, string detail) => $"<div class=tile>{E(title)}<b>{E(value)}</b><span class=sub>{E(detail)}</span></div>";

    /// <summary>A horizontal bar chart.</summary>
    private static string Bars(IReadOnlyList<(string Label, int Value, string Colour)> bars, string unit = "")
    {
        if (bars.Count == 0)
        {
            return "<p class=sub>none</p>";
        }

        const int width = 500, row = 24, labelWidth = 190;
        var max = Math.Max(1, bars.Max(b => b.Value));
        var svg = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{(bars.Count * row) + 6}\" role=\"img\">"));
        for (var i = 0; i < bars.Count; i++)
        {
            var (label, value, colour) = bars[i];
            var w = (width - labelWidth - 60) * value / max;
            var y = i * row;
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 16}\">{E(label)}</text><rect x=\"{labelWidth}\" y=\"{y + 4}\" width=\"{Math.Max(w, value > 0 ? 2 : 0)}\" height=\"16\" fill=\"{colour}\"/><text x=\"{labelWidth + w + 6}\" y=\"{y + 16}\">{value:N0}{unit}</text>");
        }

        return svg.Append("</svg>").ToString();
    }

    /// <summary>
    /// A histogram of a latency distribution with its percentiles marked. Every label stays inside the view box:
    /// a percentile near the right edge (p99 is often the maximum) is labelled to the left of its line.
    /// </summary>
    internal static string Histogram(LatencySummary summary)
    {
        if (summary.Count == 0)
        {
            return "<p class=sub>no samples</p>";
        }

        const int width = 500, height = 150, buckets = 20, left = 10, right = width - 10, gap = 3;
        var max = Math.Max(1, summary.Max);
        var counts = new int[buckets];
        foreach (var sample in summary.Samples)
        {
            counts[Math.Clamp((int)(sample / max * buckets), 0, buckets - 1)]++;
        }

        var top = Math.Max(1, counts.Max());
        var svg = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height + 40}\" viewBox=\"0 0 {width} {height + 40}\" role=\"img\">"));
        var bar = (right - left) / buckets;
        for (var i = 0; i < buckets; i++)
        {
            var h = height * counts[i] / top;
            svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{left + (i * bar)}\" y=\"{height - h}\" width=\"{bar - 2}\" height=\"{h}\" fill=\"#3b6fd4\"><title>{counts[i]} between {i * max / buckets:0} and {(i + 1) * max / buckets:0} ms</title></rect>");
        }

        // p50 and p99 on rows of their own: on a narrow distribution their lines are a few pixels apart.
        foreach (var (name, value, y) in new[] { ("p50", summary.P50, 12), ("p99", summary.P99, 28) })
        {
            var x = Math.Clamp(left + ((right - left) * value / max), left, right);
            var label = string.Create(CultureInfo.InvariantCulture, $"{name} {value:0} ms");
            var fitsRight = x + gap + EstimatedTextWidth(label) <= width;
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x:0.0}\" x2=\"{x:0.0}\" y1=\"0\" y2=\"{height}\" stroke=\"#b42318\" stroke-dasharray=\"4 3\"/>");
            svg.Append(fitsRight
                ? string.Create(CultureInfo.InvariantCulture, $"<text x=\"{x + gap:0.0}\" y=\"{y}\">{label}</text>")
                : string.Create(CultureInfo.InvariantCulture, $"<text x=\"{x - gap:0.0}\" y=\"{y}\" text-anchor=\"end\">{label}</text>"));
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{height + 18}\">0 ms</text><text x=\"{right}\" y=\"{height + 18}\" text-anchor=\"end\">{max:0} ms</text><text x=\"{left}\" y=\"{height + 36}\">{summary.Count} samples</text>");
        return svg.Append("</svg>").ToString();
    }

    /// <summary>
    /// An upper bound on how wide a label is drawn at the charts' 12 px: the page does not measure text, and an
    /// average character of system-ui at 12 px is under 7 px wide (digits about 6.7 px).
    /// </summary>
    internal static double EstimatedTextWidth(string text) => text.Length * 7.2;

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
