//! `homeward export`: a list, the register or the links, sealed like every export of personal data.

use super::{Context, write_file};
use clap::Args;
use homeward_app::query::PersonQuery;
use homeward_app::{ExportRequest, ExportSource};

/// The arguments of `homeward export`.
#[derive(Debug, Args)]
pub struct Export {
    #[command(flatten)]
    pub ctx: Context,
    /// The list to export.
    #[arg(long, conflicts_with_all = ["register", "links"], required_unless_present_any = ["register", "links"])]
    pub list: Option<i64>,
    /// Export the register instead of a list.
    #[arg(long, conflicts_with = "links")]
    pub register: bool,
    /// Export the links with this decision (candidate, confirmed, rejected; reviewers),
    /// each with both records and who decided.
    #[arg(long)]
    pub links: Option<String>,
    /// Register: only this category (pow, civilian, child, remains).
    #[arg(long, requires = "register")]
    pub category: Option<String>,
    /// Register: only this status (missing, in_custody, held, returned, deceased).
    #[arg(long, requires = "register")]
    pub status: Option<String>,
    /// Register: only records imported from this list.
    #[arg(long, requires = "register")]
    pub from_list: Option<i64>,
    /// Register, PFIF: the domain that names this register in record ids.
    #[arg(long, requires = "register")]
    pub domain: Option<String>,
    /// csv, xlsx, json, pfif (register only) or print.
    #[arg(long, default_value = "csv")]
    pub format: String,
    /// Encrypt the export to this age public key (age1…) of its recipient.
    #[arg(long)]
    pub recipient: Option<String>,
    /// Encrypt it with the passphrase in this environment variable (never on the
    /// command line, where others could read it).
    #[arg(long)]
    pub passphrase_env: Option<String>,
    /// An admin allows this one export to show protected records unencrypted.
    #[arg(long)]
    pub allow_unprotected: bool,
    /// Where to write.
    #[arg(long)]
    pub out: std::path::PathBuf,
}

/// Runs `homeward export`: the same export, sealed the same way, as the API and the pages.
pub async fn run(args: Export) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let source = match (args.list, args.links) {
        (Some(list), _) => ExportSource::List(list),
        (None, Some(decision)) if !args.register => ExportSource::Links {
            decision: Some(decision),
            duplicates: None,
        },
        _ => ExportSource::Register {
            filter: PersonQuery {
                category: args.category,
                status: args.status,
                list: args.from_list,
                page: None,
                per_page: None,
                ..PersonQuery::default()
            },
            domain: args.domain,
        },
    };
    let passphrase = match &args.passphrase_env {
        Some(var) => Some(std::env::var(var).map_err(|_| {
            homeward_core::Error::invalid(
                "--passphrase-env",
                format!("the variable {var} is not set"),
            )
        })?),
        None => None,
    };
    let request = ExportRequest {
        source,
        format: Some(args.format),
        recipient: args.recipient,
        passphrase,
        allow_unprotected: args.allow_unprotected,
    };
    let export = app.export(&actor, &request).await?;
    write_file(&args.out, &export.bytes)?;
    eprintln!(
        "{} rows written to {} (SHA-256 {})",
        export.rows,
        args.out.display(),
        export.sha256
    );
    Ok(())
}
