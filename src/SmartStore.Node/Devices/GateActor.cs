using Akka.Actor;
using SmartStore.Domain.Entry;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;
using SmartStore.Payments;

namespace SmartStore.Node.Devices;

/// <summary>What a gate and its admissions need from the rest of the node.</summary>
public sealed record GateServices(
    string StoreId,
    string Currency,
    NodeRegions Regions,
    IPaymentGateway Gateway,
    ICommandPublisher Commands,
    EntrySettings Entry,
    NodeHealth Health,
    TimeSpan AskTimeout,
    FaceEntryServices? Faces = null);

/// <summary>
/// One gate (entity <c>{store}:{gate}</c>). Line crossings go to the floor, which binds them to admitted visits
/// and raises tailgating alerts for the rest. An identification (a face match, or an app code / card token)
/// starts an <see cref="AdmissionActor"/> of its own; the gate camera's frames go to its <see cref="FaceEntryActor"/>: the entry decision looks things up and may wait for the
/// payment provider, and a slow provider must not hold back the crossings this gate reports meanwhile.
/// </summary>
/// <remarks>
/// A crossing reported after an identification whose decision is still under way waits for that decision: the
/// party can only have crossed because the gate opened for them, so the floor must hear the entry first. Normally
/// that is milliseconds; when the decision waits on a node that died, it is the failover, and without the wait the
/// admitted party's crossing would be taken for tailgating and their visit sent to review.
/// </remarks>
public sealed class GateActor : ReceiveActor
{
    private readonly PendingDeliveries _deliveries = new();
    // Identifications whose entry decision is under way: sequence → device time.
    private readonly Dictionary<long, long> _deciding = [];
    private readonly Queue<CrossingRecord> _held = new();
    private long _admissions;
    private IActorRef? _camera;

    public GateActor(Gate gate, GateServices services)
    {
        Receive<GateEvent>(gateEvent =>
        {
            switch (_deliveries.Check(gateEvent.Seq, Sender))
            {
                case SequenceCheck.Duplicate:
                    Sender.Tell(Delivered.Duplicate);
                    return;
                case SequenceCheck.InFlight:
                    return;
            }

            services.Health.DeviceSeen(gate.Id);
            var seq = gateEvent.Seq;
            if (gateEvent.Event == "crossed")
            {
                var crossing = new CrossingRecord(gate.Id, gateEvent.Seq, gateEvent.Ts, gate.Id, gateEvent.Track!, gateEvent.Inward!.Value);
                if (_held.Count > 0 || WaitsForDecision(crossing))
                {
                    _held.Enqueue(crossing);
                    return;
                }

                Store(crossing);
                return;
            }

            var request = AdmissionRequest.Of(gateEvent);
            _deciding[seq] = gateEvent.Ts;
            Context.ActorOf(Props.Create(() => new AdmissionActor(gate, request, services)), $"admission-{seq}-{++_admissions}");
        });
        Receive<GateFrame>(frame =>
        {
            if (services.Faces is null)
            {
                services.Health.Rejected(RejectionReason.UnknownDevice, $"{gate.Id}: a camera frame, but face entry is not configured on this node (no vision models)");
                Sender.Tell(Delivered.Rejected);
                return;
            }

            services.Health.DeviceSeen(FaceEntryActor.CameraOf(gate));
            _camera ??= Context.ActorOf(Props.Create(() => new FaceEntryActor(gate, services, services.Faces)), "camera");
            _camera.Forward(frame);
        });
        Receive<Handled>(handled =>
        {
            _deliveries.Complete(handled.Sequence, handled.Outcome);
            Decided(handled.Sequence);
        });
        Receive<NotHandled>(failed =>
        {
            _deliveries.Fail(failed.Sequence, failed.Error);
            Decided(failed.Sequence);
        });

        void Store(CrossingRecord crossing)
        {
            var seq = crossing.S;
            services.Regions.Floors.Ask<Delivered>(new FloorEnvelope(services.StoreId, new FloorCommand.Accept(crossing)), services.AskTimeout)
                .PipeTo(Self, success: stored => new Handled(seq, stored.Outcome), failure: error => new NotHandled(seq, error));
        }

        bool WaitsForDecision(CrossingRecord crossing) => _deciding.Values.Any(ts => ts <= crossing.T);

        // Held crossings go in the order they came, each once no decision before it is still under way.
        void Decided(long sequence)
        {
            if (!_deciding.Remove(sequence))
            {
                return;
            }

            while (_held.Count > 0 && !WaitsForDecision(_held.Peek()))
            {
                Store(_held.Dequeue());
            }
        }
    }

    /// <summary>This gate prefixes app codes and cards with it: the app encodes the shopper's id.</summary>
    public const string ShopperTokenPrefix = "shopper:";

    protected override void PostStop() => _deliveries.FailAll(new InvalidOperationException("The gate's actor stopped before the message was handled."));

    /// <summary>An identification or crossing is done: stored (and the gate told), or refused with a denial.</summary>
    internal sealed record Handled(long Sequence, Delivery Outcome);

    /// <summary>It could not be done (nothing to acknowledge): the device or broker sends it again.</summary>
    internal sealed record NotHandled(long Sequence, Exception Error);
}
