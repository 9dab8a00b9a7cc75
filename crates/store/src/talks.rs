//! Talks rounds, commitments, exchange plans and the movements that measure fulfilment.
//!
//! A party sees a round when it sent a delegation to it or mediated it, and the
//! commitments of the rounds it sees.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadTalks, WriteTalks};
use homeward_core::party::PartyCode;
use homeward_core::talks::{Delegation, Fulfilment, Movement, MovementCounts, Terms, fulfilment};
use serde::Serialize;
use sqlx::Row;

/// A round to record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Deserialize)]
pub struct NewRound {
    /// E.g. "Istanbul, second round".
    pub title: String,
    /// Date, `YYYY-MM-DD`.
    pub held_on: String,
    /// Building or place.
    pub venue: String,
    /// City.
    pub city: String,
    /// The mediating party, if any.
    pub mediator: Option<PartyCode>,
    /// Free notes.
    pub notes: String,
    /// The delegations present.
    pub delegations: Vec<Delegation>,
}

impl NewRound {
    /// Checks a round before it is recorded: a title, a date, two delegations of different
    /// parties (the mediator's may be among them, as a host's is), and the recording party
    /// present.
    pub fn validate(&self, me: &PartyCode) -> Result<(), Error> {
        if self.title.trim().is_empty() {
            return Err(Error::invalid("title", "a round needs a title"));
        }
        self.held_on
            .parse::<homeward_core::record::PartialDate>()
            .map_err(|e| Error::invalid("held_on", format!("{:?}: {e}", self.held_on)))?;
        if self.delegations.len() < 2 {
            return Err(Error::invalid(
                "delegations",
                "a round has at least two delegations",
            ));
        }
        for (i, d) in self.delegations.iter().enumerate() {
            if self.delegations[..i].iter().any(|e| e.party == d.party) {
                return Err(Error::invalid(
                    "delegations",
                    format!("{} is listed twice", d.party),
                ));
            }
        }
        if self.mediator.as_ref() != Some(me) && !self.delegations.iter().any(|d| &d.party == me) {
            return Err(Error::invalid(
                "delegations",
                format!("{me} can only record a round it took part in or mediated"),
            ));
        }
        Ok(())
    }
}

/// A round as a participant sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RoundView {
    /// Id in this store.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Date, `YYYY-MM-DD`.
    pub held_on: String,
    /// Building or place.
    pub venue: String,
    /// City.
    pub city: String,
    /// The mediating party.
    pub mediator: Option<String>,
    /// Free notes.
    pub notes: String,
    /// Delegations present.
    pub delegations: Vec<Delegation>,
}

/// A commitment with its computed fulfilment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CommitmentView {
    /// Id in this store.
    pub id: i64,
    /// The round it was made in.
    pub round_id: i64,
    /// Title for people.
    pub title: String,
    /// The two sides bound by it.
    pub sides: [PartyCode; 2],
    /// Its terms (these carry the kind).
    pub terms: Terms,
    /// Where it stands, computed from the plans.
    pub fulfilment: Fulfilment,
    /// An amendment one side proposed and the other has not answered: until it is
    /// accepted, `terms` are the agreed ones.
    pub amendment: Option<crate::AmendmentView>,
}

/// One person placed in an exchange stage.
#[derive(Debug, Clone)]
pub struct StageEntry {
    /// The person, in the register of the party handing them over.
    pub person_id: i64,
    /// The receiving party.
    pub to: PartyCode,
    /// Where the person stands.
    pub movement: Movement,
    /// Why, for a withdrawal.
    pub reason: Option<String>,
}

pub(crate) const VISIBLE_ROUND: &str = "(r.mediator = $1 OR EXISTS (SELECT 1 FROM delegations d WHERE d.round_id = r.id AND d.party = $1))";

/// The sides and terms of a commitment of a round `party` took part in or mediated; any
/// other commitment is not found.
pub(crate) async fn visible_commitment(
    conn: &mut sqlx::AnyConnection,
    party: &PartyCode,
    commitment_id: i64,
) -> Result<([PartyCode; 2], Terms), Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT c.side_a, c.side_b, c.terms FROM commitments c JOIN rounds r ON r.id = c.round_id \
         WHERE c.id = $2 AND {VISIBLE_ROUND}"
    )))
    .bind(party.as_str())
    .bind(commitment_id)
    .fetch_optional(conn)
    .await
    .map_err(db("reading the commitment"))?
    .ok_or_else(|| Error::NotFound(format!("commitment {commitment_id}")))?;
    let get = db("reading the commitment");
    let sides = [
        row.try_get::<String, _>("side_a").map_err(&get)?.parse()?,
        row.try_get::<String, _>("side_b").map_err(&get)?.parse()?,
    ];
    let terms =
        serde_json::from_str(&row.try_get::<String, _>("terms").map_err(&get)?).map_err(|e| {
            Error::Storage(format!(
                "commitment {commitment_id} has unreadable terms: {e}"
            ))
        })?;
    Ok((sides, terms))
}

/// Writes a round's delegations.
async fn insert_delegations(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    round_id: i64,
    delegations: &[Delegation],
) -> Result<(), Error> {
    for d in delegations {
        sqlx::query(
            "INSERT INTO delegations (round_id, party, head, size) VALUES ($1, $2, $3, $4)",
        )
        .bind(round_id)
        .bind(d.party.as_str())
        .bind(&d.head)
        .bind(d.size)
        .execute(&mut **tx)
        .await
        .map_err(db("recording a delegation"))?;
    }
    Ok(())
}

impl Store {
    async fn round_visible(
        &self,
        conn: &mut sqlx::AnyConnection,
        party: &PartyCode,
        round_id: i64,
    ) -> Result<(), Error> {
        let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT r.id FROM rounds r WHERE r.id = $2 AND {VISIBLE_ROUND}"
        )))
        .bind(party.as_str())
        .bind(round_id)
        .fetch_optional(conn)
        .await
        .map_err(db("finding the round"))?;
        found
            .map(|_| ())
            .ok_or_else(|| Error::NotFound(format!("round {round_id}")))
    }

    /// Records a round the grant's party took part in or mediated; returns its id.
    pub async fn add_round(
        &self,
        grant: &Grant<WriteTalks>,
        round: &NewRound,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let me = grant.party();
        round.validate(me)?;
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rounds (title, held_on, venue, city, mediator, notes, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(&round.title)
        .bind(&round.held_on)
        .bind(&round.venue)
        .bind(&round.city)
        .bind(round.mediator.as_ref().map(PartyCode::as_str))
        .bind(&round.notes)
        .bind(me.as_str())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("recording the round"))?;
        insert_delegations(&mut tx, id, &round.delegations).await?;
        let payload =
            serde_json::json!({ "round": id, "held_on": round.held_on, "city": round.city });
        commit_with_event(tx, grant, "round.created", payload, now_ms).await?;
        Ok(id)
    }

    /// Records a commitment made in a round the grant's party can see; returns its id.
    pub async fn add_commitment(
        &self,
        grant: &Grant<WriteTalks>,
        round_id: i64,
        title: &str,
        sides: &[PartyCode; 2],
        terms: &Terms,
        now_ms: i64,
    ) -> Result<i64, Error> {
        terms.validate(sides)?;
        let mut tx = self.begin().await?;
        self.round_visible(&mut tx, grant.party(), round_id).await?;
        let terms_json =
            serde_json::to_string(terms).map_err(|e| Error::invalid("terms", e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO commitments (round_id, kind, title, side_a, side_b, terms, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(round_id)
        .bind(terms.kind().as_str())
        .bind(title)
        .bind(sides[0].as_str())
        .bind(sides[1].as_str())
        .bind(&terms_json)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("recording the commitment"))?;
        let payload = serde_json::json!({ "commitment": id, "round": round_id, "kind": terms.kind().as_str() });
        commit_with_event(tx, grant, "commitment.added", payload, now_ms).await?;
        Ok(id)
    }

    /// Changes a round the grant's party recorded: its facts and its delegations; one event.
    pub async fn update_round(
        &self,
        grant: &Grant<WriteTalks>,
        round_id: i64,
        round: &NewRound,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party();
        round.validate(me)?;
        let mut tx = self.begin().await?;
        self.round_visible(&mut tx, me, round_id).await?;
        let changed = sqlx::query(
            "UPDATE rounds SET title = $1, held_on = $2, venue = $3, city = $4, mediator = $5, notes = $6 \
             WHERE id = $7 AND created_by = $8",
        )
        .bind(&round.title)
        .bind(&round.held_on)
        .bind(&round.venue)
        .bind(&round.city)
        .bind(round.mediator.as_ref().map(PartyCode::as_str))
        .bind(&round.notes)
        .bind(round_id)
        .bind(me.as_str())
        .execute(&mut *tx)
        .await
        .map_err(db("changing the round"))?
        .rows_affected();
        if changed == 0 {
            return Err(Error::invalid(
                "round",
                format!(
                    "round {round_id} was recorded by another party; only it changes the record"
                ),
            ));
        }
        sqlx::query("DELETE FROM delegations WHERE round_id = $1")
            .bind(round_id)
            .execute(&mut *tx)
            .await
            .map_err(db("changing the delegations"))?;
        insert_delegations(&mut tx, round_id, &round.delegations).await?;
        let payload =
            serde_json::json!({ "round": round_id, "held_on": round.held_on, "city": round.city });
        commit_with_event(tx, grant, "round.updated", payload, now_ms).await
    }

    /// The rounds the grant's party took part in or mediated, newest first.
    pub async fn rounds(&self, grant: &Grant<ReadTalks>) -> Result<Vec<RoundView>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.id, r.title, r.held_on, r.venue, r.city, r.mediator, r.notes FROM rounds r \
             WHERE {VISIBLE_ROUND} ORDER BY r.held_on DESC, r.id DESC"
        )))
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading rounds"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let get = db("reading a round");
            let id: i64 = row.try_get("id").map_err(&get)?;
            let delegations = sqlx::query(
                "SELECT party, head, size FROM delegations WHERE round_id = $1 ORDER BY party",
            )
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading delegations"))?
            .iter()
            .map(|d| {
                let party: String = d.try_get("party").map_err(&get)?;
                Ok(Delegation {
                    party: party.parse()?,
                    head: d.try_get("head").map_err(&get)?,
                    size: d.try_get("size").map_err(&get)?,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
            out.push(RoundView {
                id,
                title: row.try_get("title").map_err(&get)?,
                held_on: row.try_get("held_on").map_err(&get)?,
                venue: row.try_get("venue").map_err(&get)?,
                city: row.try_get("city").map_err(&get)?,
                mediator: row.try_get("mediator").map_err(&get)?,
                notes: row.try_get("notes").map_err(&get)?,
                delegations,
            });
        }
        Ok(out)
    }

    /// The commitments of the rounds the grant's party sees, each with its fulfilment.
    pub async fn commitments(
        &self,
        grant: &Grant<ReadTalks>,
    ) -> Result<Vec<CommitmentView>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT c.id, c.round_id, c.title, c.side_a, c.side_b, c.terms, r.title AS round_title, r.mediator \
             FROM commitments c JOIN rounds r ON r.id = c.round_id WHERE {VISIBLE_ROUND} ORDER BY c.round_id, c.id"
        )))
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading commitments"))?;
        let mut out = Vec::with_capacity(rows.len());
        let mut open = self.open_amendments(grant).await?;
        for row in rows {
            let get = db("reading a commitment");
            let id: i64 = row.try_get("id").map_err(&get)?;
            let a: String = row.try_get("side_a").map_err(&get)?;
            let b: String = row.try_get("side_b").map_err(&get)?;
            let sides = [a.parse()?, b.parse()?];
            let terms_text: String = row.try_get("terms").map_err(&get)?;
            let terms: Terms = serde_json::from_str(&terms_text).map_err(|e| {
                Error::Storage(format!("commitment {id} has unreadable terms: {e}"))
            })?;
            // Children are counted from their cases, the rest from the current plan.
            let counts = match &terms {
                Terms::ChildReturn {
                    requested_by,
                    requested_from,
                    ..
                } => {
                    let mut counts = homeward_core::talks::MovementCounts::default();
                    counts.add(
                        requested_from.clone(),
                        requested_by.clone(),
                        homeward_core::talks::Movement::Received,
                        self.children_returned(id).await?,
                    );
                    counts
                }
                // Bodies are counted as the receiving party counted them.
                Terms::RemainsReturn { .. } => {
                    let mut counts = homeward_core::talks::MovementCounts::default();
                    for (from, to, n) in self.bodies_received(id).await? {
                        counts.add(from, to, homeward_core::talks::Movement::Received, n);
                    }
                    counts
                }
                // The mediator of sides on their own servers holds no plan of theirs: it
                // counts the plan they stated to it.
                _ => {
                    let counts = self.movement_counts(id).await?;
                    let mediator: Option<String> = row.try_get("mediator").map_err(&get)?;
                    if counts.is_empty() && mediator.as_deref() == Some(grant.party().as_str()) {
                        let round: String = row.try_get("round_title").map_err(&get)?;
                        let title: String = row.try_get("title").map_err(&get)?;
                        self.stated_counts(grant.party().as_str(), &round, &title, [&a, &b])
                            .await?
                            .unwrap_or(counts)
                    } else {
                        counts
                    }
                }
            };
            out.push(CommitmentView {
                id,
                round_id: row.try_get("round_id").map_err(&get)?,
                title: row.try_get("title").map_err(&get)?,
                fulfilment: fulfilment(&terms, &sides, &counts),
                sides,
                terms,
                amendment: open.remove(&id),
            });
        }
        Ok(out)
    }

    async fn movement_counts(&self, commitment_id: i64) -> Result<MovementCounts, Error> {
        let rows = sqlx::query(
            "SELECT sp.from_party, sp.to_party, sp.movement, COUNT(*) AS n FROM stage_persons sp \
             JOIN stages s ON s.id = sp.stage_id JOIN plans p ON p.id = s.plan_id \
             WHERE p.id = (SELECT MAX(id) FROM plans WHERE commitment_id = $1) \
             GROUP BY sp.from_party, sp.to_party, sp.movement",
        )
        .bind(commitment_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("counting movements"))?;
        let mut counts = MovementCounts::default();
        for row in rows {
            let get = db("counting movements");
            let from: String = row.try_get("from_party").map_err(&get)?;
            let to: String = row.try_get("to_party").map_err(&get)?;
            let movement: String = row.try_get("movement").map_err(&get)?;
            let n: i64 = row.try_get("n").map_err(&get)?;
            counts.add(
                from.parse()?,
                to.parse()?,
                movement.parse()?,
                u32::try_from(n).unwrap_or(u32::MAX),
            );
        }
        Ok(counts)
    }

    /// When people (or bodies) of a commitment the grant's party can see were received, as
    /// the store recorded it: the time, the party that handed them over, and how many. From
    /// the current plan's receipts, or for remains from the batches counted.
    pub async fn receipts_over_time(
        &self,
        grant: &Grant<ReadTalks>,
        commitment_id: i64,
    ) -> Result<Vec<(i64, String, u32)>, Error> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        let (_, terms) = visible_commitment(&mut conn, grant.party(), commitment_id).await?;
        let query = match terms {
            Terms::RemainsReturn { .. } => {
                "SELECT received_at AS at_ms, from_party, received_bodies AS n FROM remains_batches \
                 WHERE commitment_id = $1 AND received_at IS NOT NULL AND received_bodies IS NOT NULL"
            }
            _ => {
                "SELECT sp.moved_at AS at_ms, sp.from_party, CAST(1 AS BIGINT) AS n FROM stage_persons sp \
                 JOIN stages s ON s.id = sp.stage_id \
                 WHERE s.plan_id = (SELECT MAX(id) FROM plans WHERE commitment_id = $1) \
                 AND sp.movement = 'received' AND sp.moved_at IS NOT NULL"
            }
        };
        let rows = sqlx::query(query)
            .bind(commitment_id)
            .fetch_all(&mut *conn)
            .await
            .map_err(db("reading when people were received"))?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let get = db("reading when people were received");
            let n: i64 = r.try_get("n").map_err(&get)?;
            out.push((
                r.try_get("at_ms").map_err(&get)?,
                r.try_get("from_party").map_err(&get)?,
                u32::try_from(n).unwrap_or(0),
            ));
        }
        out.sort();
        Ok(out)
    }

    /// Opens an exchange plan (a proposal) for a commitment the grant's party can see.
    pub async fn add_plan(
        &self,
        grant: &Grant<WriteTalks>,
        commitment_id: i64,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let mut tx = self.begin().await?;
        let round_id: Option<i64> =
            sqlx::query_scalar("SELECT round_id FROM commitments WHERE id = $1")
                .bind(commitment_id)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("finding the commitment"))?;
        let round_id =
            round_id.ok_or_else(|| Error::NotFound(format!("commitment {commitment_id}")))?;
        self.round_visible(&mut tx, grant.party(), round_id)
            .await
            .map_err(|_| Error::NotFound(format!("commitment {commitment_id}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (commitment_id, state, created_by, created_at) VALUES ($1, 'proposal', $2, $3) RETURNING id",
        )
        .bind(commitment_id)
        .bind(grant.party().as_str())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("opening the plan"))?;
        let payload = serde_json::json!({ "plan": id, "commitment": commitment_id });
        commit_with_event(tx, grant, "plan.created", payload, now_ms).await?;
        Ok(id)
    }

    /// Adds a stage to a plan, or returns the existing stage with that number.
    pub async fn add_stage(
        &self,
        grant: &Grant<WriteTalks>,
        plan_id: i64,
        seq: i64,
        planned_on: Option<&str>,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let mut tx = self.begin().await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM stages WHERE plan_id = $1 AND seq = $2")
                .bind(plan_id)
                .bind(seq)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("finding the stage"))?;
        if let Some(id) = existing {
            return Ok(id);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO stages (plan_id, seq, planned_on, state) VALUES ($1, $2, $3, 'open') RETURNING id",
        )
        .bind(plan_id)
        .bind(seq)
        .bind(planned_on)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("adding the stage"))?;
        let payload = serde_json::json!({ "plan": plan_id, "stage": id, "seq": seq, "planned_on": planned_on });
        commit_with_event(tx, grant, "stage.added", payload, now_ms).await?;
        Ok(id)
    }

    /// Places people of the grant's own register in a stage. A person of another
    /// party's register is refused as not found.
    pub async fn add_stage_entries(
        &self,
        grant: &Grant<WriteTalks>,
        stage_id: i64,
        entries: &[StageEntry],
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        for e in entries {
            let mine: Option<i64> =
                sqlx::query_scalar("SELECT id FROM persons WHERE id = $1 AND party = $2")
                    .bind(e.person_id)
                    .bind(me)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(db("finding the person"))?;
            if mine.is_none() {
                return Err(Error::NotFound(format!("person {}", e.person_id)));
            }
            sqlx::query(
                "INSERT INTO stage_persons (stage_id, from_party, to_party, person_id, movement, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(stage_id)
            .bind(me)
            .bind(e.to.as_str())
            .bind(e.person_id)
            .bind(e.movement.as_str())
            .bind(e.reason.as_deref())
            .execute(&mut *tx)
            .await
            .map_err(db("placing a person in the stage"))?;
        }
        let payload = serde_json::json!({
            "stage": stage_id,
            "count": entries.len(),
            "persons": entries.iter().map(|e| e.person_id).collect::<Vec<_>>(),
        });
        commit_with_event(tx, grant, "stage.persons_added", payload, now_ms).await
    }
}
