namespace SmartStore.Actors;

/// <summary>A name that cannot be used for an actor (empty, reserved or with a forbidden character).</summary>
public sealed class InvalidActorNameException(string name, string reason)
    : ArgumentException($"Invalid actor name '{name}': {reason}.")
{
    public string ActorName { get; } = name;
}

/// <summary>A parent already has a live child with this name; names are freed when the child has terminated.</summary>
public sealed class DuplicateActorNameException(ActorPath parent, string name)
    : InvalidOperationException($"Actor '{parent}' already has a child named '{name}'.")
{
    public string ActorName { get; } = name;
}

/// <summary>An ask got no reply in time. Distinct from cancellation and from a failure of the target.</summary>
public sealed class AskTimeoutException(ActorPath target, TimeSpan timeout)
    : TimeoutException($"Ask to '{target}' got no reply within {timeout.TotalMilliseconds:0} ms.")
{
    public ActorPath Target { get; } = target;
}

/// <summary>The asked actor failed while handling the question; <see cref="Exception.InnerException"/> says why.</summary>
public sealed class AskFailedException(ActorPath target, Exception cause)
    : Exception($"Ask to '{target}' failed: {cause.Message}", cause)
{
    public ActorPath Target { get; } = target;
}

/// <summary>The asked actor was stopped (or stopped before it reached the question), so no reply will come.</summary>
public sealed class AskTargetTerminatedException(ActorPath target)
    : Exception($"Ask to '{target}' cannot be answered: the actor has terminated.")
{
    public ActorPath Target { get; } = target;
}

/// <summary>A spawn or a call that needs a live system after the system began to shut down.</summary>
public sealed class ActorSystemShutdownException(string system)
    : InvalidOperationException($"Actor system '{system}' is shutting down.");

/// <summary>An actor's stash is full; the actor's supervisor decides what happens next.</summary>
public sealed class StashOverflowException(ActorPath actor, int capacity)
    : InvalidOperationException($"Stash of '{actor}' is full ({capacity} messages).");

/// <summary>The actor could not be created or its start hook failed.</summary>
public sealed class ActorInitializationException(ActorPath actor, Exception cause)
    : Exception($"Actor '{actor}' failed to start: {cause.Message}", cause)
{
    public ActorPath Actor { get; } = actor;
}

/// <summary>A child escalated a failure its own supervision would not decide; the parent now fails with it.</summary>
public sealed class EscalatedFailureException(ActorPath child, Exception cause)
    : Exception($"Child '{child}' escalated: {cause.Message}", cause)
{
    public ActorPath Child { get; } = child;
}
