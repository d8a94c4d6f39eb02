using Marten;
using Microsoft.Extensions.Logging;
using SmartStore.Node.Hosting;
using SmartStore.ReadModels;

namespace SmartStore.WebConsole;

/// <summary>
/// The console beside a node in the same process: the node's journal folded into the read models in PostgreSQL,
/// and the console on them with the node's operations. Whatever hosts a store (<c>smartstore-node run</c>, the demo,
/// the map benchmark) opens it the same way; disposing it stops the console, then the feed, then the store.
/// </summary>
public sealed class NodeConsole : IAsyncDisposable
{
    private readonly DocumentStore _store;
    private readonly ReadModelFeed _feed;

    private NodeConsole(DocumentStore store, ReadModelFeed feed, ConsoleServer server) => (_store, _feed, Server) = (store, feed, server);

    public ConsoleServer Server { get; }

    /// <summary>Opens the read models in <paramref name="readModels"/> (a PostgreSQL connection string) and starts the console on them.</summary>
    public static async Task<NodeConsole> OpenAsync(StoreNode node, string readModels, ConsoleOptions options, ILoggerFactory? loggers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrWhiteSpace(readModels);
        var store = ReadModelStore.Open(readModels);
        ReadModelFeed? feed = null;
        try
        {
            feed = ReadModelFeed.Start(node.System, new VisitReadModel(store));
            var server = await ConsoleServer.StartAsync(options, store, new NodeStoreOperations(node), loggers, cancellationToken);
            return new NodeConsole(store, feed, server);
        }
        catch
        {
            // A console that cannot start (port taken, database away) must not leave the feed running on the node.
            if (feed is not null)
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
        await _feed.DisposeAsync();
        _store.Dispose();
    }
}
