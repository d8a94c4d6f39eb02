using SmartStore.Vision.Detection;
using SmartStore.Vision.Quality;

namespace SmartStore.Vision.Pipeline;

/// <summary>One face in an image: where it is, how good it is, and its embedding (unit length).</summary>
public sealed record AnalysedFace(DetectedFace Detection, FaceMeasures Measures, QualityProblem Problem, float[] Embedding)
{
    public bool Usable => Problem == QualityProblem.None;
}

/// <summary>Every face in one image, best detection first.</summary>
public sealed record FrameAnalysis(int Width, int Height, IReadOnlyList<AnalysedFace> Faces)
{
    /// <summary>
    /// The enrolment rule for one photo: exactly one face, and that face passes the quality gate. The problem
    /// is <see cref="QualityProblem.None"/> when the photo can be enrolled.
    /// </summary>
    public QualityProblem EnrolmentProblem => Faces.Count switch
    {
        0 => QualityProblem.NoFace,
        > 1 => QualityProblem.SeveralFaces,
        _ => Faces[0].Problem,
    };
}
