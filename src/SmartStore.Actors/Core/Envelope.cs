namespace SmartStore.Actors;

/// <summary>
/// A user message in a mailbox. <see cref="Meta"/> is null for a plain tell; otherwise it marks an
/// ask (its promise), a keyed timer firing, a death-watch signal or a poison pill. A struct, so that
/// a plain tell allocates nothing beyond the message itself.
/// </summary>
internal readonly struct Envelope<T>(T message, object? meta)
{
    public T Message { get; } = message;

    public object? Meta { get; } = meta;
}

/// <summary>Marks the point in a mailbox after which the actor stops.</summary>
internal sealed class PoisonPill
{
    public static readonly PoisonPill Instance = new();

    private PoisonPill()
    {
    }
}

/// <summary>A death-watch notification delivered in mailbox order, after the messages already queued.</summary>
internal sealed class TerminatedSignal(ActorRef actor)
{
    public ActorRef Actor { get; } = actor;
}

/// <summary>An ask's promise as the mailbox sees it: it can be failed when the handler throws or the message is dropped.</summary>
internal interface IAskPromise
{
    void Fail(Exception exception);
}
