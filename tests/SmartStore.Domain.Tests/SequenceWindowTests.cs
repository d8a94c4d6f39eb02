using FsCheck;
using FsCheck.Fluent;
using SmartStore.Domain.EventTime;
using Xunit;

namespace SmartStore.Domain.Tests;

public sealed class SequenceWindowTests
{
    [Fact]
    public void Within_the_window_a_sequence_is_fresh_exactly_once_and_never_mistaken_for_a_duplicate()
    {
        // Sequences arrive shuffled a little (as over a network) and some twice (as QoS 1 redelivers).
        var arrivals = Gen.Choose(1, 200).ListOf().ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(arrivals, sequences =>
        {
            var window = default(SequenceWindow);
            var seen = new HashSet<long>();
            long highest = 0;
            foreach (long sequence in sequences)
            {
                (window, var verdict) = window.Observe(sequence);
                var expected = highest - sequence >= SequenceWindow.Size ? SequenceVerdict.BeyondWindow
                    : seen.Contains(sequence) ? SequenceVerdict.Duplicate
                    : SequenceVerdict.Fresh;
                if (verdict != expected)
                {
                    return false;
                }

                if (verdict == SequenceVerdict.Fresh)
                {
                    seen.Add(sequence);
                    highest = Math.Max(highest, sequence);
                }
            }

            return true;
        }));
    }

    [Fact]
    public void A_jump_far_ahead_forgets_the_old_window_but_keeps_the_new_highest()
    {
        var window = default(SequenceWindow);
        (window, _) = window.Observe(5);
        (window, var jump) = window.Observe(1_000);
        (window, var again) = window.Observe(1_000);
        (_, var old) = window.Observe(5);

        Assert.Equal(SequenceVerdict.Fresh, jump);
        Assert.Equal(SequenceVerdict.Duplicate, again);
        Assert.Equal(SequenceVerdict.BeyondWindow, old);
    }
}
