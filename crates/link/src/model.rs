//! The Fellegi–Sunter model: for each field and level, m (how often true matches show it)
//! and u (how often random pairs do). u is counted on random pairs; m is found by
//! expectation–maximisation on the candidate pairs, without labels. Agreement on a rare
//! surname or given name weighs more than on a common one (term-frequency adjustment).

use crate::compare::{FIELDS, Field, NULL, Vector, compare, pack, unpack};
use crate::record::Person;
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};
use rayon::prelude::*;
use std::collections::HashMap;

/// Levels per field at most.
pub const LEVELS: usize = 9;

/// m and u for every field and level, and the share of matches among candidates.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// P(level | match), per field.
    pub m: [[f64; LEVELS]; FIELDS],
    /// P(level | non-match), per field.
    pub u: [[f64; LEVELS]; FIELDS],
    /// Share of candidate pairs that are matches (what EM estimates).
    pub lambda: f64,
    /// Probability that two records drawn at random are the same person: the prior of
    /// every score, so that agreement on blocking keys is not counted twice.
    pub prior: f64,
    /// EM iterations run.
    pub iterations: usize,
    /// Random pairs u was counted on.
    pub u_pairs: u64,
}

/// How often each surname key and given-name class occurs, for term-frequency adjustment.
#[derive(Debug, Clone, Default)]
pub struct TermFrequencies {
    surnames: HashMap<String, u32>,
    given: HashMap<String, u32>,
    patronymics: HashMap<String, u32>,
    total: f64,
}

/// The father's name of a patronymic (its class, or its key), not for initials.
fn patronymic_term(p: &Person) -> Option<String> {
    p.patronymic.as_ref().filter(|g| !g.initial).map(|g| {
        if g.class != u32::MAX {
            format!("#{}", g.class)
        } else {
            g.key.clone()
        }
    })
}

fn given_term(p: &Person) -> Option<String> {
    p.given.as_ref().filter(|g| !g.initial).map(|g| {
        if g.class != u32::MAX {
            format!("#{}", g.class)
        } else {
            g.key.clone()
        }
    })
}

impl TermFrequencies {
    /// Counts terms over both lists.
    pub fn count(lists: &[&[Person]]) -> TermFrequencies {
        let mut tf = TermFrequencies::default();
        for list in lists {
            for p in list.iter() {
                if let Some(s) = &p.surname {
                    *tf.surnames.entry(s.key.clone()).or_default() += 1;
                }
                if let Some(g) = given_term(p) {
                    *tf.given.entry(g).or_default() += 1;
                }
                if let Some(f) = patronymic_term(p) {
                    *tf.patronymics.entry(f).or_default() += 1;
                }
                tf.total += 1.0;
            }
        }
        tf
    }

    fn share(map: &HashMap<String, u32>, term: &str, total: f64) -> f64 {
        f64::from(map.get(term).copied().unwrap_or(1)) / total.max(1.0)
    }
}

/// Level counts per field, smoothed, as probabilities.
/// Weight, in pairs, of the prior beliefs below: with lists of millions they vanish; with
/// a handful of records they keep the model sensible where the data cannot say much.
const PRIOR_PAIRS: f64 = 30.0;

/// What random pairs look like before any counting: they mostly disagree.
fn u_prior() -> [[f64; LEVELS]; FIELDS] {
    let mut u = [[0.0; LEVELS]; FIELDS];
    for (f, field) in Field::ALL.iter().enumerate() {
        let n = field.levels().len();
        if *field == Field::Sex {
            u[f][..2].copy_from_slice(&[0.5, 0.5]);
            continue;
        }
        u[f][..n - 1].fill(0.01 / (n - 1) as f64);
        u[f][n - 1] = 0.99;
    }
    u
}

/// Level counts per field as probabilities, pulled towards `prior` by [`PRIOR_PAIRS`].
fn distribution(
    counts: &[[f64; LEVELS]; FIELDS],
    prior: &[[f64; LEVELS]; FIELDS],
) -> [[f64; LEVELS]; FIELDS] {
    let mut out = [[0.0; LEVELS]; FIELDS];
    for (f, field) in Field::ALL.iter().enumerate() {
        let n = field.levels().len();
        let total: f64 = counts[f][..n].iter().sum::<f64>() + PRIOR_PAIRS;
        for l in 0..n {
            out[f][l] = (counts[f][l] + PRIOR_PAIRS * prior[f][l]).max(1e-9) / total;
        }
    }
    out
}

/// Counts u on up to `samples` random pairs (all pairs when there are fewer).
pub fn estimate_u(
    left: &[Person],
    right: &[Person],
    samples: u64,
    seed: u64,
    dedupe: bool,
) -> ([[f64; LEVELS]; FIELDS], u64) {
    let total = left.len() as u64 * right.len() as u64;
    let mut rng = StdRng::seed_from_u64(seed);
    let pairs: Vec<(u32, u32)> = if total <= samples {
        (0..left.len() as u32)
            .flat_map(|l| (0..right.len() as u32).map(move |r| (l, r)))
            .filter(|(l, r)| !dedupe || l != r)
            .collect()
    } else {
        (0..samples)
            .map(|_| {
                (
                    rng.random_range(0..left.len() as u32),
                    rng.random_range(0..right.len() as u32),
                )
            })
            .filter(|(l, r)| !dedupe || l != r)
            .collect()
    };
    let counts = pairs
        .par_iter()
        .fold(
            || [[0.0_f64; LEVELS]; FIELDS],
            |mut acc, &(l, r)| {
                let v = compare(&left[l as usize], &right[r as usize]);
                for (f, &level) in v.iter().enumerate() {
                    if level != NULL {
                        acc[f][level as usize] += 1.0;
                    }
                }
                acc
            },
        )
        .reduce(
            || [[0.0; LEVELS]; FIELDS],
            |mut a, b| {
                for f in 0..FIELDS {
                    for l in 0..LEVELS {
                        a[f][l] += b[f][l];
                    }
                }
                a
            },
        );
    (distribution(&counts, &u_prior()), pairs.len() as u64)
}

/// Packed comparison vectors counted by pattern.
pub fn count_patterns(packed: &[u64]) -> HashMap<u64, u64> {
    packed
        .par_iter()
        .fold(HashMap::new, |mut acc: HashMap<u64, u64>, &p| {
            *acc.entry(p).or_default() += 1;
            acc
        })
        .reduce(HashMap::new, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        })
}

/// The comparison vectors of the candidate pairs, counted by pattern.
pub fn patterns(left: &[Person], right: &[Person], pairs: &[(u32, u32)]) -> HashMap<u64, u64> {
    pairs
        .par_iter()
        .fold(HashMap::new, |mut acc: HashMap<u64, u64>, &(l, r)| {
            *acc.entry(pack(&compare(&left[l as usize], &right[r as usize])))
                .or_default() += 1;
            acc
        })
        .reduce(HashMap::new, |mut a, b| {
            for (k, v) in b {
                *a.entry(k).or_default() += v;
            }
            a
        })
}

fn initial_m() -> [[f64; LEVELS]; FIELDS] {
    let mut m = [[0.0; LEVELS]; FIELDS];
    for (f, field) in Field::ALL.iter().enumerate() {
        let n = field.levels().len();
        // Matches mostly agree: geometric fall-off from the strongest level.
        let raw: Vec<f64> = (0..n).map(|l| 0.5_f64.powi(l as i32 * 2)).collect();
        let total: f64 = raw.iter().sum();
        for l in 0..n {
            m[f][l] = raw[l] / total;
        }
    }
    m
}

/// Trains m and λ by EM on the candidate patterns, with u held at the random-pair counts.
/// `all_pairs` is the size of the whole comparison space (left × right, or n(n−1)/2).
pub fn train(
    patterns: &HashMap<u64, u64>,
    u: [[f64; LEVELS]; FIELDS],
    u_pairs: u64,
    expected_share: f64,
    all_pairs: f64,
) -> Model {
    // EM with both m and the candidates' own u free: non-matches that reached the
    // candidate set agree on blocking keys far more often than random pairs do, and
    // holding u at the random-pair counts would make them look like matches. Scoring
    // then uses the random-pair u, against the prior of the whole comparison space.
    let prior_m = initial_m();
    let mut m = prior_m;
    let mut u_candidates = u;
    let mut lambda = expected_share.clamp(1e-4, 0.9);
    let decoded: Vec<(Vector, f64)> = patterns
        .iter()
        .map(|(&p, &c)| (unpack(p), c as f64))
        .collect();
    let mut iterations = 0;
    for _ in 0..200 {
        iterations += 1;
        let mut m_counts = [[0.0_f64; LEVELS]; FIELDS];
        let mut u_counts = [[0.0_f64; LEVELS]; FIELDS];
        let (mut matches, mut total) = (0.0, 0.0);
        for (v, c) in &decoded {
            let mut ratio = lambda / (1.0 - lambda);
            for (f, &level) in v.iter().enumerate() {
                if level != NULL {
                    ratio *= m[f][level as usize] / u_candidates[f][level as usize];
                }
            }
            let p = if ratio.is_finite() {
                ratio / (1.0 + ratio)
            } else {
                1.0
            };
            matches += p * c;
            total += c;
            for (f, &level) in v.iter().enumerate() {
                if level != NULL {
                    m_counts[f][level as usize] += p * c;
                    u_counts[f][level as usize] += (1.0 - p) * c;
                }
            }
        }
        let new_m = distribution(&m_counts, &prior_m);
        let new_u = distribution(&u_counts, &u);
        let new_lambda = (matches / total.max(1.0)).clamp(1e-6, 0.999);
        let change = new_m
            .iter()
            .flatten()
            .zip(m.iter().flatten())
            .map(|(a, b)| (a - b).abs())
            .fold((new_lambda - lambda).abs(), f64::max);
        m = new_m;
        u_candidates = new_u;
        lambda = new_lambda;
        if change < 1e-6 {
            break;
        }
    }
    let candidates: f64 = patterns.values().map(|&c| c as f64).sum();
    let prior = (lambda * candidates / all_pairs.max(1.0)).clamp(1e-12, 0.5);
    Model {
        m,
        u,
        lambda,
        prior,
        iterations,
        u_pairs,
    }
}

/// A scored pair with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Index in the left list.
    pub left: u32,
    /// Index in the right list.
    pub right: u32,
    /// Match weight in bits: log2 of the posterior odds.
    pub weight: f64,
    /// Probability of a match.
    pub probability: f64,
    /// Levels per field.
    pub vector: Vector,
    /// Weight per field (bits), term-frequency adjustment included; 0 for missing fields.
    pub field_weights: [f64; FIELDS],
}

impl Model {
    /// The weight (bits) of `level` of field `f`.
    pub fn level_weight(&self, f: usize, level: u8) -> f64 {
        if level == NULL {
            0.0
        } else {
            (self.m[f][level as usize] / self.u[f][level as usize]).log2()
        }
    }

    /// A pair's weight (bits) from its levels and the prior alone, without term
    /// frequencies.
    pub fn weight_by_levels(&self, vector: &Vector) -> f64 {
        (self.prior / (1.0 - self.prior)).log2()
            + vector
                .iter()
                .enumerate()
                .map(|(f, &level)| self.level_weight(f, level))
                .sum::<f64>()
    }

    /// Scores one pair.
    pub fn score(
        &self,
        a: &Person,
        b: &Person,
        tf: &TermFrequencies,
        left: u32,
        right: u32,
    ) -> Scored {
        self.score_vector(a, b, compare(a, b), tf, left, right)
    }

    /// Scores one pair whose comparison vector is already known.
    pub fn score_vector(
        &self,
        a: &Person,
        b: &Person,
        vector: Vector,
        tf: &TermFrequencies,
        left: u32,
        right: u32,
    ) -> Scored {
        let mut field_weights = [0.0; FIELDS];
        for (f, &level) in vector.iter().enumerate() {
            field_weights[f] = self.level_weight(f, level);
        }
        // Term frequencies: the level's average u against this value's own frequency.
        // A value's own share, pulled towards the level's average by PRIOR_PAIRS records,
        // so that a list of ten people does not call every surname common.
        let adjust = |level: u8, f: usize, share: f64| -> f64 {
            if level <= 1 {
                let average = self.u[f][level as usize];
                let smoothed =
                    (share * tf.total + PRIOR_PAIRS * average) / (tf.total + PRIOR_PAIRS);
                (average / smoothed.max(1e-9)).log2().clamp(-6.0, 10.0)
            } else {
                0.0
            }
        };
        if let (Some(s), Some(_)) = (&a.surname, &b.surname) {
            field_weights[0] += adjust(
                vector[0],
                0,
                TermFrequencies::share(&tf.surnames, &s.key, tf.total),
            );
        }
        if let (Some(g), Some(_)) = (given_term(a), given_term(b)) {
            field_weights[1] += adjust(
                vector[1],
                1,
                TermFrequencies::share(&tf.given, &g, tf.total),
            );
        }
        // The father's name too: Владиславович says more than Іванович.
        if vector[2] == 0
            && let (Some(f), Some(_)) = (patronymic_term(a), patronymic_term(b))
        {
            field_weights[2] += adjust(0, 2, TermFrequencies::share(&tf.patronymics, &f, tf.total));
        }
        let weight = (self.prior / (1.0 - self.prior)).log2() + field_weights.iter().sum::<f64>();
        Scored {
            left,
            right,
            weight,
            probability: 1.0 / (1.0 + (-weight).exp2()),
            vector,
            field_weights,
        }
    }
}

/// Sharpens m field by field on the pairs the *other* fields make certain: for each field,
/// its levels are counted over the candidate pairs whose weight without that field gives
/// a posterior of at least 0.99. EM alone takes crowds of namesakes (who agree on every
/// name and differ in birth date and unit) for matches with bad dates; a field's own
/// agreement cannot select the pairs it is counted on here, so under the model's own
/// assumption (fields independent given a match) the counts are m's. Fields with too few
/// such pairs keep EM's m. Run twice: the first pass changes which pairs are certain.
pub fn refine_m(model: &mut Model, vectors: &HashMap<u64, u64>) {
    let certain = (0.99_f64 / 0.01).log2();
    let prior = initial_m();
    for _ in 0..2 {
        let base = (model.prior / (1.0 - model.prior)).log2();
        let mut counts = [[0.0_f64; LEVELS]; FIELDS];
        for (&packed, &n) in vectors {
            let v = unpack(packed);
            let weights: Vec<f64> = (0..FIELDS).map(|f| model.level_weight(f, v[f])).collect();
            let total = base + weights.iter().sum::<f64>();
            for f in 0..FIELDS {
                if v[f] != NULL && total - weights[f] >= certain {
                    counts[f][v[f] as usize] += n as f64;
                }
            }
        }
        let refined = distribution(&counts, &prior);
        for f in 0..FIELDS {
            if counts[f].iter().sum::<f64>() >= 200.0 {
                model.m[f] = refined[f];
            }
        }
    }
}

/// m from the assignment's posteriors: each scored pair's levels counted with the
/// probability that it is a match once its records' rivals are weighed (a record is one
/// person, so a posterior is shared among the candidates that compete for it). Namesakes
/// who agree on every name and unit but not on the date are certain by everything but
/// their dates, and [`refine_m`] counts them as matches with bad dates; where the
/// requested man's own row is there too, the competition gives the namesake little and
/// his date no longer teaches m that matches' dates often differ. Fields with too little
/// mass keep their m.
pub fn m_from_posteriors(model: &mut Model, scored: &[Scored], posteriors: &[f64]) {
    let mut counts = [[0.0_f64; LEVELS]; FIELDS];
    for (s, &p) in scored.iter().zip(posteriors) {
        for (f, &level) in s.vector.iter().enumerate() {
            if level != NULL {
                counts[f][level as usize] += p;
            }
        }
    }
    let refined = distribution(&counts, &initial_m());
    for f in 0..FIELDS {
        if counts[f].iter().sum::<f64>() >= 200.0 {
            model.m[f] = refined[f];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(left: u32, birth: u8) -> Scored {
        let mut vector = [NULL; FIELDS];
        vector[0] = 0;
        vector[3] = birth;
        Scored {
            left,
            right: left,
            weight: 0.0,
            probability: 0.5,
            vector,
            field_weights: [0.0; FIELDS],
        }
    }

    #[test]
    fn m_from_posteriors_counts_each_pair_by_its_posterior() {
        let different = (Field::Birth.levels().len() - 1) as u8;
        let mut model = train(&HashMap::new(), u_prior(), 0, 0.5, 1.0);
        model.m[3][different as usize] = 0.2;
        let (surname_before, unit_before) = (model.m[0], model.m[5]);
        // 300 pairs with the same date, surely matches; 300 namesakes with another date
        // whom their rivals leave little.
        let scored: Vec<Scored> = (0..600)
            .map(|i| pair(i, if i < 300 { 0 } else { different }))
            .collect();
        let posteriors: Vec<f64> = (0..600).map(|i| if i < 300 { 1.0 } else { 0.01 }).collect();
        m_from_posteriors(&mut model, &scored[..], &posteriors);
        let m_different = model.m[3][different as usize];
        assert!(m_different < 0.02, "{m_different}");
        assert!(model.m[3][0] > 0.95, "{:?}", model.m[3]);
        // The surname had the same mass and all of it agreeing.
        assert!(model.m[0][0] > surname_before[0]);
        // A field no pair has keeps its m.
        assert_eq!(model.m[5], unit_before);
    }
}
