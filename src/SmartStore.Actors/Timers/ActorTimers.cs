namespace SmartStore.Actors;

/// <summary>
/// Keyed timers of one actor, on the system's <see cref="TimeProvider"/> (so tests run them in virtual time).
/// Starting a timer under a key that is active replaces it, and a tick of the replaced or cancelled timer that
/// is already in the mailbox is discarded on delivery. All timers end when the actor stops or restarts.
/// Use only on the actor's own turn.
/// </summary>
public sealed class ActorTimers<T>
{
    private readonly ActorCell<T> _owner;
    private readonly TimeProvider _time;
    private readonly Dictionary<object, TimerTag<T>> _active = [];

    internal ActorTimers(ActorCell<T> owner, TimeProvider time)
    {
        _owner = owner;
        _time = time;
    }

    public int Count => _active.Count;

    public bool IsActive(object key) => _active.ContainsKey(key);

    public void StartSingleTimer(object key, T message, TimeSpan delay) => Start(key, message, delay, Timeout.InfiniteTimeSpan);

    public void StartPeriodicTimer(object key, T message, TimeSpan interval) => StartPeriodicTimer(key, message, interval, interval);

    public void StartPeriodicTimer(object key, T message, TimeSpan initialDelay, TimeSpan interval)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "A periodic timer needs a positive interval.");
        }

        Start(key, message, initialDelay, interval);
    }

    public void Cancel(object key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_active.Remove(key, out var tag))
        {
            tag.Timer?.Dispose();
        }
    }

    public void CancelAll()
    {
        foreach (var tag in _active.Values)
        {
            tag.Timer?.Dispose();
        }

        _active.Clear();
    }

    /// <summary>Whether a tick that reached the mailbox still belongs to a live timer; single timers end here.</summary>
    internal bool Accept(TimerTag<T> tag)
    {
        if (!_active.TryGetValue(tag.Key, out var current) || !ReferenceEquals(current, tag))
        {
            return false;
        }

        if (!tag.Periodic)
        {
            _active.Remove(tag.Key);
            tag.Timer?.Dispose();
        }

        return true;
    }

    private void Start(object key, T message, TimeSpan delay, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (delay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, "A timer delay cannot be negative.");
        }

        Cancel(key);
        var tag = new TimerTag<T>(_owner, key, message, period != Timeout.InfiniteTimeSpan);
        _active[key] = tag;
        tag.Timer = _time.CreateTimer(static state => ((TimerTag<T>)state!).Fire(), tag, delay, period);
    }
}

/// <summary>One timer's identity; a tick carries it so the mailbox can tell a live timer from a replaced one.</summary>
internal sealed class TimerTag<T>(ActorCell<T> owner, object key, T message, bool periodic)
{
    public object Key { get; } = key;

    public bool Periodic { get; } = periodic;

    public ITimer? Timer { get; set; }

    public void Fire() => owner.TryPost(new Envelope<T>(message, this));
}
