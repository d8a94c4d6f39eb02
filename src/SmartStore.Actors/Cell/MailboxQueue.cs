using System.Runtime.InteropServices;

namespace SmartStore.Actors;

/// <summary>
/// The user-message queue of one actor: a double-buffered pair of growable rings. Writers append to the
/// writer ring under its monitor; the single reader (the actor's turn) consumes its own ring without any
/// lock, and when that runs dry swaps contents with the writer ring in one short critical section. So the
/// reader takes the monitor once per batch, not once per message, and nothing is allocated per message.
/// </summary>
/// <remarks>
/// Why not <c>Channel&lt;T&gt;</c>, as the architecture page first suggested: an unbounded channel costs
/// about 1.3 KB per actor before its first message (a 32-slot segment, a completion source, cached reader
/// operations) and takes a lock on every write anyway. These rings start empty, grow by doubling, shrink
/// after a burst, and close atomically with respect to writers, which is what lets a stopped actor turn
/// every late message into a dead letter instead of losing it.
/// The writer side and the reader side live on different cache lines (see <see cref="CacheLinePad"/>):
/// measured, sharing them cost the reader a cache miss per message and the kernel half its tell throughput.
/// Only the owning actor's turn may use the <see cref="Reader"/> ring, <see cref="PushFront"/> and <see cref="Close"/>.
/// </remarks>
internal sealed class MailboxQueue<T>
{
    private const int InitialCapacity = 4;
    private const int ShrinkAbove = 1024;

    // Allocation order matters: this object (writer side only), then the writer ring (ending in a pad), then
    // the reader ring. A writer's lock word sits just before the writer ring, on this object's line; the reader
    // never reads this object per message (the cell keeps the reader ring), so no line is shared.
    private readonly Ring _writer;
    private readonly ReaderRing _reader;
    private bool _closed;

    public MailboxQueue()
    {
        _writer = new Ring();
        _reader = new ReaderRing(this);
    }

    /// <summary>The reader's ring: the owning cell keeps it, so that dequeuing touches only reader-side memory.</summary>
    public ReaderRing Reader => _reader;

    /// <summary>Messages waiting (both rings); exact for the reader, a snapshot for anyone else.</summary>
    public int Count => Volatile.Read(ref _reader.Count) + Volatile.Read(ref _writer.Count);

    public bool TryEnqueue(in Envelope<T> envelope)
    {
        var writer = _writer;
        lock (writer)
        {
            if (_closed)
            {
                return false;
            }

            writer.PushBack(envelope);
            return true;
        }
    }

    /// <summary>Puts messages back at the front, in their order (unstash).</summary>
    public void PushFront(List<Envelope<T>> envelopes)
    {
        for (var i = envelopes.Count - 1; i >= 0; i--)
        {
            _reader.PushFront(envelopes[i]);
        }
    }

    /// <summary>Closes the queue for writers and returns what was still in it, oldest first.</summary>
    public Envelope<T>[] Close()
    {
        lock (_writer)
        {
            _closed = true;
            var remaining = new Envelope<T>[_reader.Count + _writer.Count];
            var index = 0;
            while (_reader.Count > 0)
            {
                remaining[index++] = _reader.PopFront();
            }

            while (_writer.Count > 0)
            {
                remaining[index++] = _writer.PopFront();
            }

            _reader.Reset();
            _writer.Reset();
            return remaining;
        }
    }

    /// <summary>Refills the reader's ring from the writers' ring; false when both are empty.</summary>
    private bool Refill(ReaderRing reader)
    {
        if (Volatile.Read(ref _writer.Count) == 0)
        {
            return false;
        }

        lock (_writer)
        {
            reader.SwapContents(_writer);
        }

        return reader.Count > 0;
    }

    /// <summary>The reader's ring also holds the envelope in hand; nothing a writer touches follows it, so no pad.</summary>
    internal sealed class ReaderRing(MailboxQueue<T> owner) : RingBase
    {
#pragma warning disable CA1051 // A field so that the cell can take a reference to it.
        public Envelope<T> Current;
#pragma warning restore CA1051

        public bool TryDequeue(out Envelope<T> envelope)
        {
            if (Count == 0 && !owner.Refill(this))
            {
                envelope = default;
                return false;
            }

            envelope = PopFront();
            if (Count == 0 && Capacity > ShrinkAbove)
            {
                // A burst is over: give the memory back so idle actors stay small.
                Reset();
            }

            return true;
        }
    }

    /// <summary>The writers' ring: its monitor and counters sit on a line of their own.</summary>
    private sealed class Ring : RingBase
    {
#pragma warning disable IDE0052, CS0169 // Padding only.
        private readonly CacheLinePad _pad;
#pragma warning restore IDE0052, CS0169
    }

    /// <summary>A power-of-two ring buffer; not thread-safe by itself.</summary>
    internal abstract class RingBase
    {
        private Envelope<T>[] _items = [];
        private int _head;
#pragma warning disable CA1051 // Count is read with Volatile from other threads, so a field.
        public int Count;
#pragma warning restore CA1051

        public int Capacity => _items.Length;

        public void PushBack(in Envelope<T> envelope)
        {
            if (Count == _items.Length)
            {
                Grow(Count + 1);
            }

            _items[(_head + Count) & (_items.Length - 1)] = envelope;
            Volatile.Write(ref Count, Count + 1);
        }

        public void PushFront(in Envelope<T> envelope)
        {
            if (Count == _items.Length)
            {
                Grow(Count + 1);
            }

            _head = (_head - 1) & (_items.Length - 1);
            _items[_head] = envelope;
            Volatile.Write(ref Count, Count + 1);
        }

        public Envelope<T> PopFront()
        {
            var envelope = _items[_head];
            _items[_head] = default;
            _head = (_head + 1) & (_items.Length - 1);
            Volatile.Write(ref Count, Count - 1);
            return envelope;
        }

        /// <summary>Takes the other ring's messages and gives it this ring's (empty) storage to refill.</summary>
        public void SwapContents(RingBase other)
        {
            (_items, other._items) = (other._items, _items);
            (_head, other._head) = (other._head, _head);
            var count = other.Count;
            Volatile.Write(ref other.Count, Count);
            Volatile.Write(ref Count, count);
        }

        public void Reset()
        {
            _items = [];
            _head = 0;
            Volatile.Write(ref Count, 0);
        }

        private void Grow(int needed)
        {
            var capacity = (int)Math.Max(InitialCapacity, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)needed));
            var next = new Envelope<T>[capacity];
            for (var i = 0; i < Count; i++)
            {
                next[i] = _items[(_head + i) & (_items.Length - 1)];
            }

            _items = next;
            _head = 0;
        }
    }
}

/// <summary>64 bytes of nothing, placed at the end of an object so the next allocation starts on another cache line.</summary>
[StructLayout(LayoutKind.Sequential, Size = 64)]
internal struct CacheLinePad;
