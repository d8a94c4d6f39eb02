using SmartStore.Testing;
using SmartStore.Vision.Embedding;
using SmartStore.Vision.Search;
using Xunit;

namespace SmartStore.Vision.Tests;

/// <summary>The whole pipeline on the labelled photos: enrol from some photos, identify from the others.</summary>
public sealed class IdentificationTests(PipelineFixture fixture) : IClassFixture<PipelineFixture>
{
    private static readonly MatchSettings Settings = new();

    [Fact]
    public async Task Every_enrolled_person_is_identified_from_a_photo_not_used_to_enrol_them()
    {
        using var gallery = new TemplateIndex(fixture.Pipeline.Dimensions);
        var heldOut = new List<(string Person, string Photo)>();
        foreach (var person in FaceData.People)
        {
            var photos = FaceData.PhotosOf(person);
            var enrolment = new List<float[]>();
            foreach (var photo in photos.Take(photos.Count - 1))
            {
                var analysis = await fixture.AnalyseAsync(photo);
                Assert.Single(analysis.Faces);
                enrolment.Add(analysis.Faces[0].Embedding);
            }

            gallery.Upsert(person, FaceEmbedder.MeanTemplate(enrolment));
            heldOut.Add((person, photos[^1]));
        }

        foreach (var (person, photo) in heldOut)
        {
            var probe = (await fixture.AnalyseAsync(photo)).Faces.Single();
            var verdict = MatchDecision.Decide(gallery.Search(probe.Embedding), Settings);
            Assert.True(verdict.ShopperId == person, $"{photo}: {verdict.ShopperId ?? verdict.Refusal} (similarity {verdict.Similarity:0.00})");
        }
    }

    [Fact]
    public async Task A_stranger_is_not_recognised()
    {
        using var gallery = await GalleryOfFirstPhotosAsync();
        var stranger = (await fixture.AnalyseAsync("_multi/unknown-lin-manuel-miranda.png")).Faces.Single();
        var verdict = MatchDecision.Decide(gallery.Search(stranger.Embedding), Settings);
        Assert.False(verdict.Recognised);
        Assert.Equal("face not recognised: use the app code", verdict.Refusal);
    }

    [Fact]
    public async Task Two_people_in_one_photo_are_both_found_and_both_identified()
    {
        using var gallery = await GalleryOfFirstPhotosAsync();
        var analysis = await fixture.AnalyseAsync("_multi/kit-with-rose.jpg");
        Assert.Equal(2, analysis.Faces.Count);
        var names = analysis.Faces.Select(f => MatchDecision.Decide(gallery.Search(f.Embedding), Settings).ShopperId).Order().ToList();
        Assert.Equal(["kit_harington", "rose_leslie"], names);
    }

    [Fact]
    public async Task A_best_match_that_does_not_lead_the_second_by_the_margin_is_refused()
    {
        // Two templates of the same person under different ids: the face matches both about equally.
        using var gallery = new TemplateIndex(fixture.Pipeline.Dimensions);
        gallery.Upsert("obama-a", (await fixture.AnalyseAsync("obama/obama-1.jpg")).Faces.Single().Embedding);
        gallery.Upsert("obama-b", (await fixture.AnalyseAsync("obama/obama-4.jpg")).Faces.Single().Embedding);
        var probe = (await fixture.AnalyseAsync("obama/obama-2.jpg")).Faces.Single();
        var verdict = MatchDecision.Decide(gallery.Search(probe.Embedding), Settings);
        Assert.False(verdict.Recognised);
        Assert.Contains("more than one shopper", verdict.Refusal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Analyses_running_at_once_give_the_same_embeddings_as_one_at_a_time()
    {
        var photos = FaceData.People.Select(p => FaceData.PhotosOf(p)[0]).ToList();
        var sequential = new List<float[]>();
        foreach (var photo in photos)
        {
            sequential.Add((await fixture.AnalyseAsync(photo)).Faces[0].Embedding);
        }

        var parallel = await Task.WhenAll(photos.Select(fixture.AnalyseAsync));
        for (var i = 0; i < photos.Count; i++)
        {
            Assert.Equal(sequential[i], parallel[i].Faces[0].Embedding);
        }
    }

    private async Task<TemplateIndex> GalleryOfFirstPhotosAsync()
    {
        var gallery = new TemplateIndex(fixture.Pipeline.Dimensions);
        foreach (var person in FaceData.People)
        {
            gallery.Upsert(person, (await fixture.AnalyseAsync(FaceData.PhotosOf(person)[0])).Faces.Single().Embedding);
        }

        return gallery;
    }
}
