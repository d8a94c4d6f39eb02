using Xunit;

namespace SmartStore.WebConsole.Tests;

public sealed class ReviewDecisionTests
{
    [Fact]
    public void Charge_keeps_the_proposed_receipt_and_void_charges_nothing()
    {
        Assert.Equal(new ReviewDecision(null, null), ReviewDecision.Read("charge", "ignored=1"));
        Assert.Empty(ReviewDecision.Read("void", null).Units!);
    }

    [Fact]
    public void Corrected_lines_are_read_from_commas_or_new_lines_with_zero_units_allowed()
    {
        var read = ReviewDecision.Read("correct", " alcohol-027=1,\nsnack-007 = 2\r\ndrink-001=0 ");

        Assert.Null(read.Refusal);
        Assert.Equal(new Dictionary<string, int> { ["alcohol-027"] = 1, ["snack-007"] = 2, ["drink-001"] = 0 }, read.Units);
    }

    [Theory]
    [InlineData("approve", "x=1", "the decision is")]
    [InlineData(null, "x=1", "the decision is")]
    [InlineData("correct", "", "corrected lines are needed")]
    [InlineData("correct", "snack-007", "is not sku=units")]
    [InlineData("correct", "snack-007=1=2", "is not sku=units")]
    [InlineData("correct", "<script>=1", "is not sku=units")]
    [InlineData("correct", "snack-007=-1", "is not a number of units")]
    [InlineData("correct", "snack-007=100", "is not a number of units")]
    [InlineData("correct", "snack-007=two", "is not a number of units")]
    [InlineData("correct", "snack-007=1, snack-007=2", "is given twice")]
    public void A_decision_that_cannot_be_read_is_refused_with_what_is_wrong(string? decision, string lines, string reason)
    {
        var read = ReviewDecision.Read(decision, lines);

        Assert.Null(read.Units);
        Assert.Contains(reason, read.Refusal, StringComparison.Ordinal);
    }
}
