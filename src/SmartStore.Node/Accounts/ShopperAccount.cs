using System.Text.Json.Serialization;
using SmartStore.Actors;
using SmartStore.Persistence;

namespace SmartStore.Node.Accounts;

/// <summary>Enrolment, with explicit consent: the face template is a reference into the vision store, never the image.</summary>
public sealed record ShopperEnrolled(string ShopperId, string Name, string FaceTemplateRef, string PaymentToken, DateTimeOffset ConsentedAt);

public sealed record PaymentMethodChanged(string PaymentToken);

/// <summary>The only event left after erasure: it holds nothing personal.</summary>
public sealed record ShopperErased(DateTimeOffset ErasedAt);

public enum AccountStatus
{
    None,
    Active,
    Erased,
}

/// <summary>An account's state; personal fields are empty once erased.</summary>
public sealed record AccountState(AccountStatus Status, string Name, string FaceTemplateRef, string PaymentToken, DateTimeOffset? ConsentedAt)
{
    public static AccountState None { get; } = new(AccountStatus.None, string.Empty, string.Empty, string.Empty, null);
}

public abstract record AccountCommand
{
    public sealed record Enrol(string Name, string FaceTemplateRef, string PaymentToken, DateTimeOffset? ConsentedAt, ActorRef<AccountReply> ReplyTo) : AccountCommand;

    public sealed record ChangePaymentMethod(string PaymentToken, ActorRef<AccountReply> ReplyTo) : AccountCommand;

    public sealed record Get(ActorRef<AccountReply> ReplyTo) : AccountCommand;

    public sealed record Erase(ActorRef<AccountReply> ReplyTo) : AccountCommand;
}

/// <summary>An answer: the state after the command, or why it was refused.</summary>
public sealed record AccountReply(AccountState State, string? Refused = null);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ShopperEnrolled))]
[JsonSerializable(typeof(PaymentMethodChanged))]
[JsonSerializable(typeof(ShopperErased))]
[JsonSerializable(typeof(AccountState))]
internal sealed partial class AccountJson : JsonSerializerContext;

/// <summary>
/// One shopper's account as an event-sourced actor (stream <c>shopper-{id}</c>). Erasure (the right to be
/// forgotten) records a non-personal <see cref="ShopperErased"/> and then erases every earlier event and every
/// snapshot of the stream from the journal, so nothing personal stays readable, while the stream's version
/// (and so its history's shape) remains. Receipts live elsewhere and keep only what accounting needs.
/// </summary>
public sealed class ShopperAccount(string shopperId, EventSourcing persistence, TimeProvider time)
    : EventSourcedActor<AccountCommand, object, AccountState>(persistence)
{
    private readonly EventSourcing _persistence = persistence;

    public static EventTypeRegistry Register(EventTypeRegistry types)
    {
        ArgumentNullException.ThrowIfNull(types);
        return types
            .Register("shopper-enrolled", 1, AccountJson.Default.ShopperEnrolled)
            .Register("payment-method-changed", 1, AccountJson.Default.PaymentMethodChanged)
            .Register("shopper-erased", 1, AccountJson.Default.ShopperErased)
            .Register("account-state", 1, AccountJson.Default.AccountState);
    }

    public static string StreamOf(string shopperId) => $"shopper-{shopperId}";

    protected override string PersistenceId => StreamOf(shopperId);

    protected override AccountState InitialState => AccountState.None;

    protected override AccountState Apply(AccountState state, object @event) => @event switch
    {
        ShopperEnrolled e => new AccountState(AccountStatus.Active, e.Name, e.FaceTemplateRef, e.PaymentToken, e.ConsentedAt),
        PaymentMethodChanged c => state with { PaymentToken = c.PaymentToken },
        ShopperErased => AccountState.None with { Status = AccountStatus.Erased },
        _ => throw new InvalidOperationException($"Unknown account event {@event.GetType().Name}."),
    };

    protected override async ValueTask HandleAsync(AccountCommand command)
    {
        switch (command)
        {
            case AccountCommand.Get get:
                get.ReplyTo.Tell(new AccountReply(State));
                break;
            case AccountCommand.Enrol enrol:
                if (Refusal(enrol) is { } refused)
                {
                    enrol.ReplyTo.Tell(new AccountReply(State, refused));
                    break;
                }

                await PersistAsync(new ShopperEnrolled(shopperId, enrol.Name, enrol.FaceTemplateRef, enrol.PaymentToken, enrol.ConsentedAt!.Value));
                enrol.ReplyTo.Tell(new AccountReply(State));
                break;
            case AccountCommand.ChangePaymentMethod change:
                if (State.Status != AccountStatus.Active || string.IsNullOrWhiteSpace(change.PaymentToken))
                {
                    change.ReplyTo.Tell(new AccountReply(State, State.Status != AccountStatus.Active ? "no active account" : "a payment token is required"));
                    break;
                }

                await PersistAsync(new PaymentMethodChanged(change.PaymentToken));
                change.ReplyTo.Tell(new AccountReply(State));
                break;
            case AccountCommand.Erase erase:
                if (State.Status == AccountStatus.Erased)
                {
                    erase.ReplyTo.Tell(new AccountReply(State));
                    break;
                }

                await PersistAsync(new ShopperErased(time.GetUtcNow()));
                await _persistence.Journal.DeleteStreamAsync(PersistenceId, Version - 1, Context.Stopping);
                erase.ReplyTo.Tell(new AccountReply(State));
                break;
        }
    }

    private string? Refusal(AccountCommand.Enrol enrol) => State.Status switch
    {
        AccountStatus.Active => "already enrolled",
        AccountStatus.Erased => "this account was erased; enrol under a new id",
        _ when enrol.ConsentedAt is null => "explicit consent (with its time) is required to enrol",
        _ when string.IsNullOrWhiteSpace(enrol.PaymentToken) => "a payment token is required",
        _ when string.IsNullOrWhiteSpace(enrol.FaceTemplateRef) => "a face template reference is required",
        _ => null,
    };
}
