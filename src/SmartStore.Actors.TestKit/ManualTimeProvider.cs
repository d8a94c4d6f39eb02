namespace SmartStore.Actors.TestKit;

/// <summary>
/// Virtual time for tests: nothing moves until <see cref="Advance"/> is called, and then every timer due
/// within the step fires in due order, on the calling thread. Timestamps and UTC time move together.
/// </summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private readonly List<(int Count, TimeSpan DueWithin, TaskCompletionSource Signal)> _timerWaiters = [];
    private DateTimeOffset _now;
    private long _sequence;

    public ManualTimeProvider(DateTimeOffset? start = null) => _now = start ?? new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    /// <summary>Timers created and neither disposed nor spent.</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves time forward, firing due timers one by one at their due instants.</summary>
    public void Advance(TimeSpan step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + step;
        }

        while (true)
        {
            ManualTimer? due;
            lock (_gate)
            {
                due = _timers.Where(t => t.DueAt <= target).OrderBy(t => t.DueAt).ThenBy(t => t.Sequence).FirstOrDefault();
                if (due is null)
                {
                    _now = target;
                    return;
                }

                _now = due.DueAt;
                if (due.Period is { } period)
                {
                    due.DueAt += period;
                    due.Sequence = ++_sequence;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    /// <summary>Completes when at least <paramref name="count"/> timers are active (an actor armed its timer).</summary>
    public Task WaitForActiveTimersAsync(int count, TimeSpan timeout) => WaitForTimersAsync(count, TimeSpan.MaxValue, timeout);

    /// <summary>
    /// Completes when a timer is active that is due within <paramref name="dueWithin"/> of now. Use it to wait
    /// for one particular timer (a 200 ms back-off) while others (a 20 s ask timeout) are active too.
    /// </summary>
    public Task WaitForTimerDueWithinAsync(TimeSpan dueWithin, TimeSpan timeout) => WaitForTimersAsync(1, dueWithin, timeout);

    private Task WaitForTimersAsync(int count, TimeSpan dueWithin, TimeSpan timeout)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            if (CountDueWithin(dueWithin) >= count)
            {
                return Task.CompletedTask;
            }

            signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _timerWaiters.Add((count, dueWithin, signal));
        }

        return signal.Task.WaitAsync(timeout);
    }

    // Called under _gate.
    private int CountDueWithin(TimeSpan dueWithin) =>
        dueWithin == TimeSpan.MaxValue ? _timers.Count : _timers.Count(t => t.DueAt - _now <= dueWithin);

    private void Schedule(ManualTimer timer, TimeSpan due, TimeSpan period)
    {
        List<TaskCompletionSource>? released = null;
        lock (_gate)
        {
            _timers.Remove(timer);
            if (due == Timeout.InfiniteTimeSpan)
            {
                return;
            }

            timer.DueAt = _now + due;
            timer.Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
            timer.Sequence = ++_sequence;
            _timers.Add(timer);
            for (var i = _timerWaiters.Count - 1; i >= 0; i--)
            {
                if (CountDueWithin(_timerWaiters[i].DueWithin) >= _timerWaiters[i].Count)
                {
                    (released ??= []).Add(_timerWaiters[i].Signal);
                    _timerWaiters.RemoveAt(i);
                }
            }
        }

        released?.ForEach(s => s.TrySetResult());
    }

    private void Remove(ManualTimer timer)
    {
        lock (_gate)
        {
            _timers.Remove(timer);
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset DueAt { get; set; }

        public TimeSpan? Period { get; set; }

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            owner.Schedule(this, dueTime, period);
            return true;
        }

        public void Fire() => callback(state);

        public void Dispose() => owner.Remove(this);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return default;
        }
    }
}
