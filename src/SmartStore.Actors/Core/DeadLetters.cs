using Microsoft.Extensions.Logging;

namespace SmartStore.Actors;

/// <summary>A message that could not be delivered, and why.</summary>
public sealed record DeadLetter(object? Message, ActorPath Recipient, string Reason);

/// <summary>
/// Counts and logs every undeliverable message. Logging is rate-limited (the first few, then one
/// line a second with the running count) so that a flood of dead letters cannot flood the log.
/// Subscribers (for example a test probe) receive every dead letter.
/// </summary>
public sealed class DeadLetterOffice
{
    private const int LogFirst = 10;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private ActorRef<DeadLetter>[] _subscribers = [];
    private long _count;
    private long _lastLogTimestamp;

    internal DeadLetterOffice(ILogger logger, TimeProvider time)
    {
        _logger = logger;
        _time = time;
    }

    public long Count => Interlocked.Read(ref _count);

    public void Subscribe(ActorRef<DeadLetter> subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ImmutableInterlocked(ref _subscribers, list => [.. list, subscriber]);
    }

    public void Unsubscribe(ActorRef<DeadLetter> subscriber) =>
        ImmutableInterlocked(ref _subscribers, list => Array.FindAll(list, s => !ReferenceEquals(s, subscriber)));

    internal void Publish(object? message, ActorPath recipient, string reason)
    {
        var count = Interlocked.Increment(ref _count);
        if (count <= LogFirst)
        {
            _logger.LogInformation("Dead letter #{Count} to {Recipient} ({Reason}): {MessageType}", count, recipient, reason, message?.GetType().Name ?? "null");
        }
        else
        {
            var now = _time.GetTimestamp();
            var last = Interlocked.Read(ref _lastLogTimestamp);
            if (_time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(1) && Interlocked.CompareExchange(ref _lastLogTimestamp, now, last) == last)
            {
                _logger.LogInformation("{Count} dead letters so far; latest to {Recipient} ({Reason})", count, recipient, reason);
            }
        }

        var subscribers = Volatile.Read(ref _subscribers);
        if (subscribers.Length == 0)
        {
            return;
        }

        var letter = new DeadLetter(message, recipient, reason);
        foreach (var subscriber in subscribers)
        {
            // A terminated subscriber must not recurse into dead letters.
            subscriber.TryPost(new Envelope<DeadLetter>(letter, null));
        }
    }

    private static void ImmutableInterlocked(ref ActorRef<DeadLetter>[] location, Func<ActorRef<DeadLetter>[], ActorRef<DeadLetter>[]> update)
    {
        while (true)
        {
            var current = Volatile.Read(ref location);
            if (Interlocked.CompareExchange(ref location, update(current), current) == current)
            {
                return;
            }
        }
    }
}
