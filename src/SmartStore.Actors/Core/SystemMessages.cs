namespace SmartStore.Actors;

/// <summary>
/// Kernel-to-kernel control messages. They jump ahead of user messages and form an intrusive
/// lock-free stack per actor (<see cref="Next"/>), so queuing one allocates only the message.
/// </summary>
internal abstract class SystemMessage
{
    internal SystemMessage? Next;
}

/// <summary>Creates the actor instance and runs its start hook; always the first system message of a cell.</summary>
internal sealed class CreateActor : SystemMessage;

internal sealed class StopActor : SystemMessage;

/// <summary>Restart now (possibly after a back-off delay) because of <see cref="Cause"/>.</summary>
internal sealed class RestartActor(Exception cause) : SystemMessage
{
    public Exception Cause { get; } = cause;
}

/// <summary>A parent resumes a child that escalated, after the parent itself decided to resume.</summary>
internal sealed class ResumeActor : SystemMessage;

internal sealed class WatchActor(ActorRef watcher) : SystemMessage
{
    public ActorRef Watcher { get; } = watcher;
}

internal sealed class UnwatchActor(ActorRef watcher) : SystemMessage
{
    public ActorRef Watcher { get; } = watcher;
}

/// <summary>Tells a watcher that <see cref="Actor"/> has terminated.</summary>
internal sealed class DeathWatchNotification(ActorRef actor) : SystemMessage
{
    public ActorRef Actor { get; } = actor;
}

internal sealed class ChildTerminated(IActorCell child) : SystemMessage
{
    public IActorCell Child { get; } = child;
}

internal sealed class ChildEscalated(IActorCell child, Exception cause) : SystemMessage
{
    public IActorCell Child { get; } = child;

    public Exception Cause { get; } = cause;
}
