namespace SmartStore.Actors;

/// <summary>What happens to an actor whose handler threw.</summary>
public enum Directive
{
    /// <summary>Keep the instance and its state; drop the failing message and go on.</summary>
    Resume,

    /// <summary>Replace the instance with a fresh one from its props; the mailbox (and the stash) is kept.</summary>
    Restart,

    /// <summary>Stop the actor; queued messages become dead letters.</summary>
    Stop,

    /// <summary>Suspend the actor and let its parent fail with the exception; the parent's strategy decides.</summary>
    Escalate,
}

/// <summary>
/// How an actor is supervised. It travels in the actor's <see cref="Props{T}"/> and is evaluated by the
/// kernel on the failing actor's own turn, except <see cref="Directive.Escalate"/>, which hands the decision
/// to the parent. Restarts are limited to <see cref="MaxRestarts"/> within <see cref="Window"/> (exceeding it
/// stops the actor) and can be delayed by an exponential back-off.
/// </summary>
public sealed record SupervisorStrategy
{
    public SupervisorStrategy(Func<Exception, Directive> decider) => Decider = decider ?? throw new ArgumentNullException(nameof(decider));

    public static SupervisorStrategy RestartAlways { get; } = new(static _ => Directive.Restart);

    public static SupervisorStrategy ResumeAlways { get; } = new(static _ => Directive.Resume);

    public static SupervisorStrategy StopAlways { get; } = new(static _ => Directive.Stop);

    public static SupervisorStrategy EscalateAlways { get; } = new(static _ => Directive.Escalate);

    public Func<Exception, Directive> Decider { get; }

    /// <summary>Restarts allowed within <see cref="Window"/>; a negative value means no limit.</summary>
    public int MaxRestarts { get; init; } = 10;

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Delay before the first restart in a window; zero restarts at once.</summary>
    public TimeSpan MinBackoff { get; init; } = TimeSpan.Zero;

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    public SupervisorStrategy WithBackoff(TimeSpan min, TimeSpan max)
    {
        if (min < TimeSpan.Zero || max < min)
        {
            throw new ArgumentOutOfRangeException(nameof(max), "Back-off needs 0 <= min <= max.");
        }

        return this with { MinBackoff = min, MaxBackoff = max };
    }

    public SupervisorStrategy WithLimit(int maxRestarts, TimeSpan window) => this with { MaxRestarts = maxRestarts, Window = window };

    /// <summary>The delay before restart number <paramref name="restartInWindow"/> (1-based): min × 2^(n-1), capped at max.</summary>
    public TimeSpan BackoffFor(int restartInWindow)
    {
        if (MinBackoff <= TimeSpan.Zero || restartInWindow <= 0)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(restartInWindow - 1, 30);
        var ticks = MinBackoff.Ticks * Math.Pow(2, exponent);
        return ticks >= MaxBackoff.Ticks ? MaxBackoff : TimeSpan.FromTicks((long)ticks);
    }

    internal Directive Decide(Exception exception)
    {
        try
        {
            return Decider(exception);
        }
#pragma warning disable CA1031 // A throwing decider must not take the kernel down; the parent decides instead.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Directive.Escalate;
        }
    }
}

/// <summary>Restarts counted within a sliding window that opens at the first restart.</summary>
internal struct RestartStatistics
{
    private long _windowStart;

    public int Count { get; private set; }

    /// <summary>Records a restart; false when the strategy's limit is exceeded.</summary>
    public bool TryRecord(TimeProvider time, SupervisorStrategy strategy)
    {
        var now = time.GetTimestamp();
        if (Count == 0 || time.GetElapsedTime(_windowStart, now) > strategy.Window)
        {
            _windowStart = now;
            Count = 0;
        }

        Count++;
        return strategy.MaxRestarts < 0 || Count <= strategy.MaxRestarts;
    }
}
