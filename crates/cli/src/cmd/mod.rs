//! The commands of `homeward`: one module per capability, each with its arguments and the
//! function that runs it. Every command that reads or changes a store opens it once, with
//! the user of the token given (a [`Context`]), and calls one method of the application,
//! which decides access, audits and records; commands without a token are the local acts
//! of whoever holds the store, and say so in their events.

pub mod admin;
pub mod cases;
pub mod commission;
pub mod demo;
pub mod enquiries;
pub mod export;
pub mod import;
pub mod keys;
pub mod links;
pub mod log;
pub mod plans;
pub mod protection;
pub mod records;
pub mod register;
pub mod relay;
pub mod serve;
pub mod signed;
pub mod talks;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand};
use homeward_app::App;
use homeward_core::access::Actor;
use homeward_store::{Location, OpenMode, Store};

/// Registers, list exchange and exchange planning for the humanitarian track of peace talks.
#[derive(Debug, Parser)]
#[command(name = "homeward", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The `--db` option every store command takes.
#[derive(Debug, Args)]
pub struct Db {
    /// The store: a SQLite file path, or a postgres:// URL.
    #[arg(long, env = "HOMEWARD_DB", default_value = "homeward.db")]
    db: String,
}

impl Db {
    /// Where the store is.
    pub fn location(&self) -> anyhow::Result<Location> {
        Ok(self.db.parse()?)
    }

    /// Opens the store.
    pub async fn open(&self, mode: OpenMode) -> anyhow::Result<Store> {
        Ok(Store::open(&self.location()?, mode).await?)
    }

    /// The application over the store, which must exist.
    pub async fn app(&self) -> anyhow::Result<App> {
        Ok(App::new(self.open(OpenMode::MustExist).await?))
    }
}

/// The store and the user a command acts as: `--db` and `--token`, read once.
#[derive(Debug, Args)]
pub struct Context {
    #[command(flatten)]
    db: Db,
    /// An API token; its user's party and roles decide what the command may see and do.
    #[arg(long, env = "HOMEWARD_TOKEN", hide_env_values = true)]
    token: String,
}

impl Context {
    /// The store and the token's user, given apart.
    pub fn new(db: Db, token: String) -> Self {
        Context { db, token }
    }

    /// The application over the store, and the token's user as the store knows them.
    pub async fn open(&self) -> anyhow::Result<(App, Actor)> {
        let app = self.db.app().await?;
        let actor = signed_in(&app, &self.token).await?;
        Ok((app, actor))
    }
}

/// The user of `token`; an unknown or revoked token says what to do, any other failure
/// (the store's) is passed on as it is.
pub async fn signed_in(app: &App, token: &str) -> anyhow::Result<Actor> {
    match app.actor_by_token(token).await {
        Ok(actor) => Ok(actor),
        Err(homeward_core::Error::Unauthenticated) => Err(anyhow::Error::new(
            homeward_core::Error::Unauthenticated,
        )
        .context(
            "the token is not known to this store (or was revoked); create one with `homeward token create`",
        )),
        Err(e) => Err(e.into()),
    }
}

/// Prints a value as pretty JSON.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    out!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Reads a file named on the command line, naming it when it cannot be read.
pub fn read_file(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Creates (or empties) a file named on the command line, readable by its owner only
/// (0600): exports, proofs, bundles and pair lists carry personal data. A file written over
/// is narrowed to 0600 too, since what it holds now is the tool's.
pub fn create_file(path: &std::path::Path) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .with_context(|| format!("cannot restrict {} to its owner", path.display()))?;
    }
    Ok(file)
}

/// Creates a folder named on the command line (and its missing parents), readable by its
/// owner only (0700).
pub fn create_dir(path: &std::path::Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder
        .create(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Writes a file named on the command line, readable by its owner only (0600), naming it
/// when it cannot be written.
pub fn write_file(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = create_file(path)?;
    std::io::Write::write_all(&mut file, bytes)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// A failure already explained on stderr, one line per input; nothing more to print.
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("see the errors above")
    }
}

impl std::error::Error for Reported {}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a fresh demo store with the synthetic Istanbul 2025 scenario and serve it.
    Demo(demo::Demo),
    /// Serve the web pages and the JSON API.
    Serve(serve::Serve),
    /// Print the OpenAPI 3.1 document of the JSON API, as the server serves it at
    /// /api/v1/openapi.json.
    Openapi,
    /// Recompute every hash of the event log and report the first event that does not hold.
    Verify(log::Verify),
    /// Parties.
    #[command(subcommand)]
    Party(admin::PartyCommand),
    /// Users.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(admin::TokenCommand),
    /// Sign-in locks after failed attempts: list them, lift one.
    #[command(subcommand)]
    SignIn(admin::SignInCommand),
    /// The talks rounds the token's party took part in (JSON).
    Rounds(talks::Rounds),
    /// The commitments of those rounds with their fulfilment (JSON).
    Commitments(talks::Commitments),
    /// A page of the token's party's own register (JSON).
    Persons(register::Persons),
    /// Find the same people in two lists (CSV or workbooks), across scripts and spellings.
    Link(crate::link::Link),
    /// Find the same person entered twice in one list.
    Dedupe(crate::link::Dedupe),
    /// Write a synthetic request/holding list pair with its ground truth.
    Synth(crate::link::Synth),
    /// Romanise names by a standard, or read Latin names back into Cyrillic.
    Translit(crate::names::Translit),
    /// Parse names and compute their canonical keys.
    #[command(subcommand)]
    Names(crate::names::NamesCommand),
    /// Import a list file into the store: its bytes, its rows, and the people it gives.
    Import(import::Import),
    /// Export a list the token's party issued or received (its rows as imported), or its
    /// register filtered by category, status or source list. Spreadsheet formulas are
    /// neutralised; `print` writes a page to print and sign, with the SHA-256 on every page.
    Export(export::Export),
    /// Reconcile a request list with a holding list: propose links for review.
    Reconcile(links::Reconcile),
    /// The links waiting for review (or decided ones, with --show); with --decide, record
    /// a decision on one, or undo an earlier one.
    Review(links::Review),
    /// Find people entered twice in the token's party's register and suggest each pair for
    /// review. Nothing is merged; a reviewer links the pair, and can undo it.
    Duplicates(links::Duplicates),
    /// Plan an exchange commitment from the token's party's register (negotiators), or
    /// with --show print its current plan: stages, people, movements, parity, and what was
    /// left out and why.
    Plan(plans::Plan),
    /// The party's signing key: create it, show its public half, register, rotate, pin
    /// another party's key.
    #[command(subcommand)]
    Key(signed::KeyCommand),
    /// Sign a list the party issued (its SHA-256, row count and the root of its rows' Merkle
    /// tree) with the party's key, so that any one row can later be proven alone.
    SignList(signed::SignList),
    /// Write the proof that one row was on a signed list, without the other rows.
    Prove(signed::Prove),
    /// Check a row proof offline against the issuer's public key.
    VerifyProof(signed::VerifyProof),
    /// List bundles that travel between parties' servers: export a signed list with its
    /// proof, import one against the pinned key, or counter-sign one as a mediator.
    #[command(subcommand)]
    Bundle(signed::BundleCommand),
    /// Other parties' servers this one delivers lists to: add one, list them.
    #[command(subcommand)]
    Peer(relay::PeerCommand),
    /// Lists relayed through the mediator: what was sent, received and acknowledged; push
    /// what is due.
    #[command(subcommand)]
    Relay(relay::RelayCommand),
    /// Sign a tree head of the event log (its size and RFC 9162 root) with the party's key.
    Checkpoint(signed::Checkpoint),
    /// Record or change a talks round (negotiators).
    #[command(subcommand)]
    Round(talks::RoundCommand),
    /// Record a commitment of a round, propose to amend one, or answer an amendment
    /// (negotiators); terms as JSON, `kind` first.
    #[command(subcommand)]
    Commitment(talks::CommitmentCommand),
    /// Children's cases of a child-return commitment: open them from a children list,
    /// list them, move one a step.
    #[command(subcommand)]
    Children(cases::ChildrenCommand),
    /// Remains: batches handed over and received, identification, families told.
    #[command(subcommand)]
    Remains(cases::RemainsCommand),
    /// The local truces, overlapping or contradictory windows, and the remains recovered
    /// under each (JSON).
    Truces(cases::Truces),
    /// Open one record of the register (audited, with its purpose); a protected record's
    /// sensitive fields are masked for a reader without the protection or admin role.
    Person(protection::Person),
    /// Enter one record by hand (a family's call, a capture, remains found), with why and on
    /// what source (operators).
    Enter(records::Enter),
    /// Correct fields of a record, with why and on what source (operators); a correction of
    /// what a confirmed link was decided on puts the link back for review.
    Correct(records::Correct),
    /// A record's history of changes by hand, field by field (JSON; audited).
    History(records::History),
    /// Where a record's person has been: the list the record came from, its links and who
    /// decided them, every plan and stage it was placed in (JSON; audited).
    Story(records::History),
    /// Families' enquiries: taken on a call with the family's consent, listed with the news
    /// they have not been told, answered.
    #[command(subcommand)]
    Enquiry(enquiries::EnquiryCommand),
    /// The mixed medical commission: examinations of the prisoners the party holds and the
    /// commission's decisions by majority, which set their health for the exchange plan.
    #[command(subcommand)]
    Commission(commission::CommissionCommand),
    /// Mark a record protected (child, relatives_under_pressure, refused_repatriation,
    /// other), or lift the mark with `none`.
    Protect(protection::Protect),
    /// Record the purposes a family agreed its tracing request may serve: search,
    /// share_mediator, share_other_party (comma-separated; empty for none).
    Consent(protection::Consent),
    /// Restricted statuses: a death, a refusal of repatriation, harmful information —
    /// proposed, confirmed by a second person, released to lists by a negotiator.
    #[command(subcommand)]
    Restrict(protection::RestrictCommand),
    /// Erase a record's personal data: asked by one person, carried out by a second.
    Erase(protection::EraseArgs),
    /// The read audit: every read of the party's records, and unusual patterns.
    #[command(subcommand)]
    Audit(protection::AuditCommand),
    /// Retention periods per category and status.
    #[command(subcommand)]
    Retention(protection::RetentionCommand),
    /// Execute a stage: record a handover, a receipt or a withdrawal; record why parity was
    /// broken; or (the mediator) close the stage.
    #[command(subcommand)]
    Stage(plans::StageCommand),
    /// A plan agreed between the sides' own servers: propose it, accept it, co-sign it and
    /// close its stages (the mediator), each step a signed statement through the relay.
    #[command(subcommand)]
    SharedPlan(plans::SharedPlanCommand),
    /// Find people in the token's party's register from any spelling of a name.
    Search(register::Search),
    /// The latest events of the token's party (auditors; JSON lines).
    Events(log::Events),
}
