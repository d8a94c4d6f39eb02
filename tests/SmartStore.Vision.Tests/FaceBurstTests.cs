using OpenCvSharp;
using SmartStore.Vision.Identification;
using SmartStore.Vision.Search;
using Xunit;

namespace SmartStore.Vision.Tests;

/// <summary>The gate's burst rules over frames of known faces (no images: the rules alone).</summary>
public sealed class FaceBurstTests
{
    private static readonly FaceEntrySettings Settings = new();

    [Fact]
    public void Three_moving_frames_of_one_enrolled_face_admit_once_and_the_same_face_is_then_ignored_for_a_while()
    {
        var burst = FaceBurst.Empty;
        BurstOutcome outcome = BurstOutcome.Pending.Instance;
        for (var i = 0; i < 3; i++)
        {
            (burst, outcome) = FaceBurst.Add(burst, Frame(i, [Face("ana", 100 + (i * 3))]), Settings);
        }

        var admitted = Assert.IsType<BurstOutcome.Identified>(outcome);
        Assert.Equal(("ana", 1), (admitted.ShopperId, admitted.Party));
        for (var i = 3; i < 8; i++)
        {
            (burst, outcome) = FaceBurst.Add(burst, Frame(i, [Face("ana", 100 + (i * 3))]), Settings);
            Assert.IsType<BurstOutcome.Pending>(outcome);
        }
    }

    [Fact]
    public void A_face_never_recognised_is_refused_and_the_gate_then_stays_quiet_briefly()
    {
        var burst = FaceBurst.Empty;
        BurstOutcome outcome = BurstOutcome.Pending.Instance;
        for (var i = 0; i < 3; i++)
        {
            (burst, outcome) = FaceBurst.Add(burst, Frame(i, [Face(null, 100 + (i * 3))]), Settings);
        }

        Assert.Equal("face not recognised: use the app code", Assert.IsType<BurstOutcome.Refused>(outcome).Reason);
        (_, outcome) = FaceBurst.Add(burst, Frame(3, [Face(null, 110)]), Settings);
        Assert.IsType<BurstOutcome.Pending>(outcome);
    }

    [Fact]
    public void Frames_that_name_different_shoppers_admit_nobody()
    {
        var burst = FaceBurst.Empty;
        BurstOutcome outcome = BurstOutcome.Pending.Instance;
        foreach (var (i, who) in new[] { (0, "ana"), (1, "bo"), (2, "ana") })
        {
            (burst, outcome) = FaceBurst.Add(burst, Frame(i, [Face(who, 100 + (i * 3))]), Settings);
        }

        Assert.Contains("different shoppers", Assert.IsType<BurstOutcome.Refused>(outcome).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Frames_too_far_apart_are_not_one_person_at_the_gate()
    {
        var burst = FaceBurst.Empty;
        BurstOutcome outcome = BurstOutcome.Pending.Instance;
        foreach (var i in new[] { 0, 1, 30 })
        {
            (burst, outcome) = FaceBurst.Add(burst, Frame(i, [Face("ana", 100 + i)]), Settings);
        }

        Assert.IsType<BurstOutcome.Pending>(outcome);
        Assert.Single(burst.Frames);
    }

    [Fact]
    public void A_frame_older_than_the_window_behind_the_newest_is_ignored_not_mixed_into_the_burst()
    {
        var (burst, _) = FaceBurst.Add(FaceBurst.Empty, Frame(30, [Face("ana", 100)]), Settings);
        (burst, var outcome) = FaceBurst.Add(burst, Frame(0, [Face("ana", 140)]), Settings);
        Assert.IsType<BurstOutcome.Pending>(outcome);
        Assert.Equal([31L], burst.Frames.Select(f => f.Seq));
    }

    [Fact]
    public void A_face_that_is_never_usable_is_refused_with_its_quality_reason()
    {
        var burst = FaceBurst.Empty;
        BurstOutcome outcome = BurstOutcome.Pending.Instance;
        for (var i = 0; i < Settings.MaxUnusableFrames; i++)
        {
            (burst, outcome) = FaceBurst.Add(burst, Frame(i, [], unusable: 1, reason: "face too dark: brightness 20 of 255, at least 45 needed"), Settings);
        }

        Assert.StartsWith("face too dark", Assert.IsType<BurstOutcome.Refused>(outcome).Reason, StringComparison.Ordinal);
    }

    private static FrameFaces Frame(int i, IReadOnlyList<FaceCandidate> faces, int? party = null, int unusable = 0, string? reason = null) =>
        new(i + 1, 1_000 + (i * 200), party, (ulong)(i + 1), faces, unusable, reason);

    private static FaceCandidate Face(string? shopper, float x) =>
        new([new(x, 100), new(x + 50, 100), new(x + 25, 125), new(x + 8, 150), new(x + 42, 150)],
            shopper is null ? new MatchVerdict(null, 0.1, "face not recognised: use the app code") : new MatchVerdict(shopper, 0.7, null));
}
