//! The event log: `homeward verify` (also of an exported file) and `homeward events`.

use super::{Context, Db, read_file};
use anyhow::bail;
use clap::Args;

/// The arguments of `homeward verify`.
#[derive(Debug, Args)]
pub struct Verify {
    #[command(flatten)]
    pub db: Db,
    /// Check this exported file instead of a store: a list bundle or a row proof.
    #[arg(long, requires = "key")]
    pub file: Option<std::path::PathBuf>,
    /// The issuer's public key the file must be signed with (with --file).
    #[arg(long)]
    pub key: Option<String>,
}

/// The arguments of `homeward events`.
#[derive(Debug, Args)]
pub struct Events {
    #[command(flatten)]
    pub ctx: Context,
    /// How many events.
    #[arg(long, default_value_t = 50)]
    pub limit: i64,
}

/// Runs `homeward verify`: the whole log, its tree heads and its signed lists; or one
/// exported file against its issuer's key.
pub async fn verify(args: Verify) -> anyhow::Result<()> {
    if let (Some(file), Some(key)) = (&args.file, &args.key) {
        out!("{}", verify_document(file, key)?);
        return Ok(());
    }
    let app = args.db.app().await?;
    let log = app.log_verification().await?;
    if let (Some(seq), Some(reason)) = (log.first_break_seq, &log.first_break_reason) {
        bail!(
            "the event log does not hold at event {seq}: {reason} ({} events before it verified)",
            log.verified
        );
    }
    let checked = app.tree_head_report().await?;
    if let Some(problem) = checked.check.problem {
        bail!(
            "the event log's hash chain holds, but its signed tree heads do not: {problem} ({} heads before it verified)",
            checked.check.checked
        );
    }
    if let Some(problem) = checked.lists.problem {
        bail!(
            "the event log and its tree heads hold, but a signed list does not: {problem} ({} signatures before it verified)",
            checked.lists.checked
        );
    }
    out!(
        "ok: {} events, head {}, {} signed tree heads, {} list signatures and counter-signatures",
        log.verified,
        log.head,
        checked.check.checked,
        checked.lists.checked
    );
    Ok(())
}

/// Checks an exported file offline against the issuer's public key: a list bundle whole, or
/// a proof of one row; says what it proved, or fails naming what did not hold.
pub fn verify_document(file: &std::path::Path, key: &str) -> anyhow::Result<String> {
    let result = homeward_app::check_document(&read_file(file)?, key);
    if result.valid {
        Ok(format!("ok: {}", result.detail))
    } else {
        bail!("{}: {}", file.display(), result.detail)
    }
}

/// Runs `homeward events`: the latest events of the token's party, one JSON line each.
pub async fn events(args: Events) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    for event in app.events(&actor, args.limit).await? {
        out!("{}", serde_json::to_string(&event)?);
    }
    Ok(())
}
