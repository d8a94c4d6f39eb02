namespace SmartStore.Actors;

/// <summary>
/// Idle tracking without scanning every entity (the Orleans approach): entities sit in time buckets of
/// fixed width by their last activity; a sweep looks only at buckets old enough to have expired.
/// Time is the region's monotonic elapsed time, never wall-clock time.
/// </summary>
internal sealed class IdleBuckets(TimeSpan width)
{
    private readonly long _width = Math.Max(1, width.Ticks);
    private readonly Dictionary<long, HashSet<string>> _buckets = [];
    private long _oldest = long.MaxValue;

    public int BucketCount => _buckets.Count;

    public long BucketOf(TimeSpan elapsed) => elapsed.Ticks / _width;

    /// <summary>Moves an entity into the bucket for <paramref name="elapsed"/>; returns that bucket.</summary>
    public long Touch(string id, long currentBucket, TimeSpan elapsed)
    {
        var bucket = BucketOf(elapsed);
        if (bucket == currentBucket)
        {
            return bucket;
        }

        Remove(id, currentBucket);
        if (!_buckets.TryGetValue(bucket, out var set))
        {
            set = new HashSet<string>(StringComparer.Ordinal);
            _buckets[bucket] = set;
        }

        set.Add(id);
        _oldest = Math.Min(_oldest, bucket);
        return bucket;
    }

    public void Remove(string id, long bucket)
    {
        if (bucket >= 0 && _buckets.TryGetValue(bucket, out var set) && set.Remove(id) && set.Count == 0)
        {
            _buckets.Remove(bucket);
        }
    }

    /// <summary>Removes and returns every entity whose bucket ended at least <paramref name="idle"/> ago.</summary>
    public List<string> TakeExpired(TimeSpan elapsed, TimeSpan idle)
    {
        var expired = new List<string>();
        var lastExpired = ((elapsed.Ticks - idle.Ticks) / _width) - 1;
        if (lastExpired < _oldest)
        {
            return expired;
        }

        // Walk the expired range bucket by bucket, unless the range is wider than the buckets that exist.
        IEnumerable<long> candidates = lastExpired - _oldest + 1 <= _buckets.Count
            ? Range(_oldest, lastExpired)
            : _buckets.Keys.Where(b => b <= lastExpired).ToList();
        foreach (var bucket in candidates)
        {
            if (_buckets.Remove(bucket, out var set))
            {
                expired.AddRange(set);
            }
        }

        _oldest = _buckets.Count == 0 ? long.MaxValue : lastExpired + 1;
        if (_buckets.Count > 0 && !_buckets.ContainsKey(_oldest))
        {
            _oldest = _buckets.Keys.Min();
        }

        return expired;
    }

    private static IEnumerable<long> Range(long from, long to)
    {
        for (var b = from; b <= to; b++)
        {
            yield return b;
        }
    }
}
