using Marten;
using Microsoft.Extensions.Logging;
using SmartStore.Node.Hosting;
using SmartStore.ReadModels;

namespace SmartStore.WebConsole;

/// <summary>
/// The console beside a node in the same process: the node's journal folded into the read models in PostgreSQL,
/// and the console on them with the node's operations. Whatever hosts a store (<c>smartstore-node run</c>, the demo,
/// the map benchmark) opens it the same way; disposing it stops the console, then the feeds, then the store.
/// </summary>
public sealed class NodeConsole : IAsyncDisposable
{
    private readonly DocumentStore _store;
    private readonly IReadOnlyList<ReadModelFeed> _feeds;

    private NodeConsole(DocumentStore store, IReadOnlyList<ReadModelFeed> feeds, ConsoleServer server) => (_store, _feeds, Server) = (store, feeds, server);

    public ConsoleServer Server { get; }

    /// <summary>Opens the read models in <paramref name="readModels"/> (a PostgreSQL connection string) and starts the console on them.</summary>
    public static async Task<NodeConsole> OpenAsync(StoreNode node, string readModels, ConsoleOptions options, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrWhiteSpace(readModels);
        var store = ReadModelStore.Open(readModels);
        var feeds = new List<ReadModelFeed>();
        try
        {
            feeds.Add(ReadModelFeed.Start(node.System, new VisitReadModel(store)));
            feeds.Add(ReadModelFeed.Start(node.System, new ShopperReadModel(store)));
            var server = await ConsoleServer.StartAsync(options, store, new NodeStoreOperations(node), loggers, cancellationToken);
            return new NodeConsole(store, feeds, server);
        }
        catch
        {
            // A console that cannot start (port taken, database away) must not leave the feeds running on the node.
            foreach (var feed in feeds)
            {
                await feed.DisposeAsync();
            }

            store.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        foreach (var feed in _feeds)
        {
            await feed.DisposeAsync();
        }

        _store.Dispose();
    }
}
