using Akka.Actor;
using SmartStore.Domain.Floor;
using SmartStore.Messaging.Protocol;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Devices;

/// <summary>
/// One ceiling camera (entity <c>{store}:{camera}</c>): each new observation goes to the floor as a sighting and
/// is answered once the floor stored it; a redelivered one is answered as a duplicate without reaching the floor.
/// </summary>
public sealed class CameraActor(string storeId, string cameraId, NodeHealth health, NodeRegions regions, TimeSpan askTimeout) : UntypedActor
{
    private readonly PendingDeliveries _deliveries = new();

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case CameraObservation seen:
                Observe(seen);
                break;
            case Stored stored:
                _deliveries.Complete(stored.Sequence, stored.Outcome.Outcome);
                break;
            case NotStored failed:
                _deliveries.Fail(failed.Sequence, failed.Error);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void PostStop() => _deliveries.FailAll(new InvalidOperationException("The camera's actor stopped before the observation was stored."));

    private void Observe(CameraObservation seen)
    {
        switch (_deliveries.Check(seen.Seq, Sender))
        {
            case SequenceCheck.Duplicate:
                Sender.Tell(Delivered.Duplicate);
                return;
            case SequenceCheck.InFlight:
                return;
        }

        health.DeviceSeen(cameraId);
        var hand = seen.Hand;
        var sighting = new SightingRecord(cameraId, seen.Seq, seen.Ts, seen.Track, seen.Body[0], seen.Body[1], hand?[0], hand?[1], hand is [_, _, var z] ? z : null);
        var seq = seen.Seq;
        regions.Floors.Ask<Delivered>(new FloorEnvelope(storeId, new FloorCommand.Accept(sighting)), askTimeout)
            .PipeTo(Self, success: stored => new Stored(seq, stored), failure: error => new NotStored(seq, error));
    }

    private sealed record Stored(long Sequence, Delivered Outcome);

    private sealed record NotStored(long Sequence, Exception Error);
}
