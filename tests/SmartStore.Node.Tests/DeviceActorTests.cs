using SmartStore.Domain.Floor;
using SmartStore.Domain.Visits;
using SmartStore.Actors;
using SmartStore.Actors.TestKit;
using SmartStore.Domain.Signals;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Devices;
using SmartStore.Node.Floor;
using SmartStore.Node.Hosting;
using Xunit;

namespace SmartStore.Node.Tests;

/// <summary>
/// A stand-in for the floor in device actor tests: answers reference-weight questions from a fixed table and
/// passes every record to a probe, completing acknowledgements only when the test says so.
/// </summary>
internal sealed class FloorStandIn(IReadOnlyDictionary<string, BinReference> references, ActorRef<FloorCommand.Accept> records, bool autoComplete) : Actor<FloorCommand>
{
    protected override ValueTask ReceiveAsync(FloorCommand message)
    {
        switch (message)
        {
            case FloorCommand.GetBinReferences get:
                get.ReplyTo.Tell(get.BinIds.Where(references.ContainsKey).ToDictionary(b => b, b => references[b]));
                break;
            case FloorCommand.Accept accept:
                records.Tell(accept);
                if (autoComplete)
                {
                    accept.Ack?.Complete(Delivery.Accepted);
                }

                break;
        }

        return default;
    }
}

public sealed class DeviceActorTests : ActorTestKit
{
    private const string ShelfId = "shelf-01";
    private const string ColaBin = "shelf-01-l1b1";
    private readonly NodeHealth _health;

    public DeviceActorTests() => _health = new NodeHealth(new RejectionCounters(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Time);

    private (ActorRef<DeviceCommand> Actor, TestProbe<FloorCommand.Accept> Records) Shelf(IReadOnlyDictionary<string, BinReference>? references = null, bool autoComplete = true)
    {
        var records = CreateProbe<FloorCommand.Accept>();
        var floor = System.Spawn(Props.Create(() => new FloorStandIn(references ?? new Dictionary<string, BinReference>(), records.Ref, autoComplete)), "floor");
        var shelf = StoreHarness.Small.Shelves.Single(s => s.Id == ShelfId);
        return (System.Spawn(Props.Create(() => new ShelfActor(shelf, floor, _health, new WeightSignalSettings())), "shelf"), records);
    }

    private static async Task<Delivery> WeighAsync(ActorRef<DeviceCommand> shelf, long seq, long ts, double grams, string bin = ColaBin)
    {
        var ack = new DeliveryAck();
        shelf.Tell(new DeviceCommand.Inbound(new WeightReport(1, ShelfId, seq, ts, bin, grams), ack));
        return await ack.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_camera_passes_new_observations_to_the_floor_and_acknowledges_redeliveries_as_duplicates()
    {
        var records = CreateProbe<FloorCommand.Accept>();
        var floor = System.Spawn(Props.Create(() => new FloorStandIn(new Dictionary<string, BinReference>(), records.Ref, autoComplete: true)), "floor");
        var camera = System.Spawn(Props.Create(() => new CameraActor("cam-nw", floor, _health)), "cam");
        var seen = new CameraObservation(1, "cam-nw", 7, 1_000, "trk-1", [2.5, 1.6], [2.5, 1.95]);

        var first = new DeliveryAck();
        camera.Tell(new DeviceCommand.Inbound(seen, first));
        var again = new DeliveryAck();
        camera.Tell(new DeviceCommand.Inbound(seen, again));

        var accepted = await records.ExpectMessageAsync();
        var sighting = Assert.IsType<SightingRecord>(accepted.Record);
        Assert.Equal(("cam-nw", 7L, "trk-1", 2.5, 1.6, 2.5, 1.95), (sighting.D, sighting.S, sighting.Track, sighting.X, sighting.Y, sighting.Hx!.Value, sighting.Hy!.Value));
        Assert.Same(first, accepted.Ack);
        Assert.Equal(Delivery.Accepted, await first.Task);
        Assert.Equal(Delivery.Duplicate, await again.Task);
        await records.ExpectNoMessageAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_shelf_reports_a_settled_pick_and_acknowledges_its_reading_only_once_the_floor_stored_it()
    {
        var (shelf, records) = Shelf(autoComplete: false);
        long seq = 0, t = 1_000;
        for (; t < 2_000; t += 200)
        {
            Assert.Equal(Delivery.Accepted, await WeighAsync(shelf, ++seq, t, 4_600 + (seq % 2)));
        }

        // The first plateau becomes the stored reference.
        var reference = Assert.IsType<BinReferenceRecord>((await records.ExpectMessageAsync()).Record);
        Assert.Equal(ColaBin, reference.Bin);

        var pending = new List<DeliveryAck>();
        for (; t < 3_000; t += 200)
        {
            var ack = new DeliveryAck();
            shelf.Tell(new DeviceCommand.Inbound(new WeightReport(1, ShelfId, ++seq, t, ColaBin, 3_900 + (seq % 2)), ack));
            pending.Add(ack);
        }

        var accept = await records.FishForMessageAsync(a => a.Record is ShelfChangeRecord);
        var change = (ShelfChangeRecord)accept.Record;
        Assert.InRange(change.Delta, -702, -698);
        Assert.Equal("ws-shelf-01-l1b1", change.D);
        Assert.False(accept.Ack!.Task.IsCompleted);

        accept.Ack.Complete(Delivery.Accepted);
        foreach (var ack in pending)
        {
            Assert.Equal(Delivery.Accepted, await ack.Task.WaitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    [Fact]
    public async Task A_restarted_shelf_compares_against_the_stored_reference_so_a_pick_while_it_was_down_still_counts()
    {
        var stored = new Dictionary<string, BinReference> { [ColaBin] = new(4_600, 900, 40, 3) };
        var (shelf, records) = Shelf(stored);

        for (long seq = 41, t = 5_000; t < 6_000; t += 200)
        {
            await WeighAsync(shelf, seq++, t, 4_250 + (seq % 2));
        }

        var change = Assert.IsType<ShelfChangeRecord>((await records.FishForMessageAsync(a => a.Record is ShelfChangeRecord)).Record);
        Assert.InRange(change.Delta, -352, -348);
        Assert.Equal(4, change.S);
        Assert.Equal("ws-shelf-01-l1b1#4", change.Change);
    }

    [Fact]
    public async Task A_shelf_refuses_readings_for_bins_it_does_not_have_and_impossible_weights_and_counts_them()
    {
        var (shelf, _) = Shelf();

        Assert.Equal(Delivery.Rejected, await WeighAsync(shelf, 1, 1_000, 100, bin: "shelf-09-l1b1"));
        Assert.Equal(Delivery.Rejected, await WeighAsync(shelf, 2, 1_200, 90_000));
        Assert.Equal(Delivery.Duplicate, await WeighAsync(shelf, 2, 1_400, 4_600));
        Assert.Equal(Delivery.Accepted, await WeighAsync(shelf, 3, 1_400, 4_600));

        Assert.Equal(1, _health.Rejections[RejectionReason.UnknownDevice]);
        Assert.Equal(1, _health.Rejections[RejectionReason.ImpossibleValue]);
    }
}
