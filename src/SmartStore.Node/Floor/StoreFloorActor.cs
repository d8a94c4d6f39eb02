using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Health;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Floor;

/// <summary>How often the floor snapshots itself, so recovery folds only what came after.</summary>
public sealed record FloorSnapshotPolicy(int EveryRecords = 20_000);

/// <summary>
/// A store's floor (entity <c>{store}</c> in the floor region, stream <c>floor-{store}</c>): the one place that
/// fuses every device's inputs into carts, because attributing a pick needs the whole floor (who stood where
/// when a bin's weight changed). The decisions are <see cref="FloorFold"/>'s; this actor only orders, stores
/// and answers.
/// </summary>
/// <remarks>
/// It stores before it applies, in batches: the first record is written at once, every record that arrives
/// while a write is in flight goes into the next one (so a busy store writes large batches and a quiet one adds
/// no latency), and each input is answered only after its batch is stored and folded. After each batch it asks
/// the settlement policy about every visit that has left and hands settled or doubtful carts to their visits.
/// A tick moves the store clock on (device time estimated from the node's clock) when nothing arrives. The floor
/// is a remembered entity: after a crash, sharding starts it again without waiting for a device message, so
/// visits that left before the crash are still settled.
/// </remarks>
public sealed class StoreFloorActor : UntypedPersistentActor, IWithTimers
{
    private readonly StoreLayout _layout;
    private readonly FloorSettings _settings;
    private readonly FloorSnapshotPolicy _snapshots;
    private readonly NodeHealth _health;
    private readonly NodeRegions _regions;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly HashSet<string> _dispatched = new(StringComparer.Ordinal);
    private List<(FloorRecord Record, IActorRef? ReplyTo)> _pending = [];
    private List<(FloorRecord Record, IActorRef? ReplyTo)> _writing = [];
    private FloorState _state;
    private bool _writeInFlight;
    private int _chunksLeft;
    private long _recordsSinceSnapshot;
    private long _recovered;
    private TimeSpan _newestAt;

    public StoreFloorActor(StoreLayout layout, FloorSettings settings, FloorSnapshotPolicy snapshots, NodeHealth health, NodeRegions regions)
    {
        _layout = layout;
        _settings = settings;
        _snapshots = snapshots;
        _health = health;
        _regions = regions;
        _state = FloorState.For(layout, settings);
        PersistenceId = StreamOf(layout.StoreId);
    }

    public override string PersistenceId { get; }

    public ITimerScheduler Timers { get; set; } = null!;

    public static string StreamOf(string storeId) => $"floor-{storeId}";

    private static TimeSpan Now => Context.System.Scheduler.MonotonicClock;

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: FloorSnapshot snapshot }:
                _state = snapshot.Restore(_layout);
                break;
            case FloorBatch batch:
                foreach (var record in batch.Records)
                {
                    _state = FloorFold.Apply(_state, record, _layout, _settings).State;
                }

                _recovered += batch.Records.Count;
                _recordsSinceSnapshot += batch.Records.Count;
                break;
            case RecoveryCompleted:
                _newestAt = Now;
                _health.FloorRecovered(_recovered);
                if (_recovered > 0)
                {
                    _log.Info("floor {0} recovered: {1} records after the snapshot (watermark {2})", _layout.StoreId, _recovered, _state.WatermarkMs);
                }

                Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.TickInterval);
                DispatchSettlements();
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case FloorCommand.Accept accept:
                Enqueue(accept.Record, Sender);
                break;
            case FloorCommand.AdvanceClock advance:
                Enqueue(new ClockRecord(advance.TimeMs), Sender);
                break;
            case FloorCommand.CloseVisit close:
                Enqueue(new VisitClosedRecord(close.VisitId), null);
                break;
            case Tick:
                OnTick();
                break;
            case FloorCommand.GetBinReferences get:
                Sender.Tell(new BinReferences(get.BinIds.Where(_state.Bins.ContainsKey).ToDictionary(b => b, b => _state.Bins[b], StringComparer.Ordinal)));
                break;
            case FloorCommand.GetView:
                Sender.Tell(FloorView.Of(_state));
                break;
            case SaveSnapshotSuccess saved:
                DeleteSnapshots(new SnapshotSelectionCriteria(saved.Metadata.SequenceNr - 1));
                break;
            case SaveSnapshotFailure failed:
                _log.Warning(failed.Cause, "floor {0}: snapshot at {1} failed; recovery folds from the previous one", _layout.StoreId, failed.Metadata.SequenceNr);
                break;
            case DeleteSnapshotsSuccess or DeleteSnapshotsFailure:
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        // Nothing of this batch is applied; every waiting sender hears so (its transport does not acknowledge), and
        // the floor stops: sharding starts it again, from the journal.
        _log.Error(cause, "floor {0}: writing {1} records failed", _layout.StoreId, _writing.Count);
        FailAll(cause);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "floor {0}: the journal rejected {1} records", _layout.StoreId, _writing.Count);
        FailAll(cause);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void PostStop()
    {
        // Whatever was not stored must not be acknowledged: the device (or broker) will send it again.
        FailAll(new InvalidOperationException("The store floor stopped before the message was stored."));
        base.PostStop();
    }

    private void Enqueue(FloorRecord record, IActorRef? replyTo)
    {
        _pending.Add((record, replyTo is null || replyTo.IsNobody() || replyTo.Equals(Context.System.DeadLetters) ? null : replyTo));
        if (!_writeInFlight)
        {
            StartWrite();
        }
    }

    private void StartWrite()
    {
        (_writing, _pending) = (_pending, _writing);
        _pending.Clear();
        _writeInFlight = true;
        var chunks = _writing.Chunk(_settings.RecordsPerEvent).Select(chunk => new FloorBatch([.. chunk.Select(w => w.Record)])).ToList();
        _chunksLeft = chunks.Count;
        _health.FloorBatchWritten(_writing.Count);

        // PersistAllAsync: the floor keeps taking records while the batch is written; they form the next batch.
        PersistAllAsync(chunks, _ =>
        {
            if (--_chunksLeft == 0)
            {
                OnWritten();
            }
        });
    }

    private void OnWritten()
    {
        _writeInFlight = false;
        var newest = _state.NewestDeviceTimeMs;
        foreach (var (record, replyTo) in _writing)
        {
            var step = FloorFold.Apply(_state, record, _layout, _settings);
            _state = step.State;
            foreach (var alert in step.Alerts)
            {
                _health.Alert(alert);
            }

            if (step.Verdict is { } verdict)
            {
                _health.InputVerdict(verdict);
            }

            replyTo?.Tell(Delivered.Of(step.Verdict switch
            {
                InputVerdict.Duplicate => Delivery.Duplicate,
                InputVerdict.Late => Delivery.Late,
                _ => Delivery.Accepted,
            }));
        }

        if (_state.NewestDeviceTimeMs > newest || _writing.Any(w => w.Record is not (ClockRecord or VisitClosedRecord or BinReferenceRecord)))
        {
            _newestAt = Now;
        }

        _recordsSinceSnapshot += _writing.Count;
        _writing.Clear();
        DispatchSettlements();

        // The snapshot holds exactly the batches stored so far (the next write has not started).
        if (_recordsSinceSnapshot >= _snapshots.EveryRecords)
        {
            _recordsSinceSnapshot = 0;
            SaveSnapshot(FloorSnapshot.Capture(_state));
        }

        if (_pending.Count > 0)
        {
            StartWrite();
        }
    }

    /// <summary>Hands every exited visit whose settlement bound has passed to its visit (once per run of this actor).</summary>
    private void DispatchSettlements()
    {
        foreach (var visit in _state.Fusion.Visits.Values)
        {
            if (visit.Status != VisitStatus.Exited || _dispatched.Contains(visit.VisitId))
            {
                continue;
            }

            var decision = SettlementPolicy.Decide(visit, _state.WatermarkMs, _settings.SettleDelayMs, _layout);
            if (decision is SettlementDecision.Settle or SettlementDecision.Review)
            {
                _dispatched.Add(visit.VisitId);
                _health.SettlementDispatched(visit.VisitId);
                _regions.Visits.Tell(new VisitEnvelope(visit.VisitId, new VisitCommand.Settle(decision, visit.ExitedMs ?? 0)));
            }
        }

        // Visits the floor has forgotten no longer need their dispatch memory.
        _dispatched.RemoveWhere(id => !_state.Fusion.Visits.ContainsKey(id));
    }

    /// <summary>No input for a while: move the store clock on (device time estimated from the node's clock) if anything waits for it.</summary>
    private void OnTick()
    {
        if (_writeInFlight || _state.NewestDeviceTimeMs == 0)
        {
            return;
        }

        var fusion = _state.Fusion;
        var waiting = _state.Buffer.Pending.Count > 0 || !fusion.PendingChanges.IsEmpty || fusion.Visits.Values.Any(v => v.Status == VisitStatus.Exited && !_dispatched.Contains(v.VisitId));
        if (!waiting)
        {
            return;
        }

        // Only a floor that has heard nothing for the lateness bound moves its own clock: while inputs flow they
        // move it, and a replay faster than real time must not have wall-clock ticks overtake its device time.
        var quiet = Now - _newestAt;
        if (quiet < TimeSpan.FromMilliseconds(_settings.LatenessMs))
        {
            return;
        }

        var estimate = _state.NewestDeviceTimeMs + (long)quiet.TotalMilliseconds;
        if (estimate - _settings.LatenessMs > _state.WatermarkMs)
        {
            Enqueue(new ClockRecord(estimate), null);
        }
    }

    private void FailAll(Exception error)
    {
        foreach (var (_, replyTo) in _writing.Concat(_pending))
        {
            replyTo?.Tell(new Status.Failure(error));
        }

        _writing.Clear();
        _pending.Clear();
    }

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}

