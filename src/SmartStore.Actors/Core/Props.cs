namespace SmartStore.Actors;

/// <summary>
/// A recipe for an actor: how to create an instance (again, on restart) and how it is supervised.
/// </summary>
public sealed record Props<T>
{
    internal Props(Func<Actor<T>> factory) => Factory = factory;

    public Func<Actor<T>> Factory { get; }

    public SupervisorStrategy Supervision { get; init; } = SupervisorStrategy.RestartAlways;

    /// <summary>User messages handled per turn before the thread is given back; null uses the system's setting.</summary>
    public int? Throughput { get; init; }

    public int StashCapacity { get; init; } = 10_000;

    public Props<T> WithSupervision(SupervisorStrategy strategy) => this with { Supervision = strategy ?? throw new ArgumentNullException(nameof(strategy)) };
}

public static class Props
{
    public static Props<T> Create<T>(Func<Actor<T>> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new Props<T>(factory);
    }
}
