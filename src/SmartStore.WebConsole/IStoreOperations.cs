using SmartStore.Domain.Accounts;
using SmartStore.Domain.Floor;
using SmartStore.Domain.Layouts;
using SmartStore.Node.Health;
using SmartStore.Node.Hosting;

namespace SmartStore.WebConsole;

/// <summary>
/// A shopper as the console shows one: no face template and no photo ever leaves the node, only whether a face
/// is enrolled; the payment token only by its last four characters.
/// </summary>
public sealed record ShopperView(string ShopperId, AccountStatus Status, string Name, string PaymentHint, bool FaceEnrolled, DateTimeOffset? ConsentedAt)
{
    public static ShopperView Of(string shopperId, AccountState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var token = state.PaymentToken;
        var hint = token.Length == 0 ? string.Empty : token.Length <= 4 ? "••••" : $"••••{token[^4..]}";
        return new ShopperView(shopperId, state.Status, state.Name, hint, state.FaceTemplate is { Count: > 0 }, state.ConsentedAt);
    }
}

/// <summary>What an enrolment did: the account (when there is one now) and every refusal, one per failing photo.</summary>
public sealed record EnrolmentOutcome(ShopperView? Shopper, IReadOnlyList<string> Refusals)
{
    public bool Done => Refusals.Count == 0;
}

/// <summary>
/// What the console asks of the store: the commands go to the store's entities (visits, accounts), which decide
/// and persist; the console never writes a read model itself. Each returns the refusal, or null when done.
/// </summary>
public interface IStoreOperations
{
    /// <summary>The layout the map draws (null when the console is not connected to a store).</summary>
    StoreLayout? Layout { get; }

    /// <summary>
    /// Decides a cart in review through the visit's own rules, so its charge goes through the same idempotent
    /// settlement as an automatic receipt: <paramref name="correctedUnits"/> null charges the proposed receipt,
    /// empty charges nothing (void), otherwise those units.
    /// </summary>
    Task<string?> ResolveReviewAsync(string visitId, string operatorId, IReadOnlyDictionary<string, int>? correctedUnits, string note, CancellationToken cancellationToken);

    /// <summary>
    /// Refunds units of a receipt line: a dispute opened and approved by the operator, so the visit's dispute rules
    /// bound it by what was charged and the ledger refunds each dispute once.
    /// </summary>
    Task<string?> RefundAsync(string visitId, string sku, int units, string reason, string operatorId, CancellationToken cancellationToken);

    /// <summary>Approves (refunds) or rejects a dispute that is still open, e.g. one whose refund failed.</summary>
    Task<string?> DecideDisputeAsync(string visitId, string disputeId, bool approve, string operatorId, string note, CancellationToken cancellationToken);

    Task<ShopperView?> FindShopperAsync(string shopperId, CancellationToken cancellationToken);

    /// <summary>Enrols a new shopper with consent and a payment method, then their face from the photos.</summary>
    Task<EnrolmentOutcome> EnrolShopperAsync(string shopperId, string name, string paymentToken, IReadOnlyList<ReadOnlyMemory<byte>> photos, DateTimeOffset consentedAt, CancellationToken cancellationToken);

    /// <summary>
    /// Enrols a new shopper, with consent and a payment method, whose face a gate device recognises itself: the gate
    /// names the shopper when they walk up, and the node keeps only <paramref name="faceReference"/>, the device's
    /// own name for the template (simulated and third-party gates; the console's photos go through the method above).
    /// </summary>
    Task<EnrolmentOutcome> EnrolWithFaceReferenceAsync(string shopperId, string name, string paymentToken, string faceReference, DateTimeOffset consentedAt, CancellationToken cancellationToken);

    /// <summary>Enrols (or re-enrols) the face of an existing shopper from new photos.</summary>
    Task<EnrolmentOutcome> EnrolFaceAsync(string shopperId, IReadOnlyList<ReadOnlyMemory<byte>> photos, DateTimeOffset consentedAt, CancellationToken cancellationToken);

    Task<string?> ChangePaymentMethodAsync(string shopperId, string paymentToken, CancellationToken cancellationToken);

    /// <summary>Erases a shopper's personal data and face for good; the receipts stay (with the shopper's id only).</summary>
    Task<string?> EraseShopperAsync(string shopperId, CancellationToken cancellationToken);

    /// <summary>The floor now: who is where, visits and their carts (null when not connected to a store).</summary>
    Task<FloorView?> FloorAsync(CancellationToken cancellationToken);

    /// <summary>The node's counters, the devices it heard from and its recent alerts (null when not connected).</summary>
    HealthSummary? Health();
}

/// <summary>The store's operations on a node in this process.</summary>
public sealed class NodeStoreOperations(StoreNode node) : IStoreOperations
{
    public StoreLayout? Layout => node.Layout;

    public async Task<string?> ResolveReviewAsync(string visitId, string operatorId, IReadOnlyDictionary<string, int>? correctedUnits, string note, CancellationToken cancellationToken) =>
        (await node.ResolveReviewAsync(visitId, operatorId, correctedUnits, note, cancellationToken)).Refused;

    public async Task<string?> RefundAsync(string visitId, string sku, int units, string reason, string operatorId, CancellationToken cancellationToken)
    {
        var opened = await node.OpenDisputeAsync(visitId, sku, units, reason, cancellationToken);
        if (opened.Refused is not null)
        {
            return opened.Refused;
        }

        var dispute = opened.State.Disputes[^1];
        return await DecideDisputeAsync(visitId, dispute.DisputeId, approve: true, operatorId, reason, cancellationToken);
    }

    public async Task<string?> DecideDisputeAsync(string visitId, string disputeId, bool approve, string operatorId, string note, CancellationToken cancellationToken) =>
        (await node.DecideDisputeAsync(visitId, disputeId, approve, operatorId, note, cancellationToken)).Refused;

    public async Task<ShopperView?> FindShopperAsync(string shopperId, CancellationToken cancellationToken)
    {
        var reply = await node.GetAccountAsync(shopperId, cancellationToken);
        return reply.State.Status == AccountStatus.None ? null : ShopperView.Of(shopperId, reply.State);
    }

    public async Task<EnrolmentOutcome> EnrolShopperAsync(string shopperId, string name, string paymentToken, IReadOnlyList<ReadOnlyMemory<byte>> photos, DateTimeOffset consentedAt, CancellationToken cancellationToken)
    {
        // The template itself comes with the face enrolment below; the reference says where it came from.
        var account = await node.EnrolAsync(shopperId, name, $"console-photos:{shopperId}", paymentToken, consentedAt, cancellationToken);
        if (account.Refused is not null)
        {
            return new EnrolmentOutcome(account.State.Status == AccountStatus.None ? null : ShopperView.Of(shopperId, account.State), [account.Refused]);
        }

        return await EnrolFaceAsync(shopperId, photos, consentedAt, cancellationToken);
    }

    public async Task<EnrolmentOutcome> EnrolWithFaceReferenceAsync(string shopperId, string name, string paymentToken, string faceReference, DateTimeOffset consentedAt, CancellationToken cancellationToken)
    {
        var account = await node.EnrolAsync(shopperId, name, faceReference, paymentToken, consentedAt, cancellationToken);
        var shopper = account.State.Status == AccountStatus.None ? null : ShopperView.Of(shopperId, account.State);
        return new EnrolmentOutcome(shopper, account.Refused is null ? [] : [account.Refused]);
    }

    public async Task<EnrolmentOutcome> EnrolFaceAsync(string shopperId, IReadOnlyList<ReadOnlyMemory<byte>> photos, DateTimeOffset consentedAt, CancellationToken cancellationToken)
    {
        var face = await node.EnrolFaceAsync(shopperId, photos, consentedAt, cancellationToken);
        return new EnrolmentOutcome(await FindShopperAsync(shopperId, cancellationToken), face.Enrolled ? [] : face.Refusals);
    }

    public async Task<string?> ChangePaymentMethodAsync(string shopperId, string paymentToken, CancellationToken cancellationToken) =>
        (await node.ChangePaymentMethodAsync(shopperId, paymentToken, cancellationToken)).Refused;

    public async Task<string?> EraseShopperAsync(string shopperId, CancellationToken cancellationToken)
    {
        if (await FindShopperAsync(shopperId, cancellationToken) is null)
        {
            return $"no shopper '{shopperId}'";
        }

        return (await node.EraseAccountAsync(shopperId, cancellationToken)).Refused;
    }

    public async Task<FloorView?> FloorAsync(CancellationToken cancellationToken) => await node.GetFloorAsync(cancellationToken);

    public HealthSummary? Health() => node.Health.Snapshot();
}
