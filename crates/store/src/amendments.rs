//! Amendments of a commitment's terms: proposed by one side, answered by the other (the
//! rules are core's `amendment`). Every step is an event in the log of both sides and of
//! the round's mediator; the commitment's terms change only when an amendment is accepted.

use crate::talks::VISIBLE_ROUND;
use crate::{Store, commit_with_events, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadTalks, WriteTalks};
use homeward_core::amendment::{AmendmentAnswer, AmendmentState, check_answer, check_proposal};
use homeward_core::party::PartyCode;
use homeward_core::talks::Terms;
use serde::Serialize;
use sqlx::Row;

/// An amendment as recorded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmendmentView {
    /// Id in this store.
    pub id: i64,
    /// The commitment it would change.
    pub commitment_id: i64,
    /// The side that proposed it.
    pub proposed_by: PartyCode,
    /// Who proposed it (`user:N`).
    pub proposer: String,
    /// When, in milliseconds since 1970.
    pub proposed_at: i64,
    /// The title it proposes.
    pub title: String,
    /// The terms it proposes.
    pub terms: Terms,
    /// Where it stands.
    pub state: AmendmentState,
    /// The side that answered it.
    pub answered_by: Option<PartyCode>,
    /// Who answered it.
    pub answerer: Option<String>,
    /// When.
    pub answered_at: Option<i64>,
}

const COLUMNS: &str = "a.id, a.commitment_id, a.proposed_by, a.proposer, a.proposed_at, a.title, a.terms, a.state, a.answered_by, a.answerer, a.answered_at";

fn amendment_from_row(r: &sqlx::any::AnyRow) -> Result<AmendmentView, Error> {
    let get = db("reading an amendment");
    let id: i64 = r.try_get("id").map_err(&get)?;
    let terms: String = r.try_get("terms").map_err(&get)?;
    Ok(AmendmentView {
        id,
        commitment_id: r.try_get("commitment_id").map_err(&get)?,
        proposed_by: r
            .try_get::<String, _>("proposed_by")
            .map_err(&get)?
            .parse()?,
        proposer: r.try_get("proposer").map_err(&get)?,
        proposed_at: r.try_get("proposed_at").map_err(&get)?,
        title: r.try_get("title").map_err(&get)?,
        terms: serde_json::from_str(&terms)
            .map_err(|e| Error::Storage(format!("amendment {id} has unreadable terms: {e}")))?,
        state: r.try_get::<String, _>("state").map_err(&get)?.parse()?,
        answered_by: r
            .try_get::<Option<String>, _>("answered_by")
            .map_err(&get)?
            .map(|p| p.parse())
            .transpose()?,
        answerer: r.try_get("answerer").map_err(&get)?,
        answered_at: r.try_get("answered_at").map_err(&get)?,
    })
}

/// A commitment as an amendment sees it: its kind, its sides, and the logs a step goes to.
struct Bound {
    kind: String,
    sides: [PartyCode; 2],
    logs: Vec<PartyCode>,
}

async fn bound(
    conn: &mut sqlx::AnyConnection,
    party: &PartyCode,
    commitment_id: i64,
) -> Result<Bound, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.kind, c.side_a, c.side_b, r.mediator FROM commitments c JOIN rounds r ON r.id = c.round_id \
         WHERE c.id = $2 AND {VISIBLE_ROUND}"
    )))
    .bind(party.as_str())
    .bind(commitment_id)
    .fetch_optional(conn)
    .await
    .map_err(db("reading the commitment"))?
    .ok_or_else(|| Error::NotFound(format!("commitment {commitment_id}")))?;
    let get = db("reading the commitment");
    let sides: [PartyCode; 2] = [
        row.try_get::<String, _>("side_a").map_err(&get)?.parse()?,
        row.try_get::<String, _>("side_b").map_err(&get)?.parse()?,
    ];
    let mut logs = sides.to_vec();
    if let Some(mediator) = row.try_get::<Option<String>, _>("mediator").map_err(&get)? {
        logs.push(mediator.parse()?);
    }
    Ok(Bound {
        kind: row.try_get("kind").map_err(&get)?,
        sides,
        logs,
    })
}

impl Store {
    /// Proposes to change a commitment's title and terms (its kind and sides stay): one
    /// event in the log of each side and of the mediator. Returns the amendment's id.
    pub async fn propose_amendment(
        &self,
        grant: &Grant<WriteTalks>,
        commitment_id: i64,
        title: &str,
        terms: &Terms,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let mut tx = self.begin().await?;
        let commitment = bound(&mut tx, grant.party(), commitment_id).await?;
        if commitment.kind != terms.kind().as_str() {
            return Err(Error::invalid(
                "terms",
                format!(
                    "commitment {commitment_id} is a {}; record a new commitment instead of changing its kind",
                    commitment.kind
                ),
            ));
        }
        terms.validate(&commitment.sides)?;
        if title.trim().is_empty() {
            return Err(Error::invalid("title", "a commitment needs a title"));
        }
        let open: Option<String> = sqlx::query_scalar(
            "SELECT proposed_by FROM amendments WHERE commitment_id = $1 AND state = 'open'",
        )
        .bind(commitment_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the open amendment"))?;
        let open: Option<PartyCode> = open.map(|p| p.parse()).transpose()?;
        check_proposal(grant.party(), &commitment.sides, open.as_ref())?;
        let terms_json =
            serde_json::to_string(terms).map_err(|e| Error::invalid("terms", e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO amendments (commitment_id, proposed_by, proposer, proposed_at, title, terms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(commitment_id)
        .bind(grant.party().as_str())
        .bind(grant.actor())
        .bind(now_ms)
        .bind(title.trim())
        .bind(&terms_json)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("proposing an amendment"))?;
        let payload = serde_json::json!({
            "commitment": commitment_id,
            "amendment": id,
            "terms_sha256": homeward_ledger::sha256_hex(terms_json.as_bytes()),
        });
        commit_with_events(
            tx,
            grant,
            "commitment.amendment_proposed",
            payload,
            &commitment.logs,
            now_ms,
        )
        .await?;
        Ok(id)
    }

    /// Answers an open amendment: the other side accepts (the commitment's title and terms
    /// become the amendment's) or declines it, the proposing side withdraws it. One event
    /// in the log of each side and of the mediator.
    pub async fn answer_amendment(
        &self,
        grant: &Grant<WriteTalks>,
        amendment_id: i64,
        answer: AmendmentAnswer,
        now_ms: i64,
    ) -> Result<AmendmentView, Error> {
        let mut tx = self.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM amendments a JOIN commitments c ON c.id = a.commitment_id \
             JOIN rounds r ON r.id = c.round_id WHERE a.id = $2 AND {VISIBLE_ROUND}"
        )))
        .bind(grant.party().as_str())
        .bind(amendment_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the amendment"))?
        .ok_or_else(|| Error::NotFound(format!("amendment {amendment_id}")))?;
        let mut amendment = amendment_from_row(&row)?;
        let commitment = bound(&mut tx, grant.party(), amendment.commitment_id).await?;
        check_answer(
            answer,
            amendment.state,
            grant.party(),
            &amendment.proposed_by,
            &commitment.sides,
        )?;
        let state = answer.state();
        sqlx::query(
            "UPDATE amendments SET state = $1, answered_by = $2, answerer = $3, answered_at = $4 WHERE id = $5",
        )
        .bind(state.as_str())
        .bind(grant.party().as_str())
        .bind(grant.actor())
        .bind(now_ms)
        .bind(amendment_id)
        .execute(&mut *tx)
        .await
        .map_err(db("answering the amendment"))?;
        let terms_json = serde_json::to_string(&amendment.terms)
            .map_err(|e| Error::Storage(format!("writing terms: {e}")))?;
        if state == AmendmentState::Accepted {
            sqlx::query("UPDATE commitments SET title = $1, terms = $2 WHERE id = $3")
                .bind(&amendment.title)
                .bind(&terms_json)
                .bind(amendment.commitment_id)
                .execute(&mut *tx)
                .await
                .map_err(db("changing the commitment"))?;
        }
        let payload = serde_json::json!({
            "commitment": amendment.commitment_id,
            "amendment": amendment_id,
            "terms_sha256": homeward_ledger::sha256_hex(terms_json.as_bytes()),
        });
        let kind = format!("commitment.amendment_{}", state.as_str());
        commit_with_events(tx, grant, &kind, payload, &commitment.logs, now_ms).await?;
        amendment.state = state;
        amendment.answered_by = Some(grant.party().clone());
        amendment.answerer = Some(grant.actor().to_owned());
        amendment.answered_at = Some(now_ms);
        Ok(amendment)
    }

    /// The amendments of a commitment the grant's party sees, newest first.
    pub async fn amendments(
        &self,
        grant: &Grant<ReadTalks>,
        commitment_id: i64,
    ) -> Result<Vec<AmendmentView>, Error> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        bound(&mut conn, grant.party(), commitment_id).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM amendments a WHERE a.commitment_id = $1 ORDER BY a.id DESC"
        )))
        .bind(commitment_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(db("reading amendments"))?;
        rows.iter().map(amendment_from_row).collect()
    }

    /// The open amendment of each commitment the grant's party sees, by commitment id (for
    /// the commitments' views).
    pub(crate) async fn open_amendments(
        &self,
        grant: &Grant<ReadTalks>,
    ) -> Result<std::collections::HashMap<i64, AmendmentView>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM amendments a JOIN commitments c ON c.id = a.commitment_id \
             JOIN rounds r ON r.id = c.round_id WHERE a.state = 'open' AND {VISIBLE_ROUND}"
        )))
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading open amendments"))?;
        rows.iter()
            .map(|r| amendment_from_row(r).map(|a| (a.commitment_id, a)))
            .collect()
    }
}
