namespace SmartStore.Domain.Accounts;

/// <summary>What a shopper account's stream records, as the rules see it (personal fields in the clear).</summary>
#pragma warning disable CA1040 // A marker: the account's events share no members, only their stream.
public interface IAccountEvent;
#pragma warning restore CA1040

/// <summary>Enrolment, with explicit consent: the face template is a reference into the vision store, never the image.</summary>
public sealed record ShopperEnrolled(string ShopperId, string Name, string FaceTemplateRef, string PaymentToken, DateTimeOffset ConsentedAt) : IAccountEvent;

public sealed record PaymentMethodChanged(string PaymentToken) : IAccountEvent;

/// <summary>
/// The shopper's face template (the normalised mean embedding of their enrolment photos), with the consent to
/// biometric identification it was given under. A later one replaces it. The photos are never kept.
/// </summary>
public sealed record FaceTemplateEnrolled(IReadOnlyList<float> Template, DateTimeOffset ConsentedAt) : IAccountEvent;

/// <summary>The only event left after erasure: it holds nothing personal.</summary>
public sealed record ShopperErased(DateTimeOffset ErasedAt) : IAccountEvent;

public enum AccountStatus
{
    None,
    Active,
    Erased,
}

/// <summary>An account's state; personal fields are empty once erased.</summary>
public sealed record AccountState(AccountStatus Status, string Name, string FaceTemplateRef, string PaymentToken, DateTimeOffset? ConsentedAt)
{
    /// <summary>The enrolled face template, when the shopper enrolled a face (null otherwise, and once erased).</summary>
    public IReadOnlyList<float>? FaceTemplate { get; init; }

    public static AccountState None { get; } = new(AccountStatus.None, string.Empty, string.Empty, string.Empty, null);

    public static AccountState Erased { get; } = None with { Status = AccountStatus.Erased };
}

public abstract record AccountCommand
{
    private AccountCommand()
    {
    }

    public sealed record Enrol(string Name, string FaceTemplateRef, string PaymentToken, DateTimeOffset? ConsentedAt) : AccountCommand;

    public sealed record ChangePaymentMethod(string PaymentToken) : AccountCommand;

    /// <summary>Enrol (or re-enrol) the face: the template from the photos, with explicit consent and its time.</summary>
    public sealed record EnrolFace(IReadOnlyList<float> Template, DateTimeOffset? ConsentedAt) : AccountCommand;

    public sealed record Erase : AccountCommand
    {
        public static readonly Erase Instance = new();
    }

    public sealed record Get : AccountCommand
    {
        public static readonly Get Instance = new();
    }
}

/// <summary>The events a command leads to (none when refused, or when there is nothing to change).</summary>
public sealed record AccountDecision(IReadOnlyList<IAccountEvent> Events, string? Refused = null)
{
    public static AccountDecision Nothing { get; } = new([]);
}

/// <summary>
/// A shopper account as decide/evolve: enrolment needs explicit consent (with its time), a payment token and a
/// face template reference, and happens once; the payment method can change while the account is active;
/// erasure (the right to be forgotten) leaves an account that holds nothing personal and can never be enrolled
/// again under the same id.
/// </summary>
public static class AccountRules
{
    public static AccountDecision Decide(AccountState state, string shopperId, AccountCommand command, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return command switch
        {
            AccountCommand.Get => AccountDecision.Nothing,
            AccountCommand.Enrol enrol => EnrolmentRefusal(state, enrol) is { } refused
                ? new AccountDecision([], refused)
                : new AccountDecision([new ShopperEnrolled(shopperId, enrol.Name, enrol.FaceTemplateRef, enrol.PaymentToken, enrol.ConsentedAt!.Value)]),
            AccountCommand.ChangePaymentMethod change when state.Status != AccountStatus.Active => new AccountDecision([], "no active account"),
            AccountCommand.ChangePaymentMethod change when string.IsNullOrWhiteSpace(change.PaymentToken) => new AccountDecision([], "a payment token is required"),
            AccountCommand.ChangePaymentMethod change => new AccountDecision([new PaymentMethodChanged(change.PaymentToken)]),
            AccountCommand.EnrolFace face => FaceRefusal(state, face) is { } refused
                ? new AccountDecision([], refused)
                : new AccountDecision([new FaceTemplateEnrolled(face.Template, face.ConsentedAt!.Value)]),
            AccountCommand.Erase when state.Status == AccountStatus.Erased => AccountDecision.Nothing,
            AccountCommand.Erase => new AccountDecision([new ShopperErased(now)]),
            _ => throw new ArgumentOutOfRangeException(nameof(command), command?.GetType().Name, "Not an account command."),
        };
    }

    public static AccountState Evolve(AccountState state, IAccountEvent @event)
    {
        ArgumentNullException.ThrowIfNull(state);
        return @event switch
        {
            ShopperEnrolled e => new AccountState(AccountStatus.Active, e.Name, e.FaceTemplateRef, e.PaymentToken, e.ConsentedAt),
            PaymentMethodChanged c => state with { PaymentToken = c.PaymentToken },
            FaceTemplateEnrolled f => state with { FaceTemplate = f.Template },
            ShopperErased => AccountState.Erased,
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event?.GetType().Name, "Not an account event."),
        };
    }

    private static string? FaceRefusal(AccountState state, AccountCommand.EnrolFace face) => state.Status switch
    {
        AccountStatus.Erased => "this account was erased; enrol under a new id",
        AccountStatus.None => "no account: enrol with a name and a payment method first",
        _ when face.ConsentedAt is null => "explicit consent to biometric identification (with its time) is required to enrol a face",
        _ when face.Template is null || face.Template.Count == 0 => "a face template is required",
        _ when face.Template.Any(v => !float.IsFinite(v)) => "the face template holds a value that is not a number",
        _ => null,
    };

    private static string? EnrolmentRefusal(AccountState state, AccountCommand.Enrol enrol) => state.Status switch
    {
        AccountStatus.Active => "already enrolled",
        AccountStatus.Erased => "this account was erased; enrol under a new id",
        _ when enrol.ConsentedAt is null => "explicit consent (with its time) is required to enrol",
        _ when string.IsNullOrWhiteSpace(enrol.PaymentToken) => "a payment token is required",
        _ when string.IsNullOrWhiteSpace(enrol.FaceTemplateRef) => "a face template reference is required",
        _ => null,
    };
}
