using System.Text;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Messaging.Protocol;
using Xunit;

namespace SmartStore.Messaging.Tests;

public sealed class ProtocolTests
{
    private readonly DeviceMessageParser _parser = new(new RejectionCounters());

    private ParseOutcome Parse(DeviceKind kind, string device, string json) => _parser.Parse(kind, device, Encoding.UTF8.GetBytes(json));

    private const string Weight = """{"v":1,"device":"shelf-01","seq":42,"ts":1767254400000,"bin":"shelf-01-l1b1","grams":1012.5}""";

    [Fact]
    public void Valid_messages_of_every_kind_are_accepted()
    {
        var weight = Assert.IsType<WeightReport>(Parse(DeviceKind.Shelf, "shelf-01", Weight).Message);
        Assert.Equal(("shelf-01-l1b1", 1012.5, 42L), (weight.Bin, weight.Grams, weight.Seq));

        var gate = Assert.IsType<GateEvent>(Parse(DeviceKind.Gate, "gate-in", """{"v":1,"device":"gate-in","seq":1,"ts":5,"event":"identified","shopper":"s-7","confidence":0.97,"party":2}""").Message);
        Assert.Equal(("s-7", 0.97, 2), (gate.Shopper, gate.Confidence, gate.Party));

        var seen = Assert.IsType<CameraObservation>(Parse(DeviceKind.Camera, "cam-nw", """{"v":1,"device":"cam-nw","seq":3,"ts":5,"track":"t-1","body":[2.5,1.9],"hand":[2.5,2.1]}""").Message);
        Assert.Equal([2.5, 2.1], seen.Hand!);
        Assert.Equal(0, _parser.Counters.Total);
    }

    [Fact]
    public void A_camera_observation_of_version_2_gives_the_hands_height_and_version_1_is_still_read()
    {
        var v2 = Assert.IsType<CameraObservation>(Parse(DeviceKind.Camera, "cam-nw", """{"v":2,"device":"cam-nw","seq":3,"ts":5,"track":"t-1","body":[2.5,1.9],"hand":[2.5,2.1,1.25]}""").Message);
        Assert.Equal([2.5, 2.1, 1.25], v2.Hand!);
        var v1 = Assert.IsType<CameraObservation>(Parse(DeviceKind.Camera, "cam-nw", """{"v":1,"device":"cam-nw","seq":4,"ts":5,"track":"t-1","body":[2.5,1.9],"hand":[2.5,2.1]}""").Message);
        Assert.Equal([2.5, 2.1], v1.Hand!);
        Assert.Equal(0, _parser.Counters.Total);
    }

    [Theory]
    [InlineData("""{"v":1,"device":"cam-nw","seq":1,"ts":5,"track":"t","body":[2.5,1.9],"hand":[2.5,2.1,1.2]}""", RejectionReason.ImpossibleValue, "version 1 has no height")]
    [InlineData("""{"v":2,"device":"cam-nw","seq":1,"ts":5,"track":"t","body":[2.5,1.9],"hand":[2.5,2.1,7]}""", RejectionReason.ImpossibleValue, "z (height above the floor) 0..5")]
    [InlineData("""{"v":2,"device":"cam-nw","seq":1,"ts":5,"track":"t","body":[2.5,1.9],"hand":[2.5]}""", RejectionReason.ImpossibleValue, "[x, y] or [x, y, z]")]
    [InlineData("""{"v":3,"device":"cam-nw","seq":1,"ts":5,"track":"t","body":[2.5,1.9]}""", RejectionReason.UnsupportedVersion, "reads 1 and 2")]
    public void A_camera_observation_with_an_impossible_hand_or_an_unknown_version_is_refused_with_the_reason(string payload, RejectionReason reason, string detail)
    {
        var outcome = Parse(DeviceKind.Camera, "cam-nw", payload);
        Assert.Equal(reason, outcome.Reason);
        Assert.Contains(detail, outcome.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(DeviceKind.Shelf, "shelf-01", "{not json", RejectionReason.MalformedJson)]
    [InlineData(DeviceKind.Shelf, "shelf-01", "[1,2,3]", RejectionReason.MalformedJson)]
    [InlineData(DeviceKind.Shelf, "shelf-01", """{"v":2,"device":"shelf-01","seq":1,"ts":1,"bin":"b","grams":1}""", RejectionReason.UnsupportedVersion)]
    [InlineData(DeviceKind.Shelf, "shelf-01", """{"v":1,"device":"shelf-01","seq":1,"ts":1,"grams":1}""", RejectionReason.MissingField)]
    [InlineData(DeviceKind.Shelf, "shelf-02", """{"v":1,"device":"shelf-01","seq":1,"ts":1,"bin":"b","grams":1}""", RejectionReason.DeviceMismatch)]
    [InlineData(DeviceKind.Shelf, "shelf-01", """{"v":1,"device":"shelf-01","seq":1,"ts":1,"bin":"b","grams":9e9}""", RejectionReason.ImpossibleValue)]
    [InlineData(DeviceKind.Gate, "gate-in", """{"v":1,"device":"gate-in","seq":1,"ts":1,"event":"teleported"}""", RejectionReason.UnknownEvent)]
    [InlineData(DeviceKind.Gate, "gate-in", """{"v":1,"device":"gate-in","seq":1,"ts":1,"event":"identified","shopper":"s","confidence":1.7}""", RejectionReason.ImpossibleValue)]
    [InlineData(DeviceKind.Gate, "gate-in", """{"v":1,"device":"gate-in","seq":1,"ts":1,"event":"token","token":"qr","party":40}""", RejectionReason.ImpossibleValue)]
    [InlineData(DeviceKind.Camera, "cam-nw", """{"v":1,"device":"cam-nw","seq":1,"ts":1,"track":"t","body":[1]}""", RejectionReason.ImpossibleValue)]
    [InlineData(DeviceKind.Camera, "cam-nw", """{"v":1,"device":"cam-nw","seq":0,"ts":1,"track":"t","body":[1,1]}""", RejectionReason.MissingField)]
    public void Bad_input_is_rejected_with_a_specific_counted_reason(DeviceKind kind, string device, string json, RejectionReason reason)
    {
        var outcome = Parse(kind, device, json);

        Assert.False(outcome.Accepted);
        Assert.Equal(reason, outcome.Reason);
        Assert.False(string.IsNullOrWhiteSpace(outcome.Detail));
        Assert.Equal(1, _parser.Counters[reason]);
    }

    [Theory]
    [InlineData(DeviceKind.Shelf, "shelf-01", """{"v":1,"device":"shelf-01","seq":1,"ts":-5,"bin":"b","grams":1}""", RejectionReason.BadTimestamp, "before 1970")]
    [InlineData(DeviceKind.Gate, "gate-in", """{"v":1,"device":"gate-in","seq":1,"ts":-5,"event":"crossed","track":"t","inward":true}""", RejectionReason.BadTimestamp, "before 1970")]
    [InlineData(DeviceKind.Camera, "cam-nw", """{"v":1,"device":"cam-nw","seq":1,"ts":253402300800000,"track":"t","body":[1,1]}""", RejectionReason.BadTimestamp, "past the year 9999")]
    [InlineData(DeviceKind.Shelf, "shelf-01", """{"v":1,"device":"shelf-01","seq":1,"bin":"b","grams":1}""", RejectionReason.MissingField, "'ts' is missing")]
    [InlineData(DeviceKind.Shelf, "shelf-01", """{"v":1,"device":"shelf-01","seq":-2,"ts":5,"bin":"b","grams":1}""", RejectionReason.ImpossibleValue, "'seq' -2")]
    [InlineData(DeviceKind.Shelf, "shelf-01", """{"v":1,"device":"shelf-01","seq":1,"ts":5,"bin":"b","grams":-5}""", RejectionReason.ImpossibleValue, "-5 g")]
    public void A_time_no_clock_shows_and_a_negative_load_are_refused_as_such(DeviceKind kind, string device, string json, RejectionReason reason, string detail)
    {
        var outcome = Parse(kind, device, json);

        Assert.Equal(reason, outcome.Reason);
        Assert.Contains(detail, outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(1, _parser.Counters[reason]);
    }

    [Theory]
    [InlineData(-2.9)]
    [InlineData(0)]
    [InlineData(60_000)]
    public void An_empty_zeroed_cell_reading_a_little_under_zero_is_still_a_reading(double grams)
    {
        var outcome = Parse(DeviceKind.Shelf, "shelf-01", $$"""{"v":1,"device":"shelf-01","seq":1,"ts":5,"bin":"b","grams":{{grams.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}""");

        Assert.True(outcome.Accepted, outcome.Detail);
    }

    [Theory]
    [InlineData("[500,500]", null, "body at [500, 500]")]
    [InlineData("[-1.5,4]", null, "body at [-1.5, 4]")]
    [InlineData("[6,4]", "[6,9.5]", "hand at [6, 9.5]")]
    [InlineData("[6,4]", "[13.2,4,1.1]", "hand at [13.2, 4]")]
    public void A_camera_position_off_the_stores_floor_is_refused_as_outside_it(string body, string? hand, string detail)
    {
        var counters = new RejectionCounters();
        var parser = new DeviceMessageParser(counters, new FloorBounds(12, 8));
        var json = $$"""{"v":2,"device":"cam-nw","seq":1,"ts":5,"track":"t","body":{{body}}{{(hand is null ? "" : $",\"hand\":{hand}")}}}""";

        var outcome = parser.Parse(DeviceKind.Camera, "cam-nw", Encoding.UTF8.GetBytes(json));

        Assert.Equal(RejectionReason.OutsideFloor, outcome.Reason);
        Assert.Contains(detail, outcome.Detail, StringComparison.Ordinal);
        Assert.Contains("12 × 8 m", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(1, counters[RejectionReason.OutsideFloor]);
    }

    [Theory]
    [InlineData("[0,0]")]
    [InlineData("[12,8]")]
    [InlineData("[-0.9,8.9]")]
    public void A_camera_position_on_the_floor_or_within_a_metre_of_its_edge_is_accepted(string body)
    {
        var parser = new DeviceMessageParser(new RejectionCounters(), new FloorBounds(12, 8));
        var json = $$"""{"v":1,"device":"cam-nw","seq":1,"ts":5,"track":"t","body":{{body}}}""";

        Assert.True(parser.Parse(DeviceKind.Camera, "cam-nw", Encoding.UTF8.GetBytes(json)).Accepted);
    }

    [Fact]
    public void An_oversized_payload_is_refused_before_parsing()
    {
        var outcome = _parser.Parse(DeviceKind.Shelf, "shelf-01", new byte[DeviceMessageParser.MaxPayloadBytes + 1]);
        Assert.Equal(RejectionReason.Oversized, outcome.Reason);
    }

    [Fact]
    public void Random_bytes_and_mutated_messages_never_throw_and_every_rejection_is_counted()
    {
        var counters = new RejectionCounters();
        var parser = new DeviceMessageParser(counters);
        var template = Encoding.UTF8.GetBytes(Weight);
        var mutated = Gen.Zip(Gen.Zip(Gen.Choose(0, template.Length - 1), Gen.Choose(0, 255)), Gen.Choose(0, template.Length))
            .Select(t =>
            {
                var ((position, value), length) = t;
                var bytes = (byte[])template.Clone();
                bytes[position] = (byte)value;
                return bytes[..length];
            });
        var random = Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf();
        var payloads = Gen.OneOf(random, mutated).ToArbitrary();
        var rejected = 0;
        var runs = 0;
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(20_000), Prop.ForAll(payloads, (byte[] bytes) =>
        {
            runs++;
            var outcome = parser.Parse(DeviceKind.Shelf, "shelf-01", bytes);
            if (!outcome.Accepted)
            {
                rejected++;
            }

            return outcome.Accepted ^ outcome.Reason is not null;
        }));

        Assert.Equal(20_000, runs);
        Assert.Equal(rejected, counters.Total);
        Assert.True(rejected > 15_000, $"only {rejected} of 20,000 mutations were rejected");
    }

    [Theory]
    [InlineData("smartstore/corner-01/shelf/shelf-01/weight", DeviceKind.Shelf, "shelf-01")]
    [InlineData("smartstore/corner-01/gate/gate-in/events", DeviceKind.Gate, "gate-in")]
    [InlineData("smartstore/corner-01/camera/cam-nw/observations", DeviceKind.Camera, "cam-nw")]
    public void Topics_round_trip(string topic, DeviceKind kind, string device)
    {
        Assert.True(Topics.TryParse(topic, out var store, out var parsedKind, out var parsedDevice));
        Assert.Equal(("corner-01", kind, device), (store, parsedKind, parsedDevice));
        Assert.Equal(topic, Topics.For(store, kind, device));
    }

    [Theory]
    [InlineData("smartstore/corner-01/shelf/shelf-01/commands")]
    [InlineData("other/corner-01/shelf/shelf-01/weight")]
    [InlineData("smartstore//shelf/x/weight")]
    [InlineData("smartstore/corner-01/shelf/weight")]
    public void Foreign_topics_are_not_parsed(string topic) => Assert.False(Topics.TryParse(topic, out _, out _, out _));
}
