//! `homeward link`, `homeward dedupe` and `homeward synth`: the linkage engine on files.

use anyhow::bail;
use clap::Args;
use homeward_import::{ColumnMap, Role, SourceRow, open, parse_mapping};
use homeward_link::{
    Decision, Field, Model, OperatingPoint, Person, Proposals, RawPerson, RuleCount, Scored,
    clusters, explain,
};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Options shared by link and dedupe.
#[derive(Debug, Args)]
pub struct RunOptions {
    /// A pair is sure at or above this posterior probability (the model's; 0.5 is "more
    /// likely a match than not").
    #[arg(long, default_value_t = 0.5)]
    threshold: f64,
    /// Pairs between this probability and --threshold go to review.
    #[arg(long, default_value_t = 0.05)]
    review: f64,
    /// Override a recognised column: `left.ROLE=COLUMN` or `right.ROLE=COLUMN` (for dedupe,
    /// `ROLE=COLUMN`); COLUMN is a header or a 1-based number.
    #[arg(long = "map")]
    map: Vec<String>,
    /// No progress bar and no summary on stderr.
    #[arg(long)]
    quiet: bool,
    /// Write the summary as JSON to this file.
    #[arg(long)]
    json_summary: Option<PathBuf>,
}

/// `homeward link LEFT RIGHT --out PAIRS.csv`.
#[derive(Debug, Args)]
pub struct Link {
    /// The first list (CSV or a workbook).
    left: PathBuf,
    /// The second list.
    right: PathBuf,
    /// Where to write the pairs.
    #[arg(long)]
    out: PathBuf,
    /// Add one evidence column per field, and the pairs that lost to a better one with
    /// the reason.
    #[arg(long)]
    explain: bool,
    #[command(flatten)]
    options: RunOptions,
}

/// `homeward dedupe FILE --out CLUSTERS.csv`.
#[derive(Debug, Args)]
pub struct Dedupe {
    /// The list.
    file: PathBuf,
    /// Where to write `id,cluster_id`.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    options: RunOptions,
}

/// `homeward synth --persons N --out DIR`.
#[derive(Debug, Args)]
pub struct Synth {
    /// People on the left (request) list.
    #[arg(long)]
    persons: usize,
    /// People on the right (holding) list (default: the same as --persons).
    #[arg(long)]
    right_persons: Option<usize>,
    /// Share of the left list's people who are also on the right.
    #[arg(long, default_value_t = 0.7)]
    overlap: f64,
    /// Seed of the random draws.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder to write left.csv, right.csv and truth.csv into.
    #[arg(long)]
    out: PathBuf,
}

/// What reading a list found, besides its people.
#[derive(Debug, Default)]
struct ListReport {
    format: String,
    columns: Vec<(String, String)>,
    rows: usize,
    problems: Vec<String>,
}

fn parse_overrides(maps: &[String], side: Option<&str>) -> anyhow::Result<Vec<(Role, String)>> {
    let mut out = Vec::new();
    for m in maps {
        let (map_side, role, column) =
            parse_mapping(m).map_err(|e| anyhow::anyhow!("--map {e}"))?;
        if side.is_none() || map_side.is_none() || map_side == side {
            out.push((role, column));
        }
    }
    Ok(out)
}

/// Reads a list into raw people. Rows without an id, duplicate ids and unreadable dates
/// are reported by line; nothing is dropped without a word.
fn read_people(
    path: &Path,
    overrides: &[(Role, String)],
    progress: &ProgressBar,
) -> anyhow::Result<(Vec<RawPerson>, ListReport)> {
    let table = open(path)?;
    let file = table.file.clone();
    let map = ColumnMap::from_headers(&table.headers, overrides)
        .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    if !map.has_name() {
        bail!(
            "{file}: no column holds names; the headers are: {}. Map one with --map ROLE=COLUMN (roles: full_name, surname, given_name, patronymic)",
            table.headers.join(", ")
        );
    }
    let mut report = ListReport {
        format: table.format.clone(),
        columns: map
            .columns
            .iter()
            .map(|(r, cols)| {
                (
                    r.as_str().to_owned(),
                    cols.iter()
                        .map(|&c| table.headers.get(c).cloned().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join("+"),
                )
            })
            .collect(),
        ..Default::default()
    };
    let headers = table.headers.clone();
    report
        .problems
        .extend(table.notes.iter().map(|n| format!("{file}, {n}")));
    let mut seen: HashMap<String, u64> = HashMap::new();
    let mut people = Vec::new();
    for row in table {
        let SourceRow {
            line,
            cells,
            warnings,
        } = row?;
        report.rows += 1;
        progress.inc(1);
        for w in warnings {
            report.problems.push(format!("{file}, line {line}: {w}"));
        }
        let cell = |role: Role| map.value(role, &cells);
        let id = match (map.first(Role::Id), cell(Role::Id)) {
            (None, _) => format!("{line}"),
            (Some(_), Some(id)) => id,
            (Some(_), None) => {
                report
                    .problems
                    .push(format!("{file}, line {line}: no id; the row was left out"));
                continue;
            }
        };
        if let Some(first) = seen.insert(id.clone(), line) {
            report.problems.push(format!("{file}, line {line}: id {id:?} was already used on line {first}; both rows are kept"));
        }
        let (person, birth_problem) = homeward_link::RawPerson::from_row(id, &cell);
        if let Some(why) = birth_problem {
            let column = map
                .first(Role::BirthDate)
                .and_then(|c| headers.get(c))
                .cloned()
                .unwrap_or_default();
            report.problems.push(format!(
                "{file}, line {line}, column {column:?}: {why}; compared digit by digit"
            ));
        }
        people.push(person);
    }
    if people.is_empty() {
        bail!("{file}: the list has no rows with data");
    }
    Ok((people, report))
}

fn progress(quiet: bool, label: &str) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} {pos} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(label.to_owned());
    // Only shown for runs that last: the bar draws after a second.
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

struct Timings(Vec<(&'static str, f64)>, Instant);

impl Timings {
    fn new() -> Self {
        Timings(Vec::new(), Instant::now())
    }
    fn lap(&mut self, what: &'static str) {
        let now = Instant::now();
        self.0.push((what, (now - self.1).as_secs_f64()));
        self.1 = now;
    }
}

fn model_json(model: &Model) -> serde_json::Value {
    let fields: Vec<serde_json::Value> = Field::ALL
        .iter()
        .enumerate()
        .map(|(f, field)| {
            json!({
                "field": field.as_str(),
                "levels": field.levels().iter().enumerate().map(|(l, name)| json!({
                    "level": name, "m": model.m[f][l], "u": model.u[f][l], "weight": model.level_weight(f, l as u8),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({"lambda": model.lambda, "prior": model.prior, "em_iterations": model.iterations, "u_random_pairs": model.u_pairs, "fields": fields})
}

fn print_summary(
    summary: &serde_json::Value,
    counts: &[RuleCount],
    model: &Model,
    timings: &Timings,
) {
    eprintln!("blocking rules:");
    for c in counts {
        eprintln!(
            "  {:>12} pairs  {}{}",
            c.pairs,
            c.rule,
            if c.skipped_blocks > 0 {
                format!(" ({} oversized blocks skipped)", c.skipped_blocks)
            } else {
                String::new()
            }
        );
    }
    eprintln!("candidate pairs: {}", summary["candidates"]);
    eprintln!(
        "model: λ = {:.4} of candidates, prior {:.3e} per random pair, after {} EM iterations; u from {} random pairs",
        model.lambda, model.prior, model.iterations, model.u_pairs
    );
    for (f, field) in Field::ALL.iter().enumerate() {
        let levels: Vec<String> = field
            .levels()
            .iter()
            .enumerate()
            .map(|(l, name)| format!("{name} m={:.3} u={:.4}", model.m[f][l], model.u[f][l]))
            .collect();
        eprintln!("  {:<11} {}", field.as_str(), levels.join(" | "));
    }
    eprintln!("pairs written: {}", summary["pairs_written"]);
    let t: Vec<String> = timings
        .0
        .iter()
        .map(|(w, s)| format!("{w} {s:.2} s"))
        .collect();
    eprintln!("timings: {}", t.join(", "));
}

struct Linked {
    candidates: usize,
    left: Vec<Person>,
    right: Vec<Person>,
    proposals: Proposals,
    counts: Vec<RuleCount>,
    model: Model,
    reports: Vec<ListReport>,
    timings: Timings,
}

fn run(
    left_path: &Path,
    right_path: Option<&Path>,
    options: &RunOptions,
) -> anyhow::Result<Linked> {
    let mut timings = Timings::new();
    let bar = progress(options.quiet, "reading");
    let dedupe = right_path.is_none();
    let (left_raw, left_report) = read_people(
        left_path,
        &parse_overrides(&options.map, if dedupe { None } else { Some("left") })?,
        &bar,
    )?;
    let (right_raw, right_report) = match right_path {
        Some(p) => {
            let (r, rep) = read_people(p, &parse_overrides(&options.map, Some("right"))?, &bar)?;
            (Some(r), Some(rep))
        }
        None => (None, None),
    };
    timings.lap("read");
    let mut lap = |next: &'static str| {
        // Each step ends when the next one starts.
        let previous = match next {
            "blocking" => Some("prepare"),
            "training" => Some("block"),
            "scoring" => Some("train"),
            _ => None,
        };
        if let Some(p) = previous {
            timings.lap(p);
        }
        bar.set_message(next);
    };
    // Pairs far below the review band are kept for the assignment: they are the other
    // candidates each pair competes with.
    let floor = (options.review / 10.0).min(0.01);
    let linkage = homeward_link::link(&left_raw, right_raw.as_deref(), floor, &mut lap);
    let proposals = homeward_link::assign(
        &linkage,
        OperatingPoint {
            sure: options.threshold,
            review: options.review.min(options.threshold),
        },
    );
    timings.lap("score and assign");
    bar.finish_and_clear();
    let mut reports = vec![left_report];
    reports.extend(right_report);
    Ok(Linked {
        candidates: linkage.candidates,
        left: linkage.left,
        right: linkage.right,
        proposals,
        counts: linkage.counts,
        model: linkage.model,
        reports,
        timings,
    })
}

fn finish(linked: &Linked, options: &RunOptions, written: usize) -> anyhow::Result<()> {
    let summary = json!({
        "lists": linked.reports.iter().map(|r| json!({"format": r.format, "rows": r.rows, "columns": r.columns, "problems": r.problems})).collect::<Vec<_>>(),
        "rules": linked.counts.iter().map(|c| json!({"rule": c.rule, "pairs": c.pairs, "skipped_blocks": c.skipped_blocks})).collect::<Vec<_>>(),
        "candidates": linked.candidates,
        "pairs_written": written,
        "sure": linked.proposals.sure().count(),
        "review": linked.proposals.review().count(),
        "model": model_json(&linked.model),
        "timings": linked.timings.0.iter().map(|(w, s)| json!({"step": w, "seconds": s})).collect::<Vec<_>>(),
    });
    if !options.quiet {
        for r in &linked.reports {
            for p in r.problems.iter().take(20) {
                eprintln!("warning: {p}");
            }
            if r.problems.len() > 20 {
                eprintln!(
                    "warning: … and {} more (all are in --json-summary)",
                    r.problems.len() - 20
                );
            }
        }
        print_summary(&summary, &linked.counts, &linked.model, &linked.timings);
    }
    if let Some(path) = &options.json_summary {
        crate::cmd::write_file(path, serde_json::to_string_pretty(&summary)?.as_bytes())?;
    }
    Ok(())
}

/// Runs `homeward link`.
pub fn link(args: Link) -> anyhow::Result<()> {
    let mut linked = run(&args.left, Some(&args.right), &args.options)?;
    let mut out = csv::Writer::from_writer(crate::cmd::create_file(&args.out)?);
    let mut header = vec![
        "left_id".to_owned(),
        "right_id".to_owned(),
        "probability".to_owned(),
        "match_weight".to_owned(),
        "decision".to_owned(),
        "duplicate_of".to_owned(),
    ];
    if args.explain {
        header.push("lost_because".to_owned());
        header.push("pair_probability".to_owned());
        header.extend(Field::ALL.iter().map(|f| f.as_str().to_owned()));
    }
    out.write_record(&header)?;
    let mut written = 0;
    for p in &linked.proposals.pairs {
        if p.decision == Decision::Lost && !args.explain {
            continue;
        }
        // The holder's second registration of the same person.
        let duplicate = p
            .duplicate_of
            .map(|r| linked.right[r as usize].id.clone())
            .unwrap_or_default();
        let mut row = vec![
            linked.left[p.left as usize].id.clone(),
            linked.right[p.right as usize].id.clone(),
            format!("{:.6}", p.probability),
            format!("{:.3}", p.weight),
            p.decision.as_str().to_owned(),
            duplicate,
        ];
        if args.explain {
            row.push(p.reason(&linked.left, &linked.right).unwrap_or_default());
            row.push(format!("{:.6}", p.pair_probability));
            let s = Scored {
                left: p.left,
                right: p.right,
                weight: p.weight,
                probability: p.pair_probability,
                vector: p.vector,
                field_weights: p.field_weights,
            };
            row.extend((0..Field::ALL.len()).map(|f| explain(&s, f)));
        }
        out.write_record(&row)?;
        written += 1;
    }
    out.flush()?;
    linked.timings.lap("write");
    finish(&linked, &args.options, written)
}

/// Runs `homeward dedupe`.
pub fn dedupe(args: Dedupe) -> anyhow::Result<()> {
    let mut linked = run(&args.file, None, &args.options)?;
    let pairs: Vec<(u32, u32)> = linked.proposals.sure().map(|p| (p.left, p.right)).collect();
    let cluster = clusters(linked.left.len(), &pairs);
    let mut out = csv::Writer::from_writer(crate::cmd::create_file(&args.out)?);
    out.write_record(["id", "cluster_id"])?;
    for (i, p) in linked.left.iter().enumerate() {
        out.write_record([p.id.as_str(), linked.left[cluster[i] as usize].id.as_str()])?;
    }
    out.flush()?;
    linked.timings.lap("write");
    finish(&linked, &args.options, pairs.len())
}

/// Runs `homeward synth`.
pub fn synth(args: Synth) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&args.overlap) {
        bail!("--overlap is a share between 0 and 1");
    }
    let right = args.right_persons.unwrap_or(args.persons);
    let pair = homeward_demo::synth::generate(args.persons, right, args.overlap, args.seed);
    crate::cmd::create_dir(&args.out)?;
    let write = |name: &str, rows: &[Vec<String>]| -> anyhow::Result<()> {
        let path = args.out.join(name);
        let mut w = csv::Writer::from_writer(crate::cmd::create_file(&path)?);
        for r in rows {
            w.write_record(r)?;
        }
        w.flush()?;
        Ok(())
    };
    write("left.csv", &pair.left)?;
    write("right.csv", &pair.right)?;
    let truth: Vec<Vec<String>> =
        std::iter::once(vec!["left_id".to_owned(), "right_id".to_owned()])
            .chain(pair.truth.iter().map(|(l, r)| vec![l.clone(), r.clone()]))
            .collect();
    write("truth.csv", &truth)?;
    eprintln!(
        "synthetic people only: {} left rows, {} right rows, {} true pairs in {}",
        pair.left.len() - 1,
        pair.right.len() - 1,
        pair.truth.len(),
        args.out.display()
    );
    Ok(())
}
