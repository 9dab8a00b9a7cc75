//! The commands of `homeward`, each a thin call into the libraries.

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use homeward_core::access::ReviewLinks;
use homeward_core::access::{
    Actor, Administer, Audit, Grant, ReadRegister, ReadTalks, Role, authorize,
};
use homeward_core::party::{Party, PartyCode, PartyKind};
use homeward_server::{AppState, HashCost, hash_password, now_ms};
use homeward_store::{Location, OpenMode, Store};
use std::net::SocketAddr;

/// Registers, list exchange and exchange planning for the humanitarian track of peace talks.
#[derive(Debug, Parser)]
#[command(name = "homeward", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The `--db` option every store command takes.
#[derive(Debug, Args)]
pub struct Db {
    /// The store: a SQLite file path, or a postgres:// URL.
    #[arg(long, env = "HOMEWARD_DB", default_value = "homeward.db")]
    db: String,
}

impl Db {
    fn location(&self) -> anyhow::Result<Location> {
        Ok(self.db.parse()?)
    }

    pub async fn open(&self, mode: OpenMode) -> anyhow::Result<Store> {
        Ok(Store::open(&self.location()?, mode).await?)
    }
}

#[derive(Debug, Args)]
pub struct Caller {
    /// An API token; its user's party and roles decide what the command may see.
    #[arg(long, env = "HOMEWARD_TOKEN", hide_env_values = true)]
    token: String,
}

impl Caller {
    /// The user whose token was given, as the store knows them.
    pub async fn actor(&self, store: &Store) -> anyhow::Result<Actor> {
        store
            .actor_by_token(&self.token)
            .await?
            .context("the token is not known to this store (or was revoked); create one with `homeward token create`")
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a fresh demo store with the synthetic Istanbul 2025 scenario and serve it.
    Demo {
        /// The SQLite file to create (an existing demo store there is replaced).
        #[arg(long, default_value = "homeward-demo.db")]
        db: String,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Size of the synthetic registers relative to the full demo (1.0 ≈ 8,700 records).
        #[arg(long, default_value_t = 1.0)]
        scale: f64,
        /// Seed the store and exit without serving.
        #[arg(long)]
        no_serve: bool,
    },
    /// Serve the web pages and the JSON API.
    Serve {
        #[command(flatten)]
        db: Db,
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// The party's secret key file, for signing lists, tree heads and counter-signatures
        /// from the API and the pages; or set HOMEWARD_KEY. Without one the server signs
        /// nothing.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// Recompute every hash of the event log and report the first event that does not hold.
    Verify {
        #[command(flatten)]
        db: Db,
        /// Check this exported file instead of a store: a list bundle or a row proof.
        #[arg(long, requires = "key")]
        file: Option<std::path::PathBuf>,
        /// The issuer's public key the file must be signed with (with --file).
        #[arg(long)]
        key: Option<String>,
    },
    /// Parties.
    #[command(subcommand)]
    Party(PartyCommand),
    /// Users.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The talks rounds the token's party took part in (JSON).
    Rounds {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
    },
    /// The commitments of those rounds with their fulfilment (JSON).
    Commitments {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
    },
    /// A page of the token's party's own register (JSON).
    Persons {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// Only this category: pow, civilian, child or remains.
        #[arg(long)]
        category: Option<String>,
        /// Only this status: missing, in_custody, held, returned or deceased.
        #[arg(long)]
        status: Option<String>,
        /// Only records imported from this list.
        #[arg(long)]
        list: Option<i64>,
        /// Page number, from 1.
        #[arg(long, default_value_t = 1)]
        page: i64,
        /// Records per page (1–500).
        #[arg(long, default_value_t = 50)]
        per_page: i64,
    },
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
    Import(crate::import::Import),
    /// Export a list the token's party issued or received (its rows as imported), or its
    /// register filtered by category, status or source list. Spreadsheet formulas are
    /// neutralised; `print` writes a page to print and sign, with the SHA-256 on every page.
    Export {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The list to export.
        #[arg(long, conflicts_with_all = ["register", "links"], required_unless_present_any = ["register", "links"])]
        list: Option<i64>,
        /// Export the register instead of a list.
        #[arg(long, conflicts_with = "links")]
        register: bool,
        /// Export the links with this decision (candidate, confirmed, rejected; reviewers),
        /// each with both records and who decided.
        #[arg(long)]
        links: Option<String>,
        /// Register: only this category (pow, civilian, child, remains).
        #[arg(long, requires = "register")]
        category: Option<String>,
        /// Register: only this status (missing, in_custody, held, returned, deceased).
        #[arg(long, requires = "register")]
        status: Option<String>,
        /// Register: only records imported from this list.
        #[arg(long, requires = "register")]
        from_list: Option<i64>,
        /// Register, PFIF: the domain that names this register in record ids.
        #[arg(long, requires = "register")]
        domain: Option<String>,
        /// csv, xlsx, json, pfif (register only) or print.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Encrypt the export to this age public key (age1…) of its recipient.
        #[arg(long)]
        recipient: Option<String>,
        /// Encrypt it with the passphrase in this environment variable (never on the
        /// command line, where others could read it).
        #[arg(long)]
        passphrase_env: Option<String>,
        /// An admin allows this one export to show protected records unencrypted.
        #[arg(long)]
        allow_unprotected: bool,
        /// Where to write.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Reconcile a request list with a holding list: propose links for review.
    Reconcile {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The party's own request list.
        #[arg(long)]
        request: i64,
        /// The holding list it received.
        #[arg(long)]
        holding: i64,
        /// Pairs below this probability are dropped.
        #[arg(long, default_value_t = 0.5)]
        lower: f64,
        /// Pairs at or above this probability are marked likely (still to be confirmed).
        #[arg(long, default_value_t = 0.95)]
        upper: f64,
    },
    /// The links waiting for review (or decided ones, with --show); with --decide, record
    /// a decision on one, or undo an earlier one.
    Review {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The link to decide.
        #[arg(long, requires = "decision")]
        decide: Option<i64>,
        /// accept, reject, unsure, or undo (withdraw the decision: back to the queue).
        #[arg(long = "as")]
        decision: Option<String>,
        /// Which links to list: candidate, confirmed or rejected.
        #[arg(long, default_value = "candidate")]
        show: String,
        /// Only duplicates inside the register.
        #[arg(long)]
        duplicates: bool,
    },
    /// Find people entered twice in the token's party's register and suggest each pair for
    /// review. Nothing is merged; a reviewer links the pair, and can undo it.
    Duplicates {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// Only this category: pow, civilian, child or remains.
        #[arg(long)]
        category: Option<String>,
        /// Pairs below this probability are dropped.
        #[arg(long, default_value_t = 0.5)]
        lower: f64,
        /// Pairs at or above this probability are marked likely (still to be confirmed).
        #[arg(long, default_value_t = 0.95)]
        upper: f64,
    },
    /// Plan an exchange commitment from the token's party's register (negotiators), or
    /// with --show print its current plan: stages, people, movements, parity, and what was
    /// left out and why.
    Plan {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The commitment.
        #[arg(long)]
        commitment: i64,
        /// People each way in one stage.
        #[arg(long, required_unless_present = "show")]
        stage_size: Option<u32>,
        /// Stage dates in order, comma-separated (YYYY-MM-DD).
        #[arg(long, value_delimiter = ',')]
        dates: Vec<String>,
        /// Plan the extra tranche too.
        #[arg(long)]
        extra: bool,
        /// Print the current plan instead of making one.
        #[arg(long)]
        show: bool,
    },
    /// The party's signing key: create it, show its public half, register, rotate, pin
    /// another party's key.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Sign a list the party issued (its SHA-256, row count and the root of its rows' Merkle
    /// tree) with the party's key, so that any one row can later be proven alone.
    SignList {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The list.
        #[arg(long)]
        list: i64,
        /// The secret key file (mode 0600); or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// Write the proof that one row was on a signed list, without the other rows.
    Prove {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The list.
        #[arg(long)]
        list: i64,
        /// The row's line in the list's file.
        #[arg(long)]
        row: i64,
        /// Where to write the proof (JSON).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check a row proof offline against the issuer's public key.
    VerifyProof {
        /// The proof file (or a list bundle).
        proof: std::path::PathBuf,
        /// The issuer's public key, 64 hex digits.
        #[arg(long)]
        key: String,
    },
    /// List bundles that travel between parties' servers: export a signed list with its
    /// proof, import one against the pinned key, or counter-sign one as a mediator.
    #[command(subcommand)]
    Bundle(BundleCommand),
    /// Sign a tree head of the event log (its size and RFC 9162 root) with the party's key.
    Checkpoint {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The secret key file (mode 0600); or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// Record or change a talks round (negotiators).
    #[command(subcommand)]
    Round(RoundCommand),
    /// Record or change a commitment of a round (negotiators); terms as JSON, `kind` first.
    #[command(subcommand)]
    Commitment(CommitmentCommand),
    /// Children's cases of a child-return commitment: open them from a children list,
    /// list them, move one a step.
    #[command(subcommand)]
    Children(ChildrenCommand),
    /// Remains: batches handed over and received, identification, families told.
    #[command(subcommand)]
    Remains(RemainsCommand),
    /// The local truces, overlapping or contradictory windows, and the remains recovered
    /// under each (JSON).
    Truces {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
    },
    /// Open one record of the register (audited, with its purpose); a protected record's
    /// sensitive fields are masked for a reader without the protection or admin role.
    Person {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The record.
        id: i64,
        /// Why it is opened, e.g. "hotline call" (kept in the read audit).
        #[arg(long)]
        purpose: Option<String>,
    },
    /// Mark a record protected (child, relatives_under_pressure, refused_repatriation,
    /// other), or lift the mark with `none`.
    Protect {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The record.
        #[arg(long)]
        person: i64,
        /// Why it is protected, or none.
        #[arg(long = "as")]
        why: String,
    },
    /// Record the purposes a family agreed its tracing request may serve: search,
    /// share_mediator, share_other_party (comma-separated; empty for none).
    Consent {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The record.
        #[arg(long)]
        person: i64,
        /// The purposes.
        #[arg(long, default_value = "")]
        purposes: String,
    },
    /// Restricted statuses: a death, a refusal of repatriation, harmful information —
    /// proposed, confirmed by a second person, released to lists by a negotiator.
    #[command(subcommand)]
    Restrict(crate::protection::RestrictCommand),
    /// Erase a record's personal data: asked by one person, carried out by a second.
    Erase(crate::protection::EraseArgs),
    /// The read audit: every read of the party's records, and unusual patterns.
    #[command(subcommand)]
    Audit(crate::protection::AuditCommand),
    /// Retention periods per category and status.
    #[command(subcommand)]
    Retention(crate::protection::RetentionCommand),
    /// Execute a stage: record a handover, a receipt or a withdrawal; record why parity was
    /// broken; or (the mediator) close the stage.
    #[command(subcommand)]
    Stage(StageCommand),
    /// Find people in the token's party's register from any spelling of a name.
    Search {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// A name in any order, script and spelling.
        text: String,
        /// Only people born then (YYYY, YYYY-MM or YYYY-MM-DD).
        #[arg(long)]
        born: Option<String>,
        /// Most hits.
        #[arg(long, default_value_t = 20)]
        limit: i64,
        /// Why the search is made (kept in the read audit with every hit).
        #[arg(long)]
        purpose: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The latest events of the token's party (auditors; JSON lines).
    Events {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// How many events.
        #[arg(long, default_value_t = 50)]
        limit: i64,
    },
}

/// A round's facts, as flags.
#[derive(Debug, clap::Args)]
struct RoundArgs {
    /// E.g. "Istanbul, second round".
    #[arg(long)]
    title: String,
    /// Date, YYYY-MM-DD.
    #[arg(long)]
    held_on: String,
    /// Building or place.
    #[arg(long, default_value = "")]
    venue: String,
    /// City.
    #[arg(long, default_value = "")]
    city: String,
    /// The mediating party.
    #[arg(long)]
    mediator: Option<String>,
    /// A delegation, `PARTY:head of delegation`; repeat for each.
    #[arg(long = "delegation")]
    delegations: Vec<String>,
    /// Free notes.
    #[arg(long, default_value = "")]
    notes: String,
}

impl RoundArgs {
    fn round(&self) -> anyhow::Result<homeward_store::NewRound> {
        let delegations = self
            .delegations
            .iter()
            .map(|d| {
                let (party, head) = d.split_once(':').with_context(|| {
                    format!("--delegation {d:?}: write PARTY:head of delegation")
                })?;
                Ok(homeward_core::talks::Delegation {
                    party: party.trim().parse()?,
                    head: head.trim().to_owned(),
                    size: None,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(homeward_store::NewRound {
            title: self.title.clone(),
            held_on: self.held_on.clone(),
            venue: self.venue.clone(),
            city: self.city.clone(),
            mediator: self.mediator.as_deref().map(str::parse).transpose()?,
            notes: self.notes.clone(),
            delegations,
        })
    }
}

/// Rounds.
#[derive(Debug, Subcommand)]
enum RoundCommand {
    /// Record a round the token's party took part in or mediated; prints its id.
    Add {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        #[command(flatten)]
        round: RoundArgs,
    },
    /// Change a round the token's party recorded.
    Edit {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The round.
        #[arg(long = "id")]
        id: i64,
        #[command(flatten)]
        round: RoundArgs,
    },
}

/// Commitments.
#[derive(Debug, Subcommand)]
enum CommitmentCommand {
    /// Record a commitment of a round; prints its id.
    Add {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The round.
        #[arg(long)]
        round: i64,
        /// The title, as the communiqué words it.
        #[arg(long)]
        title: String,
        /// The two sides, e.g. UA,RU.
        #[arg(long, value_delimiter = ',', required = true)]
        sides: Vec<String>,
        /// The terms as JSON, e.g. '{"kind":"local_truce","min_days":2,"max_days":3,"purpose":"…","sector":null,"start":null}'.
        #[arg(long)]
        terms: String,
    },
    /// Change a commitment's title and terms (its kind and sides stay).
    Edit {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The commitment.
        #[arg(long = "id")]
        id: i64,
        /// The title.
        #[arg(long)]
        title: String,
        /// The terms as JSON, of the same kind.
        #[arg(long)]
        terms: String,
    },
}

/// Bundles.
#[derive(Debug, Subcommand)]
enum BundleCommand {
    /// Write one self-contained file for a list the party issued and signed: original bytes,
    /// rows, signature, a signed tree head and the inclusion proof of the list's event.
    Export {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The bundle file.
        file: std::path::PathBuf,
    },
    /// Counter-sign a bundle as the mediator that received it, after checking it like an
    /// import against the key pinned for its issuer; the mediator's store keeps the
    /// counter-signature and the issuer's tree head (not the rows). Writes the
    /// counter-signed bundle, which both parties then import.
    Countersign {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
enum KeyCommand {
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The secret key file; or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// Rotate: a new key in --out, vouched for by the current one, which is retired.
    Rotate {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
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
        db: Db,
        #[command(flatten)]
        caller: Caller,
    },
}

/// Remains.
#[derive(Debug, Subcommand)]
enum RemainsCommand {
    /// The batches of a remains-return commitment (JSON).
    Batches {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The commitment.
        #[arg(long)]
        commitment: i64,
    },
    /// Record a batch handed over by the token's party, with its manifest; prints its id.
    Batch {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The commitment.
        #[arg(long)]
        commitment: i64,
        /// The day of the handover, YYYY-MM-DD.
        #[arg(long)]
        on: String,
        /// Bodies in the batch.
        #[arg(long)]
        bodies: i64,
        /// Tags on the manifest, comma-separated.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
    },
    /// Record a batch received (the receiving party), with the bodies counted.
    Receive {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The batch.
        #[arg(long)]
        batch: i64,
        /// Bodies counted.
        #[arg(long)]
        bodies: i64,
    },
    /// A step of identification: presumptive (with --missing), dna_confirmed, unidentified.
    Identify {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The remains' record.
        #[arg(long)]
        person: i64,
        /// presumptive, dna_confirmed or unidentified.
        #[arg(long = "as")]
        identification: String,
        /// The missing person's record they are identified as.
        #[arg(long)]
        missing: Option<i64>,
    },
    /// Record that the family of a person identified as dead was told.
    Notified {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The missing person's record.
        #[arg(long)]
        person: i64,
    },
}

/// Children's cases.
#[derive(Debug, Subcommand)]
enum ChildrenCommand {
    /// Open one case per child on a children list (negotiators), marking the ones the other
    /// side agreed to work on.
    Open {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The child-return commitment.
        #[arg(long)]
        commitment: i64,
        /// The party's children list.
        #[arg(long)]
        list: i64,
        /// The agreed children's records, comma-separated.
        #[arg(long, value_delimiter = ',')]
        agreed: Vec<i64>,
    },
    /// The cases of a commitment (JSON).
    List {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The child-return commitment.
        #[arg(long)]
        commitment: i64,
    },
    /// Move a case one step (or back one, with --note).
    Step {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The child's record.
        #[arg(long)]
        person: i64,
        /// located, verified, return_agreed, returned or reunited.
        #[arg(long = "to")]
        state: String,
        /// Why (needed to go back).
        #[arg(long)]
        note: Option<String>,
    },
}

/// Stage execution.
#[derive(Debug, Subcommand)]
enum StageCommand {
    /// Move a person of the stage on: handed_over (the holding party), received (the
    /// receiving party) or withdrawn with --reason (either).
    Move {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The stage.
        #[arg(long)]
        stage: i64,
        /// The person's record, as the plan shows it.
        #[arg(long)]
        person: i64,
        /// handed_over, received or withdrawn.
        #[arg(long = "to")]
        movement: String,
        /// Why withdrawn.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record why the stage's parity is broken (a negotiator of a side).
    Note {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The stage.
        #[arg(long)]
        stage: i64,
        /// The reason.
        #[arg(long)]
        note: String,
    },
    /// Co-confirm and close the stage (the mediator).
    Close {
        #[command(flatten)]
        db: Db,
        #[command(flatten)]
        caller: Caller,
        /// The stage.
        #[arg(long)]
        stage: i64,
    },
}

#[derive(Debug, Subcommand)]
enum PartyCommand {
    /// Register a party (creates the store if it does not exist).
    Add {
        #[command(flatten)]
        db: Db,
        /// Short code, e.g. UA.
        #[arg(long)]
        code: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// belligerent, mediator or observer.
        #[arg(long, default_value = "belligerent")]
        kind: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create a user of a party. The password, if any, is read from the environment
    /// variable HOMEWARD_PASSWORD so that it stays out of the shell history.
    Create {
        #[command(flatten)]
        db: Db,
        /// The user's party.
        #[arg(long)]
        party: String,
        /// Login name.
        #[arg(long)]
        name: String,
        /// Roles, comma-separated: viewer, operator, reviewer, negotiator, auditor, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Print a new API token for a user of PARTY with ROLE (the user PARTY-ROLE is created
    /// if it does not exist).
    Create {
        #[command(flatten)]
        db: Db,
        /// The party.
        #[arg(long)]
        party: String,
        /// The role the token's user holds.
        #[arg(long)]
        role: String,
        /// The user to issue it to (default: the party code and role, e.g. ua-operator).
        #[arg(long)]
        user: Option<String>,
    },
}

pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    out!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
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

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Demo {
            db,
            addr,
            scale,
            no_serve,
        } => demo(&db, addr, scale, no_serve).await,
        Command::Link(args) => crate::link::link(args),
        Command::Reconcile {
            db,
            caller,
            request,
            holding,
            lower,
            upper,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            let (read, review) = (
                authorize::<ReadRegister>(&actor)?,
                authorize::<ReviewLinks>(&actor)?,
            );
            let report = homeward_server::reconcile::reconcile(
                &store,
                &read,
                &review,
                request,
                holding,
                lower,
                upper,
                now_ms(),
            )
            .await?;
            print_json(&report)
        }
        Command::Review {
            db,
            caller,
            decide,
            decision,
            show,
            duplicates,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            let review = authorize::<ReviewLinks>(&actor)?;
            if let (Some(link), Some(decision)) = (decide, decision) {
                let outcome = store
                    .decide_link(&review, link, decision.parse()?, now_ms())
                    .await?;
                return print_json(&outcome);
            }
            let read = authorize::<ReadRegister>(&actor)?;
            let filter = homeward_store::LinkFilter {
                decision: Some(&show),
                person: None,
                duplicates: duplicates.then_some(true),
            };
            for l in store.links(&review, filter).await? {
                let person = store.person(&read, l.person_id).await?;
                let other = match (l.other_person, l.other_list, l.other_row) {
                    (Some(p), _, _) => format!("register record {p}"),
                    (None, Some(list), Some(row)) => format!("list {list} row {row}"),
                    _ => String::new(),
                };
                out!(
                    "{}\t{:.3}\t{}\t{}\t{}",
                    l.id,
                    l.probability,
                    person.record.full_name(),
                    other,
                    l.evidence
                );
            }
            Ok(())
        }
        Command::Duplicates {
            db,
            caller,
            category,
            lower,
            upper,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            let (read, review) = (
                authorize::<ReadRegister>(&actor)?,
                authorize::<ReviewLinks>(&actor)?,
            );
            let filter = homeward_store::PersonFilter {
                category: category.as_deref().map(str::parse).transpose()?,
                ..Default::default()
            };
            let report = homeward_server::reconcile::find_duplicates(
                &store,
                &read,
                &review,
                &filter,
                lower,
                upper,
                now_ms(),
            )
            .await?;
            print_json(&report)
        }
        Command::Export {
            db,
            caller,
            list,
            register,
            links,
            category,
            status,
            from_list,
            domain,
            format,
            recipient,
            passphrase_env,
            allow_unprotected,
            out,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            let grant = authorize::<ReadRegister>(&actor)?;
            let format: homeward_server::export::ExportFormat = format.parse()?;
            let mut protection = homeward_server::api::export_protection(
                &actor,
                recipient.as_deref(),
                Some(allow_unprotected),
                None,
            )?;
            if let Some(var) = passphrase_env {
                protection.passphrase = Some(std::env::var(&var).with_context(|| {
                    format!("--passphrase-env {var}: the variable {var} is not set")
                })?);
            }
            let export = match (list, links) {
                (Some(list), _) => {
                    homeward_server::export::export_list(
                        &store,
                        &grant,
                        list,
                        format,
                        &protection,
                        now_ms(),
                    )
                    .await?
                }
                (None, Some(decision)) if !register => {
                    let review = authorize::<ReviewLinks>(&caller.actor(&store).await?)?;
                    let filter = homeward_store::LinkFilter {
                        decision: Some(&decision),
                        ..Default::default()
                    };
                    homeward_server::export::export_links(
                        &store,
                        &grant,
                        &review,
                        filter,
                        format,
                        now_ms(),
                    )
                    .await?
                }
                _ => {
                    let filter = homeward_store::PersonFilter {
                        category: category.as_deref().map(str::parse).transpose()?,
                        status: status.as_deref().map(str::parse).transpose()?,
                        source_list: from_list,
                        ..Default::default()
                    };
                    homeward_server::export::export_register(
                        &store,
                        &grant,
                        &filter,
                        format,
                        domain.as_deref(),
                        &protection,
                        now_ms(),
                    )
                    .await?
                }
            };
            std::fs::write(&out, &export.bytes)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!(
                "{} rows written to {} (SHA-256 {})",
                export.rows,
                out.display(),
                export.sha256
            );
            Ok(())
        }
        Command::Import(args) => crate::import::import(args).await,
        Command::Plan {
            db,
            caller,
            commitment,
            stage_size,
            dates,
            extra,
            show,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            if show {
                let grant = authorize::<ReadTalks>(&actor)?;
                return print_json(&store.plan_of(&grant, commitment).await?);
            }
            let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
            let params = homeward_server::plans::PlanParams {
                stage_size: stage_size.unwrap_or(0),
                stage_dates: dates,
                include_extra: extra,
            };
            let report =
                homeward_server::plans::make_plan(&store, &grant, commitment, &params, now_ms())
                    .await?;
            print_json(&report)
        }
        Command::Round(RoundCommand::Add { db, caller, round }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteTalks>(&caller.actor(&store).await?)?;
            let id = store.add_round(&grant, &round.round()?, now_ms()).await?;
            out!("{id}");
            Ok(())
        }
        Command::Round(RoundCommand::Edit {
            db,
            caller,
            id,
            round,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteTalks>(&caller.actor(&store).await?)?;
            store
                .update_round(&grant, id, &round.round()?, now_ms())
                .await?;
            out!("round {id} changed");
            Ok(())
        }
        Command::Commitment(CommitmentCommand::Add {
            db,
            caller,
            round,
            title,
            sides,
            terms,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteTalks>(&caller.actor(&store).await?)?;
            let [a, b] = <[String; 2]>::try_from(sides)
                .map_err(|_| anyhow::anyhow!("--sides takes two party codes, e.g. UA,RU"))?;
            let terms: homeward_core::talks::Terms =
                serde_json::from_str(&terms).map_err(|e| anyhow::anyhow!("--terms: {e}"))?;
            let id = store
                .add_commitment(
                    &grant,
                    round,
                    &title,
                    &[a.parse()?, b.parse()?],
                    &terms,
                    now_ms(),
                )
                .await?;
            out!("{id}");
            Ok(())
        }
        Command::Commitment(CommitmentCommand::Edit {
            db,
            caller,
            id,
            title,
            terms,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteTalks>(&caller.actor(&store).await?)?;
            let terms: homeward_core::talks::Terms =
                serde_json::from_str(&terms).map_err(|e| anyhow::anyhow!("--terms: {e}"))?;
            store
                .update_commitment(&grant, id, &title, &terms, now_ms())
                .await?;
            out!("commitment {id} changed");
            Ok(())
        }
        Command::Children(ChildrenCommand::Open {
            db,
            caller,
            commitment,
            list,
            agreed,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteTalks>(&caller.actor(&store).await?)?;
            let n = store
                .open_child_cases(&grant, commitment, list, &agreed, now_ms())
                .await?;
            out!("{n} cases opened");
            Ok(())
        }
        Command::Children(ChildrenCommand::List {
            db,
            caller,
            commitment,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
            print_json(&store.child_cases(&grant, commitment).await?)
        }
        Command::Children(ChildrenCommand::Step {
            db,
            caller,
            person,
            state,
            note,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::RecordMovements>(&caller.actor(&store).await?)?;
            store
                .step_child_case(&grant, person, state.parse()?, note.as_deref(), now_ms())
                .await?;
            out!("person {person}: {state}");
            Ok(())
        }
        Command::Remains(RemainsCommand::Batches {
            db,
            caller,
            commitment,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadTalks>(&caller.actor(&store).await?)?;
            print_json(&store.batches(&grant, commitment).await?)
        }
        Command::Remains(RemainsCommand::Batch {
            db,
            caller,
            commitment,
            on,
            bodies,
            tags,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::RecordMovements>(&caller.actor(&store).await?)?;
            let id = store
                .record_batch(&grant, commitment, &on, bodies, &tags, now_ms())
                .await?;
            out!("{id}");
            Ok(())
        }
        Command::Remains(RemainsCommand::Receive {
            db,
            caller,
            batch,
            bodies,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::RecordMovements>(&caller.actor(&store).await?)?;
            let n = store
                .receive_batch(&grant, batch, bodies, false, now_ms())
                .await?;
            out!("batch {batch}: {bodies} bodies counted, {n} remains registered");
            Ok(())
        }
        Command::Remains(RemainsCommand::Identify {
            db,
            caller,
            person,
            identification,
            missing,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteRegister>(&caller.actor(&store).await?)?;
            store
                .identify_remains(&grant, person, identification.parse()?, missing, now_ms())
                .await?;
            out!("remains {person}: {identification}");
            Ok(())
        }
        Command::Remains(RemainsCommand::Notified { db, caller, person }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteRegister>(&caller.actor(&store).await?)?;
            store.family_notified(&grant, person, now_ms()).await?;
            out!("person {person}: family told");
            Ok(())
        }
        Command::Key(KeyCommand::Create { out }) => {
            let key = crate::keys::create(&out)?;
            out!("{}", key.public_hex());
            Ok(())
        }
        Command::Key(KeyCommand::Show { key }) => {
            out!("{}", crate::keys::load(key.as_deref())?.public_hex());
            Ok(())
        }
        Command::Key(KeyCommand::Register { db, caller, key }) => {
            let key = crate::keys::load(key.as_deref())?;
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Administer>(&caller.actor(&store).await?)?;
            let party = grant.party().clone();
            store
                .add_key(&grant, &party, &key.public_hex(), now_ms())
                .await?;
            out!("{party}: key {} registered", key.public_hex());
            Ok(())
        }
        Command::Key(KeyCommand::Rotate {
            db,
            caller,
            key,
            out,
        }) => {
            let old = crate::keys::load(key.as_deref())?;
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Administer>(&caller.actor(&store).await?)?;
            let new = crate::keys::create(&out)?;
            if let Err(e) = store
                .rotate_key(&grant, &old, &new.public_hex(), now_ms())
                .await
            {
                // The new key was not taken: do not leave it lying about.
                let _ = std::fs::remove_file(&out);
                return Err(e.into());
            }
            out!("{}", new.public_hex());
            Ok(())
        }
        Command::Key(KeyCommand::Pin {
            db,
            caller,
            party,
            public,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Administer>(&caller.actor(&store).await?)?;
            let party: PartyCode = party.parse()?;
            if &party == grant.party() {
                bail!("{party} is this party: register its own key with `homeward key register`");
            }
            store.add_key(&grant, &party, &public, now_ms()).await?;
            out!("{party}: key {} pinned", public.trim());
            Ok(())
        }
        Command::Key(KeyCommand::List { db, caller }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Audit>(&caller.actor(&store).await?)?;
            print_json(&store.keys(&grant).await?)
        }
        Command::SignList {
            db,
            caller,
            list,
            key,
        } => {
            let key = crate::keys::load(key.as_deref())?;
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Administer>(&caller.actor(&store).await?)?;
            let root = store.sign_list(&grant, list, &key, now_ms()).await?;
            out!("list {list} signed; row root {root}");
            Ok(())
        }
        Command::Prove {
            db,
            caller,
            list,
            row,
            out,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
            let proof = store.prove_row(&grant, list, row, now_ms()).await?;
            std::fs::write(&out, proof.to_file().map_err(anyhow::Error::msg)?)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!(
                "the proof of line {row} of list {list} is in {}",
                out.display()
            );
            Ok(())
        }
        Command::VerifyProof { proof, key } => {
            out!("{}", verify_document(&proof, &key)?);
            Ok(())
        }
        Command::Bundle(BundleCommand::Export {
            db,
            caller,
            list,
            out,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
            let bundle = store.export_bundle(&grant, list).await?;
            std::fs::write(&out, bundle.to_file().map_err(anyhow::Error::msg)?)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!(
                "list {list}: {} rows, tree head of {} events, written to {}",
                bundle.rows.len(),
                bundle.tree_head.size,
                out.display()
            );
            Ok(())
        }
        Command::Bundle(BundleCommand::Import { db, caller, file }) => {
            let bundle = read_bundle(&file)?;
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteRegister>(&caller.actor(&store).await?)?;
            let id = store
                .import_bundle(&grant, &bundle, now_ms())
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            out!(
                "list {id}: {} rows of {}'s list {} imported, verified against its pinned key",
                bundle.rows.len(),
                bundle.issuer,
                bundle.sha256
            );
            Ok(())
        }
        Command::Bundle(BundleCommand::Countersign {
            db,
            caller,
            file,
            key,
            out,
        }) => {
            let bundle = read_bundle(&file)?;
            let key = crate::keys::load(key.as_deref())?;
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Administer>(&caller.actor(&store).await?)?;
            let signed = store
                .countersign_bundle(&grant, &bundle, &key, now_ms())
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}; not counter-signed", file.display()))?;
            std::fs::write(&out, signed.to_file().map_err(anyhow::Error::msg)?)
                .with_context(|| format!("cannot write {}", out.display()))?;
            out!(
                "{}'s list {} counter-signed by {} ({})",
                bundle.issuer,
                bundle.sha256,
                grant.party(),
                key.public_hex()
            );
            Ok(())
        }
        Command::Checkpoint { db, caller, key } => {
            let key = crate::keys::load(key.as_deref())?;
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Administer>(&caller.actor(&store).await?)?;
            print_json(&store.sign_tree_head(&grant, &key, now_ms()).await?)
        }
        Command::Person {
            db,
            caller,
            id,
            purpose,
        } => crate::protection::person(db, caller, id, purpose).await,
        Command::Protect {
            db,
            caller,
            person,
            why,
        } => crate::protection::protect(db, caller, person, &why).await,
        Command::Consent {
            db,
            caller,
            person,
            purposes,
        } => crate::protection::consent(db, caller, person, &purposes).await,
        Command::Restrict(c) => crate::protection::restrict(c).await,
        Command::Erase(c) => crate::protection::erase(c).await,
        Command::Audit(c) => crate::protection::audit(c).await,
        Command::Retention(c) => crate::protection::retention(c).await,
        Command::Truces { db, caller } => {
            let store = db.open(OpenMode::MustExist).await?;
            let actor = caller.actor(&store).await?;
            let talks = authorize::<ReadTalks>(&actor)?;
            let read = authorize::<ReadRegister>(&actor).ok();
            print_json(&store.truces(&talks, read.as_ref()).await?)
        }
        Command::Stage(StageCommand::Move {
            db,
            caller,
            stage,
            person,
            movement,
            reason,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::RecordMovements>(&caller.actor(&store).await?)?;
            store
                .move_person(
                    &grant,
                    stage,
                    person,
                    movement.parse()?,
                    reason.as_deref(),
                    now_ms(),
                )
                .await?;
            out!("stage {stage}: person {person} {movement}");
            Ok(())
        }
        Command::Stage(StageCommand::Note {
            db,
            caller,
            stage,
            note,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteTalks>(&caller.actor(&store).await?)?;
            store.note_parity(&grant, stage, &note, now_ms()).await?;
            out!("stage {stage}: parity note recorded");
            Ok(())
        }
        Command::Stage(StageCommand::Close { db, caller, stage }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant =
                authorize::<homeward_core::access::WriteTalks>(&caller.actor(&store).await?)?;
            let parity = store.close_stage(&grant, stage, now_ms()).await?;
            print_json(&parity)
        }
        Command::Search {
            db,
            caller,
            text,
            born,
            limit,
            purpose,
            json,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
            let purpose = homeward_server::api::purpose_or(purpose.as_deref(), "search");
            let params = homeward_server::api::SearchParams {
                q: text,
                born,
                limit: Some(limit),
                purpose: None,
            };
            let hits = store
                .find(&grant, &params.query()?, &purpose, now_ms())
                .await?;
            if json {
                return print_json(&hits);
            }
            for h in &hits {
                let r = &h.person.record;
                let born = r.birth_date.map(|d| d.to_string()).unwrap_or_default();
                out!(
                    "{}\t{}\t{born}\t{}\t{}",
                    h.person.id,
                    r.full_name(),
                    h.score,
                    h.agreed
                );
            }
            if hits.is_empty() {
                eprintln!("no one found");
            }
            Ok(())
        }
        Command::Dedupe(args) => crate::link::dedupe(args),
        Command::Synth(args) => crate::link::synth(args),
        Command::Translit(args) => {
            if !crate::names::translit(args)? {
                return Err(Reported.into());
            }
            Ok(())
        }
        Command::Names(command) => {
            if !crate::names::names(command)? {
                return Err(Reported.into());
            }
            Ok(())
        }
        Command::Serve { db, addr, key } => {
            let key = crate::keys::load_if_given(key.as_deref())?;
            let store = db.open(OpenMode::MustExist).await?;
            let location = db.location()?;
            let state = match key {
                Some(key) => AppState::new(store).with_key(key),
                None => AppState::new(store),
            };
            homeward_server::serve(state, addr, |bound| {
                out!("homeward serving {location} at http://{bound}/");
            })
            .await?;
            Ok(())
        }
        Command::Verify { db, file, key } => {
            if let (Some(file), Some(key)) = (file, key) {
                out!("{}", verify_document(&file, &key)?);
                return Ok(());
            }
            let store = db.open(OpenMode::MustExist).await?;
            let report = store.verify_log().await?;
            match report.first_break {
                None => {
                    let heads = store.verify_tree_heads().await?;
                    if let Some(problem) = heads.problem {
                        bail!(
                            "the event log's hash chain holds, but its signed tree heads do not: {problem} ({} heads before it verified)",
                            heads.checked
                        );
                    }
                    let lists = store.verify_signed_lists().await?;
                    if let Some(problem) = lists.problem {
                        bail!(
                            "the event log and its tree heads hold, but a signed list does not: {problem} ({} signatures before it verified)",
                            lists.checked
                        );
                    }
                    out!(
                        "ok: {} events, head {}, {} signed tree heads, {} list signatures and counter-signatures",
                        report.verified,
                        report.head,
                        heads.checked,
                        lists.checked
                    );
                    Ok(())
                }
                Some(b) => bail!(
                    "the event log does not hold at {b} ({} events before it verified)",
                    report.verified
                ),
            }
        }
        Command::Party(PartyCommand::Add {
            db,
            code,
            name,
            kind,
        }) => {
            let store = db.open(OpenMode::CreateIfMissing).await?;
            let code: PartyCode = code.parse()?;
            let kind: PartyKind = kind.parse()?;
            let grant = Grant::<Administer>::system(code.clone(), "cli");
            store
                .add_party(
                    &grant,
                    &Party {
                        code: code.clone(),
                        name,
                        kind,
                    },
                    now_ms(),
                )
                .await?;
            out!("party {code} added");
            Ok(())
        }
        Command::User(UserCommand::Create {
            db,
            party,
            name,
            role,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let roles = role
                .iter()
                .map(|r| r.parse())
                .collect::<Result<Vec<Role>, _>>()?;
            let password = std::env::var("HOMEWARD_PASSWORD")
                .ok()
                .filter(|p| !p.is_empty());
            if password.as_deref().is_some_and(|p| p.chars().count() < 12) {
                bail!(
                    "HOMEWARD_PASSWORD is shorter than 12 characters; choose a longer passphrase"
                );
            }
            let hash = password
                .as_deref()
                .map(|p| hash_password(p, HashCost::Standard))
                .transpose()?;
            let grant = Grant::<Administer>::system(party.parse()?, "cli");
            let id = store
                .create_user(&grant, &name, &roles, hash.as_deref(), now_ms())
                .await?;
            out!(
                "user {name} of {party} created (id {id}{})",
                if hash.is_some() {
                    ", with a password"
                } else {
                    ""
                }
            );
            Ok(())
        }
        Command::Token(TokenCommand::Create {
            db,
            party,
            role,
            user,
        }) => {
            let store = db.open(OpenMode::MustExist).await?;
            let party: PartyCode = party.parse()?;
            let role: Role = role.parse()?;
            let name = user.unwrap_or_else(|| format!("{}-{role}", party.as_str().to_lowercase()));
            let grant = Grant::<Administer>::system(party.clone(), "cli");
            let now = now_ms();
            let user_id = match store.user_login(&party, &name).await? {
                Some(existing) if existing.actor.roles.contains(&role) => existing.actor.user_id,
                Some(_) => bail!(
                    "user {name} of {party} does not hold the role {role}; name another user with --user"
                ),
                None => store.create_user(&grant, &name, &[role], None, now).await?,
            };
            out!("{}", store.create_token(&grant, user_id, now).await?);
            Ok(())
        }
        Command::Rounds { db, caller } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadTalks>(&caller.actor(&store).await?)?;
            print_json(&store.rounds(&grant).await?)
        }
        Command::Commitments { db, caller } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadTalks>(&caller.actor(&store).await?)?;
            print_json(&store.commitments(&grant).await?)
        }
        Command::Persons {
            db,
            caller,
            category,
            status,
            list,
            page,
            per_page,
        } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<ReadRegister>(&caller.actor(&store).await?)?;
            let filter = homeward_server::api::PersonQuery {
                category,
                status,
                list,
                page: Some(page),
                per_page: Some(per_page),
            };
            print_json(&store.persons(&grant, &filter.filter()?).await?)
        }
        Command::Events { db, caller, limit } => {
            let store = db.open(OpenMode::MustExist).await?;
            let grant = authorize::<Audit>(&caller.actor(&store).await?)?;
            for event in store.events_of_party(&grant, limit).await? {
                out!("{}", serde_json::to_string(&event)?);
            }
            Ok(())
        }
    }
}

async fn demo(db: &str, addr: SocketAddr, scale: f64, no_serve: bool) -> anyhow::Result<()> {
    let location: Location = db.parse()?;
    let Location::Sqlite(path) = &location else {
        bail!("the demo runs on an embedded SQLite file; give --db a file path");
    };
    if !(0.001..=10.0).contains(&scale) {
        bail!("--scale must be between 0.001 and 10");
    }
    if path.exists() {
        if Store::peek_sqlite_meta(path, "purpose").await.as_deref() != Some("demo") {
            bail!(
                "{} exists and is not a homeward demo store; it was left untouched. Choose another --db or move the file away",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::remove_file(&file)
                    .with_context(|| format!("removing the old demo store {}", file.display()))?;
            }
        }
    }
    // Check the address before spending time on seeding.
    drop(std::net::TcpListener::bind(addr).map_err(|e| {
        anyhow::anyhow!("the address {addr} cannot be used ({e}); stop the program using it or choose another with --addr")
    })?);
    let store = Store::open(&location, OpenMode::CreateIfMissing).await?;
    let now = now_ms();
    store
        .set_meta(
            &Grant::<Administer>::system("UA".parse()?, "demo"),
            "purpose",
            "demo",
            now,
        )
        .await?;
    eprintln!(
        "seeding the synthetic Istanbul scenario into {} …",
        path.display()
    );
    let seeded = homeward_demo::seed(&store, homeward_demo::Scale(scale), now).await?;
    out!("homeward demo — every person in this store is synthetic");
    for (party, n) in &seeded.records {
        out!("  register of {party}: {n} records");
    }
    // The exchange as the parties' people would run it: reconciled, the sure pairs
    // confirmed, planned in three stages, two of them executed.
    let stage_size = ((400.0 * scale).round() as u32).max(1);
    let run = homeward_server::scenario::run_exchange(&store, stage_size, now).await?;
    out!(
        "  UA reconciled its lists with RU's: {} links, {} confirmed by its reviewers, the rest waiting on the review page",
        run.proposed,
        run.confirmed
    );
    out!(
        "  exchange plan {}: {} stages, {} people each way; stages 1 and 2 executed",
        run.plan,
        run.stages,
        run.each_way
    );
    out!(
        "API tokens (sign in on the web page with any of them, or send `Authorization: Bearer TOKEN`):"
    );
    for (party, role, token) in &seeded.tokens {
        out!("  {:<3} {:<10} {token}", party.as_str(), role.as_str());
    }
    if no_serve {
        return Ok(());
    }
    homeward_server::serve(AppState::new(store), addr, |bound| {
        out!("open http://{bound}/ (Ctrl-C to stop)");
    })
    .await?;
    Ok(())
}

/// Checks an exported file offline against the issuer's public key: a list bundle whole, or
/// a proof of one row; says what it proved, or fails naming what did not hold.
fn verify_document(file: &std::path::Path, key: &str) -> anyhow::Result<String> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let result = homeward_server::api::check_document(&bytes, key);
    if result.valid {
        Ok(format!("ok: {}", result.detail))
    } else {
        bail!("{}: {}", file.display(), result.detail)
    }
}

/// Reads a bundle file.
fn read_bundle(file: &std::path::Path) -> anyhow::Result<homeward_ledger::bundle::Bundle> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    homeward_ledger::bundle::Bundle::from_file(&bytes)
        .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))
}
