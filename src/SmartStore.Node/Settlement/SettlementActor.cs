using Microsoft.Extensions.Logging;
using SmartStore.Actors;
using SmartStore.Node.Accounts;
using SmartStore.Node.Hosting;
using SmartStore.Node.Visits;
using SmartStore.Payments;

using VisitCommand = SmartStore.Node.Visits.VisitCommand;

namespace SmartStore.Node.Settlement;

public abstract record SettlementCommand
{
    private SettlementCommand()
    {
    }

    /// <summary>Charge a visit's receipt total to its payer (releasing the entry hold); the answer goes to <paramref name="ReplyTo"/>.</summary>
    public sealed record Charge(string VisitId, string PayerId, long AmountMinor, string Currency, string? HoldReference, ActorRef<VisitCommand> ReplyTo) : SettlementCommand;

    internal sealed record Finished(string VisitId) : SettlementCommand;
}

/// <summary>
/// Owns the conversation with the payment provider: at most <paramref name="maxConcurrent"/> charges in flight
/// (the rest queue in order), one per visit at a time. Each charge looks up the payer's payment token, charges
/// through the ledger (idempotent per visit, retried with back-off by the gateway), releases the entry hold,
/// and answers the visit. An erased account or one without a payment method becomes a recorded debt.
/// </summary>
public sealed class SettlementActor(PaymentLedger ledger, IPaymentGateway gateway, EntityRegion<AccountCommand> accounts, NodeHealth health, int maxConcurrent = 16)
    : Actor<SettlementCommand>
{
    private readonly Queue<SettlementCommand.Charge> _waiting = new();
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);

    protected override ValueTask ReceiveAsync(SettlementCommand message)
    {
        switch (message)
        {
            case SettlementCommand.Charge charge when _inFlight.Contains(charge.VisitId) || _waiting.Any(w => w.VisitId == charge.VisitId):
                // Already under way; its answer will reach the visit.
                break;
            case SettlementCommand.Charge charge when _inFlight.Count >= maxConcurrent:
                _waiting.Enqueue(charge);
                break;
            case SettlementCommand.Charge charge:
                Start(charge);
                break;
            case SettlementCommand.Finished finished:
                _inFlight.Remove(finished.VisitId);
                if (_waiting.Count > 0)
                {
                    Start(_waiting.Dequeue());
                }

                break;
        }

        return default;
    }

    private void Start(SettlementCommand.Charge charge)
    {
        _inFlight.Add(charge.VisitId);
        var self = Context.Self;
        var log = Context.Log;
        var stopping = Context.Stopping;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    var settlement = await ChargeAsync(charge, stopping);
                    charge.ReplyTo.Tell(new VisitCommand.PaymentDone(settlement));
                }
#pragma warning disable CA1031 // Any failure is reported to the visit, which retries later; nothing is lost.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    log.LogWarning(error, "charging visit {Visit} failed", charge.VisitId);
                    charge.ReplyTo.Tell(new VisitCommand.PaymentFailed(error.Message));
                }
                finally
                {
                    self.Tell(new SettlementCommand.Finished(charge.VisitId));
                }
            },
            CancellationToken.None);
    }

    private async Task<VisitSettlement> ChargeAsync(SettlementCommand.Charge charge, CancellationToken cancellationToken)
    {
        var account = await accounts.Actor.AskAsync<RegionCommand<AccountCommand>, AccountReply>(
            reply => new RegionCommand<AccountCommand>.Deliver(charge.PayerId, new AccountCommand.Get(reply)), TimeSpan.FromSeconds(10), cancellationToken);
        VisitSettlement settlement;
        if (charge.AmountMinor == 0)
        {
            settlement = new VisitSettlement(charge.VisitId, PaymentOutcome.Approved, 0, null, 0);
        }
        else if (account.State.Status != AccountStatus.Active || string.IsNullOrEmpty(account.State.PaymentToken))
        {
            settlement = await ledger.RecordUnpaidAsync(charge.VisitId, charge.PayerId, charge.AmountMinor, charge.Currency, "no payment method on the account", cancellationToken);
        }
        else
        {
            settlement = await ledger.ChargeAsync(charge.VisitId, charge.PayerId, account.State.PaymentToken, charge.AmountMinor, charge.Currency, charge.HoldReference, cancellationToken);
        }

        if (charge.HoldReference is { } hold)
        {
            await gateway.VoidAsync($"visit-{charge.VisitId}-void", hold, cancellationToken);
        }

        health.Payment(settlement.Outcome, settlement.AmountMinor);
        return settlement;
    }
}
