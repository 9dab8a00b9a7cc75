//! Protecting the people in the register: marking records protected, the purposes a family
//! agreed to, restricted statuses under the two-person rule, the audit of every read, and
//! erasure. The rules are core's (`homeward_core::protection`); this module keeps their
//! state and writes their events.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{
    Audit, Command, Erase, Grant, ReadRegister, RecordRestricted, ReleaseRestricted, WriteRegister,
};
use homeward_core::protection::{
    Purpose, Read, ReadAction, ReadFlag, Restriction, RetentionRule, Sensitivity,
    check_second_person,
};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// A restricted status as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RestrictionView {
    /// Its id.
    pub id: i64,
    /// The record.
    pub person_id: i64,
    /// Which restriction.
    pub kind: Restriction,
    /// Who proposed it, and when.
    pub proposed_by: String,
    /// When.
    pub proposed_at: i64,
    /// Who confirmed it (a second person), once confirmed.
    pub confirmed_by: Option<String>,
    /// When.
    pub confirmed_at: Option<i64>,
    /// The negotiator who let it leave the party inside a list, if one did.
    pub released_by: Option<String>,
}

/// An erasure request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureView {
    /// Its id.
    pub id: i64,
    /// The record.
    pub person_id: i64,
    /// Why.
    pub reason: String,
    /// Who asked.
    pub requested_by: String,
    /// When.
    pub requested_at: i64,
    /// The second person who confirmed it; the data is gone from then on.
    pub confirmed_by: Option<String>,
    /// When.
    pub confirmed_at: Option<i64>,
}

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

/// The columns a record's personal data lives in; erasure empties them all.
const PERSONAL_COLUMNS: [&str; 20] = [
    "surname",
    "given_names",
    "patronymic",
    "father_name",
    "birth_date",
    "birth_year",
    "birth_place",
    "citizenship",
    "rank",
    "unit",
    "service_number",
    "capture_place",
    "deportation_place",
    "family_contact",
    "last_known_location",
    "recovery_site",
    "tag_number",
    "surname_key",
    "given_key",
    "patronymic_key",
];

/// Refuses a record that is not `party`'s, as not found.
async fn own_record(conn: &mut sqlx::AnyConnection, party: &str, person: i64) -> Result<(), Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM persons WHERE id = $1 AND party = $2")
            .bind(person)
            .bind(party)
            .fetch_optional(conn)
            .await
            .map_err(db("finding the record"))?;
    found
        .map(|_| ())
        .ok_or_else(|| Error::NotFound(format!("person {person}")))
}

/// Proposes restriction `kind` for `person` inside `tx` (the second person confirms it
/// later); an open proposal of the same kind is not repeated. Returns its id.
pub(crate) async fn propose(
    tx: &mut Transaction<'static, Any>,
    party: &str,
    actor: &str,
    person: i64,
    kind: Restriction,
    now_ms: i64,
) -> Result<i64, Error> {
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM restrictions WHERE party = $1 AND person_id = $2 AND kind = $3",
    )
    .bind(party)
    .bind(person)
    .bind(kind.as_str())
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("reading restrictions"))?;
    if let Some(id) = open {
        return Ok(id);
    }
    sqlx::query_scalar(
        "INSERT INTO restrictions (party, person_id, kind, proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(party)
    .bind(person)
    .bind(kind.as_str())
    .bind(actor)
    .bind(now_ms)
    .fetch_one(&mut **tx)
    .await
    .map_err(db("proposing a restricted status"))
}

/// Withdraws unconfirmed proposals of `kind` for `person` (the decision that made them was
/// undone).
pub(crate) async fn withdraw_proposals(
    tx: &mut Transaction<'static, Any>,
    party: &str,
    person: i64,
    kind: Restriction,
) -> Result<(), Error> {
    sqlx::query(
        "DELETE FROM restrictions WHERE party = $1 AND person_id = $2 AND kind = $3 AND confirmed_at IS NULL",
    )
    .bind(party)
    .bind(person)
    .bind(kind.as_str())
    .execute(&mut **tx)
    .await
    .map_err(db("withdrawing a proposal"))?;
    Ok(())
}

fn restriction_from_row(r: &sqlx::any::AnyRow) -> Result<RestrictionView, Error> {
    let get = db("reading a restriction");
    Ok(RestrictionView {
        id: r.try_get("id").map_err(&get)?,
        person_id: r.try_get("person_id").map_err(&get)?,
        kind: r.try_get::<String, _>("kind").map_err(&get)?.parse()?,
        proposed_by: r.try_get("proposed_by").map_err(&get)?,
        proposed_at: r.try_get("proposed_at").map_err(&get)?,
        confirmed_by: r.try_get("confirmed_by").map_err(&get)?,
        confirmed_at: r.try_get("confirmed_at").map_err(&get)?,
        released_by: r.try_get("released_by").map_err(&get)?,
    })
}

/// What the audit notes of a read whose sensitive fields were masked.
pub const MASKED_READ: &str =
    "sensitive fields masked: they are shown only to the roles protection and admin";

const RESTRICTION_COLUMNS: &str =
    "id, person_id, kind, proposed_by, proposed_at, confirmed_by, confirmed_at, released_by";

impl Store {
    /// Marks a record protected (with why), or lifts the mark with `None` (a child's record
    /// stays protected all the same). One event, which names no one.
    pub async fn mark_protected(
        &self,
        grant: &Grant<RecordRestricted>,
        person: i64,
        sensitivity: Option<Sensitivity>,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        own_record(&mut tx, me, person).await?;
        sqlx::query("UPDATE persons SET sensitivity = $1, updated_at = $2 WHERE id = $3")
            .bind(sensitivity.map(Sensitivity::as_str))
            .bind(now_ms)
            .bind(person)
            .execute(&mut *tx)
            .await
            .map_err(db("marking the record"))?;
        let payload = serde_json::json!({ "person": person, "sensitivity": sensitivity });
        commit_with_event(tx, grant, "person.protection_marked", payload, now_ms).await
    }

    /// Records the purposes a family agreed its tracing request may serve.
    pub async fn set_consent(
        &self,
        grant: &Grant<WriteRegister>,
        person: i64,
        purposes: &[Purpose],
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut purposes = purposes.to_vec();
        purposes.sort();
        purposes.dedup();
        let mut tx = self.begin().await?;
        own_record(&mut tx, me, person).await?;
        let text = serde_json::to_string(&purposes)
            .map_err(|e| Error::Storage(format!("encoding consent: {e}")))?;
        sqlx::query("UPDATE persons SET consent = $1, updated_at = $2 WHERE id = $3")
            .bind(text)
            .bind(now_ms)
            .bind(person)
            .execute(&mut *tx)
            .await
            .map_err(db("recording consent"))?;
        let payload = serde_json::json!({ "person": person, "purposes": purposes });
        commit_with_event(tx, grant, "person.consent_recorded", payload, now_ms).await
    }

    /// Proposes a restricted status for a record; it takes effect when a second person
    /// confirms it. One event.
    pub async fn propose_restriction(
        &self,
        grant: &Grant<RecordRestricted>,
        person: i64,
        kind: Restriction,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        own_record(&mut tx, me, person).await?;
        let id = propose(&mut tx, me, grant.actor(), person, kind, now_ms).await?;
        let payload = serde_json::json!({ "restriction": id, "person": person, "kind": kind });
        commit_with_event(tx, grant, "restriction.proposed", payload, now_ms).await?;
        Ok(id)
    }

    /// A second person confirms a proposed restricted status: a death becomes the record's
    /// status, a refusal of repatriation marks the record protected. One event.
    pub async fn confirm_restriction(
        &self,
        grant: &Grant<RecordRestricted>,
        id: i64,
        now_ms: i64,
    ) -> Result<RestrictionView, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RESTRICTION_COLUMNS} FROM restrictions WHERE id = $1 AND party = $2"
        )))
        .bind(id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the restriction"))?
        .ok_or_else(|| Error::NotFound(format!("restriction {id}")))?;
        let r = restriction_from_row(&row)?;
        if r.confirmed_at.is_some() {
            return Err(Error::Conflict(format!(
                "restriction {id} was already confirmed"
            )));
        }
        if let Err(refusal) = check_second_person(
            &r.proposed_by,
            grant.actor(),
            &format!("the {} status of record {}", r.kind, r.person_id),
        ) {
            drop(tx);
            self.refused(
                grant,
                r.person_id,
                "a restricted status confirmed by its proposer",
                now_ms,
            )
            .await?;
            return Err(refusal);
        }
        sqlx::query("UPDATE restrictions SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3")
            .bind(grant.actor())
            .bind(now_ms)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("confirming the restriction"))?;
        if let Some(status) = r.kind.status() {
            crate::persons::write_status(&mut tx, me, r.person_id, status, now_ms).await?;
        }
        if r.kind == Restriction::RefusedRepatriation {
            sqlx::query("UPDATE persons SET sensitivity = $1 WHERE id = $2")
                .bind(Sensitivity::RefusedRepatriation.as_str())
                .bind(r.person_id)
                .execute(&mut *tx)
                .await
                .map_err(db("protecting the record"))?;
        }
        let payload =
            serde_json::json!({ "restriction": id, "person": r.person_id, "kind": r.kind });
        commit_with_event(tx, grant, "restriction.confirmed", payload, now_ms).await?;
        Ok(RestrictionView {
            confirmed_by: Some(grant.actor().to_owned()),
            confirmed_at: Some(now_ms),
            ..r
        })
    }

    /// A negotiator lets a confirmed restricted status leave the party inside lists. One
    /// event.
    pub async fn release_restriction(
        &self,
        grant: &Grant<ReleaseRestricted>,
        id: i64,
        now_ms: i64,
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE restrictions SET released_by = $1, released_at = $2 WHERE id = $3 AND party = $4 AND confirmed_at IS NOT NULL",
        )
        .bind(grant.actor())
        .bind(now_ms)
        .bind(id)
        .bind(grant.party().as_str())
        .execute(&mut *tx)
        .await
        .map_err(db("releasing the restriction"))?
        .rows_affected();
        if done == 0 {
            return Err(Error::NotFound(format!("confirmed restriction {id}")));
        }
        commit_with_event(
            tx,
            grant,
            "restriction.released",
            serde_json::json!({ "restriction": id }),
            now_ms,
        )
        .await
    }

    /// The restricted statuses of the grant's register, of one record when given.
    pub async fn restrictions(
        &self,
        grant: &Grant<ReadRegister>,
        person: Option<i64>,
    ) -> Result<Vec<RestrictionView>, Error> {
        if let Some(id) = person {
            let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
            own_record(&mut conn, grant.party().as_str(), id).await?;
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {RESTRICTION_COLUMNS} FROM restrictions WHERE party = $1 AND ($2 IS NULL OR person_id = $2) ORDER BY id"
        )))
        .bind(grant.party().as_str())
        .bind(person)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading restrictions"))?;
        rows.iter().map(restriction_from_row).collect()
    }

    /// The records of the grant's register whose confirmed restricted status no negotiator
    /// released: they never leave the party inside a list.
    pub async fn withheld_from_lists(&self, party: &str) -> Result<Vec<i64>, Error> {
        sqlx::query_scalar(
            "SELECT DISTINCT person_id FROM restrictions WHERE party = $1 AND confirmed_at IS NOT NULL AND released_at IS NULL ORDER BY person_id",
        )
        .bind(party)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading restrictions"))
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

    /// The purposes families agreed to, for those of `ids` in the grant's register that are
    /// a family's request (records with no consent recorded are left out of the map).
    pub async fn consents<C: Command>(
        &self,
        grant: &Grant<C>,
        ids: &[i64],
    ) -> Result<std::collections::HashMap<i64, Vec<Purpose>>, Error> {
        let mut out = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT id, consent FROM persons WHERE party = $1 AND consent IS NOT NULL AND id IN ({list})"
            )))
            .bind(grant.party().as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading consent"))?;
            for r in &rows {
                let get = db("reading consent");
                let id: i64 = r.try_get("id").map_err(&get)?;
                let text: String = r.try_get("consent").map_err(&get)?;
                let purposes: Vec<Purpose> = serde_json::from_str(&text).map_err(|e| {
                    Error::Storage(format!("record {id}: its consent is unreadable: {e}"))
                })?;
                out.insert(id, purposes);
            }
        }
        Ok(out)
    }

    /// Sets how long records of a category (and status, when given) are kept after their
    /// last change. One event.
    pub async fn set_retention(
        &self,
        grant: &Grant<homeward_core::access::Administer>,
        rule: &RetentionRule,
        now_ms: i64,
    ) -> Result<(), Error> {
        if rule.days <= 0 {
            return Err(Error::invalid(
                "days",
                "a retention period is a positive number of days",
            ));
        }
        let status = rule.status.map_or("", |s| s.as_str());
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO retention_rules (party, category, status, days) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (party, category, status) DO UPDATE SET days = excluded.days",
        )
        .bind(grant.party().as_str())
        .bind(rule.category.as_str())
        .bind(status)
        .bind(rule.days)
        .execute(&mut *tx)
        .await
        .map_err(db("setting a retention period"))?;
        let payload = serde_json::json!({ "category": rule.category, "status": rule.status, "days": rule.days });
        commit_with_event(tx, grant, "retention.set", payload, now_ms).await
    }

    /// The party's retention rules.
    pub async fn retention_rules<C: Command>(
        &self,
        grant: &Grant<C>,
    ) -> Result<Vec<RetentionRule>, Error> {
        let rows = sqlx::query(
            "SELECT category, status, days FROM retention_rules WHERE party = $1 ORDER BY category, status",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading retention rules"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a retention rule");
                let status: String = r.try_get("status").map_err(&get)?;
                Ok(RetentionRule {
                    category: r.try_get::<String, _>("category").map_err(&get)?.parse()?,
                    status: if status.is_empty() {
                        None
                    } else {
                        Some(status.parse()?)
                    },
                    days: r.try_get("days").map_err(&get)?,
                })
            })
            .collect()
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
        let mut tx = self.begin().await?;
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
        .fetch_all(&self.pool)
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

    /// Asks for the erasure of a record's personal data; a second person confirms it. One
    /// event.
    pub async fn request_erasure(
        &self,
        grant: &Grant<Erase>,
        person: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(
                "reason",
                "say why the record's data is erased",
            ));
        }
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        own_record(&mut tx, me, person).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO erasures (party, person_id, reason, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(me)
        .bind(person)
        .bind(reason)
        .bind(grant.actor())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("requesting the erasure"))?;
        let payload = serde_json::json!({ "erasure": id, "person": person });
        commit_with_event(tx, grant, "erasure.requested", payload, now_ms).await?;
        Ok(id)
    }

    /// The erasure requests of the grant's party, of one record when given.
    pub async fn erasures(
        &self,
        grant: &Grant<Erase>,
        person: Option<i64>,
    ) -> Result<Vec<ErasureView>, Error> {
        let rows = sqlx::query(
            "SELECT id, person_id, reason, requested_by, requested_at, confirmed_by, confirmed_at FROM erasures \
             WHERE party = $1 AND ($2 IS NULL OR person_id = $2) ORDER BY id",
        )
        .bind(grant.party().as_str())
        .bind(person)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading erasures"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading an erasure");
                Ok(ErasureView {
                    id: r.try_get("id").map_err(&get)?,
                    person_id: r.try_get("person_id").map_err(&get)?,
                    reason: r.try_get("reason").map_err(&get)?,
                    requested_by: r.try_get("requested_by").map_err(&get)?,
                    requested_at: r.try_get("requested_at").map_err(&get)?,
                    confirmed_by: r.try_get("confirmed_by").map_err(&get)?,
                    confirmed_at: r.try_get("confirmed_at").map_err(&get)?,
                })
            })
            .collect()
    }

    /// A second person confirms an erasure, and the record's personal data is removed from
    /// every table: the record keeps its id, category, relation, status, dates and the hash
    /// the log holds; the rows of lists that held the person keep their leaf hashes (so the
    /// lists' signatures and every proof of their other rows hold) and those lists' original
    /// files are no longer kept; links lose their evidence. One event.
    pub async fn confirm_erasure(
        &self,
        grant: &Grant<Erase>,
        id: i64,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT person_id, requested_by, confirmed_at FROM erasures WHERE id = $1 AND party = $2",
        )
        .bind(id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the erasure"))?
        .ok_or_else(|| Error::NotFound(format!("erasure {id}")))?;
        let get = db("reading the erasure");
        let person: i64 = row.try_get("person_id").map_err(&get)?;
        let requested_by: String = row.try_get("requested_by").map_err(&get)?;
        if row
            .try_get::<Option<i64>, _>("confirmed_at")
            .map_err(&get)?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "erasure {id} was already carried out"
            )));
        }
        if let Err(refusal) = check_second_person(
            &requested_by,
            grant.actor(),
            &format!("the erasure of record {person}"),
        ) {
            drop(tx);
            self.refused(
                grant,
                person,
                "an erasure confirmed by the one who asked for it",
                now_ms,
            )
            .await?;
            return Err(refusal);
        }
        let blank = PERSONAL_COLUMNS
            .iter()
            .map(|c| format!("{c} = NULL"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE persons SET {blank}, name_folded = '', name_script = '', consent = NULL, erased_at = $1 WHERE id = $2 AND party = $3"
        )))
        .bind(now_ms)
        .bind(person)
        .bind(me)
        .execute(&mut *tx)
        .await
        .map_err(db("erasing the record"))?;
        // The list rows that held the person: the party's own (the row gave the record) and
        // the rows of received lists a reviewer confirmed as the same person.
        let rows = sqlx::query(
            "SELECT list_id, row_no, fields FROM list_rows WHERE person_id = $1 \
             UNION SELECT r.list_id, r.row_no, r.fields FROM list_rows r JOIN links k \
             ON k.other_list = r.list_id AND k.other_row = r.row_no WHERE k.party = $2 AND k.person_id = $1",
        )
        .bind(person)
        .bind(me)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("finding the person's rows"))?;
        let mut lists = std::collections::BTreeSet::new();
        for r in &rows {
            let list: i64 = r.try_get("list_id").map_err(&get)?;
            let line: i64 = r.try_get("row_no").map_err(&get)?;
            let fields: serde_json::Value =
                serde_json::from_str(&r.try_get::<String, _>("fields").map_err(&get)?)
                    .map_err(|e| Error::Storage(format!("row {line}: {e}")))?;
            let leaf = homeward_ledger::rows::row_leaf(line, &fields)
                .map_err(|e| Error::Storage(format!("row {line}: {e}")))?;
            sqlx::query(
                "UPDATE list_rows SET fields = '{}', problems = '[]', erased_leaf = COALESCE(erased_leaf, $1) \
                 WHERE list_id = $2 AND row_no = $3",
            )
            .bind(hex::encode(leaf))
            .bind(list)
            .bind(line)
            .execute(&mut *tx)
            .await
            .map_err(db("erasing a list row"))?;
            lists.insert(list);
        }
        for list in &lists {
            sqlx::query("UPDATE lists SET original = $1, original_erased_at = $2 WHERE id = $3")
                .bind(Vec::<u8>::new())
                .bind(now_ms)
                .bind(list)
                .execute(&mut *tx)
                .await
                .map_err(db("withholding a list's original"))?;
        }
        sqlx::query(
            "UPDATE links SET evidence = '{}' WHERE party = $1 AND (person_id = $2 OR other_person = $2)",
        )
        .bind(me)
        .bind(person)
        .execute(&mut *tx)
        .await
        .map_err(db("erasing link evidence"))?;
        sqlx::query("UPDATE child_cases SET note = NULL WHERE person_id = $1")
            .bind(person)
            .execute(&mut *tx)
            .await
            .map_err(db("erasing a child's case note"))?;
        sqlx::query("UPDATE erasures SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3")
            .bind(grant.actor())
            .bind(now_ms)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("closing the erasure"))?;
        let payload = serde_json::json!({
            "erasure": id,
            "person": person,
            "list_rows": rows.len(),
            "lists_withheld": lists.len(),
        });
        commit_with_event(tx, grant, "erasure.confirmed", payload, now_ms).await?;
        // PostgreSQL keeps the old row versions (and their index entries) until a vacuum;
        // SQLite overwrites them at once (secure_delete).
        if self.backend() == crate::Backend::Postgres {
            sqlx::query("VACUUM persons, list_rows, lists, links, child_cases")
                .execute(&self.pool)
                .await
                .map_err(db("vacuuming after the erasure"))?;
        }
        Ok(())
    }
}
