//! The mixed medical commission's examinations and decisions, kept by the party that holds
//! the prisoners (the detaining power records what the commission did in its camps). A
//! majority's decision corrects the prisoner's health in the same transaction, with the
//! commission's finding as its source, so the record's history and the plan say why.

use crate::changes::{Corrector, correct_in};
use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadRegister, WriteRegister};
use homeward_core::commission::{NewExamination, NewFinding, ProposedBy, Verdict};
use homeward_core::correction::{FieldChange, Provenance, SourceKind};
use homeward_core::record::{Category, Health, PartialDate, Relation};
use homeward_core::talks::Terms;
use homeward_ledger::keys::PartyKey;
use serde::Serialize;
use sqlx::Row;
use std::collections::BTreeMap;

/// An examination as the party's pages show it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExaminationView {
    /// Id in this store.
    pub id: i64,
    /// The commission's commitment.
    pub commitment: i64,
    /// The prisoner.
    pub person_id: i64,
    /// When.
    pub examined_on: String,
    /// Where.
    pub place: String,
    /// The members present.
    pub present: Vec<String>,
    /// Who proposed the prisoner (art. 113).
    pub proposed_by: ProposedBy,
    /// The majority's decision, once taken.
    pub verdict: Option<Verdict>,
    /// Each member's vote.
    pub votes: BTreeMap<String, Verdict>,
    /// The Annex I grounds.
    pub grounds: Option<String>,
    /// When the commission decided.
    pub decided_on: Option<String>,
    /// Who recorded the examination.
    pub recorded_by: String,
}

const EXAMINATION_COLUMNS: &str = "id, commitment_id, person_id, examined_on, place, present, proposed_by, \
    verdict, votes, grounds, decided_on, recorded_by";

fn examination_from_row(row: &sqlx::any::AnyRow) -> Result<ExaminationView, Error> {
    let get = db("reading an examination");
    let json = |name: &str| -> Result<Option<String>, Error> { row.try_get(name).map_err(&get) };
    let present: Vec<String> = serde_json::from_str(&json("present")?.unwrap_or_default())
        .map_err(|e| Error::Storage(format!("an examination's members are unreadable: {e}")))?;
    let votes = match json("votes")? {
        Some(v) => serde_json::from_str(&v)
            .map_err(|e| Error::Storage(format!("an examination's votes are unreadable: {e}")))?,
        None => BTreeMap::new(),
    };
    Ok(ExaminationView {
        id: row.try_get("id").map_err(&get)?,
        commitment: row.try_get("commitment_id").map_err(&get)?,
        person_id: row.try_get("person_id").map_err(&get)?,
        examined_on: row.try_get("examined_on").map_err(&get)?,
        place: row.try_get("place").map_err(&get)?,
        present,
        proposed_by: row
            .try_get::<String, _>("proposed_by")
            .map_err(&get)?
            .parse()?,
        verdict: json("verdict")?.map(|v| v.parse()).transpose()?,
        votes,
        grounds: json("grounds")?,
        decided_on: json("decided_on")?,
        recorded_by: row.try_get("recorded_by").map_err(&get)?,
    })
}

/// The kind of statement a commission's finding travels as.
pub const FINDING_KIND: &str = "commission.finding";

/// Whom a finding is stated to (the commitment's other side and the round's mediator) and
/// what it states: the commission, the prisoner as the holding party registered him (with
/// the signed list's row that carried him, so the other side finds him in the list it
/// holds), the examination and the decision.
async fn finding_statement(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    exam: &ExaminationView,
    verdict: Verdict,
    finding: &NewFinding,
) -> Result<(Vec<String>, serde_json::Value), Error> {
    let get = db("reading the commission");
    let c = sqlx::query(
        "SELECT c.title, c.side_a, c.side_b, r.title AS round, r.mediator FROM commitments c \
         JOIN rounds r ON r.id = c.round_id WHERE c.id = $1",
    )
    .bind(exam.commitment)
    .fetch_one(&mut **tx)
    .await
    .map_err(&get)?;
    let mut addressees: Vec<String> = ["side_a", "side_b", "mediator"]
        .iter()
        .map(|col| c.try_get::<Option<String>, _>(*col).map_err(&get))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .flatten()
        .filter(|p| p != party)
        .collect();
    addressees.sort();
    addressees.dedup();
    let p = sqlx::query(
        "SELECT p.surname, p.given_names, p.patronymic, p.birth_date, p.service_number, \
         l.issuer, l.sha256, p.source_row FROM persons p \
         LEFT JOIN lists l ON l.id = p.source_list AND l.signature IS NOT NULL \
         WHERE p.id = $1 AND p.party = $2",
    )
    .bind(exam.person_id)
    .bind(party)
    .fetch_one(&mut **tx)
    .await
    .map_err(db("reading a person record"))?;
    let get = db("reading a person record");
    let text = |col: &str| -> Result<Option<String>, Error> { p.try_get(col).map_err(&get) };
    let name = [text("surname")?, text("given_names")?, text("patronymic")?]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let list = match (text("issuer")?, text("sha256")?) {
        (Some(issuer), Some(sha256)) => serde_json::json!({
            "issuer": issuer,
            "sha256": sha256,
            "row": p.try_get::<Option<i64>, _>("source_row").map_err(&get)?,
        }),
        _ => serde_json::Value::Null,
    };
    let body = serde_json::json!({
        "commission": c.try_get::<String, _>("title").map_err(db("reading the commission"))?,
        "round": c.try_get::<String, _>("round").map_err(db("reading the commission"))?,
        "prisoner": {
            "name": name,
            "birth_date": text("birth_date")?,
            "service_number": text("service_number")?,
            "list": list,
        },
        "examined_on": exam.examined_on,
        "place": exam.place,
        "present": exam.present,
        "proposed_by": exam.proposed_by.as_str(),
        "votes": finding.votes.iter().map(|(k, v)| (k.clone(), v.as_str())).collect::<BTreeMap<_, _>>(),
        "verdict": verdict.as_str(),
        "grounds": finding.grounds.as_deref().map(str::trim),
        "decided_on": finding.decided_on.to_string(),
    });
    Ok((addressees, body))
}

impl Store {
    /// Records the commission's examination of a prisoner the party holds, under the
    /// commission's commitment (one of the party's, naming the members). One event.
    /// Refused, nothing changed: another commitment kind, members not named or not present,
    /// a person who is not a prisoner of war the party holds, an erased record, a date in
    /// the future.
    pub async fn record_examination(
        &self,
        grant: &Grant<WriteRegister>,
        commitment: i64,
        examination: &NewExamination,
        today: PartialDate,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let party = grant.party().as_str();
        let mut tx = self.begin().await?;
        let (_, terms) =
            crate::talks::visible_commitment(&mut tx, grant.party(), commitment).await?;
        let Terms::MedicalCommission { members, .. } = terms else {
            return Err(Error::invalid(
                "commitment",
                format!("commitment {commitment} is not a mixed medical commission"),
            ));
        };
        examination.validate(&members, today)?;
        let person = examination.person;
        let (category, relation, erased) = crate::persons::standing(&mut tx, party, person).await?;
        if category != Category::Pow || relation != Relation::Held {
            return Err(Error::invalid(
                "person",
                format!(
                    "record {person} is not a prisoner of war the party holds; the commission examines those (GC III art. 112)"
                ),
            ));
        }
        if erased {
            return Err(Error::invalid(
                "person",
                format!("record {person}'s personal data was erased"),
            ));
        }
        let present: Vec<&str> = examination.present.iter().map(|p| p.trim()).collect();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO examinations (party, commitment_id, person_id, examined_on, place, present, proposed_by, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(party)
        .bind(commitment)
        .bind(person)
        .bind(examination.examined_on.to_string())
        .bind(examination.place.trim())
        .bind(serde_json::to_string(&present).map_err(|e| Error::Storage(e.to_string()))?)
        .bind(examination.proposed_by.as_str())
        .bind(grant.actor())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("recording an examination"))?;
        let payload = serde_json::json!({
            "examination": id, "commitment": commitment, "person": person,
            "examined_on": examination.examined_on.to_string(), "present": present.len(),
        });
        commit_with_event(tx, grant, "commission.examined", payload, now_ms).await?;
        Ok(id)
    }

    /// Records the commission's decision on an examination: the members' votes, the
    /// majority's verdict, its grounds; the prisoner's health corrected when the verdict
    /// changes it (the correction's source is the commission's finding). Events:
    /// `commission.decided`, and `person.corrected` when the health changed. Refused, nothing
    /// changed: no such examination (or another party's), one already decided, no majority,
    /// votes of members not present. With the party's key (`signer`) the finding is also
    /// stated to the commitment's other side and the round's mediator, signed, in the same
    /// transaction (`statement.issued`).
    pub async fn record_finding(
        &self,
        grant: &Grant<WriteRegister>,
        examination: i64,
        finding: &NewFinding,
        signer: Option<&PartyKey>,
        today: PartialDate,
        now_ms: i64,
    ) -> Result<Verdict, Error> {
        let party = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EXAMINATION_COLUMNS} FROM examinations WHERE id = $1 AND party = $2"
        )))
        .bind(examination)
        .bind(party)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading an examination"))?
        .ok_or_else(|| {
            Error::invalid(
                "examination",
                format!("there is no examination {examination}: a finding is recorded only for a prisoner the commission examined"),
            )
        })?;
        let exam = examination_from_row(&row)?;
        if exam.verdict.is_some() {
            return Err(Error::Conflict(format!(
                "the commission already decided on examination {examination}; a later decision needs a new examination"
            )));
        }
        let verdict = finding.decide(&exam.present, exam.examined_on.parse()?, today)?;
        sqlx::query(
            "UPDATE examinations SET verdict = $1, votes = $2, grounds = $3, decided_on = $4, decided_by = $5, decided_at = $6 \
             WHERE id = $7 AND party = $8",
        )
        .bind(verdict.as_str())
        .bind(serde_json::to_string(&finding.votes).map_err(|e| Error::Storage(e.to_string()))?)
        .bind(finding.grounds.as_deref().map(str::trim))
        .bind(finding.decided_on.to_string())
        .bind(grant.actor())
        .bind(now_ms)
        .bind(examination)
        .bind(party)
        .execute(&mut *tx)
        .await
        .map_err(db("recording the commission's decision"))?;
        let health: Health = sqlx::query_scalar::<_, String>(
            "SELECT health FROM persons WHERE id = $1 AND party = $2",
        )
        .bind(exam.person_id)
        .bind(party)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("reading a person record"))?
        .parse()?;
        if let Some(next) = verdict.health_after(health) {
            let by = Corrector {
                party,
                actor: grant.actor(),
                clearance: grant.clearance(),
                today,
                now_ms,
            };
            let provenance = Provenance {
                reason: format!(
                    "medical commission, {}: {}{}",
                    finding.decided_on,
                    verdict.as_str(),
                    finding
                        .grounds
                        .as_deref()
                        .map(|g| format!(" ({})", g.trim()))
                        .unwrap_or_default()
                ),
                source: SourceKind::Commission,
                reference: Some(format!("examination {examination}")),
            };
            let change = FieldChange {
                field: "health".to_owned(),
                value: Some(next.as_str().to_owned()),
            };
            let (_, payload) =
                correct_in(&mut tx, &by, exam.person_id, &[change], &provenance).await?;
            crate::append_event(&mut tx, grant, "person.corrected", payload, now_ms).await?;
        }
        if let Some(key) = signer {
            let (addressees, body) =
                finding_statement(&mut tx, party, &exam, verdict, finding).await?;
            crate::stated_plans::state_to(
                &mut tx,
                grant,
                key,
                &addressees,
                FINDING_KIND,
                body,
                now_ms,
            )
            .await?;
        }
        let payload = serde_json::json!({
            "examination": examination, "person": exam.person_id, "verdict": verdict.as_str(),
            "votes": finding.votes.len(), "decided_on": finding.decided_on.to_string(),
        });
        commit_with_event(tx, grant, "commission.decided", payload, now_ms).await?;
        Ok(verdict)
    }

    /// The examinations of a commission (the party's own records of them), newest first.
    pub async fn examinations(
        &self,
        grant: &Grant<ReadRegister>,
        commitment: i64,
    ) -> Result<Vec<ExaminationView>, Error> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {EXAMINATION_COLUMNS} FROM examinations WHERE party = $1 AND commitment_id = $2 ORDER BY id DESC"
        )))
        .bind(grant.party().as_str())
        .bind(commitment)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading examinations"))?
        .iter()
        .map(examination_from_row)
        .collect()
    }
}
