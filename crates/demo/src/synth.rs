//! Synthetic list pairs with ground truth, for tests and benchmarks of linkage.
//!
//! The left list is a Ukrainian request list: people a party seeks, written by their own
//! side in split Ukrainian columns (`прізвище`, `ім'я`, `по батькові`, `дата народження`,
//! `військова частина`). The right list is the other side's holding list: one `ФИО`
//! column written as that side's clerks and documents write it. Noise model (each draw
//! independent, rates per record):
//!
//! | what | rate |
//! |---|---|
//! | right list: name in Russian Cyrillic (given name and patronymic translated, surname respelled) | 70 % |
//! | right list: name romanised by ICAO 9303 (passport style, upper case, no patronymic) | 12 % |
//! | right list: name romanised by BGN/PCGN (press style, `Given Surname`) | 8 % |
//! | right list: name in the Ukrainian national romanisation (`Surname Given`) | 5 % |
//! | right list: informal Latin (`Olexandr`, `Kowalenko`-style, from the dictionary's variants) | 5 % |
//! | right list: order `Given Patronymic Surname` (of the Cyrillic ones) | 10 % |
//! | either list: two letters of the surname swapped | 4 % |
//! | right list: patronymic missing (of the Cyrillic ones) | 12 % |
//! | right list: birth date only as a year / day and month swapped / missing / year off by one | 15 / 3 / 3 / 2 % |
//! | right list: unit missing | 30 % |
//! | left list: the same person entered twice (new id, same or slipped details) | 2 % |
//! | namesakes: a different person given the surname and given name of an earlier one | 3 % |
//!
//! Surnames: a third from the common-surname list, the rest from stems and endings with a
//! long-tailed distribution; given names from the names dictionary, common ones more often.

use crate::people::{Identity, Lang, NameBook};
use homeward_core::record::{PartialDate, Sex};
use homeward_names::{Language, NameDictionary, Standard, romanise};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};

/// A generated pair of lists and the truth about them.
#[derive(Debug, Clone, Default)]
pub struct SyntheticPair {
    /// Header and rows of the left (request) list.
    pub left: Vec<Vec<String>>,
    /// Header and rows of the right (holding) list.
    pub right: Vec<Vec<String>>,
    /// `(left id, right id)` of every true match.
    pub truth: Vec<(String, String)>,
}

fn informal_given(uk: &str, rng: &mut StdRng) -> Option<String> {
    let dict = NameDictionary::embedded();
    let class = dict.given(uk).into_iter().next()?;
    if class.latin.is_empty() {
        return None;
    }
    Some(class.latin[rng.random_range(0..class.latin.len())].clone())
}

/// Generates `left_n` request-list records and `right_n` holding-list records of which
/// `overlap` (a share of the left list) are the same people.
pub fn generate(left_n: usize, right_n: usize, overlap: f64, seed: u64) -> SyntheticPair {
    let book = NameBook::embedded();
    let mut rng = StdRng::seed_from_u64(seed);
    let shared = ((left_n as f64 * overlap) as usize).min(right_n);
    let total = left_n + right_n - shared;
    let mut people: Vec<Identity> = Vec::with_capacity(total);
    for serial in 0..total {
        let sex = if rng.random_bool(0.06) {
            Sex::F
        } else {
            Sex::M
        };
        let mut p = Identity::adult(&book, &mut rng, Lang::Uk, serial, sex);
        if serial > 10 && rng.random_bool(0.03) {
            // A namesake: another man with the same surname and given name.
            let other = &people[rng.random_range(0..serial)];
            if other.sex == p.sex {
                p.surname = other.surname.clone();
                p.given = other.given.clone();
            }
        }
        people.push(p);
    }
    let mut out = SyntheticPair {
        left: vec![
            [
                "id",
                "прізвище",
                "ім'я",
                "по батькові",
                "дата народження",
                "військова частина",
            ]
            .map(String::from)
            .to_vec(),
        ],
        right: vec![
            ["id", "ФИО", "дата рождения", "воинская часть"]
                .map(String::from)
                .to_vec(),
        ],
        truth: Vec::new(),
    };
    // Left: people 0..left_n; the first `shared` of them are also on the right.
    let mut left_ids_of: Vec<Vec<String>> = vec![Vec::new(); left_n];
    for (i, p) in people.iter().take(left_n).enumerate() {
        let copies = if rng.random_bool(0.02) { 2 } else { 1 };
        for copy in 0..copies {
            let id = format!(
                "L{}{}",
                i + 1,
                if copy == 0 {
                    String::new()
                } else {
                    format!("-{copy}")
                }
            );
            let mut surname = p.surname[0].clone();
            if rng.random_bool(0.04) || copy > 0 && rng.random_bool(0.5) {
                surname = crate::people::swap_two_letters(&surname, &mut rng);
            }
            let birth = if copy > 0 && rng.random_bool(0.3) {
                Some(PartialDate {
                    month: None,
                    day: None,
                    ..p.birth
                })
            } else {
                Some(p.birth)
            };
            out.left.push(vec![
                id.clone(),
                surname,
                p.given[0].clone(),
                p.patronymic[0].clone(),
                crate::clerk_date(&birth),
                p.unit.clone(),
            ]);
            left_ids_of[i].push(id);
        }
    }
    // Right: the shared people, then people only the other side holds.
    let right_people: Vec<usize> = (0..shared)
        .chain(left_n..left_n + (right_n - shared))
        .collect();
    let mut order: Vec<usize> = (0..right_people.len()).collect();
    // The other side lists people in its own order.
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    for (n, &k) in order.iter().enumerate() {
        let person = right_people[k];
        let p = &people[person];
        let id = format!("R{}", n + 1);
        let roll: f64 = rng.random();
        let ru_surname = if rng.random_bool(0.04) {
            crate::people::swap_two_letters(&p.surname[1], &mut rng)
        } else {
            p.surname[1].clone()
        };
        let cyr = format!("{} {} {}", p.surname[0], p.given[0], p.patronymic[0]);
        let name = if roll < 0.70 {
            let patronymic = if rng.random_bool(0.12) {
                String::new()
            } else {
                format!(" {}", p.patronymic[1])
            };
            if rng.random_bool(0.10) && !patronymic.is_empty() {
                format!("{}{} {}", p.given[1], patronymic, ru_surname)
            } else {
                format!("{} {}{}", ru_surname, p.given[1], patronymic)
            }
        } else if roll < 0.82 {
            let ru = format!("{} {}", ru_surname, p.given[1]);
            romanise(&ru, Standard::Icao, Language::Russian).to_uppercase()
        } else if roll < 0.90 {
            let ru = format!("{} {}", p.given[1], ru_surname);
            romanise(&ru, Standard::Bgn, Language::Russian)
        } else if roll < 0.95 {
            let uk: Vec<&str> = cyr.split(' ').take(2).collect();
            romanise(&uk.join(" "), Standard::Uk2010, Language::Ukrainian)
        } else {
            let surname =
                romanise(&p.surname[0], Standard::Uk2010, Language::Ukrainian).replace('v', "w");
            let given = informal_given(&p.given[0], &mut rng)
                .unwrap_or_else(|| romanise(&p.given[0], Standard::Uk2010, Language::Ukrainian));
            format!("{given} {surname}")
        };
        let d: f64 = rng.random();
        let birth = if d < 0.15 {
            Some(PartialDate {
                month: None,
                day: None,
                ..p.birth
            })
        } else if d < 0.18 {
            match (p.birth.month, p.birth.day) {
                (Some(m), Some(day)) if day <= 12 => Some(PartialDate {
                    month: Some(day),
                    day: Some(m),
                    ..p.birth
                }),
                _ => Some(p.birth),
            }
        } else if d < 0.21 {
            None
        } else if d < 0.23 {
            Some(PartialDate {
                year: p.birth.year + if rng.random_bool(0.5) { 1 } else { -1 },
                ..p.birth
            })
        } else {
            Some(p.birth)
        };
        let unit = if rng.random_bool(0.3) {
            String::new()
        } else {
            p.unit.clone()
        };
        out.right
            .push(vec![id.clone(), name, crate::clerk_date(&birth), unit]);
        if person < shared {
            for left_id in &left_ids_of[person] {
                out.truth.push((left_id.clone(), id.clone()));
            }
        }
    }
    out.truth.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pair_has_the_asked_shape_and_truth() {
        let pair = generate(200, 300, 0.7, 7);
        let left_rows = pair.left.len() - 1;
        assert!((200..215).contains(&left_rows), "{left_rows}");
        assert_eq!(pair.right.len() - 1, 300);
        assert!(pair.truth.len() >= 140, "{}", pair.truth.len());
        // Same seed, same lists.
        assert_eq!(generate(200, 300, 0.7, 7).right, pair.right);
        assert!(
            pair.right.iter().skip(1).any(|r| r[1].is_ascii()),
            "some names are romanised"
        );
    }
}
