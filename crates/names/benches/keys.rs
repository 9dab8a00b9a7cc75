//! Keys and parses per second over 1,000,000 names: `cargo bench -p homeward-names`.
//! Prints the figures; asserts nothing (machines here are shared and noisy).
#![allow(clippy::unwrap_used, missing_docs)]

use homeward_names::{Language, NameDictionary, Standard, key_into, parse, romanise};
use std::hint::black_box;
use std::time::Instant;

/// A million full names: dictionary given names and patronymics with generated surnames,
/// in Cyrillic of both languages and in every romanisation, as real lists mix them.
fn names() -> Vec<String> {
    let d = NameDictionary::embedded();
    let stems = [
        "Коваль",
        "Шевч",
        "Олійн",
        "Гаврил",
        "Мельн",
        "Ткач",
        "Бондар",
        "Щерб",
        "Юрч",
        "Зінч",
        "Ярош",
        "Гнат",
        "Лук'ян",
        "Соловй",
        "Кузнец",
        "Смирн",
        "Волк",
        "Жук",
    ];
    let ends = [
        "енко",
        "ук",
        "юк",
        "ик",
        "ський",
        "ов",
        "ова",
        "ів",
        "ак",
        "ець",
    ];
    let men: Vec<_> = d
        .classes()
        .iter()
        .filter(|c| !c.patronymics[0].is_empty())
        .collect();
    let mut out = Vec::with_capacity(1_000_000);
    let mut i = 0usize;
    while out.len() < 1_000_000 {
        let c = men[i % men.len()];
        let f = men[(i / 7) % men.len()];
        let surname = format!(
            "{}{}",
            stems[(i / 3) % stems.len()],
            ends[(i / 11) % ends.len()]
        );
        let cyr = format!("{surname} {} {}", c.ukrainian[0], f.patronymics[0][0]);
        let variant = match i % 5 {
            0 => cyr,
            1 => format!("{} {} {}", surname, c.russian[0], f.patronymics[2][0]),
            2 => romanise(&cyr, Standard::Uk2010, Language::Ukrainian),
            3 => romanise(&cyr, Standard::Icao, Language::Ukrainian).to_uppercase(),
            _ => romanise(&cyr, Standard::GostB, Language::Ukrainian),
        };
        out.push(variant);
        i += 1;
    }
    out
}

fn main() {
    let names = names();
    let tokens: Vec<&str> = names.iter().flat_map(|n| n.split(' ')).collect();

    let mut buf = String::new();
    let start = Instant::now();
    let mut ok = 0usize;
    for t in &tokens {
        if key_into(black_box(t), &mut buf).is_ok() {
            ok += 1;
        }
    }
    let elapsed = start.elapsed();
    let per = elapsed.as_nanos() as f64 / tokens.len() as f64;
    println!(
        "key: {} tokens in {:.2} s = {:.0} keys/s, {per:.0} ns per key ({ok} keyed)",
        tokens.len(),
        elapsed.as_secs_f64(),
        tokens.len() as f64 / elapsed.as_secs_f64()
    );

    let start = Instant::now();
    let mut parsed = 0usize;
    for n in &names {
        if parse(black_box(n)).is_ok() {
            parsed += 1;
        }
    }
    let elapsed = start.elapsed();
    println!(
        "parse: {} full names in {:.2} s = {:.0} parses/s, {:.2} µs per name ({parsed} parsed)",
        names.len(),
        elapsed.as_secs_f64(),
        names.len() as f64 / elapsed.as_secs_f64(),
        elapsed.as_micros() as f64 / names.len() as f64
    );
}
