//! Records entered one by one and corrected field by field, each change with its provenance
//! (who, when, why, on what source), kept as the record's history. The rules of what may be
//! entered or changed are core's (`homeward_core::correction`); here they are stored, with
//! one event per change, and a correction of a confirmed link's evidence puts the link back
//! for review in the same transaction.

use crate::persons::{COLUMNS, INSERT_COLUMNS, person_from_row, record_values};
use crate::{Store, commit_with_event, db, events};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadRegister, WriteRegister};
use homeward_core::correction::{self, Changed, FieldChange, Provenance, SourceKind};
use homeward_core::protection::{Clearance, SENSITIVE_FIELDS};
use homeward_core::record::{PartialDate, PersonRecord};
use homeward_ledger::EventDraft;
use serde::Serialize;
use sqlx::Row;

/// One field of one change in a record's history.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldHistory {
    /// Which change (the fields of one change share it), in order.
    pub change_no: i64,
    /// The field.
    pub field: String,
    /// Its value before (`None`: empty, or when entered).
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
    /// Why.
    pub reason: Option<String>,
    /// What the change rests on.
    pub source: SourceKind,
    /// Which document, call or row.
    pub reference: Option<String>,
    /// Who (`user:N`).
    pub actor: String,
    /// When, in milliseconds since 1970.
    pub at_ms: i64,
    /// The record's hash after the change: what the event log holds.
    pub record_sha256: String,
    /// Whether the values, reason and reference were masked for this reader (a protected
    /// record's sensitive field).
    pub masked: bool,
}

/// A record's history: every change by hand, oldest first, and where the record came from.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordHistory {
    /// The record.
    pub person: i64,
    /// The list it was imported from (its row's values are the `before` of a field's first
    /// correction), if any.
    pub source_list: Option<i64>,
    /// The row of that list.
    pub source_row: Option<i64>,
    /// The changes, field by field.
    pub changes: Vec<FieldHistory>,
}

impl RecordHistory {
    /// For each corrected field of an imported record, the value its list row gave.
    pub fn list_values(&self) -> Vec<(&str, Option<&str>)> {
        if self.source_list.is_none() {
            return Vec::new();
        }
        let mut seen: Vec<(&str, Option<&str>)> = Vec::new();
        for c in &self.changes {
            if !seen.iter().any(|(f, _)| *f == c.field) {
                seen.push((&c.field, c.before.as_deref()));
            }
        }
        seen
    }
}

/// What a correction did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorrectionOutcome {
    /// The record.
    pub person: i64,
    /// Which change of the record's history this is.
    pub change_no: i64,
    /// The fields changed, before and after.
    pub changed: Vec<Changed>,
    /// The record's hash before and after.
    pub record_sha256_before: String,
    /// After.
    pub record_sha256: String,
    /// Confirmed links whose evidence the correction changed, now back for review.
    pub links_back_to_review: Vec<i64>,
}

/// Who made change `no` of a record, when, on what, and the record's hash after it.
struct ChangeMade<'a> {
    party: &'a str,
    actor: &'a str,
    person: i64,
    no: i64,
    provenance: &'a Provenance,
    record_sha256: &'a str,
    at_ms: i64,
}

/// The rows of `changed` in the history table, as the change `made`.
async fn write_changes(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    made: &ChangeMade<'_>,
    changed: &[Changed],
) -> Result<(), Error> {
    for c in changed {
        sqlx::query(
            "INSERT INTO person_changes (party, person_id, change_no, field, before_value, after_value, \
             reason, source, reference, actor, at, record_sha256) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(made.party)
        .bind(made.person)
        .bind(made.no)
        .bind(c.field)
        .bind(c.before.as_deref())
        .bind(c.after.as_deref())
        .bind(made.provenance.reason.trim())
        .bind(made.provenance.source.as_str())
        .bind(made.provenance.reference.as_deref().map(str::trim))
        .bind(made.actor)
        .bind(made.at_ms)
        .bind(made.record_sha256)
        .execute(&mut **tx)
        .await
        .map_err(db("recording a record's change"))?;
    }
    Ok(())
}

/// The event payload of a change: fields named, values never (the log holds hashes).
fn change_payload(
    person: i64,
    change_no: i64,
    changed: &[Changed],
    provenance: &Provenance,
) -> serde_json::Value {
    serde_json::json!({
        "person": person,
        "change": change_no,
        "fields": changed.iter().map(|c| c.field).collect::<Vec<_>>(),
        "source": provenance.source.as_str(),
    })
}

impl Store {
    /// Enters one record in the grant's register by hand (a family's call, a capture, remains
    /// found), with its provenance: the record as core's `correction::enter` checks it, its
    /// fields as the first change of its history, one event. Returns its id.
    pub async fn enter_person(
        &self,
        grant: &Grant<WriteRegister>,
        record: &PersonRecord,
        provenance: &Provenance,
        today: PartialDate,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let mut tx = self.begin().await?;
        let (id, payload) = enter_in(
            &mut tx,
            grant.party().as_str(),
            grant.actor(),
            record,
            provenance,
            today,
            now_ms,
        )
        .await?;
        commit_with_event(tx, grant, "person.entered", payload, now_ms).await?;
        Ok(id)
    }

    /// Corrects fields of one record of the grant's register, with their provenance: the
    /// change checked by core's `correction::correct`, every field's before and after kept,
    /// the record's hash recomputed, one event (`person.corrected`, with both hashes). A
    /// correction of a field the linkage compares puts every confirmed link of the record back
    /// for review (each its own `link.undone` event, the status the confirmation set restored).
    /// Refused, nothing changed: another party's record (not found), an erased one, and a
    /// protected record's sensitive field for an actor not cleared to see it.
    pub async fn correct_person(
        &self,
        grant: &Grant<WriteRegister>,
        id: i64,
        changes: &[FieldChange],
        provenance: &Provenance,
        today: PartialDate,
        now_ms: i64,
    ) -> Result<CorrectionOutcome, Error> {
        let mut tx = self.begin().await?;
        let by = Corrector {
            party: grant.party().as_str(),
            actor: grant.actor(),
            clearance: grant.clearance(),
            today,
            now_ms,
        };
        let (outcome, payload) = correct_in(&mut tx, &by, id, changes, provenance).await?;
        commit_with_event(tx, grant, "person.corrected", payload, now_ms).await?;
        Ok(outcome)
    }

    /// The history of one record of the grant's register, opened for `purpose` and audited
    /// like the record itself; a protected record's sensitive fields (and every reason and
    /// reference of its history, which may quote them) masked for a reader not cleared.
    pub async fn record_history(
        &self,
        grant: &Grant<ReadRegister>,
        id: i64,
        purpose: &str,
        now_ms: i64,
    ) -> Result<RecordHistory, Error> {
        let person = self.open_person(grant, id, purpose, now_ms).await?;
        let rows = sqlx::query(
            "SELECT change_no, field, before_value, after_value, reason, source, reference, actor, at, record_sha256 \
             FROM person_changes WHERE party = $1 AND person_id = $2 ORDER BY id",
        )
        .bind(grant.party().as_str())
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading a record's history"))?;
        let get = db("reading a record's history");
        let mut changes = Vec::with_capacity(rows.len());
        for r in &rows {
            let field: String = r.try_get("field").map_err(&get)?;
            let masked = person.masked;
            let hide =
                |v: Option<String>, sensitive: bool| if masked && sensitive { None } else { v };
            let sensitive = SENSITIVE_FIELDS.contains(&field.as_str());
            changes.push(FieldHistory {
                change_no: r.try_get("change_no").map_err(&get)?,
                before: hide(r.try_get("before_value").map_err(&get)?, sensitive),
                after: hide(r.try_get("after_value").map_err(&get)?, sensitive),
                reason: hide(r.try_get("reason").map_err(&get)?, true),
                source: r.try_get::<String, _>("source").map_err(&get)?.parse()?,
                reference: hide(r.try_get("reference").map_err(&get)?, true),
                actor: r.try_get("actor").map_err(&get)?,
                at_ms: r.try_get("at").map_err(&get)?,
                record_sha256: r.try_get("record_sha256").map_err(&get)?,
                masked: masked && sensitive,
                field,
            });
        }
        Ok(RecordHistory {
            person: id,
            source_list: person.source_list,
            source_row: person.source_row,
            changes,
        })
    }
}

/// Who corrects a record, with what clearance, today and now.
pub(crate) struct Corrector<'a> {
    pub(crate) party: &'a str,
    pub(crate) actor: &'a str,
    pub(crate) clearance: Clearance,
    pub(crate) today: PartialDate,
    pub(crate) now_ms: i64,
}

/// Corrects a record inside `tx` as [`Store::correct_person`] describes; returns what it did
/// and the payload of its event (`person.corrected`), which the caller writes.
pub(crate) async fn correct_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    by: &Corrector<'_>,
    id: i64,
    changes: &[FieldChange],
    provenance: &Provenance,
) -> Result<(CorrectionOutcome, serde_json::Value), Error> {
    let (party, today, now_ms) = (by.party, by.today, by.now_ms);
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM persons WHERE id = $1 AND party = $2"
    )))
    .bind(id)
    .bind(party)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("reading a person record"))?
    .ok_or_else(|| Error::NotFound(format!("person {id}")))?;
    let person = person_from_row(&row)?;
    // Checked once the record is known to be the party's: another party's id is not found,
    // whatever is sent.
    provenance.validate()?;
    if person.erased_at.is_some() {
        return Err(Error::invalid(
            "person",
            format!("record {id}'s personal data was erased; an erased record is not corrected"),
        ));
    }
    if person.protected()
        && by.clearance == Clearance::Masked
        && let Some(field) = changes
            .iter()
            .map(|c| c.field.trim())
            .find(|f| SENSITIVE_FIELDS.contains(f))
    {
        return Err(Error::invalid(
            field,
            "is a sensitive field of a protected record: only a user who may see it (an administrator) corrects it",
        ));
    }
    let (record, changed) = correction::correct(&person.record, changes, today)?;
    let source = person.source_list.zip(person.source_row);
    let (values, hash) = record_values(party, &record, source, now_ms)?;
    update_record(tx, party, id, values).await?;
    let change_no: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(change_no), 0) + 1 AS BIGINT) FROM person_changes WHERE party = $1 AND person_id = $2",
    )
    .bind(party)
    .bind(id)
    .fetch_one(&mut **tx)
    .await
    .map_err(db("numbering a record's change"))?;
    let made = ChangeMade {
        party,
        actor: by.actor,
        person: id,
        no: change_no,
        provenance,
        record_sha256: &hash,
        at_ms: now_ms,
    };
    write_changes(tx, &made, &changed).await?;
    let mut back = Vec::new();
    if correction::touches_evidence(&changed) {
        let links: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM links WHERE party = $1 AND decision = 'confirmed' \
             AND (person_id = $2 OR other_person = $2) ORDER BY id",
        )
        .bind(party)
        .bind(id)
        .fetch_all(&mut **tx)
        .await
        .map_err(db("finding the record's confirmed links"))?;
        for link in links {
            let (_, kind, mut payload) =
                crate::links::decide_in(tx, party, by.actor, link, crate::Decision::Unsure, now_ms)
                    .await?;
            payload["because"] = serde_json::json!({ "person_corrected": id, "change": change_no });
            payload["by_party"] = party.into();
            events::append(
                tx,
                EventDraft {
                    at_ms: now_ms,
                    party: party.to_owned(),
                    actor: by.actor.to_owned(),
                    kind: kind.to_owned(),
                    payload,
                },
            )
            .await?;
            back.push(link);
        }
    }
    // The record's hash after everything (a status restored by a link put back changes it).
    let record_sha256: String =
        sqlx::query_scalar("SELECT record_sha256 FROM persons WHERE id = $1 AND party = $2")
            .bind(id)
            .bind(party)
            .fetch_one(&mut **tx)
            .await
            .map_err(db("reading a person record"))?;
    let mut payload = change_payload(id, change_no, &changed, provenance);
    payload["record_sha256_before"] = person.record_sha256.clone().into();
    payload["record_sha256"] = record_sha256.clone().into();
    payload["links_back_to_review"] = back.clone().into();
    let outcome = CorrectionOutcome {
        person: id,
        change_no,
        changed,
        record_sha256_before: person.record_sha256,
        record_sha256,
        links_back_to_review: back,
    };
    Ok((outcome, payload))
}

/// Enters one record by `actor` inside `tx`, checked by core's `correction::enter`, its
/// fields the first change of its history; returns its id and the payload of its event
/// (`person.entered`, which the caller writes: a family's enquiry writes its own beside it).
pub(crate) async fn enter_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    actor: &str,
    record: &PersonRecord,
    provenance: &Provenance,
    today: PartialDate,
    now_ms: i64,
) -> Result<(i64, serde_json::Value), Error> {
    provenance.validate()?;
    let (record, entered) = correction::enter(record, today)?;
    let (id, hash) = crate::persons::insert_one(tx, party, &record, None, now_ms).await?;
    let made = ChangeMade {
        party,
        actor,
        person: id,
        no: 1,
        provenance,
        record_sha256: &hash,
        at_ms: now_ms,
    };
    write_changes(tx, &made, &entered).await?;
    let mut payload = change_payload(id, 1, &entered, provenance);
    payload["record_sha256"] = hash.into();
    Ok((id, payload))
}

/// Writes a record's new values (in the order of `INSERT_COLUMNS`) over the stored ones,
/// keeping its party and when it was created.
async fn update_record(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    id: i64,
    values: Vec<crate::persons::Value>,
) -> Result<(), Error> {
    let columns: Vec<&str> = INSERT_COLUMNS.split(',').map(str::trim).collect();
    let mut sets = Vec::new();
    let mut bound = Vec::new();
    for (column, value) in columns.iter().zip(values) {
        if matches!(*column, "party" | "created_at") {
            continue;
        }
        bound.push(value);
        sets.push(format!("{column} = ${}", bound.len()));
    }
    let n = bound.len();
    let sql = format!(
        "UPDATE persons SET {} WHERE id = ${} AND party = ${}",
        sets.join(", "),
        n + 1,
        n + 2
    );
    let query = bound
        .into_iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, v| v.bind(q))
        .bind(id)
        .bind(party);
    query
        .execute(&mut **tx)
        .await
        .map_err(db("correcting a person record"))?;
    Ok(())
}
