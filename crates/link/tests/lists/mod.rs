//! Lists as rows of cells, read into people the way the import pipeline maps columns, and
//! the figures of a linkage against a truth: shared by the tests and the `link_files`
//! example.
#![allow(dead_code)]

use homeward_import::{ColumnMap, Role};
use homeward_link::RawPerson;
use std::collections::{BTreeMap, HashMap, HashSet};

/// Rows (header first) as raw people, columns recognised by their headers.
pub fn people(rows: &[Vec<String>]) -> Vec<RawPerson> {
    let Some((header, body)) = rows.split_first() else {
        return Vec::new();
    };
    let map = ColumnMap::from_headers(header, &[]).unwrap_or_default();
    body.iter()
        .enumerate()
        .map(|(i, cells)| {
            let value = |role: Role| map.value(role, cells);
            let id = value(Role::Id).unwrap_or_else(|| (i + 1).to_string());
            RawPerson::from_row(id, &value).0
        })
        .collect()
}

/// True pairs with their classes (none for generators that do not label).
#[derive(Debug, Default)]
pub struct Truth {
    pub pairs: HashMap<(String, String), Vec<String>>,
    pub unordered: bool,
}

impl Truth {
    pub fn new(
        pairs: impl IntoIterator<Item = (String, String, Vec<String>)>,
        unordered: bool,
    ) -> Truth {
        let mut t = Truth {
            pairs: HashMap::new(),
            unordered,
        };
        for (a, b, c) in pairs {
            let key = t.key(a, b);
            t.pairs.insert(key, c);
        }
        t
    }

    fn key(&self, a: String, b: String) -> (String, String) {
        if self.unordered && b < a {
            (b, a)
        } else {
            (a, b)
        }
    }
}

/// Precision, recall, F1 and recall per class of the pairs found.
#[derive(Debug)]
pub struct Figures {
    pub found: usize,
    pub true_pairs: usize,
    pub hits: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// class → (found, of).
    pub classes: BTreeMap<String, (usize, usize)>,
    /// False links and missed pairs, for looking at.
    pub false_links: Vec<(String, String)>,
    pub missed: Vec<(String, String)>,
}

pub fn figures(found: &[(String, String)], truth: &Truth) -> Figures {
    let found: HashSet<(String, String)> = found
        .iter()
        .map(|(a, b)| truth.key(a.clone(), b.clone()))
        .collect();
    let hits = found
        .iter()
        .filter(|p| truth.pairs.contains_key(*p))
        .count();
    let precision = if found.is_empty() {
        0.0
    } else {
        hits as f64 / found.len() as f64
    };
    let recall = if truth.pairs.is_empty() {
        0.0
    } else {
        hits as f64 / truth.pairs.len() as f64
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    let mut classes: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut missed = Vec::new();
    for (pair, cs) in &truth.pairs {
        let hit = found.contains(pair);
        if !hit {
            missed.push(pair.clone());
        }
        for c in cs {
            let e = classes.entry(c.clone()).or_default();
            e.1 += 1;
            e.0 += usize::from(hit);
        }
    }
    let mut false_links: Vec<(String, String)> = found
        .iter()
        .filter(|p| !truth.pairs.contains_key(*p))
        .cloned()
        .collect();
    false_links.sort();
    missed.sort();
    Figures {
        found: found.len(),
        true_pairs: truth.pairs.len(),
        hits,
        precision,
        recall,
        f1,
        classes,
        false_links,
        missed,
    }
}
