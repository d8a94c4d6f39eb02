using System.Text;

namespace SmartStore.Simulator.Faces;

/// <summary>One usable row of a pair list: two images (full paths) and whether they show the same person.</summary>
/// <param name="Line">The row's line in the file (1-based), so a figure can be traced back to it.</param>
/// <param name="NameX">The first image as the file wrote it (relative to the list's folder), for printing.</param>
internal sealed record LabelledPair(int Line, string FileX, string FileY, string NameX, string NameY, bool Same);

/// <summary>A row that was skipped, and why.</summary>
internal sealed record PairListProblem(int Line, string Reason)
{
    public override string ToString() => $"line {Line}: {Reason}";
}

/// <summary>The rows that can be scored and the ones that cannot.</summary>
internal sealed record PairListContent(IReadOnlyList<LabelledPair> Pairs, IReadOnlyList<PairListProblem> Problems);

/// <summary>
/// Reads a labelled pair list: <c>file_x,file_y,same</c> per line, <c>same</c> being yes/no or true/false in
/// any case, images relative to the list's own folder (so a list and its photos can be moved together), an
/// optional header row. Fields may be double-quoted (a file name with a comma). A bad row is reported with its
/// line and skipped: one typo in a list of thousands should cost that row, not the run.
/// </summary>
internal static class PairList
{
    public static async Task<PairListContent> ReadAsync(string path, CancellationToken cancellationToken)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var lines = await File.ReadAllLinesAsync(path, cancellationToken);
        var pairs = new List<LabelledPair>();
        var problems = new List<PairListProblem>();
        for (var index = 0; index < lines.Length; index++)
        {
            var line = index + 1;
            if (string.IsNullOrWhiteSpace(lines[index]))
            {
                continue;
            }

            if (!TrySplit(lines[index], out var fields, out var quoteProblem))
            {
                problems.Add(new PairListProblem(line, quoteProblem));
                continue;
            }

            if (fields.Count != 3)
            {
                problems.Add(new PairListProblem(line, $"{fields.Count} columns; a row is file_x,file_y,same"));
                continue;
            }

            var (x, y, label) = (fields[0].Trim(), fields[1].Trim(), fields[2].Trim());
            if (pairs.Count == 0 && problems.Count == 0 && label.Equals("same", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (ParseLabel(label) is not { } same)
            {
                problems.Add(new PairListProblem(line, $"'{label}' is not a label; use yes/no or true/false"));
                continue;
            }

            if (x.Length == 0 || y.Length == 0)
            {
                problems.Add(new PairListProblem(line, "an image name is empty"));
                continue;
            }

            var (fileX, fileY) = (Path.GetFullPath(x, folder), Path.GetFullPath(y, folder));
            var missing = new[] { (x, fileX), (y, fileY) }.Where(f => !File.Exists(f.Item2)).Select(f => f.Item1).ToList();
            if (missing.Count > 0)
            {
                problems.Add(new PairListProblem(line, $"no such image: {string.Join(", ", missing)}"));
                continue;
            }

            pairs.Add(new LabelledPair(line, fileX, fileY, x, y, same));
        }

        return new PairListContent(pairs, problems);
    }

    public static bool? ParseLabel(string label) => label.ToUpperInvariant() switch
    {
        "YES" or "TRUE" => true,
        "NO" or "FALSE" => false,
        _ => null,
    };

    /// <summary>Quotes a field when it needs it, so a name with a comma or a quote reads back as written.</summary>
    public static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static bool TrySplit(string line, out List<string> fields, out string problem)
    {
        fields = [];
        problem = string.Empty;
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c != '"')
                {
                    field.Append(c);
                }
                else if (i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else
                {
                    quoted = false;
                }
            }
            else if (c == '"' && field.ToString().Trim().Length == 0)
            {
                field.Clear();
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        if (quoted)
        {
            problem = "a quoted field is not closed";
            return false;
        }

        fields.Add(field.ToString());
        return true;
    }
}
