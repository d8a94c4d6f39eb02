using SmartStore.Actors;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Floor;
using SmartStore.Node.Hosting;

namespace SmartStore.Node.Devices;

/// <summary>
/// One shelf and the load cells of its bins. Raw readings go through each bin's <see cref="WeightSignal"/>;
/// only settled changes reach the floor (persisted before the reading that completed them is acknowledged),
/// readings that change nothing are acknowledged at once. The bins' reference weights are stored with every
/// change and whenever drift moved them, so a restarted shelf compares new readings against the last stored
/// plateau: a pick made while the node was down still shows as a change.
/// </summary>
public sealed class ShelfActor(Shelf shelf, ActorRef<FloorCommand> floor, NodeHealth health, WeightSignalSettings settings) : Actor<DeviceCommand>
{
    private const double ReferenceStoreStepGrams = 3;
    private readonly Dictionary<string, Bin> _bins = shelf.Bins.ToDictionary(b => b.Id, StringComparer.Ordinal);
    private readonly Dictionary<string, WeightSignalState> _signals = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _storedReference = new(StringComparer.Ordinal);
    private readonly HashSet<string> _silent = new(StringComparer.Ordinal);

    // Only a bin heard from since this actor started can fall silent: a restarted shelf knows its bins'
    // references, not when they last spoke.
    private readonly HashSet<string> _heard = new(StringComparer.Ordinal);
    private long _newestDeviceTime;
    private long _newestAt;
    private long _lastSilenceCheck;

    protected override async ValueTask PreStartAsync()
    {
        var references = await floor.AskAsync<FloorCommand, IReadOnlyDictionary<string, BinReference>>(
            reply => new FloorCommand.GetBinReferences([.. _bins.Keys], reply), TimeSpan.FromSeconds(30), Context.Stopping);
        foreach (var bin in shelf.Bins)
        {
            var state = WeightSignalState.Initial(bin.SensorId);
            if (references.TryGetValue(bin.Id, out var reference))
            {
                state = state with { Reference = reference.Grams, ReferenceSinceMs = reference.SinceMs, LastSequence = reference.LastSequence, Changes = reference.Changes };
                _storedReference[bin.Id] = reference.Grams;
            }

            _signals[bin.Id] = state;
        }

        Context.Timers.StartPeriodicTimer("silence", DeviceCommand.Tick.Instance, TimeSpan.FromSeconds(1));
    }

    protected override ValueTask ReceiveAsync(DeviceCommand message)
    {
        switch (message)
        {
            case DeviceCommand.Inbound { Message: WeightReport report } inbound:
                Weigh(report, inbound.Ack);
                break;
            case DeviceCommand.Tick:
                CheckSilence();
                break;
        }

        return default;
    }

    private void Weigh(WeightReport report, DeliveryAck ack)
    {
        if (!_bins.TryGetValue(report.Bin, out var bin))
        {
            health.Rejected(RejectionReason.UnknownDevice, $"bin '{report.Bin}' is not on shelf '{shelf.Id}'");
            ack.Complete(Delivery.Rejected);
            return;
        }

        health.DeviceSeen(shelf.Id);
        _heard.Add(bin.Id);
        if (_silent.Remove(bin.Id))
        {
            floor.Tell(new FloorCommand.Accept(new BinHealthRecord(bin.Id, Silent: false, report.Ts), null));
        }

        if (report.Ts > _newestDeviceTime)
        {
            (_newestDeviceTime, _newestAt) = (report.Ts, Context.System.Time.GetTimestamp());
        }

        var (state, events) = WeightSignal.Step(_signals[bin.Id], new WeightReading(bin.SensorId, report.Seq, report.Ts, report.Grams), settings);
        _signals[bin.Id] = state;
        var delivery = Delivery.Accepted;
        DeliveryAck? pendingAck = ack;
        foreach (var signal in events)
        {
            switch (signal)
            {
                case WeightSignalEvent.Changed changed:
                    // The reading that completed the change is acknowledged once the change is stored.
                    floor.Tell(new FloorCommand.Accept(new ShelfChangeRecord(bin.SensorId, state.Changes, report.Ts, bin.Id, changed.ChangeId, changed.DeltaGrams, changed.FromMs, changed.ToMs, changed.After, report.Seq), pendingAck));
                    pendingAck = null;
                    _storedReference[bin.Id] = changed.After;
                    break;
                case WeightSignalEvent.Rejected rejected when rejected.Sequence == report.Seq && rejected.Reason != "spike":
                    health.Rejected(RejectionReason.ImpossibleValue, $"{bin.SensorId}: {rejected.Grams} g {rejected.Reason}");
                    delivery = Delivery.Rejected;
                    break;
                case WeightSignalEvent.Rejected spike:
                    health.Alert(new Domain.Fusion.FloorAlert("weight-spike", report.Ts, $"{bin.SensorId}: {spike.Grams} g ignored as a spike"));
                    break;
                case WeightSignalEvent.Ignored:
                    health.DuplicateAtDevice();
                    delivery = Delivery.Duplicate;
                    break;
                case WeightSignalEvent.Stuck stuck:
                    health.Alert(new Domain.Fusion.FloorAlert("sensor-stuck", report.Ts, $"{bin.SensorId} has read exactly {stuck.Grams} g since {stuck.SinceMs}"));
                    break;
            }
        }

        if (pendingAck is not null)
        {
            StoreDrift(bin, state);
            pendingAck.Complete(delivery);
        }

        // The shelf's own clock says when a bin has gone quiet: its neighbours keep reporting (checked once a second).
        if (_newestDeviceTime - _lastSilenceCheck >= 1_000)
        {
            _lastSilenceCheck = _newestDeviceTime;
            CheckSilence(_newestDeviceTime);
        }
    }

    /// <summary>Drift moved the reference without a change: store it once it has moved a few grams.</summary>
    private void StoreDrift(Bin bin, WeightSignalState state)
    {
        if (state.Reference is not { } reference)
        {
            return;
        }

        if (!_storedReference.TryGetValue(bin.Id, out var stored) || Math.Abs(stored - reference) >= ReferenceStoreStepGrams)
        {
            _storedReference[bin.Id] = reference;
            floor.Tell(new FloorCommand.Accept(new BinReferenceRecord(bin.Id, reference, state.ReferenceSinceMs, state.LastSequence, state.Changes), null));
        }
    }

    private void CheckSilence(long? deviceNow = null)
    {
        if (_newestDeviceTime == 0)
        {
            return;
        }

        var now = deviceNow ?? _newestDeviceTime + (long)Context.System.Time.GetElapsedTime(_newestAt).TotalMilliseconds;
        foreach (var binId in _heard)
        {
            var signal = _signals[binId];
            var (state, events) = WeightSignal.Check(signal, now, settings);
            _signals[binId] = state;
            foreach (var silent in events.OfType<WeightSignalEvent.Silent>())
            {
                health.Alert(new Domain.Fusion.FloorAlert("sensor-silent", now, $"{silent.SensorId}: no reading since {silent.LastReadingMs}"));
                if (_silent.Add(binId))
                {
                    floor.Tell(new FloorCommand.Accept(new BinHealthRecord(binId, Silent: true, now), null));
                }
            }
        }
    }
}
