using Akka.Actor;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Devices;

/// <summary>
/// One shelf and the load cells of its bins (entity <c>{store}:{shelf}</c>). Raw readings go through each bin's
/// <see cref="WeightSignal"/>; only settled changes reach the floor (stored before the reading that completed
/// them is answered), readings that change nothing are answered at once. The bins' reference weights are stored
/// with every change and whenever drift moved them, so a restarted shelf compares new readings against the last
/// stored plateau: a pick made while the node was down still shows as a change.
/// </summary>
/// <remarks>
/// If the floor fails to store a change, the shelf starts over from the floor's stored references: its signal
/// state already counted the change, and only starting over lets the redelivered readings show it again.
/// </remarks>
public sealed class ShelfActor : UntypedActor, IWithUnboundedStash, IWithTimers
{
    private const double ReferenceStoreStepGrams = 3;

    // A bin at rest has its "at rest since" stored at least this often (device time), so a shelf restarted on another
    // node measures a pick from a moment ago, not from the last stored plateau: a change that seems to span more than
    // the floor's unwatched limit (5 s) is judged as one nobody could have been seen making, and goes to nobody.
    private const long ReferenceStoreIntervalMs = 2_000;

    // Each bin's recent readings, so a change carries its trace for a review: from a second before the change
    // began until it was confirmed, thinned to at most this many points (a few hundred bytes in the journal).
    private const long TraceKeptMs = 8_000;
    private const long TraceLeadMs = 1_000;
    private const int TracePoints = 60;
    private readonly string _storeId;
    private readonly Shelf _shelf;
    private readonly NodeHealth _health;
    private readonly NodeRegions _regions;
    private readonly Dictionary<string, WeightSignalSettings> _settings;
    private readonly TimeSpan _askTimeout;
    private readonly Dictionary<string, Bin> _bins;
    private readonly Dictionary<string, WeightSignalState> _signals = new(StringComparer.Ordinal);
    // What the floor holds of each bin's resting weight, and since when it has rested there.
    private readonly Dictionary<string, (double Grams, long SinceMs)> _storedReference = new(StringComparer.Ordinal);
    // Each silent bin, with the device time its silence was stored at.
    private readonly Dictionary<string, long> _silent = new(StringComparer.Ordinal);
    private readonly Dictionary<long, IActorRef> _changesInFlight = [];
    private readonly Dictionary<string, Queue<(long TimeMs, double Grams)>> _recent = new(StringComparer.Ordinal);

    // Only a bin heard from since this actor started can fall silent: a restarted shelf knows its bins'
    // references, not when they last spoke.
    private readonly HashSet<string> _heard = new(StringComparer.Ordinal);
    private long _newestDeviceTime;
    private TimeSpan _newestAt;

    // A reading this far ahead of the newest (a device clock that jumped, one bad stamp) becomes the newest only
    // once another reading agrees with it: else one bad timestamp would make every true reading after it late.
    private const long ClockJumpMs = 60_000;
    private long _unconfirmedNewest;
    private long _lastSilenceCheck;
    private long _changesSent;

    private readonly long _latenessMs;

    public ShelfActor(string storeId, Shelf shelf, StoreLayout layout, NodeHealth health, NodeRegions regions, WeightSignalSettings settings, TimeSpan askTimeout, long latenessMs)
    {
        _latenessMs = latenessMs;
        _storeId = storeId;
        _shelf = shelf;
        _health = health;
        _regions = regions;
        _settings = shelf.Bins.ToDictionary(b => b.Id, b => settings.ForBin(b, layout), StringComparer.Ordinal);
        _askTimeout = askTimeout;
        _bins = shelf.Bins.ToDictionary(b => b.Id, StringComparer.Ordinal);
    }

    public IStash Stash { get; set; } = null!;

    public ITimerScheduler Timers { get; set; } = null!;

    private static TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void PreStart() =>
        _regions.Floors.Ask<BinReferences>(new FloorEnvelope(_storeId, new FloorCommand.GetBinReferences([.. _bins.Keys])), _askTimeout).PipeTo(Self);

    protected override void PostStop() => FailChanges(new InvalidOperationException($"Shelf {_shelf.Id} stopped before the change was stored."));

    /// <summary>Waiting for the floor's stored references; readings wait too.</summary>
    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case BinReferences references:
                foreach (var bin in _shelf.Bins)
                {
                    var state = WeightSignalState.Initial(bin.SensorId);
                    if (references.Bins.TryGetValue(bin.Id, out var reference))
                    {
                        state = state with { Reference = reference.Grams, ReferenceSinceMs = reference.SinceMs, LastSequence = reference.LastSequence, Changes = reference.Changes };
                        _storedReference[bin.Id] = (reference.Grams, reference.SinceMs);
                    }

                    _signals[bin.Id] = state;
                }

                Timers.StartPeriodicTimer("silence", SilenceCheck.Instance, TimeSpan.FromSeconds(1));
                Become(Weighing);
                Stash.UnstashAll();
                break;

            // The floor could not be asked (it is recovering, or restarting): this shelf starts over, the readings kept.
            case Status.Failure failed:
                throw new InvalidOperationException($"Shelf {_shelf.Id} could not read its bins' references from the floor.", failed.Cause);
            default:
                Stash.Stash();
                break;
        }
    }

    // The hot path of the node (most device messages are readings that change nothing): a plain switch.
    private void Weighing(object message)
    {
        switch (message)
        {
            case WeightReport report:
                Weigh(report);
                break;
            case SilenceCheck:
                CheckSilence();
                break;
            case ChangeStored stored:
                if (_changesInFlight.Remove(stored.Number, out var replyTo))
                {
                    replyTo.Tell(stored.Outcome);
                }

                break;
            case ChangeNotStored failed:
                if (_changesInFlight.Remove(failed.Number, out var waiting))
                {
                    waiting.Tell(new Status.Failure(failed.Error));
                }

                FailChanges(failed.Error);
                throw new InvalidOperationException($"Shelf {_shelf.Id}: the floor did not store a change; starting over from its stored references.", failed.Error);
            default:
                Unhandled(message);
                break;
        }
    }

    private void Weigh(WeightReport report)
    {
        if (!_bins.TryGetValue(report.Bin, out var bin))
        {
            _health.Rejected(RejectionReason.UnknownDevice, $"bin '{report.Bin}' is not on shelf '{_shelf.Id}'");
            Sender.Tell(Delivered.Rejected);
            return;
        }

        // Past the lateness bound behind this shelf's newest reading, a reading is past its moment, as the floor
        // judges a sighting: weighed now it would be taken for the bin's present load. Most readings change
        // nothing and never reach the floor, so the shelf has to say so itself.
        if (_newestDeviceTime - report.Ts > _latenessMs)
        {
            Sender.Tell(Delivered.Late);
            return;
        }

        _health.DeviceSeen(_shelf.Id);
        _heard.Add(bin.Id);
        // Heard again only from a reading after the stored silence: an older one arriving out of order would end a
        // silence the floor has not yet begun.
        if (_silent.TryGetValue(bin.Id, out var silentAt) && report.Ts > silentAt)
        {
            _silent.Remove(bin.Id);
            Tell(new BinHealthRecord(bin.Id, Silent: false, report.Ts));
        }

        if (report.Ts > _newestDeviceTime)
        {
            if (_newestDeviceTime != 0 && report.Ts - _newestDeviceTime > ClockJumpMs && Math.Abs(report.Ts - _unconfirmedNewest) > _latenessMs)
            {
                _unconfirmedNewest = report.Ts;
            }
            else
            {
                (_newestDeviceTime, _newestAt, _unconfirmedNewest) = (report.Ts, Now, 0);
            }
        }

        var before = _signals[bin.Id];
        var (state, events) = WeightSignal.Step(before, new WeightReading(bin.SensorId, report.Seq, report.Ts, report.Grams), _settings[bin.Id]);
        _signals[bin.Id] = state;
        // Readings the signal took (not duplicates, late ones or values the cell cannot read) make the trace.
        if (state.LastSequence == report.Seq && before.LastSequence != report.Seq && report.Grams >= _settings[bin.Id].MinGrams && report.Grams <= _settings[bin.Id].MaxGrams)
        {
            Remember(bin.Id, report.Ts, report.Grams);
        }

        var delivery = Delivery.Accepted;
        var answered = false;
        foreach (var signal in events)
        {
            switch (signal)
            {
                case WeightSignalEvent.Changed changed:
                    // The reading that completed the change is answered once the change is stored.
                    var record = new ShelfChangeRecord(bin.SensorId, state.Changes, report.Ts, bin.Id, changed.ChangeId, changed.DeltaGrams, changed.FromMs, changed.ToMs, changed.After, report.Seq, TraceOf(bin.Id, changed.FromMs));
                    var number = ++_changesSent;
                    _changesInFlight[number] = Sender;
                    _regions.Floors.Ask<Delivered>(new FloorEnvelope(_storeId, new FloorCommand.Accept(record)), _askTimeout)
                        .PipeTo(Self, success: stored => new ChangeStored(number, stored), failure: error => new ChangeNotStored(number, error));
                    answered = true;
                    _storedReference[bin.Id] = (changed.After, changed.ToMs);
                    break;
                case WeightSignalEvent.Rejected rejected when rejected.Sequence == report.Seq && rejected.Reason != "spike":
                    _health.Rejected(RejectionReason.ImpossibleValue, $"{bin.SensorId}: {rejected.Grams} g {rejected.Reason}");
                    delivery = Delivery.Rejected;
                    break;
                case WeightSignalEvent.Rejected spike:
                    _health.Alert(new FloorAlert("weight-spike", report.Ts, $"{bin.SensorId}: {spike.Grams} g ignored as a spike"));
                    break;
                case WeightSignalEvent.Ignored:
                    delivery = Delivery.Duplicate;
                    break;
                case WeightSignalEvent.Stuck stuck:
                    _health.Alert(new FloorAlert("sensor-stuck", report.Ts, $"{bin.SensorId} has read exactly {stuck.Grams} g for {AlertText.Duration(report.Ts - stuck.SinceMs)}"));
                    break;
            }
        }

        if (!answered)
        {
            StoreDrift(bin, state, changeBegan: before.Pending is null && state.Pending is not null);
            Sender.Tell(Delivered.Of(delivery));
        }

        // The shelf's own clock says when a bin has gone quiet: its neighbours keep reporting (checked once a second).
        if (_newestDeviceTime - _lastSilenceCheck >= 1_000)
        {
            _lastSilenceCheck = _newestDeviceTime;
            CheckSilence(_newestDeviceTime);
        }
    }

    private void Remember(string binId, long timeMs, double grams)
    {
        if (!_recent.TryGetValue(binId, out var recent))
        {
            _recent[binId] = recent = new Queue<(long, double)>();
        }

        recent.Enqueue((timeMs, grams));
        while (recent.TryPeek(out var oldest) && oldest.TimeMs < timeMs - TraceKeptMs)
        {
            recent.Dequeue();
        }
    }

    private WeightTrace? TraceOf(string binId, long changeFromMs) =>
        _recent.TryGetValue(binId, out var recent) ? WeightTrace.Of([.. recent.Where(r => r.TimeMs >= changeFromMs - TraceLeadMs)], TracePoints) : null;

    /// <summary>
    /// Drift moved the reference without a change: store it once it has moved a few grams, or its time has moved
    /// on by <see cref="ReferenceStoreIntervalMs"/>. Also when a change has
    /// begun to settle (it is reported only once confirmed): the readings until then are answered, so a shelf that
    /// restarts in between must know the bin was at rest until just before, not since its last stored reference,
    /// or the change would look as if it had spanned a silence.
    /// </summary>
    private void StoreDrift(Bin bin, WeightSignalState state, bool changeBegan)
    {
        if (state.Reference is not { } reference)
        {
            return;
        }

        if (changeBegan
            || !_storedReference.TryGetValue(bin.Id, out var stored)
            || Math.Abs(stored.Grams - reference) >= ReferenceStoreStepGrams
            || state.ReferenceSinceMs - stored.SinceMs >= ReferenceStoreIntervalMs)
        {
            _storedReference[bin.Id] = (reference, state.ReferenceSinceMs);
            Tell(new BinReferenceRecord(bin.Id, reference, state.ReferenceSinceMs, state.LastSequence, state.Changes));
        }
    }

    private void CheckSilence(long? deviceNow = null)
    {
        if (_newestDeviceTime == 0)
        {
            return;
        }

        var now = deviceNow ?? _newestDeviceTime + (long)(Now - _newestAt).TotalMilliseconds;
        foreach (var binId in _heard)
        {
            var (state, events) = WeightSignal.Check(_signals[binId], now, _settings[binId]);
            _signals[binId] = state;
            foreach (var silent in events.OfType<WeightSignalEvent.Silent>())
            {
                _health.Alert(new FloorAlert("sensor-silent", now, $"{silent.SensorId}: no reading for {AlertText.Duration(now - silent.LastReadingMs)}"));

                // Stored for the floor only on the devices' own evidence: this shelf's other cells reporting past the
                // limit. The wall clock alone cannot tell a dead cell from a stalled feed (the store moving between
                // nodes, its pump waiting on an entry decision): the broker's backlog then brings the readings, and a
                // silence stored meanwhile would send every shopper who reached in to review. A whole shelf gone dark
                // is an alert for the operators.
                if (deviceNow is not null && _silent.TryAdd(binId, now))
                {
                    Tell(new BinHealthRecord(binId, Silent: true, now, silent.LastReadingMs));
                }
            }
        }
    }

    /// <summary>A record nobody waits for (a reference, a bin's health): the floor stores it in its next batch.</summary>
    private void Tell(FloorRecord record) => _regions.Floors.Tell(new FloorEnvelope(_storeId, new FloorCommand.Accept(record)), ActorRefs.NoSender);

    private void FailChanges(Exception error)
    {
        foreach (var replyTo in _changesInFlight.Values)
        {
            replyTo.Tell(new Status.Failure(error));
        }

        _changesInFlight.Clear();
    }

    private sealed record SilenceCheck
    {
        public static readonly SilenceCheck Instance = new();
    }

    private sealed record ChangeStored(long Number, Delivered Outcome);

    private sealed record ChangeNotStored(long Number, Exception Error);
}
