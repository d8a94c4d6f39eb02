using System.Collections.Immutable;
using SmartStore.Domain.Carts;
using SmartStore.Domain.Layouts;
using SmartStore.Domain.Signals;

namespace SmartStore.Domain.Fusion;

// Fusion, part three: weight changes. Who made them, what they were, and what they do to carts.
public static partial class CartFusion
{
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
