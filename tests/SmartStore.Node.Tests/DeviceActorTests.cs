using Akka.Actor;
using Akka.TestKit;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Signals;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Devices;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>Camera and shelf actors against a floor probe: what reaches the floor, and when each message is answered.</summary>
public sealed class DeviceActorTests : ActorTestHost
{
    private const string Store = "corner-01";
    private const string ShelfId = "shelf-01";
    private const string ColaBin = "shelf-01-l1b1";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);
    private static readonly long Lateness = new FloorSettings().LatenessMs;
    private readonly NodeHealth _health = new(new RejectionCounters(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, TimeProvider.System);
    private TestProbe _floor = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _floor = ProbeFor<FloorRegion>();
    }

    private IActorRef Shelf(IReadOnlyDictionary<string, BinReference>? references = null)
    {
        var shelf = StoreHarness.Small.Shelves.Single(s => s.Id == ShelfId);
        var actor = System.ActorOf(Props.Create(() => new ShelfActor(Store, shelf, StoreHarness.Small, _health, Regions, new WeightSignalSettings(), Wait, Lateness)));
        var ask = _floor.ExpectMsg<FloorEnvelope>(Wait);
        Assert.IsType<FloorCommand.GetBinReferences>(ask.Command);
        _floor.Reply(new BinReferences(references ?? new Dictionary<string, BinReference>()));
        return actor;
    }

    /// <summary>Sends a reading as the transport does and returns the probe that gets its answer.</summary>
    private TestProbe Weigh(IActorRef shelf, long seq, long ts, double grams, string bin = ColaBin)
    {
        var device = Kit.CreateTestProbe();
        shelf.Tell(new WeightReport(1, ShelfId, seq, ts, bin, grams), device.Ref);
        return device;
    }

    private static Delivery Answer(TestProbe device) => device.ExpectMsg<Delivered>(Wait).Outcome;

    /// <summary>The next record the floor is asked to store, answered as stored unless told otherwise.</summary>
    private FloorRecord NextRecord(bool answer = true)
    {
        var envelope = _floor.ExpectMsg<FloorEnvelope>(Wait);
        var accept = Assert.IsType<FloorCommand.Accept>(envelope.Command);
        if (answer && !_floor.LastSender.IsNobody())
        {
            _floor.Reply(Delivered.Accepted);
        }

        return accept.Record;
    }

    [Fact]
    public void A_camera_passes_new_observations_to_the_floor_and_answers_a_redelivery_as_a_duplicate_once_the_first_is_stored()
    {
        var camera = System.ActorOf(Props.Create(() => new CameraActor(Store, "cam-nw", _health, Regions, Wait)));
        var seen = new CameraObservation(1, "cam-nw", 7, 1_000, "trk-1", [2.5, 1.6], [2.5, 1.95]);
        var first = Kit.CreateTestProbe();
        var whileInFlight = Kit.CreateTestProbe();

        camera.Tell(seen, first.Ref);
        camera.Tell(seen, whileInFlight.Ref);
        var sighting = Assert.IsType<SightingRecord>(NextRecord(answer: false));
        first.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        _floor.Reply(Delivered.Accepted);

        Assert.Equal(("cam-nw", 7L, "trk-1", 2.5, 1.6, 2.5, 1.95), (sighting.D, sighting.S, sighting.Track, sighting.X, sighting.Y, sighting.Hx!.Value, sighting.Hy!.Value));
        Assert.Equal(Delivery.Accepted, Answer(first));
        Assert.Equal(Delivery.Accepted, Answer(whileInFlight));
        var later = Kit.CreateTestProbe();
        camera.Tell(seen, later.Ref);
        Assert.Equal(Delivery.Duplicate, Answer(later));
        _floor.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_camera_observation_the_floor_failed_to_store_is_handled_again_when_it_comes_again()
    {
        var camera = System.ActorOf(Props.Create(() => new CameraActor(Store, "cam-nw", _health, Regions, Wait)));
        var seen = new CameraObservation(1, "cam-nw", 9, 1_000, "trk-1", [2.5, 1.6], null);
        var first = Kit.CreateTestProbe();

        camera.Tell(seen, first.Ref);
        NextRecord(answer: false);
        _floor.Reply(new Status.Failure(new InvalidOperationException("journal down")));
        first.ExpectMsg<Status.Failure>(Wait);

        var again = Kit.CreateTestProbe();
        camera.Tell(seen, again.Ref);
        Assert.IsType<SightingRecord>(NextRecord());
        Assert.Equal(Delivery.Accepted, Answer(again));
    }

    [Fact]
    public void A_shelf_reports_a_settled_pick_and_answers_its_reading_only_once_the_floor_stored_it()
    {
        var shelf = Shelf();
        long seq = 0, t = 1_000;
        for (; t < 2_000; t += 200)
        {
            Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, ++seq, t, 4_600 + (seq % 2))));
        }

        // The first plateau becomes the stored reference.
        Assert.Equal(ColaBin, Assert.IsType<BinReferenceRecord>(NextRecord()).Bin);

        var devices = new List<TestProbe>();
        for (; t < 3_600; t += 200)
        {
            devices.Add(Weigh(shelf, ++seq, t, 3_900 + (seq % 2)));
        }

        // The step has begun to settle: where the bin was at rest until then is stored before the change is confirmed.
        var atRest = Assert.IsType<BinReferenceRecord>(NextRecord());
        Assert.InRange(atRest.Grams, 4_599, 4_602);
        var change = Assert.IsType<ShelfChangeRecord>(NextRecord(answer: false));
        Assert.InRange(change.Delta, -702, -698);
        Assert.Equal("ws-shelf-01-l1b1", change.D);
        Kit.AwaitCondition(() => devices.Count(d => d.HasMessages) == devices.Count - 1, Wait);
        var completing = devices.Single(d => !d.HasMessages);
        completing.ExpectNoMsg(TimeSpan.FromMilliseconds(100));

        _floor.Reply(Delivered.Accepted);
        Assert.All(devices, d => Assert.Equal(Delivery.Accepted, Answer(d)));
    }

    [Fact]
    public void A_restarted_shelf_compares_against_the_stored_reference_so_a_pick_while_it_was_down_still_counts()
    {
        var shelf = Shelf(new Dictionary<string, BinReference> { [ColaBin] = new(4_600, 900, 40, 3) });

        for (long seq = 41, t = 5_000; t < 6_600; t += 200)
        {
            Weigh(shelf, seq++, t, 4_250 + (seq % 2));
        }

        Assert.IsType<BinReferenceRecord>(NextRecord());
        var change = Assert.IsType<ShelfChangeRecord>(NextRecord());
        Assert.InRange(change.Delta, -352, -348);
        Assert.Equal(4, change.S);
        Assert.Equal("ws-shelf-01-l1b1#4", change.Change);
    }

    [Fact]
    public void A_reading_an_hour_behind_its_shelfs_newest_is_answered_late_and_one_within_the_bound_is_weighed()
    {
        var shelf = Shelf();
        const long Now = 3_601_000;

        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 1, Now, 4_600)));
        Assert.Equal(Delivery.Late, Answer(Weigh(shelf, 2, Now - 3_600_000, 4_600)));
        Assert.Equal(Delivery.Late, Answer(Weigh(shelf, 3, Now - Lateness - 1, 4_600)));
        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 4, Now - Lateness, 4_600)));
    }

    [Fact]
    public void One_reading_stamped_a_day_ahead_does_not_make_the_readings_after_it_late_but_two_that_agree_move_the_shelfs_time()
    {
        var shelf = Shelf();
        const long Now = 3_601_000;
        const long Day = 86_400_000;

        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 1, Now, 4_600)));
        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 2, Now + Day, 4_600)));

        // The true clock goes on: still weighed, judged against the shelf's time before the odd stamp.
        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 3, Now + 200, 4_600)));
        Assert.Equal(Delivery.Late, Answer(Weigh(shelf, 4, Now - Lateness - 1, 4_600)));

        // The device's clock really moved: a second reading agrees, and the shelf's time follows it.
        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 5, Now + Day + 100, 4_600)));
        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 6, Now + Day + 300, 4_600)));
        Assert.Equal(Delivery.Late, Answer(Weigh(shelf, 7, Now + 400, 4_600)));
    }

    [Fact]
    public void A_shelf_refuses_readings_for_bins_it_does_not_have_and_impossible_weights_and_counts_them()
    {
        var shelf = Shelf();

        Assert.Equal(Delivery.Rejected, Answer(Weigh(shelf, 1, 1_000, 100, bin: "shelf-09-l1b1")));
        Assert.Equal(Delivery.Rejected, Answer(Weigh(shelf, 2, 1_200, 90_000)));
        Assert.Equal(Delivery.Duplicate, Answer(Weigh(shelf, 2, 1_400, 4_600)));
        Assert.Equal(Delivery.Accepted, Answer(Weigh(shelf, 3, 1_400, 4_600)));

        Assert.Equal(1, _health.Rejections[RejectionReason.UnknownDevice]);
        Assert.Equal(1, _health.Rejections[RejectionReason.ImpossibleValue]);
    }
}
