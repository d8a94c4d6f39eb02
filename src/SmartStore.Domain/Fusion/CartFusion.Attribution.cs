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

        if (change.ToMs - change.FromMs > settings.UnwatchedChangeMs)
        {
            return AttributeUnwatched(state, bin, change, layout, settings);
        }

        var evidence = ScoreVisits(state, bin, change, layout, settings);
        var scores = evidence.ToDictionary(e => e.Key, e => e.Value.Score, StringComparer.Ordinal);
        if (scores.Count == 0 || scores.Values.Max() < settings.MinScore)
        {
            // Nobody was seen to do it: whoever was out of sight then may have (a camera down, a blind spot).
            var unseen = OutOfSight(state, bin, change, settings);
            return AttributeUnseen(state, bin, change, unseen.Concat(scores.Keys).Distinct(StringComparer.Ordinal).ToList(), layout, settings, evidence);
        }

        var ranked = scores.OrderByDescending(s => s.Value).ThenBy(s => s.Key, StringComparer.Ordinal).ToList();
        var best = ranked[0];
        var clear = best.Value >= settings.MinScore && (ranked.Count == 1 || best.Value >= settings.Dominance * ranked[1].Value) && !evidence[best.Key].Doubtful;
        if (!clear)
        {
            // Only the contenders are in doubt: a visit the best one outscores by the dominance factor was not the picker.
            var contenders = ranked.Where(r => r.Value * settings.Dominance >= best.Value).ToList();
            if (TrySplit(state, bin, change, contenders, evidence, layout, settings) is { } split)
            {
                return split;
            }

            // A doubtful track's other candidates are in doubt with it, whatever their own evidence.
            foreach (var other in state.Tracks.Values.Where(t => t.Doubtful && t.Visits.Any(v => contenders.Any(c => c.Key == v))).SelectMany(t => t.Visits).Where(state.Visits.ContainsKey).ToList())
            {
                if (contenders.All(c => c.Key != other))
                {
                    contenders.Add(new(other, scores.GetValueOrDefault(other)));
                }
            }

            var detail = string.Join(", ", contenders.Select(r => $"{r.Key} {r.Value:0.00}"));
            var reason = $"ambiguous {(change.DeltaGrams < 0 ? "pick" : "put-back")} {change.ChangeId} on {bin.Id}: {detail}";
            var visits = state.Visits;
            var review = Review(state, change, reason, contenders.Select(c => c.Key), evidence);
            foreach (var (visitId, _) in contenders)
            {
                visits = visits.SetItem(visitId, visits[visitId].NeedsReview(review));
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

        return ApplyToCart(state, state.Visits[best.Key], bin, change, best.Value, layout, settings, evidence);
    }

    /// <summary>
    /// Several shoppers near one bin: what the hands actually in the bin over the change's window say. One hand in
    /// the bin: that shopper made the change, and a neighbour whose hand was only near, never in it, pays nothing.
    /// A hand seen in the bin in fewer frames than the most-seen one is neither cleared nor charged. Several,
    /// and the bin lost exactly one unit per hand of one product: each took one (the CPS-IoT case of two shoppers
    /// picking the same item at the same moment). Anything less clear-cut stays ambiguous.
    /// </summary>
    private static FusionState? TrySplit(FusionState state, Bin bin, ShelfChanged change, List<KeyValuePair<string, double>> contenders, Dictionary<string, Evidence> evidence, StoreLayout layout, FusionSettings settings)
    {
        if (contenders.Count < 2 || contenders.Any(c => evidence.TryGetValue(c.Key, out var e) && e.Doubtful))
        {
            return null;
        }

        // A hand counts as in the bin when it was there for a good part of the window, not for one noisy frame.
        var most = contenders.Max(c => evidence[c.Key].HandsInBin);
        var inBin = contenders.Where(c => evidence[c.Key].HandsInBin > 0 && evidence[c.Key].HandsInBin * 2 >= most).ToList();

        // Fewer frames of a hand in the bin than another's is not a hand that was not there: cameras miss hands in
        // a crowd. Only a neighbour whose hand was never seen in the bin is cleared; one seen there, less often,
        // may be the picker or one of two, and what nobody can tell goes to review.
        var glimpsed = contenders.Where(c => evidence[c.Key].HandsInBin > 0 && !inBin.Contains(c)).ToList();
        if (glimpsed.Count > 0)
        {
            return null;
        }

        if (inBin.Count == 1 && inBin[0].Value >= settings.MinScore)
        {
            var picker = inBin[0];
            state = change.DeltaGrams > 0 ? ResolveByPutBack(state, picker.Key, change, layout, settings) : state;
            state = ApplyToCart(state, state.Visits[picker.Key], bin, change, picker.Value, layout, settings, evidence);
            var others = string.Join(", ", contenders.Where(c => c.Key != picker.Key).Select(c => c.Key));
            return state with { Alerts = state.Alerts.Add(new FloorAlert("hand-in-bin", change.DeviceTimeMs, $"{change.ChangeId} on {bin.Id}: only {picker.Key}'s hand was in the bin ({others} only near)")) };
        }

        contenders = inBin;
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
            var proof = new CartEvidence($"{change.ChangeId}:{sku}:{visitId}", bin.Id, change.ChangeId, observations, Math.Round(score * guess.Likelihood / contenders.Count, 3));
            visit = visit with { Cart = visit.Cart.Apply(new CartChange(sku, 1, proof)).Cart };
            if (layout.FindProduct(sku) is { AgeRestricted: true })
            {
                visit = visit.NeedsReview("age-restricted item: needs an operator's approval");
            }

            visits = visits.SetItem(visitId, visit);
        }

        var alert = new FloorAlert("split-pick", change.DeviceTimeMs, $"{change.ChangeId} on {bin.Id}: one {sku} each for {string.Join(", ", contenders.Select(c => c.Key))}");
        return state with { Visits = visits, Bins = state.Bins.SetItem(bin.Id, state.Bins[bin.Id].AfterPick(sku, contenders.Count)), Alerts = state.Alerts.Add(alert) };
    }

    private static FusionState ApplyToCart(FusionState state, Visit visit, Bin bin, ShelfChanged change, double confidence, StoreLayout layout, FusionSettings settings, Dictionary<string, Evidence>? evidence = null)
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

        var hypotheses = change.DeltaGrams < 0
            ? QuantityInference.Infer(change.DeltaGrams, stock.Candidates(layout), settings.Inference)
            : PutBackHypotheses(visit, stock, change, layout, settings);

        if (hypotheses.IsEmpty && change.DeltaGrams > 0 && change.DeltaGrams <= settings.MaxHandPressureGrams)
        {
            // Weight that appears while a hand is in the bin and matches nothing is most likely the hand itself (a
            // shopper resting on the shelf): remembered, and taken back out of this visit's next change on the bin.
            var pressing = $"{change.DeltaGrams:+0;-0} g on {bin.Id} ({change.ChangeId}) matches no product (a hand resting on the shelf?)";
            var pressed = stock with { Pressure = change.DeltaGrams, PressureBy = visit.VisitId, PressureReason = pressing };
            return state with { Visits = state.Visits.SetItem(visit.VisitId, visit.NeedsReview(Review(state, change, pressing, [visit.VisitId], evidence))), Bins = state.Bins.SetItem(bin.Id, pressed), Alerts = state.Alerts.Add(new FloorAlert("hand-pressure", change.DeviceTimeMs, pressing)) };
        }

        if (hypotheses.IsEmpty)
        {
            var unexplained = visit.NeedsReview(Review(state, change, $"{change.DeltaGrams:+0;-0} g on {bin.Id} ({change.ChangeId}) matches no product", [visit.VisitId], evidence));
            return state with { Visits = state.Visits.SetItem(visit.VisitId, unexplained), Alerts = state.Alerts.Add(new FloorAlert("unexplained-weight", change.DeviceTimeMs, $"{change.ChangeId}: {change.DeltaGrams:+0;-0} g")) };
        }

        var hypothesis = hypotheses[0];
        if (hypothesis.Likelihood < settings.MinProductLikelihood)
        {
            var options = string.Join(" / ", hypotheses.Take(3).Select(h => $"{string.Join("+", h.Units.Select(u => $"{u.Value}×{u.Key}"))} {h.Likelihood:0.00}"));
            visit = visit.NeedsReview(Review(state, change, $"uncertain product for {change.ChangeId} on {bin.Id}: {options}", [visit.VisitId], evidence));
        }

        var sign = change.DeltaGrams < 0 ? 1 : -1;
        var observations = state.Tracks.Values.Where(t => t.Visits.Contains(visit.VisitId)).Select(t => t.TrackId).ToImmutableArray();
        var cart = visit.Cart;
        foreach (var (sku, units) in hypothesis.Units)
        {
            var proof = new CartEvidence($"{change.ChangeId}:{sku}", bin.Id, change.ChangeId, observations, Math.Round(confidence * hypothesis.Likelihood, 3));
            cart = cart.Apply(new CartChange(sku, sign * units, proof)).Cart;
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
    /// What a put-back by <paramref name="visit"/> can be. It can only return what the visit holds: the likelihoods
    /// are conditioned on that (renormalised over what remains), so a lemonade bin cannot make a returned cola
    /// doubtful when the visit holds no lemonade; and shoppers mostly return things where they belong, so a bin's
    /// own products are the likelier return.
    /// </summary>
    private static ImmutableList<QuantityHypothesis> PutBackHypotheses(Visit visit, BinStock stock, ShelfChanged change, StoreLayout layout, FusionSettings settings)
    {
        var candidates = stock.Candidates(layout).Concat(visit.Cart.Lines.Keys.Select(layout.FindProduct).OfType<Product>()).DistinctBy(p => p.Sku).ToList();
        var hypotheses = QuantityInference.Infer(change.DeltaGrams, candidates, settings.Inference)
            .RemoveAll(h => h.Units.Any(u => visit.Cart.UnitsOf(u.Key) < u.Value));
        return QuantityInference.Renormalise([.. hypotheses
            .Select(h => h.Units.Keys.All(stock.PlannedSkus.Contains) ? h with { Likelihood = h.Likelihood * settings.OwnBinPutBackPrior } : h)
            .OrderByDescending(h => h.Likelihood)]);
    }

    /// <summary>
    /// Later evidence settles an open ambiguity: a visit that puts back a product it does not hold, while it
    /// is a candidate of an open ambiguous pick of that product, must have been the one who took it. The pick
    /// goes into its cart (so the put-back can take it out) and the other candidates are cleared.
    /// </summary>
    private static FusionState ResolveByPutBack(FusionState state, string visitId, ShelfChanged putBack, StoreLayout layout, FusionSettings settings)
    {
        var visit = state.Visits[visitId];

        // A put-back that something the visit holds explains is that thing coming back, not proof of a pick in dispute.
        if (PutBackHypotheses(visit, state.Bins[putBack.BinId], putBack, layout, settings).Count > 0)
        {
            return state;
        }

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

    /// <summary>What a visit's tracks showed around a change: the best score and the sighting that gave it, hands seen in the bin, and whether it came from a doubtful track.</summary>
    private readonly record struct Evidence(double Score, int HandsInBin, bool Doubtful, Sighting? At = null);

    /// <summary>Per visit, the best evidence score of its tracks around the change (hands strong, body weak).</summary>
    private static Dictionary<string, Evidence> ScoreVisits(FusionState state, Bin bin, ShelfChanged change, StoreLayout layout, FusionSettings settings)
    {
        var from = change.FromMs - settings.EvidenceSlackMs;
        var to = change.ToMs + settings.EvidenceSlackMs;
        var scores = new Dictionary<string, Evidence>(StringComparer.Ordinal);
        var shelfBins = layout.ShelfOf(bin)?.Bins ?? [bin];
        foreach (var track in state.Tracks.Values.Where(t => t.Visits.Count > 0))
        {
            var score = 0.0;
            var handsInBin = 0;
            Sighting? at = null;
            foreach (var s in track.Sightings.Where(s => s.TimeMs >= from && s.TimeMs <= to))
            {
                var before = score;
                // Evidence inside the change's own window counts fully; outside it, it fades (quadratically)
                // to nothing at the slack's edge, so a hand a second away does not rival one in the act.
                var outside = s.TimeMs < change.FromMs ? change.FromMs - s.TimeMs : Math.Max(0, s.TimeMs - change.ToMs);
                var timely = Math.Pow(Math.Max(0, 1.0 - ((double)outside / settings.EvidenceSlackMs)), 2);
                if (s.Hand is { } hand && HandDistance(bin, hand, s.HandHeight, layout) is var dh && dh <= settings.HandReach)
                {
                    var inThisBin = HandLikelihood(bin, hand, s.HandHeight, shelfBins, layout, settings);
                    score = Math.Max(score, timely * inThisBin * (1.0 - (0.5 * dh / settings.HandReach)));
                    if (outside == 0 && inThisBin >= settings.HandInBin)
                    {
                        handsInBin++;
                    }
                }

                if (bin.Area.DistanceTo(s.Body) is var db && db <= settings.BodyReach)
                {
                    score = Math.Max(score, timely * 0.3 * (1.0 - (db / settings.BodyReach)));
                }

                at = score > before ? s : at;
            }

            if (score <= 0)
            {
                continue;
            }

            // An ambiguous track lends its evidence to each visit it may be, at a share.
            var share = score / track.Visits.Count;
            foreach (var visitId in track.Visits)
            {
                var known = scores.GetValueOrDefault(visitId);
                var doubtful = share > known.Score ? track.Doubtful : known.Doubtful || (share == known.Score && track.Doubtful);
                scores[visitId] = new Evidence(Math.Max(known.Score, share), known.HandsInBin + handsInBin, doubtful, share > known.Score ? at : known.At);
            }
        }

        return scores;
    }

    /// <summary>
    /// What the operator reviewing <paramref name="change"/> is shown: the cell's trace and each visit that may have
    /// made it with its score, and where it was then: the sighting that scored best, or, for a visit no camera
    /// placed near the bin, its sighting nearest in time to the change (where it was last seen).
    /// </summary>
    private static ChangeReview Review(FusionState state, ShelfChanged change, string reason, IEnumerable<string> visitIds, IReadOnlyDictionary<string, Evidence>? evidence)
    {
        var candidates = visitIds.Distinct(StringComparer.Ordinal).Select(visitId =>
        {
            var scored = evidence is not null && evidence.TryGetValue(visitId, out var e) ? e : default;
            var at = scored.At ?? NearestSighting(state, visitId, change);
            return new PickCandidate(visitId, state.Visits.TryGetValue(visitId, out var visit) ? visit.PayerId : string.Empty, Math.Round(scored.Score, 3), scored.HandsInBin, at?.Body, at?.Hand, at?.HandHeight, at?.TimeMs);
        });
        return new ChangeReview(reason, change.ChangeId, change.BinId, change.DeltaGrams, change.FromMs, change.ToMs, change.Trace, [.. candidates.OrderByDescending(c => c.Score).ThenBy(c => c.VisitId, StringComparer.Ordinal)]);
    }

    private static Sighting? NearestSighting(FusionState state, string visitId, ShelfChanged change) =>
        state.Tracks.Values.Where(t => t.Visits.Contains(visitId)).SelectMany(t => t.Sightings)
            .MinBy(s => s.TimeMs < change.FromMs ? change.FromMs - s.TimeMs : Math.Max(0, s.TimeMs - change.ToMs));

    /// <summary>How far a hand is from a bin, metres: across the floor, and up or down to the bin's level when the camera gave a height.</summary>
    private static double HandDistance(Bin bin, Point hand, double? height, StoreLayout layout)
    {
        var across = bin.Area.DistanceTo(hand);
        if (height is not { } z || layout.HeightOf(bin) is not var (low, high))
        {
            return across;
        }

        var vertical = z < low ? low - z : Math.Max(0, z - high);
        return Math.Sqrt((across * across) + (vertical * vertical));
    }

    /// <summary>
    /// How likely the hand is in this bin rather than another bin of its shelf, given the camera's error
    /// (<see cref="FusionSettings.HandSigma"/>): 1 when no other bin is close, about a half between two bins or
    /// between two levels when the camera gives no height, near 0 inside a neighbouring bin.
    /// </summary>
    private static double HandLikelihood(Bin bin, Point hand, double? height, IReadOnlyList<Bin> shelfBins, StoreLayout layout, FusionSettings settings)
    {
        var own = HandDistance(bin, hand, height, layout);
        var twoSigmaSquared = 2 * settings.HandSigma * settings.HandSigma;
        var total = 0.0;
        foreach (var other in shelfBins)
        {
            var d = other.Id == bin.Id ? own : HandDistance(other, hand, height, layout);

            // Relative to this bin's own distance, so far hands do not underflow to 0/0.
            total += Math.Exp(((own * own) - (d * d)) / twoSigmaSquared);
        }

        return total <= 0 ? 0 : 1.0 / total;
    }
}
