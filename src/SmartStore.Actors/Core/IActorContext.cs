using Microsoft.Extensions.Logging;

namespace SmartStore.Actors;

/// <summary>
/// What an actor may do with the kernel. Use it only on the actor's own turn (inside its handlers and
/// hooks); it is not thread-safe and must not escape into other threads or continuations of other actors.
/// </summary>
public interface IActorContext<T>
{
    ActorRef<T> Self { get; }

    ActorRef? Parent { get; }

    ActorPath Path { get; }

    ActorSystem System { get; }

    ILogger Log { get; }

    /// <summary>Keyed single and periodic timers that deliver messages to this actor.</summary>
    ActorTimers<T> Timers { get; }

    /// <summary>Cancelled when the actor starts stopping or restarting, so long awaits can end early.</summary>
    CancellationToken Stopping { get; }

    IReadOnlyCollection<ActorRef> Children { get; }

    /// <summary>Starts a child; the name must be unique among live children.</summary>
    ActorRef<TChild> Spawn<TChild>(Props<TChild> props, string name);

    /// <summary>Stops this actor or one of its children now; queued messages become dead letters.</summary>
    void Stop(ActorRef actor);

    /// <summary>Delivers <see cref="Actor{T}.OnTerminatedAsync"/> when <paramref name="actor"/> terminates.</summary>
    void Watch(ActorRef actor);

    /// <summary>Delivers <paramref name="message"/> when <paramref name="actor"/> terminates.</summary>
    void WatchWith(ActorRef actor, T message);

    void Unwatch(ActorRef actor);

    /// <summary>Sets the message being handled aside until <see cref="UnstashAll"/>.</summary>
    void Stash();

    /// <summary>Puts every stashed message back at the front of the mailbox, in the order stashed.</summary>
    void UnstashAll();

    int StashCount { get; }
}
