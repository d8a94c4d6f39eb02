using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using SmartStore.Domain.Accounts;
using SmartStore.Node.Persistence;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Accounts;

/// <summary>
/// One shopper's account (entity <c>{shopper}</c> in the account region, stream <c>shopper-{id}</c>), a thin
/// shell around <see cref="AccountRules"/>. What it stores is sealed: the stream starts with the account's own
/// key, and the personal fields of every later event are sealed with it (<see cref="PersonalDataSeal"/>), so no
/// name, face template reference or payment token reaches the database in the clear.
/// </summary>
/// <remarks>
/// Erasure (the right to be forgotten) stores a non-personal <see cref="ShopperErased"/>, snapshots the erased
/// account (nothing personal), and deletes every event of the stream up to the erasure: the journal removes the
/// rows (the key and the sealed fields with them) and keeps only the erasure's own row, marked deleted, to hold
/// the stream's sequence number. Recovery then starts from the snapshot: the account is erased, for good.
/// Receipts live elsewhere and keep only the opaque shopper id.
/// </remarks>
public sealed class ShopperAccountActor : UntypedPersistentActor
{
    private readonly string _shopperId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _erasureWaiting = [];
    private AccountState _state = AccountState.None;
    private byte[]? _key;

    public ShopperAccountActor(string shopperId)
    {
        _shopperId = shopperId;
        PersistenceId = StreamOf(shopperId);
    }

    public override string PersistenceId { get; }

    public static string StreamOf(string shopperId) => $"shopper-{shopperId}";

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: ErasedAccountSnapshot }:
                _state = AccountState.Erased;
                break;
            case AccountKeyIssued issued:
                _key = Convert.FromBase64String(issued.Key);
                break;
            case SealedShopperEnrolled or SealedPaymentMethodChanged or ShopperErased:
                _state = AccountRules.Evolve(_state, Unseal(message));
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case AccountCommand.Erase:
                Erase(Sender);
                break;
            case AccountCommand command:
                Handle(command, Sender);
                break;
            case SaveSnapshotSuccess saved:
                DeleteMessages(saved.Metadata.SequenceNr);
                break;
            case DeleteMessagesSuccess:
                AnswerErasure(null);
                break;
            case SaveSnapshotFailure failed:
                _log.Error(failed.Cause, "account {0}: the erased snapshot could not be stored", _shopperId);
                AnswerErasure($"erasure is recorded but not finished ({failed.Cause.Message}); ask again");
                break;
            case DeleteMessagesFailure failed:
                _log.Error(failed.Cause, "account {0}: deleting the erased events failed", _shopperId);
                AnswerErasure($"erasure is recorded but not finished ({failed.Cause.Message}); ask again");
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    private void Handle(AccountCommand command, IActorRef replyTo)
    {
        var decision = AccountRules.Decide(_state, _shopperId, command, DateTimeOffset.UtcNow);
        if (decision.Refused is not null || decision.Events.Count == 0)
        {
            replyTo.Tell(new AccountReply(_state, decision.Refused));
            return;
        }

        var stored = new List<object>();
        if (_key is null)
        {
            _key = PersonalDataSeal.NewKey();
            stored.Add(new AccountKeyIssued(Convert.ToBase64String(_key)));
        }

        stored.AddRange(decision.Events.Select(Seal));
        var left = stored.Count;
        PersistAll(stored, _ =>
        {
            if (--left == 0)
            {
                _state = decision.Events.Aggregate(_state, AccountRules.Evolve);
                replyTo.Tell(new AccountReply(_state));
            }
        });
    }

    /// <summary>Erases once, and finishes an erasure a failure left half done when asked again.</summary>
    private void Erase(IActorRef replyTo)
    {
        _erasureWaiting.Add(replyTo);
        if (_erasureWaiting.Count > 1)
        {
            return;
        }

        if (_state.Status == AccountStatus.Erased)
        {
            SaveSnapshot(new ErasedAccountSnapshot(DateTimeOffset.UtcNow));
            return;
        }

        var erased = (ShopperErased)AccountRules.Decide(_state, _shopperId, AccountCommand.Erase.Instance, DateTimeOffset.UtcNow).Events.Single();
        Persist(erased, e =>
        {
            _state = AccountRules.Evolve(_state, e);
            _key = null;
            SaveSnapshot(new ErasedAccountSnapshot(e.ErasedAt));
        });
    }

    private void AnswerErasure(string? refused)
    {
        foreach (var waiting in _erasureWaiting)
        {
            waiting.Tell(new AccountReply(_state, refused));
        }

        _erasureWaiting.Clear();
    }

    private object Seal(IAccountEvent @event) => @event switch
    {
        ShopperEnrolled e => new SealedShopperEnrolled(e.ShopperId, Seal(e.Name), Seal(e.FaceTemplateRef), Seal(e.PaymentToken), e.ConsentedAt),
        PaymentMethodChanged c => new SealedPaymentMethodChanged(Seal(c.PaymentToken)),
        _ => @event,
    };

    private string Seal(string field) => PersonalDataSeal.Seal(field, _key!, _shopperId);

    private IAccountEvent Unseal(object stored) => stored switch
    {
        SealedShopperEnrolled e => new ShopperEnrolled(e.ShopperId, Open(e.Name), Open(e.FaceTemplateRef), Open(e.PaymentToken), e.ConsentedAt),
        SealedPaymentMethodChanged c => new PaymentMethodChanged(Open(c.PaymentToken)),
        _ => (IAccountEvent)stored,
    };

    private string Open(string field) =>
        PersonalDataSeal.Open(field, _key ?? throw new InvalidOperationException($"Account {_shopperId}: a sealed field without the account's key."), _shopperId);
}
