using Marten;

namespace SmartStore.ReadModels;

/// <summary>What an operator lists shoppers by; both parts are optional, and the parts that are set all hold.</summary>
public sealed record ShopperSearch
{
    public ShopperStatus? Status { get; init; }

    /// <summary>The start of the shopper id (ids are opaque; an operator types the first characters of one).</summary>
    public string? IdPrefix { get; init; }

    /// <summary>The most shoppers returned (newest first).</summary>
    public int Limit { get; init; } = 200;
}

/// <summary>The console's questions to the shopper documents: the list and the counts by status.</summary>
public sealed class ShopperQueries(IDocumentStore store)
{
    /// <summary>Shoppers that match the search, the newest enrolment (or, erased, the newest erasure) first.</summary>
    public async Task<IReadOnlyList<ShopperDocument>> ListAsync(ShopperSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        await using var session = store.QuerySession();
        IQueryable<ShopperDocument> query = session.Query<ShopperDocument>();
        if (search.Status is { } status)
        {
            query = query.Where(d => d.Status == status);
        }

        if (!string.IsNullOrEmpty(search.IdPrefix))
        {
            var prefix = search.IdPrefix;
            query = query.Where(d => d.Id.StartsWith(prefix));
        }

        return await query.OrderByDescending(d => d.ListedAt).ThenBy(d => d.Id).Take(search.Limit).ToListAsync(cancellationToken);
    }

    /// <summary>How many shoppers each status holds (a status no shopper is in counts 0).</summary>
    public async Task<IReadOnlyDictionary<ShopperStatus, int>> CountByStatusAsync(CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        var counts = new Dictionary<ShopperStatus, int>();
        foreach (var status in Enum.GetValues<ShopperStatus>())
        {
            counts[status] = await session.Query<ShopperDocument>().CountAsync(d => d.Status == status, cancellationToken);
        }

        return counts;
    }
}
