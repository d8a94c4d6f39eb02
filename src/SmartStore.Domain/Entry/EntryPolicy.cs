namespace SmartStore.Domain.Entry;

/// <summary>How a person at the gate says who they are.</summary>
public abstract record Identification
{
    /// <summary>Face recognition named a shopper with a confidence (0..1).</summary>
    public sealed record Face(string ShopperId, double Confidence) : Identification;

    /// <summary>
    /// The node's own face pipeline matched a face from the gate camera to an enrolled template (its threshold,
    /// margin and liveness are already cleared, so there is nothing left to weigh here but the account).
    /// </summary>
    public sealed record Recognised(string ShopperId, double Similarity) : Identification;

    /// <summary>An app QR code or a card, already resolved to its shopper (null when the token is unknown).</summary>
    public sealed record Token(string? ShopperId) : Identification;
}

/// <summary>What the store knows about a shopper when deciding entry (null fields mean "not enrolled").</summary>
public sealed record ShopperStanding(string ShopperId, bool Enrolled, bool Consented, bool PaymentMethodValid, long DebtMinor);

public sealed record EntrySettings
{
    /// <summary>Face matches below this confidence are not trusted to charge someone.</summary>
    public double MinFaceConfidence { get; init; } = 0.90;

    public int MaxPartySize { get; init; } = 6;

    /// <summary>Unpaid debt above this blocks entry until it is settled.</summary>
    public long MaxDebtMinor { get; init; }

    /// <summary>Pre-authorisation hold placed on entry; 0 for none.</summary>
    public long HoldMinor { get; init; } = 5_000;
}

public abstract record EntryDecision
{
    public sealed record Admit(string ShopperId, int PartySize, long HoldMinor) : EntryDecision;

    public sealed record Deny(string Reason) : EntryDecision;
}

/// <summary>
/// Admits known, consenting shoppers with a valid payment method and no blocking debt, for a party of a sane
/// size; denies everyone else with a reason an operator (and the shopper) can act on. Pure: the gate actor
/// looks the standing up and opens or keeps the gate closed.
/// </summary>
public static class EntryPolicy
{
    public static EntryDecision Decide(Identification who, ShopperStanding? standing, int partySize, EntrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(settings);
        switch (who)
        {
            case Identification.Face face when face.Confidence < settings.MinFaceConfidence:
                return new EntryDecision.Deny($"face match confidence {face.Confidence:0.00} is below {settings.MinFaceConfidence:0.00}; use the app code");
            case Identification.Token { ShopperId: null }:
                return new EntryDecision.Deny("unknown code or card");
        }

        if (standing is not { Enrolled: true })
        {
            return new EntryDecision.Deny("not enrolled: enrol in the app to shop here");
        }

        if (!standing.Consented)
        {
            return new EntryDecision.Deny("no recorded consent to biometric identification and automatic charging");
        }

        if (!standing.PaymentMethodValid)
        {
            return new EntryDecision.Deny("no valid payment method: update it in the app");
        }

        if (standing.DebtMinor > settings.MaxDebtMinor)
        {
            return new EntryDecision.Deny($"an unpaid balance of {standing.DebtMinor} must be settled first");
        }

        if (partySize < 1 || partySize > settings.MaxPartySize)
        {
            return new EntryDecision.Deny($"a party of {partySize}: one payer may bring 1 to {settings.MaxPartySize} people");
        }

        return new EntryDecision.Admit(standing.ShopperId, partySize, settings.HoldMinor);
    }
}
