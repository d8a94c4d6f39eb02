namespace SmartStore.Actors;

/// <summary>
/// Base class of every actor. The kernel calls the handlers one at a time: an actor never runs two
/// messages at once, and while a handler awaits, the actor stays busy (no re-entrancy). Return
/// <c>default</c> from a synchronous handler: the kernel takes a fast path for completed tasks.
/// </summary>
public abstract class Actor<T>
{
    protected Actor()
    {
        Context = ActorCell<T>.TakeCreatingContext()
            ?? throw new InvalidOperationException($"{GetType().Name} must be created by the actor kernel from Props, not with 'new' elsewhere.");
    }

    /// <summary>The actor's view of the kernel: itself, its children, timers, stash, death watch.</summary>
    protected IActorContext<T> Context { get; }

    protected abstract ValueTask ReceiveAsync(T message);

    // The kernel calls the hooks through these, so that subclasses in any assembly override plain 'protected'.
    internal ValueTask RunReceive(T message) => ReceiveAsync(message);

    internal ValueTask RunPreStart() => PreStartAsync();

    internal ValueTask RunPostStop() => PostStopAsync();

    internal ValueTask RunPreRestart(Exception cause) => PreRestartAsync(cause);

    internal ValueTask RunPostRestart(Exception cause) => PostRestartAsync(cause);

    internal ValueTask RunTerminated(ActorRef actor) => OnTerminatedAsync(actor);

    /// <summary>Runs before the first message; awaited, so recovery can finish before any command.</summary>
    protected virtual ValueTask PreStartAsync() => default;

    /// <summary>Runs after all children have stopped and before watchers hear of the end.</summary>
    protected virtual ValueTask PostStopAsync() => default;

    /// <summary>Runs on the failed instance before it is replaced; children are stopped after it.</summary>
    protected virtual ValueTask PreRestartAsync(Exception cause) => default;

    /// <summary>Runs on the fresh instance instead of <see cref="PreStartAsync"/> after a restart.</summary>
    protected virtual ValueTask PostRestartAsync(Exception cause) => PreStartAsync();

    /// <summary>A watched actor has terminated (see <see cref="IActorContext{T}.Watch"/>).</summary>
    protected virtual ValueTask OnTerminatedAsync(ActorRef actor) => default;
}
