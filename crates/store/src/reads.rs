//! Every read of a person's record: opened one at a time or as a page, disclosed by core's
//! rule and audited (a masked view as a refusal), and the audit listed and flagged.

use crate::{Location, Store, db, files};
use homeward_core::Error;
use homeward_core::access::{Audit, Command, Grant, ReadRegister};
use homeward_core::protection::{Purpose, Read, ReadAction, ReadFlag};
use serde::Serialize;
use sqlx::Row;
/// One audited read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadEntry {
    /// Who read (`user:N`).
    pub actor: String,
    /// When.
    pub at_ms: i64,
    /// What kind of read.
    pub action: ReadAction,
    /// Which record.
    pub person_id: Option<i64>,
    /// Which list, for an export or a proof.
    pub list_id: Option<i64>,
    /// For what.
    pub purpose: String,
    /// What else was noted (a masked read, an export's format).
    pub detail: Option<String>,
}

/// A read to audit: what kind, of which records (none: of a list as a whole), in which
/// list, for what, and a note.
#[derive(Debug, Clone, Copy)]
pub struct ReadOf<'a> {
    /// What kind of read.
    pub action: ReadAction,
    /// The records read.
    pub persons: &'a [i64],
    /// The list, for an export or a proof.
    pub list: Option<i64>,
    /// For what.
    pub purpose: &'a str,
    /// A note.
    pub detail: Option<&'a str>,
}

/// Which audited reads to list.
#[derive(Debug, Clone, Default)]
pub struct ReadFilter {
    /// Only this reader (`user:N`).
    pub actor: Option<String>,
    /// Only reads of this record.
    pub person: Option<i64>,
    /// Only this kind of read.
    pub action: Option<ReadAction>,
    /// From this time on.
    pub since_ms: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// The read audit's own migrations, for its file beside a SQLite store.
static AUDIT_FILE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite-reads");

/// Opens the read audit's file beside the SQLite store at `store_file`, creating it (mode
/// 0600) when missing. Every read of a record is audited, and were the audit in the store's
/// file, each read would wait for the store's one write lock behind every change.
pub(crate) async fn open_audit_file(store_file: &std::path::Path) -> Result<sqlx::AnyPool, Error> {
    let file = files::read_audit_file(store_file);
    let cannot = |e: &dyn std::fmt::Display| {
        Error::Storage(format!(
            "cannot open the read audit {}: {e}; check that the folder is writable",
            file.display()
        ))
    };
    files::create_private(&file).map_err(|e| cannot(&e))?;
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(4)
        .acquire_timeout(std::time::Duration::from_secs(10))
        .after_connect(|conn, _| Box::pin(crate::sqlite_connection(conn)))
        .connect(&Location::Sqlite(file.clone()).url())
        .await
        .map_err(|e| cannot(&e))?;
    AUDIT_FILE_MIGRATIONS
        .run(&pool)
        .await
        .map_err(|e| cannot(&e))?;
    Ok(pool)
}

/// What the audit notes of a read whose sensitive fields were masked.
pub const MASKED_READ: &str =
    "sensitive fields masked: they are shown only to the roles protection and admin";

impl Store {
    /// Moves the reads a SQLite store audited in its own file (before the audit had a file
    /// of its own) into the audit's file, under their ids; each is moved once, whenever the
    /// store is opened. Nothing on PostgreSQL, where the audit stays in the store.
    pub(crate) async fn carry_reads_over(&self) -> Result<(), Error> {
        if self.backend != crate::Backend::Sqlite {
            return Ok(());
        }
        let moved: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM read_audit")
            .fetch_one(&self.reads)
            .await
            .map_err(db("reading the read audit"))?;
        let rows = sqlx::query(
            "SELECT id, party, actor, at_ms, action, person_id, list_id, purpose, detail \
             FROM read_audit WHERE id > $1 ORDER BY id",
        )
        .bind(moved)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the store's earlier read audit"))?;
        if rows.is_empty() {
            return Ok(());
        }
        let mut tx = self
            .reads
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("moving the read audit"))?;
        for r in &rows {
            let get = db("moving the read audit");
            sqlx::query(
                "INSERT INTO read_audit (id, party, actor, at_ms, action, person_id, list_id, purpose, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(r.try_get::<i64, _>("id").map_err(&get)?)
            .bind(r.try_get::<String, _>("party").map_err(&get)?)
            .bind(r.try_get::<String, _>("actor").map_err(&get)?)
            .bind(r.try_get::<i64, _>("at_ms").map_err(&get)?)
            .bind(r.try_get::<String, _>("action").map_err(&get)?)
            .bind(r.try_get::<Option<i64>, _>("person_id").map_err(&get)?)
            .bind(r.try_get::<Option<i64>, _>("list_id").map_err(&get)?)
            .bind(r.try_get::<String, _>("purpose").map_err(&get)?)
            .bind(r.try_get::<Option<String>, _>("detail").map_err(&get)?)
            .execute(&mut *tx)
            .await
            .map_err(&get)?;
        }
        tx.commit().await.map_err(db("moving the read audit"))?;
        tracing::info!(
            "moved {} audited reads into the read audit's own file",
            rows.len()
        );
        Ok(())
    }

    /// Opens one record of the grant's register for `purpose`, and audits the read: a view,
    /// or — when its sensitive fields were masked for this reader — a refusal that says so.
    pub async fn open_person(
        &self,
        grant: &Grant<ReadRegister>,
        id: i64,
        purpose: &str,
        now_ms: i64,
    ) -> Result<crate::Person, Error> {
        let person = self.person(grant, id).await?;
        let (action, detail) = if person.masked {
            (ReadAction::Refused, Some(MASKED_READ))
        } else {
            (ReadAction::View, None)
        };
        let read = ReadOf {
            action,
            persons: &[id],
            list: None,
            purpose,
            detail,
        };
        self.record_reads(grant, read, now_ms).await?;
        Ok(person)
    }

    /// Several records of the grant's register opened at once for `purpose`, by id (ids
    /// of another party are left out); each read is audited as `action`, a masked one as a
    /// refusal.
    pub async fn open_persons(
        &self,
        grant: &Grant<ReadRegister>,
        ids: &[i64],
        purpose: &str,
        action: ReadAction,
        now_ms: i64,
    ) -> Result<std::collections::HashMap<i64, crate::Person>, Error> {
        let found = self.persons_by_id(grant, ids).await?;
        let (masked, shown): (Vec<&crate::Person>, Vec<&crate::Person>) =
            found.values().partition(|p| p.masked);
        let ids_of = |ps: Vec<&crate::Person>| ps.iter().map(|p| p.id).collect::<Vec<i64>>();
        for (persons, action, detail) in [
            (ids_of(masked), ReadAction::Refused, Some(MASKED_READ)),
            (ids_of(shown), action, None),
        ] {
            if persons.is_empty() {
                continue;
            }
            let read = ReadOf {
                action,
                persons: &persons,
                list: None,
                purpose,
                detail,
            };
            self.record_reads(grant, read, now_ms).await?;
        }
        Ok(found)
    }

    /// Several records of the grant's register shown together for `purpose` (a review
    /// queue: names masked for a reader not cleared), by id (another party's ids are left
    /// out). Like a page of the register it is not a reading of each record: one entry of
    /// the read audit says that the reader listed these many records for that purpose, so
    /// that the auditors see it without a flag for every page a reviewer turns.
    pub async fn list_persons(
        &self,
        grant: &Grant<ReadRegister>,
        ids: &[i64],
        purpose: &str,
        now_ms: i64,
    ) -> Result<std::collections::HashMap<i64, crate::Person>, Error> {
        let found = self.persons_by_id(grant, ids).await?;
        let detail = format!("{} records listed", found.len());
        let read = ReadOf {
            action: ReadAction::View,
            persons: &[],
            list: None,
            purpose,
            detail: Some(&detail),
        };
        self.record_reads(grant, read, now_ms).await?;
        Ok(found)
    }

    /// The records among `ids` that the grant's register holds, disclosed for its reader.
    async fn persons_by_id(
        &self,
        grant: &Grant<ReadRegister>,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, crate::Person>, Error> {
        let mut found = std::collections::HashMap::new();
        for &id in ids {
            match self.person(grant, id).await {
                Ok(p) => {
                    found.insert(id, p);
                }
                Err(Error::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(found)
    }

    /// Whether the grant's register holds record `id` (nothing of the record is read).
    pub async fn holds_person(&self, grant: &Grant<ReadRegister>, id: i64) -> Result<bool, Error> {
        let row = sqlx::query("SELECT 1 FROM persons WHERE id = $1 AND party = $2")
            .bind(id)
            .bind(grant.party().as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("looking a record up"))?;
        Ok(row.is_some())
    }

    /// Which of `ids` are protected records this grant would see unmasked. Only their ids
    /// leave the store, so that an export can be refused before anything of the records
    /// is handed out (and audited) for it.
    pub async fn protected_shown(
        &self,
        grant: &Grant<ReadRegister>,
        ids: &[i64],
    ) -> Result<std::collections::HashSet<i64>, Error> {
        Ok(self
            .persons_by_id(grant, ids)
            .await?
            .into_values()
            .filter(|p| p.protected() && !p.masked)
            .map(|p| p.id)
            .collect())
    }

    /// Searches the grant's register for `purpose` and audits every hit shown.
    pub async fn find(
        &self,
        grant: &Grant<ReadRegister>,
        query: &crate::SearchQuery,
        purpose: &str,
        now_ms: i64,
    ) -> Result<Vec<crate::SearchHit>, Error> {
        let mut hits = self.search(grant, query).await?;
        // A family's request that was not agreed to be searched does not come up, nor does a
        // record past its retention period.
        let rules = self.retention_rules(grant).await?;
        hits.retain(|h| {
            let r = &h.person.record;
            let expired = match (r.category, r.status) {
                (Some(c), Some(s)) => {
                    homeward_core::protection::expired(c, s, h.person.updated_at, &rules, now_ms)
                }
                _ => false,
            };
            !expired
                && homeward_core::protection::consents(h.person.consent.as_deref(), Purpose::Search)
        });
        // Every search is audited: each hit shown, or the search itself when nothing came up
        // (so a search for an erased or protected person leaves its trace too).
        let ids: Vec<i64> = hits.iter().map(|h| h.person.id).collect();
        let read = ReadOf {
            action: ReadAction::SearchHit,
            persons: &ids,
            list: None,
            purpose,
            detail: ids.is_empty().then_some("no record shown"),
        };
        self.record_reads(grant, read, now_ms).await?;
        Ok(hits)
    }

    /// Audits a refused act on a record: who tried what, and when.
    pub async fn refused<C: Command>(
        &self,
        grant: &Grant<C>,
        person: i64,
        what: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        let read = ReadOf {
            action: ReadAction::Refused,
            persons: &[person],
            list: None,
            purpose: "refused",
            detail: Some(what),
        };
        self.record_reads(grant, read, now_ms).await
    }

    /// Audits reads of person records (or of a list, for an export or a proof) by the
    /// grant's actor: one entry per record.
    pub async fn record_reads<C: Command>(
        &self,
        grant: &Grant<C>,
        read: ReadOf<'_>,
        now_ms: i64,
    ) -> Result<(), Error> {
        let ReadOf {
            action,
            persons,
            list,
            purpose,
            detail,
        } = read;
        let mut tx = self
            .reads
            .begin_with(match self.backend {
                crate::Backend::Sqlite => "BEGIN IMMEDIATE",
                crate::Backend::Postgres => "BEGIN",
            })
            .await
            .map_err(db("auditing a read"))?;
        let none = [None];
        let targets: Vec<Option<i64>> = if persons.is_empty() {
            none.to_vec()
        } else {
            persons.iter().copied().map(Some).collect()
        };
        for person in targets {
            sqlx::query(
                "INSERT INTO read_audit (party, actor, at_ms, action, person_id, list_id, purpose, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(grant.party().as_str())
            .bind(grant.actor())
            .bind(now_ms)
            .bind(action.as_str())
            .bind(person)
            .bind(list)
            .bind(purpose)
            .bind(detail)
            .execute(&mut *tx)
            .await
            .map_err(db("auditing a read"))?;
        }
        tx.commit().await.map_err(db("auditing a read"))
    }

    /// The audited reads of the grant's party, newest first, filtered.
    pub async fn reads(
        &self,
        grant: &Grant<Audit>,
        filter: &ReadFilter,
    ) -> Result<Vec<ReadEntry>, Error> {
        let rows = sqlx::query(
            "SELECT actor, at_ms, action, person_id, list_id, purpose, detail FROM read_audit \
             WHERE party = $1 AND ($2 IS NULL OR actor = $2) AND ($3 IS NULL OR person_id = $3) \
             AND ($4 IS NULL OR action = $4) AND ($5 IS NULL OR at_ms >= $5) ORDER BY id DESC LIMIT $6",
        )
        .bind(grant.party().as_str())
        .bind(filter.actor.as_deref())
        .bind(filter.person)
        .bind(filter.action.map(ReadAction::as_str))
        .bind(filter.since_ms)
        .bind(filter.limit.clamp(1, 100_000))
        .fetch_all(&self.reads)
        .await
        .map_err(db("reading the read audit"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading an audited read");
                Ok(ReadEntry {
                    actor: r.try_get("actor").map_err(&get)?,
                    at_ms: r.try_get("at_ms").map_err(&get)?,
                    action: r.try_get::<String, _>("action").map_err(&get)?.parse()?,
                    person_id: r.try_get("person_id").map_err(&get)?,
                    list_id: r.try_get("list_id").map_err(&get)?,
                    purpose: r.try_get("purpose").map_err(&get)?,
                    detail: r.try_get("detail").map_err(&get)?,
                })
            })
            .collect()
    }

    /// The unusual patterns among the party's reads since `since_ms` (core's rules).
    pub async fn read_flags(
        &self,
        grant: &Grant<Audit>,
        since_ms: i64,
    ) -> Result<Vec<ReadFlag>, Error> {
        let entries = self
            .reads(
                grant,
                &ReadFilter {
                    since_ms: Some(since_ms),
                    limit: 100_000,
                    ..ReadFilter::default()
                },
            )
            .await?;
        let reads: Vec<Read> = entries
            .into_iter()
            .map(|e| Read {
                actor: e.actor,
                at_ms: e.at_ms,
                action: e.action,
                person_id: e.person_id,
            })
            .collect();
        Ok(homeward_core::protection::unusual(&reads))
    }
}
