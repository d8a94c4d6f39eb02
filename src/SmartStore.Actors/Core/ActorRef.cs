namespace SmartStore.Actors;

/// <summary>
/// The untyped face of a reference: enough to watch an actor, name it in logs and compare it.
/// Only the kernel creates references.
/// </summary>
public abstract class ActorRef
{
    private protected ActorRef(ActorPath path) => Path = path;

    public ActorPath Path { get; }

    /// <summary>True once the actor behind the reference has terminated; a hint, not a guarantee for the next tell.</summary>
    public abstract bool IsTerminated { get; }

    internal abstract void SendSystem(SystemMessage message);

    public override string ToString() => Path.ToString();
}

/// <summary>
/// A typed reference: the only way to send <typeparamref name="T"/> messages to an actor.
/// <see cref="Tell"/> never blocks and never throws for a dead target; the message becomes a dead letter.
/// </summary>
public abstract class ActorRef<T> : ActorRef
{
    private protected ActorRef(ActorPath path)
        : base(path)
    {
    }

    public void Tell(T message)
    {
        if (!TryPost(new Envelope<T>(message, null)))
        {
            OnUndeliverable(message, "recipient has terminated");
        }
    }

    /// <summary>
    /// Asks the actor to stop once it has handled every message queued before this call
    /// (a poison pill), unlike <see cref="ActorContext{T}.Stop"/> which stops it now.
    /// </summary>
    public void StopWhenDrained() => TryPost(new Envelope<T>(default!, PoisonPill.Instance));

    /// <summary>Enqueues an envelope; false when the target can no longer accept messages.</summary>
    internal abstract bool TryPost(in Envelope<T> envelope);

    internal abstract void OnUndeliverable(T message, string reason);
}
