using SmartStore.Domain.Accounts;
using Xunit;

namespace SmartStore.Domain.Tests;

public sealed class AccountRulesTests
{
    private static readonly DateTimeOffset Consent = new(2026, 11, 1, 9, 30, 0, TimeSpan.Zero);

    private static AccountState After(AccountState state, AccountDecision decision) => decision.Events.Aggregate(state, AccountRules.Evolve);

    [Fact]
    public void Enrolment_needs_explicit_consent_a_token_and_a_face_reference_and_happens_once()
    {
        var none = AccountState.None;

        Assert.Contains("consent", AccountRules.Decide(none, "s1", new AccountCommand.Enrol("Ada", "face/ada", "tok", null), Consent).Refused, StringComparison.Ordinal);
        Assert.Equal("a payment token is required", AccountRules.Decide(none, "s1", new AccountCommand.Enrol("Ada", "face/ada", " ", Consent), Consent).Refused);
        Assert.Equal("a face template reference is required", AccountRules.Decide(none, "s1", new AccountCommand.Enrol("Ada", "", "tok", Consent), Consent).Refused);
        var active = After(none, AccountRules.Decide(none, "s1", new AccountCommand.Enrol("Ada", "face/ada", "tok", Consent), Consent));
        Assert.Equal((AccountStatus.Active, "tok", (DateTimeOffset?)Consent), (active.Status, active.PaymentToken, active.ConsentedAt));
        Assert.Equal("already enrolled", AccountRules.Decide(active, "s1", new AccountCommand.Enrol("Ada", "face/ada", "tok", Consent), Consent).Refused);
    }

    [Fact]
    public void An_erased_account_holds_nothing_personal_and_cannot_be_enrolled_or_changed_again()
    {
        var active = new AccountState(AccountStatus.Active, "Grace", "face/grace", "tok-grace", Consent);

        var erased = After(active, AccountRules.Decide(active, "s2", AccountCommand.Erase.Instance, Consent.AddDays(1)));

        Assert.Equal(AccountState.Erased, erased);
        Assert.Empty(AccountRules.Decide(erased, "s2", AccountCommand.Erase.Instance, Consent).Events);
        Assert.NotNull(AccountRules.Decide(erased, "s2", new AccountCommand.Enrol("Grace", "face/grace", "tok", Consent), Consent).Refused);
        Assert.Equal("no active account", AccountRules.Decide(erased, "s2", new AccountCommand.ChangePaymentMethod("tok-2"), Consent).Refused);
    }
}
