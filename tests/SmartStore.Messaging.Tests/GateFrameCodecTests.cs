using FsCheck;
using FsCheck.Fluent;
using SmartStore.Messaging.Protocol;
using Xunit;

namespace SmartStore.Messaging.Tests;

public sealed class GateFrameCodecTests
{
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 4];

    [Fact]
    public void A_written_frame_parses_back_to_its_header_and_image_whatever_the_bytes()
    {
        var frames = Gen.Zip(Gen.Zip(Gen.Choose(1, int.MaxValue), Gen.Choose(1, 10)), Gen.Choose(1, 4_000).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b), n)))
            .ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(200), Prop.ForAll(frames, t =>
        {
            var ((seq, party), image) = t;
            var header = new GateFrameHeader(1, "gate-in", seq, 1_733_000_000_000 + seq, party);
            var outcome = GateFrameCodec.Parse("gate-in", GateFrameCodec.Write(header, image));
            var frame = Assert.IsType<GateFrame>(outcome.Message);
            Assert.Equal((header.Seq, header.Ts, header.Party), (frame.Seq, frame.Ts, frame.Party));
            Assert.Equal(image, frame.Image.ToArray());
        }));
    }

    [Theory]
    [InlineData("magic", RejectionReason.MalformedFrame)]
    [InlineData("length", RejectionReason.MalformedFrame)]
    [InlineData("json", RejectionReason.MalformedJson)]
    [InlineData("version", RejectionReason.UnsupportedVersion)]
    [InlineData("device", RejectionReason.DeviceMismatch)]
    [InlineData("seq", RejectionReason.MissingField)]
    [InlineData("party", RejectionReason.ImpossibleValue)]
    [InlineData("empty", RejectionReason.MalformedFrame)]
    [InlineData("huge", RejectionReason.Oversized)]
    public void Each_kind_of_bad_frame_is_refused_with_its_reason(string fault, RejectionReason expected)
    {
        var header = new GateFrameHeader(1, "gate-in", 7, 1_733_000_000_000, null);
        var frame = fault switch
        {
            "magic" => [.. "XXXX"u8, .. GateFrameCodec.Write(header, Jpeg).AsSpan(4)],
            "length" => [.. GateFrameCodec.Write(header, Jpeg).AsSpan(0, 4), 0xFF, 0xFF, .. "{}"u8],
            "json" => [.. "SSGF"u8, 0, 5, .. "{nope"u8, .. Jpeg],
            "version" => GateFrameCodec.Write(header with { V = 2 }, Jpeg),
            "device" => GateFrameCodec.Write(header with { Device = "gate-out" }, Jpeg),
            "seq" => GateFrameCodec.Write(header with { Seq = 0 }, Jpeg),
            "party" => GateFrameCodec.Write(header with { Party = 0 }, Jpeg),
            "empty" => GateFrameCodec.Write(header, []),
            _ => GateFrameCodec.Write(header, new byte[GateFrameCodec.MaxImageBytes + 1]),
        };
        var counters = new RejectionCounters();
        var outcome = new DeviceMessageParser(counters).Parse(DeviceKind.GateCamera, "gate-in", frame);
        Assert.Equal(expected, outcome.Reason);
        Assert.Equal(1, counters[expected]);
    }

    [Fact]
    public void The_frames_topic_is_the_gates_own_and_the_node_subscribes_to_it()
    {
        Assert.Equal("smartstore/s1/gate/gate-in/frames", Topics.For("s1", DeviceKind.GateCamera, "gate-in"));
        Assert.True(Topics.TryParse("smartstore/s1/gate/gate-in/frames", out var store, out var kind, out var gate));
        Assert.Equal(("s1", DeviceKind.GateCamera, "gate-in"), (store, kind, gate));
        Assert.Contains("smartstore/s1/gate/+/frames", Topics.SubscriptionsFor("s1"));
    }
}
