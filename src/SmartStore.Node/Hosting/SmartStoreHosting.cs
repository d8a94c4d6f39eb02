using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Hosting;
using Akka.Cluster.Sharding;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Devices;
using SmartStore.Node.Floor;
using SmartStore.Node.Health;
using SmartStore.Node.Persistence;
using SmartStore.Node.Projections;
using SmartStore.Node.Protocol;
using SmartStore.Node.Settlement;
using SmartStore.Node.Transport;
using SmartStore.Node.Visits;
using SmartStore.Payments;

namespace SmartStore.Node.Hosting;

/// <summary>The node's process-wide parts that its actors share (counters, the receipt view, the provider, the command channel).</summary>
public sealed record NodeServices(StoreNodeOptions Options, NodeHealth Health, ReceiptBook Receipts, IPaymentGateway Gateway, ICommandPublisher Commands, ILoggerFactory Loggers, AccountServices Accounts, FaceEntryServices? Faces, StoreSessions Sessions);

/// <summary>
/// The one composition root of a SmartStore node: the actor system inside the .NET generic host, built by
/// Akka.Hosting, with everything a node is readable in one screen. <c>run</c>, the demo, the simulator's
/// replay, the benchmarks and the tests all start a node through here (<see cref="StoreNode.StartAsync"/>).
/// </summary>
public static class SmartStoreHosting
{
    public const string SystemName = "smartstore";

    /// <summary>The cluster role of nodes that carry stores (their floors, devices, visits, accounts and ledgers).</summary>
    public const string StoreRole = "store";

    public static IServiceCollection AddSmartStoreNode(this IServiceCollection services, NodeServices node)
    {
        ArgumentNullException.ThrowIfNull(node);
        services.AddSingleton(node);
        services.AddSingleton(node.Health);
        services.AddSingleton(node.Receipts);
        return services.AddAkka(SystemName, (builder, _) => builder.AddSmartStore(node));
    }

    public static AkkaConfigurationBuilder AddSmartStore(this AkkaConfigurationBuilder builder, NodeServices node)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(node);
        var options = node.Options;
        var stores = options.Stores.ToDictionary(layout => layout.StoreId, StringComparer.Ordinal);
        var regions = (NodeRegions?)null;
        NodeRegions Regions(IReadOnlyActorRegistry registry) => regions ??= new NodeRegions(registry);
        var gateway = new BoundedGateway(node.Gateway, options.MaxConcurrentCharges);
        var extractor = new EnvelopeExtractor();

        builder
            .ConfigureLoggers(loggers =>
            {
                loggers.LogLevel = Akka.Event.LogLevel.WarningLevel;
                loggers.ClearLoggers();
                loggers.AddLoggerFactory(node.Loggers);
            })
            .AddHocon(NodeDefaults, HoconAddMode.Append)
            .WithRemoting(new RemoteOptions { HostName = options.Hostname, Port = options.Port })
            .WithClustering(new ClusterOptions { Roles = [StoreRole], SeedNodes = options.SeedNodes.Count == 0 ? null : [.. options.SeedNodes] })
            .WithSmartStoreJournal(options.Journal, NodeCatalog.Create(), options.QueryRefresh)
            .WithCustomSerializer(WireSerializer.Name, WireSerializer.Bound, system => new WireSerializer(system));
        if (options.Hocon is { } file)
        {
            // The configuration file's akka section wins over every default above.
            builder.AddHocon(file, HoconAddMode.Prepend);
        }

        // Devices: one entity per gate, camera and shelf, never passivated (a shelf keeps its signal state, a
        // gate its admissions in flight); they are started by their first message.
        var devices = new ShardOptions { Role = StoreRole, StateStoreMode = StateStoreMode.Persistence, ShouldPassivateIdleEntities = false };
        builder
            .WithShardRegion<GateRegion>("gates", (_, registry) => id =>
            {
                var (store, gateId) = DeviceEnvelope.Parse(id);
                var gate = stores[store].Gates.Single(g => g.Id == gateId);
                var services = new GateServices(store, stores[store].Currency, Regions(registry), gateway, node.Commands, options.Entry, node.Health, options.AskTimeout, node.Faces);
                return Props.Create(() => new GateActor(gate, services));
            }, extractor, devices)
            .WithShardRegion<CameraRegion>("cameras", (_, registry) => id =>
            {
                var (store, camera) = DeviceEnvelope.Parse(id);
                var shared = Regions(registry);
                return Props.Create(() => new CameraActor(store, camera, node.Health, shared, options.AskTimeout));
            }, extractor, devices)
            .WithShardRegion<ShelfRegion>("shelves", (_, registry) => id =>
            {
                var (store, shelfId) = DeviceEnvelope.Parse(id);
                var shelf = stores[store].Shelves.Single(s => s.Id == shelfId);
                var shared = Regions(registry);
                return Props.Create(() => new ShelfActor(store, shelf, stores[store], node.Health, shared, options.Weights, options.AskTimeout, options.Floor.LatenessMs));
            }, extractor, devices);

        // The floor is remembered: after a crash it comes back without waiting for a device message, and hands
        // every visit that left and is still on it (a visit leaves the floor only once its receipt is issued or
        // an operator has it) to that visit again, so a payment under way resumes. Visits are therefore started
        // by messages, and schedule their payment retries through their region, which a passivated visit hears.
        var remembered = new ShardOptions
        {
            Role = StoreRole,
            StateStoreMode = StateStoreMode.Persistence,
            RememberEntities = true,
            RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
        };
        builder
            .WithShardRegion<FloorRegion>("floors", (_, registry) => store =>
            {
                var shared = Regions(registry);
                var layout = stores[store];
                return Props.Create(() => new StoreFloorActor(layout, options.Floor, options.FloorSnapshots, node.Health, shared));
            }, extractor, remembered);

        // Each store's own entity holds its MQTT session, so the store's device traffic goes wherever the store
        // goes. Remembered, so a store comes back on the node that takes over its shard; handed over with a drain.
        var sessions = new ShardOptions
        {
            Role = StoreRole,
            StateStoreMode = StateStoreMode.Persistence,
            RememberEntities = true,
            RememberEntitiesStore = RememberEntitiesStore.Eventsourced,
            HandOffStopMessage = StoreCommand.HandOff.Instance,
        };
        builder.WithShardRegion<StoreRegion>("stores", (_, _) => store => Props.Create(() => new StoreSessionActor(store, node.Sessions)), extractor, sessions);

        // Visits, accounts and payment ledgers are started by messages; sharding passivates them when idle.
        var onDemand = new ShardOptions { Role = StoreRole, StateStoreMode = StateStoreMode.Persistence };
        builder
            .WithShardRegion<VisitRegion>("visits", (_, registry) => visit =>
            {
                var services = new VisitServices(stores, Regions(registry), node.Health, options.DisputeWindow, options.PaymentRetryDelay, options.PaymentPatience, options.AskTimeout);
                return Props.Create(() => new VisitActor(visit, services));
            }, extractor, onDemand)
            .WithShardRegion<AccountRegion>("accounts", (_, _) => shopper => Props.Create(() => new ShopperAccountActor(shopper, node.Accounts)), extractor, onDemand)
            .WithShardRegion<LedgerRegion>("ledgers", (_, registry) => visit =>
            {
                var services = new LedgerServices(gateway, Regions(registry), options.AskTimeout);
                return Props.Create(() => new PaymentLedgerActor(visit, services));
            }, extractor, onDemand);

        // One writer per projection in the whole cluster.
        var singleton = new ClusterSingletonOptions { Role = StoreRole };
        builder
            .WithSingleton<ReceiptProjection>("receipt-projection", Props.Create(() => new ReceiptProjectionActor(node.Receipts, options.Projections)), singleton)
            .WithSingleton<DebtProjection>("debt-projection", Props.Create(() => new DebtProjectionActor(options.Projections)), singleton);

        return builder.AddStartup((system, _) =>
        {
            if (options.SeedNodes.Count == 0)
            {
                // A single node is a cluster of one: it runs exactly the code path a cluster runs.
                var cluster = Cluster.Get(system);
                cluster.Join(cluster.SelfAddress);
            }
        });
    }

    // What the node needs of Akka beyond the library defaults, each for a reason.
    private const string NodeDefaults = """
        akka {
          # Entities restarted after a failure (the floor after a journal outage) come back quickly.
          cluster.sharding.entity-restart-backoff = 1s
          cluster.sharding.remember-entities-store = eventsourced
          # A shard being moved (a rebalance) when its node dies waits this long before it is placed again (Akka's
          # default is 60 s, measured here as 63 s before a killed node's stores came back). It must cover a
          # store's drain on a graceful hand-over (smartstore.transport.mqtt.drain-timeout, 15 s by default).
          cluster.sharding.handoff-timeout = 20s
          # A leaving node's regions hand their shards over within this phase; a store draining its session on the
          # way (up to the drain timeout, then what is still retried is given up) must fit, or the region is stopped
          # under it and the store comes back only once the node is gone.
          coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 40s
          # The process stops itself on SIGTERM in its own order: the store's MQTT session drains into the running
          # actors first, then the host's stop runs coordinated shutdown (shards handed over). Akka's own hook fired
          # on SIGTERM too and stopped the session's actor under the drain, so the stop hung.
          coordinated-shutdown.run-by-clr-shutdown-hook = off
          actor.ask-timeout = 60s
          # Split-brain resolver, keep-majority (Akka 1.5's default, written out because it is a decision): when
          # nodes cannot see each other, the side with more nodes keeps the stores and the other side downs itself,
          # so a store's floor and its MQTT session never run on two sides at once. Chosen over static-quorum
          # (needs a fixed cluster size; a chain grows), keep-oldest (the oldest node alone could win against all
          # others) and lease-majority (needs a lease store we do not run). Run an odd number of store nodes; on an
          # even split the side with the lowest address stays. stable-after: how long a partition must last before
          # anything is downed, so a long GC pause does not move every store.
          cluster.downing-provider-class = "Akka.Cluster.SBR.SplitBrainResolverProvider, Akka.Cluster"
          cluster.split-brain-resolver { active-strategy = keep-majority, stable-after = 20s }
          # After a database outage the journal lets calls through again within seconds, not the default 30 s:
          # devices keep sending, and every second the floor waits is a second of unacknowledged messages.
          persistence.journal-plugin-fallback.circuit-breaker { call-timeout = 30s, reset-timeout = 5s }
          persistence.snapshot-store-plugin-fallback.circuit-breaker { call-timeout = 30s, reset-timeout = 5s }
          # The proxy's identification timeout (Akka 1.5) first fires the moment it starts looking, so every start
          # and every stop logged "failed to find an associated singleton ... after 30 seconds" for projections
          # that were there. A projection that is really missing shows as receipts that stop coming.
          cluster.singleton-proxy.log-singleton-identification-failure = off
        }
        """;
}
