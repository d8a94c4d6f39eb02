using SmartStore.Actors;

namespace SmartStore.Node.Configuration;

/// <summary>The node's settings from <c>cluster.hocon</c>; every key is optional and has the kernel's default.</summary>
public sealed record NodeSettings(ActorSystemOptions Actors, RegionOptions Regions)
{
    public static NodeSettings Defaults { get; } = new(new ActorSystemOptions(), new RegionOptions());

    public static NodeSettings From(HoconReader config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var kernel = new ActorSystemOptions();
        var actors = kernel with
        {
            Throughput = config.GetInt("smartstore.actors.throughput", kernel.Throughput, min: 1, max: 100_000),
            ThroughputDeadline = config.GetDuration("smartstore.actors.throughput-deadline", kernel.ThroughputDeadline),
            ShutdownDrainTimeout = config.GetDuration("smartstore.actors.shutdown-drain-timeout", kernel.ShutdownDrainTimeout),
        };
        var regions = new RegionOptions { IdleTimeout = config.GetDuration("smartstore.regions.idle-timeout", new RegionOptions().IdleTimeout) };
        return new NodeSettings(actors, regions);
    }

    /// <summary>Reads <paramref name="path"/> if it exists, else the defaults.</summary>
    public static async Task<NodeSettings> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return Defaults;
        }

        return From(HoconReader.Parse(await File.ReadAllTextAsync(path, cancellationToken), path));
    }
}
