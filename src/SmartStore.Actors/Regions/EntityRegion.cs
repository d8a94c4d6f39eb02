namespace SmartStore.Actors;

/// <summary>Settings of an entity region.</summary>
public sealed record RegionOptions
{
    /// <summary>An entity with no message for this long is passivated; <see cref="Timeout.InfiniteTimeSpan"/> keeps entities forever.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How finely idle time is tracked: the sweep runs every IdleTimeout / IdleBuckets.</summary>
    public int IdleBuckets { get; init; } = 4;

    /// <summary>Messages buffered for one passivating entity before further ones become dead letters.</summary>
    public int MaxBufferedPerEntity { get; init; } = 10_000;

    public SupervisorStrategy EntitySupervision { get; init; } = SupervisorStrategy.RestartAlways;
}

/// <summary>What a region's entity knows about itself.</summary>
public sealed record EntityContext<TMsg>(string EntityId, EntityRegion<TMsg> Region);

/// <summary>Counters of a region, for health pages and tests.</summary>
public sealed record RegionStats(int Active, int Passivating, long Started, long Passivated, long Buffered, long Overflowed);

/// <summary>Commands a region actor understands.</summary>
public abstract record RegionCommand<TMsg>
{
    private RegionCommand()
    {
    }

    public sealed record Deliver(string EntityId, TMsg Message) : RegionCommand<TMsg>;

    public sealed record Passivate(string EntityId) : RegionCommand<TMsg>;

    public sealed record GetStats(ActorRef<RegionStats> ReplyTo) : RegionCommand<TMsg>;

    internal sealed record Sweep : RegionCommand<TMsg>
    {
        public static readonly Sweep Instance = new();
    }
}

/// <summary>
/// A handle on a region: routes messages to entities by id, starting them on demand. A region is the unit
/// that a later cluster layer places on nodes.
/// </summary>
public sealed class EntityRegion<TMsg>
{
    internal EntityRegion(ActorRef<RegionCommand<TMsg>> actor) => Actor = actor;

    public ActorRef<RegionCommand<TMsg>> Actor { get; }

    public void Tell(string entityId, TMsg message)
    {
        ArgumentNullException.ThrowIfNull(entityId);
        Actor.Tell(new RegionCommand<TMsg>.Deliver(entityId, message));
    }

    /// <summary>Stops the entity after the messages it already has; later messages start it again.</summary>
    public void Passivate(string entityId) => Actor.Tell(new RegionCommand<TMsg>.Passivate(entityId));

    public Task<RegionStats> GetStatsAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Actor.AskAsync<RegionCommand<TMsg>, RegionStats>(reply => new RegionCommand<TMsg>.GetStats(reply), timeout, cancellationToken);
}

public static class EntityRegions
{
    /// <summary>Starts a top-level region named <paramref name="name"/>.</summary>
    public static EntityRegion<TMsg> SpawnRegion<TMsg>(this ActorSystem system, string name, Func<EntityContext<TMsg>, Actor<TMsg>> createEntity, RegionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        return new EntityRegion<TMsg>(system.Spawn(RegionProps(createEntity, options ?? new RegionOptions()), name));
    }

    /// <summary>Starts a region as a child of the calling actor.</summary>
    public static EntityRegion<TMsg> SpawnRegion<T, TMsg>(this IActorContext<T> context, string name, Func<EntityContext<TMsg>, Actor<TMsg>> createEntity, RegionOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new EntityRegion<TMsg>(context.Spawn(RegionProps(createEntity, options ?? new RegionOptions()), name));
    }

    private static Props<RegionCommand<TMsg>> RegionProps<TMsg>(Func<EntityContext<TMsg>, Actor<TMsg>> createEntity, RegionOptions options)
    {
        ArgumentNullException.ThrowIfNull(createEntity);
        if (options.IdleBuckets < 1 || options.MaxBufferedPerEntity < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "IdleBuckets and MaxBufferedPerEntity must be positive.");
        }

        return Props.Create(() => new RegionActor<TMsg>(createEntity, options));
    }
}
