namespace SmartStore.Simulator.Faces;

/// <summary>What <see cref="PairMaker"/> wrote.</summary>
internal sealed record MadePairs(int People, int Images, int Unknown, int Genuine, int Impostor);

/// <summary>
/// Builds a pair list from a folder per identity: every same-person pair and every different-person pair among
/// the folders not starting with an underscore, and each <c>_multi/unknown-*</c> image (a person never
/// enrolled) against every enrolled image as an impostor. The other <c>_multi</c> photos are left out: they
/// are group photos of enrolled people, so neither label would be true of "the best face" in them.
/// </summary>
internal static class PairMaker
{
    private static readonly string[] Extensions = [".jpg", ".jpeg", ".png"];

    public static async Task<MadePairs> WriteAsync(string facesDirectory, string output, CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(facesDirectory);
        var people = Directory.EnumerateDirectories(root)
            .Where(d => !Path.GetFileName(d).StartsWith('_'))
            .Order(StringComparer.Ordinal)
            .Select(d => (Person: Path.GetFileName(d), Images: ImagesIn(d)))
            .Where(p => p.Images.Count > 0)
            .ToList();
        var multi = Path.Combine(root, "_multi");
        var unknown = Directory.Exists(multi)
            ? ImagesIn(multi).Where(f => Path.GetFileName(f).StartsWith("unknown-", StringComparison.OrdinalIgnoreCase)).ToList()
            : [];
        var enrolled = people.SelectMany(p => p.Images.Select(image => (p.Person, Image: image))).ToList();

        var outputPath = Path.GetFullPath(output);
        var folder = Path.GetDirectoryName(outputPath)!;
        Directory.CreateDirectory(folder);
        string Name(string image) => PairList.Quote(Path.GetRelativePath(folder, image).Replace('\\', '/'));

        var lines = new List<string> { "file_x,file_y,same" };
        var (genuine, impostor) = (0, 0);
        for (var i = 0; i < enrolled.Count; i++)
        {
            for (var j = i + 1; j < enrolled.Count; j++)
            {
                var same = enrolled[i].Person == enrolled[j].Person;
                lines.Add($"{Name(enrolled[i].Image)},{Name(enrolled[j].Image)},{(same ? "yes" : "no")}");
                if (same)
                {
                    genuine++;
                }
                else
                {
                    impostor++;
                }
            }
        }

        foreach (var stranger in unknown)
        {
            foreach (var (_, image) in enrolled)
            {
                lines.Add($"{Name(stranger)},{Name(image)},no");
                impostor++;
            }
        }

        await File.WriteAllLinesAsync(outputPath, lines, cancellationToken);
        return new MadePairs(people.Count, enrolled.Count, unknown.Count, genuine, impostor);
    }

    private static List<string> ImagesIn(string directory) =>
        [.. Directory.EnumerateFiles(directory)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];
}
