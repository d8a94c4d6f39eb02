namespace SmartStore.Actors;

/// <summary>The untyped view a parent, the system and shutdown have of a cell.</summary>
internal interface IActorCell
{
    ActorRef Self { get; }

    string Name { get; }

    int PendingUserMessages { get; }

    bool IsScheduled { get; }

    void CollectChildren(List<IActorCell> into);

    /// <summary>Frees a terminated child's name at once, so a watcher that hears of the end can reuse it.</summary>
    void ReleaseChild(IActorCell child);
}

/// <summary>The lifecycle of a cell. Only the cell's own turn changes it.</summary>
internal enum CellState
{
    /// <summary>Spawned; the instance is created by the first system message.</summary>
    Created,

    Running,

    /// <summary>A failure is being decided (back-off, escalation); user messages wait.</summary>
    Suspended,

    /// <summary>Waiting for children to stop before a fresh instance is created.</summary>
    Restarting,

    /// <summary>Waiting for children to stop before the actor itself stops.</summary>
    Terminating,

    Terminated,
}
