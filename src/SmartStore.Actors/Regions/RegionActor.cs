using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmartStore.Actors;

/// <summary>
/// The actor behind an <see cref="EntityRegion{TMsg}"/>: owns one child per live entity, starts entities on
/// demand, buffers messages for passivating ones and passivates idle ones through <see cref="IdleBuckets"/>.
/// </summary>
internal sealed class RegionActor<TMsg> : Actor<RegionCommand<TMsg>>
{
    private readonly Func<EntityContext<TMsg>, Actor<TMsg>> _createEntity;
    private readonly RegionOptions _options;
    private readonly EntityRegion<TMsg> _region;
    // Keyed by the entity's child name (its escaped id), so a termination finds its entry by name.
    private readonly Dictionary<string, Entry> _entities = new(StringComparer.Ordinal);
    private readonly Props<TMsg> _entityProps;
    private readonly IdleBuckets? _idle;
    private readonly long _origin;
    private long _started;
    private long _passivated;
    private long _buffered;
    private long _overflowed;

    public RegionActor(Func<EntityContext<TMsg>, Actor<TMsg>> createEntity, RegionOptions options)
    {
        _createEntity = createEntity;
        _options = options;
        _region = new EntityRegion<TMsg>(Context.Self);

        // One recipe for every entity (no closure per entity): the id comes from the cell being created.
        _entityProps = Props.Create(CreateEntity).WithSupervision(options.EntitySupervision);
        _origin = Context.System.Time.GetTimestamp();
        if (options.IdleTimeout != Timeout.InfiniteTimeSpan)
        {
            _idle = new IdleBuckets(options.IdleTimeout / options.IdleBuckets);
        }
    }

    protected override ValueTask PreStartAsync()
    {
        if (_idle is not null)
        {
            var period = _options.IdleTimeout / _options.IdleBuckets;
            Context.Timers.StartPeriodicTimer("idle-sweep", RegionCommand<TMsg>.Sweep.Instance, period);
        }

        return default;
    }

    protected override ValueTask ReceiveAsync(RegionCommand<TMsg> message)
    {
        switch (message)
        {
            case RegionCommand<TMsg>.Deliver deliver:
                Deliver(deliver.EntityId, deliver.Message);
                break;
            case RegionCommand<TMsg>.Passivate passivate:
                Passivate(passivate.EntityId);
                break;
            case RegionCommand<TMsg>.Sweep:
                Sweep();
                break;
            case RegionCommand<TMsg>.GetStats stats:
                stats.ReplyTo.Tell(Stats());
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(message), message.GetType().Name, "Unknown region command.");
        }

        return default;
    }

    protected override ValueTask OnTerminatedAsync(ActorRef actor)
    {
        var id = actor.Path.Name;
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entities, id);
        if (Unsafe.IsNullRef(ref entry) || !ReferenceEquals(entry.Ref, actor))
        {
            return default;
        }

        var hasBuffered = entry.Buffer is { Count: > 0 };
        var next = EntityLifecycle.Next(entry.State, EntityTrigger.Terminated, hasBuffered);
        _idle?.Remove(id, entry.Bucket);
        if (next == EntityState.Absent)
        {
            _entities.Remove(id);
            return default;
        }

        // Passivation finished while messages waited: start the entity again and hand them over in order.
        var buffer = entry.Buffer!;
        entry.Buffer = null;
        Start(id, ref entry);
        while (buffer.TryDequeue(out var pending))
        {
            entry.Ref!.Tell(pending);
        }

        return default;
    }

    private void Deliver(string entityId, TMsg message)
    {
        var id = ActorNames.Escape(entityId);
        ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_entities, id, out var existed);
        if (!existed)
        {
            entry = Entry.Absent;
        }

        var previous = entry.State;
        entry.State = EntityLifecycle.Next(previous, EntityTrigger.MessageArrived, entry.Buffer is { Count: > 0 });
        if (previous == EntityState.Absent)
        {
            Start(id, ref entry);
        }

        if (entry.State == EntityState.Passivating)
        {
            entry.Buffer ??= new Queue<TMsg>();
            if (entry.Buffer.Count >= _options.MaxBufferedPerEntity)
            {
                _overflowed++;
                Context.System.DeadLetters.Publish(message, Context.Path, $"entity '{entityId}' is passivating and its buffer is full");
                return;
            }

            entry.Buffer.Enqueue(message);
            _buffered++;
            return;
        }

        if (_idle is not null)
        {
            entry.Bucket = _idle.Touch(id, entry.Bucket, Elapsed());
        }

        entry.Ref!.Tell(message);
    }

    private void Passivate(string entityId) => PassivateByName(ActorNames.Escape(entityId));

    private void PassivateByName(string id)
    {
        ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entities, id);
        if (Unsafe.IsNullRef(ref entry))
        {
            return;
        }

        var previous = entry.State;
        entry.State = EntityLifecycle.Next(previous, EntityTrigger.PassivationRequested, entry.Buffer is { Count: > 0 });
        if (previous == EntityState.Active && entry.State == EntityState.Passivating)
        {
            _idle?.Remove(id, entry.Bucket);
            entry.Bucket = -1;
            _passivated++;
            entry.Ref!.StopWhenDrained();
        }
    }

    private void Sweep()
    {
        foreach (var id in _idle!.TakeExpired(Elapsed(), _options.IdleTimeout))
        {
            ref var entry = ref CollectionsMarshal.GetValueRefOrNullRef(_entities, id);
            if (!Unsafe.IsNullRef(ref entry))
            {
                entry.Bucket = -1;
                PassivateByName(id);
            }
        }
    }

    private void Start(string id, ref Entry entry)
    {
        var child = Context.Spawn(_entityProps, id);
        Context.Watch(child);
        entry.Ref = child;
        entry.State = EntityState.Active;
        entry.Bucket = -1;
        _started++;
        if (_idle is not null)
        {
            entry.Bucket = _idle.Touch(id, entry.Bucket, Elapsed());
        }
    }

    private Actor<TMsg> CreateEntity()
    {
        var cell = ActorCell<TMsg>.PeekCreatingContext() ?? throw new InvalidOperationException("Entities are created by the kernel.");
        return _createEntity(new EntityContext<TMsg>(ActorNames.Unescape(cell.Path.Name), _region));
    }

    private TimeSpan Elapsed() => Context.System.Time.GetElapsedTime(_origin);

    private RegionStats Stats()
    {
        var active = 0;
        var passivating = 0;
        foreach (var entry in _entities.Values)
        {
            if (entry.State == EntityState.Active)
            {
                active++;
            }
            else if (entry.State == EntityState.Passivating)
            {
                passivating++;
            }
        }

        return new RegionStats(active, passivating, _started, _passivated, _buffered, _overflowed);
    }

    /// <summary>One entity's bookkeeping, stored inline in the dictionary (no object per entity).</summary>
    private struct Entry
    {
        public static readonly Entry Absent = new() { State = EntityState.Absent, Bucket = -1 };

        public ActorRef<TMsg>? Ref;
        public Queue<TMsg>? Buffer;
        public long Bucket;
        public EntityState State;
    }
}
