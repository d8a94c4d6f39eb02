using SmartStore.Node.Hosting;

namespace SmartStore.WebConsole;

/// <summary>
/// What the console asks of the store: the commands go to the store's entities (visits, accounts), which decide
/// and persist; the console never writes a read model itself. Each returns the refusal, or null when done.
/// </summary>
public interface IStoreOperations
{
    /// <summary>
    /// Decides a cart in review through the visit's own rules, so its charge goes through the same idempotent
    /// settlement as an automatic receipt: <paramref name="correctedUnits"/> null charges the proposed receipt,
    /// empty charges nothing (void), otherwise those units.
    /// </summary>
    Task<string?> ResolveReviewAsync(string visitId, string operatorId, IReadOnlyDictionary<string, int>? correctedUnits, string note, CancellationToken cancellationToken);
}

/// <summary>The store's operations on a node in this process.</summary>
public sealed class NodeStoreOperations(StoreNode node) : IStoreOperations
{
    public async Task<string?> ResolveReviewAsync(string visitId, string operatorId, IReadOnlyDictionary<string, int>? correctedUnits, string note, CancellationToken cancellationToken) =>
        (await node.ResolveReviewAsync(visitId, operatorId, correctedUnits, note, cancellationToken)).Refused;
}
