using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;
using SmartStore.Domain.Accounts;
using SmartStore.Node.Persistence;
using SmartStore.Node.Protocol;

namespace SmartStore.Node.Accounts;

/// <summary>What an account actor shares with the rest of the node: the key vault and the face gallery.</summary>
public sealed record AccountServices(ShopperKeyVault Vault, FaceGallery Gallery);

/// <summary>
/// One shopper's account (entity <c>{shopper}</c> in the account region, stream <c>shopper-{id}</c>), a thin
/// shell around <see cref="AccountRules"/>. What it stores is sealed with the shopper's own key, which lives in the
/// <see cref="ShopperKeyVault"/> and never in the journal: no name, face template or payment token reaches the
/// database in the clear, and destroying the key makes every sealed field unreadable for good.
/// </summary>
/// <remarks>
/// Erasure (the right to be forgotten) first destroys the key and drops the template from the gallery, then
/// stores a non-personal <see cref="ShopperErased"/>, snapshots the erased account and deletes the stream's
/// events up to it. If the node stops half-way, or a backup of the journal from before the erasure is restored,
/// the sealed events can no longer be opened: recovery finds no key and the account counts as erased.
/// The stream's last row, once the rest are deleted, is one more <see cref="ShopperErased"/> that is not deleted:
/// tag queries skip deleted rows, so without it a read model that had not yet read the erasure would never learn of
/// it (and would go on listing the shopper as enrolled).
/// Every event is tagged <c>accounts</c> for that read model; a tagged event recovers as the event itself.
/// Streams written before the vault existed begin with their key (<see cref="AccountKeyIssued"/>); they are still
/// read, and erasure deletes that key with the stream.
/// </remarks>
public sealed class ShopperAccountActor : UntypedPersistentActor
{
    private readonly string _shopperId;
    private readonly AccountServices _services;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly List<IActorRef> _erasureWaiting = [];
    private AccountState _state = AccountState.None;
    private byte[]? _key;
    private bool _shredded;
    private DateTimeOffset _erasedAt;

    public ShopperAccountActor(string shopperId, AccountServices services)
    {
        _shopperId = shopperId;
        _services = services;
        PersistenceId = StreamOf(shopperId);
    }

    public override string PersistenceId { get; }

    public static string StreamOf(string shopperId) => $"shopper-{shopperId}";

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: ErasedAccountSnapshot snapshot }:
                _state = AccountState.Erased;
                _erasedAt = snapshot.ErasedAt;
                break;
            case AccountKeyIssued issued:
                _key = Convert.FromBase64String(issued.Key);
                break;
            case ShopperErased erased:
                _state = AccountRules.Evolve(_state, erased);
                _erasedAt = erased.ErasedAt;
                break;
            case SealedShopperEnrolled or SealedPaymentMethodChanged or SealedFaceTemplate when !_shredded:
                _key ??= _services.Vault.Find(_shopperId);
                if (_key is null)
                {
                    // Sealed events without their key: the key was destroyed (an erasure, perhaps with the journal
                    // restored from a backup). Nothing of them can be opened; the account is gone.
                    _shredded = true;
                    _state = AccountState.Erased;
                    break;
                }

                _state = AccountRules.Evolve(_state, Unseal(message));
                break;
            case RecoveryCompleted when _state.FaceTemplate is { } template:
                _services.Gallery.Enrolled(_shopperId, template);
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
                // The erasure's own event goes with the rows it follows; one more (nothing personal), written before
                // the delete so that a crash between the two cannot lose it, tells the read side, which never sees a
                // deleted row, that this shopper is erased however late it reads.
                var upTo = saved.Metadata.SequenceNr;
                Persist(Tag(new ShopperErased(_erasedAt)), _ => DeleteMessages(upTo));
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

        _key ??= _services.Vault.GetOrCreate(_shopperId);
        var left = decision.Events.Count;
        PersistAll(decision.Events.Select(e => Tag(Seal(e))), _ =>
        {
            if (--left == 0)
            {
                _state = decision.Events.Aggregate(_state, AccountRules.Evolve);
                if (decision.Events.OfType<FaceTemplateEnrolled>().LastOrDefault() is { } face)
                {
                    _services.Gallery.Enrolled(_shopperId, face.Template);
                }

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

        // The key goes first: from this moment nothing sealed under it can be opened, whatever happens next.
        _services.Vault.Destroy(_shopperId);
        _services.Gallery.Erased(_shopperId);
        _key = null;
        if (_state.Status == AccountStatus.Erased)
        {
            // Shredded on recovery (no key) there is no erasure time yet: this one is it.
            _erasedAt = _erasedAt == default ? DateTimeOffset.UtcNow : _erasedAt;
            SaveSnapshot(new ErasedAccountSnapshot(_erasedAt));
            return;
        }

        var erased = (ShopperErased)AccountRules.Decide(_state, _shopperId, AccountCommand.Erase.Instance, DateTimeOffset.UtcNow).Events.Single();
        Persist(Tag(erased), _ =>
        {
            _state = AccountRules.Evolve(_state, erased);
            _erasedAt = erased.ErasedAt;
            SaveSnapshot(new ErasedAccountSnapshot(erased.ErasedAt));
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

    private static Tagged Tag(object stored) => new(stored, [Tags.Accounts]);

    private object Seal(IAccountEvent @event) => @event switch
    {
        ShopperEnrolled e => new SealedShopperEnrolled(e.ShopperId, Seal(e.Name), Seal(e.FaceTemplateRef), Seal(e.PaymentToken), e.ConsentedAt),
        PaymentMethodChanged c => new SealedPaymentMethodChanged(Seal(c.PaymentToken)),
        FaceTemplateEnrolled f => new SealedFaceTemplate(PersonalDataSeal.Seal(MemoryMarshal.AsBytes(f.Template.ToArray().AsSpan()), _key!, _shopperId), f.ConsentedAt),
        _ => @event,
    };

    private string Seal(string field) => PersonalDataSeal.Seal(field, _key!, _shopperId);

    private IAccountEvent Unseal(object stored) => stored switch
    {
        SealedShopperEnrolled e => new ShopperEnrolled(e.ShopperId, Open(e.Name), Open(e.FaceTemplateRef), Open(e.PaymentToken), e.ConsentedAt),
        SealedPaymentMethodChanged c => new PaymentMethodChanged(Open(c.PaymentToken)),
        SealedFaceTemplate f => new FaceTemplateEnrolled(MemoryMarshal.Cast<byte, float>(PersonalDataSeal.OpenBytes(f.Template, _key!, _shopperId)).ToArray(), f.ConsentedAt),
        _ => (IAccountEvent)stored,
    };

    private string Open(string field) => PersonalDataSeal.Open(field, _key!, _shopperId);
}
