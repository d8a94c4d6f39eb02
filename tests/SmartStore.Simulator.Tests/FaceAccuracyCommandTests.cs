using System.Globalization;
using OpenCvSharp;
using SmartStore.Simulator.Faces;
using SmartStore.Testing;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>
/// <c>smartstore-sim faces</c> and <c>faces make-pairs</c> through the real command line and the real face
/// pipeline, on the labelled photos in <c>../shared/data/faces</c>.
/// </summary>
[Collection("console")]
public sealed class FaceAccuracyCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-faces-");

    // Wide enough that no table cell wraps a figure the assertions look for.
    private readonly CapturedConsole _console = new(width: 240);

    public void Dispose()
    {
        _console.Dispose();
        _directory.Delete(recursive: true);
    }

    private string Printed => _console.Printed;

    private string InTemp(string name) => Path.Combine(_directory.FullName, name);

    [Fact]
    public async Task The_shared_faces_set_separates_every_same_person_pair_from_every_stranger_at_the_configured_threshold()
    {
        var pairs = InTemp("lists/pairs.csv");
        var made = await SimulatorCli.RunAsync(["faces", "make-pairs", FaceData.FacesDirectory, pairs]);
        var scored = await SimulatorCli.RunAsync(["faces", pairs, "--roc-out", InTemp("roc.csv"), "--scores-out", InTemp("scores.csv")]);

        Assert.Equal(0, made);
        Assert.Equal(0, scored);

        // The list: every pair of one person's photos, every pair across people, the unknown against everyone,
        // and none of the group photos (they show enrolled people, so "different" would be a lie).
        var photos = FaceData.People.Select(p => FaceData.PhotosOf(p).Count).ToList();
        var genuine = photos.Sum(n => n * (n - 1) / 2);
        var enrolled = photos.Sum();
        var impostor = (enrolled * (enrolled - 1) / 2) - genuine + enrolled;
        var rows = (await File.ReadAllLinesAsync(InTemp("scores.csv"))).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(genuine, rows.Count(r => r[2] == "yes"));
        Assert.Equal(impostor, rows.Count(r => r[2] == "no"));
        Assert.DoesNotContain(rows, r => r[0].Contains("obama-and-biden", StringComparison.Ordinal) || r[1].Contains("two-people", StringComparison.Ordinal) || r[0].Contains("kit-with-rose", StringComparison.Ordinal));

        // Every image has a face, and the threshold (0.40, MatchSettings' default) lies in the gap between the
        // lowest same-person pair (vlado-2 · vlado-3, sunglasses: about 0.43) and the highest stranger pair
        // (the unknown · obama-6-partial: about 0.22). A pipeline change that narrows the gap to nothing fails here.
        var similarities = rows.Select(r => (Same: r[2] == "yes", Similarity: double.Parse(r[3], CultureInfo.InvariantCulture))).ToList();
        var lowestGenuine = similarities.Where(s => s.Same).Min(s => s.Similarity);
        var highestImpostor = similarities.Where(s => !s.Same).Max(s => s.Similarity);
        Assert.InRange(lowestGenuine, 0.40, 1.0);
        Assert.InRange(highestImpostor, -1.0, 0.30);
        Assert.Contains("a face was found in all 20 images", Printed, StringComparison.Ordinal);
        Assert.Contains("accuracy at threshold", Printed, StringComparison.Ordinal);
        Assert.Matches(@"accuracy at threshold\s*│\s*100\.00 % at 0\.400", Printed);
        Assert.Matches(@"TAR at FAR 1 %\s*│\s*100\.00 %", Printed);
        Assert.Contains($"not measurable: {impostor} impostor pairs, need ≥ 1,000", Printed, StringComparison.Ordinal);
        Assert.DoesNotContain("false accept", Printed, StringComparison.Ordinal);
        Assert.DoesNotContain("false reject", Printed, StringComparison.Ordinal);

        // The ROC file: one point per distinct similarity plus the threshold and "accept nothing"; TAR and FAR
        // fall as the threshold rises.
        var roc = (await File.ReadAllLinesAsync(InTemp("roc.csv"))).Skip(1).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.True(roc.Count >= similarities.Select(s => s.Similarity).Distinct().Count());
        Assert.Equal([0.0, 0.0], roc[^1][1..]);
        Assert.All(roc.Zip(roc.Skip(1), (lower, higher) => (lower, higher)), p => Assert.True(p.lower[0] < p.higher[0] && p.lower[1] >= p.higher[1] && p.lower[2] >= p.higher[2]));
        Assert.Equal([1.0, 0.0], roc.Single(p => p[0] == 0.40)[1..]);
    }

    [Fact]
    public async Task Bad_rows_are_named_by_line_and_skipped_and_the_good_ones_still_scored()
    {
        Copy("obama/obama-1.jpg", "obama-1.jpg");
        Copy("obama/obama-2.jpg", "photos/obama-2.jpg");
        Copy("biden/biden-1.jpg", "photos/biden, joe.jpg");
        var list = InTemp("pairs.csv");
        await File.WriteAllLinesAsync(list,
        [
            "file_x,file_y,same",
            "obama-1.jpg,photos/obama-2.jpg,YES",
            "obama-1.jpg,photos/obama-2.jpg",
            "obama-1.jpg,\"photos/biden, joe.jpg\",False",
            string.Empty,
            "obama-1.jpg,photos/biden-2.jpg,no",
            "obama-1.jpg,photos/obama-2.jpg,maybe",
            "\"obama-1.jpg,photos/obama-2.jpg,true",
            "obama-1.jpg,photos/obama-2.jpg,true,extra",
            "photos/obama-2.jpg,obama-1.jpg,true",
        ]);

        var content = await PairList.ReadAsync(list, CancellationToken.None);
        Assert.Equal([2, 4, 10], content.Pairs.Select(p => p.Line));
        Assert.Equal([true, false, true], content.Pairs.Select(p => p.Same));
        Assert.Equal(
            [
                "line 3: 2 columns; a row is file_x,file_y,same",
                "line 6: no such image: photos/biden-2.jpg",
                "line 7: 'maybe' is not a label; use yes/no or true/false",
                "line 8: a quoted field is not closed",
                "line 9: 4 columns; a row is file_x,file_y,same",
            ],
            content.Problems.Select(p => p.ToString()));

        var code = await SimulatorCli.RunAsync(["faces", list, "--scores-out", InTemp("scores.csv")]);

        Assert.Equal(0, code);
        Assert.Contains("skipped pairs.csv:line 6: no such image: photos/biden-2.jpg", Printed, StringComparison.Ordinal);
        Assert.Contains("3 (2 same person, 1 different); 5 bad rows skipped", Printed, StringComparison.Ordinal);

        // Three distinct images, each analysed once; the two orders of the same pair score the same.
        Assert.Contains("analysing 3 images", Printed, StringComparison.Ordinal);
        var scores = (await File.ReadAllLinesAsync(InTemp("scores.csv"))).Skip(1).Select(l => l[(l.LastIndexOf(',') + 1)..]).ToList();
        Assert.Equal(scores[0], scores[2]);
        Assert.True(double.Parse(scores[0], CultureInfo.InvariantCulture) > 0.40);
        Assert.True(double.Parse(scores[1], CultureInfo.InvariantCulture) < 0.40);
    }

    [Fact]
    public async Task An_image_without_a_face_is_listed_and_its_pairs_count_as_rejected()
    {
        Copy("obama/obama-1.jpg", "obama-1.jpg");
        Copy("obama/obama-2.jpg", "obama-2.jpg");
        using (var wall = new Mat(240, 320, MatType.CV_8UC3, Scalar.All(128)))
        {
            Cv2.ImWrite(InTemp("wall.png"), wall);
        }

        var list = InTemp("pairs.csv");
        await File.WriteAllLinesAsync(list, ["obama-1.jpg,obama-2.jpg,yes", "obama-1.jpg,wall.png,yes", "obama-2.jpg,wall.png,no"]);

        var code = await SimulatorCli.RunAsync(["faces", list, "--detector", FaceData.DetectorModel, "--embedder", FaceData.EmbedderModel]);

        Assert.Equal(0, code);
        Assert.Contains("no face in 1 of 3 images:", Printed, StringComparison.Ordinal);
        Assert.Contains("wall.png: no face found", Printed, StringComparison.Ordinal);
        Assert.Contains("false reject obama-1.jpg · wall.png: no face", Printed, StringComparison.Ordinal);

        // Two of three right: the genuine pair with the wall is rejected, the impostor pair with it is too.
        Assert.Matches(@"accuracy at threshold\s*│\s*66\.67 %", Printed);
    }

    [Theory]
    [InlineData("faces", "Required argument missing for command: 'faces'")]
    [InlineData("faces {dir}/nope.csv", "no such pair list")]
    [InlineData("faces {dir}/list.csv --threshold 2", "--threshold is a cosine similarity between -1 and 1")]
    [InlineData("faces {dir}/list.csv --detector {dir}/none.onnx", "The face detector model is not at")]
    [InlineData("faces {dir}/bad.csv", "has no usable pair (1 bad rows)")]
    [InlineData("faces make-pairs {dir}/no-such-folder {dir}/out.csv", "no such folder")]
    [InlineData("faces make-pairs {dir} {dir}/out.csv", "has no pair of images")]
    public async Task Bad_arguments_and_files_exit_non_zero_with_a_specific_message(string arguments, string message)
    {
        Copy("obama/obama-1.jpg", "obama-1.jpg");
        await File.WriteAllLinesAsync(InTemp("list.csv"), ["obama-1.jpg,obama-1.jpg,yes"]);
        await File.WriteAllLinesAsync(InTemp("bad.csv"), ["obama-1.jpg,obama-1.jpg,sometimes"]);

        var code = await SimulatorCli.RunAsync(arguments.Replace("{dir}", _directory.FullName, StringComparison.Ordinal).Split(' '));

        Assert.NotEqual(0, code);
        Assert.Contains(message, Printed, StringComparison.Ordinal);
    }

    private void Copy(string photo, string name)
    {
        var target = InTemp(name);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(FaceData.Photo(photo), target, overwrite: true);
    }
}
