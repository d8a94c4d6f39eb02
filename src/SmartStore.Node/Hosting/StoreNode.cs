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
using SmartStore.Payments;

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
    private readonly DeviceMessageParser _parser;
    private readonly Dictionary<DeviceKind, (IActorRef Region, Dictionary<string, string> EntityIds)> _routes;
    private readonly NodeRegions _regions;
    private readonly DeliveryDeadline _deadline;

    private StoreNode(IHost host, StoreNodeOptions options, NodeServices services)
    {
        _host = host;
        _options = options;
        Health = services.Health;
        Receipts = services.Receipts;
        System = host.Services.GetRequiredService<ActorSystem>();
        _regions = new NodeRegions(host.Services.GetRequiredService<ActorRegistry>());
        _parser = new DeviceMessageParser(Health.Rejections);
        _deadline = new DeliveryDeadline(options.DeliveryTimeout);
        var layout = options.Layout;
        _routes = new()
        {
            [DeviceKind.Gate] = (_regions.Gates, EntityIds(layout.StoreId, layout.Gates.Select(g => g.Id))),
            [DeviceKind.Camera] = (_regions.Cameras, EntityIds(layout.StoreId, layout.Cameras.Select(c => c.Id))),
            [DeviceKind.Shelf] = (_regions.Shelves, EntityIds(layout.StoreId, layout.Shelves.Select(s => s.Id))),
        };
    }

    public StoreLayout Layout => _options.Layout;

    public NodeHealth Health { get; }

    /// <summary>The receipt projection's view: every visit the journal holds, as far as the projection has read.</summary>
    public ReceiptBook Receipts { get; }

    public ActorSystem System { get; }

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
        var services = new NodeServices(options, health, receipts, gateway, commands, loggers);
        var host = new HostBuilder()
            .ConfigureServices(s => s.AddSingleton(loggers).AddSmartStoreNode(services))
            .Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var system = host.Services.GetRequiredService<ActorSystem>();
            var up = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Cluster.Get(system).RegisterOnMemberUp(() => up.TrySetResult());
            await up.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
            return new StoreNode(host, options, services);
        }
        catch
        {
            await StopAsync(host).ConfigureAwait(false);
            throw;
        }
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

        var (region, entityIds) = _routes[kind];
        if (!entityIds.TryGetValue(device, out var entityId))
        {
            return Reject(RejectionReason.UnknownDevice, $"no {kind.ToString().ToLowerInvariant()} '{Truncate(device)}' in the layout of {Layout.StoreId}");
        }

        var outcome = _parser.Parse(kind, device, payload.Span);
        if (!outcome.Accepted)
        {
            Health.RejectionCounted(outcome.Reason!.Value, $"{device}: {outcome.Detail}");
            return new ValueTask<Delivery>(Delivery.Rejected);
        }

        return new ValueTask<Delivery>(AskDeviceAsync(region, new DeviceEnvelope(entityId, outcome.Message!), cancellationToken));
    }

    /// <summary>Moves the store clock to a device time (end of a feed): everything up to it is released and settled.</summary>
    public async Task AdvanceClockAsync(long deviceTimeMs, CancellationToken cancellationToken = default) =>
        await _regions.Floors.Ask<Delivered>(new FloorEnvelope(Layout.StoreId, new FloorCommand.AdvanceClock(deviceTimeMs)), _options.DeliveryTimeout, cancellationToken).ConfigureAwait(false);

    public Task<FloorView> GetFloorAsync(CancellationToken cancellationToken = default) =>
        _regions.Floors.Ask<FloorView>(new FloorEnvelope(Layout.StoreId, FloorCommand.GetView.Instance), _options.AskTimeout, cancellationToken);

    public Task<AccountReply> EnrolAsync(string shopperId, string name, string faceTemplateRef, string paymentToken, DateTimeOffset? consentedAt, CancellationToken cancellationToken = default) =>
        AskAccountAsync(shopperId, new AccountCommand.Enrol(name, faceTemplateRef, paymentToken, consentedAt), cancellationToken);

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
        await StopAsync(_host).ConfigureAwait(false);
        _deadline.Dispose();
    }

    private static async Task StopAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StopAsync(timeout.Token).ConfigureAwait(false);
        host.Dispose();
    }

    private async Task<Delivery> AskDeviceAsync(IActorRef region, DeviceEnvelope envelope, CancellationToken cancellationToken)
    {
        if (cancellationToken.CanBeCanceled)
        {
            return (await region.Ask<Delivered>(envelope, _options.DeliveryTimeout, cancellationToken).ConfigureAwait(false)).Outcome;
        }

        try
        {
            return (await region.Ask<Delivered>(envelope, Timeout.InfiniteTimeSpan, _deadline.Token).ConfigureAwait(false)).Outcome;
        }
        catch (TaskCanceledException)
        {
            throw new TimeoutException($"{envelope.EntityId}: the message was not stored within {_deadline.Period} (not acknowledged)");
        }
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

    private static Dictionary<string, string> EntityIds(string storeId, IEnumerable<string> devices) =>
        devices.ToDictionary(d => d, d => DeviceEnvelope.DeviceEntityId(storeId, d), StringComparer.Ordinal);

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
