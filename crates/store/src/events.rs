//! The event log table: appending in the caller's transaction, and walking the chain.

use crate::{Store, db};
use homeward_core::Error;
use homeward_ledger::{ChainBreak, ChainVerifier, Event, EventDraft, canonical_json};
use sqlx::{Any, Row, Transaction};

/// An event as read back from the store.
pub type StoredEvent = Event;

/// The outcome of walking the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogReport {
    /// Events whose hash and link held.
    pub verified: i64,
    /// Hash of the last event that held.
    pub head: String,
    /// The first event that did not hold, if any.
    pub first_break: Option<ChainBreak>,
}

/// Appends `draft` after the current head, inside `tx`. Taking the head row with an
/// UPDATE first makes concurrent appenders queue up on it in both databases.
pub(crate) async fn append(
    tx: &mut Transaction<'_, Any>,
    draft: EventDraft,
) -> Result<Event, Error> {
    let row = sqlx::query("UPDATE ledger_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut **tx)
        .await
        .map_err(db("advancing the event log"))?;
    let seq: i64 = row.try_get("seq").map_err(db("reading the log head"))?;
    let prev: String = row.try_get("hash").map_err(db("reading the log head"))?;
    let event = draft
        .chain(seq, &prev)
        .map_err(|e| Error::Storage(format!("encoding an event: {e}")))?;
    let payload = canonical_json(&event.draft.payload)
        .map_err(|e| Error::Storage(format!("encoding an event: {e}")))?;
    sqlx::query(
        "INSERT INTO events (seq, at_ms, party, actor, kind, payload, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(event.seq)
    .bind(event.draft.at_ms)
    .bind(&event.draft.party)
    .bind(&event.draft.actor)
    .bind(&event.draft.kind)
    .bind(payload)
    .bind(&event.prev_hash)
    .bind(&event.hash)
    .execute(&mut **tx)
    .await
    .map_err(db("appending to the event log"))?;
    sqlx::query("UPDATE ledger_head SET hash = $1 WHERE id = 1")
        .bind(&event.hash)
        .execute(&mut **tx)
        .await
        .map_err(db("advancing the event log"))?;
    Ok(event)
}

pub(crate) fn event_from_row(row: &sqlx::any::AnyRow) -> Result<Result<Event, ChainBreak>, Error> {
    let get = db("reading an event");
    let seq: i64 = row.try_get("seq").map_err(&get)?;
    let stored: String = row.try_get("payload").map_err(&get)?;
    let payload = match serde_json::from_str(&stored) {
        Ok(p) => p,
        Err(e) => {
            return Ok(Err(ChainBreak {
                seq,
                reason: format!("its payload is not JSON ({e}); the event was altered"),
            }));
        }
    };
    // The log writes payloads in canonical form only; any other spelling of the same JSON
    // (a space, a reordered key) is a change made outside the store.
    if canonical_json(&payload).ok().as_deref() != Some(stored.as_str()) {
        return Ok(Err(ChainBreak {
            seq,
            reason:
                "its payload is not in the canonical form the log writes; the event was altered"
                    .to_owned(),
        }));
    }
    Ok(Ok(Event {
        seq,
        draft: EventDraft {
            at_ms: row.try_get("at_ms").map_err(&get)?,
            party: row.try_get("party").map_err(&get)?,
            actor: row.try_get("actor").map_err(&get)?,
            kind: row.try_get("kind").map_err(&get)?,
            payload,
        },
        prev_hash: row.try_get("prev_hash").map_err(&get)?,
        hash: row.try_get("hash").map_err(&get)?,
    }))
}

pub(crate) const EVENT_COLUMNS: &str = "seq, at_ms, party, actor, kind, payload, prev_hash, hash";

impl Store {
    /// Walks the whole event log in order, recomputing every hash and link, and checks the
    /// recorded head against the last event. Reads in pages so that memory stays flat.
    pub async fn verify_log(&self) -> Result<LogReport, Error> {
        const PAGE: i64 = 5_000;
        let mut verifier = ChainVerifier::new();
        let mut after = 0_i64;
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {EVENT_COLUMNS} FROM events WHERE seq > $1 ORDER BY seq LIMIT $2"
            )))
            .bind(after)
            .bind(PAGE)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading the event log"))?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let checked = event_from_row(row)?.and_then(|event| {
                    after = event.seq;
                    verifier.push(&event)
                });
                if let Err(first_break) = checked {
                    return Ok(LogReport {
                        verified: verifier.verified(),
                        head: verifier.head().to_owned(),
                        first_break: Some(first_break),
                    });
                }
            }
        }
        let head = sqlx::query("SELECT seq, hash FROM ledger_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await
            .map_err(db("reading the log head"))?;
        let head_seq: i64 = head.try_get("seq").map_err(db("reading the log head"))?;
        let head_hash: String = head.try_get("hash").map_err(db("reading the log head"))?;
        let first_break = (head_seq != verifier.verified() || head_hash != verifier.head()).then(|| {
            ChainBreak {
                seq: verifier.verified() + 1,
                reason: format!(
                    "the log head records {head_seq} events ending in {head_hash}, but the table holds {} \
                     ending in {}; events were removed from the end",
                    verifier.verified(),
                    verifier.head()
                ),
            }
        });
        Ok(LogReport {
            verified: verifier.verified(),
            head: verifier.head().to_owned(),
            first_break,
        })
    }

    /// The events written on behalf of `party`, newest first. The log's payloads carry no
    /// personal data, but each party still only sees its own events.
    pub async fn events_of_party(
        &self,
        grant: &homeward_core::access::Grant<homeward_core::access::Audit>,
        limit: i64,
    ) -> Result<Vec<Event>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE party = $1 ORDER BY seq DESC LIMIT $2"
        )))
        .bind(grant.party().as_str())
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the event log"))?;
        rows.iter()
            .map(|row| {
                event_from_row(row)?
                    .map_err(|b| Error::Storage(format!("the event log is damaged at {b}")))
            })
            .collect()
    }
}
