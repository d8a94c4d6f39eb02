using System.Numerics.Tensors;

namespace SmartStore.Vision.Search;

/// <summary>A template's id and how similar (cosine, −1..1) it is to the face searched for.</summary>
public readonly record struct Match(string Id, float Similarity);

/// <summary>The two best templates for a face (either may be missing in a small gallery).</summary>
public readonly record struct SearchResult(Match? Best, Match? Second);

/// <summary>
/// The 1:N gallery: one unit-length template per id in one contiguous buffer, searched by a SIMD dot product
/// per row (<see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>), so a search is one
/// pass over memory. Searches run concurrently; enrolment and erasure take the write lock briefly (erasure
/// moves the last row into the hole, so the buffer stays dense). Plaintext templates live only here, in memory.
/// </summary>
public sealed class TemplateIndex : IDisposable
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly Dictionary<string, int> _rowOf = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private float[] _rows;

    public TemplateIndex(int dimensions, int capacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 1);
        Dimensions = dimensions;
        _rows = new float[dimensions * Math.Max(1, capacity)];
    }

    public int Dimensions { get; }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _ids.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    /// <summary>Adds or replaces an id's template (a re-enrolment replaces it).</summary>
    public void Upsert(string id, ReadOnlySpan<float> template)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (template.Length != Dimensions)
        {
            throw new ArgumentException($"A template has {Dimensions} values, not {template.Length}.", nameof(template));
        }

        _lock.EnterWriteLock();
        try
        {
            if (!_rowOf.TryGetValue(id, out var row))
            {
                row = _ids.Count;
                if ((row + 1) * Dimensions > _rows.Length)
                {
                    Array.Resize(ref _rows, _rows.Length * 2);
                }

                _ids.Add(id);
                _rowOf[id] = row;
            }

            template.CopyTo(_rows.AsSpan(row * Dimensions, Dimensions));
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Forgets an id's template (erasure); its row is overwritten, not just unlisted.</summary>
    public bool Remove(string id)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_rowOf.Remove(id, out var row))
            {
                return false;
            }

            var last = _ids.Count - 1;
            if (row != last)
            {
                _rows.AsSpan(last * Dimensions, Dimensions).CopyTo(_rows.AsSpan(row * Dimensions, Dimensions));
                _ids[row] = _ids[last];
                _rowOf[_ids[row]] = row;
            }

            _rows.AsSpan(last * Dimensions, Dimensions).Clear();
            _ids.RemoveAt(last);
            return true;
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    public SearchResult Search(ReadOnlySpan<float> probe)
    {
        if (probe.Length != Dimensions)
        {
            throw new ArgumentException($"A probe has {Dimensions} values, not {probe.Length}.", nameof(probe));
        }

        _lock.EnterReadLock();
        try
        {
            var (best, second) = (-1, -1);
            var (bestScore, secondScore) = (float.NegativeInfinity, float.NegativeInfinity);
            var rows = _rows.AsSpan(0, _ids.Count * Dimensions);
            for (var row = 0; row < _ids.Count; row++)
            {
                var score = TensorPrimitives.Dot(rows.Slice(row * Dimensions, Dimensions), probe);
                if (score > bestScore)
                {
                    (second, secondScore) = (best, bestScore);
                    (best, bestScore) = (row, score);
                }
                else if (score > secondScore)
                {
                    (second, secondScore) = (row, score);
                }
            }

            return new SearchResult(
                best < 0 ? null : new Match(_ids[best], bestScore),
                second < 0 ? null : new Match(_ids[second], secondScore));
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public void Dispose() => _lock.Dispose();
}
