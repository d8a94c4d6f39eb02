using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;
using SmartStore.Simulator.Generation;
using SmartStore.Simulator.Replay;
using SmartStore.Testing;
using SmartStore.Vision;
using Xunit;

namespace SmartStore.Simulator.Tests;

/// <summary>
/// Face entry through a real node (SQLite journal, key vault, ONNX Runtime, OpenCV): shoppers enrol from
/// photos and walk in from gate-camera frames made of a photo they did not enrol with; strangers, replayed
/// stills, crowds and erased shoppers stay outside, each with its reason.
/// </summary>
public sealed class FaceEntryTests : IAsyncLifetime
{
    private static readonly StoreLayout Layout = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
    private static readonly DateTimeOffset Consent = new(2026, 12, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("smartstore-faces-").FullName;
    private InProcessTransport _transport = new();
    private StoreNode _node = null!;
    private readonly GateCamera _camera = new(Layout.StoreId, "gate-in");

    private StoreNodeOptions Options => new(Layout)
    {
        Journal = JournalSettings.SqliteFile(Path.Combine(_folder, "journal.db")),
        Vision = new VisionOptions { DetectorModelPath = FaceData.DetectorModel, EmbedderModelPath = FaceData.EmbedderModel, EmbedderSha256 = FaceData.EmbedderSha256, Workers = 2 },
        Entry = new() { HoldMinor = 0 },
    };

    public async Task InitializeAsync() => await StartAsync();

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Every_enrolled_shopper_walks_in_by_face_from_a_photo_not_used_to_enrol_them()
    {
        // obama-6-partial shows half a face (see ../shared/data/faces/README.md): it is the cut-off case below.
        static IReadOnlyList<string> Whole(string person) => [.. FaceData.PhotosOf(person).Where(p => !p.Contains("partial", StringComparison.Ordinal))];
        foreach (var person in FaceData.People)
        {
            var photos = Whole(person);
            await EnrolAsync(person, photos.Take(photos.Count - 1));
        }

        Assert.Equal(FaceData.People.Count, _node.GallerySize);
        foreach (var person in FaceData.People)
        {
            var command = await WalkUpAsync(GateCameraFrames.Walking(FaceData.Bytes(Whole(person)[^1]), 3, seed: person.Length));
            Assert.True(command.Command == GateCommand.Open, $"{person}: {command.Reason}");
            var visit = await _node.GetVisitAsync(command.Visit!);
            Assert.Equal(person, visit.State.PayerId);
        }

        Assert.Equal(FaceData.People.Count, _node.Health.Faces.Summary().Identified);

        // Half a face at the camera is not identified, and the gate says why.
        var cut = await WalkUpAsync(GateCameraFrames.Walking(FaceData.Bytes("obama/obama-6-partial.jpg"), 3, seed: 1), afterMs: 15_000);
        Assert.Equal((GateCommand.Deny, "face partly out of view: the whole face must be in the picture; look at the camera, or use the app code"), (cut.Command, cut.Reason));
    }

    [Fact]
    public async Task A_stranger_and_a_replayed_still_of_an_enrolled_shopper_are_refused_with_their_reasons()
    {
        await EnrolAsync("obama", ["obama/obama-1.jpg", "obama/obama-2.jpg"]);

        var stranger = await WalkUpAsync(GateCameraFrames.Walking(FaceData.Bytes("_multi/unknown-lin-manuel-miranda.png"), 3, seed: 1));
        Assert.Equal((GateCommand.Deny, "face not recognised: use the app code"), (stranger.Command, stranger.Reason));

        var still = await WalkUpAsync(GateCameraFrames.Still(FaceData.Bytes("obama/obama-4.jpg"), 3));
        Assert.Equal((GateCommand.Deny, "liveness: every frame is identical (a replayed still image)"), (still.Command, still.Reason));

        var faces = _node.Health.Faces.Summary();
        Assert.Equal(1, faces.RefusedByReason["face not recognised"]);
        Assert.Equal(1, faces.RefusedByReason["liveness: every frame is identical"]);
        Assert.Equal(0, faces.Identified);
        Assert.Equal(2, _node.Health.Snapshot().EntriesDenied);
    }

    [Fact]
    public async Task Two_faces_need_a_group_entry_and_a_group_needs_exactly_one_enrolled_payer()
    {
        await EnrolAsync("kit_harington", ["kit_harington/kit-1.jpg", "kit_harington/kit-2.jpg"]);
        var both = FaceData.Bytes("_multi/kit-with-rose.jpg");

        var alone = await WalkUpAsync(GateCameraFrames.Walking(both, 3, seed: 2));
        Assert.Equal(GateCommand.Deny, alone.Command);
        Assert.StartsWith("2 faces at the gate", alone.Reason, StringComparison.Ordinal);

        var group = await WalkUpAsync(GateCameraFrames.Walking(both, 3, seed: 3), party: 2);
        Assert.True(group.Command == GateCommand.Open, group.Reason);
        Assert.Equal(2, group.Party);

        // With Rose enrolled too, nobody can tell who pays: the group is refused.
        await EnrolAsync("rose_leslie", ["rose_leslie/rose-1.jpg", "rose_leslie/rose-2.jpg"]);
        var twoPayers = await WalkUpAsync(GateCameraFrames.Walking(both, 3, seed: 4), party: 2, afterMs: 15_000);
        Assert.Equal((GateCommand.Deny, "more than one enrolled shopper in one group: the payer uses the app code"), (twoPayers.Command, twoPayers.Reason));
    }

    [Fact]
    public async Task Enrolment_refuses_without_consent_and_names_each_photo_that_fails_the_quality_gate()
    {
        await _node.EnrolAsync("vlado", "Vlado", "face/vlado", "tok-vlado", Consent);
        var good = FaceData.Bytes("vlado/vlado-1.jpg");

        var noConsent = await _node.EnrolFaceAsync("vlado", [good], consentedAt: null);
        Assert.False(noConsent.Enrolled);
        Assert.Contains("consent", Assert.Single(noConsent.Refusals), StringComparison.Ordinal);

        var mixed = await _node.EnrolFaceAsync("vlado", [good, FaceData.Bytes("_multi/two-people.jpg"), "not a photo"u8.ToArray()], Consent);
        Assert.False(mixed.Enrolled);
        Assert.Equal(["photo 2: more than one face: the photo must show only the shopper", "photo 3: not a JPEG or PNG image"], mixed.Refusals);

        var tooMany = await _node.EnrolFaceAsync("vlado", [.. Enumerable.Repeat<ReadOnlyMemory<byte>>(good, 6)], Consent);
        Assert.Equal("6 photos: enrol with 1 to 5", Assert.Single(tooMany.Refusals));
        Assert.Equal(0, _node.GallerySize);

        var stranger = await _node.EnrolFaceAsync("nobody", [good], Consent);
        Assert.Contains("no account", Assert.Single(stranger.Refusals), StringComparison.Ordinal);

        Assert.True((await _node.EnrolFaceAsync("vlado", [good], Consent)).Enrolled);
        Assert.Equal(1, _node.GallerySize);
    }

    [Fact]
    public async Task An_erased_shopper_is_no_longer_recognised_and_the_gallery_comes_back_without_them_after_a_restart()
    {
        await EnrolAsync("biden", ["biden/biden-1.jpg"]);
        await EnrolAsync("obama", ["obama/obama-1.jpg", "obama/obama-3.jpg"]);
        Assert.Null((await _node.EraseAccountAsync("biden")).Refused);
        Assert.Equal(1, _node.GallerySize);

        await _node.DisposeAsync();
        await StartAsync();
        Assert.Equal(1, _node.GallerySize);

        var erased = await WalkUpAsync(GateCameraFrames.Walking(FaceData.Bytes("biden/biden-2.jpg"), 3, seed: 5));
        Assert.Equal((GateCommand.Deny, "face not recognised: use the app code"), (erased.Command, erased.Reason));
        var known = await WalkUpAsync(GateCameraFrames.Walking(FaceData.Bytes("obama/obama-2.jpg"), 3, seed: 6));
        Assert.True(known.Command == GateCommand.Open, known.Reason);
    }

    [Fact]
    public async Task Bad_frames_are_refused_counted_and_do_not_stop_the_gate()
    {
        var topic = Topics.For(Layout.StoreId, DeviceKind.GateCamera, "gate-in");
        Assert.Equal(Delivery.Rejected, await _transport.SendAsync(topic, "not a frame"u8.ToArray()));
        var header = _camera.NextHeader();
        Assert.Equal(Delivery.Rejected, await _transport.SendAsync(topic, GateFrameCodec.Write(header, "not a jpeg"u8)));
        Assert.Equal(Delivery.Rejected, await _transport.SendAsync(topic, GateFrameCodec.Write(header with { Device = "gate-out" }, FaceData.Bytes("obama/obama-1.jpg"))));
        Assert.Equal(Delivery.Rejected, await _transport.SendAsync(Topics.For(Layout.StoreId, DeviceKind.GateCamera, "gate-9"), GateFrameCodec.Write(header with { Device = "gate-9" }, FaceData.Bytes("obama/obama-1.jpg"))));

        var rejected = _node.Health.Rejections;
        Assert.Equal(2, rejected[RejectionReason.MalformedFrame]);
        Assert.Equal(1, rejected[RejectionReason.DeviceMismatch]);
        Assert.Equal(1, rejected[RejectionReason.UnknownDevice]);

        await EnrolAsync("obama", ["obama/obama-1.jpg"]);
        var open = await WalkUpAsync(GateCameraFrames.Walking(FaceData.Bytes("obama/obama-2.jpg"), 3, seed: 7));
        Assert.Equal(GateCommand.Open, open.Command);
    }

    [Fact]
    public async Task A_camera_flooding_the_gate_has_its_excess_frames_dropped_and_counted_and_the_gate_keeps_working()
    {
        var topic = Topics.For(Layout.StoreId, DeviceKind.GateCamera, "gate-in");
        var frame = GateCameraFrames.Walking(FaceData.Bytes("_multi/unknown-lin-manuel-miranda.png"), 1, seed: 1)[0];
        var flood = Enumerable.Range(1, 60).Select(i => GateFrameCodec.Write(_camera.NextHeader(offsetMs: i), frame)).ToList();
        var outcomes = await Task.WhenAll(flood.Select(f => _transport.SendAsync(topic, f).AsTask()));

        var dropped = outcomes.Count(o => o == Delivery.Rejected);
        Assert.True(dropped > 0, "sixty frames at once should overflow the gate's analysis queue");
        Assert.Equal(60, dropped + outcomes.Count(o => o == Delivery.Accepted));
        Assert.Equal(dropped, _node.Health.Rejections[RejectionReason.Overloaded]);

        // A shopper still walks in (the flood's own answers are older than the walk, and skipped).
        await EnrolAsync("obama", ["obama/obama-1.jpg"]);
        var open = await WalkUpAsync(GateCameraFrames.Walking(FaceData.Bytes("obama/obama-2.jpg"), 3, seed: 8), afterMs: 60_000);
        Assert.Equal(GateCommand.Open, open.Command);
    }

    private async Task StartAsync()
    {
        _transport = new InProcessTransport();
        _node = await StoreNode.StartAsync(Options, new SimulatedPsp(new PspSimulation { Seed = 3 }), _transport);
        _transport.Connect(_node);
    }

    private async Task EnrolAsync(string person, IEnumerable<string> photos)
    {
        var account = await _node.EnrolAsync(person, person, $"face/{person}", $"tok-{person}", Consent);
        Assert.Null(account.Refused);
        var face = await _node.EnrolFaceAsync(person, [.. photos.Select(p => (ReadOnlyMemory<byte>)FaceData.Bytes(p))], Consent);
        Assert.True(face.Enrolled, string.Join("; ", face.Refusals));
    }

    /// <summary>Sends the frames as the entry gate's camera would, 200 ms apart, and returns the gate's answer.</summary>
    private async Task<GateCommand> WalkUpAsync(IReadOnlyList<byte[]> frames, int? party = null, long afterMs = 5_000) =>
        (await _camera.WalkUpAsync(_transport, frames, party, afterMs)).Answer;
}

/// <summary>
/// The same walk-up through a real broker: a gate camera publishes its frames to Mosquitto (QoS 1, binary), the
/// node's MQTT transport hands them to the gate, and the gate device hears the answer on its commands topic.
/// </summary>
public sealed class FaceEntryOverMqttTests
{
    [Fact]
    public async Task A_shopper_walks_in_by_face_through_the_broker_and_a_replayed_still_is_refused()
    {
        var layout = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
        var folder = Directory.CreateTempSubdirectory("smartstore-faces-mqtt-").FullName;
        await using var broker = await MosquittoServer.StartAsync();
        var commands = new LateBoundPublisher();
        var options = new StoreNodeOptions(layout)
        {
            Journal = JournalSettings.SqliteFile(Path.Combine(folder, "journal.db")),
            Vision = new VisionOptions { DetectorModelPath = FaceData.DetectorModel, EmbedderModelPath = FaceData.EmbedderModel, Workers = 2 },
            Entry = new() { HoldMinor = 0 },
        };
        MqttSessionOptions Client(string id) => new() { Host = broker.Host, Port = broker.Port, ClientId = id, CleanSession = true };
        try
        {
            await using var node = await StoreNode.StartAsync(options, new SimulatedPsp(new PspSimulation()), commands);
            await using var transport = await Node.Transport.MqttTransport.StartAsync(Client("node"), layout.StoreId, node, node.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
            commands.Target = transport;
            await node.EnrolAsync("obama", "Barack", "face/obama", "tok-obama", DateTimeOffset.UtcNow);
            Assert.True((await node.EnrolFaceAsync("obama", [FaceData.Bytes("obama/obama-1.jpg"), FaceData.Bytes("obama/obama-3.jpg")], DateTimeOffset.UtcNow)).Enrolled);

            await using var gate = new MqttSession(Client("gate-in-device"));
            gate.Subscribe(Topics.GateCommands(layout.StoreId, "gate-in"));
            await gate.ConnectAsync();
            await using var camera = new MqttSession(Client("gate-in-camera"));
            await camera.ConnectAsync();
            var topic = Topics.For(layout.StoreId, DeviceKind.GateCamera, "gate-in");
            var start = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

            var walking = GateCameraFrames.Publish("gate-in", 1, start, 200, GateCameraFrames.Walking(FaceData.Bytes("obama/obama-2.jpg"), 3, seed: 9));
            var still = GateCameraFrames.Publish("gate-in", 4, start + 30_000, 200, GateCameraFrames.Still(FaceData.Bytes("obama/obama-2.jpg"), 3));
            foreach (var frame in walking.Concat(still))
            {
                await camera.PublishAsync(topic, frame);
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            // Two answers, in whichever order the node reached them (a denial needs no journal write).
            var answers = new List<GateCommand>();
            for (var i = 0; i < 2; i++)
            {
                var answer = await gate.Inbox.ReadAsync(timeout.Token);
                answers.Add(GateCommand.FromJson(answer.Payload)!);
                gate.Handled(answer);
            }

            var open = answers.Single(a => a.Command == GateCommand.Open);
            var deny = answers.Single(a => a.Command == GateCommand.Deny);
            Assert.Equal(GateCommand.Open, open.Command);
            Assert.Equal("obama", (await node.GetVisitAsync(open.Visit!)).State.PayerId);
            Assert.Equal((GateCommand.Deny, "liveness: every frame is identical (a replayed still image)"), (deny.Command, deny.Reason));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
