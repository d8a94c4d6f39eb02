namespace SmartStore.Actors;

/// <summary>
/// The user-message queue of one actor: a growable ring buffer behind a monitor.
/// </summary>
/// <remarks>
/// Why not <c>Channel&lt;T&gt;</c>, as the architecture page first suggested: an unbounded channel
/// costs about 1.3 KB per actor before its first message (a 32-slot segment, a completion source,
/// cached reader operations) and takes a lock on every write anyway. This ring starts empty, grows
/// by doubling, shrinks back after a burst, and closes atomically with respect to writers, which is
/// what lets a stopped actor turn every late message into a dead letter instead of losing it.
/// A write and a read each take the (uncontended, thin) monitor once; nothing is allocated per message.
/// </remarks>
internal sealed class MailboxQueue<T>
{
    private const int InitialCapacity = 4;
    private const int ShrinkAbove = 256;
    private Envelope<T>[] _ring = [];
    private int _head;
    private int _count;
    private bool _closed;

    public int Count => Volatile.Read(ref _count);

    public bool TryEnqueue(in Envelope<T> envelope)
    {
        lock (this)
        {
            if (_closed)
            {
                return false;
            }

            if (_count == _ring.Length)
            {
                Resize(Math.Max(InitialCapacity, _ring.Length * 2));
            }

            _ring[(_head + _count) & (_ring.Length - 1)] = envelope;
            Volatile.Write(ref _count, _count + 1);
            return true;
        }
    }

    public bool TryDequeue(out Envelope<T> envelope)
    {
        if (Volatile.Read(ref _count) == 0)
        {
            envelope = default;
            return false;
        }

        lock (this)
        {
            if (_count == 0)
            {
                envelope = default;
                return false;
            }

            envelope = _ring[_head];
            _ring[_head] = default;
            _head = (_head + 1) & (_ring.Length - 1);
            Volatile.Write(ref _count, _count - 1);
            if (_count == 0 && _ring.Length > ShrinkAbove)
            {
                // A burst is over: give the memory back so idle actors stay small.
                _ring = new Envelope<T>[InitialCapacity];
                _head = 0;
            }

            return true;
        }
    }

    /// <summary>Puts messages back at the front, in their order (unstash).</summary>
    public void PushFront(List<Envelope<T>> envelopes)
    {
        lock (this)
        {
            if (_closed)
            {
                return;
            }

            var needed = _count + envelopes.Count;
            if (needed > _ring.Length)
            {
                Resize((int)Math.Max(InitialCapacity, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed)));
            }

            for (var i = envelopes.Count - 1; i >= 0; i--)
            {
                _head = (_head - 1) & (_ring.Length - 1);
                _ring[_head] = envelopes[i];
            }

            Volatile.Write(ref _count, needed);
        }
    }

    /// <summary>Closes the queue for writers and returns what was still in it.</summary>
    public Envelope<T>[] Close()
    {
        lock (this)
        {
            _closed = true;
            var remaining = new Envelope<T>[_count];
            for (var i = 0; i < _count; i++)
            {
                remaining[i] = _ring[(_head + i) & (_ring.Length - 1)];
            }

            _ring = [];
            _head = 0;
            Volatile.Write(ref _count, 0);
            return remaining;
        }
    }

    private void Resize(int capacity)
    {
        var next = new Envelope<T>[capacity];
        for (var i = 0; i < _count; i++)
        {
            next[i] = _ring[(_head + i) & (_ring.Length - 1)];
        }

        _ring = next;
        _head = 0;
    }
}
