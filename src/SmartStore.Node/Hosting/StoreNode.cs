using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Domain.Accounts;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Health;
using SmartStore.Node.Persistence;
using SmartStore.Node.Projections;
using SmartStore.Node.Protocol;
using SmartStore.Node.Accounts;
using SmartStore.Node.Devices;
using SmartStore.Node.Transport;
using SmartStore.Payments;
using SmartStore.Vision;
using SmartStore.Vision.Embedding;
using SmartStore.Vision.Pipeline;
using SmartStore.Vision.Quality;

namespace SmartStore.Node.Hosting;

/// <summary>
/// A running node serving one store, as its callers see it: the transports' inbox (a device message is routed
/// by its topic to its device's entity and answered once its effect is stored) and the questions and commands
/// of operators and tests, each a message to the entity that owns the answer.
/// </summary>
public sealed class StoreNode : IDeviceInbox, IAsyncDisposable
{
    private readonly IHost _host;
    private readonly StoreNodeOptions _options;
    private readonly Dictionary<string, StoreRoutes> _stores;
    private readonly NodeRegions _regions;
    private readonly DeliveryDeadline _deadline;
    private readonly NodeServices _services;

    private StoreNode(IHost host, StoreNodeOptions options, NodeServices services)
    {
        _host = host;
        _options = options;
        _services = services;
        Health = services.Health;
        Receipts = services.Receipts;
        System = host.Services.GetRequiredService<ActorSystem>();
        _regions = new NodeRegions(host.Services.GetRequiredService<ActorRegistry>());
        _deadline = new DeliveryDeadline(options.DeliveryTimeout);
        _stores = options.Stores.ToDictionary(layout => layout.StoreId, layout => new StoreRoutes(layout, _regions, Health), StringComparer.Ordinal);
    }

    /// <summary>The node's home store: the one its <c>run</c> serves and its local views (floor, clock) are of.</summary>
    public StoreLayout Layout => _options.Layout;

    public NodeHealth Health { get; }

    /// <summary>The receipt projection's view: every visit the journal holds, as far as the projection has read.</summary>
    public ReceiptBook Receipts { get; }

    public ActorSystem System { get; }

    /// <summary>The stores' MQTT sessions this node holds now (each belongs to its store's entity).</summary>
    public StoreSessions Sessions => _services.Sessions;

    /// <summary>
    /// Starts a node: readies the journal, builds the host through the one composition root, and returns once
    /// the node is an Up member of its cluster (a single node joins itself).
    /// </summary>
    public static async Task<StoreNode> StartAsync(StoreNodeOptions options, IPaymentGateway gateway, ICommandPublisher commands, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(commands);
        loggers ??= NullLoggerFactory.Instance;
        await Journal.PrepareAsync(options.Journal, cancellationToken).ConfigureAwait(false);
        var health = new NodeHealth(new RejectionCounters(), loggers.CreateLogger("SmartStore.Node.Health"), TimeProvider.System);
        var receipts = new ReceiptBook { Health = health };
        health.StoreCounters = receipts.Counters;
        var vault = ShopperKeyVault.Open(options.KeyVault ?? KeyVaultSettings.BesideJournal(options.Journal));
        var pipeline = options.Vision is null ? null : new FacePipeline(options.Vision);
        var gallery = new FaceGallery(pipeline?.Dimensions ?? FaceGallery.DefaultDimensions);
        var faces = pipeline is null ? null : new FaceEntryServices(pipeline, gallery, options.FaceEntry);
        var services = new NodeServices(options, health, receipts, gateway, commands, loggers, new AccountServices(vault, gallery), faces, new StoreSessions());
        var host = new HostBuilder()
            // The process owns its signals (Program.cs) and stops the node in order: transport drained first, then the
            // actors. The default console lifetime would end the actor system on SIGTERM under a draining transport.
            .ConfigureServices(s => s.AddSingleton<IHostLifetime, CallerOwnedLifetime>().AddSingleton(loggers).AddSmartStoreNode(services))
            .Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var system = host.Services.GetRequiredService<ActorSystem>();
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            var node = new StoreNode(host, options, services);
            if (faces is not null)
            {
                await node.LoadGalleryAsync(cancellationToken).ConfigureAwait(false);
            }

            return node;
        }
        catch
        {
            await StopAsync(host).ConfigureAwait(false);
            pipeline?.Dispose();
            gallery.Dispose();
            throw;
        }
    }

    public ValueTask<Delivery> DeliverAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (!Topics.TryParse(topic, out var storeId, out var kind, out var device))
        {
            return Reject(RejectionReason.UnknownTopic, $"'{Truncate(topic)}' is not a device topic");
        }

        if (!_stores.TryGetValue(storeId, out var store))
        {
            return Reject(RejectionReason.UnknownTopic, $"store '{Truncate(storeId)}' is not served by this node ({string.Join(", ", _stores.Keys)})");
        }

        var (region, entityIds) = store.Routes[kind];
        if (!entityIds.TryGetValue(device, out var entityId))
        {
            return Reject(RejectionReason.UnknownDevice, $"no {kind.ToString().ToLowerInvariant()} '{Truncate(device)}' in the layout of {storeId}");
        }

        var outcome = store.Parser.Parse(kind, device, payload.Span);
        if (!outcome.Accepted)
        {
            Health.RejectionCounted(outcome.Reason!.Value, $"{device}: {outcome.Detail}");
            return new ValueTask<Delivery>(Delivery.Rejected);
        }

        return new ValueTask<Delivery>(AskDeviceAsync(region, new DeviceEnvelope(entityId, outcome.Message!), device, cancellationToken));
    }

    /// <summary>
    /// Makes this node carry stores' MQTT sessions on <paramref name="template"/>'s broker, then starts every store
    /// of the chain wherever sharding puts it (this node or another) and returns, per store, where its session is
    /// and whether it opened. Each store's entity is remembered from then on: it comes back by itself after a crash
    /// or a move, on the node that takes its shard.
    /// </summary>
    public async Task<IReadOnlyList<StoreSessionState>> ServeStoresAsync(MqttSessionOptions template, MqttCommandChannel commands, ILogger log, TimeSpan patience, CancellationToken cancellationToken = default)
    {
        Sessions.Serve(template, _options.Chain.Count > 0, this, commands, log);
        var states = await Task.WhenAll(_stores.Keys.Select(store => GetStoreSessionAsync(store, patience, cancellationToken))).ConfigureAwait(false);

        // Remembered entities come back after a crash; after a graceful hand-over the shard waits for a message.
        _keeper ??= new Timer(_ => WakeStores(), null, KeeperPeriod, KeeperPeriod);
        return states;
    }

    private static readonly TimeSpan KeeperPeriod = TimeSpan.FromSeconds(2);
    private Timer? _keeper;

    private void WakeStores()
    {
        foreach (var store in _stores.Keys)
        {
            _regions.Stores.Tell(new StoreEnvelope(store, StoreCommand.Wake.Instance), ActorRefs.NoSender);
        }
    }

    /// <summary>
    /// Where the store's session is (starting its entity if it is not running anywhere). Asked again every 10 s up to
    /// <paramref name="patience"/>: a question that reaches a shard while it is being handed over is dropped, and a
    /// store drained on a leaving node is asked about again once it has moved.
    /// </summary>
    public async Task<StoreSessionState> GetStoreSessionAsync(string storeId, TimeSpan patience, CancellationToken cancellationToken = default)
    {
        var envelope = new StoreEnvelope(KnownStore(storeId), StoreCommand.GetSession.Instance);
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            var wait = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(10).Ticks, Math.Max(TimeSpan.FromSeconds(1).Ticks, (deadline - DateTime.UtcNow).Ticks)));
            try
            {
                var state = await _regions.Stores.Ask<StoreSessionState>(envelope, wait, cancellationToken).ConfigureAwait(false);
                if (!state.Leaving || DateTime.UtcNow >= deadline)
                {
                    return state;
                }

                // Drained on a node that is leaving: asked again once the store has moved.
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (AskTimeoutException) when (DateTime.UtcNow < deadline)
            {
            }
        }
    }

    /// <summary>
    /// Drains every store session this node holds (what was received is stored and acknowledged) before the node
    /// leaves: the stores' next nodes find the rest waiting in the broker.
    /// </summary>
    public async Task DrainStoresAsync(CancellationToken cancellationToken = default)
    {
        var here = Sessions.Open.Keys.ToList();
        await Task.WhenAll(here.Select(store => _regions.Stores.Ask<StoreSessionState>(new StoreEnvelope(store, StoreCommand.Drain.Instance), TimeSpan.FromMinutes(2), cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Moves the home store's clock to a device time (end of a feed): everything up to it is released and settled.</summary>
    public Task AdvanceClockAsync(long deviceTimeMs, CancellationToken cancellationToken = default) => AdvanceClockAsync(Layout.StoreId, deviceTimeMs, cancellationToken);

    /// <summary>Moves one store's clock (any store of the chain, wherever its floor runs).</summary>
    public async Task AdvanceClockAsync(string storeId, long deviceTimeMs, CancellationToken cancellationToken = default) =>
        await _regions.Floors.Ask<Delivered>(new FloorEnvelope(KnownStore(storeId), new FloorCommand.AdvanceClock(deviceTimeMs)), _options.DeliveryTimeout, cancellationToken).ConfigureAwait(false);

    public Task<FloorView> GetFloorAsync(CancellationToken cancellationToken = default) => GetFloorAsync(Layout.StoreId, cancellationToken);

    public Task<FloorView> GetFloorAsync(string storeId, CancellationToken cancellationToken = default) =>
        _regions.Floors.Ask<FloorView>(new FloorEnvelope(KnownStore(storeId), FloorCommand.GetView.Instance), _options.AskTimeout, cancellationToken);

    // A floor of a store outside the chain would start and fail on its first message; refuse before asking.
    private string KnownStore(string storeId) => _stores.ContainsKey(storeId)
        ? storeId
        : throw new ArgumentException($"store '{storeId}' is not in this node's chain ({string.Join(", ", _stores.Keys)})", nameof(storeId));

    public Task<AccountReply> EnrolAsync(string shopperId, string name, string faceTemplateRef, string paymentToken, DateTimeOffset? consentedAt, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, new AccountCommand.Enrol(name, faceTemplateRef, paymentToken, consentedAt), cancellationToken);

    /// <summary>Whether this node identifies shoppers from gate-camera frames (its vision models are configured).</summary>
    public bool FaceEntryOn => _services.Faces is not null;

    /// <summary>Enrolled face templates in this node's gallery.</summary>
    public int GallerySize => _services.Accounts.Gallery.Count;

    /// <summary>
    /// Enrols (or re-enrols) a shopper's face from 1 to 5 photos, with explicit consent: every photo must show
    /// exactly one face that passes the quality gate, else nothing is enrolled and each failing photo is named
    /// with its reason. The template is the normalised mean of the photos' embeddings; the photos are not kept.
    /// </summary>
    public async Task<FaceEnrolment> EnrolFaceAsync(string shopperId, IReadOnlyList<ReadOnlyMemory<byte>> photos, DateTimeOffset? consentedAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(photos);
        if (_services.Faces is not { } faces)
        {
            return FaceEnrolment.Refused("face enrolment is not configured on this node (no vision models)");
        }

        if (consentedAt is null)
        {
            return FaceEnrolment.Refused("explicit consent to biometric identification (with its time) is required to enrol a face");
        }

        if (photos.Count is < 1 or > MaxEnrolmentPhotos)
        {
            return FaceEnrolment.Refused($"{photos.Count} photos: enrol with 1 to {MaxEnrolmentPhotos}");
        }

        var embeddings = new List<float[]>();
        var problems = new List<string>();
        for (var i = 0; i < photos.Count; i++)
        {
            try
            {
                var analysis = await faces.Pipeline.AnalyseAsync(photos[i], cancellationToken).ConfigureAwait(false);
                var problem = analysis.EnrolmentProblem;
                if (problem == QualityProblem.None)
                {
                    embeddings.Add(analysis.Faces[0].Embedding);
                }
                else
                {
                    problems.Add($"photo {i + 1}: {FaceQuality.Describe(problem, analysis.Faces.Count == 1 ? analysis.Faces[0].Measures : null, faces.Pipeline.Options.Quality)}");
                }
            }
            catch (VisionInputException bad)
            {
                problems.Add($"photo {i + 1}: {bad.Message}");
            }
        }

        if (problems.Count > 0)
        {
            return new FaceEnrolment(false, problems, null);
        }

        var reply = await AskAccountAsync(shopperId, new AccountCommand.EnrolFace(FaceEmbedder.MeanTemplate(embeddings), consentedAt), cancellationToken).ConfigureAwait(false);
        return reply.Refused is null ? new FaceEnrolment(true, [], reply) : new FaceEnrolment(false, [reply.Refused], reply);
    }

    public const int MaxEnrolmentPhotos = 5;

    /// <summary>
    /// Enrols a template directly, through the same account command as photos do (sealed, keyed, in the gallery):
    /// the load runs fill a gallery of 10,000 or 100,000 shoppers this way without 10,000 photos.
    /// </summary>
    internal Task<AccountReply> EnrolTemplateAsync(string shopperId, float[] template, DateTimeOffset consentedAt, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, new AccountCommand.EnrolFace(template, consentedAt), cancellationToken);

    public Task<AccountReply> ChangePaymentMethodAsync(string shopperId, string paymentToken, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, new AccountCommand.ChangePaymentMethod(paymentToken), cancellationToken);

    public Task<AccountReply> GetAccountAsync(string shopperId, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, AccountCommand.Get.Instance, cancellationToken);

    public Task<AccountReply> EraseAccountAsync(string shopperId, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, AccountCommand.Erase.Instance, cancellationToken);

    public Task<VisitReply> GetVisitAsync(string visitId, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, VisitCommand.Get.Instance, cancellationToken);

    public Task<VisitReply> ResolveReviewAsync(string visitId, string operatorId, IReadOnlyDictionary<string, int>? correctedUnits, string note, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, new VisitCommand.ResolveReview(operatorId, correctedUnits, note), cancellationToken);

    public Task<VisitReply> OpenDisputeAsync(string visitId, string sku, int units, string reason, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, new VisitCommand.OpenDispute(sku, units, reason), cancellationToken);

    public Task<VisitReply> DecideDisputeAsync(string visitId, string disputeId, bool approve, string operatorId, string note, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, new VisitCommand.DecideDispute(disputeId, approve, operatorId, note), cancellationToken);

    /// <summary>The visit's payment as its ledger recorded it (null before it was charged).</summary>
    public async Task<VisitSettlement?> GetSettlementAsync(string visitId, CancellationToken cancellationToken = default) =>
        (await _regions.Ledgers.Ask<LedgerReply>(new LedgerEnvelope(visitId, LedgerCommand.Get.Instance), _options.AskTimeout, cancellationToken).ConfigureAwait(false)).Settlement;

    /// <summary>Records a visit that could not be charged as a debt on its shopper (once per visit).</summary>
    public async Task<VisitSettlement?> RecordUnpaidAsync(string visitId, string shopperId, long amountMinor, string reason, CancellationToken cancellationToken = default) =>
        (await _regions.Ledgers.Ask<LedgerReply>(new LedgerEnvelope(visitId, new LedgerCommand.RecordUnpaid(shopperId, amountMinor, Layout.Currency, reason)), _options.AskTimeout, cancellationToken).ConfigureAwait(false)).Settlement;

    /// <summary>What a shopper owes as the debt projection has read it so far.</summary>
    public async Task<long> GetDebtAsync(string shopperId, CancellationToken cancellationToken = default) =>
        (await _regions.Debts.Ask<DebtOf>(new GetDebt(shopperId), _options.AskTimeout, cancellationToken).ConfigureAwait(false)).AmountMinor;

    public Task<ProjectionPosition> GetReceiptProjectionAsync(CancellationToken cancellationToken = default) =>
        _regions.Receipts.Ask<ProjectionPosition>(GetProjectionPosition.Instance, _options.AskTimeout, cancellationToken);

    /// <summary>Leaves the cluster gracefully (shards handed over, what was received stored) and stops the host.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_keeper is not null)
        {
            await _keeper.DisposeAsync().ConfigureAwait(false);
        }

        await StopAsync(_host).ConfigureAwait(false);
        _deadline.Dispose();
        _services.Faces?.Pipeline.Dispose();
        _services.Accounts.Gallery.Dispose();
    }

    /// <summary>
    /// Fills the gallery after a start: every shopper holding a key is woken, and an account that recovers a face
    /// template puts it in the gallery (the journal holds templates only sealed, so only the accounts can open them).
    /// </summary>
    private async Task LoadGalleryAsync(CancellationToken cancellationToken)
    {
        foreach (var batch in _services.Accounts.Vault.Shoppers().Chunk(64))
        {
            await Task.WhenAll(batch.Select(id => AskAccountAsync(id, AccountCommand.Get.Instance, cancellationToken))).ConfigureAwait(false);
        }
    }

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(timeout.Token).ConfigureAwait(false);
        host.Dispose();
    }

    /// <summary>Asks the device's entity, and counts its answer: every transport comes through here, so the node's counters are theirs.</summary>
    private async Task<Delivery> AskDeviceAsync(IActorRef region, DeviceEnvelope envelope, string device, CancellationToken cancellationToken)
    {
        Delivery outcome;
        if (cancellationToken.CanBeCanceled)
        {
            outcome = (await region.Ask<Delivered>(envelope, _options.DeliveryTimeout, cancellationToken).ConfigureAwait(false)).Outcome;
        }
        else
        {
            try
            {
                outcome = (await region.Ask<Delivered>(envelope, Timeout.InfiniteTimeSpan, _deadline.Token).ConfigureAwait(false)).Outcome;
            }
            catch (TaskCanceledException)
            {
                throw new TimeoutException($"{envelope.EntityId}: the message was not stored within {_deadline.Period} (not acknowledged)");
            }
        }

        Health.Answered(outcome, device);
        return outcome;
    }

    private Task<AccountReply> AskAccountAsync(string shopperId, AccountCommand command, CancellationToken cancellationToken) =>
        _regions.Accounts.Ask<AccountReply>(new AccountEnvelope(shopperId, command), _options.AskTimeout, cancellationToken);

    private Task<VisitReply> AskVisitAsync(string visitId, VisitCommand command, CancellationToken cancellationToken) =>
        _regions.Visits.Ask<VisitReply>(new VisitEnvelope(visitId, command), _options.AskTimeout, cancellationToken);

    private ValueTask<Delivery> Reject(RejectionReason reason, string detail)
    {
        Health.Rejected(reason, detail);
        return new ValueTask<Delivery>(Delivery.Rejected);
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";

    /// <summary>One store's way in: its parser (which knows the store's floor, to refuse a camera position off it) and its devices' entities.</summary>
    private sealed class StoreRoutes
    {
        public StoreRoutes(StoreLayout layout, NodeRegions regions, NodeHealth health)
        {
            Parser = new DeviceMessageParser(health.Rejections, new FloorBounds(layout.FloorWidth, layout.FloorDepth));
            var gates = EntityIds(layout.StoreId, layout.Gates.Select(g => g.Id));
            Routes = new()
            {
                [DeviceKind.Gate] = (regions.Gates, gates),
                [DeviceKind.GateCamera] = (regions.Gates, gates),
                [DeviceKind.Camera] = (regions.Cameras, EntityIds(layout.StoreId, layout.Cameras.Select(c => c.Id))),
                [DeviceKind.Shelf] = (regions.Shelves, EntityIds(layout.StoreId, layout.Shelves.Select(s => s.Id))),
            };
        }

        public DeviceMessageParser Parser { get; }

        public Dictionary<DeviceKind, (IActorRef Region, Dictionary<string, string> EntityIds)> Routes { get; }

        private static Dictionary<string, string> EntityIds(string storeId, IEnumerable<string> devices) =>
            devices.ToDictionary(d => d, d => DeviceEnvelope.DeviceEntityId(storeId, d), StringComparer.Ordinal);
    }
}

/// <summary>A host lifetime that listens to no signal: whoever started the node stops it (<see cref="StoreNode.DisposeAsync"/>).</summary>
internal sealed class CallerOwnedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
