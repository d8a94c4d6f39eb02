using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using SmartStore.Actors;
using SmartStore.Domain.EventTime;
using SmartStore.Domain.Fusion;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Devices;
using SmartStore.Node.Hosting;
using SmartStore.Node.Visits;
using SmartStore.Persistence;

using VisitCommand = SmartStore.Node.Visits.VisitCommand;

namespace SmartStore.Node.Floor;

public abstract record FloorCommand
{
    private FloorCommand()
    {
    }

    /// <summary>Persist and apply a record; <paramref name="Ack"/> completes with the input's verdict once it is stored.</summary>
    public sealed record Accept(FloorRecord Record, DeliveryAck? Ack) : FloorCommand;

    /// <summary>Move the store clock to a device time (end of a replay, tests); the ack completes once stored.</summary>
    public sealed record AdvanceClock(long TimeMs, DeliveryAck Ack) : FloorCommand;

    /// <summary>A visit is settled or in review: forget it.</summary>
    public sealed record CloseVisit(string VisitId) : FloorCommand;

    public sealed record GetVisit(string VisitId, ActorRef<Visit?> ReplyTo) : FloorCommand;

    public sealed record GetBinReferences(IReadOnlyList<string> BinIds, ActorRef<IReadOnlyDictionary<string, BinReference>> ReplyTo) : FloorCommand;

    public sealed record GetView(ActorRef<FloorView> ReplyTo) : FloorCommand;

    internal sealed record Tick : FloorCommand
    {
        public static readonly Tick Instance = new();
    }

    internal sealed record Written(Exception? Error) : FloorCommand;
}


/// <summary>
/// The store's floor: the one actor that fuses every device's inputs into carts (fusion needs the whole floor:
/// who stood where when a bin's weight changed). It persists before it applies, in batches: the first record
/// is written at once, and every record that arrives while a write is in flight goes into the next one, so a
/// busy store writes large batches and a quiet one has no added latency. Each input's acknowledgement
/// completes only after its batch is stored and applied. After each batch it asks the settlement policy about
/// every visit that has left, and hands settled or doubtful carts to their visit actors.
/// </summary>
public sealed class StoreActor : Actor<FloorCommand>
{
    private readonly StoreLayout _layout;
    private readonly FloorSettings _settings;
    private readonly IEventJournal _journal;
    private readonly EventTypeRegistry _types;
    private readonly EntityRegion<VisitCommand> _visits;
    private readonly NodeHealth _health;
    private readonly string _stream;
    private readonly HashSet<string> _dispatched = new(StringComparer.Ordinal);
    private List<(FloorRecord Record, DeliveryAck? Ack)> _pending = [];
    private List<(FloorRecord Record, DeliveryAck? Ack)> _writing = [];
    private FloorState _state;
    private long _version;
    private bool _writeInFlight;
    private long _newestAt;

    public StoreActor(StoreLayout layout, FloorSettings settings, IEventJournal journal, EventTypeRegistry types, EntityRegion<VisitCommand> visits, NodeHealth health)
    {
        _layout = layout;
        _settings = settings;
        _journal = journal;
        _types = types;
        _visits = visits;
        _health = health;
        _stream = StreamOf(layout.StoreId);
        _state = FloorState.For(layout, settings);
    }

    public static string StreamOf(string storeId) => $"floor-{storeId}";

    public static EventTypeRegistry Register(EventTypeRegistry types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return types.Register("floor-batch", 1, FloorJson.Default.FloorBatch);
    }

    protected override async ValueTask PreStartAsync()
    {
        long records = 0;
        await foreach (var stored in _journal.ReadStreamAsync(_stream, 1, Context.Stopping))
        {
            var batch = (FloorBatch)_types.Deserialize(stored);
            foreach (var record in batch.Records)
            {
                _state = FloorFold.Apply(_state, record, _layout, _settings).State;
                records++;
            }

            _version = stored.Sequence;
        }

        _newestAt = Context.System.Time.GetTimestamp();
        _health.FloorRecovered(records);
        if (records > 0)
        {
            Context.Log.LogInformation("floor {Store} recovered from {Records} records (watermark {Watermark})", _layout.StoreId, records, _state.WatermarkMs);
        }

        Context.Timers.StartPeriodicTimer("tick", FloorCommand.Tick.Instance, _settings.TickInterval);
        DispatchSettlements();
    }

    protected override ValueTask ReceiveAsync(FloorCommand message)
    {
        switch (message)
        {
            case FloorCommand.Accept accept:
                Enqueue(accept.Record, accept.Ack);
                break;
            case FloorCommand.AdvanceClock advance:
                Enqueue(new ClockRecord(advance.TimeMs), advance.Ack);
                break;
            case FloorCommand.CloseVisit close:
                Enqueue(new VisitClosedRecord(close.VisitId), null);
                break;
            case FloorCommand.Tick:
                OnTick();
                break;
            case FloorCommand.Written written:
                OnWritten(written.Error);
                break;
            case FloorCommand.GetVisit get:
                get.ReplyTo.Tell(_state.Fusion.Visits.GetValueOrDefault(get.VisitId));
                break;
            case FloorCommand.GetBinReferences get:
                get.ReplyTo.Tell(get.BinIds.Where(_state.Bins.ContainsKey).ToDictionary(b => b, b => _state.Bins[b], StringComparer.Ordinal));
                break;
            case FloorCommand.GetView get:
                var fusion = _state.Fusion;
                get.ReplyTo.Tell(new FloorView(
                    _state.WatermarkMs,
                    fusion.Visits.Values.Count(v => v.Status == VisitStatus.Inside),
                    fusion.Visits.Values.Count(v => v.Status == VisitStatus.Exited),
                    fusion.Tracks.Count,
                    _state.Buffer.Pending.Count,
                    fusion.PendingChanges.Count,
                    fusion.Ambiguities.Count,
                    [.. fusion.Visits.Values]));
                break;
        }

        return default;
    }

    protected override ValueTask PostStopAsync()
    {
        // Whatever was not stored must not be acknowledged: the device (or broker) will send it again.
        var stopped = new OperationCanceledException("The store actor stopped before the message was stored.");
        FailAll(stopped);
        return default;
    }

    private void Enqueue(FloorRecord record, DeliveryAck? ack)
    {
        _pending.Add((record, ack));
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
        var events = new List<EventData>((_writing.Count / _settings.RecordsPerEvent) + 1);
        for (var i = 0; i < _writing.Count; i += _settings.RecordsPerEvent)
        {
            var chunk = _writing.Skip(i).Take(_settings.RecordsPerEvent).Select(w => w.Record).ToArray();
            events.Add(_types.Serialize(new FloorBatch(chunk)));
        }

        var self = Context.Self;
        _journal.AppendAsync(_stream, _version, events, Context.Stopping).ContinueWith(
            (task, state) => ((ActorRef<FloorCommand>)state!).Tell(new FloorCommand.Written(task.Exception?.GetBaseException() ?? (task.IsCanceled ? new OperationCanceledException() : null))),
            self,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        _health.FloorBatchWritten(_writing.Count, events.Count);
    }

    private void OnWritten(Exception? error)
    {
        _writeInFlight = false;
        if (error is not null)
        {
            // Nothing of this batch is applied; fail every waiting sender, then restart from the journal.
            FailAll(error);
            throw new JournalFailureException($"floor {_layout.StoreId}: writing {_writing.Count} records failed", error);
        }

        _version += (_writing.Count + _settings.RecordsPerEvent - 1) / _settings.RecordsPerEvent;
        var newest = _state.NewestDeviceTimeMs;
        foreach (var (record, ack) in _writing)
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

            ack?.Complete(step.Verdict switch
            {
                InputVerdict.Duplicate => Delivery.Duplicate,
                InputVerdict.Late => Delivery.Late,
                _ => Delivery.Accepted,
            });
        }

        if (_state.NewestDeviceTimeMs > newest || _writing.Any(w => w.Record is not (ClockRecord or VisitClosedRecord or BinReferenceRecord)))
        {
            _newestAt = Context.System.Time.GetTimestamp();
        }

        _writing.Clear();
        DispatchSettlements();
        if (_pending.Count > 0)
        {
            StartWrite();
        }
    }

    /// <summary>Hands every exited visit whose settlement bound has passed to its visit actor (once per run).</summary>
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
                _visits.Tell(visit.VisitId, new VisitCommand.Settle(decision, visit.ExitedMs ?? 0, Context.System.Time.GetTimestamp()));
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
        var quiet = Context.System.Time.GetElapsedTime(_newestAt);
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
        foreach (var (_, ack) in _writing.Concat(_pending))
        {
            ack?.Fail(error);
        }

        _writing.Clear();
        _pending.Clear();
    }
}
