namespace SmartStore.Domain.EventTime;

/// <summary>What a device's sequence number says about one message.</summary>
public enum SequenceVerdict
{
    /// <summary>Not seen before within the window.</summary>
    Fresh,

    /// <summary>Seen before: a redelivery or a duplicate.</summary>
    Duplicate,

    /// <summary>Older than the window can remember; the caller decides (the store's event-time buffer still deduplicates it).</summary>
    BeyondWindow,
}

/// <summary>
/// A device's recent sequence numbers: the highest seen and a 64-bit mask of the 64 below it, so duplicates
/// and redeliveries (which arrive close behind the original) are caught in O(1) with no allocation, and
/// out-of-order arrivals within 64 of the newest are still accepted once. Immutable.
/// </summary>
public readonly record struct SequenceWindow(long Highest, ulong Seen)
{
    public const int Size = 64;

    /// <summary>Whether <paramref name="sequence"/> was observed (false also when it is older than the window).</summary>
    public bool Contains(long sequence)
    {
        var age = Highest - sequence;
        return sequence <= Highest && age < Size && (Seen & (1UL << (int)age)) != 0;
    }

    public (SequenceWindow Window, SequenceVerdict Verdict) Observe(long sequence)
    {
        if (sequence > Highest)
        {
            var shift = sequence - Highest;

            // Bit i stands for Highest - i; the new highest takes bit 0 and everything older moves up.
            var seen = shift >= Size ? 1UL : (Seen << (int)shift) | 1UL;
            return (new SequenceWindow(sequence, seen), SequenceVerdict.Fresh);
        }

        var age = Highest - sequence;
        if (age >= Size)
        {
            return (this, SequenceVerdict.BeyondWindow);
        }

        var bit = 1UL << (int)age;
        return (Seen & bit) != 0 ? (this, SequenceVerdict.Duplicate) : (this with { Seen = Seen | bit }, SequenceVerdict.Fresh);
    }
}
