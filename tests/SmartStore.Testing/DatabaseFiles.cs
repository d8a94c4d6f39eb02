using System.Text;

namespace SmartStore.Testing;

/// <summary>Reads database files as bytes, the way someone with the disk would, to prove what they do not hold.</summary>
public static class DatabaseFiles
{
    /// <summary>The files under <paramref name="paths"/> (files or folders) in which <paramref name="text"/> occurs as UTF-8 bytes.</summary>
    public static IReadOnlyList<string> Containing(IEnumerable<string> paths, string text) => ContainingBytes(paths, Encoding.UTF8.GetBytes(text));

    /// <summary>The files under <paramref name="paths"/> in which <paramref name="needle"/> occurs (raw bytes, e.g. a template's floats or a key).</summary>
    public static IReadOnlyList<string> ContainingBytes(IEnumerable<string> paths, byte[] needle)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(needle);
        var hits = new List<string>();
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p, "*", SearchOption.AllDirectories) : File.Exists(p) ? [p] : []))
        {
            byte[] bytes;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var copy = new MemoryStream();
                stream.CopyTo(copy);
                bytes = copy.ToArray();
            }
            catch (IOException)
            {
                continue;
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            if (bytes.AsSpan().IndexOf(needle) >= 0)
            {
                hits.Add(file);
            }
        }

        return hits;
    }
}
