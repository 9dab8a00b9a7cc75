//! Protecting the people in the register: marking records protected, the purposes a family
//! agreed to, restricted statuses under the two-person rule, retention. The rules are core's (`homeward_core::protection`); this module keeps their
//! state and writes their events; the audit of reads is `reads`, erasure `erasure`.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{
    Command, Grant, ReadRegister, RecordRestricted, ReleaseRestricted, WriteRegister,
};
use homeward_core::protection::{
    Purpose, Restriction, RetentionRule, Sensitivity, check_second_person,
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

/// Refuses a record that is not `party`'s, as not found.
pub(crate) async fn own_record(
    conn: &mut sqlx::AnyConnection,
    party: &str,
    person: i64,
) -> Result<(), Error> {
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
}
