//! `homeward import`: a list file into the store, with its report.

use anyhow::{Context, bail};
use clap::Args;
use homeward_core::access::{Grant, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_core::record::{Category, PartialDate, Relation, Status};
use homeward_import::{ColumnMap, RecordReader, Role, RowContext, open};
use homeward_store::{NewList, NewListRow, OpenMode};
use serde_json::json;
use std::path::PathBuf;

/// `homeward import FILE --party CODE --kind KIND --category CATEGORY`.
#[derive(Debug, Args)]
pub struct Import {
    /// The list file (CSV or a workbook).
    file: PathBuf,
    #[command(flatten)]
    db: crate::commands::Db,
    /// The party importing the list (whose register receives its people).
    #[arg(long)]
    party: String,
    /// request, holding, exchange, remains, children or register.
    #[arg(long)]
    kind: String,
    /// pow, civilian, child or remains.
    #[arg(long)]
    category: String,
    /// The party that issued the list, when it was received from another party.
    #[arg(long)]
    from: Option<String>,
    /// Parties the list is addressed to, comma-separated.
    #[arg(long, value_delimiter = ',')]
    to: Vec<String>,
    /// The list this one corrects.
    #[arg(long)]
    supersedes: Option<i64>,
    /// Override a recognised column: ROLE=COLUMN.
    #[arg(long = "map")]
    map: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

const KINDS: [&str; 6] = [
    "request", "holding", "exchange", "remains", "children", "register",
];

fn today() -> PartialDate {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0);
    // Whole years are enough for plausibility checks.
    PartialDate {
        year: 1970 + (days as f64 / 365.2425) as i32,
        month: None,
        day: None,
    }
}

/// Runs `homeward import`.
pub async fn import(args: Import) -> anyhow::Result<()> {
    if !KINDS.contains(&args.kind.as_str()) {
        bail!(
            "--kind {:?} is not a list kind; use one of {}",
            args.kind,
            KINDS.join(", ")
        );
    }
    let category: Category = args.category.parse()?;
    let party: PartyCode = args.party.parse()?;
    let addressees = args
        .to
        .iter()
        .map(|p| p.parse())
        .collect::<Result<Vec<PartyCode>, _>>()?;
    if let Some(from) = &args.from {
        from.parse::<PartyCode>()?;
    }
    let original = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let table = open(&args.file)?;
    let file = table.file.clone();
    let overrides = args
        .map
        .iter()
        .map(|m| {
            let (role, column) = m
                .split_once('=')
                .with_context(|| format!("--map {m:?}: write ROLE=COLUMN"))?;
            Ok((
                Role::parse(role).with_context(|| format!("--map {m:?}: unknown role {role:?}"))?,
                column.to_owned(),
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let map = ColumnMap::from_headers(&table.headers, &overrides)
        .map_err(|e| anyhow::anyhow!("{file}: {e}"))?;
    if !map.has_name() {
        bail!(
            "{file}: no column holds names; the headers are: {}. Map one with --map ROLE=COLUMN (roles: full_name, surname, given_name, patronymic)",
            table.headers.join(", ")
        );
    }
    let relation = match args.kind.as_str() {
        "holding" | "exchange" | "remains" => Relation::Held,
        _ => Relation::Sought,
    };
    let status = match (relation, category) {
        (_, Category::Remains) => Status::Deceased,
        (Relation::Held, _) => Status::Held,
        (Relation::Sought, _) => Status::InCustody,
    };
    let context = RowContext {
        category,
        relation,
        status,
        today: today(),
        synthetic: false,
    };
    let format = table.format.clone();
    let mut reader = RecordReader::new(table.headers.clone(), map, context);
    let mut rows = Vec::new();
    let (mut accepted, mut rejected, mut warnings) = (0, Vec::new(), Vec::new());
    for row in table {
        let read = reader.read(&row?);
        if read.record.is_some() {
            accepted += 1;
        }
        rejected.extend(read.rejected.iter().map(ToString::to_string));
        warnings.extend(read.warnings.iter().map(ToString::to_string));
        rows.push(NewListRow {
            row_no: read.line as i64,
            fields: read
                .cells
                .into_iter()
                .map(|(h, v)| (h, serde_json::Value::from(v)))
                .collect(),
            record: read.record,
            problems: read
                .rejected
                .iter()
                .chain(&read.warnings)
                .map(ToString::to_string)
                .collect(),
        });
    }
    if rows.is_empty() {
        bail!("{file}: the list has a header but no rows");
    }
    let store = args.db.open(OpenMode::MustExist).await?;
    let file_name = args
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let title = match &args.from {
        Some(from) => format!("{file_name} (received from {from})"),
        None => file_name.clone(),
    };
    let list = NewList {
        kind: args.kind.clone(),
        category: Some(category),
        title,
        file_name,
        original,
        addressees,
        supersedes: args.supersedes,
        rows,
    };
    let grant = Grant::<WriteRegister>::system(party, "cli");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let id = store.add_list(&grant, &list, now).await?;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "list": id, "format": format, "rows": list.rows.len(), "accepted": accepted,
                "rejected": rejected, "warnings": warnings,
            }))?
        );
    } else {
        println!(
            "list {id} imported from {file} ({format}): {} rows, {accepted} accepted, {} rejected, {} warnings",
            list.rows.len(),
            list.rows.len() - accepted,
            warnings.len()
        );
        for r in &rejected {
            println!("rejected: {r}");
        }
        for w in &warnings {
            println!("warning: {w}");
        }
    }
    Ok(())
}
