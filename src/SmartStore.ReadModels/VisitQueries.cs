using Marten;
using SmartStore.Domain.Visits;

namespace SmartStore.ReadModels;

/// <summary>What an operator searches receipts by; every part is optional, and the parts that are set all hold.</summary>
public sealed record ReceiptSearch
{
    public string? PayerId { get; init; }

    /// <summary>A product on the receipt.</summary>
    public string? Sku { get; init; }

    /// <summary>Settled at or after.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Settled before.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>The most receipts returned (newest first).</summary>
    public int Limit { get; init; } = 50;
}

/// <summary>The console's questions to the visit documents: the review queue and the receipt search.</summary>
public sealed class VisitQueries(IDocumentStore store)
{
    /// <summary>Carts waiting for an operator, the longest waiting first.</summary>
    public async Task<IReadOnlyList<VisitDocument>> ReviewQueueAsync(int limit, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.Query<VisitDocument>()
            .Where(d => d.State.Phase == VisitPhase.InReview)
            .OrderBy(d => d.State.ExitedMs)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Issued receipts (paid, or charged and declined) that match the search, newest first.</summary>
    public async Task<IReadOnlyList<VisitDocument>> ReceiptsAsync(ReceiptSearch search, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(search);
        await using var session = store.QuerySession();
        var query = session.Query<VisitDocument>().Where(d => d.State.Phase == VisitPhase.Paid || d.State.Phase == VisitPhase.Unpaid);
        if (search.PayerId is { } payer)
        {
            query = query.Where(d => d.State.PayerId == payer);
        }

        if (search.Sku is { } sku)
        {
            query = query.Where(d => d.State.Receipt!.Lines.Any(l => l.Sku == sku));
        }

        if (search.From is { } from)
        {
            query = query.Where(d => d.State.SettledAt >= from);
        }

        if (search.To is { } to)
        {
            query = query.Where(d => d.State.SettledAt < to);
        }

        return await query.OrderByDescending(d => d.State.SettledAt).Take(search.Limit).ToListAsync(cancellationToken);
    }

    /// <summary>One visit, or null when the read model has not seen it (yet).</summary>
    public async Task<VisitDocument?> VisitAsync(string visitId, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<VisitDocument>(visitId, cancellationToken);
    }

    /// <summary>A shopper's visits, newest first: what the shoppers page lists (ids and receipts only, no personal data).</summary>
    public async Task<IReadOnlyList<VisitDocument>> VisitsOfAsync(string payerId, int limit, CancellationToken cancellationToken)
    {
        await using var session = store.QuerySession();
        return await session.Query<VisitDocument>()
            .Where(d => d.State.PayerId == payerId)
            .OrderByDescending(d => d.State.EnteredMs)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }
}
