using SmartStore.Domain.Entry;
using Xunit;

namespace SmartStore.Domain.Tests;

public sealed class EntryPolicyTests
{
    private static readonly EntrySettings Settings = new();
    private static readonly ShopperStanding Good = new("s-1", Enrolled: true, Consented: true, PaymentMethodValid: true, DebtMinor: 0);

    [Fact]
    public void A_known_consenting_shopper_with_a_valid_payment_method_is_admitted_with_a_hold()
    {
        var decision = EntryPolicy.Decide(new Identification.Face("s-1", 0.97), Good, 2, Settings);
        Assert.Equal(new EntryDecision.Admit("s-1", 2, 5_000), decision);
        Assert.IsType<EntryDecision.Admit>(EntryPolicy.Decide(new Identification.Token("s-1"), Good, 1, Settings));
    }

    [Theory]
    [InlineData("low-confidence", "below 0.90")]
    [InlineData("unknown-token", "unknown code")]
    [InlineData("not-enrolled", "not enrolled")]
    [InlineData("no-consent", "consent")]
    [InlineData("no-payment", "payment method")]
    [InlineData("debt", "unpaid balance of 1250")]
    [InlineData("party", "a party of 9")]
    public void Everyone_else_is_denied_with_a_reason_they_can_act_on(string situation, string reason)
    {
        var (who, standing, party) = situation switch
        {
            "low-confidence" => ((Identification)new Identification.Face("s-1", 0.82), Good, 1),
            "unknown-token" => (new Identification.Token(null), Good, 1),
            "not-enrolled" => (new Identification.Face("s-9", 0.99), null, 1),
            "no-consent" => (new Identification.Face("s-1", 0.99), Good with { Consented = false }, 1),
            "no-payment" => (new Identification.Face("s-1", 0.99), Good with { PaymentMethodValid = false }, 1),
            "debt" => (new Identification.Face("s-1", 0.99), Good with { DebtMinor = 1_250 }, 1),
            _ => ((Identification)new Identification.Face("s-1", 0.99), Good, 9),
        };

        var denied = Assert.IsType<EntryDecision.Deny>(EntryPolicy.Decide(who, standing, party, Settings));
        Assert.Contains(reason, denied.Reason, StringComparison.Ordinal);
    }
}
