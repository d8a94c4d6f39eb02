namespace SmartStore.Actors;

/// <summary>Where one entity of a region is in its life.</summary>
public enum EntityState
{
    /// <summary>No actor; the next message starts one.</summary>
    Absent,

    /// <summary>The actor runs and gets messages directly.</summary>
    Active,

    /// <summary>The actor was asked to stop after its queued messages; new messages are buffered.</summary>
    Passivating,
}

public enum EntityTrigger
{
    MessageArrived,
    PassivationRequested,
    Terminated,
}

/// <summary>
/// The entity lifecycle as an explicit state machine. Illegal transitions throw instead of being ignored.
/// <code>
///            MessageArrived                  PassivationRequested
///  Absent ──────────────────► Active ───────────────────────────► Passivating ──┐ MessageArrived
///    ▲                        │   ▲                                │   ▲         │ (buffered)
///    │  Terminated            │   │  Terminated, messages buffered │   └─────────┘
///    └────────────────────────┘   └────────────────────────────────┤
///    ▲  (crashed or stopped itself)          (restart on demand)   │
///    └─────────────────────────────────────────────────────────────┘
///                        Terminated, nothing buffered
/// </code>
/// A passivation request for an absent or passivating entity is a no-op (requests can race with stops).
/// </summary>
public static class EntityLifecycle
{
    public static EntityState Next(EntityState state, EntityTrigger trigger, bool hasBufferedMessages) => (state, trigger) switch
    {
        (EntityState.Absent, EntityTrigger.MessageArrived) => EntityState.Active,
        (EntityState.Absent, EntityTrigger.PassivationRequested) => EntityState.Absent,
        (EntityState.Active, EntityTrigger.MessageArrived) => EntityState.Active,
        (EntityState.Active, EntityTrigger.PassivationRequested) => EntityState.Passivating,
        (EntityState.Active, EntityTrigger.Terminated) => EntityState.Absent,
        (EntityState.Passivating, EntityTrigger.MessageArrived) => EntityState.Passivating,
        (EntityState.Passivating, EntityTrigger.PassivationRequested) => EntityState.Passivating,
        (EntityState.Passivating, EntityTrigger.Terminated) => hasBufferedMessages ? EntityState.Active : EntityState.Absent,
        _ => throw new IllegalEntityTransitionException(state, trigger),
    };
}

public sealed class IllegalEntityTransitionException(EntityState state, EntityTrigger trigger)
    : InvalidOperationException($"Entity in state {state} cannot take {trigger}.")
{
    public EntityState State { get; } = state;

    public EntityTrigger Trigger { get; } = trigger;
}
