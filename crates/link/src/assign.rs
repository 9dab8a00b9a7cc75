//! After scoring: who goes with whom. A holding row goes to at most one requested person,
//! a requested person to at most one row of the register — unless the holder registered
//! him twice, when both rows are proposed as a duplicate pair. A pair's probability is its
//! posterior against the other candidates of both its records (they are alternatives to
//! it), so two namesakes who fit one row equally well are each unsure, and the operating
//! point is a probability, not a threshold tuned to a data set.

use crate::model::{Model, Scored, TermFrequencies};
use crate::record::Person;
use std::collections::HashMap;

/// Where the model's probabilities are cut: at or above `sure` a pair is proposed as a
/// match, between `review` and `sure` it goes to a person for review, below it is dropped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OperatingPoint {
    /// Posterior at or above which a pair is sure (0.5: more likely a match than not).
    pub sure: f64,
    /// Posterior at or above which a pair is worth a reviewer's look.
    pub review: f64,
}

impl Default for OperatingPoint {
    fn default() -> Self {
        OperatingPoint {
            sure: 0.5,
            review: 0.05,
        }
    }
}

/// What the assignment made of a pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Assigned, and more likely a match than not.
    Sure,
    /// Assigned, but unsure: for a reviewer.
    Review,
    /// One of its records went to a better pair (see [`Proposal::lost_to`]).
    Lost,
}

impl Decision {
    /// The decision in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Sure => "sure",
            Decision::Review => "review",
            Decision::Lost => "lost",
        }
    }
}

/// Why a pair lost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LostBecause {
    /// The right record went to another left record.
    RightTaken {
        /// The left record it went to.
        to: u32,
        /// That pair's probability.
        probability: f64,
    },
    /// The left record went to another right record.
    LeftTaken {
        /// The right record it went to.
        to: u32,
        /// That pair's probability.
        probability: f64,
    },
}

/// A pair after assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Index in the left list.
    pub left: u32,
    /// Index in the right list.
    pub right: u32,
    /// Posterior probability of the pair against its records' other candidates.
    pub probability: f64,
    /// The pair's own probability, before competition (the Fellegi–Sunter posterior).
    pub pair_probability: f64,
    /// Match weight in bits (the pair's own).
    pub weight: f64,
    /// Levels per field.
    pub vector: crate::compare::Vector,
    /// Weight per field.
    pub field_weights: [f64; crate::compare::FIELDS],
    /// Sure, review or lost.
    pub decision: Decision,
    /// The other right record of the same person, when the holder registered him twice.
    pub duplicate_of: Option<u32>,
    /// Why the pair lost, when it did.
    pub lost_to: Option<LostBecause>,
}

impl Proposal {
    /// Why the pair lost, in words (`None` when it did not).
    pub fn reason(&self, left: &[Person], right: &[Person]) -> Option<String> {
        let id = |list: &[Person], i: u32| {
            list.get(i as usize)
                .map_or("?", |p| p.id.as_str())
                .to_owned()
        };
        self.lost_to.map(|l| match l {
            LostBecause::RightTaken { to, probability } => format!(
                "{} goes to {} (p = {probability:.3})",
                id(right, self.right),
                id(left, to)
            ),
            LostBecause::LeftTaken { to, probability } => format!(
                "{} goes to {} (p = {probability:.3})",
                id(left, self.left),
                id(right, to)
            ),
        })
    }
}

/// The pairs proposed, best first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Proposals {
    /// Every pair at or above the review probability, and those that lost.
    pub pairs: Vec<Proposal>,
}

impl Proposals {
    /// The sure pairs.
    pub fn sure(&self) -> impl Iterator<Item = &Proposal> {
        self.pairs.iter().filter(|p| p.decision == Decision::Sure)
    }

    /// The pairs for review.
    pub fn review(&self) -> impl Iterator<Item = &Proposal> {
        self.pairs.iter().filter(|p| p.decision == Decision::Review)
    }
}

fn odds(probability: f64) -> f64 {
    let p = probability.clamp(1e-15, 1.0 - 1e-15);
    p / (1.0 - p)
}

/// Two rows of one list, as the same person? (The holder's two registrations.) Likely by
/// the model, and not differing in the given name: brothers and twins fit one record
/// through what they share, and differ in exactly that.
fn same_person(model: &Model, tf: &TermFrequencies, a: &Person, b: &Person) -> bool {
    let s = model.score(a, b, tf, 0, 0);
    let given_differs = s.vector[1] as usize + 1 >= crate::compare::Field::Given.levels().len()
        && s.vector[1] != crate::compare::NULL;
    s.probability >= 0.5 && !given_differs
}

/// Assigns scored pairs of a linkage of two lists. `scored` may be in any order. For
/// deduplication (`dedupe`) records may join any number of others, so nothing competes:
/// each pair keeps its own probability.
pub fn assign_scored(
    scored: &[Scored],
    left: &[Person],
    right: &[Person],
    model: &Model,
    tf: &TermFrequencies,
    dedupe: bool,
    point: OperatingPoint,
) -> Proposals {
    let proposal = |s: &Scored, probability: f64, decision: Decision| Proposal {
        left: s.left,
        right: s.right,
        probability,
        pair_probability: s.probability,
        weight: s.weight,
        vector: s.vector,
        field_weights: s.field_weights,
        decision,
        duplicate_of: None,
        lost_to: None,
    };
    let decide = |p: f64| {
        if p >= point.sure {
            Some(Decision::Sure)
        } else if p >= point.review {
            Some(Decision::Review)
        } else {
            None
        }
    };
    if dedupe {
        let mut pairs: Vec<Proposal> = scored
            .iter()
            .filter_map(|s| decide(s.probability).map(|d| proposal(s, s.probability, d)))
            .collect();
        sort(&mut pairs);
        return Proposals { pairs };
    }
    let Competition {
        twin_row,
        posteriors,
    } = competing(scored, left, right, model, tf, point.review);
    // As in `competing`: a holding is a row or the two rows of one man.
    let holding = |r: u32| twin_row.get(&r).map_or(r, |&o| o.min(r));
    let request = |l: u32| l;
    let mut ranked: Vec<(f64, &Scored)> = posteriors.iter().copied().zip(scored).collect();
    ranked.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(b.1.weight.total_cmp(&a.1.weight))
            .then(a.1.left.cmp(&b.1.left))
            .then(a.1.right.cmp(&b.1.right))
    });
    // Greedy by posterior: the best pair first; a record once taken is taken.
    let mut left_to: HashMap<u32, (u32, f64)> = HashMap::new();
    let mut holding_to: HashMap<u32, (u32, f64)> = HashMap::new();
    let mut pairs = Vec::new();
    for (p, s) in ranked {
        let (q, h) = (request(s.left), holding(s.right));
        let taken_right = holding_to
            .get(&h)
            .copied()
            .filter(|&(l, _)| request(l) != q);
        let taken_left = left_to.get(&q).copied().filter(|&(r, _)| holding(r) != h);
        let lost_to = taken_right
            .map(|(to, probability)| LostBecause::RightTaken { to, probability })
            .or_else(|| {
                taken_left.map(|(to, probability)| LostBecause::LeftTaken { to, probability })
            });
        if let Some(because) = lost_to {
            if p >= point.review {
                let mut lost = proposal(s, p, Decision::Lost);
                lost.lost_to = Some(because);
                pairs.push(lost);
            }
            continue;
        }
        let Some(mut decision) = decide(p) else {
            continue;
        };
        // Two different names of the dictionary are two men, however much else agrees
        // (unless their service or document number agrees): twins share surname, father
        // and birth date and differ in exactly that. Such a pair is for a reviewer, never
        // sure.
        if decision == Decision::Sure
            && another_name(&s.vector, &left[s.left as usize], &right[s.right as usize])
        {
            decision = Decision::Review;
        }
        left_to.entry(q).or_insert((s.right, p));
        holding_to.entry(h).or_insert((s.left, p));
        let mut taken = proposal(s, p, decision);
        taken.duplicate_of = twin_row.get(&s.right).copied();
        pairs.push(taken);
    }
    sort(&mut pairs);
    Proposals { pairs }
}

/// Each scored pair's posterior against its records' other candidates, in the order given,
/// as the assignment weighs them before it picks (for deduplication, where nothing
/// competes, the pair's own probability).
pub fn competing_posteriors(
    scored: &[Scored],
    left: &[Person],
    right: &[Person],
    model: &Model,
    tf: &TermFrequencies,
    dedupe: bool,
) -> Vec<f64> {
    if dedupe {
        return scored.iter().map(|s| s.probability).collect();
    }
    competing(
        scored,
        left,
        right,
        model,
        tf,
        OperatingPoint::default().review,
    )
    .posteriors
}

/// The posteriors of scored pairs against their records' other candidates, and the
/// holder's double registrations found on the way.
struct Competition {
    /// A right row and the other row of the same man, both ways.
    twin_row: HashMap<u32, u32>,
    /// Per scored pair, in the order given.
    posteriors: Vec<f64>,
}

/// Each pair's posterior against the other candidates of both its records (two lists;
/// a holding row goes to one requested person at most). `review` is the probability from
/// which a second row of one man is looked for.
fn competing(
    scored: &[Scored],
    left: &[Person],
    right: &[Person],
    model: &Model,
    tf: &TermFrequencies,
    review: f64,
) -> Competition {
    // Double registrations: two right rows that are candidates of one left record and the
    // same person as each other are one "holding" for the competition below.
    // The holder's two registrations may be in two scripts: they need only be likely the
    // same man.
    let twins = |by: &dyn Fn(&Scored) -> (u32, u32), side: &[Person]| -> HashMap<u32, u32> {
        let mut grouped: HashMap<u32, Vec<usize>> = HashMap::new();
        for (i, s) in scored.iter().enumerate() {
            grouped.entry(by(s).0).or_default().push(i);
        }
        let mut twin: HashMap<u32, u32> = HashMap::new();
        let mut keys: Vec<u32> = grouped.keys().copied().collect();
        keys.sort_unstable();
        for k in keys {
            let Some(list) = grouped.get_mut(&k) else {
                continue;
            };
            list.sort_by(|&a, &b| scored[b].weight.total_cmp(&scored[a].weight));
            if let [a, b, ..] = list.as_slice() {
                let (a, b) = (&scored[*a], &scored[*b]);
                let (x, y) = (by(a).1, by(b).1);
                if b.probability >= review
                    && !twin.contains_key(&x)
                    && !twin.contains_key(&y)
                    && same_person(model, tf, &side[x as usize], &side[y as usize])
                {
                    twin.insert(x, y);
                    twin.insert(y, x);
                }
            }
        }
        twin
    };
    let twin_row = twins(&|s: &Scored| (s.left, s.right), right);
    // A holding: a right row, or the pair of rows of one person (named by the smaller).
    let holding = |r: u32| twin_row.get(&r).map_or(r, |&o| o.min(r));
    // A holding row goes to one requested person at most: two request rows are never
    // joined, even when they look alike (a namesake is likelier than a double entry, and
    // a double entry loses with its reason, for a reviewer).
    let request = |l: u32| l;
    // Sum of the odds of every alternative on each side; a holding counts once per
    // request (its best row).
    let mut best: HashMap<(u32, u32), f64> = HashMap::new();
    for s in scored {
        let e = best
            .entry((request(s.left), holding(s.right)))
            .or_insert(0.0);
        *e = e.max(odds(s.probability));
    }
    let mut left_sum: HashMap<u32, f64> = HashMap::new();
    let mut right_sum: HashMap<u32, f64> = HashMap::new();
    for (&(l, h), &o) in &best {
        *left_sum.entry(l).or_default() += o;
        *right_sum.entry(h).or_default() += o;
    }
    // A pair l–r against the other states of its two records: l with another row and r
    // with nobody, r with another person and l with nobody, both with others, both with
    // nobody. Each state weighs the product, over the pairs it matches, of their odds
    // against both records being unmatched, o' = o / ((1 − π_left)(1 − π_right)), where π
    // is the share of each list that has a match at all; so with a' and b' the summed o'
    // of l's and r's other candidates,
    //     P = o' / (o' + (1 + a') · (1 + b')).
    // Pairs outside the candidates have odds near zero (blocking would have found a pair
    // that agrees), which is what lets a lone good pair be surer than its own
    // Fellegi–Sunter posterior, and makes two equal rivals each about even. π comes
    // from the matches the model expects (the sum of each left record's best
    // posterior), refined twice with the posteriors it gives.
    let posterior = |s: &Scored, share_left: f64, share_right: f64| {
        let (q, h) = (request(s.left), holding(s.right));
        let unmatched = (1.0 - share_left) * (1.0 - share_right);
        let own = best.get(&(q, h)).copied().unwrap_or(0.0);
        let a = (left_sum.get(&q).copied().unwrap_or(0.0) - own).max(0.0) / unmatched;
        let b = (right_sum.get(&h).copied().unwrap_or(0.0) - own).max(0.0) / unmatched;
        let o = odds(s.probability) / unmatched;
        o / (o + (1.0 + a) * (1.0 + b))
    };
    let expected = |p: &dyn Fn(&Scored) -> f64| -> f64 {
        let mut top: HashMap<u32, f64> = HashMap::new();
        for s in scored {
            let e = top.entry(s.left).or_insert(0.0);
            *e = e.max(p(s));
        }
        top.values().sum()
    };
    let shares = |matches: f64| {
        let m = matches.min(left.len().min(right.len()) as f64);
        (
            (m / left.len().max(1) as f64).clamp(0.0, 0.999),
            (m / right.len().max(1) as f64).clamp(0.0, 0.999),
        )
    };
    let (mut share_left, mut share_right) = shares(expected(&|s: &Scored| s.probability));
    for _ in 0..2 {
        let m = expected(&|s: &Scored| posterior(s, share_left, share_right));
        (share_left, share_right) = shares(m);
    }
    // Explaining away: a rival takes a record from a pair only in so far as the rival is
    // free. A requested man whose own row fits him surely (same date, same unit) is no
    // rival for another row with his name and no date, and a row surely his is no rival
    // for another requested namesake. Each alternative's odds are weighed by the
    // probability that its other record is not matched elsewhere, from the posteriors
    // of the round before (damped by half; a few rounds settle it).
    let unmatched = (1.0 - share_left) * (1.0 - share_right);
    let entries: Vec<((u32, u32), f64)> = {
        let mut e: Vec<((u32, u32), f64)> =
            best.iter().map(|(&k, &o)| (k, o / unmatched)).collect();
        e.sort_unstable_by_key(|&(k, _)| k);
        e
    };
    let mut rivals: Vec<(f64, f64)> = entries
        .iter()
        .map(|&((q, h), o)| {
            let a = (left_sum.get(&q).copied().unwrap_or(0.0) / unmatched - o).max(0.0);
            let b = (right_sum.get(&h).copied().unwrap_or(0.0) / unmatched - o).max(0.0);
            (a, b)
        })
        .collect();
    let of = |o: f64, (a, b): (f64, f64)| o / (o + (1.0 + a) * (1.0 + b));
    let mut p: Vec<f64> = entries
        .iter()
        .zip(&rivals)
        .map(|(&(_, o), &r)| of(o, r))
        .collect();
    for _ in 0..4 {
        let mut taken_left: HashMap<u32, f64> = HashMap::new();
        let mut taken_right: HashMap<u32, f64> = HashMap::new();
        for (&((q, h), _), &pi) in entries.iter().zip(&p) {
            *taken_left.entry(q).or_default() += pi;
            *taken_right.entry(h).or_default() += pi;
        }
        // free(x except y): the record is matched to nobody but possibly y.
        let free = |taken: f64, own: f64| (1.0 - (taken - own).clamp(0.0, 1.0)).max(0.0);
        let mut weighed_left: HashMap<u32, f64> = HashMap::new();
        let mut weighed_right: HashMap<u32, f64> = HashMap::new();
        let mut own_terms = Vec::with_capacity(entries.len());
        for (&((q, h), o), &pi) in entries.iter().zip(&p) {
            // As l's alternative, the pair counts if its holding is free of others; as
            // r's, if its request is.
            let as_left = o * free(taken_right[&h], pi);
            let as_right = o * free(taken_left[&q], pi);
            *weighed_left.entry(q).or_default() += as_left;
            *weighed_right.entry(h).or_default() += as_right;
            own_terms.push((as_left, as_right));
        }
        for (i, &((q, h), o)) in entries.iter().enumerate() {
            let a = (weighed_left[&q] - own_terms[i].0).max(0.0);
            let b = (weighed_right[&h] - own_terms[i].1).max(0.0);
            rivals[i] = (a, b);
            p[i] = 0.5 * p[i] + 0.5 * of(o, rivals[i]);
        }
    }
    let settled: HashMap<(u32, u32), (f64, f64)> = entries
        .iter()
        .zip(&rivals)
        .map(|(&(k, _), &r)| (k, r))
        .collect();
    let posterior = |s: &Scored| {
        let key = (request(s.left), holding(s.right));
        let o = odds(s.probability) / unmatched;
        settled
            .get(&key)
            .map_or_else(|| posterior(s, share_left, share_right), |&r| of(o, r))
    };
    let posteriors = scored.iter().map(posterior).collect();
    Competition {
        twin_row,
        posteriors,
    }
}

/// Whether the pair's given names are two different names the dictionary knows (neither
/// an initial, no typing error between them).
fn another_name(vector: &crate::compare::Vector, a: &Person, b: &Person) -> bool {
    let known = |p: &Person| {
        p.given
            .as_ref()
            .is_some_and(|g| !g.initial && g.class != u32::MAX)
    };
    let different = crate::compare::Field::Given.levels().len() - 1;
    // A service or document number that agrees says it is one man whose name a clerk
    // replaced; twins have two numbers.
    let number = crate::compare::Field::ALL
        .iter()
        .position(|f| *f == crate::compare::Field::Number)
        .map_or(crate::compare::NULL, |f| vector[f]);
    vector[1] as usize == different && known(a) && known(b) && number != 0
}

fn sort(pairs: &mut [Proposal]) {
    pairs.sort_by(|a, b| {
        b.probability
            .total_cmp(&a.probability)
            .then(a.left.cmp(&b.left))
            .then(a.right.cmp(&b.right))
    });
}
