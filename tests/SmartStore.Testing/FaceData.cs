namespace SmartStore.Testing;

/// <summary>
/// Where the face tests' inputs are: the models <c>./smartstore setup-models</c> put in <c>.smartstore/models</c>
/// (the embedder from npm, the detector linked from its configured path) and the labelled photos in
/// <c>../shared/data/faces</c> beside the checkout. Missing inputs fail the test with what to run; nothing is skipped.
/// </summary>
public static class FaceData
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ModelsDirectory => Path.Combine(RepositoryRoot, ".smartstore", "models");

    public static string DetectorModel => Required(Path.Combine(ModelsDirectory, "face_detection_yunet_320.onnx"));

    public static string EmbedderModel => Required(Path.Combine(ModelsDirectory, "fr_feature.onnx"));

    public const string EmbedderSha256 = "87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581";

    public static string FacesDirectory => Required(Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "faces")));

    /// <summary>A photo by its path under the faces folder, e.g. <c>obama/obama-1.jpg</c>.</summary>
    public static string Photo(string relative) => Required(Path.Combine(FacesDirectory, relative));

    public static byte[] Bytes(string relative) => File.ReadAllBytes(Photo(relative));

    /// <summary>Every enrolled identity's folder name (the folders not starting with an underscore).</summary>
    public static IReadOnlyList<string> People =>
        [.. Directory.EnumerateDirectories(FacesDirectory).Select(Path.GetFileName).Where(n => n is not null && !n.StartsWith('_')).Select(n => n!).Order(StringComparer.Ordinal)];

    public static IReadOnlyList<string> PhotosOf(string person) =>
        [.. Directory.EnumerateFiles(Path.Combine(FacesDirectory, person)).Select(f => $"{person}/{Path.GetFileName(f)}").Order(StringComparer.Ordinal)];

    private static string Required(string path) =>
        File.Exists(path) || Directory.Exists(path) ? path : throw new FileNotFoundException($"'{path}' is missing: run './smartstore setup-models' (models) or check ../shared/data (photos).", path);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SmartStore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("The tests run from outside the SmartStore checkout (no SmartStore.sln above them).");
    }
}
