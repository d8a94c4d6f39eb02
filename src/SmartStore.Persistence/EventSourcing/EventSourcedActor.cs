using Microsoft.Extensions.Logging;
using SmartStore.Actors;

namespace SmartStore.Persistence;

/// <summary>What an event-sourced actor needs: where to write, how to (de)serialise, when to snapshot.</summary>
public sealed record EventSourcing(IEventJournal Journal, ISnapshotStore Snapshots, EventTypeRegistry Types)
{
    /// <summary>Save a snapshot every this many events (0: never).</summary>
    public int SnapshotEvery { get; init; } = 100;

    /// <summary>
    /// The supervision an event-sourced actor should run under: on a journal failure it stops and restarts
    /// with back-off, recovering from the journal; its state is never half-applied.
    /// </summary>
    public static SupervisorStrategy RestartWithBackoff { get; } =
        SupervisorStrategy.RestartAlways.WithBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10)).WithLimit(-1, TimeSpan.FromMinutes(1));
}

/// <summary>
/// An actor whose state is a left fold of its persisted events. Recovery (latest snapshot, then later events)
/// runs in <see cref="Actor{T}.PreStartAsync"/>, which the kernel awaits before the first command. A command
/// handler calls <see cref="PersistAsync(TEvent[])"/>: the events are written, then applied, then the handler
/// goes on (to reply). While a write is in flight the actor is busy, so further commands wait in the mailbox:
/// at most one write per actor is in flight, and no command sees a state that is not yet stored.
/// </summary>
/// <remarks>
/// Failures are kept apart: a rejection (the event cannot be serialised) stores nothing, leaves the state as
/// it was and the actor carries on; a journal failure throws out of the handler, so the actor's supervisor
/// (use <see cref="EventSourcing.RestartWithBackoff"/>) restarts it from the journal after a back-off.
/// </remarks>
public abstract class EventSourcedActor<TCommand, TEvent, TState> : Actor<TCommand>
    where TEvent : class
{
    private readonly EventSourcing _persistence;
    private long _lastSnapshot;

    protected EventSourcedActor(EventSourcing persistence)
    {
        _persistence = persistence ?? throw new ArgumentNullException(nameof(persistence));
        State = default!;
    }

    /// <summary>The stream this actor writes (for example <c>visit-42</c>).</summary>
    protected abstract string PersistenceId { get; }

    /// <summary>The state before any event.</summary>
    protected abstract TState InitialState { get; }

    protected TState State { get; private set; }

    /// <summary>The sequence number of the last applied event.</summary>
    protected long Version { get; private set; }

    /// <summary>Events replayed by the last recovery (after the snapshot, if any).</summary>
    protected long RecoveredEvents { get; private set; }

    /// <summary>A pure function: the state after <paramref name="event"/>.</summary>
    protected abstract TState Apply(TState state, TEvent @event);

    protected abstract ValueTask HandleAsync(TCommand command);

    /// <summary>Tags stored with an event, for tag queries; none by default.</summary>
    protected virtual IReadOnlyList<string> TagsFor(TEvent @event) => [];

    /// <summary>Called once recovery has finished, before the first command.</summary>
    protected virtual ValueTask OnRecoveredAsync() => default;

    /// <summary>Called when an event was rejected (nothing stored); the actor continues.</summary>
    protected virtual ValueTask OnRejectedAsync(TCommand command, EventRejectedException rejection)
    {
        Context.Log.LogWarning(rejection, "{Stream}: event rejected; state unchanged", PersistenceId);
        return default;
    }

    protected sealed override async ValueTask PreStartAsync()
    {
        await RecoverAsync();
        await OnRecoveredAsync();
    }

    protected sealed override async ValueTask ReceiveAsync(TCommand message)
    {
        try
        {
            await HandleAsync(message);
        }
        catch (EventRejectedException rejection)
        {
            await OnRejectedAsync(message, rejection);
        }
    }

    /// <summary>Writes the events, then applies them. Throws <see cref="EventRejectedException"/> (nothing stored).</summary>
    protected Task PersistAsync(params TEvent[] events) => PersistAsync((IReadOnlyList<TEvent>)events);

    protected async Task PersistAsync(IReadOnlyList<TEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        // Serialise everything first: a rejection must store nothing and change nothing.
        var data = new EventData[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            data[i] = _persistence.Types.Serialize(events[i], TagsFor(events[i]));
        }

        await _persistence.Journal.AppendAsync(PersistenceId, Version, data, Context.Stopping);
        var state = State;
        foreach (var @event in events)
        {
            state = Apply(state, @event);
        }

        State = state;
        Version += events.Count;
        await MaybeSnapshotAsync();
    }

    private async Task RecoverAsync()
    {
        var state = InitialState;
        var version = 0L;
        var snapshot = await _persistence.Snapshots.LoadSnapshotAsync(PersistenceId, Context.Stopping);
        if (snapshot is not null)
        {
            state = (TState)_persistence.Types.Deserialize(snapshot);
            version = snapshot.Sequence;
        }

        _lastSnapshot = version;
        long replayed = 0;
        await foreach (var stored in _persistence.Journal.ReadStreamAsync(PersistenceId, version + 1, Context.Stopping))
        {
            state = Apply(state, (TEvent)_persistence.Types.Deserialize(stored));
            version = stored.Sequence;
            replayed++;
        }

        // Erased events leave the version ahead of what was replayed; the journal's highest number wins.
        var highest = await _persistence.Journal.ReadHighestSequenceAsync(PersistenceId, Context.Stopping);
        State = state;
        Version = Math.Max(version, highest);
        RecoveredEvents = replayed;
    }

    private async Task MaybeSnapshotAsync()
    {
        var every = _persistence.SnapshotEvery;
        if (every <= 0 || Version - _lastSnapshot < every || State is null)
        {
            return;
        }

        try
        {
            var data = _persistence.Types.Serialize(State);
            await _persistence.Snapshots.SaveSnapshotAsync(new SnapshotData(PersistenceId, Version, data.TypeName, data.TypeVersion, data.Payload, Context.System.Time.GetUtcNow()), Context.Stopping);
            _lastSnapshot = Version;
        }
#pragma warning disable CA1031 // A snapshot only shortens recovery; failing to save one must not fail the actor.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            Context.Log.LogWarning(exception, "{Stream}: snapshot at {Version} failed; recovery will replay more events", PersistenceId, Version);
        }
    }
}
