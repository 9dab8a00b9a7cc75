//! Planning 10,000 people each way: `cargo bench -p homeward-plan`. Prints the median and
//! the worst of several runs; no reference tool exists for this (the field plans by hand).
#![allow(clippy::unwrap_used, missing_docs)]

use homeward_core::record::{Category, Health, PartialDate};
use homeward_core::talks::Parity;
use homeward_plan::{Candidate, PlanRequest, Side, plan};
use std::time::Instant;

fn register(each_way: usize) -> Vec<Candidate> {
    // A fixed, varied register: health, birth and capture dates spread by simple arithmetic.
    (0..each_way * 2)
        .map(|i| Candidate {
            person_id: i as i64 + 1,
            holder: if i % 2 == 0 { Side::A } else { Side::B },
            category: if i % 7 == 0 {
                Category::Civilian
            } else {
                Category::Pow
            },
            health: match i % 23 {
                0 => Health::Serious,
                1..=3 => Health::WoundedOrSick,
                4 => Health::Unknown,
                _ => Health::Fit,
            },
            health_found_on: None,
            birth: Some(PartialDate {
                year: 1960 + (i % 45) as i32,
                month: Some((i % 12) as u8 + 1),
                day: Some((i % 28) as u8 + 1),
            }),
            captured: Some(PartialDate {
                year: 2022 + (i % 3) as i32,
                month: Some((i % 12) as u8 + 1),
                day: None,
            }),
            confirmed: i % 19 != 0,
            unavailable: (i % 97 == 0).then_some(homeward_plan::Unavailable::Returned),
        })
        .collect()
}

fn main() {
    let people = register(10_000);
    for by_category in [false, true] {
        let request = PlanRequest {
            quantity_each_way: 6_000,
            extra_each_way: 1_200,
            parity: Parity::PerStage,
            parity_by_category: by_category,
            priorities: Vec::new(),
            categories: vec![Category::Pow, Category::Civilian],
            stage_size: 500,
            stage_dates: Vec::new(),
            ages_on: PartialDate {
                year: 2025,
                month: Some(6),
                day: Some(9),
            },
        };
        let mut times = Vec::new();
        let mut placed = (0, 0);
        for _ in 0..9 {
            let t = Instant::now();
            let p = plan(&people, &request).unwrap();
            times.push(t.elapsed());
            placed = p.placed();
        }
        times.sort();
        println!(
            "plan 10,000 each way{}: median {:.1} ms, worst {:.1} ms; placed {} + {} in {} stages",
            if by_category {
                ", parity per category"
            } else {
                ""
            },
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3,
            placed.0,
            placed.1,
            (placed.0.max(placed.1)).div_ceil(500)
        );
    }
}
