//! Exchange planning: from the people each side holds that the other asked for, a plan of
//! stages that keeps the agreement's quantity, priorities and parity, and says why every
//! person is where they are — in stage 2, or left out.
//!
//! Pure: no I/O, no clock. The store gathers the [`Candidate`]s; this crate decides.
//!
//! The order is the agreement's priority rules, most important first (by default: seriously
//! wounded or sick, GC III art. 110; then wounded or sick; then the age band 18–25; then
//! longest in captivity), the record id breaking ties so that a plan is reproducible.
//! Parity pairs the i-th person of one direction with the i-th of the other (within a
//! category when parity is kept per category); stages take consecutive pairs, so every
//! stage carries as many people each way as the other.

use homeward_core::record::{Category, Health, PartialDate};
use homeward_core::talks::{Parity, Priority};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// One of the two sides of the commitment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// The commitment's first side.
    A,
    /// Its second side.
    B,
}

impl Side {
    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// A person who could be exchanged: held by `holder`, to go to the other side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// The register record.
    pub person_id: i64,
    /// The side that holds the person.
    pub holder: Side,
    /// Category of the person.
    pub category: Category,
    /// Health as it bears on repatriation.
    pub health: Health,
    /// When a mixed medical commission decided the health, the day it did (the reason
    /// then says so: "medical commission, 2025-06-12").
    pub health_found_on: Option<PartialDate>,
    /// Date of birth, when known.
    pub birth: Option<PartialDate>,
    /// Date of capture or detention, when known.
    pub captured: Option<PartialDate>,
    /// A reviewer confirmed that the receiving side asked for this person (or that the
    /// holding side listed them).
    pub confirmed: bool,
    /// Why the person cannot be planned at all (returned, dead, in another plan), if so.
    pub unavailable: Option<Unavailable>,
}

/// What to plan.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    /// People each way the agreement names.
    pub quantity_each_way: u32,
    /// The extra tranche, when the plan includes it.
    pub extra_each_way: u32,
    /// How parity is kept.
    pub parity: Parity,
    /// Keep parity within each category (e.g. military for military, civilian for
    /// civilian).
    pub parity_by_category: bool,
    /// Ordering rules, most important first; empty means the default order.
    pub priorities: Vec<Priority>,
    /// Categories the agreement covers; empty means all.
    pub categories: Vec<Category>,
    /// People each way in one stage.
    pub stage_size: u32,
    /// Dates of the stages in order (`YYYY-MM-DD`); stages past the last have none.
    pub stage_dates: Vec<String>,
    /// The day ages are counted on (the first stage's date, or today).
    pub ages_on: PartialDate,
}

/// The default priority rules: GC III art. 110 first, then the young, then the longest held.
pub fn default_priorities() -> Vec<Priority> {
    vec![
        Priority::SeriouslyWoundedOrSick,
        Priority::WoundedOrSick,
        Priority::AgeBand { min: 18, max: 25 },
        Priority::LongestHeld,
    ]
}

/// A person in the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Placed {
    /// The register record.
    pub person_id: i64,
    /// The side that hands the person over.
    pub holder: Side,
    /// Stage number, from 1.
    pub stage: u32,
    /// Place in the holder's order, from 1.
    pub rank: u32,
    /// Why here: the rules the person meets, and the stage's ranks.
    pub why: String,
}

/// Why a person cannot be exchanged at all now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "because")]
pub enum Unavailable {
    /// Already returned.
    Returned,
    /// Recorded as dead.
    Deceased,
    /// Placed in the current plan of another commitment.
    InAnotherPlan {
        /// That commitment.
        commitment: i64,
    },
}

impl Unavailable {
    /// Why, in words (English; the pages say it through their words by its code).
    pub fn describe(self) -> String {
        match self {
            Unavailable::Returned => "already returned".to_owned(),
            Unavailable::Deceased => "recorded as dead".to_owned(),
            Unavailable::InAnotherPlan { commitment } => {
                format!("in the plan of commitment {commitment}")
            }
        }
    }
}

/// Why a person is not in the plan: a code (`reason`) with its values, kept so in the store
/// that each face can say it in its own language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum LeftOut {
    /// No reviewer has confirmed that the other side asked for or lists this person.
    NotConfirmed,
    /// The person cannot be exchanged now.
    Unavailable {
        /// Why.
        detail: Unavailable,
    },
    /// The agreement does not cover the person's category.
    CategoryNotCovered {
        /// The category.
        category: Category,
    },
    /// Ranked after the agreed quantity.
    BeyondQuantity {
        /// The person's rank.
        rank: u32,
        /// The quantity each way.
        quantity: u32,
    },
    /// Parity: the other side has fewer people to give (in this category, if parity is
    /// kept per category).
    NoCounterpart {
        /// The person's rank.
        rank: u32,
        /// The category, when parity is kept per category.
        category: Option<Category>,
        /// People this side could give.
        this_side: u32,
        /// People the other side could give.
        other_side: u32,
    },
}

impl LeftOut {
    /// The reason's code, as its `reason` tag says it.
    pub fn code(&self) -> &'static str {
        match self {
            LeftOut::NotConfirmed => "not_confirmed",
            LeftOut::Unavailable { .. } => "unavailable",
            LeftOut::CategoryNotCovered { .. } => "category_not_covered",
            LeftOut::BeyondQuantity { .. } => "beyond_quantity",
            LeftOut::NoCounterpart { .. } => "no_counterpart",
        }
    }

    /// The reason in words (English; the pages say it through their words by its code).
    pub fn describe(&self) -> String {
        match self {
            LeftOut::NotConfirmed => {
                "not confirmed: no reviewer has linked this record to the other side's list"
                    .to_owned()
            }
            LeftOut::Unavailable { detail } => {
                format!("cannot be exchanged: {}", detail.describe())
            }
            LeftOut::CategoryNotCovered { category } => {
                format!(
                    "the agreement does not cover the category {}",
                    category.as_str()
                )
            }
            LeftOut::BeyondQuantity { rank, quantity } => {
                format!("rank {rank}, after the {quantity} agreed each way")
            }
            LeftOut::NoCounterpart {
                rank,
                category,
                this_side,
                other_side,
            } => format!(
                "rank {rank}: parity{} — this side could give {this_side}, the other {other_side}",
                category.map_or(String::new(), |c| format!(" in {}", c.as_str()))
            ),
        }
    }
}

/// A person not in the plan, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    /// The register record.
    pub person_id: i64,
    /// The side that holds the person.
    pub holder: Side,
    /// Why.
    pub reason: LeftOut,
}

/// One stage of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StagePlan {
    /// Stage number, from 1.
    pub seq: u32,
    /// Its date, when given.
    pub date: Option<String>,
    /// People side A hands over, in order.
    pub from_a: Vec<Placed>,
    /// People side B hands over, in order.
    pub from_b: Vec<Placed>,
}

/// A plan: its stages and everyone left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The stages in order.
    pub stages: Vec<StagePlan>,
    /// Everyone considered and not placed, with the reason.
    pub left_out: Vec<Excluded>,
}

impl Plan {
    /// People placed from each side: (from A, from B).
    pub fn placed(&self) -> (usize, usize) {
        self.stages
            .iter()
            .fold((0, 0), |(a, b), s| (a + s.from_a.len(), b + s.from_b.len()))
    }
}

/// Why a plan cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// A stage must hold someone.
    #[error("a stage must hold at least one person each way")]
    EmptyStage,
    /// The same person twice among the candidates.
    #[error("person {0} is listed twice; a person is planned once")]
    Twice(i64),
}

/// Whole days from 1 January of year 0 to `d`, for ordering; missing month or day count as
/// the latest possible (so an imprecise date does not jump the queue).
fn day_number(d: &PartialDate) -> i64 {
    let m = i64::from(d.month.unwrap_or(12));
    let day = i64::from(d.day.unwrap_or(28));
    i64::from(d.year) * 372 + (m - 1) * 31 + (day - 1)
}

/// Age in whole years on `on`; `None` when the birth date is unknown or the year alone
/// leaves the answer open across the band's edge.
fn age_on(birth: &PartialDate, on: &PartialDate) -> Option<i32> {
    let years = on.year - birth.year;
    match (birth.month, on.month) {
        (Some(bm), Some(om)) => {
            let birthday_passed =
                om > bm || (om == bm && birth.day.unwrap_or(1) <= on.day.unwrap_or(28));
            Some(if birthday_passed { years } else { years - 1 })
        }
        // Year only: the age is one of two; take the lower, as an ID card check would.
        _ => Some(years - 1),
    }
}

/// The rules a candidate meets, in words, and its sort key (smaller first).
fn ordering(c: &Candidate, rules: &[Priority], on: &PartialDate) -> (Vec<i64>, Vec<String>) {
    let mut key = Vec::with_capacity(rules.len() + 1);
    let mut met = Vec::new();
    for rule in rules {
        match rule {
            Priority::SeriouslyWoundedOrSick => {
                let yes = c.health == Health::Serious;
                key.push(i64::from(!yes));
                if yes {
                    met.push(match &c.health_found_on {
                        Some(d) => format!(
                            "seriously wounded or sick (GC III art. 110; medical commission, {d})"
                        ),
                        None => "seriously wounded or sick (GC III art. 110)".to_owned(),
                    });
                }
            }
            Priority::WoundedOrSick => {
                let yes = matches!(c.health, Health::Serious | Health::WoundedOrSick);
                key.push(i64::from(!yes));
                if yes && c.health != Health::Serious {
                    met.push(match &c.health_found_on {
                        Some(d) => format!("wounded or sick (medical commission, {d})"),
                        None => "wounded or sick".to_owned(),
                    });
                }
            }
            Priority::AgeBand { min, max } => {
                let age = c.birth.as_ref().and_then(|b| age_on(b, on));
                let yes = age.is_some_and(|a| (i32::from(*min)..=i32::from(*max)).contains(&a));
                key.push(i64::from(!yes));
                if yes {
                    met.push(format!("aged {min}–{max}"));
                }
            }
            Priority::LongestHeld => {
                key.push(c.captured.as_ref().map_or(i64::MAX, day_number));
                if let Some(d) = &c.captured {
                    met.push(format!("held since {d}"));
                }
            }
        }
    }
    key.push(c.person_id);
    (key, met)
}

/// An eligible person with their sort key and the priority rules they meet.
struct Ranked<'c> {
    key: Vec<i64>,
    met: Vec<String>,
    candidate: &'c Candidate,
}

/// Makes the plan. Every candidate ends up either placed in a stage or left out with a
/// reason; nobody is placed twice; with parity kept, every stage carries as many people
/// each way (per category, when asked).
pub fn plan(candidates: &[Candidate], request: &PlanRequest) -> Result<Plan, PlanError> {
    if request.stage_size == 0 {
        return Err(PlanError::EmptyStage);
    }
    let mut seen = HashSet::with_capacity(candidates.len());
    for c in candidates {
        if !seen.insert(c.person_id) {
            return Err(PlanError::Twice(c.person_id));
        }
    }
    let rules = if request.priorities.is_empty() {
        default_priorities()
    } else {
        request.priorities.clone()
    };
    let quantity = request.quantity_each_way + request.extra_each_way;
    let mut left_out = Vec::new();
    // Eligible people of each side, in the agreement's order, with their reasons.
    let mut eligible: BTreeMap<Side, Vec<Ranked>> = BTreeMap::new();
    for c in candidates {
        let reason = if let Some(detail) = &c.unavailable {
            Some(LeftOut::Unavailable { detail: *detail })
        } else if !request.categories.is_empty() && !request.categories.contains(&c.category) {
            Some(LeftOut::CategoryNotCovered {
                category: c.category,
            })
        } else if !c.confirmed {
            Some(LeftOut::NotConfirmed)
        } else {
            None
        };
        match reason {
            Some(reason) => left_out.push(Excluded {
                person_id: c.person_id,
                holder: c.holder,
                reason,
            }),
            None => {
                let (key, met) = ordering(c, &rules, &request.ages_on);
                eligible.entry(c.holder).or_default().push(Ranked {
                    key,
                    met,
                    candidate: c,
                });
            }
        }
    }
    for people in eligible.values_mut() {
        people.sort_by(|x, y| x.key.cmp(&y.key));
    }
    let ranked = |side: Side| eligible.get(&side).map(Vec::as_slice).unwrap_or(&[]);
    let (a, b) = (ranked(Side::A), ranked(Side::B));
    // Ranks are places in the holder's whole order.
    let rank_of = |people: &[Ranked]| -> BTreeMap<i64, u32> {
        people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.candidate.person_id, i as u32 + 1))
            .collect()
    };
    let (rank_a, rank_b) = (rank_of(a), rank_of(b));
    let rank = |c: &Candidate| match c.holder {
        Side::A => rank_a.get(&c.person_id).copied().unwrap_or(0),
        Side::B => rank_b.get(&c.person_id).copied().unwrap_or(0),
    };

    // The people to place from each side, in placing order: pairs when parity is kept.
    type Entry<'c> = (Vec<String>, &'c Candidate);
    let (mut from_a, mut from_b): (Vec<Entry>, Vec<Entry>) = (Vec::new(), Vec::new());
    let keep_parity = request.parity != Parity::None;
    if keep_parity && request.parity_by_category {
        // Pairs within each category, then all pairs in the order of their better member.
        let mut pairs = Vec::new();
        let categories: std::collections::BTreeSet<&str> = a
            .iter()
            .chain(b)
            .map(|p| p.candidate.category.as_str())
            .collect();
        for cat in categories {
            let of = |people: &[Ranked]| -> Vec<usize> {
                (0..people.len())
                    .filter(|&i| people[i].candidate.category.as_str() == cat)
                    .collect()
            };
            let (ia, ib) = (of(a), of(b));
            let n = ia.len().min(ib.len());
            for (x, y) in ia.iter().zip(&ib).take(n) {
                let key = a[*x].key.clone().min(b[*y].key.clone());
                pairs.push((key, *x, *y));
            }
            for (people, idx, other) in [(a, &ia, ib.len()), (b, &ib, ia.len())] {
                for &i in &idx[n..] {
                    let c = people[i].candidate;
                    left_out.push(Excluded {
                        person_id: c.person_id,
                        holder: c.holder,
                        reason: LeftOut::NoCounterpart {
                            rank: rank(c),
                            category: Some(c.category),
                            this_side: idx.len() as u32,
                            other_side: other as u32,
                        },
                    });
                }
            }
        }
        pairs.sort();
        for (i, (_, x, y)) in pairs.into_iter().enumerate() {
            let (pa, pb) = (&a[x], &b[y]);
            if i as u32 >= quantity {
                for p in [pa, pb] {
                    left_out.push(Excluded {
                        person_id: p.candidate.person_id,
                        holder: p.candidate.holder,
                        reason: LeftOut::BeyondQuantity {
                            rank: rank(p.candidate),
                            quantity,
                        },
                    });
                }
                continue;
            }
            from_a.push((pa.met.clone(), pa.candidate));
            from_b.push((pb.met.clone(), pb.candidate));
        }
    } else {
        let n_a = if keep_parity {
            a.len().min(b.len())
        } else {
            a.len()
        };
        let n_b = if keep_parity {
            a.len().min(b.len())
        } else {
            b.len()
        };
        for (people, n, out, other) in [
            (a, n_a, &mut from_a, b.len()),
            (b, n_b, &mut from_b, a.len()),
        ] {
            for (i, p) in people.iter().enumerate() {
                let c = p.candidate;
                if i as u32 >= quantity {
                    left_out.push(Excluded {
                        person_id: c.person_id,
                        holder: c.holder,
                        reason: LeftOut::BeyondQuantity {
                            rank: rank(c),
                            quantity,
                        },
                    });
                } else if i >= n {
                    left_out.push(Excluded {
                        person_id: c.person_id,
                        holder: c.holder,
                        reason: LeftOut::NoCounterpart {
                            rank: rank(c),
                            category: None,
                            this_side: people.len() as u32,
                            other_side: other as u32,
                        },
                    });
                } else {
                    out.push((p.met.clone(), c));
                }
            }
        }
    }

    // Stages of consecutive places.
    let size = request.stage_size as usize;
    let n_stages = from_a.len().max(from_b.len()).div_ceil(size);
    let stages = (0..n_stages)
        .map(|s| {
            let seq = s as u32 + 1;
            let place = |people: &[Entry]| -> Vec<Placed> {
                let chunk = people.iter().skip(s * size).take(size);
                let (first, last) = (s * size + 1, (s * size + size).min(people.len()));
                chunk
                    .map(|(met, c)| {
                        let rules = if met.is_empty() {
                            "no priority rule applies".to_owned()
                        } else {
                            met.join(", ")
                        };
                        Placed {
                            person_id: c.person_id,
                            holder: c.holder,
                            stage: seq,
                            rank: rank(c),
                            why: format!(
                                "rank {} of {}: {rules}; stage {seq} takes places {first}–{last}",
                                rank(c),
                                match c.holder {
                                    Side::A => a.len(),
                                    Side::B => b.len(),
                                }
                            ),
                        }
                    })
                    .collect()
            };
            StagePlan {
                seq,
                date: request.stage_dates.get(s).cloned(),
                from_a: place(&from_a),
                from_b: place(&from_b),
            }
        })
        .collect();
    left_out.sort_by_key(|e| (e.holder, e.person_id));
    Ok(Plan { stages, left_out })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: i64, holder: Side, health: Health, birth: &str) -> Candidate {
        Candidate {
            person_id: id,
            holder,
            category: Category::Pow,
            health,
            health_found_on: None,
            birth: Some(birth.parse().unwrap()),
            captured: Some("2023-01".parse().unwrap()),
            confirmed: true,
            unavailable: None,
        }
    }

    fn request(quantity: u32, stage_size: u32) -> PlanRequest {
        PlanRequest {
            quantity_each_way: quantity,
            extra_each_way: 0,
            parity: Parity::PerStage,
            parity_by_category: false,
            priorities: Vec::new(),
            categories: vec![Category::Pow],
            stage_size,
            stage_dates: vec!["2025-06-09".into()],
            ages_on: "2025-06-09".parse().unwrap(),
        }
    }

    #[test]
    fn the_seriously_wounded_go_first_then_the_young() {
        let people = vec![
            person(1, Side::A, Health::Fit, "1980-01-01"),
            person(2, Side::A, Health::Fit, "2003-01-01"),
            person(3, Side::A, Health::Serious, "1970-01-01"),
            person(4, Side::A, Health::WoundedOrSick, "1990-01-01"),
            person(10, Side::B, Health::Fit, "1990-01-01"),
            person(11, Side::B, Health::Fit, "1991-01-01"),
            person(12, Side::B, Health::Fit, "1992-01-01"),
            person(13, Side::B, Health::Fit, "1993-01-01"),
        ];
        let p = plan(&people, &request(4, 2)).unwrap();
        let order: Vec<i64> = p
            .stages
            .iter()
            .flat_map(|s| s.from_a.iter().map(|x| x.person_id))
            .collect();
        assert_eq!(order, [3, 4, 2, 1]);
        assert!(
            p.stages[0].from_a[0].why.contains("GC III art. 110"),
            "{}",
            p.stages[0].from_a[0].why
        );
        assert!(p.stages[1].from_a[0].why.contains("aged 18–25"));
        assert_eq!(p.stages[0].date.as_deref(), Some("2025-06-09"));
        assert_eq!(p.stages[1].date, None);
    }

    #[test]
    fn parity_leaves_out_the_surplus_and_says_why() {
        let mut people: Vec<Candidate> = (1..=5)
            .map(|i| person(i, Side::A, Health::Fit, "1990-01-01"))
            .collect();
        people.extend((10..=12).map(|i| person(i, Side::B, Health::Fit, "1990-01-01")));
        let p = plan(&people, &request(100, 10)).unwrap();
        assert_eq!(p.placed(), (3, 3));
        let surplus: Vec<_> = p
            .left_out
            .iter()
            .filter(|e| matches!(e.reason, LeftOut::NoCounterpart { .. }))
            .collect();
        assert_eq!(surplus.len(), 2);
        assert!(surplus[0].reason.describe().contains("the other 3"));
    }

    #[test]
    fn the_unconfirmed_and_the_unavailable_are_left_out_with_their_reason() {
        let mut a = person(1, Side::A, Health::Fit, "1990-01-01");
        a.confirmed = false;
        let mut b = person(2, Side::A, Health::Fit, "1990-01-01");
        b.unavailable = Some(Unavailable::InAnotherPlan { commitment: 4 });
        let p = plan(&[a, b], &request(10, 10)).unwrap();
        assert_eq!(p.left_out[0].reason, LeftOut::NotConfirmed);
        assert!(
            p.left_out[1]
                .reason
                .describe()
                .contains("in the plan of commitment 4")
        );
        // Kept as its code and values, and read back the same.
        let kept = serde_json::to_string(&p.left_out[1].reason).unwrap();
        assert_eq!(
            kept,
            r#"{"reason":"unavailable","detail":{"because":"in_another_plan","commitment":4}}"#
        );
        assert_eq!(
            serde_json::from_str::<LeftOut>(&kept).unwrap(),
            p.left_out[1].reason
        );
        assert_eq!(p.left_out[1].reason.code(), "unavailable");
    }

    #[test]
    fn bad_requests_are_refused() {
        let people = vec![
            person(1, Side::A, Health::Fit, "1990"),
            person(1, Side::B, Health::Fit, "1990"),
        ];
        assert_eq!(plan(&people, &request(1, 1)), Err(PlanError::Twice(1)));
        assert_eq!(plan(&[], &request(1, 0)), Err(PlanError::EmptyStage));
    }

    #[test]
    fn ages_count_birthdays() {
        let on: PartialDate = "2025-06-09".parse().unwrap();
        assert_eq!(age_on(&"2000-06-09".parse().unwrap(), &on), Some(25));
        assert_eq!(age_on(&"2000-06-10".parse().unwrap(), &on), Some(24));
        assert_eq!(age_on(&"2000".parse().unwrap(), &on), Some(24));
    }
}
