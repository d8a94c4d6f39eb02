using Marten;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Visits;
using SmartStore.Messaging.Protocol;
using SmartStore.Messaging.Transport;
using SmartStore.Node.Feeds;
using SmartStore.Node.Hosting;
using SmartStore.Node.Persistence;
using SmartStore.Payments;
using SmartStore.ReadModels;
using SmartStore.Testing;
using SmartStore.Vision;
using SmartStore.WebConsole.Security;

namespace SmartStore.WebConsole.Tests;

/// <summary>
/// A real node on a SQLite journal with the console on a fresh PostgreSQL database, the visits' and the shoppers'
/// read models fed from the node's journal (as <see cref="NodeConsole"/> feeds them), and one user per role: sam (supervisor), olga (operator), aldo (auditor).
/// </summary>
internal sealed class StoreWithConsole : IAsyncDisposable
{
    public const string Password = "correct horse battery";
    public static readonly StoreLayout Small = LayoutReader.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "store-layouts", "small-convenience.yaml")), "small-convenience.yaml");
    public static readonly long Start = new DateTimeOffset(2026, 11, 21, 9, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly DirectoryInfo _folder;

    private StoreWithConsole(DirectoryInfo folder, StoreNodeOptions options, StoreNode node, InProcessTransport transport, DocumentStore store, ReadModelFeed feed, ReadModelFeed shoppersFeed, ConsoleServer console, SimulatedPsp psp)
    {
        _folder = folder;
        Options = options;
        Node = node;
        Transport = transport;
        Store = store;
        Feed = feed;
        ShoppersFeed = shoppersFeed;
        Console = console;
        Psp = psp;
    }

    public StoreNode Node { get; }

    public InProcessTransport Transport { get; }

    public DocumentStore Store { get; }

    public ReadModelFeed Feed { get; }

    public ReadModelFeed ShoppersFeed { get; }

    public ConsoleServer Console { get; }

    public SimulatedPsp Psp { get; }

    public StoreNodeOptions Options { get; }

    public static async Task<StoreWithConsole> StartAsync(PostgresFixture postgres, bool faces = false, ConsoleOptions? console = null)
    {
        var folder = Directory.CreateTempSubdirectory("smartstore-console-");
        var store = ReadModelStore.Open(await postgres.Server.CreateDatabaseAsync("console"));
        var psp = new SimulatedPsp(new PspSimulation { Seed = 5 });
        var transport = new InProcessTransport();
        var options = new StoreNodeOptions(Small)
        {
            Journal = JournalSettings.SqliteFile(Path.Combine(folder.FullName, "journal.db")),
            PaymentRetryDelay = TimeSpan.FromMilliseconds(50),
            Vision = faces ? new VisionOptions { DetectorModelPath = FaceData.DetectorModel, EmbedderModelPath = FaceData.EmbedderModel, EmbedderSha256 = FaceData.EmbedderSha256, Workers = 1 } : null,
        };
        var node = await StoreNode.StartAsync(options, new ResilientGateway(psp, new RetrySettings()), transport);
        transport.Connect(node);
        var feed = ReadModelFeed.Start(node.System, new VisitReadModel(store));
        var shoppersFeed = ReadModelFeed.Start(node.System, new ShopperReadModel(store));
        var server = await ConsoleServer.StartAsync(console ?? new ConsoleOptions(), store, new NodeStoreOperations(node));
        foreach (var (user, role) in new[] { ("sam", OperatorRoles.Supervisor), ("olga", OperatorRoles.Operator), ("aldo", OperatorRoles.Auditor) })
        {
            var refused = await server.Services.GetRequiredService<OperatorDirectory>().CreateAsync(user, Password, role, "test", CancellationToken.None);
            if (refused is not null)
            {
                throw new InvalidOperationException(refused.Reason);
            }
        }

        return new StoreWithConsole(folder, options, node, transport, store, feed, shoppersFeed, server, psp);
    }

    public async Task<ConsoleClient> SignedInAsync(string user)
    {
        var client = new ConsoleClient(Console.Address);
        await client.SignInAsync(user, Password);
        return client;
    }

    /// <summary>Sends the feed's messages and moves the node's clock past the settlement bound after <paramref name="endMs"/>.</summary>
    public async Task PlayAsync(IReadOnlyList<DeviceMessage> messages, long endMs)
    {
        await FeedReplay.SendAsync(Transport, Small.StoreId, messages);
        await Node.AdvanceClockAsync(endMs + Options.Floor.SettlementBoundMs + 1_000);
    }

    /// <summary>Pia takes two colas and walks out; returns her visit once the read model holds its receipt.</summary>
    public async Task<string> PaidVisitAsync()
    {
        await Node.EnrolAsync("s-pia", "Pia Example", "face-template-pia-0001", "tok-pia-1111", DateTimeOffset.UtcNow);
        var feed = new ScriptedFeed(Small, Start);
        var t = Start + 1_000;
        feed.Identify(t, "gate-in", "s-pia");
        t = feed.Enter(t + 600, "gate-in", "trk-pia");
        t = feed.Pick(t, "trk-pia", "shelf-01-l1b1", DemoScenario.Cola, units: 2);
        t = feed.Leave(t, "gate-out", "trk-pia");
        await PlayAsync(feed.Build(t + 1_000), t + 1_000);
        using var timeout = new CancellationTokenSource(Patience);
        await Node.Receipts.WaitForIssuedAsync(1, timeout.Token);
        var visitId = Node.Receipts.Issued.Single().VisitId;
        await WaitForReadModelAsync(async queries => (await queries.VisitAsync(visitId, CancellationToken.None))?.Phase == VisitPhase.Paid);
        return visitId;
    }

    /// <summary>Waits until the read model answers the condition: the feed writes in batches a few hundred milliseconds apart.</summary>
    public async Task WaitForReadModelAsync(Func<VisitQueries, Task<bool>> condition)
    {
        var queries = new VisitQueries(Store);
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition(queries))
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>Waits until the shoppers read model answers the condition (its feed, too, writes in batches).</summary>
    public async Task WaitForShoppersAsync(Func<ShopperQueries, Task<bool>> condition)
    {
        var queries = new ShopperQueries(Store);
        using var timeout = new CancellationTokenSource(Patience);
        while (!await condition(queries))
        {
            await Task.Delay(50, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Console.DisposeAsync();
        await Feed.DisposeAsync();
        await ShoppersFeed.DisposeAsync();
        await Node.DisposeAsync();
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        _folder.Delete(recursive: true);
    }
}
