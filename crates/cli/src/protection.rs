//! Protecting the people in the register from the command line: open one record (audited),
//! mark records protected, record a family's consent, propose/confirm/release restricted
//! statuses, request/confirm erasures, and the auditors' view of reads. The same store calls
//! as the API and the pages.

use crate::commands::{Caller, Db, print_json};
use clap::Subcommand;
use homeward_core::access::{
    Audit, Erase, ReadRegister, RecordRestricted, ReleaseRestricted, WriteRegister, authorize,
};
use homeward_core::protection::{Purpose, ReadAction, Restriction, Sensitivity};
use homeward_server::now_ms as now;
use homeward_server::protection::decide_on;
use homeward_store::{OpenMode, ReadFilter};

/// Restricted statuses.
#[derive(Debug, Subcommand)]
pub enum RestrictCommand {
    /// Propose a restricted status for a record; a second person confirms it.
    Propose {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The proposal.
        id: i64,
    },
    /// Let a confirmed restricted status leave the party inside lists (negotiators).
    Release {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The restriction.
        id: i64,
    },
    /// The restricted statuses of the register, or of one record (JSON).
    List {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The request.
        id: i64,
    },
    /// The erasure requests (JSON).
    List {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
    db: Db,
    #[command(flatten)]
    caller: Option<Caller>,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
    },
}

/// Runs a retention command.
pub async fn retention(command: RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Set {
            db,
            caller,
            category,
            status,
            days,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::Administer>(&caller.actor(&store).await?)?;
            let rule = homeward_core::protection::RetentionRule {
                category: category.parse()?,
                status: status.as_deref().map(str::parse).transpose()?,
                days,
            };
            store.set_retention(&grant, &rule, now()).await?;
            out!(
                "records of {category}{} are kept {days} days after their last change",
                status.map(|s| format!(" ({s})")).unwrap_or_default()
            );
            Ok(())
        }
        RetentionCommand::List { db, caller } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
            print_json(&store.retention_rules(&grant).await?)
        }
    }
}

/// Opens one record for `purpose` (audited) and prints it.
pub async fn person(
    db: Db,
    caller: Caller,
    id: i64,
    purpose: Option<String>,
) -> anyhow::Result<()> {
    let store = db.open(OpenMode::MustExist).await?;
    let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
    let purpose = homeward_server::api::purpose_or(purpose.as_deref(), "view");
    let p = store.open_person(&grant, id, &purpose, now()).await?;
    if p.masked {
        eprintln!("{}", homeward_store::MASKED_READ);
    }
    print_json(&p)
}

/// Marks a record protected, or lifts the mark with `none`.
pub async fn protect(db: Db, caller: Caller, person: i64, why: &str) -> anyhow::Result<()> {
    let store = db.open(OpenMode::MustExist).await?;
    let actor = caller.actor(&store).await?;
    let grant = decide_on::<RecordRestricted>(&store, &actor, person, now()).await?;
    let sensitivity: Option<Sensitivity> = match why.trim() {
        "none" | "" => None,
        s => Some(s.parse()?),
    };
    store
        .mark_protected(&grant, person, sensitivity, now())
        .await?;
    out!(
        "record {person}: {}",
        sensitivity.map_or(
            "protection mark lifted (a child's record stays protected)".to_owned(),
            |s| format!("protected ({s})")
        )
    );
    Ok(())
}

/// Records the purposes a family agreed to.
pub async fn consent(db: Db, caller: Caller, person: i64, purposes: &str) -> anyhow::Result<()> {
    let store = db.open(OpenMode::MustExist).await?;
    let grant = authorize::<WriteRegister>(&caller.actor(&store).await?)?;
    let purposes: Vec<Purpose> = purposes
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    store.set_consent(&grant, person, &purposes, now()).await?;
    out!("record {person}: the family agreed to {purposes:?}");
    Ok(())
}

/// Runs a restricted-status command.
pub async fn restrict(command: RestrictCommand) -> anyhow::Result<()> {
    match command {
        RestrictCommand::Propose {
            db,
            caller,
            person,
            kind,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            let grant = decide_on::<RecordRestricted>(&store, &actor, person, now()).await?;
            let kind: Restriction = kind.parse()?;
            let id = store
                .propose_restriction(&grant, person, kind, now())
                .await?;
            out!(
                "proposal {id}: record {person} {kind}; a second person confirms it with `homeward restrict confirm {id}`"
            );
            Ok(())
        }
        RestrictCommand::Confirm { db, caller, id } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<RecordRestricted>(&caller.actor(&store).await?)?;
            print_json(&store.confirm_restriction(&grant, id, now()).await?)
        }
        RestrictCommand::Release { db, caller, id } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReleaseRestricted>(&caller.actor(&store).await?)?;
            store.release_restriction(&grant, id, now()).await?;
            out!("restriction {id} may now leave the party inside lists");
            Ok(())
        }
        RestrictCommand::List { db, caller, person } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
            print_json(&store.restrictions(&grant, person).await?)
        }
    }
}

/// Runs an erasure command.
pub async fn erase(args: EraseArgs) -> anyhow::Result<()> {
    let command = match (args.command, args.caller, args.person, args.reason) {
        (Some(command), ..) => command,
        (None, Some(caller), Some(person), Some(reason)) => EraseCommand::Request {
            db: args.db,
            caller,
            person,
            reason,
        },
        _ => anyhow::bail!(
            "say what to erase: homeward erase --person ID --reason … --token T (or erase confirm ID, erase list)"
        ),
    };
    match command {
        EraseCommand::Request {
            db,
            caller,
            person,
            reason,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            let grant = decide_on::<Erase>(&store, &actor, person, now()).await?;
            let id = store
                .request_erasure(&grant, person, &reason, now())
                .await?;
            out!(
                "erasure {id} of record {person} asked; a second person confirms it with `homeward erase confirm {id}`"
            );
            Ok(())
        }
        EraseCommand::Confirm { db, caller, id } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Erase>(&caller.actor(&store).await?)?;
            store.confirm_erasure(&grant, id, now()).await?;
            out!(
                "erasure {id} carried out: the record keeps its id, dates, status and the hash the log holds"
            );
            Ok(())
        }
        EraseCommand::List { db, caller } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Erase>(&caller.actor(&store).await?)?;
            print_json(&store.erasures(&grant, None).await?)
        }
    }
}

/// Runs an audit command.
pub async fn audit(command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Reads {
            db,
            caller,
            actor,
            person,
            action,
            since,
            limit,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Audit>(&caller.actor(&store).await?)?;
            let filter = ReadFilter {
                actor,
                person,
                action: action
                    .as_deref()
                    .map(str::parse::<ReadAction>)
                    .transpose()?,
                since_ms: since,
                limit,
            };
            print_json(&store.reads(&grant, &filter).await?)
        }
        AuditCommand::Flags { db, caller, since } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Audit>(&caller.actor(&store).await?)?;
            print_json(&store.read_flags(&grant, since).await?)
        }
    }
}
