namespace SmartStore.Actors;

/// <summary>Children: spawning by unique name and stopping them before the parent goes.</summary>
internal sealed partial class ActorCell<T>
{
    // Locked because the system spawns top-level actors from any thread into the guardian, and
    // shutdown walks the tree from outside; every other access is on the owner's turn.
    private Dictionary<string, IActorCell>? _children;

    public IReadOnlyCollection<ActorRef> Children
    {
        get
        {
            var list = new List<IActorCell>();
            CollectChildren(list);
            return list.ConvertAll(c => c.Self);
        }
    }

    public ActorRef<TChild> Spawn<TChild>(Props<TChild> props, string name)
    {
        ArgumentNullException.ThrowIfNull(props);
        var path = Path.Child(name);
        return SpawnChild(props, path);
    }

    internal ActorRef<TChild> SpawnChild<TChild>(Props<TChild> props, ActorPath path)
    {
        ActorCell<TChild> child;
        lock (this)
        {
            if (_state is CellState.Terminating or CellState.Terminated)
            {
                throw new InvalidOperationException($"'{Path}' is stopping and cannot spawn '{path.Name}'.");
            }

            _children ??= new Dictionary<string, IActorCell>(StringComparer.Ordinal);
            if (_children.ContainsKey(path.Name))
            {
                throw new DuplicateActorNameException(Path, path.Name);
            }

            child = new ActorCell<TChild>(_system, this, props, path);
            _children.Add(path.Name, child);
        }

        _system.OnActorSpawned();
        child.SendSystem(new CreateActor());
        return child;
    }

    public void CollectChildren(List<IActorCell> into)
    {
        lock (this)
        {
            if (_children is not null)
            {
                into.AddRange(_children.Values);
            }
        }
    }

    public void ReleaseChild(IActorCell child)
    {
        lock (this)
        {
            if (_children is not null && _children.TryGetValue(child.Name, out var current) && ReferenceEquals(current, child))
            {
                _children.Remove(child.Name);
            }
        }
    }

    public void Stop(ActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.SendSystem(new StopActor());
    }

    /// <summary>Sends stop to every child; false when there are none to wait for.</summary>
    private bool StopAllChildren()
    {
        List<IActorCell> children = [];
        CollectChildren(children);
        foreach (var child in children)
        {
            child.Self.SendSystem(new StopActor());
        }

        return children.Count > 0;
    }

    private async ValueTask OnChildTerminatedAsync(IActorCell child)
    {
        int remaining;
        lock (this)
        {
            ReleaseChild(child);
            remaining = _children?.Count ?? 0;
        }

        if (remaining > 0)
        {
            return;
        }

        if (_state == CellState.Restarting && _restartCause is not null)
        {
            await FinishRestartAsync();
        }
        else if (_state == CellState.Terminating)
        {
            await FinishStopAsync();
        }
    }
}
