using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Akka.Actor;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Tests;
using SmartStore.Domain.Visits;
using SmartStore.Node.Persistence;
using Xunit;

namespace SmartStore.Node.Tests;

public sealed record NoteWritten(string Text, string Author);

[JsonSerializable(typeof(NoteWritten))]
internal sealed partial class NoteJson : JsonSerializerContext;

/// <summary>The node's serializer and its catalog: stable manifests, exact round trips, old versions upcast, clear refusals.</summary>
public sealed class SerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("serializer-tests", "akka.loglevel = WARNING");
    private readonly SmartStoreSerializer _serializer;

    public SerializerTests() => _serializer = new SmartStoreSerializer((ExtendedActorSystem)_system, NodeCatalog.Create());

    public void Dispose() => _system.Dispose();

    private object RoundTrip(object value) => _serializer.FromBinary(_serializer.ToBinary(value), _serializer.Manifest(value));

    [Fact]
    public void Manifests_are_the_catalogs_stable_names_and_versions_not_type_names()
    {
        Assert.Equal("floor-batch.v1", _serializer.Manifest(new FloorBatch([])));
        Assert.Equal("visit-opened.v1", _serializer.Manifest(new VisitOpened("v", "s", "p", 1, "g", 0, null, 0, DateTimeOffset.UnixEpoch)));
        Assert.Equal("debt-recorded.v1", _serializer.Manifest(new SmartStore.Payments.DebtRecorded("v", "s", 1, "EUR")));
        Assert.Equal(SmartStoreSerializer.Id, _serializer.Identifier);
    }

    [Fact]
    public void Recovery_through_the_serializer_in_any_batching_rebuilds_exactly_the_floor_that_was_running()
    {
        var property = Prop.ForAll(Gen.Choose(0, 100_000).ToArbitrary(), Gen.Choose(1, 40).ArrayOf().ToArbitrary(), (seed, batches) =>
        {
            var records = FloorHistory.RandomMorning(seed);
            var (live, liveVerdicts) = FloorHistory.Fold(records);
            var back = new List<FloorRecord>();
            for (int i = 0, b = 0; i < records.Count; b++)
            {
                var size = Math.Max(1, batches.Length == 0 ? records.Count : batches[b % batches.Length]);
                back.AddRange(((FloorBatch)RoundTrip(new FloorBatch([.. records.Skip(i).Take(size)]))).Records);
                i += size;
            }

            var (recovered, recoveredVerdicts) = FloorHistory.Fold(back);
            return FloorHistory.Fingerprint(live) == FloorHistory.Fingerprint(recovered) && liveVerdicts.SequenceEqual(recoveredVerdicts);
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(60), property);
    }

    [Fact]
    public void A_floor_snapshot_through_the_serializer_restores_the_floor_it_was_taken_of()
    {
        var records = FloorHistory.RandomMorning(17);
        var (state, _) = FloorHistory.Fold(records.Take(records.Count / 2));

        var restored = ((FloorSnapshot)RoundTrip(FloorSnapshot.Capture(state))).Restore(FloorHistory.Small);

        Assert.Equal(FloorHistory.Fingerprint(state), FloorHistory.Fingerprint(restored));
        Assert.Equal(FloorHistory.Fingerprint(FloorHistory.Fold(records).State), FloorHistory.Fingerprint(FloorHistory.Fold(records.Skip(records.Count / 2), restored).State));
    }

    [Fact]
    public void An_old_event_version_is_upcast_on_read_and_the_current_one_is_read_as_it_is()
    {
        var v1 = new EventCatalog().Register("note-written", 1, NoteJson.Default.NoteWritten);
        var v2 = new EventCatalog()
            .Register("note-written", 2, NoteJson.Default.NoteWritten)
            .AddUpcaster("note-written", 1, node => new JsonObject { ["Text"] = node["Text"]!.GetValue<string>(), ["Author"] = "unknown" });
        var old = new SmartStoreSerializer((ExtendedActorSystem)_system, v1);
        var current = new SmartStoreSerializer((ExtendedActorSystem)_system, v2);
        var written = new NoteWritten("hello", "ann");
        var oldBytes = System.Text.Encoding.UTF8.GetBytes("{\"Text\":\"hello\"}");

        Assert.Equal("note-written.v1", old.Manifest(written));
        Assert.Equal(new NoteWritten("hello", "unknown"), current.FromBinary(oldBytes, "note-written.v1"));
        Assert.Equal(written, current.FromBinary(current.ToBinary(written), "note-written.v2"));
    }

    [Theory]
    [InlineData("note-written.v3", "written by a newer release")]
    [InlineData("parcel-lost.v1", "no type is registered as 'parcel-lost'")]
    [InlineData("note-written", "is not '{name}.v{version}'")]
    public void A_manifest_this_node_cannot_read_is_refused_with_the_reason(string manifest, string reason)
    {
        var current = new SmartStoreSerializer((ExtendedActorSystem)_system, new EventCatalog().Register("note-written", 2, NoteJson.Default.NoteWritten));

        var error = Assert.Throws<StoredEventException>(() => current.FromBinary("{}"u8.ToArray(), manifest));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_the_catalog_does_not_know_is_never_serialized_by_accident()
    {
        var error = Assert.Throws<ArgumentException>(() => _serializer.Manifest(new NoteWritten("x", "y")));

        Assert.Contains("register it in the event catalog", error.Message, StringComparison.Ordinal);
    }
}
