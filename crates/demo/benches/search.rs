//! Search latency over a large register: `cargo bench -p homeward-demo --bench search`.
//! Seeds a SQLite store with HOMEWARD_BENCH_RECORDS synthetic people (default 1,000,000),
//! then runs 1,000 searches by names as families give them (Cyrillic, the other
//! language's spelling, passport Latin) and prints p50, p95 and p99. Asserts nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use homeward_core::access::{Grant, ReadRegister, WriteRegister};
use homeward_core::party::{Party, PartyKind};
use homeward_core::record::{Category, Relation, Sex, Status};
use homeward_demo::{Identity, Lang, NameBook};
use homeward_names::{Language, Standard, romanise};
use homeward_store::{Location, OpenMode, SearchQuery, Store};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};
use std::time::Instant;

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("HOMEWARD_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(
        &Location::Sqlite(dir.path().join("bench.db")),
        OpenMode::CreateIfMissing,
    )
    .await
    .unwrap();
    let admin = Grant::system("UA".parse().unwrap(), "bench");
    store
        .add_party(
            &admin,
            &Party {
                code: "UA".parse().unwrap(),
                name: "Ukraine".into(),
                kind: PartyKind::Belligerent,
            },
            0,
        )
        .await
        .unwrap();
    let book = NameBook::embedded();
    let mut rng = StdRng::seed_from_u64(7);
    let write = Grant::<WriteRegister>::system("UA".parse().unwrap(), "bench");
    let start = Instant::now();
    let mut people = Vec::with_capacity(1000);
    for batch in 0..n.div_ceil(10_000) {
        let records: Vec<_> = (0..10_000.min(n - batch * 10_000))
            .map(|i| {
                let p = Identity::adult(&book, &mut rng, Lang::Uk, batch * 10_000 + i, Sex::M);
                let r = p.record(
                    &mut rng,
                    Lang::Uk,
                    Category::Pow,
                    Relation::Sought,
                    Status::InCustody,
                    false,
                );
                if people.len() < 1000 && rng.random_bool(0.01) {
                    people.push((p, r.clone()));
                }
                r
            })
            .collect();
        store.add_persons(&write, &records, 0).await.unwrap();
    }
    println!(
        "seeded {n} records in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let read = Grant::<ReadRegister>::system("UA".parse().unwrap(), "bench");
    let mut latencies = Vec::new();
    let mut found = 0;
    for (i, (_, r)) in people.iter().enumerate() {
        let uk = format!(
            "{} {}",
            r.surname.clone().unwrap_or_default(),
            r.given_names.clone().unwrap_or_default()
        );
        let text = match i % 3 {
            0 => uk.clone(),
            1 => romanise(&uk, Standard::Uk2010, Language::Ukrainian),
            _ => romanise(&uk, Standard::Icao, Language::Ukrainian).to_uppercase(),
        };
        let t = Instant::now();
        let hits = store
            .search(
                &read,
                &SearchQuery {
                    text,
                    born: None,
                    limit: 20,
                },
            )
            .await
            .unwrap();
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        if hits.iter().any(|h| {
            h.person.record.surname == r.surname && h.person.record.birth_date == r.birth_date
        }) {
            found += 1;
        }
    }
    latencies.sort_by(f64::total_cmp);
    let q = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "search over {n} records: {} queries, p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; the person was among the hits in {found}",
        latencies.len(),
        q(0.5),
        q(0.95),
        q(0.99),
        latencies.last().copied().unwrap_or(0.0)
    );
}
