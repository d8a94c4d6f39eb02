using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using SmartStore.Simulator.Replay;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>What <c>sim play</c> changes in a device message, and that it changes nothing else.</summary>
public sealed class PayloadRebaseTests
{
    [Fact]
    public void Time_sequence_and_track_move_by_the_play_and_every_other_field_stays_as_the_device_sent_it()
    {
        var messages = Gen.Choose(0, 2_000_000).SelectMany(ts => Gen.Choose(1, 100_000).SelectMany(seq => Gen.Elements("trk-a", "trk-visit-0001-b", "x").SelectMany(track =>
            Gen.Elements(true, false).Select(withTrack => (ts: 1_795_248_000_000L + ts, seq: (long)seq, track, withTrack))))).ToArbitrary();
        var rebase = new PayloadRebase(TimeShiftMs: 12_345_678, SequenceBase: 1_800_000_000_000_000, TrackTag: "~abc");
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(300), Prop.ForAll(messages, m =>
        {
            var sent = new JsonObject { ["v"] = 1, ["device"] = "cam-sw", ["seq"] = m.seq, ["ts"] = m.ts, ["body"] = new JsonArray(1.5, 2.25), ["hand"] = null };
            if (m.withTrack)
            {
                sent["track"] = m.track;
            }

            var played = JsonNode.Parse(rebase.Apply(Encoding.UTF8.GetBytes(sent.ToJsonString()))!)!.AsObject();

            Assert.Equal(m.ts + 12_345_678, played["ts"]!.GetValue<long>());
            Assert.Equal(m.seq + 1_800_000_000_000_000, played["seq"]!.GetValue<long>());
            Assert.Equal(m.withTrack ? m.track + "~abc" : null, played["track"]?.GetValue<string>());
            foreach (var field in new[] { "v", "device", "body", "hand" })
            {
                Assert.Equal(sent[field]?.ToJsonString(), played[field]?.ToJsonString());
            }

            Assert.Equal(sent.Count, played.Count);
        }));
    }

    [Fact]
    public void A_binary_frame_is_not_rebased_and_a_malformed_message_goes_out_as_it_came_for_the_store_to_refuse()
    {
        var rebase = new PayloadRebase(1, 1, "~t");
        var malformed = Encoding.UTF8.GetBytes("{\"v\":1,\"device\":");

        Assert.Null(rebase.Apply([0x53, 0x53, 0x46, 0x31, 0, 0]));
        Assert.Null(rebase.Apply([]));
        Assert.Same(malformed, rebase.Apply(malformed));
    }
}
