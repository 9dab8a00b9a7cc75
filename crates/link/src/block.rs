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
    /// A tight rule's pairs are mostly matches: the model is trained on those alone, where
    /// EM cannot mistake a crowd of namesakes for the matches.
    pub tight: bool,
    key: Key,
}

/// How a rule keys a record: one key, or several (a pair is proposed when any agree).
#[derive(Clone, Copy)]
enum Key {
    One(fn(&Person) -> Option<u64>),
    Many(fn(&Person) -> Vec<u64>),
}

impl Rule {
    /// The record's keys under this rule, sorted and unique.
    fn keys(&self, p: &Person) -> Vec<u64> {
        match self.key {
            Key::One(f) => f(p).into_iter().collect(),
            Key::Many(f) => {
                let mut k = f(p);
                k.sort_unstable();
                k.dedup();
                k
            }
        }
    }
}

/// A key and every string one deletion away from it: two keys within one edit
/// (substitution, insertion, deletion, two neighbours swapped) share one of these
/// (symmetric deletion), so that a typing error keeps a pair in the same block. Keys of
/// fewer than four symbols are kept whole: their deletions would join strangers.
fn deletion_variants(key: &str) -> Vec<u64> {
    // Hashed as they are read, without building the strings: this runs for every record
    // and rule.
    let bytes = key.as_bytes();
    let hash = |skip: Option<usize>| {
        let mut s = DefaultHasher::new();
        for (i, b) in bytes.iter().enumerate() {
            if Some(i) != skip {
                s.write_u8(*b);
            }
        }
        s.write_u8(0xff);
        s.finish()
    };
    let mut out = vec![hash(None)];
    if key.is_ascii() && bytes.len() >= 4 {
        out.extend((0..bytes.len()).map(|i| hash(Some(i))));
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The first letters the given name may be written with (every form of its class, and an
/// initial's own letter).
fn given_initials(p: &Person) -> Vec<u64> {
    let Some(g) = p.given.as_ref() else {
        return Vec::new();
    };
    (0..64).filter(|b| g.initials & (1 << b) != 0).collect()
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

fn sound(p: &Person) -> Option<&str> {
    Some(p.surname.as_ref()?.sound.as_str())
}

/// The given name's first sound, also for initials.
fn given_initial(p: &Person) -> Option<char> {
    p.given.as_ref()?.sound.chars().next()
}

/// The patronymic's first sound.
fn patronymic_initial(p: &Person) -> Option<char> {
    p.patronymic.as_ref()?.sound.chars().next()
}

/// Month and day of a full date (the year written wrong).
fn month_day(p: &Person) -> Option<(u8, u8)> {
    let b = p.birth?;
    Some((b.month?, b.day?))
}

/// The surname key's first three symbols: enough to survive a typo later in the name.
fn surname_prefix(p: &Person) -> Option<&str> {
    let k = &p.surname.as_ref()?.key;
    Some(k.get(..3).unwrap_or(k))
}

fn full_date(p: &Person) -> Option<(i32, u8, u8)> {
    let b = p.birth?;
    Some((b.year, b.month?, b.day?))
}

fn tight(name: &'static str, key: fn(&Person) -> Option<u64>) -> Rule {
    Rule {
        name,
        tight: true,
        key: Key::One(key),
    }
}

fn broad(name: &'static str, key: fn(&Person) -> Option<u64>) -> Rule {
    Rule {
        name,
        tight: false,
        key: Key::One(key),
    }
}

fn broad_many(name: &'static str, key: fn(&Person) -> Vec<u64>) -> Rule {
    Rule {
        name,
        tight: false,
        key: Key::Many(key),
    }
}

/// The rules homeward blocks on, tight ones first.
pub fn rules() -> Vec<Rule> {
    vec![
        tight("surname key + given name + birth year", |p| {
            Some(h(&[
                &p.surname.as_ref()?.key,
                &given_token(p)?,
                &p.birth?.year,
            ]))
        }),
        tight("surname key + birth date", |p| {
            Some(h(&[&p.surname.as_ref()?.key, &full_date(p)?]))
        }),
        tight("given name + patronymic + birth date", |p| {
            Some(h(&[
                &given_token(p)?,
                &p.patronymic.as_ref()?.class,
                &full_date(p)?,
            ]))
        }),
        tight("given name + birth date", |p| {
            Some(h(&[&given_token(p)?, &full_date(p)?, &"g"]))
        }),
        tight("surname key + given name + patronymic", |p| {
            Some(h(&[
                &p.surname.as_ref()?.key,
                &given_token(p)?,
                &p.patronymic.as_ref()?.class,
                &"p",
            ]))
        }),
        tight("surname sound + given name + birth year", |p| {
            Some(h(&[&sound(p)?, &given_token(p)?, &p.birth?.year, &"sy"]))
        }),
        tight("surname sound + given name + patronymic", |p| {
            Some(h(&[
                &sound(p)?,
                &given_token(p)?,
                &p.patronymic.as_ref()?.class,
                &"sgp",
            ]))
        }),
        // Initials come with the father's initial; a year written wrong keeps the day and
        // month. Each with one more initial than it needs would have, so that at a million
        // records their blocks stay small.
        tight("surname sound + both initials + birth year", |p| {
            Some(h(&[
                &sound(p)?,
                &given_initial(p)?,
                &patronymic_initial(p)?,
                &p.birth?.year,
                &"siy",
            ]))
        }),
        tight("surname sound + given initial + birth day and month", |p| {
            Some(h(&[&sound(p)?, &given_initial(p)?, &month_day(p)?, &"smd"]))
        }),
        tight("service or document number", |p| {
            Some(h(&[&p.number.as_ref()?, &"n"]))
        }),
        // Broad rules: in small lists they catch what typos hide from the tight ones; in
        // large lists their blocks exceed the cap, or the rule its budget, and are skipped.
        broad("surname key + given name", |p| {
            Some(h(&[&p.surname.as_ref()?.key, &given_token(p)?, &"sg"]))
        }),
        broad("surname sound + given name", |p| {
            Some(h(&[&sound(p)?, &given_token(p)?, &"sg2"]))
        }),
        broad("given name + patronymic + birth year", |p| {
            Some(h(&[
                &given_token(p)?,
                &p.patronymic.as_ref()?.class,
                &p.birth?.year,
                &"gpy",
            ]))
        }),
        broad("given name + birth year + surname's first letters", |p| {
            Some(h(&[
                &given_token(p)?,
                &p.birth?.year,
                &surname_prefix(p)?,
                &"gy",
            ]))
        }),
        broad("both names in either order + birth year", |p| {
            let (s, g) = (
                &p.surname.as_ref()?.key,
                &p.given.as_ref().filter(|g| !g.initial)?.key,
            );
            let (a, b) = if s <= g { (s, g) } else { (g, s) };
            Some(h(&[a, b, &p.birth?.year, &"o"]))
        }),
        broad("birth date", |p| Some(h(&[&full_date(p)?, &"d"]))),
        // Typing errors: the surname's sound within one edit (every deletion of it), with
        // any initial the given name is written with, and the birth year — or, for a date
        // missing on either side, the father's initial instead.
        broad_many(
            "surname within one edit + given initial + birth year",
            |p| {
                let (Some(s), Some(b)) = (p.surname.as_ref(), p.birth) else {
                    return Vec::new();
                };
                let initials = given_initials(p);
                let mut keys = Vec::new();
                for v in deletion_variants(&s.sound) {
                    for i in &initials {
                        keys.push(h(&[&v, i, &b.year, &"e1"]));
                    }
                }
                keys
            },
        ),
        broad_many(
            "surname within one edit + given name + father's initial",
            |p| {
                let (Some(s), Some(f), Some(g)) =
                    (p.surname.as_ref(), p.patronymic.as_ref(), given_token(p))
                else {
                    return Vec::new();
                };
                let father: Vec<u64> = (0..64).filter(|b| f.initials & (1 << b) != 0).collect();
                let mut keys = Vec::new();
                for v in deletion_variants(&s.key) {
                    for f in &father {
                        keys.push(h(&[&v, &g, f, &"e2"]));
                    }
                }
                keys
            },
        ),
        // A typing error in the surname and a slip in the year are independent errors:
        // the day and month say as much as the year (more: 365 values against 45).
        broad_many(
            "surname within one edit + given initial + birth day and month",
            |p| {
                let (Some(s), Some(md)) = (p.surname.as_ref(), month_day(p)) else {
                    return Vec::new();
                };
                let initials = given_initials(p);
                let mut keys = Vec::new();
                for v in deletion_variants(&s.sound) {
                    for i in &initials {
                        keys.push(h(&[&v, i, &md, &"e3"]));
                    }
                }
                keys
            },
        ),
        // The unit: where the date is missing on one side and the names carry typing
        // errors, the unit is what the two rows still share. A unit has some 150 people,
        // so with the surname's first sound and any initial of the given name its blocks
        // stay small at any list size.
        broad_many("unit + surname's first sound + given initial", |p| {
            let (Some(unit), Some(first)) =
                (p.unit.as_ref(), sound(p).and_then(|s| s.chars().next()))
            else {
                return Vec::new();
            };
            given_initials(p)
                .iter()
                .map(|i| h(&[unit, &first, i, &"ui"]))
                .collect()
        }),
        broad("street address + locality", |p| {
            (!p.address_tokens.is_empty()).then_some(())?;
            Some(h(&[&p.address_tokens, &p.locality.as_ref()?, &"al"]))
        }),
        broad("street address + postcode", |p| {
            (!p.address_tokens.is_empty()).then_some(())?;
            Some(h(&[&p.address_tokens, &p.postcode.as_ref()?, &"ap"]))
        }),
        broad("postcode + house number", |p| {
            let number = p
                .address_tokens
                .iter()
                .find(|t| t.bytes().all(|b| b.is_ascii_digit()))?;
            Some(h(&[&p.postcode.as_ref()?, number, &"pn"]))
        }),
        broad("postcode + birth year", |p| {
            Some(h(&[&p.postcode.as_ref()?, &p.birth?.year, &"py"]))
        }),
        broad("postcode + surname key", |p| {
            Some(h(&[&p.postcode.as_ref()?, &p.surname.as_ref()?.key, &"ps"]))
        }),
        broad("given name + postcode", |p| {
            Some(h(&[&given_token(p)?, &p.postcode.as_ref()?, &"gp"]))
        }),
        broad("surname key", |p| {
            Some(h(&[&p.surname.as_ref()?.key, &"s"]))
        }),
        broad("given name", |p| Some(h(&[&given_token(p)?, &"g1"]))),
    ]
}

/// Pairs compared per block at most; larger blocks say nothing a smaller rule does not.
pub const MAX_BLOCK_PAIRS: usize = 20_000;

/// Pairs one broad rule may propose, per record of the two lists; a broad rule that would
/// propose more is too broad for lists this size and is skipped whole (and reported),
/// which keeps candidate generation near-linear.
pub const RULE_BUDGET_PER_RECORD: usize = 10;

/// What one rule contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleCount {
    /// The rule.
    pub rule: &'static str,
    /// Pairs it proposed (before the union with other rules).
    pub pairs: u64,
    /// Blocks skipped for being larger than [`MAX_BLOCK_PAIRS`] (all of them when the rule
    /// was over its budget).
    pub skipped_blocks: u64,
}

/// The pairs to compare.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// Every candidate pair `(left index, right index)`, sorted and unique.
    pub pairs: Vec<(u32, u32)>,
    /// The pairs proposed by tight rules: what the model is trained on.
    pub training: Vec<(u32, u32)>,
    /// What each rule contributed.
    pub counts: Vec<RuleCount>,
}

fn finish(mut packed: Vec<u64>) -> Vec<(u32, u32)> {
    packed.par_sort_unstable();
    packed.dedup();
    packed
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect()
}

/// Candidate pairs of two lists. With `dedupe`, left and right are the same list and only
/// pairs `l < r` are kept.
pub fn candidates(left: &[Person], right: &[Person], dedupe: bool) -> Candidates {
    let (mut tight_pairs, mut broad_pairs): (Vec<u64>, Vec<u64>) = (Vec::new(), Vec::new());
    let mut counts = Vec::new();
    for rule in rules() {
        let right_keys: Vec<Vec<u64>> = right.par_iter().map(|p| rule.keys(p)).collect();
        let mut index: HashMap<u64, Vec<u32>> = HashMap::new();
        for (i, keys) in right_keys.iter().enumerate() {
            for &k in keys {
                index.entry(k).or_default().push(i as u32);
            }
        }
        drop(right_keys);
        let left_keys: Vec<Vec<u64>> = left.par_iter().map(|p| rule.keys(p)).collect();
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
        if !rule.tight && proposed > RULE_BUDGET_PER_RECORD * (left.len() + right.len()) {
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
            .flat_map_iter(|(l, keys)| {
                let mut found: Vec<u64> = keys
                    .iter()
                    .filter(|k| !oversized(k))
                    .filter_map(|k| index.get(k))
                    .flatten()
                    .filter(|&&r| !dedupe || (l as u32) < r)
                    .map(|&r| ((l as u64) << 32) | u64::from(r))
                    .collect();
                if keys.len() > 1 {
                    found.sort_unstable();
                    found.dedup();
                }
                found
            })
            .collect();
        counts.push(RuleCount {
            rule: rule.name,
            pairs: pairs.len() as u64,
            skipped_blocks,
        });
        if rule.tight {
            tight_pairs.extend(pairs)
        } else {
            broad_pairs.extend(pairs)
        }
    }
    let training = finish(tight_pairs);
    let mut all: Vec<u64> = training
        .iter()
        .map(|&(l, r)| (u64::from(l) << 32) | u64::from(r))
        .collect();
    all.extend(broad_pairs);
    Candidates {
        pairs: finish(all),
        training,
        counts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawPerson;

    fn person(full: &str, birth: &str) -> Person {
        Person::prepare(&RawPerson {
            id: full.into(),
            full_name: Some(full.into()),
            birth_date: birth.parse().ok(),
            ..Default::default()
        })
    }

    fn share_a_key(rule: &str, a: &Person, b: &Person) -> bool {
        let rules = rules();
        let Some(rule) = rules.iter().find(|r| r.name == rule) else {
            panic!("no rule {rule}");
        };
        let (ka, kb) = (rule.keys(a), rule.keys(b));
        ka.iter().any(|k| kb.contains(k))
    }

    #[test]
    fn a_typing_error_in_the_surname_keeps_a_pair_in_one_block() {
        let rule = "surname within one edit + given initial + birth year";
        let typed = person("Хмелуненко Андрій Олександрович", "1982-03-27");
        let typo = person("Хмедлуненко А. А.", "1982");
        let swapped = person("Хмелунекно Андрей", "1982");
        let stranger = person("Бондаренко Андрій", "1982");
        assert!(share_a_key(rule, &typed, &typo));
        assert!(share_a_key(rule, &typed, &swapped));
        assert!(!share_a_key(rule, &typed, &stranger));
        let rule = "surname within one edit + given name + father's initial";
        let no_date = person("Хмелунеко Андрей Александрович", "");
        assert!(share_a_key(rule, &typed, &no_date));
        assert!(!share_a_key(
            rule,
            &typed,
            &person("Хмелуненко Андрій Петрович", "")
        ));
    }

    #[test]
    fn the_unit_and_the_day_and_month_keep_pairs_with_typing_errors_together() {
        let with_unit = |full: &str, birth: &str, unit: &str| {
            Person::prepare(&RawPerson {
                id: full.into(),
                full_name: Some(full.into()),
                birth_date: birth.parse().ok(),
                unit: Some(unit.into()),
                ..Default::default()
            })
        };
        let rule = "unit + surname's first sound + given initial";
        let requested = with_unit("Мацкисий Сергій Максимович", "1983-11-04", "А8267");
        let held = with_unit("Мацкивсий Сергей", "", "в/ч A8267");
        assert!(share_a_key(rule, &requested, &held));
        assert!(!share_a_key(
            rule,
            &requested,
            &with_unit("Мацкивсий Сергей", "", "A8268")
        ));
        assert!(!share_a_key(
            rule,
            &requested,
            &with_unit("Бондаренко Сергей", "", "A8267")
        ));
        let rule = "surname within one edit + given initial + birth day and month";
        let typed = person("Ткпчан Євген Олександрович", "1988-05-15");
        assert!(share_a_key(
            rule,
            &typed,
            &person("ТКАЧАН ЕВГЕНИЙ", "1987-05-15")
        ));
        assert!(!share_a_key(
            rule,
            &typed,
            &person("ТКАЧАН ЕВГЕНИЙ", "1987-05-16")
        ));
    }

    #[test]
    fn deletions_of_one_key_are_shared_by_keys_one_edit_away() {
        let shared = |a: &str, b: &str| {
            let (x, y) = (deletion_variants(a), deletion_variants(b));
            x.iter().any(|k| y.contains(k))
        };
        assert!(shared("kovalinko", "kovalnko"));
        assert!(shared("kovalinko", "kovalenko"));
        assert!(shared("kovalinko", "kvoalinko"));
        assert!(!shared("kovalinko", "kvoaleinko"));
        assert!(!shared("lis", "lus"), "short keys are kept whole");
    }
}
