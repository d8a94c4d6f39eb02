namespace SmartStore.WebConsole;

/// <summary>An operator's decision on a cart in review, read from the form: the units to charge (null: as proposed), or why it cannot be read.</summary>
public sealed record ReviewDecision(IReadOnlyDictionary<string, int>? Units, string? Refusal)
{
    /// <summary>The most units of one product a corrected line may hold.</summary>
    public const int MaxUnits = 99;

    /// <summary>
    /// <c>charge</c> as proposed; <c>void</c> charges nothing; <c>correct</c> charges <paramref name="lines"/>, written
    /// <c>sku=units</c> separated by commas or new lines (for example <c>alcohol-027=1, snack-007=2</c>). Whether each
    /// product exists is the visit's rule to check, against the store's catalog.
    /// </summary>
    public static ReviewDecision Read(string? decision, string? lines)
    {
        switch (decision)
        {
            case "charge":
                return new ReviewDecision(null, null);
            case "void":
                return new ReviewDecision(new Dictionary<string, int>(), null);
            case "correct":
                break;
            default:
                return Refused("the decision is 'charge', 'correct' or 'void'");
        }

        var units = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var line in (lines ?? string.Empty).Split([',', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split('=', StringSplitOptions.TrimEntries);
            if (parts is not [var sku, var count] || sku.Length is 0 or > 64 || !sku.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
            {
                return Refused($"'{line}' is not sku=units");
            }

            if (!int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n > MaxUnits)
            {
                return Refused($"'{count}' is not a number of units from 0 to {MaxUnits}");
            }

            if (!units.TryAdd(sku, n))
            {
                return Refused($"'{sku}' is given twice");
            }
        }

        return units.Count == 0 ? Refused("corrected lines are needed (sku=units, …); to charge nothing, void the cart") : new ReviewDecision(units, null);
    }

    private static ReviewDecision Refused(string reason) => new(null, reason);
}
