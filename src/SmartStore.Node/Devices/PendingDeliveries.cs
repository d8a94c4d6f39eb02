using Akka.Actor;
using SmartStore.Domain.EventTime;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Devices;

/// <summary>What a device actor should do with a message, judged by its sequence number.</summary>
public enum SequenceCheck
{
    /// <summary>Not seen: handle it.</summary>
    New,

    /// <summary>Handled and stored before: answer it as a duplicate.</summary>
    Duplicate,

    /// <summary>The same message is being handled right now: its sender will hear when that one is stored.</summary>
    InFlight,
}

/// <summary>
/// A device's sequence numbers and the messages in flight. A sequence number counts as seen only once its
/// message is stored: a redelivery of a message whose write failed must be handled again, not answered as a
/// duplicate (that would acknowledge a message the store never kept). A redelivery that arrives while the
/// original is in flight waits for the original's answer.
/// </summary>
public sealed class PendingDeliveries
{
    private readonly Dictionary<long, List<IActorRef>> _waiting = [];
    private SequenceWindow _stored;

    public int InFlight => _waiting.Count;

    public SequenceCheck Check(long sequence, IActorRef sender)
    {
        if (_waiting.TryGetValue(sequence, out var waiting))
        {
            waiting.Add(sender);
            return SequenceCheck.InFlight;
        }

        if (_stored.Contains(sequence))
        {
            return SequenceCheck.Duplicate;
        }

        _waiting.Add(sequence, [sender]);
        return SequenceCheck.New;
    }

    /// <summary>The message is stored (or judged): every sender waiting on it hears the outcome.</summary>
    public void Complete(long sequence, Delivery outcome)
    {
        (_stored, _) = _stored.Observe(sequence);
        Answer(sequence, Delivered.Of(outcome));
    }

    /// <summary>Storing it failed: its senders hear so, and a redelivery will be handled afresh.</summary>
    public void Fail(long sequence, Exception error) => Answer(sequence, new Status.Failure(error));

    /// <summary>Fails everything in flight (the actor is restarting or stopping).</summary>
    public void FailAll(Exception error)
    {
        foreach (var sequence in _waiting.Keys.ToList())
        {
            Fail(sequence, error);
        }
    }

    private void Answer(long sequence, object answer)
    {
        if (_waiting.Remove(sequence, out var waiting))
        {
            foreach (var sender in waiting)
            {
                sender.Tell(answer);
            }
        }
    }
}
