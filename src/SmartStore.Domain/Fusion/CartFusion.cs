using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;

namespace SmartStore.Domain.Fusion;

/// <summary>The whole floor's state for fusion: visits, tracks, bins, admissions and alerts (immutable).</summary>
public sealed record FusionState(
    ImmutableSortedDictionary<string, Visit> Visits,
    ImmutableSortedDictionary<string, Track> Tracks,
    ImmutableSortedDictionary<string, BinStock> Bins,
    ImmutableList<OpenAdmission> Admissions,
    ImmutableList<FloorAlert> Alerts,
    ImmutableList<ShelfChanged> PendingChanges,
    ImmutableSortedDictionary<string, string> Aliases,
    ImmutableList<OpenAmbiguity> Ambiguities)
{
    /// <summary>Bins whose load cell has gone silent: a pick there cannot be weighed.</summary>
    public ImmutableHashSet<string> SilentBins { get; init; } = ImmutableHashSet<string>.Empty.WithComparer(StringComparer.Ordinal);

    /// <summary>The store-wide track a camera's track id stands for.</summary>
    public string Resolve(string trackId) => Aliases.TryGetValue(trackId, out var canonical) ? canonical : trackId;

    public static FusionState For(StoreLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        return new FusionState(
            ImmutableSortedDictionary<string, Visit>.Empty.WithComparers(StringComparer.Ordinal),
            ImmutableSortedDictionary<string, Track>.Empty.WithComparers(StringComparer.Ordinal),
            layout.Bins.ToImmutableSortedDictionary(b => b.Id, BinStock.For, StringComparer.Ordinal),
            [],
            [],
            [],
            ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal),
            []);
    }
}

/// <summary>
/// Fuses camera tracks and shelf weight changes into carts, one input at a time, in event-time order (feed it
/// from an <see cref="EventTime.EventTimeBuffer{T}"/>). Rules, in the order they apply:
/// <list type="bullet">
/// <item>Admission binds the next tracks that cross that entry gate inward, up to the party size; companions
/// share the payer's visit. A crossing nobody was admitted for is tailgating: an alert, and an unbound track.</item>
/// <item>A track that appears out of nowhere near a track that just vanished inherits its visit; near several,
/// it inherits all of them — ambiguity is kept, not guessed away.</item>
/// <item>A weight change is scored against every track's hands (strong) and body (weak) around its window.
/// One clear visit → its cart changes; several close ones → each goes to review with the scores; none → an
/// unattributed alert. Hand-offs follow "the picker pays": a cart changes only on shelf events.</item>
/// <item>The change's product comes from <see cref="QuantityInference"/> over the bin's stock (and, for a
/// put-back, what the visit holds); a put-back of a foreign product is remembered on the bin as misplaced.</item>
/// </list>
/// </summary>
public static class CartFusion
{
    public static FusionState Apply(FusionState state, FloorInput input, StoreLayout layout, FusionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(settings);
        state = AdvanceTo(state, input.DeviceTimeMs, layout, settings);
        state = state with { Admissions = state.Admissions.RemoveAll(a => a.UntilMs < input.DeviceTimeMs) };
        return input switch
        {
            EntryGranted granted => Admit(state, granted, settings),
            GateCrossed crossed => Cross(state, crossed with { TrackId = state.Resolve(crossed.TrackId) }),
            PersonSeen seen => FlagReachIntoSilentBin(See(state, seen, settings), seen, layout, settings),

            // Evidence after the change is part of its window: attribute once event time has passed it.
            ShelfChanged changed => state with { PendingChanges = state.PendingChanges.Add(changed) },
            _ => throw new ArgumentOutOfRangeException(nameof(input), input.GetType().Name, "Unknown floor input."),
        };
    }

    /// <summary>
    /// Attributes every held change whose evidence window ended before <paramref name="timeMs"/> (call it with
    /// the watermark as the store's clock moves, and with <see cref="long.MaxValue"/> at the end of a replay).
    /// </summary>
    public static FusionState AdvanceTo(FusionState state, long timeMs, StoreLayout layout, FusionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(settings);
        var due = state.PendingChanges.Where(c => c.ToMs + settings.EvidenceSlackMs < timeMs).ToList();
        if (due.Count == 0)
        {
            return state;
        }

        state = state with { PendingChanges = state.PendingChanges.RemoveRange(due) };
        return due.Aggregate(state, (s, change) => Attribute(s, change, layout, settings));
    }

    private static FusionState Admit(FusionState state, EntryGranted granted, FusionSettings settings)
    {
        if (state.Visits.ContainsKey(granted.VisitId))
        {
            return state;
        }

        var visit = new Visit(granted.VisitId, granted.PayerId, granted.PartySize, granted.DeviceTimeMs, VisitStatus.Inside, null, VirtualCart.Empty, []);
        return state with
        {
            Visits = state.Visits.Add(visit.VisitId, visit),
            Admissions = state.Admissions.Add(new OpenAdmission(visit.VisitId, granted.GateId, granted.PartySize, granted.DeviceTimeMs + settings.AdmissionWindowMs)),
        };
    }

    private static FusionState Cross(FusionState state, GateCrossed crossed) => crossed.Inward ? Enter(state, crossed) : Leave(state, crossed);

    private static FusionState Enter(FusionState state, GateCrossed crossed)
    {
        var track = state.Tracks.GetValueOrDefault(crossed.TrackId) ?? new Track(crossed.TrackId, [], [], false);
        var admission = state.Admissions.FirstOrDefault(a => a.GateId == crossed.GateId && a.Remaining > 0);
        if (admission is null)
        {
            var alert = new FloorAlert("tailgating", crossed.DeviceTimeMs, $"track {crossed.TrackId} entered through {crossed.GateId} without an admission");
            return state with { Tracks = state.Tracks.SetItem(track.TrackId, track with { Visits = [] }), Alerts = state.Alerts.Add(alert) };
        }

        var remaining = admission.Remaining - 1;
        var admissions = remaining == 0 ? state.Admissions.Remove(admission) : state.Admissions.Replace(admission, admission with { Remaining = remaining });
        return state with { Tracks = state.Tracks.SetItem(track.TrackId, track with { Visits = [admission.VisitId] }), Admissions = admissions };
    }

    private static FusionState Leave(FusionState state, GateCrossed crossed)
    {
        if (!state.Tracks.TryGetValue(crossed.TrackId, out var track))
        {
            return state;
        }

        var tracks = state.Tracks.SetItem(track.TrackId, track with { Exited = true });
        var visits = state.Visits;
        foreach (var visitId in track.Visits)
        {
            // A visit ends when none of its clearly bound tracks is still inside.
            var stillInside = tracks.Values.Any(t => !t.Exited && t.Visits.Count == 1 && t.Visits.Contains(visitId));
            if (!stillInside && visits.TryGetValue(visitId, out var visit) && visit.Status == VisitStatus.Inside)
            {
                visits = visits.SetItem(visitId, visit with { Status = VisitStatus.Exited, ExitedMs = crossed.DeviceTimeMs });
            }
        }

        return state with { Tracks = tracks, Visits = visits };
    }

    /// <summary>
    /// A bin's load cell went silent (or spoke again). While it is silent, a hand in that bin may take something
    /// nobody can weigh: the visit is sent to review rather than charged for less than it took.
    /// </summary>
    public static FusionState SensorSilent(FusionState state, string binId, bool silent)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state with { SilentBins = silent ? state.SilentBins.Add(binId) : state.SilentBins.Remove(binId) };
    }

    private static FusionState FlagReachIntoSilentBin(FusionState state, PersonSeen seen, StoreLayout layout, FusionSettings settings)
    {
        if (state.SilentBins.IsEmpty || seen.Hand is not { } hand)
        {
            return state;
        }

        var bin = state.SilentBins.Select(layout.FindBin).OfType<Bin>().FirstOrDefault(b => b.Area.DistanceTo(hand) <= settings.HandReach);
        if (bin is null || !state.Tracks.TryGetValue(state.Resolve(seen.TrackId), out var track))
        {
            return state;
        }

        var reason = $"reached into {bin.Id} while its weight sensor was silent: a pick may be missing";
        var visits = state.Visits;
        foreach (var visitId in track.Visits.Where(visits.ContainsKey))
        {
            visits = visits.SetItem(visitId, visits[visitId].NeedsReview(reason));
        }

        return ReferenceEquals(visits, state.Visits) ? state : state with { Visits = visits };
    }

    private static FusionState See(FusionState state, PersonSeen seen, FusionSettings settings)
    {
        var sighting = new Sighting(seen.DeviceTimeMs, seen.DeviceId, seen.Body, seen.Hand);
        if (state.Tracks.TryGetValue(state.Resolve(seen.TrackId), out var known))
        {
            // Keep a few seconds of history: enough for any change's evidence window.
            var sightings = known.Sightings.Add(sighting).RemoveAll(s => s.TimeMs < seen.DeviceTimeMs - 10_000);
            return state with { Tracks = state.Tracks.SetItem(known.TrackId, known with { Sightings = sightings }) };
        }

        // A track id never seen before. Another camera following someone right here, right now: the same
        // person seen twice, so this id becomes an alias of that store-wide track.
        var samePerson = state.Tracks.Values.FirstOrDefault(t => !t.Exited && t.Last is { } l
            && l.CameraId != seen.DeviceId
            && Math.Abs(seen.DeviceTimeMs - l.TimeMs) <= settings.SamePersonWindowMs
            && l.Body.DistanceTo(seen.Body) <= settings.SamePersonRadius);
        if (samePerson is not null)
        {
            var merged = samePerson with { Sightings = samePerson.Sightings.Add(sighting) };
            return state with { Tracks = state.Tracks.SetItem(merged.TrackId, merged), Aliases = state.Aliases.SetItem(seen.TrackId, merged.TrackId) };
        }

        // Otherwise possibly a switched identity of a track that just vanished.
        var lost = state.Tracks.Values
            .Where(t => !t.Exited && t.Visits.Count > 0 && t.Last is { } last
                && seen.DeviceTimeMs - last.TimeMs is > 0
                && seen.DeviceTimeMs - last.TimeMs <= settings.SwitchWindowMs
                && last.Body.DistanceTo(seen.Body) <= settings.SwitchRadius)
            .ToList();
        var visits = lost.SelectMany(t => t.Visits).ToImmutableHashSet(StringComparer.Ordinal);
        var track = new Track(seen.TrackId, visits, [sighting], false);
        var alerts = lost.Count > 1
            ? state.Alerts.Add(new FloorAlert("identity-ambiguous", seen.DeviceTimeMs, $"track {seen.TrackId} may be any of {string.Join(", ", lost.Select(t => t.TrackId))}"))
            : state.Alerts;
        // The lost tracks live on in the new one: they no longer count as someone inside (else their visit could
        // never end once the new id walks out through the exit).
        var tracks = state.Tracks.Add(track.TrackId, track);
        foreach (var gone in lost)
        {
            tracks = tracks.SetItem(gone.TrackId, gone with { Exited = true });
        }

        return state with { Tracks = tracks, Alerts = alerts };
    }

    private static FusionState Attribute(FusionState state, ShelfChanged change, StoreLayout layout, FusionSettings settings)
    {
        var bin = layout.FindBin(change.BinId);
        if (bin is null)
        {
            return state with { Alerts = state.Alerts.Add(new FloorAlert("unknown-bin", change.DeviceTimeMs, $"weight change {change.ChangeId} on unknown bin {change.BinId}")) };
        }

        var scores = ScoreVisits(state, bin, change, settings);
        if (scores.Count == 0)
        {
            return state with { Alerts = state.Alerts.Add(new FloorAlert("unattributed", change.DeviceTimeMs, $"{change.DeltaGrams:+0;-0} g on {bin.Id} ({change.ChangeId}): nobody near")) };
        }

        var ranked = scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
        var best = ranked[0];
        var clear = best.Value >= settings.MinScore && (ranked.Count == 1 || best.Value >= settings.Dominance * ranked[1].Value);
        if (!clear)
        {
            // Only the contenders are in doubt: a visit the best one outscores by the dominance factor was not the picker.
            var contenders = ranked.Where(r => r.Value * settings.Dominance >= best.Value).ToList();
            if (TrySplit(state, bin, change, contenders, layout, settings) is { } split)
            {
                return split;
            }

            var detail = string.Join(", ", contenders.Select(r => $"{r.Key} {r.Value:0.00}"));
            var reason = $"ambiguous {(change.DeltaGrams < 0 ? "pick" : "put-back")} {change.ChangeId} on {bin.Id}: {detail}";
            var visits = state.Visits;
            foreach (var (visitId, _) in contenders)
            {
                visits = visits.SetItem(visitId, visits[visitId].NeedsReview(reason));
            }

            // A pick stays open: later evidence may still say who took it (see ResolveByPutBack).
            var ambiguities = state.Ambiguities;
            if (change.DeltaGrams < 0 && QuantityInference.Infer(change.DeltaGrams, state.Bins[bin.Id].Candidates(layout), settings.Inference) is [var guess, ..])
            {
                ambiguities = ambiguities.Add(new OpenAmbiguity(change.ChangeId, bin.Id, guess.Units, [.. contenders.Select(r => r.Key)], reason, best.Value * guess.Likelihood));
            }

            return state with { Visits = visits, Ambiguities = ambiguities, Alerts = state.Alerts.Add(new FloorAlert("ambiguous", change.DeviceTimeMs, $"{change.ChangeId} on {bin.Id}: {detail}")) };
        }

        if (change.DeltaGrams > 0)
        {
            state = ResolveByPutBack(state, best.Key, change, layout, settings);
        }

        return ApplyToCart(state, state.Visits[best.Key], bin, change, best.Value, layout, settings);
    }

    /// <summary>
    /// Several shoppers with their hands in one bin, and the bin lost exactly one unit per shopper of one product:
    /// each took one (the CPS-IoT case of two shoppers picking the same item at the same moment). Anything less
    /// clear-cut stays ambiguous.
    /// </summary>
    private static FusionState? TrySplit(FusionState state, Bin bin, ShelfChanged change, List<KeyValuePair<string, double>> contenders, StoreLayout layout, FusionSettings settings)
    {
        if (change.DeltaGrams >= 0 || contenders.Count < 2 || contenders.Any(c => c.Value < settings.MinScore))
        {
            return null;
        }

        var guess = QuantityInference.Infer(change.DeltaGrams, state.Bins[bin.Id].Candidates(layout), settings.Inference).FirstOrDefault();
        if (guess is null || guess.Likelihood < settings.MinProductLikelihood || guess.Units.Count != 1 || guess.TotalUnits != contenders.Count)
        {
            return null;
        }

        var sku = guess.Units.Keys.Single();
        var visits = state.Visits;
        foreach (var (visitId, score) in contenders)
        {
            var visit = visits[visitId];
            var observations = state.Tracks.Values.Where(t => t.Visits.Contains(visitId)).Select(t => t.TrackId).ToImmutableArray();
            var evidence = new CartEvidence($"{change.ChangeId}:{sku}:{visitId}", bin.Id, change.ChangeId, observations, Math.Round(score * guess.Likelihood / contenders.Count, 3));
            visit = visit with { Cart = visit.Cart.Apply(new CartChange(sku, 1, evidence)).Cart };
            if (layout.FindProduct(sku) is { AgeRestricted: true })
            {
                visit = visit.NeedsReview("age-restricted item: needs an operator's approval");
            }

            visits = visits.SetItem(visitId, visit);
        }

        var alert = new FloorAlert("split-pick", change.DeviceTimeMs, $"{change.ChangeId} on {bin.Id}: one {sku} each for {string.Join(", ", contenders.Select(c => c.Key))}");
        return state with { Visits = visits, Bins = state.Bins.SetItem(bin.Id, state.Bins[bin.Id].AfterPick(sku, contenders.Count)), Alerts = state.Alerts.Add(alert) };
    }

    private static FusionState ApplyToCart(FusionState state, Visit visit, Bin bin, ShelfChanged change, double confidence, StoreLayout layout, FusionSettings settings)
    {
        var stock = state.Bins[bin.Id];
        if (stock.PressureBy == visit.VisitId && stock.Pressure != 0)
        {
            // This visit's hand was pressing on the bin: its release is part of this change.
            visit = visit.Resolved(stock.PressureReason!);
            change = change with { DeltaGrams = change.DeltaGrams + stock.Pressure };
            stock = stock with { Pressure = 0, PressureBy = null, PressureReason = null };
            state = state with { Visits = state.Visits.SetItem(visit.VisitId, visit), Bins = state.Bins.SetItem(bin.Id, stock) };
            if (Math.Abs(change.DeltaGrams) < settings.HandPressureRelease)
            {
                return state;
            }
        }

        var candidates = change.DeltaGrams < 0
            ? stock.Candidates(layout)
            : stock.Candidates(layout).Concat(visit.Cart.Lines.Keys.Select(layout.FindProduct).OfType<Product>()).DistinctBy(p => p.Sku).ToList();
        var hypotheses = QuantityInference.Infer(change.DeltaGrams, candidates, settings.Inference);
        if (change.DeltaGrams > 0)
        {
            // A put-back can only return what the visit holds: the likelihoods are conditioned on that (renormalised
            // over what remains), so a lemonade bin cannot make a returned cola doubtful when the visit holds no lemonade.
            hypotheses = hypotheses.RemoveAll(h => h.Units.Any(u => visit.Cart.UnitsOf(u.Key) < u.Value));

            // Shoppers mostly return things where they belong: a bin's own products are the likelier return.
            hypotheses = QuantityInference.Renormalise([.. hypotheses
                .Select(h => h.Units.Keys.All(stock.PlannedSkus.Contains) ? h with { Likelihood = h.Likelihood * settings.OwnBinPutBackPrior } : h)
                .OrderByDescending(h => h.Likelihood)]);
        }

        if (hypotheses.IsEmpty && change.DeltaGrams > 0 && change.DeltaGrams <= settings.MaxHandPressureGrams)
        {
            // Weight that appears while a hand is in the bin and matches nothing is most likely the hand itself (a
            // shopper resting on the shelf): remembered, and taken back out of this visit's next change on the bin.
            var pressing = $"{change.DeltaGrams:+0;-0} g on {bin.Id} ({change.ChangeId}) matches no product (a hand resting on the shelf?)";
            var pressed = stock with { Pressure = change.DeltaGrams, PressureBy = visit.VisitId, PressureReason = pressing };
            return state with { Visits = state.Visits.SetItem(visit.VisitId, visit.NeedsReview(pressing)), Bins = state.Bins.SetItem(bin.Id, pressed), Alerts = state.Alerts.Add(new FloorAlert("hand-pressure", change.DeviceTimeMs, pressing)) };
        }

        if (hypotheses.IsEmpty)
        {
            var unexplained = visit.NeedsReview($"{change.DeltaGrams:+0;-0} g on {bin.Id} ({change.ChangeId}) matches no product");
            return state with { Visits = state.Visits.SetItem(visit.VisitId, unexplained), Alerts = state.Alerts.Add(new FloorAlert("unexplained-weight", change.DeviceTimeMs, $"{change.ChangeId}: {change.DeltaGrams:+0;-0} g")) };
        }

        var hypothesis = hypotheses[0];
        if (hypothesis.Likelihood < settings.MinProductLikelihood)
        {
            var options = string.Join(" / ", hypotheses.Take(3).Select(h => $"{string.Join("+", h.Units.Select(u => $"{u.Value}×{u.Key}"))} {h.Likelihood:0.00}"));
            visit = visit.NeedsReview($"uncertain product for {change.ChangeId} on {bin.Id}: {options}");
        }

        var sign = change.DeltaGrams < 0 ? 1 : -1;
        var observations = state.Tracks.Values.Where(t => t.Visits.Contains(visit.VisitId)).Select(t => t.TrackId).ToImmutableArray();
        var cart = visit.Cart;
        foreach (var (sku, units) in hypothesis.Units)
        {
            var evidence = new CartEvidence($"{change.ChangeId}:{sku}", bin.Id, change.ChangeId, observations, Math.Round(confidence * hypothesis.Likelihood, 3));
            cart = cart.Apply(new CartChange(sku, sign * units, evidence)).Cart;
            stock = sign > 0 ? stock.AfterPick(sku, units) : stock.AfterPutBack(sku, units);
        }

        visit = visit with { Cart = cart };
        if (hypothesis.Units.Keys.Select(layout.FindProduct).Any(p => p is { AgeRestricted: true }))
        {
            visit = visit.NeedsReview("age-restricted item: needs an operator's approval");
        }

        return state with { Visits = state.Visits.SetItem(visit.VisitId, visit), Bins = state.Bins.SetItem(bin.Id, stock) };
    }

    /// <summary>
    /// Later evidence settles an open ambiguity: a visit that puts back a product it does not hold, while it
    /// is a candidate of an open ambiguous pick of that product, must have been the one who took it. The pick
    /// goes into its cart (so the put-back can take it out) and the other candidates are cleared.
    /// </summary>
    private static FusionState ResolveByPutBack(FusionState state, string visitId, ShelfChanged putBack, StoreLayout layout, FusionSettings settings)
    {
        var visit = state.Visits[visitId];
        OpenAmbiguity? ambiguity = null;
        foreach (var open in state.Ambiguities.Where(a => a.Candidates.Contains(visitId)))
        {
            // Does this put-back look like the disputed item, and is it something the visit was not charged for?
            var products = open.Units.Keys.Select(layout.FindProduct).OfType<Product>().ToList();
            var fit = QuantityInference.Infer(putBack.DeltaGrams, products, settings.Inference).FirstOrDefault();
            if (fit is not null && fit.Units.Any(u => visit.Cart.UnitsOf(u.Key) < u.Value))
            {
                ambiguity = open;
                break;
            }
        }

        if (ambiguity is null)
        {
            return state;
        }

        var visits = state.Visits;
        foreach (var candidate in ambiguity.Candidates)
        {
            visits = visits.SetItem(candidate, visits[candidate].Resolved(ambiguity.Reason));
        }

        var cart = visits[visitId].Cart;
        foreach (var (sku, units) in ambiguity.Units)
        {
            var evidence = new CartEvidence($"{ambiguity.ChangeId}:{sku}", ambiguity.BinId, ambiguity.ChangeId, [], Math.Round(ambiguity.Confidence, 3));
            cart = cart.Apply(new CartChange(sku, units, evidence)).Cart;
        }

        visits = visits.SetItem(visitId, visits[visitId] with { Cart = cart });
        var alert = new FloorAlert("ambiguity-resolved", putBack.DeviceTimeMs, $"{ambiguity.ChangeId} was {visitId}'s: it put the item back later ({putBack.ChangeId})");
        return state with { Visits = visits, Ambiguities = state.Ambiguities.Remove(ambiguity), Alerts = state.Alerts.Add(alert) };
    }

    /// <summary>Per visit, the best evidence score of its tracks around the change (hands strong, body weak).</summary>
    private static Dictionary<string, double> ScoreVisits(FusionState state, Bin bin, ShelfChanged change, FusionSettings settings)
    {
        var from = change.FromMs - settings.EvidenceSlackMs;
        var to = change.ToMs + settings.EvidenceSlackMs;
        var scores = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var track in state.Tracks.Values.Where(t => t.Visits.Count > 0))
        {
            var score = 0.0;
            foreach (var s in track.Sightings.Where(s => s.TimeMs >= from && s.TimeMs <= to))
            {
                // Evidence inside the change's own window counts fully; outside it, it fades (quadratically)
                // to nothing at the slack's edge, so a hand a second away does not rival one in the act.
                var outside = s.TimeMs < change.FromMs ? change.FromMs - s.TimeMs : Math.Max(0, s.TimeMs - change.ToMs);
                var timely = Math.Pow(Math.Max(0, 1.0 - ((double)outside / settings.EvidenceSlackMs)), 2);
                if (s.Hand is { } hand && bin.Area.DistanceTo(hand) is var dh && dh <= settings.HandReach)
                {
                    score = Math.Max(score, timely * (1.0 - (0.5 * dh / settings.HandReach)));
                }

                if (bin.Area.DistanceTo(s.Body) is var db && db <= settings.BodyReach)
                {
                    score = Math.Max(score, timely * 0.3 * (1.0 - (db / settings.BodyReach)));
                }
            }

            if (score <= 0)
            {
                continue;
            }

            // An ambiguous track lends its evidence to each visit it may be, at a share.
            var share = score / track.Visits.Count;
            foreach (var visitId in track.Visits)
            {
                scores[visitId] = Math.Max(scores.GetValueOrDefault(visitId), share);
            }
        }

        return scores;
    }
}
