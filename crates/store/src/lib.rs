//! Storage of homeward on SQLite (the embedded default) or PostgreSQL.
//!
//! One set of queries serves both databases through sqlx's `Any` driver: ids are integers,
//! times are integer milliseconds, hashes are hex text and original files are bytes — the
//! types `Any` maps faithfully on both. The schema is kept as two migration folders with
//! the same version numbers, because DDL (identity columns, trigger syntax) is where the two
//! dialects differ; a test checks that both produce the same tables and columns.
//!
//! Every method that changes data takes a [`Grant`] from the access rule and writes its
//! change and its event in one transaction: either both land or neither does.

mod amendments;
mod bundles;
mod cases;
mod changes;
mod commission;
mod enquiries;
mod erasure;
mod events;
mod files;
mod keys;
mod links;
mod lists;
mod location;
mod parties;
mod persons;
mod plans;
mod protection;
mod reads;
mod relay;
mod remains;
mod search;
mod signin;
mod staging;
mod stated_plans;
mod statements;
mod story;
mod talks;
#[doc(hidden)]
#[cfg(feature = "testkit")]
pub mod testkit;

pub use amendments::AmendmentView;
pub use bundles::{Countersignature, SignedListRecord, SignedListsReport};
pub use cases::{ChildCaseView, TruceReport, TruceView};
pub use changes::{CorrectionOutcome, FieldHistory, RecordHistory};
pub use commission::{ExaminationView, FINDING_KIND};
pub use enquiries::{AnswerView, EnquiryAbout, EnquiryView};
pub use erasure::ErasureView;
pub use events::{LogReport, StoredEvent};
pub use files::{open_to_others, read_audit_file, store_files};
pub use keys::{KeyView, TreeHead, TreeHeadReport, tree_head_statement};
pub use links::{
    Decision, DecisionOutcome, LinkCounts, LinkFilter, LinkScope, LinkTarget, LinkView,
    ProposedLink,
};
pub use lists::{
    ListDocument, ListSummary, ListWriter, NewList, NewListRow, PreparedRows, RowPreparer,
    StoredRow,
};
pub use location::{Backend, Location};
pub use parties::{Session, UserLogin};
pub use persons::{Person, PersonFilter, PersonOrder, PersonPage};
pub use plans::{LeftOutView, PlanView, PlanningContext, StagePersonView, StageView};
pub use protection::RestrictionView;
pub use reads::{MASKED_READ, ReadEntry, ReadFilter, ReadOf};
pub use relay::{DeliveryView, DueDelivery, Peer, ReceivedView};
pub use remains::BatchView;
pub use search::{SearchHit, SearchQuery};
pub use signin::{SignInThrottle, ThrottleScope};
pub use statements::StatementView;
pub use story::{PersonStory, StoryLink, StoryList, StoryStage};
pub use talks::{CommitmentView, NewRound, RoundView, StageEntry};

use homeward_core::Error;
use homeward_core::access::{Command, Grant};
use homeward_core::party::PartyCode;
use homeward_ledger::EventDraft;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::migrate::Migrator;
use sqlx::{Any, AnyPool, Transaction};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Whether [`Store::open`] may create a new store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenMode {
    /// Create the SQLite file (and the schema) if missing.
    CreateIfMissing,
    /// Refuse a SQLite file that does not exist yet.
    MustExist,
}

/// A homeward store: a pool of connections to one database, migrated to this build's schema.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    /// Where write transactions are begun: on SQLite one connection that writers queue
    /// for in turn; on PostgreSQL the pool.
    writer: AnyPool,
    backend: Backend,
    /// The SQLite file, beside which long writes are staged ([`staging`]).
    file: Option<std::path::PathBuf>,
    /// The read audit's database: on SQLite a file of its own ([`reads`]), on PostgreSQL
    /// the store's.
    reads: AnyPool,
    /// The one turn to write a list on SQLite: imports of this store run one after
    /// another ([`Store::begin_list`]).
    list_turn: std::sync::Arc<tokio::sync::Semaphore>,
}

/// How long a writer of a SQLite store waits for its turn at the store's one write
/// connection before it is told that the store is busy: long enough for several lists of
/// 200,000 people to be published before it.
const WRITER_WAIT_S: u64 = 30;

/// How every SQLite connection of a store is set up: the journal that lets readers go on
/// while one writes, a bounded wait for the write lock, and a cache for large lists.
async fn sqlite_connection(conn: &mut sqlx::AnyConnection) -> Result<(), sqlx::Error> {
    // Persistent in the file; foreign keys are enabled per connection by sqlx.
    sqlx::query("PRAGMA journal_mode = WAL")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA busy_timeout = 10000")
        .execute(&mut *conn)
        .await?;
    // Publishing a list of 100,000 people touches far more than the default 2 MB of pages;
    // 16 MiB is as fast for it as 64 MiB was (measured), and a server keeps several
    // connections. Pages are taken as used.
    sqlx::query("PRAGMA cache_size = -16384")
        .execute(&mut *conn)
        .await?;
    sqlx::query("PRAGMA foreign_keys = ON")
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Maps a database error to the project's error, naming what was being done.
pub(crate) fn db(context: &'static str) -> impl Fn(sqlx::Error) -> Error {
    move |e| match e {
        sqlx::Error::RowNotFound => Error::NotFound(context.to_owned()),
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            Error::Conflict(format!("{context}: already exists ({})", d.message()))
        }
        sqlx::Error::Database(d) if is_busy(d.code().as_deref(), d.message()) => {
            Error::Unavailable(format!(
                "{context}: the store is busy with another change; try again in a few seconds"
            ))
        }
        sqlx::Error::PoolTimedOut => Error::Unavailable(format!(
            "{context}: every connection to the store is in use; try again in a few seconds"
        )),
        other => Error::Storage(format!("{context}: {other}")),
    }
}

/// Whether a database error says that another writer holds what was needed, so that the
/// same request can succeed later: SQLite's busy and locked codes (and their extended
/// forms), PostgreSQL's lock timeout, deadlock and serialisation failures.
fn is_busy(code: Option<&str>, message: &str) -> bool {
    match code {
        // A PostgreSQL SQLSTATE has five characters; SQLite's codes are numbers below
        // 10,000, with the primary code in the low byte of the extended one.
        Some(code) if code.len() == 5 => matches!(code, "55P03" | "40P01" | "40001"),
        Some(code) => code.parse::<i64>().is_ok_and(|c| matches!(c & 0xff, 5 | 6)),
        None => message.contains("database is locked"),
    }
}

impl Store {
    /// Opens (and, if asked, creates) the store at `location`, then brings its schema up to
    /// this build's version. A store written by a newer build is refused untouched.
    pub async fn open(location: &Location, mode: OpenMode) -> Result<Store, Error> {
        install_default_drivers();
        if let Location::Sqlite(path) = location
            && mode == OpenMode::MustExist
            && !path.exists()
        {
            return Err(Error::Storage(format!(
                "no store at {}: create one with `homeward demo --db {0}` or `homeward party add --db {0} …`, or point --db at an existing store",
                path.display()
            )));
        }
        if let Location::Sqlite(path) = location {
            if mode == OpenMode::CreateIfMissing {
                files::create_private(path).map_err(|e| {
                    Error::Storage(format!(
                        "cannot open the SQLite store {}: {e}; check that the folder exists and is writable",
                        path.display()
                    ))
                })?;
            }
            for warning in files::open_to_others(path) {
                tracing::warn!("{warning}");
            }
        }
        let backend = location.backend();
        let sqlite = backend == Backend::Sqlite;
        if !sqlite {
            // One direct attempt first: the pool would retry a refused connection until its
            // timeout, and a wrong URL deserves an answer at once.
            let probe = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                <sqlx::AnyConnection as sqlx::Connection>::connect(&location.url()),
            )
            .await
            .map_err(|_| location.connect_error(sqlx::Error::PoolTimedOut))?
            .map_err(|e| location.connect_error(e))?;
            let _ = sqlx::Connection::close(probe).await;
        }
        let options = |connections: u32, wait: u64| {
            AnyPoolOptions::new()
                .max_connections(connections)
                .acquire_timeout(std::time::Duration::from_secs(wait))
                .after_connect(move |conn, _| {
                    Box::pin(async move {
                        if sqlite {
                            sqlite_connection(conn).await?;
                            // Erased personal data is overwritten in the file, not left in
                            // free pages.
                            sqlx::query("PRAGMA secure_delete = ON")
                                .execute(&mut *conn)
                                .await?;
                        }
                        Ok(())
                    })
                })
        };
        let pool = options(8, 10)
            .connect(&location.url())
            .await
            .map_err(|e| location.connect_error(e))?;
        // SQLite has one write lock, and its busy wait is no queue: a writer that has waited
        // longest may lose to one that just came. This process's writers take their turns
        // at one connection instead, first come first served (the pool's queue is fair),
        // each waiting at most 30 s; writers of other processes still meet the busy wait.
        let writer = if sqlite {
            options(1, WRITER_WAIT_S)
                .connect(&location.url())
                .await
                .map_err(|e| location.connect_error(e))?
        } else {
            pool.clone()
        };
        let (file, reads) = match location {
            Location::Sqlite(path) => {
                for said in staging::remove_abandoned(path).await {
                    tracing::warn!("{said}");
                }
                (Some(path.clone()), reads::open_audit_file(path).await?)
            }
            Location::Postgres(_) => (None, pool.clone()),
        };
        let store = Store {
            pool,
            writer,
            backend,
            file,
            reads,
            list_turn: std::sync::Arc::new(tokio::sync::Semaphore::new(1)),
        };
        store.migrate().await?;
        store.carry_reads_over().await?;
        store.backfill_name_keys().await?;
        Ok(store)
    }

    /// Reads a `store_meta` value from a SQLite file without changing it in any way (no
    /// migration, no journal switch); `None` if the file is not a homeward store.
    pub async fn peek_sqlite_meta(path: &std::path::Path, key: &str) -> Option<String> {
        install_default_drivers();
        let url = format!(
            "{}?mode=ro",
            Location::Sqlite(path.to_owned())
                .url()
                .trim_end_matches("?mode=rwc")
        );
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .ok()?;
        let value = sqlx::query_scalar("SELECT value FROM store_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&mut conn)
            .await
            .ok()
            .flatten();
        let _ = sqlx::Connection::close(conn).await;
        value
    }

    /// Which database this store lives in.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrator(&self) -> &'static Migrator {
        match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// The newest schema version this build knows.
    pub fn known_schema_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// The schema version recorded in the database (0 for a new database).
    pub async fn schema_version(&self) -> Result<i64, Error> {
        // The bookkeeping table does not exist before the first migration.
        let applied: Result<Option<i64>, sqlx::Error> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
                .fetch_one(&self.pool)
                .await;
        Ok(applied.ok().flatten().unwrap_or(0))
    }

    async fn migrate(&self) -> Result<(), Error> {
        let found = self.schema_version().await?;
        let known = self.known_schema_version();
        if found > known {
            return Err(Error::Storage(format!(
                "this store has schema version {found}, newer than the {known} this homeward knows: \
                 upgrade homeward before opening it (nothing was changed)"
            )));
        }
        self.migrator()
            .run(&self.pool)
            .await
            .map_err(|e| Error::Storage(format!("migrating the store's schema: {e}")))
    }

    /// Closes every connection, waiting for work in flight.
    pub async fn close(&self) {
        self.reads.close().await;
        self.writer.close().await;
        self.pool.close().await;
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once, so that a
    /// transaction that reads before it writes cannot fail half-way on a busy database.
    pub(crate) async fn begin(&self) -> Result<Transaction<'static, Any>, Error> {
        let statement = match self.backend {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        };
        self.writer
            .begin_with(statement)
            .await
            .map_err(db("starting a transaction"))
    }

    /// Reads a value the store keeps about itself (e.g. `purpose`).
    pub async fn meta(&self, key: &str) -> Result<Option<String>, Error> {
        sqlx::query_scalar("SELECT value FROM store_meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(db("reading store metadata"))
    }

    /// Records a value about the store itself, with its event.
    pub async fn set_meta<C: Command>(
        &self,
        grant: &Grant<C>,
        key: &str,
        value: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM store_meta WHERE key = $1")
            .bind(key)
            .execute(&mut *tx)
            .await
            .map_err(db("writing store metadata"))?;
        sqlx::query("INSERT INTO store_meta (key, value) VALUES ($1, $2)")
            .bind(key)
            .bind(value)
            .execute(&mut *tx)
            .await
            .map_err(db("writing store metadata"))?;
        let payload = serde_json::json!({ "key": key, "value": value });
        commit_with_event(tx, grant, "store.meta_set", payload, now_ms).await
    }
}

impl Store {
    /// Records an event that changes no table: something was exported (later, every
    /// audited read). The payload carries hashes and counts, never personal data.
    pub async fn record_event<C: Command>(
        &self,
        grant: &Grant<C>,
        kind: &str,
        payload: serde_json::Value,
        now_ms: i64,
    ) -> Result<(), Error> {
        let tx = self.begin().await?;
        commit_with_event(tx, grant, kind, payload, now_ms).await
    }
}

/// Appends the event for a change and commits the change's transaction.
/// Commits `tx` with one event of `kind` in the log of each of `parties` (the sides a
/// change binds, and the round's mediator), so that no side's log misses a step another
/// side took; each names the acting party in its payload.
pub(crate) async fn commit_with_events<C: Command>(
    mut tx: Transaction<'_, Any>,
    grant: &Grant<C>,
    kind: &str,
    payload: serde_json::Value,
    parties: &[PartyCode],
    now_ms: i64,
) -> Result<(), Error> {
    let mut logs: Vec<&PartyCode> = Vec::new();
    for party in std::iter::once(grant.party()).chain(parties) {
        if !logs.contains(&party) {
            logs.push(party);
        }
    }
    for party in logs {
        let mut payload = payload.clone();
        if let Some(fields) = payload.as_object_mut() {
            fields.insert("by_party".to_owned(), grant.party().as_str().into());
        }
        events::append(
            &mut tx,
            EventDraft {
                at_ms: now_ms,
                party: party.to_string(),
                actor: grant.actor().to_owned(),
                kind: kind.to_owned(),
                payload,
            },
        )
        .await?;
    }
    tx.commit().await.map_err(db("committing"))
}

/// A change written in its transaction whose event is still to be appended: committed
/// alone with [`Pending::commit`], or with more rows and events by the caller (a delivery
/// commits an import with its receipt).
pub(crate) struct Pending<T> {
    pub(crate) tx: Transaction<'static, Any>,
    pub(crate) kind: &'static str,
    pub(crate) payload: serde_json::Value,
    pub(crate) value: T,
}

impl<T> Pending<T> {
    /// Appends the change's event and commits.
    pub(crate) async fn commit<C: Command>(
        self,
        grant: &Grant<C>,
        now_ms: i64,
    ) -> Result<T, Error> {
        commit_with_event(self.tx, grant, self.kind, self.payload, now_ms).await?;
        Ok(self.value)
    }
}

/// Appends an event inside `tx` on behalf of `grant`'s actor, for a change that writes more
/// than the one `commit_with_event` writes.
pub(crate) async fn append_event<C: Command>(
    tx: &mut Transaction<'static, Any>,
    grant: &Grant<C>,
    kind: &str,
    payload: serde_json::Value,
    now_ms: i64,
) -> Result<(), Error> {
    events::append(
        tx,
        EventDraft {
            at_ms: now_ms,
            party: grant.party().to_string(),
            actor: grant.actor().to_owned(),
            kind: kind.to_owned(),
            payload,
        },
    )
    .await
    .map(|_| ())
}

pub(crate) async fn commit_with_event<C: Command>(
    mut tx: Transaction<'_, Any>,
    grant: &Grant<C>,
    kind: &str,
    payload: serde_json::Value,
    now_ms: i64,
) -> Result<(), Error> {
    events::append(
        &mut tx,
        EventDraft {
            at_ms: now_ms,
            party: grant.party().to_string(),
            actor: grant.actor().to_owned(),
            kind: kind.to_owned(),
            payload,
        },
    )
    .await?;
    tx.commit().await.map_err(db("committing"))
}

#[cfg(test)]
mod tests {
    use super::is_busy;

    #[test]
    fn a_busy_store_is_unavailable_for_now_not_broken() {
        // SQLite: SQLITE_BUSY (5), SQLITE_LOCKED (6) and extended forms such as
        // SQLITE_BUSY_SNAPSHOT (517); a constraint failure (19, 2067) is not busy.
        for code in ["5", "6", "517", "262"] {
            assert!(is_busy(Some(code), ""), "{code}");
        }
        for code in ["19", "2067", "1"] {
            assert!(!is_busy(Some(code), ""), "{code}");
        }
        // PostgreSQL: lock timeout, deadlock, serialisation failure; not a unique violation.
        for code in ["55P03", "40P01", "40001"] {
            assert!(is_busy(Some(code), ""), "{code}");
        }
        assert!(!is_busy(Some("23505"), ""));
        assert!(is_busy(None, "database is locked"));
    }
}
