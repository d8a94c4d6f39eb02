using System.Text.Json.Serialization;
using SmartStore.Persistence;

namespace SmartStore.Payments;

public sealed record PaymentCaptured(string VisitId, long AmountMinor, string Currency, string Reference);

public sealed record PaymentDeclined(string VisitId, long AmountMinor, string Currency, string Reason);

/// <summary>An unpaid visit becomes a debt on the shopper's account.</summary>
public sealed record DebtRecorded(string VisitId, string ShopperId, long AmountMinor, string Currency);

public sealed record RefundIssued(string VisitId, long AmountMinor, string Reference, string Reason);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(PaymentCaptured))]
[JsonSerializable(typeof(PaymentDeclined))]
[JsonSerializable(typeof(DebtRecorded))]
[JsonSerializable(typeof(RefundIssued))]
internal sealed partial class PaymentsJson : JsonSerializerContext;

/// <summary>The settlement of one visit as the ledger knows it.</summary>
public sealed record VisitSettlement(string VisitId, PaymentOutcome Outcome, long AmountMinor, string? CaptureReference, long RefundedMinor);

/// <summary>
/// The ledger of charges and refunds, in the journal (stream <c>payment-{visit}</c>). Charging is idempotent
/// end to end: the ledger is read first (a visit already settled is answered from it), the provider is called
/// with the visit's idempotency key (a retry or a second node gets the first charge back), and the outcome is
/// appended with an expected version (two writers cannot both record a settlement). A crash between the
/// provider's charge and the append is healed by the next attempt: same key, same charge, one record.
/// </summary>
public sealed class PaymentLedger(IEventJournal journal, EventTypeRegistry types, IPaymentGateway gateway)
{
    public static EventTypeRegistry Register(EventTypeRegistry types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return types
            .Register("payment-captured", 1, PaymentsJson.Default.PaymentCaptured)
            .Register("payment-declined", 1, PaymentsJson.Default.PaymentDeclined)
            .Register("debt-recorded", 1, PaymentsJson.Default.DebtRecorded)
            .Register("refund-issued", 1, PaymentsJson.Default.RefundIssued);
    }

    public static string StreamOf(string visitId) => $"payment-{visitId}";

    public async Task<VisitSettlement?> ReadAsync(string visitId, CancellationToken cancellationToken = default) =>
        (await ReadWithVersionAsync(visitId, cancellationToken)).Settlement;

    /// <summary>The visit's settlement and its stream's version, from one read of the stream.</summary>
    private async Task<(VisitSettlement? Settlement, long Version)> ReadWithVersionAsync(string visitId, CancellationToken cancellationToken)
    {
        VisitSettlement? settlement = null;
        long version = 0;
        await foreach (var stored in journal.ReadStreamAsync(StreamOf(visitId), 1, cancellationToken))
        {
            version = stored.Sequence;
            settlement = Fold(settlement, visitId, types.Deserialize(stored));
        }

        return (settlement, version);
    }

    private static VisitSettlement? Fold(VisitSettlement? settlement, string visitId, object @event) => @event switch
    {
        PaymentCaptured c => new VisitSettlement(visitId, PaymentOutcome.Approved, c.AmountMinor, c.Reference, 0),
        PaymentDeclined d => new VisitSettlement(visitId, PaymentOutcome.Declined, d.AmountMinor, null, 0),
        RefundIssued r when settlement is not null => settlement with { RefundedMinor = settlement.RefundedMinor + r.AmountMinor },
        _ => settlement,
    };

    /// <summary>Charges a visit once, whatever happens around the call; a decline records a debt.</summary>
    public async Task<VisitSettlement> ChargeAsync(string visitId, string shopperId, string paymentToken, long amountMinor, string currency, string? authorisation = null, CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(visitId, cancellationToken) is { } settled)
        {
            return settled;
        }

        var result = await gateway.CaptureAsync($"visit-{visitId}-capture", paymentToken, amountMinor, currency, authorisation, cancellationToken);
        var events = result.Approved
            ? new object[] { new PaymentCaptured(visitId, amountMinor, currency, result.Reference) }
            : [new PaymentDeclined(visitId, amountMinor, currency, result.DeclineReason ?? "declined"), new DebtRecorded(visitId, shopperId, amountMinor, currency)];
        try
        {
            await journal.AppendAsync(StreamOf(visitId), ExpectedVersion.NoStream, events.Select(e => types.Serialize(e, [$"shopper:{shopperId}"])).ToArray(), cancellationToken);
            return events.Aggregate((VisitSettlement?)null, (s, e) => Fold(s, visitId, e))!;
        }
        catch (ConcurrencyException)
        {
            // Another attempt recorded the settlement first; the provider charged once (same key). Its record stands.
            return (await ReadAsync(visitId, cancellationToken))!;
        }
    }

    /// <summary>Records a visit that could not be charged at all (no payment method): a debt, once.</summary>
    public async Task<VisitSettlement> RecordUnpaidAsync(string visitId, string shopperId, long amountMinor, string currency, string reason, CancellationToken cancellationToken = default)
    {
        if (await ReadAsync(visitId, cancellationToken) is { } settled)
        {
            return settled;
        }

        object[] events = [new PaymentDeclined(visitId, amountMinor, currency, reason), new DebtRecorded(visitId, shopperId, amountMinor, currency)];
        try
        {
            await journal.AppendAsync(StreamOf(visitId), ExpectedVersion.NoStream, events.Select(e => types.Serialize(e, [$"shopper:{shopperId}"])).ToArray(), cancellationToken);
            return new VisitSettlement(visitId, PaymentOutcome.Declined, amountMinor, null, 0);
        }
        catch (ConcurrencyException)
        {
            return (await ReadAsync(visitId, cancellationToken))!;
        }
    }

    /// <summary>What a shopper owes: every recorded debt (declined visits), read through the shopper's tag.</summary>
    public async Task<long> ReadDebtAsync(string shopperId, CancellationToken cancellationToken = default)
    {
        long debt = 0;
        long after = 0;
        while (true)
        {
            var page = await journal.ReadTagAsync($"shopper:{shopperId}", after, 256, cancellationToken);
            if (page.Count == 0)
            {
                return debt;
            }

            debt += page.Select(types.Deserialize).OfType<DebtRecorded>().Sum(d => d.AmountMinor);
            after = page[^1].Position;
        }
    }

    /// <summary>Refunds part of a captured visit; refund number <paramref name="refundNumber"/> is its own idempotent operation.</summary>
    public async Task<VisitSettlement> RefundAsync(string visitId, int refundNumber, long amountMinor, string reason, CancellationToken cancellationToken = default)
    {
        var (settlement, version) = await ReadWithVersionAsync(visitId, cancellationToken);
        if (settlement is not { Outcome: PaymentOutcome.Approved, CaptureReference: { } capture })
        {
            throw new InvalidOperationException($"Visit '{visitId}' has no captured payment to refund.");
        }

        if (amountMinor <= 0 || settlement.RefundedMinor + amountMinor > settlement.AmountMinor)
        {
            throw new ArgumentOutOfRangeException(nameof(amountMinor), amountMinor, $"A refund must be positive and at most the {settlement.AmountMinor - settlement.RefundedMinor} still charged.");
        }

        var result = await gateway.RefundAsync($"visit-{visitId}-refund-{refundNumber}", capture, amountMinor, cancellationToken);
        var refund = new RefundIssued(visitId, amountMinor, result.Reference, reason);
        try
        {
            await journal.AppendAsync(StreamOf(visitId), version, [types.Serialize(refund)], cancellationToken);
            return Fold(settlement, visitId, refund)!;
        }
        catch (ConcurrencyException)
        {
            // Recorded concurrently; the provider refunded once under this refund's key.
            return (await ReadAsync(visitId, cancellationToken))!;
        }
    }
}
