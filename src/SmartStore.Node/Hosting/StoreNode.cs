using Microsoft.Extensions.Logging;
using SmartStore.Actors;
using SmartStore.Domain.Entry;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Devices;
using SmartStore.Node.Floor;
using SmartStore.Node.Settlement;
using SmartStore.Node.Visits;
using SmartStore.Payments;
using SmartStore.Persistence;

using VisitCommand = SmartStore.Node.Visits.VisitCommand;

namespace SmartStore.Node.Hosting;

/// <summary>Everything a node needs to run one store; all but the layout have working defaults.</summary>
public sealed record StoreNodeOptions(StoreLayout Layout)
{
    public ActorSystemOptions Actors { get; init; } = new();

    public RegionOptions Regions { get; init; } = new();

    public FloorSettings Floor { get; init; } = new();

    public EntrySettings Entry { get; init; } = new();

    public WeightSignalSettings Weights { get; init; } = new();

    public TimeSpan DisputeWindow { get; init; } = TimeSpan.FromDays(30);

    public int SnapshotEvery { get; init; } = 50;

    public int MaxConcurrentCharges { get; init; } = 16;

    /// <summary>First wait before a visit tries its payment again after the gateway gave up (doubles, up to 30 times).</summary>
    public TimeSpan PaymentRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan AskTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// One store running as actors: the floor (fusion), a region each of gates, cameras and shelves (by device id),
/// visits and shopper accounts (by id), and the settlement actor; over a journal, a payment gateway and a
/// transport's command channel. It is also the transports' inbox: a message is routed by its topic to its
/// device's actor, and its delivery task completes once its effect is stored.
/// </summary>
public sealed class StoreNode : IDeviceInbox, IAsyncDisposable
{
    private readonly StoreNodeOptions _options;
    private readonly ActorSystem _system;
    private readonly DeviceMessageParser _parser;
    private readonly Dictionary<DeviceKind, (EntityRegion<DeviceCommand> Region, HashSet<string> Devices)> _routes;
    private readonly EntityRegion<VisitCommand> _visits;
    private readonly EntityRegion<AccountCommand> _accounts;
    private readonly ActorRef<FloorCommand> _floor;

    private StoreNode(StoreNodeOptions options, IEventStore store, IPaymentGateway gateway, ICommandPublisher commands, ILoggerFactory loggers)
    {
        _options = options;
        var layout = options.Layout;
        Types = new EventTypeRegistry();
        StoreActor.Register(Types);
        VisitActor.Register(Types);
        ShopperAccount.Register(Types);
        PaymentLedger.Register(Types);
        var persistence = new EventSourcing(store, store, Types) { SnapshotEvery = options.SnapshotEvery };
        _system = ActorSystem.Create($"store-{layout.StoreId}", options.Actors with { LoggerFactory = loggers });
        var rejections = new RejectionCounters();
        _parser = new DeviceMessageParser(rejections);
        Health = new NodeHealth(rejections, loggers.CreateLogger("SmartStore.Node.Health"), _system.Time);
        Receipts = new ReceiptBook();
        Ledger = new PaymentLedger(store, Types, gateway);

        var entities = options.Regions with { EntitySupervision = EventSourcing.RestartWithBackoff };
        _accounts = _system.SpawnRegion<AccountCommand>("accounts", ctx => new ShopperAccount(ctx.EntityId, persistence, _system.Time), entities);
        var settlement = _system.Spawn(Props.Create(() => new SettlementActor(Ledger, gateway, _accounts, Health, options.MaxConcurrentCharges)), "settlement");

        // Visits and the floor refer to each other; a visit entity starts only after the floor exists.
        ActorRef<FloorCommand>? floor = null;
        _visits = _system.SpawnRegion<VisitCommand>(
            "visits",
            ctx => new VisitActor(ctx.EntityId, persistence, new VisitServices(layout, floor!, settlement, Ledger, Receipts, Health, options.DisputeWindow, options.PaymentRetryDelay)),
            entities);
        floor = _system.Spawn(
            Props.Create(() => new StoreActor(layout, options.Floor, store, Types, _visits, Health)).WithSupervision(EventSourcing.RestartWithBackoff),
            "floor");
        _floor = floor;

        var gates = new GateServices(layout.StoreId, layout.Currency, floor, _visits, _accounts, Ledger, gateway, commands, options.Entry, Health);
        var devices = options.Regions with { IdleTimeout = Timeout.InfiniteTimeSpan };
        _routes = new()
        {
            [DeviceKind.Gate] = (
                _system.SpawnRegion<DeviceCommand>("gates", ctx => new GateActor(layout.Gates.Single(g => g.Id == ctx.EntityId), gates), devices),
                layout.Gates.Select(g => g.Id).ToHashSet(StringComparer.Ordinal)),
            [DeviceKind.Camera] = (
                _system.SpawnRegion<DeviceCommand>("cameras", ctx => new CameraActor(ctx.EntityId, floor, Health), devices),
                layout.Cameras.Select(c => c.Id).ToHashSet(StringComparer.Ordinal)),
            [DeviceKind.Shelf] = (
                _system.SpawnRegion<DeviceCommand>("shelves", ctx => new ShelfActor(layout.Shelves.Single(s => s.Id == ctx.EntityId), floor, Health, options.Weights), devices),
                layout.Shelves.Select(s => s.Id).ToHashSet(StringComparer.Ordinal)),
        };
    }

    public StoreLayout Layout => _options.Layout;

    public NodeHealth Health { get; }

    public ReceiptBook Receipts { get; }

    public PaymentLedger Ledger { get; }

    public EventTypeRegistry Types { get; }

    public ActorSystem System => _system;

    /// <summary>Starts a node; the floor recovers from the journal before the first message is handled.</summary>
    public static StoreNode Start(StoreNodeOptions options, IEventStore store, IPaymentGateway gateway, ICommandPublisher commands, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(commands);
        ArgumentNullException.ThrowIfNull(loggers);
        return new StoreNode(options, store, gateway, commands, loggers);
    }

    public ValueTask<Delivery> DeliverAsync(string topic, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (!Topics.TryParse(topic, out var storeId, out var kind, out var device))
        {
            return Reject(RejectionReason.UnknownTopic, $"'{Truncate(topic)}' is not a device topic");
        }

        if (storeId != Layout.StoreId)
        {
            return Reject(RejectionReason.UnknownTopic, $"store '{Truncate(storeId)}' is not served by this node ({Layout.StoreId})");
        }

        var (region, devices) = _routes[kind];
        if (!devices.Contains(device))
        {
            return Reject(RejectionReason.UnknownDevice, $"no {kind.ToString().ToLowerInvariant()} '{Truncate(device)}' in the layout of {Layout.StoreId}");
        }

        var outcome = _parser.Parse(kind, device, payload.Span);
        if (!outcome.Accepted)
        {
            Health.RejectionCounted(outcome.Reason!.Value, $"{device}: {outcome.Detail}");
            return new ValueTask<Delivery>(Delivery.Rejected);
        }

        var ack = new DeliveryAck();
        region.Tell(device, new DeviceCommand.Inbound(outcome.Message!, ack));
        return new ValueTask<Delivery>(cancellationToken.CanBeCanceled ? ack.Task.WaitAsync(cancellationToken) : ack.Task);
    }

    /// <summary>Moves the store clock to a device time (end of a feed): everything up to it is released and settled.</summary>
    public async Task AdvanceClockAsync(long deviceTimeMs, CancellationToken cancellationToken = default)
    {
        var ack = new DeliveryAck();
        _floor.Tell(new FloorCommand.AdvanceClock(deviceTimeMs, ack));
        await ack.Task.WaitAsync(cancellationToken);
    }

    public Task<FloorView> GetFloorAsync(CancellationToken cancellationToken = default) =>
        _floor.AskAsync<FloorCommand, FloorView>(reply => new FloorCommand.GetView(reply), _options.AskTimeout, cancellationToken);

    public Task<AccountReply> EnrolAsync(string shopperId, string name, string faceTemplateRef, string paymentToken, DateTimeOffset? consentedAt, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, reply => new AccountCommand.Enrol(name, faceTemplateRef, paymentToken, consentedAt, reply), cancellationToken);

    public Task<AccountReply> ChangePaymentMethodAsync(string shopperId, string paymentToken, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, reply => new AccountCommand.ChangePaymentMethod(paymentToken, reply), cancellationToken);

    public Task<AccountReply> GetAccountAsync(string shopperId, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, reply => new AccountCommand.Get(reply), cancellationToken);

    public Task<AccountReply> EraseAccountAsync(string shopperId, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, reply => new AccountCommand.Erase(reply), cancellationToken);

    public Task<VisitReply> GetVisitAsync(string visitId, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, reply => new VisitCommand.Get(reply), cancellationToken);

    public Task<VisitReply> ResolveReviewAsync(string visitId, string operatorId, IReadOnlyDictionary<string, int>? correctedUnits, string note, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, reply => new VisitCommand.ResolveReview(operatorId, correctedUnits, note, reply), cancellationToken);

    public Task<VisitReply> OpenDisputeAsync(string visitId, string sku, int units, string reason, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, reply => new VisitCommand.OpenDispute(sku, units, reason, reply), cancellationToken);

    public Task<VisitReply> DecideDisputeAsync(string visitId, string disputeId, bool approve, string operatorId, string note, CancellationToken cancellationToken = default) =>
        AskVisitAsync(visitId, reply => new VisitCommand.DecideDispute(disputeId, approve, operatorId, note, reply), cancellationToken);

    public async ValueTask DisposeAsync() => await _system.ShutdownAsync().ConfigureAwait(false);

    private Task<AccountReply> AskAccountAsync(string shopperId, Func<ActorRef<AccountReply>, AccountCommand> command, CancellationToken cancellationToken) =>
        _accounts.Actor.AskAsync<RegionCommand<AccountCommand>, AccountReply>(reply => new RegionCommand<AccountCommand>.Deliver(shopperId, command(reply)), _options.AskTimeout, cancellationToken);

    private Task<VisitReply> AskVisitAsync(string visitId, Func<ActorRef<VisitReply>, VisitCommand> command, CancellationToken cancellationToken) =>
        _visits.Actor.AskAsync<RegionCommand<VisitCommand>, VisitReply>(reply => new RegionCommand<VisitCommand>.Deliver(visitId, command(reply)), _options.AskTimeout, cancellationToken);

    private ValueTask<Delivery> Reject(RejectionReason reason, string detail)
    {
        Health.Rejected(reason, detail);
        return new ValueTask<Delivery>(Delivery.Rejected);
    }

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
