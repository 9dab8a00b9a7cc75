//! Links two list files (or one with itself) as `homeward link` does, without the CLI:
//! for benchmarks and for looking at what the engine does on a data set.
//!
//!   cargo run --release -p homeward-link --example link_files -- LEFT RIGHT --out PAIRS.csv
//!       [--dedupe] [--truth TRUTH.csv] [--show N] [--json-summary FILE] [--review]
//!
//! With `--truth` it prints precision, recall and F1 of the sure pairs and the recall per
//! variation class (a truth file's third column, classes separated by spaces).

#[path = "../tests/lists/mod.rs"]
mod lists;

use std::path::PathBuf;

fn read(path: &std::path::Path) -> Result<Vec<Vec<String>>, String> {
    let table = homeward_import::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = vec![table.headers.clone()];
    for row in table {
        rows.push(row.map_err(|e| e.to_string())?.cells);
    }
    Ok(rows)
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let (mut files, mut out, mut truth, mut show, mut summary) = (Vec::new(), None, None, 0, None);
    let (mut dedupe, mut review) = (false, false);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map(PathBuf::from),
            "--truth" => truth = args.next().map(PathBuf::from),
            "--json-summary" => summary = args.next().map(PathBuf::from),
            "--show" => show = args.next().and_then(|n| n.parse().ok()).unwrap_or(20),
            "--dedupe" => dedupe = true,
            "--review" => review = true,
            _ => files.push(PathBuf::from(a)),
        }
    }
    let usage = "usage: link_files LEFT [RIGHT] --out PAIRS.csv [--dedupe] [--truth T.csv]";
    let out = out.ok_or(usage)?;
    let left_rows = read(files.first().ok_or(usage)?)?;
    let left = lists::people(&left_rows);
    let right = if dedupe {
        None
    } else {
        Some(lists::people(&read(files.get(1).ok_or(usage)?)?))
    };
    let started = std::time::Instant::now();
    let mut last = started;
    let mut timings = Vec::new();
    let linkage = homeward_link::link(&left, right.as_deref(), 0.01, &mut |step| {
        let now = std::time::Instant::now();
        timings.push(format!("{step} at {:.2}s", (now - started).as_secs_f64()));
        last = now;
    });
    let _ = last;
    let proposals = homeward_link::assign(&linkage, homeward_link::OperatingPoint::default());
    eprintln!(
        "{} candidates; {} sure, {} for review; {:.2} s ({})",
        linkage.candidates,
        proposals.sure().count(),
        proposals.review().count(),
        started.elapsed().as_secs_f64(),
        timings.join(", ")
    );
    if std::env::var_os("LINK_MODEL").is_some() {
        let m = &linkage.model;
        eprintln!("lambda {:.4} prior {:.3e}", m.lambda, m.prior);
        for (f, field) in homeward_link::Field::ALL.iter().enumerate() {
            let levels: Vec<String> = field
                .levels()
                .iter()
                .enumerate()
                .map(|(l, name)| {
                    format!(
                        "{name} m={:.3} u={:.5} w={:+.1}",
                        m.m[f][l],
                        m.u[f][l],
                        m.level_weight(f, l as u8)
                    )
                })
                .collect();
            eprintln!("  {:<11} {}", field.as_str(), levels.join(" | "));
        }
        for c in &linkage.counts {
            eprintln!(
                "  {:>10} {} (skipped {})",
                c.pairs, c.rule, c.skipped_blocks
            );
        }
    }
    let mut w = csv::Writer::from_path(&out).map_err(|e| e.to_string())?;
    w.write_record([
        "left_id",
        "right_id",
        "probability",
        "match_weight",
        "decision",
    ])
    .map_err(|e| e.to_string())?;
    let mut found = Vec::new();
    for p in &proposals.pairs {
        let sure = p.decision == homeward_link::Decision::Sure;
        if !(sure || review && p.decision == homeward_link::Decision::Review) {
            continue;
        }
        let (l, r) = (
            &linkage.left[p.left as usize].id,
            &linkage.right[p.right as usize].id,
        );
        if sure {
            found.push((l.clone(), r.clone()));
        }
        w.write_record([
            l.as_str(),
            r.as_str(),
            &format!("{:.6}", p.probability),
            &format!("{:.3}", p.weight),
            p.decision.as_str(),
        ])
        .map_err(|e| e.to_string())?;
    }
    w.flush().map_err(|e| e.to_string())?;
    if let Some(path) = summary {
        let json = format!(
            "{{\"candidates\": {}, \"sure\": {}, \"review\": {}}}",
            linkage.candidates,
            proposals.sure().count(),
            proposals.review().count()
        );
        std::fs::write(path, json).map_err(|e| e.to_string())?;
    }
    if let Some(t) = truth {
        let rows = read(&t)?;
        let truth = lists::Truth::new(
            rows.into_iter().skip(1).filter(|r| r.len() >= 2).map(|r| {
                let classes = r
                    .get(2)
                    .map(|c| c.split_whitespace().map(str::to_owned).collect())
                    .unwrap_or_default();
                (r[0].clone(), r[1].clone(), classes)
            }),
            dedupe,
        );
        let f = lists::figures(&found, &truth);
        println!(
            "pairs={} true={} tp={} precision={:.4} recall={:.4} f1={:.4}",
            f.found, f.true_pairs, f.hits, f.precision, f.recall, f.f1
        );
        for (class, (hit, of)) in &f.classes {
            println!(
                "  {class:<24} {:.4}  ({hit} of {of})",
                *hit as f64 / (*of).max(1) as f64
            );
        }
        let candidates = if show > 0 || std::env::var_os("LINK_LOSSES").is_some() {
            homeward_link::candidates(&linkage.left, &linkage.right, dedupe)
        } else {
            homeward_link::Candidates::default()
        };
        let by_id = |side: &[homeward_link::Person], id: &str| -> Option<u32> {
            side.iter().position(|p| p.id == id).map(|i| i as u32)
        };
        let raw_left: std::collections::HashMap<&str, &homeward_link::RawPerson> =
            left.iter().map(|p| (p.id.as_str(), p)).collect();
        let right_raw = right.as_deref().unwrap_or(&left);
        let raw_right: std::collections::HashMap<&str, &homeward_link::RawPerson> =
            right_raw.iter().map(|p| (p.id.as_str(), p)).collect();
        let describe = |l: &str, r: &str| {
            let score = by_id(&linkage.left, l)
                .zip(by_id(&linkage.right, r))
                .and_then(|(a, b)| proposals.pairs.iter().find(|p| p.left == a && p.right == b))
                .map(|p| {
                    format!(
                        "{} p={:.3} w={:.1} {:?}",
                        p.decision.as_str(),
                        p.probability,
                        p.weight,
                        p.vector
                    )
                })
                .unwrap_or_else(|| {
                    let (Some(a), Some(b)) = (by_id(&linkage.left, l), by_id(&linkage.right, r))
                    else {
                        return "unknown ids".into();
                    };
                    let scored = linkage.scored.iter().any(|s| s.left == a && s.right == b);
                    let s = linkage.model.score(
                        &linkage.left[a as usize],
                        &linkage.right[b as usize],
                        &linkage.tf,
                        a,
                        b,
                    );
                    format!(
                        "{} own p={:.3} w={:.1} {:?}",
                        if scored {
                            "below review"
                        } else if candidates.pairs.binary_search(&(a, b)).is_ok() {
                            "candidate below 0.01"
                        } else {
                            "not a candidate"
                        },
                        s.probability,
                        s.weight,
                        s.vector
                    )
                });
            let show = |p: Option<&&homeward_link::RawPerson>| {
                p.map(|p| {
                    format!(
                        "{} | {} | {} | {} | {:?} {:?} | {}",
                        p.full_name.clone().unwrap_or_default(),
                        p.surname.clone().unwrap_or_default(),
                        p.given_name.clone().unwrap_or_default(),
                        p.patronymic.clone().unwrap_or_default(),
                        p.birth_date
                            .map(|d| format!("{}-{:?}-{:?}", d.year, d.month, d.day)),
                        p.birth_text,
                        p.unit.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default()
            };
            println!(
                "    {l} {r}: {score}\n      {}\n      {}",
                show(raw_left.get(l)),
                show(raw_right.get(r))
            );
        };
        if std::env::var_os("LINK_MODEL").is_some() {
            // The levels of the true pairs: m as the truth has it, beside the model's.
            let (li, ri): (
                std::collections::HashMap<&str, usize>,
                std::collections::HashMap<&str, usize>,
            ) = (
                linkage
                    .left
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.id.as_str(), i))
                    .collect(),
                linkage
                    .right
                    .iter()
                    .enumerate()
                    .map(|(i, p)| (p.id.as_str(), i))
                    .collect(),
            );
            let mut counts = [[0usize; 16]; homeward_link::FIELDS];
            for (l, r) in truth.pairs.keys() {
                if let (Some(&a), Some(&b)) = (li.get(l.as_str()), ri.get(r.as_str())) {
                    let v = homeward_link::compare(&linkage.left[a], &linkage.right[b]);
                    for (f, &level) in v.iter().enumerate() {
                        counts[f][level as usize] += 1;
                    }
                }
            }
            for (f, field) in homeward_link::Field::ALL.iter().enumerate() {
                let n: usize = counts[f][..field.levels().len()].iter().sum();
                let shares: Vec<String> = (0..field.levels().len())
                    .map(|l| format!("{:.3}", counts[f][l] as f64 / n.max(1) as f64))
                    .collect();
                println!("  true m {:<11} {}", field.as_str(), shares.join(" "));
            }
        }
        if std::env::var_os("LINK_LOSSES").is_some() {
            // Where each missed true pair was lost: outside every block, scored below the
            // threshold kept, assigned but unsure, or lost to a rival — per class.
            let c = &candidates;
            fn index(side: &[homeward_link::Person]) -> std::collections::HashMap<&str, u32> {
                side.iter()
                    .enumerate()
                    .map(|(i, p)| (p.id.as_str(), i as u32))
                    .collect()
            }
            let (li, ri) = (index(&linkage.left), index(&linkage.right));
            let proposed: std::collections::HashMap<(u32, u32), &homeward_link::Proposal> =
                proposals
                    .pairs
                    .iter()
                    .map(|p| ((p.left, p.right), p))
                    .collect();
            let scored: std::collections::HashSet<(u32, u32)> =
                linkage.scored.iter().map(|s| (s.left, s.right)).collect();
            let mut table: std::collections::BTreeMap<
                String,
                std::collections::BTreeMap<&str, usize>,
            > = Default::default();
            for (l, r) in &f.missed {
                let (Some(&a), Some(&b)) = (li.get(l.as_str()), ri.get(r.as_str())) else {
                    continue;
                };
                let why = if c.pairs.binary_search(&(a, b)).is_err() {
                    "not a candidate"
                } else if let Some(p) = proposed.get(&(a, b)) {
                    match (p.decision, p.lost_to) {
                        (homeward_link::Decision::Review, _) => "review",
                        (_, Some(homeward_link::LostBecause::RightTaken { .. })) => {
                            "lost: holding taken"
                        }
                        (_, Some(homeward_link::LostBecause::LeftTaken { .. })) => {
                            "lost: request taken"
                        }
                        _ => "other",
                    }
                } else if scored.contains(&(a, b)) {
                    "posterior < review"
                } else {
                    "own p < 0.01"
                };
                let classes = truth
                    .pairs
                    .get(&(l.clone(), r.clone()))
                    .cloned()
                    .unwrap_or_default();
                for class in classes.iter().map(String::as_str).chain(["all"]) {
                    *table
                        .entry(class.to_owned())
                        .or_default()
                        .entry(why)
                        .or_default() += 1;
                }
            }
            println!("losses by class:");
            for (class, whys) in &table {
                let cells: Vec<String> = whys.iter().map(|(w, n)| format!("{w} {n}")).collect();
                println!("  {class:<24} {}", cells.join(", "));
            }
        }
        if show > 0 {
            println!("false links:");
            for (l, r) in f.false_links.iter().take(show) {
                describe(l, r);
            }
            println!("missed:");
            for (l, r) in f.missed.iter().take(show) {
                describe(l, r);
                if let Some(c) = truth.pairs.get(&(l.clone(), r.clone())) {
                    println!("      classes: {}", c.join(" "));
                }
            }
        }
    }
    Ok(())
}
