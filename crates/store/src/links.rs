//! Links between a register record and a row of a list: proposed by reconciliation,
//! decided by a reviewer. A decision is an event with the reviewer and the time; a pair a
//! reviewer rejected is never proposed again.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReviewLinks};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashSet;

/// A link to propose.
#[derive(Debug, Clone)]
pub struct ProposedLink {
    /// The register record (of the reviewing party).
    pub person_id: i64,
    /// The list the other record is a row of.
    pub other_list: i64,
    /// That row.
    pub other_row: i64,
    /// Match probability.
    pub probability: f64,
    /// Per-field evidence, as JSON text.
    pub evidence: String,
}

/// A link as reviewers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkView {
    /// Id in this store.
    pub id: i64,
    /// The register record.
    pub person_id: i64,
    /// The list of the other record.
    pub other_list: Option<i64>,
    /// Its row.
    pub other_row: Option<i64>,
    /// Match probability.
    pub probability: f64,
    /// Per-field evidence.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub evidence: serde_json::Value,
    /// candidate, confirmed or rejected.
    pub decision: String,
    /// Who decided, when decided.
    pub decided_by: Option<String>,
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The same person.
    Confirmed,
    /// Not the same person; never proposed again.
    Rejected,
    /// Not sure: back to the queue.
    Unsure,
}

impl std::str::FromStr for Decision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "accept" | "confirmed" | "confirm" => Ok(Decision::Confirmed),
            "reject" | "rejected" => Ok(Decision::Rejected),
            "unsure" => Ok(Decision::Unsure),
            other => Err(Error::invalid(
                "decision",
                format!("{other:?}: use accept, reject or unsure"),
            )),
        }
    }
}

impl Store {
    /// Pairs of (register record, row of `other_list`) a reviewer of the grant's party has
    /// already decided, so that reconciliation proposes none of them again.
    pub async fn decided_pairs(
        &self,
        grant: &Grant<ReviewLinks>,
        other_list: i64,
    ) -> Result<HashSet<(i64, i64)>, Error> {
        let rows = sqlx::query(
            "SELECT person_id, other_row FROM links WHERE party = $1 AND other_list = $2 AND decision <> 'candidate'",
        )
        .bind(grant.party().as_str())
        .bind(other_list)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading decided links"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a link");
                Ok((
                    r.try_get("person_id").map_err(&get)?,
                    r.try_get("other_row").map_err(&get)?,
                ))
            })
            .collect()
    }

    /// Stores proposed links (replacing earlier undecided ones for the same list) in one
    /// transaction with one event; returns how many were stored.
    pub async fn propose_links(
        &self,
        grant: &Grant<ReviewLinks>,
        other_list: i64,
        links: &[ProposedLink],
        now_ms: i64,
    ) -> Result<usize, Error> {
        let party = grant.party().as_str();
        let mut tx = self.begin().await?;
        sqlx::query(
            "DELETE FROM links WHERE party = $1 AND other_list = $2 AND decision = 'candidate'",
        )
        .bind(party)
        .bind(other_list)
        .execute(&mut *tx)
        .await
        .map_err(db("clearing undecided links"))?;
        for l in links {
            let mine: Option<i64> =
                sqlx::query_scalar("SELECT id FROM persons WHERE id = $1 AND party = $2")
                    .bind(l.person_id)
                    .bind(party)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db("finding the record"))?;
            if mine.is_none() {
                return Err(Error::NotFound(format!("person {}", l.person_id)));
            }
            sqlx::query(
                "INSERT INTO links (party, person_id, other_list, other_row, probability, evidence, decision) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'candidate')",
            )
            .bind(party)
            .bind(l.person_id)
            .bind(l.other_list)
            .bind(l.other_row)
            .bind(l.probability)
            .bind(&l.evidence)
            .execute(&mut *tx)
            .await
            .map_err(db("storing a proposed link"))?;
        }
        let payload = serde_json::json!({ "list": other_list, "proposed": links.len() });
        commit_with_event(tx, grant, "links.proposed", payload, now_ms).await?;
        Ok(links.len())
    }

    /// The grant's party's links, most probable first; `decision` filters.
    pub async fn links(
        &self,
        grant: &Grant<ReviewLinks>,
        decision: Option<&str>,
    ) -> Result<Vec<LinkView>, Error> {
        let rows = sqlx::query(
            "SELECT id, person_id, other_list, other_row, probability, evidence, decision, decided_by FROM links \
             WHERE party = $1 AND ($2 IS NULL OR decision = $2) ORDER BY probability DESC, id",
        )
        .bind(grant.party().as_str())
        .bind(decision)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading links"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a link");
                let evidence: String = r.try_get("evidence").map_err(&get)?;
                Ok(LinkView {
                    id: r.try_get("id").map_err(&get)?,
                    person_id: r.try_get("person_id").map_err(&get)?,
                    other_list: r.try_get("other_list").map_err(&get)?,
                    other_row: r.try_get("other_row").map_err(&get)?,
                    probability: r.try_get("probability").map_err(&get)?,
                    evidence: serde_json::from_str(&evidence).unwrap_or(serde_json::Value::Null),
                    decision: r.try_get("decision").map_err(&get)?,
                    decided_by: r.try_get("decided_by").map_err(&get)?,
                })
            })
            .collect()
    }

    /// Records a reviewer's decision on a link of the grant's party, with its event.
    pub async fn decide_link(
        &self,
        grant: &Grant<ReviewLinks>,
        link_id: i64,
        decision: Decision,
        now_ms: i64,
    ) -> Result<(), Error> {
        let (text, by, at) = match decision {
            Decision::Confirmed => ("confirmed", Some(grant.actor()), Some(now_ms)),
            Decision::Rejected => ("rejected", Some(grant.actor()), Some(now_ms)),
            Decision::Unsure => ("candidate", None, None),
        };
        let mut tx = self.begin().await?;
        let changed = sqlx::query("UPDATE links SET decision = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND party = $5")
            .bind(text)
            .bind(by)
            .bind(at)
            .bind(link_id)
            .bind(grant.party().as_str())
            .execute(&mut *tx)
            .await
            .map_err(db("recording the decision"))?
            .rows_affected();
        if changed == 0 {
            return Err(Error::NotFound(format!("link {link_id}")));
        }
        let payload = serde_json::json!({ "link": link_id, "decision": text });
        commit_with_event(tx, grant, "link.decided", payload, now_ms).await
    }
}
