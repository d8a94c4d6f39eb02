using System.Collections.Concurrent;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Visits;
using SmartStore.Node.Health;
using SmartStore.Payments;

namespace SmartStore.Node.Projections;

/// <summary>A receipt as issued to the shopper: lines, totals and evidence, the payment's outcome and when.</summary>
/// <param name="Latency">From the floor handing the cart over (settlement bound passed) to the receipt; null when another process did either.</param>
public sealed record IssuedReceipt(string VisitId, string PayerId, Receipt Receipt, PaymentOutcome Outcome, long ChargedMinor, long ExitedMs, DateTimeOffset IssuedAt, TimeSpan? Latency);

/// <summary>A cart that went to an operator.</summary>
public sealed record ReviewItem(string VisitId, string PayerId, Receipt Receipt, IReadOnlyList<string> Reasons, VisitPhase Phase);

/// <summary>
/// The receipt projection's view in this process: every visit the journal holds, as the projection has read it
/// (receipts, carts sent to review, the store's history counters). Thread-safe; waiters are woken on change.
/// </summary>
public sealed class ReceiptBook
{
    private readonly ConcurrentDictionary<string, VisitState> _visits = new(StringComparer.Ordinal);
    private readonly ChangeSignal _changed = new();

    /// <summary>Where latencies measured in this process come from.</summary>
    public NodeHealth? Health { get; set; }

    public IReadOnlyCollection<IssuedReceipt> Issued =>
        [.. _visits.Values.Where(v => v.ReceiptIssued).Select(ToReceipt).OrderBy(r => r.IssuedAt).ThenBy(r => r.VisitId, StringComparer.Ordinal)];

    /// <summary>Every cart that went to review (also those an operator has decided since).</summary>
    public IReadOnlyCollection<ReviewItem> Review =>
        [.. _visits.Values.Where(WentToReview).Select(v => new ReviewItem(v.VisitId, v.PayerId, v.Receipt!, v.ReviewReasons, v.Phase)).OrderBy(r => r.VisitId, StringComparer.Ordinal)];

    /// <summary>Receipts plus carts in review: every visit the floor has handed over and that has an outcome.</summary>
    public int Decided => _visits.Values.Count(v => v.ReceiptIssued || WentToReview(v));

    public StoreCounters Counters()
    {
        long admitted = 0, reviews = 0, captured = 0, capturedMinor = 0, declined = 0, disputes = 0, refunded = 0;
        foreach (var visit in _visits.Values)
        {
            admitted += visit.Phase == VisitPhase.None ? 0 : 1;
            reviews += WentToReview(visit) ? 1 : 0;
            captured += visit.Phase == VisitPhase.Paid ? 1 : 0;
            capturedMinor += visit.Phase == VisitPhase.Paid ? visit.ChargedMinor : 0;
            declined += visit.Phase == VisitPhase.Unpaid ? 1 : 0;
            disputes += visit.Disputes.Count;
            refunded += visit.RefundedMinor;
        }

        return new StoreCounters(admitted, reviews, captured, capturedMinor, declined, disputes, refunded);
    }

    /// <summary>The projection read an event of this visit: its state now.</summary>
    public void Update(VisitState visit)
    {
        ArgumentNullException.ThrowIfNull(visit);
        _visits[visit.VisitId] = visit;
        _changed.Signal();
    }

    /// <summary>Waits until at least <paramref name="count"/> visits are decided (issued or sent to review).</summary>
    public Task WaitForDecidedAsync(int count, CancellationToken cancellationToken) => WaitUntilAsync(() => Decided >= count, cancellationToken);

    /// <summary>Waits until at least <paramref name="count"/> receipts are issued.</summary>
    public Task WaitForIssuedAsync(int count, CancellationToken cancellationToken) => WaitUntilAsync(() => _visits.Values.Count(v => v.ReceiptIssued) >= count, cancellationToken);

    /// <summary>Waits until the view satisfies <paramref name="done"/> (checked on every change).</summary>
    public Task WaitUntilAsync(Func<bool> done, CancellationToken cancellationToken) => _changed.WaitUntilAsync(done, cancellationToken);

    private static bool WentToReview(VisitState visit) => visit.Receipt is not null && !visit.ReviewReasons.IsEmpty;

    private IssuedReceipt ToReceipt(VisitState v) =>
        new(v.VisitId, v.PayerId, v.Receipt!, v.Phase == VisitPhase.Unpaid ? PaymentOutcome.Declined : PaymentOutcome.Approved, v.ChargedMinor, v.ExitedMs ?? 0, v.SettledAt ?? DateTimeOffset.MinValue, Health?.ReceiptLatencyOf(v.VisitId));
}
