//! The signed record: keys, signed lists, row proofs, bundles and checkpoints.

use super::{Context, keys, print_json, read_file, write_file};
use anyhow::Context as _;
use clap::{Args, Subcommand};
use homeward_app::signed::KeyToHold;
use homeward_ledger::bundle::Bundle;

/// The arguments of `homeward sign-list`.
#[derive(Debug, Args)]
pub struct SignList {
    #[command(flatten)]
    pub ctx: Context,
    /// The list.
    #[arg(long)]
    pub list: i64,
    /// The secret key file (mode 0600); or set HOMEWARD_KEY.
    #[arg(long)]
    pub key: Option<std::path::PathBuf>,
}

/// The arguments of `homeward prove`.
#[derive(Debug, Args)]
pub struct Prove {
    #[command(flatten)]
    pub ctx: Context,
    /// The list.
    #[arg(long)]
    pub list: i64,
    /// The row's line in the list's file.
    #[arg(long)]
    pub row: i64,
    /// Where to write the proof (JSON).
    #[arg(long)]
    pub out: std::path::PathBuf,
}

/// The arguments of `homeward verify-proof`.
#[derive(Debug, Args)]
pub struct VerifyProof {
    /// The proof file (or a list bundle).
    pub proof: std::path::PathBuf,
    /// The issuer's public key, 64 hex digits.
    #[arg(long)]
    pub key: String,
}

/// The arguments of `homeward checkpoint`.
#[derive(Debug, Args)]
pub struct Checkpoint {
    #[command(flatten)]
    pub ctx: Context,
    /// The secret key file (mode 0600); or set HOMEWARD_KEY.
    #[arg(long)]
    pub key: Option<std::path::PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BundleCommand {
    /// Write one self-contained file for a list the party issued and signed: original bytes,
    /// rows, signature, a signed tree head and the inclusion proof of the list's event.
    Export {
        #[command(flatten)]
        ctx: Context,
        /// The list.
        #[arg(long)]
        list: i64,
        /// The bundle file to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Import a bundle addressed to the party, after checking everything against the key it
    /// pinned for the issuer; anything that does not verify is refused and named.
    Import {
        #[command(flatten)]
        ctx: Context,
        /// The bundle file.
        file: std::path::PathBuf,
    },
    /// Counter-sign a bundle as the mediator that received it, after checking it like an
    /// import against the key pinned for its issuer; the mediator's store keeps the
    /// counter-signature and the issuer's tree head (not the rows). Writes the
    /// counter-signed bundle, which both parties then import.
    Countersign {
        #[command(flatten)]
        ctx: Context,
        /// The bundle file.
        file: std::path::PathBuf,
        /// The mediator's secret key file; or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
        /// The counter-signed bundle to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

/// Keys.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Create a new secret key in a new file readable by its owner only; prints the public
    /// key.
    Create {
        /// The file to create (never overwritten).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Print the public key of a secret key file.
    Show {
        /// The secret key file; or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// Register the public half of the party's key in the store (admins).
    Register {
        #[command(flatten)]
        ctx: Context,
        /// The secret key file; or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// Rotate: a new key in --out, vouched for by the current one, which is retired.
    Rotate {
        #[command(flatten)]
        ctx: Context,
        /// The current secret key file; or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
        /// The file for the new key.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Pin another party's public key (admins).
    Pin {
        #[command(flatten)]
        ctx: Context,
        /// The other party.
        #[arg(long)]
        party: String,
        /// Its public key, 64 hex digits.
        #[arg(long)]
        public: String,
    },
    /// The public keys the party holds (auditors; JSON).
    List {
        #[command(flatten)]
        ctx: Context,
    },
}

/// Reads a bundle file.
fn read_bundle(file: &std::path::Path) -> anyhow::Result<Bundle> {
    Bundle::from_file(&read_file(file)?).map_err(|e| {
        homeward_core::Error::invalid(file.display().to_string(), e.to_string()).into()
    })
}

/// Runs `homeward key create|show|register|rotate|pin|list`.
pub async fn key(command: KeyCommand) -> anyhow::Result<()> {
    match command {
        KeyCommand::Create { out } => {
            out!("{}", keys::create(&out)?.public_hex());
        }
        KeyCommand::Show { key } => {
            out!("{}", keys::load(key.as_deref())?.public_hex());
        }
        KeyCommand::Register { ctx, key } => {
            let key = keys::load(key.as_deref())?;
            let (app, actor) = ctx.open().await?;
            let own = KeyToHold {
                party: actor.party.clone(),
                public_key: key.public_hex(),
            };
            app.hold_key(&actor, &own).await?;
            out!("{}: key {} registered", actor.party, key.public_hex());
        }
        KeyCommand::Rotate { ctx, key, out } => {
            let old = keys::load(key.as_deref())?;
            let (app, actor) = ctx.open().await?;
            let new = keys::create(&out)?;
            if let Err(e) = app.rotate_key(&actor, &old, &new.public_hex()).await {
                // The new key was not taken: do not leave it lying about.
                let _ = std::fs::remove_file(&out);
                return Err(e.into());
            }
            out!("{}", new.public_hex());
        }
        KeyCommand::Pin { ctx, party, public } => {
            let (app, actor) = ctx.open().await?;
            let pinned = KeyToHold {
                party: party.parse()?,
                public_key: public.trim().to_owned(),
            };
            app.pin_key(&actor, &pinned).await?;
            out!("{party}: key {} pinned", public.trim());
        }
        KeyCommand::List { ctx } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.keys(&actor).await?)?;
        }
    }
    Ok(())
}

/// Runs `homeward sign-list`.
pub async fn sign_list(args: SignList) -> anyhow::Result<()> {
    let key = keys::load(args.key.as_deref())?;
    let (app, actor) = args.ctx.open().await?;
    let signed = app.with_key(key).sign_list(&actor, args.list).await?;
    out!(
        "list {} signed; row root {}",
        args.list,
        signed.row_root.unwrap_or_default()
    );
    Ok(())
}

/// Runs `homeward prove`.
pub async fn prove(args: Prove) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let proof = app.prove_row(&actor, args.list, args.row).await?;
    write_file(&args.out, &proof.to_file().map_err(anyhow::Error::msg)?)?;
    eprintln!(
        "the proof of line {} of list {} is in {}",
        args.row,
        args.list,
        args.out.display()
    );
    Ok(())
}

/// Runs `homeward verify-proof`.
pub fn verify_proof(args: VerifyProof) -> anyhow::Result<()> {
    out!("{}", super::log::verify_document(&args.proof, &args.key)?);
    Ok(())
}

/// Runs `homeward checkpoint`.
pub async fn checkpoint(args: Checkpoint) -> anyhow::Result<()> {
    let key = keys::load(args.key.as_deref())?;
    let (app, actor) = args.ctx.open().await?;
    print_json(&app.with_key(key).checkpoint(&actor).await?)
}

/// Runs `homeward bundle export|import|countersign`.
pub async fn bundle(command: BundleCommand) -> anyhow::Result<()> {
    match command {
        BundleCommand::Export { ctx, list, out } => {
            let (app, actor) = ctx.open().await?;
            let bundle = app.export_bundle(&actor, list).await?;
            write_file(&out, &bundle.to_file().map_err(anyhow::Error::msg)?)?;
            eprintln!(
                "list {list}: {} rows, tree head of {} events, written to {}",
                bundle.rows.len(),
                bundle.tree_head.size,
                out.display()
            );
        }
        BundleCommand::Import { ctx, file } => {
            let bundle = read_bundle(&file)?;
            let (app, actor) = ctx.open().await?;
            let imported = app
                .import_bundle(&actor, &bundle)
                .await
                .with_context(|| file.display().to_string())?;
            out!(
                "list {}: {} rows of {}'s list {} imported, verified against its pinned key",
                imported.list,
                bundle.rows.len(),
                bundle.issuer,
                bundle.sha256
            );
        }
        BundleCommand::Countersign {
            ctx,
            file,
            key,
            out,
        } => {
            let bundle = read_bundle(&file)?;
            let key = keys::load(key.as_deref())?;
            let public = key.public_hex();
            let (app, actor) = ctx.open().await?;
            let signed = app
                .with_key(key)
                .countersign(&actor, &bundle)
                .await
                .with_context(|| format!("{}: not counter-signed", file.display()))?;
            write_file(&out, &signed.to_file().map_err(anyhow::Error::msg)?)?;
            out!(
                "{}'s list {} counter-signed by {} ({public})",
                bundle.issuer,
                bundle.sha256,
                actor.party
            );
        }
    }
    Ok(())
}
