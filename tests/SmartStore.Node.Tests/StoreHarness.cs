using SmartStore.Domain.Layouts;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Accounts;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;

namespace SmartStore.Node.Tests;

/// <summary>
/// A whole node on a real journal (SQLite or PostgreSQL), the payment provider simulator and the in-process
/// transport, as a test drives it: start, feed, stop, start again on the same journal.
/// </summary>
internal sealed class StoreHarness : IAsyncDisposable
{
    public static readonly StoreLayout Small = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
    public static readonly long Start = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly int _maxGatewayAttempts;

    private StoreHarness(JournalSettings journal, SimulatedPsp psp, StoreNodeOptions options, int maxGatewayAttempts)
    {
        Journal = journal;
        Psp = psp;
        Options = options;
        _maxGatewayAttempts = maxGatewayAttempts;
    }

    public JournalSettings Journal { get; }

    public SimulatedPsp Psp { get; }

    public StoreNodeOptions Options { get; }

    public InProcessTransport Transport { get; private set; } = new();

    public StoreNode Node { get; private set; } = null!;

    public static async Task<StoreHarness> StartAsync(IJournalFactory journals, Func<StoreNodeOptions, StoreNodeOptions>? configure = null, int maxGatewayAttempts = 6)
    {
        var journal = await journals.CreateAsync();
        // A PostgreSQL journal has no folder to put the key vault beside: each harness gets its own.
        var vault = journal.IsPostgres ? new KeyVaultSettings { Path = Path.Combine(Path.GetTempPath(), $"smartstore-vault-{Guid.NewGuid():N}", "keys.db") } : null;
        var options = new StoreNodeOptions(Small) { Journal = journal, PaymentRetryDelay = TimeSpan.FromMilliseconds(50), KeyVault = vault };
        options = configure?.Invoke(options) ?? options;
        var harness = new StoreHarness(journal, new SimulatedPsp(new PspSimulation { Seed = 5 }), options, maxGatewayAttempts);
        await harness.StartNodeAsync();
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

    /// <summary>
    /// Ends the feed: the store clock passes the settlement bound, and the receipt projection (which reads the
    /// journal, so it also holds what earlier processes decided) shows every expected visit decided.
    /// </summary>
    public async Task FinishAsync(long endMs, int visits)
    {
        await Node.AdvanceClockAsync(endMs + Options.Floor.SettlementBoundMs + 1_000);
        using var timeout = new CancellationTokenSource(Patience);
        await Node.Receipts.WaitForDecidedAsync(visits, timeout.Token);
    }

    /// <summary>Waits until the receipt projection satisfies <paramref name="condition"/>.</summary>
    public async Task WaitForReceiptsAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Patience);
        await Node.Receipts.WaitUntilAsync(condition, timeout.Token);
    }

    /// <summary>Stops the node gracefully and starts a fresh one on the same journal: a restart.</summary>
    public async Task RestartAsync()
    {
        await Node.DisposeAsync();
        await StartNodeAsync();
    }

    public async ValueTask DisposeAsync() => await Node.DisposeAsync();

    private async Task StartNodeAsync()
    {
        Transport = new InProcessTransport();
        var gateway = new ResilientGateway(Psp, new RetrySettings { MaxAttempts = _maxGatewayAttempts, FirstDelay = TimeSpan.FromMilliseconds(2) });
        Node = await StoreNode.StartAsync(Options, gateway, Transport);
        Transport.Connect(Node);
    }
}
