//! Protecting the people in the register from the command line: open one record (audited),
//! mark records protected, record a family's consent, propose/confirm/release restricted
//! statuses, request/confirm erasures, retention, and the auditors' view of reads — the same
//! application methods as the API and the pages.

use super::{Context, print_json};
use clap::{Args, Subcommand};
use homeward_app::protection::{
    ConsentInput, ErasureInput, ProtectionMark, ReadQuery, RestrictionInput, RetentionInput,
};

/// The arguments of `homeward person`.
#[derive(Debug, Args)]
pub struct Person {
    #[command(flatten)]
    pub ctx: Context,
    /// The record.
    pub id: i64,
    /// Why it is opened, e.g. "hotline call" (kept in the read audit).
    #[arg(long)]
    pub purpose: Option<String>,
}

/// The arguments of `homeward protect`.
#[derive(Debug, Args)]
pub struct Protect {
    #[command(flatten)]
    pub ctx: Context,
    /// The record.
    #[arg(long)]
    pub person: i64,
    /// Why it is protected, or none.
    #[arg(long = "as")]
    pub why: String,
}

/// The arguments of `homeward consent`.
#[derive(Debug, Args)]
pub struct Consent {
    #[command(flatten)]
    pub ctx: Context,
    /// The record.
    #[arg(long)]
    pub person: i64,
    /// The purposes.
    #[arg(long, default_value = "")]
    pub purposes: String,
}

/// Restricted statuses.
#[derive(Debug, Subcommand)]
pub enum RestrictCommand {
    /// Propose a restricted status for a record; a second person confirms it.
    Propose {
        #[command(flatten)]
        ctx: Context,
        /// The record.
        #[arg(long)]
        person: i64,
        /// deceased, refused_repatriation or harmful_information.
        #[arg(long = "as")]
        kind: String,
    },
    /// Confirm a proposed restricted status (not by the one who proposed it).
    Confirm {
        #[command(flatten)]
        ctx: Context,
        /// The proposal.
        id: i64,
    },
    /// Let a confirmed restricted status leave the party inside lists (negotiators).
    Release {
        #[command(flatten)]
        ctx: Context,
        /// The restriction.
        id: i64,
    },
    /// The restricted statuses of the register, or of one record (JSON).
    List {
        #[command(flatten)]
        ctx: Context,
        /// Only this record.
        #[arg(long)]
        person: Option<i64>,
    },
}

/// Erasures.
#[derive(Debug, Subcommand)]
pub enum EraseCommand {
    /// Ask for the erasure of a record's personal data; a second person confirms it.
    Request {
        #[command(flatten)]
        ctx: Context,
        /// The record.
        #[arg(long)]
        person: i64,
        /// Why (kept with the request).
        #[arg(long)]
        reason: String,
    },
    /// Confirm an erasure (not by the one who asked): the personal data is removed.
    Confirm {
        #[command(flatten)]
        ctx: Context,
        /// The request.
        id: i64,
    },
    /// The erasure requests (JSON).
    List {
        #[command(flatten)]
        ctx: Context,
    },
}

/// `homeward erase --person ID --reason …` asks for an erasure; `homeward erase confirm ID`
/// and `homeward erase list` do the rest.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct EraseArgs {
    #[command(subcommand)]
    command: Option<EraseCommand>,
    #[command(flatten)]
    db: super::Db,
    /// An API token; its user's party and roles decide what the command may do.
    #[arg(long, env = "HOMEWARD_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// The record whose personal data is to be erased.
    #[arg(long, requires = "reason")]
    person: Option<i64>,
    /// Why (kept with the request).
    #[arg(long)]
    reason: Option<String>,
}

/// The read audit.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Every read of the party's records, newest first (JSON).
    Reads {
        #[command(flatten)]
        ctx: Context,
        /// Only this reader, user:N.
        #[arg(long)]
        actor: Option<String>,
        /// Only reads of this record.
        #[arg(long)]
        person: Option<i64>,
        /// Only view, search_hit, export, proof or refused.
        #[arg(long)]
        action: Option<String>,
        /// From this time on (milliseconds since 1970).
        #[arg(long)]
        since: Option<i64>,
        /// At most this many.
        #[arg(long, default_value_t = 500)]
        limit: i64,
    },
    /// Unusual patterns: bursts of records opened, exports at night (JSON).
    Flags {
        #[command(flatten)]
        ctx: Context,
        /// From this time on (milliseconds since 1970).
        #[arg(long, default_value_t = 0)]
        since: i64,
    },
}

/// Retention periods.
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Keep records of a category (and status) this many days after their last change;
    /// past it they leave search (admins).
    Set {
        #[command(flatten)]
        ctx: Context,
        /// pow, civilian, child or remains.
        #[arg(long)]
        category: String,
        /// Only this status (default: every status of the category).
        #[arg(long)]
        status: Option<String>,
        /// Days.
        #[arg(long)]
        days: i64,
    },
    /// The retention periods (JSON).
    List {
        #[command(flatten)]
        ctx: Context,
    },
}

/// Runs `homeward retention set|list`.
pub async fn retention(command: RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Set {
            ctx,
            category,
            status,
            days,
        } => {
            let (app, actor) = ctx.open().await?;
            let input = RetentionInput {
                category: category.clone(),
                status: status.clone(),
                days,
            };
            app.set_retention(&actor, &input).await?;
            out!(
                "records of {category}{} are kept {days} days after their last change",
                status.map(|s| format!(" ({s})")).unwrap_or_default()
            );
            Ok(())
        }
        RetentionCommand::List { ctx } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.retention(&actor).await?)
        }
    }
}

/// Runs `homeward person`: opens one record for its purpose (audited) and prints it.
pub async fn person(args: Person) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let p = app.person(&actor, args.id, args.purpose.as_deref()).await?;
    if p.masked {
        eprintln!("{}", homeward_store::MASKED_READ);
    }
    print_json(&p)
}

/// Runs `homeward protect`: marks a record protected, or lifts the mark with `none`.
pub async fn protect(args: Protect) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let mark = ProtectionMark {
        sensitivity: Some(args.why.trim().to_owned()),
    };
    app.mark_protected(&actor, args.person, &mark).await?;
    out!(
        "record {}: {}",
        args.person,
        match args.why.trim() {
            "none" | "" => "protection mark lifted (a child's record stays protected)".to_owned(),
            s => format!("protected ({s})"),
        }
    );
    Ok(())
}

/// Runs `homeward consent`: records the purposes a family agreed to.
pub async fn consent(args: Consent) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let purposes: Vec<String> = args
        .purposes
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let input = ConsentInput {
        purposes: purposes.clone(),
    };
    app.set_consent(&actor, args.person, &input).await?;
    out!("record {}: the family agreed to {purposes:?}", args.person);
    Ok(())
}

/// Runs `homeward restrict propose|confirm|release|list`.
pub async fn restrict(command: RestrictCommand) -> anyhow::Result<()> {
    match command {
        RestrictCommand::Propose { ctx, person, kind } => {
            let (app, actor) = ctx.open().await?;
            let id = app
                .propose_restriction(&actor, person, &RestrictionInput { kind: kind.clone() })
                .await?;
            out!(
                "proposal {id}: record {person} {kind}; a second person confirms it with `homeward restrict confirm {id}`"
            );
            Ok(())
        }
        RestrictCommand::Confirm { ctx, id } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.confirm_restriction(&actor, id).await?)
        }
        RestrictCommand::Release { ctx, id } => {
            let (app, actor) = ctx.open().await?;
            app.release_restriction(&actor, id).await?;
            out!("restriction {id} may now leave the party inside lists");
            Ok(())
        }
        RestrictCommand::List { ctx, person } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.restrictions(&actor, person).await?)
        }
    }
}

/// Runs `homeward erase`: a request with `--person`, or `erase confirm|list`.
pub async fn erase(args: EraseArgs) -> anyhow::Result<()> {
    let command = match (args.command, args.token, args.person, args.reason) {
        (Some(command), ..) => command,
        (None, Some(token), Some(person), Some(reason)) => EraseCommand::Request {
            ctx: Context::new(args.db, token),
            person,
            reason,
        },
        _ => {
            return Err(homeward_core::Error::invalid(
                "erase",
                "say what to erase: homeward erase --person ID --reason … --token T (or erase confirm ID, erase list)",
            )
            .into());
        }
    };
    match command {
        EraseCommand::Request {
            ctx,
            person,
            reason,
        } => {
            let (app, actor) = ctx.open().await?;
            let id = app
                .request_erasure(&actor, person, &ErasureInput { reason })
                .await?;
            out!(
                "erasure {id} of record {person} asked; a second person confirms it with `homeward erase confirm {id}`"
            );
            Ok(())
        }
        EraseCommand::Confirm { ctx, id } => {
            let (app, actor) = ctx.open().await?;
            app.confirm_erasure(&actor, id).await?;
            out!(
                "erasure {id} carried out: the record keeps its id, dates, status and the hash the log holds"
            );
            Ok(())
        }
        EraseCommand::List { ctx } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.erasures(&actor, None).await?)
        }
    }
}

/// Runs `homeward audit reads|flags`.
pub async fn audit(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Reads {
            ctx,
            actor: reader,
            person,
            action,
            since,
            limit,
        } => {
            let (app, actor) = ctx.open().await?;
            let query = ReadQuery {
                actor: reader,
                person,
                action,
                since,
                limit: Some(limit),
            };
            print_json(&app.reads(&actor, &query).await?)
        }
        AuditCommand::Flags { ctx, since } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.read_flags(&actor, since).await?)
        }
    }
}
