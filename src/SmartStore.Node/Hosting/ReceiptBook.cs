using System.Collections.Concurrent;
using SmartStore.Domain.Carts;
using SmartStore.Payments;

namespace SmartStore.Node.Hosting;

/// <summary>A receipt as issued to the shopper: lines, totals and evidence, the payment's outcome and when.</summary>
/// <param name="Latency">From the floor handing the cart over (settlement bound passed) to the receipt; null after a restart.</param>
public sealed record IssuedReceipt(string VisitId, string PayerId, Receipt Receipt, PaymentOutcome Outcome, long ChargedMinor, long ExitedMs, DateTimeOffset IssuedAt, TimeSpan? Latency);

/// <summary>A cart an operator has to decide.</summary>
public sealed record ReviewItem(string VisitId, string PayerId, Receipt Receipt, IReadOnlyList<string> Reasons);

/// <summary>
/// Where this node's issued receipts and review items appear as they happen (the journal holds the record; this
/// is the live feed for the demo, the console and load runs). Thread-safe.
/// </summary>
public sealed class ReceiptBook
{
    private readonly ConcurrentDictionary<string, IssuedReceipt> _issued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReviewItem> _review = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<IssuedReceipt> Issued => [.. _issued.Values.OrderBy(r => r.IssuedAt)];

    public IReadOnlyCollection<ReviewItem> Review => [.. _review.Values.OrderBy(r => r.VisitId, StringComparer.Ordinal)];

    /// <summary>Receipts plus carts in review: every visit the floor has handed over.</summary>
    public int Decided => _issued.Count + _review.Count(r => !_issued.ContainsKey(r.Key));

    public void Issue(IssuedReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        _issued[receipt.VisitId] = receipt;
        Signal();
    }

    public void QueueForReview(string visitId, string payerId, Receipt receipt, IReadOnlyList<string> reasons)
    {
        _review[visitId] = new ReviewItem(visitId, payerId, receipt, reasons);
        Signal();
    }

    /// <summary>Waits until at least <paramref name="count"/> visits are decided (issued or in review).</summary>
    public Task WaitForDecidedAsync(int count, CancellationToken cancellationToken) => WaitUntilAsync(() => Decided >= count, cancellationToken);

    /// <summary>Waits until at least <paramref name="count"/> receipts are issued.</summary>
    public Task WaitForIssuedAsync(int count, CancellationToken cancellationToken) => WaitUntilAsync(() => _issued.Count >= count, cancellationToken);

    private async Task WaitUntilAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }

            if (done())
            {
                return;
            }

            await changed.WaitAsync(cancellationToken);
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
