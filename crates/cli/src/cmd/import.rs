//! `homeward import`: a list file into the store, with its report.

use super::read_file;
use clap::Args;
use homeward_app::Acting;
use homeward_app::lists::ImportRequest;
use homeward_core::party::PartyCode;
use homeward_core::record::Category;
use homeward_import::parse_mapping;
use std::path::PathBuf;

/// The arguments of `homeward import`.
#[derive(Debug, Args)]
pub struct Import {
    /// The list file (CSV or a workbook).
    file: PathBuf,
    #[command(flatten)]
    db: super::Db,
    /// Import as the user of this API token (an operator or admin of the party whose
    /// register receives the people). Only given here, never taken from HOMEWARD_TOKEN, so
    /// that a token left in the environment cannot send a `--party` import elsewhere.
    #[arg(long, conflicts_with = "party")]
    token: Option<String>,
    /// Without a token: the party importing the list, as a local act of whoever holds the
    /// store (recorded as such in the list's event).
    #[arg(long, required_unless_present = "token")]
    party: Option<String>,
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

/// Runs `homeward import`, as the token's user or as a local act for `--party`.
pub async fn run(args: Import) -> anyhow::Result<()> {
    let category: Category = args.category.parse()?;
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
                .map_err(|e| homeward_core::Error::invalid("--map", e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = read_file(&args.file)?;
    let app = args.db.app().await?;
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
    let actor = match &args.token {
        Some(token) => Some(super::signed_in(&app, token).await?),
        None => None,
    };
    let acting = match (&actor, &args.party) {
        (Some(actor), _) => Acting::User(actor),
        (None, Some(party)) => Acting::Local {
            party: party.parse::<PartyCode>()?,
            purpose: "cli",
        },
        (None, None) => {
            return Err(homeward_core::Error::invalid(
                "--token",
                "say who imports the list: --token, or --party for a local import",
            )
            .into());
        }
    };
    let report = app
        .import_list(&acting, &file_name, bytes.into(), &request)
        .await?;
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
