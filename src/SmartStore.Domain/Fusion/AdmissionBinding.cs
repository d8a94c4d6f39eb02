using System.Collections.Immutable;

namespace SmartStore.Domain.Fusion;

/// <summary>
/// Whose visit a person crossing the entry gate belongs to. Gates are single-lane and identify people at the
/// barrier, so the gate's own order says a lot: an identified payer stands at the barrier and needs at least
/// <see cref="FusionSettings.PayerCrossesAfterMs"/> to reach the line, so someone crossing sooner was already
/// past it (a companion of an earlier admission), and the first one to cross after that is the payer, ahead of
/// any companion still behind; of two payers waiting at once, the one identified first is ahead in the lane.
/// Only when two parties' companions could each claim the crossing with equal right is nobody bound: the track
/// is doubtful (it counts against the earliest of them, so the count of people still expected stays right).
/// </summary>
public abstract record AdmissionBinding
{
    private AdmissionBinding()
    {
    }

    /// <summary>Nobody was admitted for this crossing: tailgating.</summary>
    public sealed record Nobody : AdmissionBinding;

    /// <summary>The crossing is the next person of this admission.</summary>
    public sealed record Bound(OpenAdmission Admission) : AdmissionBinding;

    /// <summary>The crossing may be any of these admissions' people; nobody is charged for what the track takes.</summary>
    public sealed record Doubt(ImmutableList<OpenAdmission> Candidates) : AdmissionBinding
    {
        /// <summary>Whose expected count the crossing takes: the earliest admission's.</summary>
        public OpenAdmission Counted => Candidates.MinBy(a => a.GrantedMs)!;
    }

    public static AdmissionBinding Bind(ImmutableList<OpenAdmission> admissions, GateCrossed crossed, FusionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(admissions);
        ArgumentNullException.ThrowIfNull(crossed);
        ArgumentNullException.ThrowIfNull(settings);
        var open = admissions.Where(a => a.GateId == crossed.GateId && a.Remaining > 0 && a.GrantedMs <= crossed.DeviceTimeMs).ToImmutableList();
        if (open.IsEmpty)
        {
            return new Nobody();
        }

        if (open.Count == 1)
        {
            return new Bound(open[0]);
        }

        // A payer at the barrier long enough to have walked through crosses before anyone behind them.
        var payers = open.Where(a => !a.PayerCrossed && crossed.DeviceTimeMs - a.GrantedMs >= settings.PayerCrossesAfterMs).ToImmutableList();
        if (payers.Count == 1)
        {
            return new Bound(payers[0]);
        }

        if (payers.Count > 1)
        {
            return new Bound(payers.MinBy(a => a.GrantedMs)!);
        }

        // No payer could be through yet: this is someone already past the barrier, a companion of an earlier party.
        var companions = open.Where(a => a.PayerCrossed).ToImmutableList();
        return companions.Count switch
        {
            1 => new Bound(companions[0]),
            0 => open.Count(a => !a.PayerCrossed) == 1 ? new Bound(open.Single(a => !a.PayerCrossed)) : new Doubt(open),
            _ => new Doubt(companions),
        };
    }
}
