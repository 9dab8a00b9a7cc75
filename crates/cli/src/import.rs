//! `homeward import`: a list file into the store, with its report.

use anyhow::Context;
use clap::Args;
use homeward_core::access::{Grant, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_core::record::Category;
use homeward_import::parse_mapping;
use homeward_server::lists::{ImportRequest, import_list};
use homeward_store::OpenMode;
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

/// Runs `homeward import`.
pub async fn import(args: Import) -> anyhow::Result<()> {
    let category: Category = args.category.parse()?;
    let party: PartyCode = args.party.parse()?;
    let to = args
        .to
        .iter()
        .map(|p| p.parse())
        .collect::<Result<Vec<PartyCode>, _>>()?;
    let from = args
        .from
        .as_deref()
        .map(str::parse::<PartyCode>)
        .transpose()?;
    let overrides = args
        .map
        .iter()
        .map(|m| {
            parse_mapping(m)
                .map(|(_, role, column)| (role, column))
                .map_err(|e| anyhow::anyhow!("--map {e}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let store = args.db.open(OpenMode::MustExist).await?;
    let file_name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let request = ImportRequest {
        kind: args.kind,
        category,
        from,
        to,
        supersedes: args.supersedes,
        overrides,
    };
    let now = homeward_server::now_ms();
    let grant = Grant::<WriteRegister>::system(party, "cli");
    let report = import_list(&store, &grant, &file_name, bytes, &request, now).await?;
    if args.json {
        out!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    out!(
        "list {} imported from {file_name} ({}): {} rows, {} accepted, {} rejected, {} warnings",
        report.list,
        report.format,
        report.rows,
        report.accepted,
        report.rows - report.accepted,
        report.warnings.len()
    );
    for r in &report.rejected {
        out!("rejected: {r}");
    }
    for w in &report.warnings {
        out!("warning: {w}");
    }
    Ok(())
}
