using SmartStore.Actors;
using SmartStore.Domain.EventTime;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Floor;
using SmartStore.Node.Hosting;

namespace SmartStore.Node.Devices;

/// <summary>
/// One camera: drops redelivered observations by sequence number and passes each new one to the floor as a
/// sighting; the floor acknowledges it once stored.
/// </summary>
public sealed class CameraActor(string cameraId, ActorRef<FloorCommand> floor, NodeHealth health) : Actor<DeviceCommand>
{
    private SequenceWindow _sequences;

    protected override ValueTask ReceiveAsync(DeviceCommand message)
    {
        if (message is not DeviceCommand.Inbound { Message: CameraObservation seen } inbound)
        {
            return default;
        }

        (_sequences, var verdict) = _sequences.Observe(seen.Seq);
        if (verdict == SequenceVerdict.Duplicate)
        {
            health.DuplicateAtDevice();
            inbound.Ack.Complete(Delivery.Duplicate);
            return default;
        }

        health.DeviceSeen(cameraId);
        var hand = seen.Hand;
        floor.Tell(new FloorCommand.Accept(new SightingRecord(cameraId, seen.Seq, seen.Ts, seen.Track, seen.Body[0], seen.Body[1], hand?[0], hand?[1]), inbound.Ack));
        return default;
    }
}
