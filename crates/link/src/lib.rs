//! Record linkage for homeward: which row of one list is the same person as which row of
//! another, across scripts and spellings, with a probability and the evidence for it.
//!
//! The steps, each a function so that callers can time and report them:
//! [`Person::prepare`] reads names with the names crate; [`candidates`] blocks on several
//! keys at once; [`estimate_u`] counts level frequencies on random pairs; [`train`] finds m
//! by EM on the candidates; [`Model::score`] weighs each pair, with term-frequency
//! adjustment for surnames and given names. [`clusters`] groups pairs into people for
//! deduplication. Pure and parallel (rayon); no I/O, no clock.

mod block;
mod compare;
mod model;
mod record;

pub use block::{
    Candidates, MAX_BLOCK_PAIRS, RULE_BUDGET_PER_RECORD, RuleCount, candidates, rules,
};
pub use compare::{FIELDS, Field, NULL, Vector, compare};
pub use model::{LEVELS, Model, Scored, TermFrequencies, estimate_u, patterns, train};
pub use record::{NamePart, Person, RawPerson, normalise_code};

use rayon::prelude::*;

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
    let level = scored.vector[field];
    if level == NULL {
        return "missing".to_owned();
    }
    let name = Field::ALL[field]
        .levels()
        .get(level as usize)
        .copied()
        .unwrap_or("?");
    format!("{name} ({:+.1})", scored.field_weights[field])
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
    fn clusters_join_transitively() {
        assert_eq!(clusters(5, &[(3, 4), (1, 3)]), vec![0, 1, 2, 1, 1]);
    }
}
