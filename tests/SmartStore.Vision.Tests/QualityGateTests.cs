using OpenCvSharp;
using SmartStore.Testing;
using SmartStore.Vision.Quality;
using Xunit;

namespace SmartStore.Vision.Tests;

/// <summary>Each refusal of the enrolment quality gate, on a real photo made worse in exactly one way.</summary>
public sealed class QualityGateTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    [Fact]
    public async Task A_clear_frontal_photo_of_one_person_passes()
    {
        var analysis = await fixture.AnalyseAsync("obama/obama-1.jpg");
        Assert.Equal(QualityProblem.None, analysis.EnrolmentProblem);
    }

    [Fact]
    public async Task A_photo_without_a_face_is_refused_as_no_face()
    {
        using var gradient = new Mat(480, 640, MatType.CV_8UC3);
        Cv2.Randu(gradient, Scalar.All(0), Scalar.All(255));
        Cv2.GaussianBlur(gradient, gradient, new Size(51, 51), 0);
        var analysis = await fixture.Pipeline.AnalyseAsync(gradient.ImEncode(".jpg"));
        Assert.Equal(QualityProblem.NoFace, analysis.EnrolmentProblem);
    }

    [Fact]
    public async Task A_photo_of_two_people_is_refused_as_more_than_one_face()
    {
        var analysis = await fixture.AnalyseAsync("_multi/two-people.jpg");
        Assert.Equal(QualityProblem.SeveralFaces, analysis.EnrolmentProblem);
    }

    [Fact]
    public async Task A_face_shrunk_far_below_the_limit_is_refused_as_too_small()
    {
        // obama-1 has about 105 px between the eyes; a fifth of the size leaves about 21, under the 24 needed.
        var analysis = await AnalyseAltered("obama/obama-1.jpg", (image, output) => Cv2.Resize(image, output, new Size(image.Width / 5, image.Height / 5), interpolation: InterpolationFlags.Area));
        Assert.Equal(QualityProblem.TooSmall, analysis.EnrolmentProblem);
    }

    [Fact]
    public async Task A_blurred_face_is_refused_as_too_blurred()
    {
        var analysis = await AnalyseAltered("obama/obama-1.jpg", (image, output) => Cv2.GaussianBlur(image, output, new Size(0, 0), 9));
        Assert.Equal(QualityProblem.TooBlurred, analysis.EnrolmentProblem);
    }

    [Fact]
    public async Task A_dark_face_is_refused_as_too_dark()
    {
        var analysis = await AnalyseAltered("obama/obama-1.jpg", (image, output) => image.ConvertTo(output, -1, 0.22, 0));
        Assert.Equal(QualityProblem.TooDark, analysis.EnrolmentProblem);
    }

    [Fact]
    public async Task A_face_turned_away_is_measured_as_not_frontal()
    {
        // The group photo's third face is turned about half an eye distance away from the camera.
        var turned = (await fixture.AnalyseAsync("_multi/obama-and-biden.jpg")).Faces.Where(f => f.Problem == QualityProblem.NotFrontal).ToList();
        Assert.Single(turned);
        Assert.True(Math.Abs(turned[0].Measures.YawRatio) > fixture.Options.Quality.MaxYawRatio);
    }

    [Fact]
    public async Task A_face_cut_off_by_the_edge_of_the_picture_is_refused_as_partly_out_of_view()
    {
        // Half of Obama's face: the detector still finds it, but guesses the landmarks beyond the edge.
        var analysis = await fixture.AnalyseAsync("obama/obama-6-partial.jpg");
        Assert.Equal(QualityProblem.PartlyOutOfView, analysis.EnrolmentProblem);
        Assert.True(analysis.Faces[0].Measures.EdgeMargin < fixture.Options.Quality.MinEdgeMargin);
    }

    [Fact]
    public void Each_refusal_names_the_figure_that_missed()
    {
        var limits = new FaceQualityLimits();
        var measures = new FaceMeasures(EyeDistance: 12, Sharpness: 4, YawRatio: 0.6, Brightness: 20);
        Assert.Equal(QualityProblem.TooSmall, FaceQuality.Judge(measures, limits));
        Assert.Equal("face too small: 12 px between the eyes, at least 24 needed", FaceQuality.Describe(QualityProblem.TooSmall, measures, limits));
        Assert.Equal(QualityProblem.TooDark, FaceQuality.Judge(measures with { EyeDistance = 80 }, limits));
        Assert.Equal(QualityProblem.NotFrontal, FaceQuality.Judge(measures with { EyeDistance = 80, Brightness = 120 }, limits));
        Assert.Equal(QualityProblem.TooBlurred, FaceQuality.Judge(measures with { EyeDistance = 80, Brightness = 120, YawRatio = 0.1 }, limits));
        Assert.Equal(QualityProblem.None, FaceQuality.Judge(new FaceMeasures(80, 300, 0.1, 120), limits));
    }

    private async Task<Pipeline.FrameAnalysis> AnalyseAltered(string photo, Action<Mat, Mat> alter)
    {
        using var image = Cv2.ImDecode(FaceData.Bytes(photo), ImreadModes.Color);
        using var altered = new Mat();
        alter(image, altered);
        return await fixture.Pipeline.AnalyseAsync(altered.ImEncode(".jpg"));
    }
}
