//! homeward's use cases. Every capability of the system is one method of [`App`], taking
//! the acting user and a typed input and returning a typed output. This is the one place
//! that decides access (`authorize::<C>`), audits reads, seals exports, checks consent and
//! restricted statuses and stamps the time; the web pages, the JSON API and the command line
//! only parse, call one method and render.
//!
//! No HTTP and no argument parsing here: the crate depends on neither axum nor clap (a test
//! of the workspace checks it).

mod admin;
mod cases;
pub mod commission;
pub mod desk;
pub mod enquiries;
pub mod export;
mod identity;
pub mod links;
pub mod lists;
mod log;
pub mod plans;
pub mod progress;
pub mod protection;
pub mod query;
pub mod records;
mod register;
pub mod relay;
pub mod sheet;
pub mod signed;
mod talks;

pub use cases::{BatchInput, CaseStep, IdentificationStep, OpenCases, Receipt, RemainsView};
pub use commission::ExaminationLine;
pub use enquiries::{EnquiryInput, EnquiryLine, EnquiryRecorded};
pub use export::{Export, ExportFormat, ExportRequest, ExportSource, Protection};
pub use homeward_core::Error;
/// A name in Latin letters as written (the faces show it beside the name to tell spellings apart).
pub use homeward_names::romanise_as_written;
pub use homeward_store::ThrottleScope;
pub use identity::{
    ActorNames, HashCost, LOCK_MS, RUN_MS, SESSION_TTL_MS, ShownActor, SignIn, SignInLock,
    hash_password, wait_message,
};
pub use log::{
    EventView, LogVerification, ProofCheck, ProofResult, TreeHeads, check_document, check_proof,
};
pub use records::{RecordCorrection, RecordEntry};
pub use talks::{AmendmentAnswerInput, CommitmentChange, CommitmentInput};

use homeward_core::access::Actor;
use homeward_ledger::keys::PartyKey;
use homeward_store::Store;
use std::sync::Arc;

/// Reads the clock, in milliseconds since the Unix epoch. Everything below the faces
/// receives the time from here.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(now_ms)
}

/// The system clock in milliseconds since the Unix epoch: the one place homeward reads the
/// time (through [`Clock`]).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The day of a clock reading, in UTC.
pub fn day_of(now_ms: i64) -> homeward_core::record::PartialDate {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    homeward_core::record::PartialDate {
        year: t.year(),
        month: Some(u8::from(t.month())),
        day: Some(t.day()),
    }
}

/// The application: the store, the clock, the party's signing key (when it was given one)
/// and the uploads held for their users' column mapping. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Store,
    clock: Clock,
    key: Option<Arc<PartyKey>>,
    uploads: lists::HeldUploads,
    hash_cost: HashCost,
}

impl App {
    /// The application over `store`, with the system clock and no signing key.
    pub fn new(store: Store) -> Self {
        App {
            store,
            clock: system_clock(),
            key: None,
            uploads: lists::HeldUploads::default(),
            hash_cost: HashCost::Standard,
        }
    }

    /// The same application, checking an unknown user's sign-in against a dummy hash of
    /// this cost: the cost its users' passwords were hashed with (cheap in tests).
    pub fn with_hash_cost(self, hash_cost: HashCost) -> Self {
        App { hash_cost, ..self }
    }

    /// The same application, reading time from `clock` (tests, the demo's scenario).
    pub fn with_clock(self, clock: Clock) -> Self {
        App { clock, ..self }
    }

    /// The same application, signing lists, tree heads and counter-signatures with `key`;
    /// the key is never written anywhere.
    pub fn with_key(self, key: PartyKey) -> Self {
        App {
            key: Some(Arc::new(key)),
            ..self
        }
    }

    /// The time now, from the application's clock.
    pub fn now(&self) -> i64 {
        (self.clock)()
    }

    /// Whether this application signs with a key.
    pub fn signs(&self) -> bool {
        self.key.is_some()
    }

    /// The store underneath, for the administrative acts of whoever holds it (opening,
    /// closing, schema checks); every read and change of data goes through [`App`]'s
    /// methods instead.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The key this application signs with, or the error that says how to give it one.
    fn signing_key(&self) -> Result<&PartyKey, Error> {
        self.key.as_deref().ok_or_else(|| {
            Error::invalid(
                "key",
                "this server holds no signing key; start it with `homeward serve --key FILE` (or HOMEWARD_KEY)",
            )
        })
    }
}

/// Who acts: a signed-in user, or the tool itself run by whoever holds the store (the
/// demo's seeder, `homeward party add`, an import without a token); the latter's events
/// name the purpose, `system:<purpose>`.
#[derive(Debug, Clone)]
pub enum Acting<'a> {
    /// A user who presented a token or signed in.
    User(&'a Actor),
    /// A local administrative act for a party.
    Local {
        /// The party acted for.
        party: homeward_core::party::PartyCode,
        /// What is done, recorded in the event as `system:<purpose>`.
        purpose: &'static str,
    },
}

impl Acting<'_> {
    /// The grant of `C` for this actor: the access rule for a user, a named system grant
    /// for a local act.
    fn grant<C: homeward_core::access::Command>(
        &self,
    ) -> Result<homeward_core::access::Grant<C>, Error> {
        match self {
            Acting::User(actor) => Ok(homeward_core::access::authorize::<C>(actor)?),
            Acting::Local { party, purpose } => {
                Ok(homeward_core::access::Grant::system(party.clone(), purpose))
            }
        }
    }
}

/// The grant of `C` for `actor`, or the refusal.
fn grant<C: homeward_core::access::Command>(
    actor: &Actor,
) -> Result<homeward_core::access::Grant<C>, Error> {
    Ok(homeward_core::access::authorize::<C>(actor)?)
}
