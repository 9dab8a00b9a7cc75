//! Blocking: only pairs that agree on at least one blocking key are compared. Each rule
//! indexes the right side by its key and looks every left record up, so candidate
//! generation grows with the number of records and the size of the blocks, not with the
//! product of the list sizes. Blocks too large to be informative are skipped and counted.

use crate::record::Person;
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

/// A blocking rule: a name for reports and a key function.
pub struct Rule {
    /// Name shown in the summary.
    pub name: &'static str,
    key: fn(&Person) -> Option<u64>,
}

fn h(parts: &[&dyn HashPart]) -> u64 {
    let mut s = DefaultHasher::new();
    for p in parts {
        p.feed(&mut s);
    }
    s.finish()
}

trait HashPart {
    fn feed(&self, s: &mut DefaultHasher);
}

impl<T: Hash> HashPart for T {
    fn feed(&self, s: &mut DefaultHasher) {
        self.hash(s);
    }
}

fn given_token(p: &Person) -> Option<(u32, &str)> {
    // The class when the name has one (Олександр ≡ Александр), else the key.
    p.given.as_ref().filter(|g| !g.initial).map(|g| {
        if g.class != u32::MAX {
            (g.class, "")
        } else {
            (u32::MAX, g.key.as_str())
        }
    })
}

/// The rules homeward blocks on, in order.
pub fn rules() -> Vec<Rule> {
    vec![
        Rule {
            name: "surname key + given name + birth year",
            key: |p| {
                Some(h(&[
                    &p.surname.as_ref()?.key,
                    &given_token(p)?,
                    &p.birth?.year,
                ]))
            },
        },
        Rule {
            name: "surname key + birth date",
            key: |p| {
                let b = p.birth?;
                Some(h(&[&p.surname.as_ref()?.key, &b.year, &b.month?, &b.day?]))
            },
        },
        Rule {
            name: "given name + patronymic + birth date",
            key: |p| {
                let b = p.birth?;
                Some(h(&[
                    &given_token(p)?,
                    &p.patronymic.as_ref()?.class,
                    &b.year,
                    &b.month?,
                    &b.day?,
                ]))
            },
        },
        Rule {
            name: "given name + birth date",
            key: |p| {
                let b = p.birth?;
                Some(h(&[&given_token(p)?, &b.year, &b.month?, &b.day?, &"g"]))
            },
        },
        Rule {
            name: "surname key + given name + patronymic",
            key: |p| {
                Some(h(&[
                    &p.surname.as_ref()?.key,
                    &given_token(p)?,
                    &p.patronymic.as_ref()?.class,
                    &"p",
                ]))
            },
        },
        Rule {
            name: "surname key + given name",
            key: |p| Some(h(&[&p.surname.as_ref()?.key, &given_token(p)?, &"sg"])),
        },
        Rule {
            name: "given name + birth year + surname's first letters",
            key: |p| {
                let s = &p.surname.as_ref()?.key;
                Some(h(&[
                    &given_token(p)?,
                    &p.birth?.year,
                    &s.get(..2).unwrap_or(s),
                    &"gy",
                ]))
            },
        },
        // Broad rules last: in small lists they catch what typos hide from the others; in
        // large ones their blocks exceed the cap and are skipped.
        Rule {
            name: "birth date",
            key: |p| {
                let b = p.birth?;
                Some(h(&[&b.year, &b.month?, &b.day?, &"d"]))
            },
        },
        Rule {
            name: "street address + locality",
            key: |p| {
                if p.address_tokens.is_empty() {
                    return None;
                }
                Some(h(&[&p.address_tokens, &p.locality.as_ref()?, &"al"]))
            },
        },
        Rule {
            name: "surname key",
            key: |p| Some(h(&[&p.surname.as_ref()?.key, &"s"])),
        },
        Rule {
            name: "given name",
            key: |p| Some(h(&[&given_token(p)?, &"g1"])),
        },
        Rule {
            name: "service or document number",
            key: |p| Some(h(&[&p.number.as_ref()?, &"n"])),
        },
        Rule {
            name: "both names in either order",
            key: |p| {
                let (s, g) = (
                    &p.surname.as_ref()?.key,
                    &p.given.as_ref().filter(|g| !g.initial)?.key,
                );
                Some(if s <= g {
                    h(&[s, g, &"o"])
                } else {
                    h(&[g, s, &"o"])
                })
            },
        },
        Rule {
            name: "postcode + birth year",
            key: |p| Some(h(&[&p.postcode.as_ref()?, &p.birth?.year, &"py"])),
        },
        Rule {
            name: "street address + postcode",
            key: |p| {
                if p.address_tokens.is_empty() {
                    return None;
                }
                Some(h(&[&p.address_tokens, &p.postcode.as_ref()?, &"ap"]))
            },
        },
        Rule {
            name: "postcode + house number",
            key: |p| {
                let number = p
                    .address_tokens
                    .iter()
                    .find(|t| t.bytes().all(|b| b.is_ascii_digit()))?;
                Some(h(&[&p.postcode.as_ref()?, number, &"pn"]))
            },
        },
        Rule {
            name: "given name + postcode",
            key: |p| Some(h(&[&given_token(p)?, &p.postcode.as_ref()?, &"gp"])),
        },
        Rule {
            name: "postcode + surname key",
            key: |p| Some(h(&[&p.postcode.as_ref()?, &p.surname.as_ref()?.key, &"ps"])),
        },
    ]
}

/// Pairs compared per block at most; larger blocks say nothing a smaller rule does not.
pub const MAX_BLOCK_PAIRS: usize = 20_000;

/// Pairs one rule may propose, per record of the two lists; a rule that would propose
/// more is too broad for lists this size and is skipped whole (and reported), which keeps
/// candidate generation near-linear.
pub const RULE_BUDGET_PER_RECORD: usize = 10;

/// What one rule contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule.
    pub rule: &'static str,
    /// Pairs it proposed (before the union with other rules).
    pub pairs: u64,
    /// Blocks skipped for being larger than [`MAX_BLOCK_PAIRS`].
    pub skipped_blocks: u64,
}

/// Candidate pairs `(left index, right index)`, sorted and unique, and the count per rule.
/// With `dedupe`, left and right are the same list and only pairs `l < r` are kept.
pub fn candidates(
    left: &[Person],
    right: &[Person],
    dedupe: bool,
) -> (Vec<(u32, u32)>, Vec<RuleCount>) {
    let mut all: Vec<u64> = Vec::new();
    let mut counts = Vec::new();
    for rule in rules() {
        let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, p) in right.iter().enumerate() {
            if let Some(k) = (rule.key)(p) {
                index.entry(k).or_default().push(i as u32);
            }
        }
        let left_keys: Vec<Option<u64>> = left.par_iter().map(|p| (rule.key)(p)).collect();
        let mut left_sizes: HashMap<u64, usize> = HashMap::new();
        for k in left_keys.iter().flatten() {
            *left_sizes.entry(*k).or_default() += 1;
        }
        let oversized = |k: &u64| {
            index.get(k).map_or(0, Vec::len) * left_sizes.get(k).copied().unwrap_or(0)
                > MAX_BLOCK_PAIRS
        };
        let skipped_blocks = left_sizes.keys().filter(|k| oversized(k)).count() as u64;
        let proposed: usize = left_sizes
            .iter()
            .filter(|(k, _)| !oversized(k))
            .map(|(k, n)| n * index.get(k).map_or(0, Vec::len))
            .sum();
        if proposed > RULE_BUDGET_PER_RECORD * (left.len() + right.len()) {
            counts.push(RuleCount {
                rule: rule.name,
                pairs: 0,
                skipped_blocks: left_sizes.len() as u64,
            });
            continue;
        }
        let pairs: Vec<u64> = left_keys
            .par_iter()
            .enumerate()
            .flat_map_iter(|(l, k)| {
                let bucket = k.filter(|k| !oversized(k)).and_then(|k| index.get(&k));
                bucket
                    .into_iter()
                    .flatten()
                    .filter(move |&&r| !dedupe || (l as u32) < r)
                    .map(move |&r| ((l as u64) << 32) | u64::from(r))
            })
            .collect();
        counts.push(RuleCount {
            rule: rule.name,
            pairs: pairs.len() as u64,
            skipped_blocks,
        });
        all.extend(pairs);
    }
    all.par_sort_unstable();
    all.dedup();
    (
        all.into_iter()
            .map(|p| ((p >> 32) as u32, p as u32))
            .collect(),
        counts,
    )
}
