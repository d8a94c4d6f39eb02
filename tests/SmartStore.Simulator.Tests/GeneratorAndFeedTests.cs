using System.Security.Cryptography;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Simulator.Feeds;
using SmartStore.Simulator.Generation;
using Xunit;

namespace SmartStore.Simulator.Tests;

public sealed class GeneratorAndFeedTests : IDisposable
{
    internal static readonly StoreLayout Small = Load(Scenarios.Small);
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("smartstore-sim-tests-");

    internal static StoreLayout Load(string name) =>
        LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", name)), name);

    public void Dispose() => _directory.Delete(recursive: true);

    private string PathOf(string name) => Path.Combine(_directory.FullName, name);

    private static string Hash(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public async Task The_same_seed_writes_byte_identical_files_and_another_seed_does_not()
    {
        var spec = Scenarios.Find("busy-small")!;
        var hashes = new List<(string Feed, string Truth)>();
        foreach (var (seed, name) in new[] { (7, "a"), (7, "b"), (8, "c") })
        {
            var generated = Scenarios.Generate(spec, Small, seed, visits: 8);
            await FeedFile.WriteAsync(PathOf($"{name}.feed.jsonl.gz"), generated.Header, generated.Messages);
            await GroundTruth.WriteAsync(PathOf($"{name}.truth.json"), generated.Truth);
            hashes.Add((Hash(PathOf($"{name}.feed.jsonl.gz")), Hash(PathOf($"{name}.truth.json"))));
        }

        Assert.Equal(hashes[0], hashes[1]);
        Assert.NotEqual(hashes[0].Feed, hashes[2].Feed);
        Assert.NotEqual(hashes[0].Truth, hashes[2].Truth);
    }

    [Fact]
    public async Task A_feed_round_trips_through_its_file_and_every_payload_is_a_valid_device_message()
    {
        var generated = Scenarios.Generate(Scenarios.Find("noisy-network")!, Small, 3, visits: 4);
        await FeedFile.WriteAsync(PathOf("f.feed.jsonl"), generated.Header, generated.Messages);

        var problems = new List<FeedProblem>();
        var (header, messages) = await FeedFile.ReadAsync(PathOf("f.feed.jsonl"), BadLinePolicy.Reject, problems);

        Assert.Equal(generated.Header, header);
        Assert.Empty(problems);
        Assert.Equal(generated.Messages.Count, messages.Count);
        Assert.All(generated.Messages.Zip(messages, (first, second) => (First: first, Second: second)), pair =>
        {
            Assert.Equal((pair.First.At, pair.First.Topic), (pair.Second.At, pair.Second.Topic));
            Assert.Equal(pair.First.Payload, pair.Second.Payload);
        });
        // With the floor, as the node parses: the simulated cameras see only the store's floor.
        var parser = new DeviceMessageParser(new RejectionCounters(), new FloorBounds(Small.FloorWidth, Small.FloorDepth));
        Assert.All(messages, m =>
        {
            Assert.True(Topics.TryParse(m.Topic, out var store, out var kind, out var device));
            Assert.Equal(Small.StoreId, store);
            Assert.True(parser.Parse(kind, device, m.Payload).Accepted, m.Topic);
        });
        Assert.True(messages.Zip(messages.Skip(1), (first, second) => first.At <= second.At).All(ordered => ordered), "a feed is in arrival order");
    }

    [Fact]
    public void The_truth_follows_the_script_picker_pays_and_hard_cases_are_labelled()
    {
        var generated = Scenarios.Generate(Scenarios.Find(Episodes.HandOff)!, Small, 1, visits: 0);
        var truth = generated.Truth;

        // Each hand-off episode: the picker (a) pays for the item, the one who walked out with it (b) pays nothing.
        Assert.Equal(12, truth.Visits.Count);
        Assert.All(truth.Visits.Where(v => v.Key.EndsWith("-a", StringComparison.Ordinal)), v => Assert.Equal(1, v.Lines.Sum(l => l.Units)));
        Assert.All(truth.Visits.Where(v => v.Key.EndsWith("-b", StringComparison.Ordinal)), v => Assert.Empty(v.Lines));
        Assert.All(truth.Visits, v => Assert.Contains(Episodes.HandOff, v.Labels));
        Assert.All(truth.Actions, a => Assert.Contains(Episodes.HandOff, a.Labels));
        Assert.All(truth.Visits, v => Assert.Equal(v.Lines.Sum(l => l.Total), v.Total));
        Assert.Equal(truth.Shoppers.Count, truth.Visits.Select(v => v.PayerId).Distinct().Count());
    }

    [Fact]
    public void The_busy_hour_has_at_least_two_hundred_visits_in_an_hour_of_the_medium_store()
    {
        var spec = Scenarios.Find("busy-hour")!;

        Assert.Equal(Scenarios.Medium, spec.Layout);
        Assert.True(spec.Traffic.Visits >= 200);
        Assert.True(spec.Traffic.Visits * spec.Traffic.ArrivalEveryMs <= 3_600_000 * 1.0, "arrivals must fit in an hour");
    }

    [Fact]
    public async Task Corrupted_lines_are_reported_with_file_and_line_and_skipped_or_the_feed_rejected()
    {
        var generated = Scenarios.Generate(Scenarios.Find("normal")!, Small, 2, visits: 1);
        await FeedFile.WriteAsync(PathOf("ok.feed.jsonl"), generated.Header, generated.Messages.Take(50).ToList());
        var lines = (await File.ReadAllLinesAsync(PathOf("ok.feed.jsonl"))).ToList();
        lines[3] = lines[3][..20];                                  // truncated
        lines[7] = "{\"at\":-5,\"topic\":\"x\",\"payload\":{}}";      // negative time
        lines[9] = "{\"at\":5,\"topic\":\"x\",\"payload\":[1]}";      // payload not an object
        lines[11] = "hello";
        await File.WriteAllLinesAsync(PathOf("bad.feed.jsonl"), lines);

        var problems = new List<FeedProblem>();
        var (_, messages) = await FeedFile.ReadAsync(PathOf("bad.feed.jsonl"), BadLinePolicy.Skip, problems);
        var rejected = await Assert.ThrowsAsync<InvalidFeedException>(() => FeedFile.ReadAsync(PathOf("bad.feed.jsonl"), BadLinePolicy.Reject, []));

        Assert.Equal(46, messages.Count);
        Assert.Equal([4, 8, 10, 12], problems.Select(p => p.Line));
        Assert.All(problems, p => Assert.Equal("bad.feed.jsonl", p.File));
        Assert.Contains("'at'", problems[1].Message, StringComparison.Ordinal);
        Assert.Contains("'payload'", problems[2].Message, StringComparison.Ordinal);
        Assert.Equal(("bad.feed.jsonl", 4), (rejected.Problem.File, rejected.Problem.Line));
        Assert.StartsWith("bad.feed.jsonl:4:", rejected.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_that_is_not_a_feed_is_refused_on_its_first_line()
    {
        await File.WriteAllTextAsync(PathOf("x.feed.jsonl"), "{\"format\":\"something-else\",\"version\":1}\n");
        await File.WriteAllTextAsync(PathOf("y.feed.jsonl"), "{\"format\":\"smartstore-feed\",\"version\":9,\"store\":\"s\",\"layout\":\"l\",\"scenario\":\"x\",\"seed\":1,\"startMs\":0,\"endMs\":0,\"messages\":0}\n");

        var notAFeed = await Assert.ThrowsAsync<InvalidFeedException>(() => FeedFile.ReadAsync(PathOf("x.feed.jsonl"), BadLinePolicy.Skip, []));
        var newer = await Assert.ThrowsAsync<InvalidFeedException>(() => FeedFile.ReadAsync(PathOf("y.feed.jsonl"), BadLinePolicy.Skip, []));

        Assert.Equal(1, notAFeed.Problem.Line);
        Assert.Contains("version 9", newer.Message, StringComparison.Ordinal);
    }
}
