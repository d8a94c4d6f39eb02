using Microsoft.Extensions.Logging.Abstractions;
using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Payments;
using SmartStore.Persistence;
using SmartStore.Testing;

namespace SmartStore.Node.Tests;

/// <summary>
/// A whole node on a real store (SQLite or PostgreSQL), the payment provider simulator and the in-process
/// transport, as a test drives it: start, feed, stop, start again on the same journal.
/// </summary>
internal sealed class StoreHarness : IAsyncDisposable
{
    public static readonly StoreLayout Small = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
    public static readonly long Start = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly IStoreFactory _factory;

    private StoreHarness(IStoreFactory factory, IEventStore store, SimulatedPsp psp, StoreNodeOptions options)
    {
        _factory = factory;
        Store = store;
        Psp = psp;
        Options = options;
    }

    public IEventStore Store { get; private set; }

    public SimulatedPsp Psp { get; }

    public StoreNodeOptions Options { get; }

    public InProcessTransport Transport { get; private set; } = new();

    public StoreNode Node { get; private set; } = null!;

    public static async Task<StoreHarness> StartAsync(IStoreFactory factory, Func<StoreNodeOptions, StoreNodeOptions>? configure = null, int maxGatewayAttempts = 6)
    {
        var options = new StoreNodeOptions(Small) { PaymentRetryDelay = TimeSpan.FromMilliseconds(50) };
        options = configure?.Invoke(options) ?? options;
        var harness = new StoreHarness(factory, await factory.OpenAsync(), new SimulatedPsp(new PspSimulation { Seed = 5 }), options);
        harness.StartNode(maxGatewayAttempts);
        return harness;
    }

    public async Task EnrolAsync(IEnumerable<ScenarioShopper> shoppers)
    {
        foreach (var shopper in shoppers)
        {
            var reply = await Node.EnrolAsync(shopper.ShopperId, shopper.Name, shopper.FaceTemplateRef, shopper.PaymentToken, DateTimeOffset.UtcNow);
            if (reply.Refused is not null)
            {
                throw new InvalidOperationException($"Enrolling {shopper.ShopperId}: {reply.Refused}");
            }
        }
    }

    public Task<ReplayResult> SendAsync(IEnumerable<DeviceMessage> messages) => FeedReplay.SendAsync(Transport, Small.StoreId, messages);

    public ValueTask<Delivery> SendRawAsync(string topic, string payload) => Transport.SendAsync(topic, System.Text.Encoding.UTF8.GetBytes(payload));

    /// <summary>Ends the feed: the store clock passes the settlement bound, and every expected visit is decided.</summary>
    public async Task FinishAsync(long endMs, int visits, bool allDecidedByThisNode = true)
    {
        await Node.AdvanceClockAsync(endMs + Options.Floor.SettlementBoundMs + 1_000);
        // Counted in the journal, so visits settled before a restart count too.
        using var timeout = new CancellationTokenSource(Patience);
        while ((await ReadAllAsync()).Count(e => e.TypeName is "receipt-issued" or "visit-sent-to-review") < visits)
        {
            await Task.Delay(50, timeout.Token);
        }

        // The live receipt book hears of a decision just after it is stored.
        if (allDecidedByThisNode)
        {
            await Node.Receipts.WaitForDecidedAsync(visits, timeout.Token);
        }
    }

    /// <summary>Stops the node (and closes the journal) and starts a fresh one on the same journal: a restart.</summary>
    public async Task RestartAsync()
    {
        await Node.DisposeAsync();
        await Store.DisposeAsync();
        Store = await _factory.OpenAsync();
        StartNode(6);
    }

    /// <summary>Every stored event of the journal, in global order.</summary>
    public async Task<IReadOnlyList<PersistedEvent>> ReadAllAsync()
    {
        var all = new List<PersistedEvent>();
        long after = 0;
        while (true)
        {
            var page = await Store.ReadAllAsync(after, 1_000);
            all.AddRange(page.Events);
            if (page.Events.Count == 0)
            {
                return all;
            }

            after = page.Events[^1].Position;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Node.DisposeAsync();
        await Store.DisposeAsync();
        await _factory.DisposeAsync();
    }

    private void StartNode(int maxGatewayAttempts)
    {
        Transport = new InProcessTransport();
        var gateway = new ResilientGateway(Psp, new RetrySettings { MaxAttempts = maxGatewayAttempts, FirstDelay = TimeSpan.FromMilliseconds(2) });
        Node = StoreNode.Start(Options, Store, gateway, Transport, NullLoggerFactory.Instance);
        Transport.Connect(Node);
    }
}
