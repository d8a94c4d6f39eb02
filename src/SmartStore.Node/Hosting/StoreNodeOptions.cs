using Akka.Configuration;
using SmartStore.Domain.Entry;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;
using SmartStore.Node.Accounts;
using SmartStore.Node.Floor;
using SmartStore.Node.Persistence;
using SmartStore.Node.Projections;
using SmartStore.Vision;
using SmartStore.Vision.Identification;

namespace SmartStore.Node.Hosting;

/// <summary>Everything a node needs to run one store; all but the layout have working defaults (the embedded store).</summary>
public sealed record StoreNodeOptions(StoreLayout Layout)
{
    private readonly IReadOnlyList<StoreLayout> _chain = [];

    /// <summary>
    /// The other stores of the chain this node may carry (each store's entities run on whichever node sharding
    /// puts them, so every node of a cluster knows every layout). Empty: the home store alone.
    /// </summary>
    public IReadOnlyList<StoreLayout> Chain
    {
        get => _chain;
        init
        {
            ArgumentNullException.ThrowIfNull(value);
            var twice = value.Append(Layout).GroupBy(l => l.StoreId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
            if (twice is not null)
            {
                throw new ArgumentException($"store '{twice.Key}' is in the chain twice (or is the home store as well)", nameof(value));
            }

            _chain = value;
        }
    }

    /// <summary>The home store, then the rest of the chain.</summary>
    public IReadOnlyList<StoreLayout> Stores => [Layout, .. Chain];

    public JournalSettings Journal { get; init; } = JournalSettings.Embedded;

    public FloorSettings Floor { get; init; } = new();

    public FloorSnapshotPolicy FloorSnapshots { get; init; } = new();

    public EntrySettings Entry { get; init; } = new();

    /// <summary>The face pipeline's models and limits; null: no face entry (frames are refused, tokens still work).</summary>
    public VisionOptions? Vision { get; init; }

    /// <summary>Match threshold and margin, liveness, and the gate's burst rules for face entry.</summary>
    public FaceEntrySettings FaceEntry { get; init; } = new();

    /// <summary>The shoppers' key vault; null: <c>keys.db</c> beside a SQLite journal (the embedded store).</summary>
    public KeyVaultSettings? KeyVault { get; init; }

    public WeightSignalSettings Weights { get; init; } = new();

    public ProjectionSettings Projections { get; init; } = new();

    public TimeSpan DisputeWindow { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Provider calls in flight at once (charges, holds, refunds); the rest wait their turn.</summary>
    public int MaxConcurrentCharges { get; init; } = 16;

    /// <summary>First wait before a visit tries its payment again after the gateway gave up (doubles, up to 30 times).</summary>
    public TimeSpan PaymentRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a visit waits for its payment's answer before it asks the ledger again (same idempotency key).</summary>
    public TimeSpan PaymentPatience { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one actor waits for another's answer (an account, the floor, a visit).</summary>
    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a device message may take to be stored before the transport treats it as failed (and does not acknowledge it).</summary>
    public TimeSpan DeliveryTimeout { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the projections look for new events in the journal.</summary>
    public TimeSpan QueryRefresh { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The address this node's cluster member listens on; port 0 picks a free one (a single node joins itself).</summary>
    public string Hostname { get; init; } = "127.0.0.1";

    public int Port { get; init; }

    /// <summary>Seed nodes (akka.tcp://smartstore@host:port); none: the node forms a cluster of its own.</summary>
    public IReadOnlyList<string> SeedNodes { get; init; } = [];

    /// <summary>The configuration file's own HOCON (its <c>akka</c> section overrides the node's defaults); none by default.</summary>
    public Config? Hocon { get; init; }
}

/// <summary>How a configuration file becomes a node's options (one place for every entry point that reads one).</summary>
public static class StoreNodeConfiguration
{
    /// <param name="chain">The chain's layouts as the configuration lists them; the home store may be among them.</param>
    public static StoreNodeOptions ToOptions(this Configuration.NodeSettings settings, StoreLayout layout, IReadOnlyList<StoreLayout>? chain = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(layout);
        return new StoreNodeOptions(layout)
        {
            Chain = [.. (chain ?? []).Where(other => other.StoreId != layout.StoreId)],
            Journal = settings.Journal,
            Hocon = settings.Hocon,
            SeedNodes = settings.SeedNodes,
            DeliveryTimeout = settings.DeliveryTimeout,
            KeyVault = settings.KeyVault,
            Vision = settings.Vision,
            FaceEntry = settings.FaceEntry,
        };
    }
}
