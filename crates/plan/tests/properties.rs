//! Properties of every plan, over random registers: nobody twice, nobody lost, parity per
//! stage (per category when asked), the quantity kept, and the priority order respected.
#![allow(clippy::unwrap_used, missing_docs)]

use homeward_core::record::{Category, Health, PartialDate};
use homeward_core::talks::Parity;
use homeward_plan::{Candidate, LeftOut, PlanRequest, Side, plan};
use proptest::prelude::*;
use std::collections::{HashMap, HashSet};

fn health() -> impl Strategy<Value = Health> {
    prop_oneof![
        Just(Health::Serious),
        Just(Health::WoundedOrSick),
        Just(Health::Fit),
        Just(Health::Unknown)
    ]
}

fn date(years: std::ops::Range<i32>) -> impl Strategy<Value = Option<PartialDate>> {
    prop_oneof![
        Just(None),
        (years.clone()).prop_map(|year| Some(PartialDate {
            year,
            month: None,
            day: None
        })),
        (years, 1u8..=12, 1u8..=28).prop_map(|(year, m, d)| Some(PartialDate {
            year,
            month: Some(m),
            day: Some(d)
        })),
    ]
}

fn candidate() -> impl Strategy<
    Value = (
        bool,
        Category,
        Health,
        Option<PartialDate>,
        Option<PartialDate>,
        bool,
        bool,
    ),
> {
    (
        any::<bool>(),
        prop_oneof![Just(Category::Pow), Just(Category::Civilian)],
        health(),
        date(1960..2008),
        date(2014..2025),
        prop::bool::weighted(0.9),
        prop::bool::weighted(0.05),
    )
}

fn register() -> impl Strategy<Value = Vec<Candidate>> {
    prop::collection::vec(candidate(), 0..120).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(
                |(i, (a, category, health, birth, captured, confirmed, gone))| Candidate {
                    person_id: i as i64 + 1,
                    holder: if a { Side::A } else { Side::B },
                    category,
                    health,
                    health_found_on: None,
                    birth,
                    captured,
                    confirmed,
                    unavailable: gone.then_some(homeward_plan::Unavailable::Returned),
                },
            )
            .collect()
    })
}

fn request() -> impl Strategy<Value = PlanRequest> {
    (
        0u32..80,
        0u32..10,
        1u32..15,
        prop_oneof![
            Just(Parity::PerStage),
            Just(Parity::Overall),
            Just(Parity::None)
        ],
        any::<bool>(),
    )
        .prop_map(
            |(quantity, extra, stage_size, parity, by_category)| PlanRequest {
                quantity_each_way: quantity,
                extra_each_way: extra,
                parity,
                parity_by_category: by_category,
                priorities: Vec::new(),
                categories: vec![Category::Pow, Category::Civilian],
                stage_size,
                stage_dates: Vec::new(),
                ages_on: PartialDate {
                    year: 2025,
                    month: Some(6),
                    day: Some(9),
                },
            },
        )
}

/// The default order's key, written out independently: seriously wounded or sick first,
/// then wounded or sick, then aged 18–25 on 9 June 2025, then the earliest capture (an
/// unknown month or day counts as late, an unknown date last).
fn key(c: &Candidate) -> (bool, bool, bool, (i32, u8, u8)) {
    let wounded = matches!(c.health, Health::Serious | Health::WoundedOrSick);
    let age = c.birth.map(|b| {
        let before_birthday = match (b.month, b.day) {
            (Some(m), d) => (m, d.unwrap_or(1)) > (6, 9),
            (None, _) => true,
        };
        2025 - b.year - i32::from(before_birthday)
    });
    let young = age.is_some_and(|a| (18..=25).contains(&a));
    let captured = c.captured.map_or((i32::MAX, 0, 0), |d| {
        (d.year, d.month.unwrap_or(12), d.day.unwrap_or(28))
    });
    (c.health != Health::Serious, !wounded, !young, captured)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_plan_keeps_its_rules(people in register(), req in request()) {
        let p = plan(&people, &req).unwrap();
        // Every candidate is placed once or left out once.
        let mut seen = HashSet::new();
        for s in &p.stages {
            for x in s.from_a.iter().chain(&s.from_b) {
                prop_assert!(seen.insert(x.person_id), "{} placed twice", x.person_id);
                prop_assert_eq!(x.stage, s.seq);
            }
        }
        for e in &p.left_out {
            prop_assert!(seen.insert(e.person_id), "{} both placed and left out", e.person_id);
        }
        prop_assert_eq!(seen.len(), people.len());
        let by_id: HashMap<i64, &Candidate> = people.iter().map(|c| (c.person_id, c)).collect();
        let quantity = (req.quantity_each_way + req.extra_each_way) as usize;
        let (a, b) = p.placed();
        prop_assert!(a <= quantity && b <= quantity);
        for s in &p.stages {
            prop_assert!(s.from_a.len() <= req.stage_size as usize && s.from_b.len() <= req.stage_size as usize);
            prop_assert!(s.from_a.iter().all(|x| x.holder == Side::A) && s.from_b.iter().all(|x| x.holder == Side::B));
            if req.parity != Parity::None {
                prop_assert_eq!(s.from_a.len(), s.from_b.len(), "stage {} breaks parity", s.seq);
                if req.parity_by_category {
                    for cat in [Category::Pow, Category::Civilian] {
                        let n = |v: &[homeward_plan::Placed]| v.iter().filter(|x| by_id[&x.person_id].category == cat).count();
                        prop_assert_eq!(n(&s.from_a), n(&s.from_b), "stage {} breaks parity in {:?}", s.seq, cat);
                    }
                }
            }
        }
        // Only confirmed, available people are placed.
        for s in &p.stages {
            for x in s.from_a.iter().chain(&s.from_b) {
                let c = by_id[&x.person_id];
                prop_assert!(c.confirmed && c.unavailable.is_none());
            }
        }
        // Without per-category pairing, each side is placed in its priority order and
        // nobody left out for quantity or parity outranks someone placed.
        if !(req.parity != Parity::None && req.parity_by_category) {
            for side in [Side::A, Side::B] {
                let placed: Vec<&Candidate> = p.stages.iter()
                    .flat_map(|s| if side == Side::A { &s.from_a } else { &s.from_b })
                    .map(|x| by_id[&x.person_id]).collect();
                for w in placed.windows(2) {
                    prop_assert!(key(w[0]) <= key(w[1]), "{:?} placed before {:?}", w[0], w[1]);
                }
                if let Some(last) = placed.last() {
                    for e in p.left_out.iter().filter(|e| e.holder == side) {
                        if matches!(e.reason, LeftOut::BeyondQuantity { .. } | LeftOut::NoCounterpart { .. }) {
                            prop_assert!(key(by_id[&e.person_id]) >= key(last), "{} left out before a lower priority", e.person_id);
                        }
                    }
                }
            }
        }
    }
}

/// A commission's votes on a prisoner: three members, each voting one of the four verdicts.
fn votes() -> impl Strategy<Value = Option<[u8; 3]>> {
    prop_oneof![Just(None), prop::array::uniform3(0u8..4).prop_map(Some)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// A prisoner the mixed medical commission found eligible for direct repatriation (by a
    /// majority of its votes, as core decides it) is never placed after a fit one of the same
    /// side, whatever the rest of the register and the request.
    #[test]
    fn a_prisoner_found_seriously_wounded_is_never_placed_after_a_fit_one(
        people in register(),
        findings in prop::collection::vec(votes(), 120),
        mut req in request(),
    ) {
        use homeward_core::commission::{NewFinding, Verdict};
        req.priorities = vec![homeward_core::talks::Priority::SeriouslyWoundedOrSick];
        let present = ["A", "B", "C"].map(str::to_owned);
        let day: PartialDate = "2025-06-12".parse().unwrap();
        let mut people = people;
        let mut found = HashSet::new();
        for (c, f) in people.iter_mut().zip(&findings) {
            let Some(v) = f else { continue };
            let finding = NewFinding {
                votes: present.iter().cloned().zip(v.iter().map(|i| Verdict::ALL[*i as usize])).collect(),
                grounds: Some("Annex I (synthetic)".into()),
                decided_on: day,
            };
            let Ok(verdict) = finding.decide(&present, day, day) else { continue };
            // As the store does: the health the verdict gives, and the day of any decision
            // but a re-examination.
            if let Some(h) = verdict.health_after(c.health) {
                c.health = h;
            }
            if verdict != Verdict::ReExamine {
                c.health_found_on = Some(day);
            }
            if verdict == Verdict::Repatriate {
                found.insert(c.person_id);
            }
        }
        let p = plan(&people, &req).unwrap();
        let by_id: HashMap<i64, &Candidate> = people.iter().map(|c| (c.person_id, c)).collect();
        for side in [Side::A, Side::B] {
            let placed: Vec<&homeward_plan::Placed> = p.stages.iter()
                .flat_map(|s| if side == Side::A { &s.from_a } else { &s.from_b })
                .collect();
            // Per-category pairing orders within a category.
            for cat in [Category::Pow, Category::Civilian] {
                let order: Vec<i64> = placed.iter().map(|x| x.person_id)
                    .filter(|id| !req.parity_by_category || by_id[id].category == cat)
                    .collect();
                if let Some(first_fit) = order.iter().position(|id| by_id[id].health == Health::Fit) {
                    for id in &order[first_fit..] {
                        prop_assert!(!found.contains(id), "{id}, found seriously wounded, placed after a fit prisoner");
                    }
                }
            }
            for x in &placed {
                if found.contains(&x.person_id) {
                    prop_assert!(x.why.contains("medical commission, 2025-06-12"), "{}", x.why);
                }
            }
        }
    }
}
