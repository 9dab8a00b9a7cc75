//! Exchange plans made by the planner, and their execution person by person.
//!
//! A party plans a commitment from its own register: the people it holds that the other
//! side asked for, and its own people the other side holds, each confirmed by a reviewer.
//! The commitment's current plan is its latest; fulfilment is counted from it. A plan being
//! executed is not replaced: people are withdrawn from it instead.

use crate::stated_plans::{shared_plan, signing_key, state_moves, state_note};
use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadTalks, RecordMovements, WriteTalks};
use homeward_core::party::PartyCode;
use homeward_core::record::{Category, Health, PartialDate, Relation, Status};
use homeward_core::stated_plan::PersonMove;
use homeward_core::talks::{Movement, Parity, StageParity, Terms};
use homeward_ledger::keys::PartyKey;
use homeward_plan::{Candidate, Plan, Side, Unavailable};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// A commitment as the planner needs it.
#[derive(Debug, Clone)]
pub struct PlanningContext {
    /// The commitment.
    pub commitment_id: i64,
    /// Its two sides; side A is the first.
    pub sides: [PartyCode; 2],
    /// Its terms.
    pub terms: Terms,
    /// The planning party's side.
    pub own_side: Side,
    /// The people the planning party's register offers, either way.
    pub candidates: Vec<Candidate>,
}

/// A person of a stage as the sides and the mediator see them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StagePersonView {
    /// The record in the planning party's register.
    pub person_id: i64,
    /// The name as written.
    pub name: String,
    /// The party handing the person over.
    pub from: String,
    /// The party receiving them.
    pub to: String,
    /// planned, handed_over, received or withdrawn.
    pub movement: String,
    /// Why withdrawn, when withdrawn.
    pub reason: Option<String>,
    /// Place in the holder's order.
    pub rank: Option<i64>,
    /// Why in this stage.
    pub why: Option<String>,
    /// Who moved the person last, and when.
    pub moved_by: Option<String>,
}

/// A stage as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StageView {
    /// Id in this store.
    pub id: i64,
    /// Number, from 1.
    pub seq: i64,
    /// Its date.
    pub planned_on: Option<String>,
    /// open or closed.
    pub state: String,
    /// Received each way so far, and people still in between.
    pub parity: StageParity,
    /// Why parity was broken, as a negotiator recorded it.
    pub parity_note: Option<String>,
    /// Who closed it (the mediator's co-confirmation).
    pub closed_by: Option<String>,
    /// The people, side A's first.
    pub persons: Vec<StagePersonView>,
}

/// A person left out of a plan, shown to the planning party only.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeftOutView {
    /// The record.
    pub person_id: i64,
    /// The name as written.
    pub name: String,
    /// The party that holds the person.
    pub from: String,
    /// Why not in the plan, in words.
    pub reason: String,
    /// Why, as the planner's code and values (none for a plan stored before they were
    /// kept), for a face to say in its own language.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub why: Option<homeward_plan::LeftOut>,
}

/// A plan as shown.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanView {
    /// Id in this store.
    pub id: i64,
    /// The commitment.
    pub commitment_id: i64,
    /// The party that made it.
    pub created_by: String,
    /// proposal, signed or closed.
    pub state: String,
    /// The planner's parameters, as JSON.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub request: serde_json::Value,
    /// The commitment's sides.
    pub sides: [String; 2],
    /// Its stages.
    pub stages: Vec<StageView>,
    /// People left out, with the reason (only for the party that made the plan).
    pub left_out: Vec<LeftOutView>,
    /// The SHA-256 of the statement that proposed it to the other side, once proposed.
    pub proposal: Option<String>,
    /// The SHA-256 of the other side's acceptance, once accepted.
    pub accepted: Option<String>,
}

fn opt_date(v: Option<String>) -> Option<PartialDate> {
    v.and_then(|s| s.parse().ok())
}

impl Store {
    /// The commitment `commitment_id` with the candidates of the grant's register for it.
    pub async fn planning_context(
        &self,
        grant: &Grant<WriteTalks>,
        commitment_id: i64,
    ) -> Result<PlanningContext, Error> {
        let me = grant.party();
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        let (sides, terms) = crate::talks::visible_commitment(&mut conn, me, commitment_id).await?;
        drop(conn);
        let own_side = if &sides[0] == me {
            Side::A
        } else if &sides[1] == me {
            Side::B
        } else {
            return Err(Error::invalid(
                "commitment",
                format!("{me} is not a side of commitment {commitment_id}; only its sides plan it"),
            ));
        };
        let other = match own_side {
            Side::A => &sides[1],
            Side::B => &sides[0],
        };
        let Terms::PowExchange { categories, .. } = &terms else {
            return Err(Error::invalid(
                "commitment",
                format!(
                    "commitment {commitment_id} is not an exchange of prisoners; it has no exchange plan"
                ),
            ));
        };
        // A person confirmed against a list the other side issued: it asked for them (they
        // are held here) or it lists them as held (they are ours).
        let rows = sqlx::query(
            "SELECT p.id, p.relation, p.category, p.status, p.health, p.birth_date, p.capture_date, \
             EXISTS (SELECT 1 FROM links l JOIN lists li ON li.id = l.other_list WHERE l.party = $1 \
               AND l.person_id = p.id AND l.decision = 'confirmed' AND li.issuer = $2) AS confirmed, \
             (SELECT MIN(pl.commitment_id) FROM stage_persons sp JOIN stages s ON s.id = sp.stage_id \
               JOIN plans pl ON pl.id = s.plan_id WHERE sp.person_id = p.id AND sp.movement <> 'withdrawn' \
               AND pl.commitment_id <> $3) AS elsewhere, \
             (SELECT MAX(e.decided_on) FROM examinations e WHERE e.party = $1 AND e.person_id = p.id \
               AND e.verdict IN ('repatriate', 'accommodate_neutral', 'reject')) AS found_on \
             FROM persons p WHERE p.party = $1 ORDER BY p.id",
        )
        .bind(me.as_str())
        .bind(other.as_str())
        .bind(commitment_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the candidates"))?;
        let mut candidates = Vec::new();
        for r in rows {
            let get = db("reading a candidate");
            let category: Category = r.try_get::<String, _>("category").map_err(&get)?.parse()?;
            if !categories.is_empty() && !categories.contains(&category) {
                continue;
            }
            let relation: Relation = r.try_get::<String, _>("relation").map_err(&get)?.parse()?;
            let status: Status = r.try_get::<String, _>("status").map_err(&get)?.parse()?;
            let confirmed: bool = match r.try_get::<bool, _>("confirmed") {
                Ok(b) => b,
                Err(_) => r.try_get::<i64, _>("confirmed").map_err(&get)? != 0,
            };
            let elsewhere: Option<i64> = r.try_get("elsewhere").map_err(&get)?;
            let unavailable = match (status, elsewhere) {
                (Status::Returned, _) => Some(Unavailable::Returned),
                (Status::Deceased, _) => Some(Unavailable::Deceased),
                (_, Some(commitment)) => Some(Unavailable::InAnotherPlan { commitment }),
                _ => None,
            };
            candidates.push(Candidate {
                person_id: r.try_get("id").map_err(&get)?,
                holder: match relation {
                    Relation::Held => own_side,
                    Relation::Sought => own_side.other(),
                },
                category,
                health: r
                    .try_get::<String, _>("health")
                    .map_err(&get)?
                    .parse()
                    .unwrap_or(Health::Unknown),
                health_found_on: opt_date(r.try_get("found_on").map_err(&get)?),
                birth: opt_date(r.try_get("birth_date").map_err(&get)?),
                captured: opt_date(r.try_get("capture_date").map_err(&get)?),
                confirmed,
                unavailable,
            });
        }
        Ok(PlanningContext {
            commitment_id,
            sides,
            terms,
            own_side,
            candidates,
        })
    }

    /// The commitment's current plan: its latest.
    async fn current_plan(
        &self,
        conn: &mut sqlx::AnyConnection,
        commitment_id: i64,
    ) -> Result<Option<i64>, Error> {
        sqlx::query_scalar("SELECT MAX(id) FROM plans WHERE commitment_id = $1")
            .bind(commitment_id)
            .fetch_one(conn)
            .await
            .map_err(db("finding the current plan"))
    }

    /// Stores a plan the planner made for `context`, with every person's place and reason
    /// and everyone left out, in one transaction with one event. It becomes the
    /// commitment's current plan; a current plan already being executed is not replaced.
    pub async fn save_plan(
        &self,
        grant: &Grant<WriteTalks>,
        context: &PlanningContext,
        request: serde_json::Value,
        plan: &Plan,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let mut tx = self.begin().await?;
        if let Some(current) = self.current_plan(&mut tx, context.commitment_id).await? {
            let moved: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM stage_persons sp JOIN stages s ON s.id = sp.stage_id \
                 WHERE s.plan_id = $1 AND sp.movement IN ('handed_over', 'received')",
            )
            .bind(current)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("checking the current plan"))?;
            if moved > 0 {
                return Err(Error::Conflict(format!(
                    "plan {current} of commitment {} is being executed ({moved} people handed over or received); \
                     a new plan would lose that record — withdraw people from it instead",
                    context.commitment_id
                )));
            }
        }
        let code = |side: Side| match side {
            Side::A => &context.sides[0],
            Side::B => &context.sides[1],
        };
        let plan_id: i64 = sqlx::query_scalar(
            "INSERT INTO plans (commitment_id, state, created_by, created_at, request) \
             VALUES ($1, 'proposal', $2, $3, $4) RETURNING id",
        )
        .bind(context.commitment_id)
        .bind(grant.party().as_str())
        .bind(now_ms)
        .bind(request.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db("storing the plan"))?;
        for stage in &plan.stages {
            let stage_id: i64 = sqlx::query_scalar(
                "INSERT INTO stages (plan_id, seq, planned_on, state) VALUES ($1, $2, $3, 'open') RETURNING id",
            )
            .bind(plan_id)
            .bind(i64::from(stage.seq))
            .bind(stage.date.as_deref())
            .fetch_one(&mut *tx)
            .await
            .map_err(db("storing a stage"))?;
            for p in stage.from_a.iter().chain(&stage.from_b) {
                sqlx::query(
                    "INSERT INTO stage_persons (stage_id, from_party, to_party, person_id, movement, rank, why) \
                     VALUES ($1, $2, $3, $4, 'planned', $5, $6)",
                )
                .bind(stage_id)
                .bind(code(p.holder).as_str())
                .bind(code(p.holder.other()).as_str())
                .bind(p.person_id)
                .bind(i64::from(p.rank))
                .bind(&p.why)
                .execute(&mut *tx)
                .await
                .map_err(db("placing a person"))?;
            }
        }
        for e in &plan.left_out {
            sqlx::query(
                "INSERT INTO plan_exclusions (plan_id, person_id, from_party, reason) VALUES ($1, $2, $3, $4)",
            )
            .bind(plan_id)
            .bind(e.person_id)
            .bind(code(e.holder).as_str())
            .bind(serde_json::to_string(&e.reason).map_err(|e| Error::Storage(e.to_string()))?)
            .execute(&mut *tx)
            .await
            .map_err(db("recording who is left out"))?;
        }
        let (a, b) = plan.placed();
        let payload = serde_json::json!({
            "plan": plan_id,
            "commitment": context.commitment_id,
            "stages": plan.stages.len(),
            "from_a": a,
            "from_b": b,
            "left_out": plan.left_out.len(),
            "request": request,
        });
        commit_with_event(tx, grant, "plan.made", payload, now_ms).await?;
        Ok(plan_id)
    }

    /// The current plan of a commitment the grant's party takes part in or mediates.
    pub async fn plan_of(
        &self,
        grant: &Grant<ReadTalks>,
        commitment_id: i64,
    ) -> Result<PlanView, Error> {
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        let id = self
            .current_plan(&mut conn, commitment_id)
            .await?
            .ok_or_else(|| Error::NotFound(format!("a plan for commitment {commitment_id}")))?;
        drop(conn);
        self.plan(grant, id).await
    }

    /// A plan of a commitment the grant's party takes part in or mediates.
    pub async fn plan(&self, grant: &Grant<ReadTalks>, plan_id: i64) -> Result<PlanView, Error> {
        let me = grant.party().as_str();
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT p.id, p.commitment_id, p.created_by, p.state, p.request, p.proposal_sha256, p.accepted_sha256, c.side_a, c.side_b, c.terms \
             FROM plans p JOIN commitments c ON c.id = p.commitment_id JOIN rounds r ON r.id = c.round_id \
             WHERE p.id = $2 AND {}",
            crate::talks::VISIBLE_ROUND
        )))
        .bind(me)
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading the plan"))?
        .ok_or_else(|| Error::NotFound(format!("plan {plan_id}")))?;
        let get = db("reading the plan");
        let created_by: String = row.try_get("created_by").map_err(&get)?;
        let sides: [String; 2] = [
            row.try_get("side_a").map_err(&get)?,
            row.try_get("side_b").map_err(&get)?,
        ];
        let request: Option<String> = row.try_get("request").map_err(&get)?;
        let stage_rows = sqlx::query(
            "SELECT s.id, s.seq, s.planned_on, s.state, s.parity_note, COALESCE(u.name, s.closed_by) AS closed_by \
             FROM stages s LEFT JOIN users u ON s.closed_by = 'user:' || CAST(u.id AS TEXT) \
             WHERE s.plan_id = $1 ORDER BY s.seq",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the stages"))?;
        let person_rows = sqlx::query(
            "SELECT sp.stage_id, sp.person_id, sp.from_party, sp.to_party, sp.movement, sp.reason, sp.rank, \
             sp.why, COALESCE(u.name, sp.moved_by) AS moved_by, p.surname, p.given_names, p.patronymic, p.tag_number, p.category, p.sensitivity \
             FROM stage_persons sp JOIN stages s ON s.id = sp.stage_id JOIN persons p ON p.id = sp.person_id \
             LEFT JOIN users u ON sp.moved_by = 'user:' || CAST(u.id AS TEXT) \
             WHERE s.plan_id = $1 ORDER BY s.seq, sp.from_party = $2 DESC, sp.rank, sp.person_id",
        )
        .bind(plan_id)
        .bind(&sides[0])
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the people of the plan"))?;
        let name = |r: &sqlx::any::AnyRow| crate::persons::shown_name(r, grant.clearance());
        let mut stages = Vec::with_capacity(stage_rows.len());
        for s in &stage_rows {
            let id: i64 = s.try_get("id").map_err(&get)?;
            let mut persons = Vec::new();
            let mut parity = StageParity {
                from_a: 0,
                from_b: 0,
                open: 0,
            };
            for r in person_rows
                .iter()
                .filter(|r| r.try_get::<i64, _>("stage_id").ok() == Some(id))
            {
                let from: String = r.try_get("from_party").map_err(&get)?;
                let movement: String = r.try_get("movement").map_err(&get)?;
                match movement.as_str() {
                    "received" if from == sides[0] => parity.from_a += 1,
                    "received" => parity.from_b += 1,
                    "planned" | "handed_over" => parity.open += 1,
                    _ => {}
                }
                persons.push(StagePersonView {
                    person_id: r.try_get("person_id").map_err(&get)?,
                    name: name(r)?,
                    from,
                    to: r.try_get("to_party").map_err(&get)?,
                    movement,
                    reason: r.try_get("reason").map_err(&get)?,
                    rank: r.try_get("rank").map_err(&get)?,
                    why: r.try_get("why").map_err(&get)?,
                    moved_by: r.try_get("moved_by").map_err(&get)?,
                });
            }
            stages.push(StageView {
                id,
                seq: s.try_get("seq").map_err(&get)?,
                planned_on: s.try_get("planned_on").map_err(&get)?,
                state: s.try_get("state").map_err(&get)?,
                parity,
                parity_note: s.try_get("parity_note").map_err(&get)?,
                closed_by: s.try_get("closed_by").map_err(&get)?,
                persons,
            });
        }
        // What was left out, and why, is the planning party's own deliberation.
        let mut left_out = Vec::new();
        if created_by == me {
            let rows = sqlx::query(
                "SELECT e.person_id, e.from_party, e.reason, p.surname, p.given_names, p.patronymic, p.tag_number, p.category, p.sensitivity \
                 FROM plan_exclusions e JOIN persons p ON p.id = e.person_id WHERE e.plan_id = $1 ORDER BY e.from_party, e.person_id",
            )
            .bind(plan_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading who is left out"))?;
            for r in &rows {
                let kept: String = r.try_get("reason").map_err(&get)?;
                let why = serde_json::from_str::<homeward_plan::LeftOut>(&kept).ok();
                left_out.push(LeftOutView {
                    person_id: r.try_get("person_id").map_err(&get)?,
                    name: name(r)?,
                    from: r.try_get("from_party").map_err(&get)?,
                    reason: why.as_ref().map_or(kept, homeward_plan::LeftOut::describe),
                    why,
                });
            }
        }
        Ok(PlanView {
            id: plan_id,
            commitment_id: row.try_get("commitment_id").map_err(&get)?,
            created_by,
            state: row.try_get("state").map_err(&get)?,
            request: request
                .and_then(|r| serde_json::from_str(&r).ok())
                .unwrap_or(serde_json::Value::Null),
            sides,
            stages,
            left_out,
            proposal: row.try_get("proposal_sha256").map_err(&get)?,
            accepted: row.try_get("accepted_sha256").map_err(&get)?,
        })
    }

    /// The stage's plan, commitment sides, terms, mediator and state, if the grant's party
    /// can see it.
    async fn stage_context(
        &self,
        conn: &mut sqlx::AnyConnection,
        party: &PartyCode,
        stage_id: i64,
    ) -> Result<
        (
            i64,
            [String; 2],
            Terms,
            Option<String>,
            String,
            Option<String>,
        ),
        Error,
    > {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT s.plan_id, s.state, s.parity_note, c.side_a, c.side_b, c.terms, r.mediator FROM stages s \
             JOIN plans p ON p.id = s.plan_id JOIN commitments c ON c.id = p.commitment_id \
             JOIN rounds r ON r.id = c.round_id WHERE s.id = $2 AND {}",
            crate::talks::VISIBLE_ROUND
        )))
        .bind(party.as_str())
        .bind(stage_id)
        .fetch_optional(conn)
        .await
        .map_err(db("reading the stage"))?
        .ok_or_else(|| Error::NotFound(format!("stage {stage_id}")))?;
        let get = db("reading the stage");
        let terms: Terms = serde_json::from_str(&row.try_get::<String, _>("terms").map_err(&get)?)
            .map_err(|e| Error::Storage(format!("stage {stage_id}: {e}")))?;
        Ok((
            row.try_get("plan_id").map_err(&get)?,
            [
                row.try_get("side_a").map_err(&get)?,
                row.try_get("side_b").map_err(&get)?,
            ],
            terms,
            row.try_get("mediator").map_err(&get)?,
            row.try_get("state").map_err(&get)?,
            row.try_get("parity_note").map_err(&get)?,
        ))
    }

    /// Moves people of a stage on (handed over, received, withdrawn with a reason), each as
    /// [`Movement::check_move`] allows the grant's party, all or none; one event each. In a
    /// plan shared with the other side the moves are stated to it and the mediator, signed
    /// by `signer`, in the same transaction.
    pub async fn move_people(
        &self,
        grant: &Grant<RecordMovements>,
        stage_id: i64,
        moves: &[(i64, Movement, Option<String>)],
        signer: Option<&PartyKey>,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party();
        let mut tx = self.begin().await?;
        let (plan_id, _, _, _, state, _) = self.stage_context(&mut tx, me, stage_id).await?;
        if state == "closed" {
            return Err(Error::invalid(
                "stage",
                format!("stage {stage_id} is closed; nobody in it moves any more"),
            ));
        }
        let seq: i64 = sqlx::query_scalar("SELECT seq FROM stages WHERE id = $1")
            .bind(stage_id)
            .fetch_one(&mut *tx)
            .await
            .map_err(db("reading the stage"))?;
        let mut stated = Vec::new();
        for (person_id, next, reason) in moves {
            let (person_id, next, reason) = (*person_id, *next, reason.as_deref());
            let row = sqlx::query(
                "SELECT from_party, to_party, movement, ref_no FROM stage_persons WHERE stage_id = $1 AND person_id = $2",
            )
            .bind(stage_id)
            .bind(person_id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading the person's place"))?
            .ok_or_else(|| {
                Error::invalid(
                    "person",
                    format!("person {person_id} is not in stage {stage_id}; only people of the stage are handed over"),
                )
            })?;
            let get = db("reading the person's place");
            let from: PartyCode = row
                .try_get::<String, _>("from_party")
                .map_err(&get)?
                .parse()?;
            let to: PartyCode = row
                .try_get::<String, _>("to_party")
                .map_err(&get)?
                .parse()?;
            let now: Movement = row
                .try_get::<String, _>("movement")
                .map_err(&get)?
                .parse()?;
            now.check_move(next, me, &from, &to, reason)
                .map_err(|e| e.about(format_args!("person {person_id} in stage {stage_id}")))?;
            if let Some(n) = row.try_get::<Option<i64>, _>("ref_no").map_err(&get)? {
                stated.push(PersonMove {
                    person: u32::try_from(n).unwrap_or(u32::MAX),
                    movement: next,
                    reason: reason.map(|r| r.trim().to_owned()),
                });
            }
            sqlx::query(
                "UPDATE stage_persons SET movement = $1, reason = $2, moved_by = $3, moved_at = $4 \
                 WHERE stage_id = $5 AND person_id = $6",
            )
            .bind(next.as_str())
            .bind(reason.map(str::trim))
            .bind(grant.actor())
            .bind(now_ms)
            .bind(stage_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await
            .map_err(db("moving the person"))?;
            let payload = serde_json::json!({
                "stage": stage_id,
                "person": person_id,
                "from": now.as_str(),
                "to": next.as_str(),
                "reason": reason,
            });
            crate::append_event(&mut tx, grant, "stage.person_moved", payload, now_ms).await?;
        }
        let plan = shared_plan(&mut tx, me.as_str(), plan_id).await?;
        if plan.proposal.is_some() {
            let key = signing_key(signer, me.as_str(), plan_id)?;
            state_moves(&mut tx, grant, key, &plan, seq, stated, now_ms).await?;
        }
        tx.commit().await.map_err(db("committing"))
    }

    /// A negotiator of a side records why a stage's parity is broken; one event.
    pub async fn note_parity(
        &self,
        grant: &Grant<WriteTalks>,
        stage_id: i64,
        note: &str,
        signer: Option<&PartyKey>,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party();
        let mut tx = self.begin().await?;
        let (plan_id, sides, _, _, _, _) = self.stage_context(&mut tx, me, stage_id).await?;
        if !sides.iter().any(|s| s == me.as_str()) {
            return Err(Error::invalid(
                "stage",
                format!(
                    "only {} or {} record why parity was broken",
                    sides[0], sides[1]
                ),
            ));
        }
        if note.trim().is_empty() {
            return Err(Error::invalid("note", "say why parity was broken"));
        }
        sqlx::query("UPDATE stages SET parity_note = $1 WHERE id = $2")
            .bind(note.trim())
            .bind(stage_id)
            .execute(&mut *tx)
            .await
            .map_err(db("recording the note"))?;
        let plan = shared_plan(&mut tx, me.as_str(), plan_id).await?;
        if plan.proposal.is_some() {
            let key = signing_key(signer, me.as_str(), plan_id)?;
            let seq: i64 = sqlx::query_scalar("SELECT seq FROM stages WHERE id = $1")
                .bind(stage_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(db("reading the stage"))?;
            state_note(&mut tx, grant, key, &plan, seq, note.trim(), now_ms).await?;
        }
        let payload = serde_json::json!({ "stage": stage_id, "note_sha256": homeward_ledger::sha256_hex(note.trim().as_bytes()) });
        commit_with_event(tx, grant, "stage.parity_noted", payload, now_ms).await
    }

    /// The mediator co-confirms a stage and closes it (a side closes it when the round has
    /// no mediator). Refused while people are in between or parity is broken without a
    /// negotiator's note ([`StageParity::check_close`]); one event.
    pub async fn close_stage(
        &self,
        grant: &Grant<WriteTalks>,
        stage_id: i64,
        now_ms: i64,
    ) -> Result<StageParity, Error> {
        let me = grant.party();
        let mut tx = self.begin().await?;
        let (_, sides, terms, mediator, state, note) =
            self.stage_context(&mut tx, me, stage_id).await?;
        let allowed = match &mediator {
            Some(m) => m == me.as_str(),
            None => sides.iter().any(|s| s == me.as_str()),
        };
        if !allowed {
            return Err(Error::invalid(
                "stage",
                format!(
                    "the mediator {} co-confirms and closes a stage; {me} cannot",
                    mediator.as_deref().unwrap_or("")
                ),
            ));
        }
        if state == "closed" {
            return Err(Error::invalid(
                "stage",
                format!("stage {stage_id} is already closed"),
            ));
        }
        let parity = stage_parity(&mut tx, stage_id, &sides).await?;
        let rule = match &terms {
            Terms::PowExchange { parity, .. } => *parity,
            _ => Parity::None,
        };
        parity
            .check_close(rule, note.as_deref())
            .map_err(|e| e.about(format_args!("stage {stage_id}")))?;
        sqlx::query(
            "UPDATE stages SET state = 'closed', closed_by = $1, closed_at = $2 WHERE id = $3",
        )
        .bind(grant.actor())
        .bind(now_ms)
        .bind(stage_id)
        .execute(&mut *tx)
        .await
        .map_err(db("closing the stage"))?;
        let payload = serde_json::json!({
            "stage": stage_id,
            "received_from_a": parity.from_a,
            "received_from_b": parity.from_b,
            "parity_noted": note.is_some(),
        });
        commit_with_event(tx, grant, "stage.closed", payload, now_ms).await?;
        Ok(parity)
    }
}

/// Stage `stage_id` counted from its people: received each way, and still in between.
pub(crate) async fn stage_parity(
    tx: &mut Transaction<'static, Any>,
    stage_id: i64,
    sides: &[String; 2],
) -> Result<StageParity, Error> {
    let rows = sqlx::query(
        "SELECT from_party, movement, COUNT(*) AS n FROM stage_persons WHERE stage_id = $1 GROUP BY from_party, movement",
    )
    .bind(stage_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db("counting the stage"))?;
    let mut parity = StageParity {
        from_a: 0,
        from_b: 0,
        open: 0,
    };
    for r in rows {
        let get = db("counting the stage");
        let from: String = r.try_get("from_party").map_err(&get)?;
        let movement: String = r.try_get("movement").map_err(&get)?;
        let n = u32::try_from(r.try_get::<i64, _>("n").map_err(&get)?).unwrap_or(u32::MAX);
        match movement.as_str() {
            "received" if from == sides[0] => parity.from_a += n,
            "received" => parity.from_b += n,
            "planned" | "handed_over" => parity.open += n,
            _ => {}
        }
    }
    Ok(parity)
}
