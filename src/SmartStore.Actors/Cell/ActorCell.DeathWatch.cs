namespace SmartStore.Actors;

/// <summary>
/// Death watch. A watcher's entry holds either nothing (deliver <see cref="Actor{T}.OnTerminatedAsync"/>)
/// or a custom message (<see cref="IActorContext{T}.WatchWith"/>). The notification is queued behind the
/// user messages already in the mailbox and checked again on delivery, so an unwatch in between wins.
/// </summary>
internal sealed partial class ActorCell<T>
{
    private Dictionary<ActorRef, WatchEntry>? _watching;
    private HashSet<ActorRef>? _watchedBy;

    public void Watch(ActorRef actor) => StartWatching(actor, new WatchEntry(false, default!));

    public void WatchWith(ActorRef actor, T message) => StartWatching(actor, new WatchEntry(true, message));

    public void Unwatch(ActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (_watching is not null && _watching.Remove(actor))
        {
            actor.SendSystem(new UnwatchActor(this));
        }
    }

    private void StartWatching(ActorRef actor, WatchEntry entry)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (ReferenceEquals(actor, this))
        {
            return;
        }

        _watching ??= [];
        var alreadyWatching = _watching.ContainsKey(actor);
        _watching[actor] = entry;
        if (!alreadyWatching)
        {
            actor.SendSystem(new WatchActor(this));
        }
    }

    private void AddWatcher(ActorRef watcher)
    {
        if (_state == CellState.Terminated)
        {
            watcher.SendSystem(new DeathWatchNotification(this));
            return;
        }

        (_watchedBy ??= []).Add(watcher);
    }

    private void RemoveWatcher(ActorRef watcher) => _watchedBy?.Remove(watcher);

    private void OnWatchedActorTerminated(ActorRef actor)
    {
        if (_watching is not null && _watching.ContainsKey(actor))
        {
            TryPost(new Envelope<T>(default!, new TerminatedSignal(actor)));
        }
    }

    private ValueTask DeliverTerminated(ActorRef actor)
    {
        if (_watching is null || !_watching.Remove(actor, out var entry))
        {
            return default;
        }

        return entry.HasMessage ? _actor!.RunReceive(entry.Message) : _actor!.RunTerminated(actor);
    }

    private void NotifyWatchersAndUnwatchAll()
    {
        if (_watchedBy is not null)
        {
            foreach (var watcher in _watchedBy)
            {
                watcher.SendSystem(new DeathWatchNotification(this));
            }

            _watchedBy = null;
        }

        if (_watching is not null)
        {
            foreach (var watched in _watching.Keys)
            {
                watched.SendSystem(new UnwatchActor(this));
            }

            _watching = null;
        }
    }

    private readonly record struct WatchEntry(bool HasMessage, T Message);
}
