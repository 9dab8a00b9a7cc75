//! Record linkage for homeward: which row of one list is the same person as which row of
//! another, across scripts and spellings, with a probability and the evidence for it.
//!
//! The steps, each a function so that callers can time and report them:
//! [`Person::prepare`] reads names with the names crate; [`candidates`] blocks on several
//! keys at once; [`estimate_u`] counts level frequencies on random pairs; [`train`] finds m
//! by EM on the candidates; [`Model::score`] weighs each pair, with term-frequency
//! adjustment for surnames and given names. [`clusters`] groups pairs into people for
//! deduplication. Pure and parallel (rayon); no I/O, no clock.

mod assign;
mod block;
mod compare;
mod model;
mod record;

pub use assign::{
    Decision, LostBecause, OperatingPoint, Proposal, Proposals, assign_scored, competing_posteriors,
};
pub use block::{
    Candidates, MAX_BLOCK_PAIRS, RULE_BUDGET_PER_RECORD, RuleCount, candidates, rules,
};
pub use compare::{FIELDS, Field, NULL, Vector, compare, pack, unpack};
pub use model::{
    LEVELS, Model, Scored, TermFrequencies, count_patterns, estimate_u, m_from_posteriors,
    patterns, refine_m, train,
};
pub use record::{NamePart, Person, RawPerson, normalise_code};

use rayon::prelude::*;

/// The outcome of a whole linkage: the prepared people, what blocking did, the trained
/// model and the pairs kept.
#[derive(Debug, Clone)]
pub struct Linkage {
    /// The left list, prepared.
    pub left: Vec<Person>,
    /// The right list, prepared (the left again for deduplication).
    pub right: Vec<Person>,
    /// Candidate pairs compared.
    pub candidates: usize,
    /// What each blocking rule contributed.
    pub counts: Vec<RuleCount>,
    /// The trained model.
    pub model: Model,
    /// Pairs at or above the threshold, best first.
    pub scored: Vec<Scored>,
    /// Term frequencies the pairs were scored with.
    pub tf: TermFrequencies,
    /// Whether this was one list against itself.
    pub dedupe: bool,
}

/// The assignment of a linkage's pairs at an operating point (see [`assign_scored`]).
pub fn assign(linkage: &Linkage, point: OperatingPoint) -> Proposals {
    assign_scored(
        &linkage.scored,
        &linkage.left,
        &linkage.right,
        &linkage.model,
        &linkage.tf,
        linkage.dedupe,
        point,
    )
}

/// Rounds of m from the assignment's posteriors after EM, at most.
const POSTERIOR_ROUNDS: usize = 8;
/// m has settled when no level's m moves by more than this in a round.
const POSTERIOR_SETTLED: f64 = 1e-3;
/// Pairs below this probability take no part in those rounds: nearly all are non-matches,
/// and their many small posteriors would add up to a share of m they do not deserve.
const POSTERIOR_FLOOR: f64 = 0.01;

/// Links two lists (or one list with itself when `right` is `None`): prepare, block,
/// train on the tight pairs, score. `step` is told when each step starts, for progress
/// and timings (this crate reads no clock).
pub fn link(
    left: &[RawPerson],
    right: Option<&[RawPerson]>,
    threshold: f64,
    step: &mut dyn FnMut(&'static str),
) -> Linkage {
    step("preparing names");
    let dedupe = right.is_none();
    let left: Vec<Person> = left.par_iter().map(Person::prepare).collect();
    let right: Vec<Person> = right.map_or_else(
        || left.clone(),
        |r| r.par_iter().map(Person::prepare).collect(),
    );
    step("blocking");
    let Candidates {
        pairs,
        training,
        counts,
    } = candidates(&left, &right, dedupe);
    // Small lists without dates may have few tight pairs: then all candidates train.
    let training = if training.len() < 1_000 {
        pairs.clone()
    } else {
        training
    };
    step("training");
    let (u, u_pairs) = estimate_u(&left, &right, 500_000, 42, dedupe);
    let expected =
        (left.len().min(right.len()) as f64 / training.len().max(1) as f64).clamp(0.001, 0.9);
    let all_pairs = if dedupe {
        left.len() as f64 * (left.len() as f64 - 1.0) / 2.0
    } else {
        left.len() as f64 * right.len() as f64
    };
    // Every candidate is compared once; training, refinement and scoring read the
    // vectors (packed, eight bytes a pair).
    let vectors: Vec<u64> = pairs
        .par_iter()
        .map(|&(l, r)| pack(&compare(&left[l as usize], &right[r as usize])))
        .collect();
    // Trained on the tight rules' pairs (at most two million of them, evenly spread),
    // scored on all candidates. Both lists are sorted, so each training pair is found by
    // binary search.
    let stride = (training.len() / 2_000_000).max(1);
    let sample: Vec<u64> = training
        .iter()
        .step_by(stride)
        .filter_map(|p| pairs.binary_search(p).ok().map(|i| vectors[i]))
        .collect();
    let mut model = train(&count_patterns(&sample), u, u_pairs, expected, all_pairs);
    // The prior: the matches' share of the whole space, counted on the training pairs
    // (which hold nearly all matches) rather than on the sample.
    model.prior = (model.lambda * training.len() as f64 / all_pairs.max(1.0)).clamp(1e-12, 0.5);
    refine_m(&mut model, &count_patterns(&vectors));
    step("scoring");
    let tf = if dedupe {
        TermFrequencies::count(&[&left])
    } else {
        TermFrequencies::count(&[&left, &right])
    };
    // What the term frequencies add to each pair's weight: it depends on u alone, so the
    // rounds below, which change m, rescore by table look-ups.
    let term_bits: Vec<f64> = pairs
        .par_iter()
        .zip(vectors.par_iter())
        .map(|(&(l, r), &v)| {
            let vector = unpack(v);
            model
                .score_vector(&left[l as usize], &right[r as usize], vector, &tf, l, r)
                .weight
                - model.weight_by_levels(&vector)
        })
        .collect();
    let score = |model: &Model, floor: f64| -> Vec<Scored> {
        let floor_bits = (floor / (1.0 - floor)).log2();
        (0..pairs.len())
            .into_par_iter()
            .filter(|&i| model.weight_by_levels(&unpack(vectors[i])) + term_bits[i] >= floor_bits)
            .map(|i| {
                let (l, r) = pairs[i];
                let (a, b) = (&left[l as usize], &right[r as usize]);
                model.score_vector(a, b, unpack(vectors[i]), &tf, l, r)
            })
            .filter(|s| s.probability >= floor)
            .collect()
    };
    // m again from the assignment's posteriors, rescored after each round, until it
    // settles: the one-to-one competition is evidence EM on pairs alone does not have.
    for _ in 0..POSTERIOR_ROUNDS {
        let kept = score(&model, POSTERIOR_FLOOR);
        let posteriors = competing_posteriors(&kept, &left, &right, &model, &tf, dedupe);
        let before = model.m;
        m_from_posteriors(&mut model, &kept, &posteriors);
        let change = before
            .iter()
            .flatten()
            .zip(model.m.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        if change < POSTERIOR_SETTLED {
            break;
        }
    }
    let mut scored = score(&model, threshold);
    drop(vectors);
    scored.par_sort_unstable_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(a.left.cmp(&b.left))
            .then(a.right.cmp(&b.right))
    });
    Linkage {
        candidates: pairs.len(),
        left,
        right,
        counts,
        model,
        scored,
        tf,
        dedupe,
    }
}

/// Scores every candidate pair and keeps those at or above `threshold`, best first.
pub fn score_all(
    model: &Model,
    tf: &TermFrequencies,
    left: &[Person],
    right: &[Person],
    pairs: &[(u32, u32)],
    threshold: f64,
) -> Vec<Scored> {
    let mut out: Vec<Scored> = pairs
        .par_iter()
        .map(|&(l, r)| model.score(&left[l as usize], &right[r as usize], tf, l, r))
        .filter(|s| s.probability >= threshold)
        .collect();
    out.par_sort_unstable_by(|a, b| {
        b.weight
            .total_cmp(&a.weight)
            .then(a.left.cmp(&b.left))
            .then(a.right.cmp(&b.right))
    });
    out
}

/// The evidence of a pair for one field, e.g. `same key (+7.9)`.
pub fn explain(scored: &Scored, field: usize) -> String {
    explain_levels(&scored.vector, &scored.field_weights, field)
}

/// The evidence for one field from a pair's levels and weights (of a [`Scored`] pair or
/// a [`Proposal`]).
pub fn explain_levels(vector: &Vector, weights: &[f64; FIELDS], field: usize) -> String {
    let level = vector[field];
    if level == NULL {
        return "missing".to_owned();
    }
    let name = Field::ALL[field]
        .levels()
        .get(level as usize)
        .copied()
        .unwrap_or("?");
    format!("{name} ({:+.1})", weights[field])
}

/// Groups the records of one list into people, joining the pairs given (union–find).
/// Returns a cluster number per record: the smallest record index in its cluster.
pub fn clusters(records: usize, pairs: &[(u32, u32)]) -> Vec<u32> {
    let mut parent: Vec<u32> = (0..records as u32).collect();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let grand = parent[parent[x as usize] as usize];
            parent[x as usize] = grand;
            x = grand;
        }
        x
    }
    for &(a, b) in pairs {
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            parent[hi as usize] = lo;
        }
    }
    (0..records as u32).map(|x| root(&mut parent, x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn p(id: &str, full: &str, birth: &str) -> Person {
        Person::prepare(&RawPerson {
            id: id.into(),
            full_name: Some(full.into()),
            birth_date: birth.parse().ok(),
            ..Default::default()
        })
    }

    #[test]
    fn a_small_cross_script_linkage() {
        let left = vec![
            p("a1", "Олійник Олександр Петрович", "1990-03-04"),
            p("a2", "Коваленко Ігор Васильович", "1985-11-20"),
            p("a3", "Шевчук Андрій Іванович", "2001-01-15"),
            p("a4", "Коваленко Олена Петрівна", "1979-06-01"),
        ];
        let right = vec![
            p("b1", "OLEINIK ALEKSANDR", "1990-03-04"),
            p("b2", "Коваленко Игорь Васильевич", "1985"),
            p("b3", "Shevchuk Andrii", "2001-01-15"),
            p("b4", "Мельник Петр Сергеевич", "1970-02-02"),
        ];
        let c = candidates(&left, &right, false);
        let pairs = c.pairs;
        assert_eq!(c.counts.len(), rules().len());
        assert!(!c.training.is_empty() && c.training.len() <= pairs.len());
        assert!(
            pairs.contains(&(0, 0)) && pairs.contains(&(1, 1)) && pairs.contains(&(2, 2)),
            "{pairs:?}"
        );
        let (u, n) = estimate_u(&left, &right, 10_000, 1, false);
        let model = train(&patterns(&left, &right, &pairs), u, n, 0.5, 16.0);
        let tf = TermFrequencies::count(&[&left, &right]);
        let scored = score_all(&model, &tf, &left, &right, &pairs, 0.5);
        let found: Vec<(u32, u32)> = scored.iter().map(|s| (s.left, s.right)).collect();
        for want in [(0, 0), (1, 1), (2, 2)] {
            assert!(found.contains(&want), "{found:?}");
        }
        assert!(
            !found.contains(&(3, 1)),
            "a namesake of another sex and father must not match: {found:?}"
        );
        assert!(explain(&scored[0], 0).contains('('));
    }

    #[test]
    fn every_level_a_comparison_gives_has_a_name() {
        // A level without a name would have no m and u, and its weight would be NaN.
        let people = [
            p("a", "Олійник Олександр Петрович", "1990-03-04"),
            p("b", "Олейник Александр", "1990"),
            p("c", "Kovalenko I.", "1970-01-01"),
            p("d", "Zhuk", ""),
        ];
        for a in &people {
            for b in &people {
                for (f, level) in compare(a, b).iter().enumerate() {
                    assert!(
                        *level == NULL || (*level as usize) < Field::ALL[f].levels().len(),
                        "{f} {level}"
                    );
                }
            }
        }
        assert!(Field::ALL.iter().all(|f| f.levels().len() <= LEVELS));
    }

    #[test]
    fn a_namesake_whose_rival_is_the_requested_mans_own_row_gets_little() {
        // Same names, the namesake with another birth date: alone he would be sure, but
        // the requested man's own row explains him away, so m learns little from his date.
        let in_unit = |id: &str, birth: &str, unit: Option<&str>| {
            Person::prepare(&RawPerson {
                id: id.into(),
                full_name: Some("Коваленко Олександр Андрійович".into()),
                birth_date: birth.parse().ok(),
                unit: unit.map(str::to_owned),
                ..Default::default()
            })
        };
        // The requested man's own row has no unit; the namesake's has the same unit as
        // him, so that the two rows are not taken for one man registered twice.
        let left = vec![in_unit("a1", "1990-03-04", Some("А1234"))];
        let right = vec![
            in_unit("b1", "1990-03-04", None),
            in_unit("b2", "1975-08-12", Some("А1234")),
        ];
        // Agreement is strong evidence, another birth date weak against it (m 0.05).
        let mut model = train(&HashMap::new(), [[0.001; LEVELS]; FIELDS], 0, 0.5, 1.0);
        for f in 0..FIELDS {
            let different = Field::ALL[f].levels().len() - 1;
            model.m[f] = [0.0; LEVELS];
            model.m[f][0] = 0.95;
            model.m[f][different] = 0.05;
            model.u[f][different] = 0.99;
        }
        model.prior = 2f64.powi(-12);
        let tf = TermFrequencies::count(&[&left, &right]);
        let scored: Vec<Scored> = (0..2)
            .map(|r| model.score(&left[0], &right[r], &tf, 0, r as u32))
            .collect();
        assert!(scored[1].probability > 0.5, "{:?}", scored[1]);
        let posteriors = competing_posteriors(&scored, &left, &right, &model, &tf, false);
        assert!(posteriors[0] > 0.9, "{posteriors:?}");
        assert!(posteriors[1] < 0.1, "{posteriors:?}");
        // Deduplication has no competition: each pair keeps its own probability.
        let own = competing_posteriors(&scored, &left, &right, &model, &tf, true);
        assert_eq!(own, vec![scored[0].probability, scored[1].probability]);
    }

    #[test]
    fn clusters_join_transitively() {
        assert_eq!(clusters(5, &[(3, 4), (1, 3)]), vec![0, 1, 2, 1, 1]);
    }
}
