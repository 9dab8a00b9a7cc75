//! Exchange plans shared between the sides' own servers as signed statements
//! ([`homeward_core::stated_plan`]): the planning side proposes a plan it made, naming each
//! person by the rows of the signed lists both sides hold; the other side finds those people
//! in its own register and keeps the plan as its own copy, accepts it, and the mediator
//! co-signs. Each move, note and closure is stated by the party that made it and followed by
//! the others in their own stores, so each side counts fulfilment from its own records and
//! the mediator, which holds no register of their people, follows the plan from what was
//! stated and compares each side's count of every stage it closed with its own.

mod follow;
mod remains;
mod replay;

use crate::statements::issue_in;
use crate::{Store, append_event, commit_with_event, db};
pub(crate) use follow::follow_in;
use homeward_core::Error;
use homeward_core::access::{Grant, ReadTalks, WriteTalks};
use homeward_core::stated_plan::{
    self as stated, Acceptance, CommitmentRef, Cosignature, Counted, Moved, Noted, Proposal,
    ProposedPerson, ProposedStage, RowRef, StatedPlan,
};
use homeward_core::talks::{Parity, StageParity, Terms};
use homeward_ledger::keys::PartyKey;
pub(crate) use remains::{follow_remains, state_handover, state_receipt, taken_handover};
use replay::{mediated, stated_plans_in};
use sqlx::{Any, Row, Transaction};
use std::collections::HashMap;

/// A plan of this store with what sharing it needs.
pub(crate) struct SharedPlan {
    pub(crate) created_by: String,
    pub(crate) state: String,
    pub(crate) proposal: Option<String>,
    pub(crate) accepted: Option<String>,
    /// Its commitment as every store names it: sides and mediator.
    pub(crate) commitment: CommitmentRef,
    request: Option<String>,
}

/// The commitment `id` as the other stores name it.
pub(crate) async fn commitment_ref(
    conn: &mut sqlx::AnyConnection,
    id: i64,
) -> Result<CommitmentRef, Error> {
    let row = sqlx::query(
        "SELECT c.title, c.side_a, c.side_b, r.title AS round_title, r.held_on, r.mediator \
         FROM commitments c JOIN rounds r ON r.id = c.round_id WHERE c.id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
    .map_err(db("reading the commitment"))?;
    let get = db("reading the commitment");
    Ok(CommitmentRef {
        round: row.try_get("round_title").map_err(&get)?,
        held_on: row.try_get("held_on").map_err(&get)?,
        title: row.try_get("title").map_err(&get)?,
        sides: [
            row.try_get("side_a").map_err(&get)?,
            row.try_get("side_b").map_err(&get)?,
        ],
        mediator: row.try_get("mediator").map_err(&get)?,
    })
}

/// This store's commitment that another store names `c`, if it holds one.
pub(crate) async fn find_commitment(
    conn: &mut sqlx::AnyConnection,
    c: &CommitmentRef,
) -> Result<Option<i64>, Error> {
    sqlx::query_scalar(
        "SELECT c.id FROM commitments c JOIN rounds r ON r.id = c.round_id \
         WHERE r.title = $1 AND r.held_on = $2 AND c.title = $3 AND c.side_a = $4 AND c.side_b = $5",
    )
    .bind(&c.round)
    .bind(&c.held_on)
    .bind(&c.title)
    .bind(&c.sides[0])
    .bind(&c.sides[1])
    .fetch_optional(conn)
    .await
    .map_err(db("finding the commitment"))
}

/// Plan `plan_id` of a round `me` takes part in or mediates.
pub(crate) async fn shared_plan(
    conn: &mut sqlx::AnyConnection,
    me: &str,
    plan_id: i64,
) -> Result<SharedPlan, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.created_by, p.state, p.request, p.proposal_sha256, p.accepted_sha256, c.side_a, c.side_b, \
         c.title, r.title AS round_title, r.held_on, r.mediator FROM plans p \
         JOIN commitments c ON c.id = p.commitment_id JOIN rounds r ON r.id = c.round_id \
         WHERE p.id = $2 AND {}",
        crate::talks::VISIBLE_ROUND
    )))
    .bind(me)
    .bind(plan_id)
    .fetch_optional(conn)
    .await
    .map_err(db("reading the plan"))?
    .ok_or_else(|| Error::NotFound(format!("plan {plan_id}")))?;
    let get = db("reading the plan");
    Ok(SharedPlan {
        created_by: row.try_get("created_by").map_err(&get)?,
        state: row.try_get("state").map_err(&get)?,
        proposal: row.try_get("proposal_sha256").map_err(&get)?,
        accepted: row.try_get("accepted_sha256").map_err(&get)?,
        commitment: CommitmentRef {
            round: row.try_get("round_title").map_err(&get)?,
            held_on: row.try_get("held_on").map_err(&get)?,
            title: row.try_get("title").map_err(&get)?,
            sides: [
                row.try_get("side_a").map_err(&get)?,
                row.try_get("side_b").map_err(&get)?,
            ],
            mediator: row.try_get("mediator").map_err(&get)?,
        },
        request: row.try_get("request").map_err(&get)?,
    })
}

/// The rows of signed lists naming each person of plan `plan_id`: the person's own record's
/// row and the rows of the records confirmed as the same person.
async fn rows_naming(
    tx: &mut Transaction<'static, Any>,
    plan_id: i64,
) -> Result<HashMap<i64, Vec<RowRef>>, Error> {
    let of_plan = "SELECT sp.person_id FROM stage_persons sp JOIN stages s ON s.id = sp.stage_id WHERE s.plan_id = $1";
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT p.id AS pid, l.issuer, l.sha256, p.source_row AS row_no FROM persons p \
         JOIN lists l ON l.id = p.source_list WHERE l.signature IS NOT NULL AND p.id IN ({of_plan}) \
         UNION SELECT k.person_id AS pid, l.issuer, l.sha256, o.source_row AS row_no FROM links k \
         JOIN persons o ON o.id = k.other_person JOIN lists l ON l.id = o.source_list \
         WHERE k.decision = 'confirmed' AND l.signature IS NOT NULL AND k.person_id IN ({of_plan}) \
         UNION SELECT k.other_person AS pid, l.issuer, l.sha256, o.source_row AS row_no FROM links k \
         JOIN persons o ON o.id = k.person_id JOIN lists l ON l.id = o.source_list \
         WHERE k.decision = 'confirmed' AND l.signature IS NOT NULL AND k.other_person IN ({of_plan}) \
         UNION SELECT k.person_id AS pid, l.issuer, l.sha256, k.other_row AS row_no FROM links k \
         JOIN lists l ON l.id = k.other_list \
         WHERE k.decision = 'confirmed' AND l.signature IS NOT NULL AND k.person_id IN ({of_plan})"
    )))
    .bind(plan_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db("finding the signed rows naming the plan's people"))?;
    let mut by_person: HashMap<i64, Vec<RowRef>> = HashMap::new();
    for r in rows {
        let get = db("reading a signed row");
        let Some(row) = r.try_get::<Option<i64>, _>("row_no").map_err(&get)? else {
            continue;
        };
        by_person
            .entry(r.try_get("pid").map_err(&get)?)
            .or_default()
            .push(RowRef {
                issuer: r.try_get("issuer").map_err(&get)?,
                sha256: r.try_get("sha256").map_err(&get)?,
                row,
            });
    }
    for refs in by_person.values_mut() {
        refs.sort_by(|a, b| (&a.issuer, &a.sha256, a.row).cmp(&(&b.issuer, &b.sha256, b.row)));
        refs.dedup();
    }
    Ok(by_person)
}

/// Issues `body` of `kind` about a shared plan from `me` to its other side and mediator in
/// `tx`, with the `statement.issued` event; returns the statement's SHA-256.
async fn state_in<C: homeward_core::access::Command>(
    tx: &mut Transaction<'static, Any>,
    grant: &Grant<C>,
    key: &PartyKey,
    plan: &SharedPlan,
    kind: &str,
    body: serde_json::Value,
    now_ms: i64,
) -> Result<String, Error> {
    let to = plan.commitment.addressees(grant.party().as_str());
    state_to(tx, grant, key, &to, kind, body, now_ms).await
}

/// Issues `body` of `kind` from the grant's party to `to` in `tx`, with the
/// `statement.issued` event; returns the statement's SHA-256.
pub(crate) async fn state_to<C: homeward_core::access::Command>(
    tx: &mut Transaction<'static, Any>,
    grant: &Grant<C>,
    key: &PartyKey,
    to: &[String],
    kind: &str,
    body: serde_json::Value,
    now_ms: i64,
) -> Result<String, Error> {
    let me = grant.party().as_str();
    let (sha, payload) = issue_in(tx, me, key, kind, to, body, now_ms).await?;
    append_event(tx, grant, "statement.issued", payload, now_ms).await?;
    Ok(sha)
}

/// The key a shared plan's step is stated with, or why the step cannot be taken here.
pub(crate) fn signing_key<'k>(
    signer: Option<&'k PartyKey>,
    me: &str,
    plan_id: i64,
) -> Result<&'k PartyKey, Error> {
    signer.ok_or_else(|| {
        Error::Conflict(format!(
            "plan {plan_id} is shared with the other side through the relay: each step is stated \
             signed by {me}, and this server holds no key of {me} (start it with --key)"
        ))
    })
}

/// States a move of people of a shared plan's stage; called by the store's move in the
/// move's transaction.
pub(crate) async fn state_moves<C: homeward_core::access::Command>(
    tx: &mut Transaction<'static, Any>,
    grant: &Grant<C>,
    key: &PartyKey,
    plan: &SharedPlan,
    stage: i64,
    moves: Vec<stated::PersonMove>,
    now_ms: i64,
) -> Result<String, Error> {
    let proposal = plan.proposal.clone().unwrap_or_default();
    if plan.state != "signed" {
        return Err(Error::Conflict(format!(
            "this plan is not yet accepted by both sides and co-signed by the mediator; nobody moves before it is (proposal {})",
            short(&proposal)
        )));
    }
    let body = Moved {
        plan: proposal,
        stage,
        moves,
        by: signer_name(&mut *tx, grant).await?,
    };
    state_in(
        tx,
        grant,
        key,
        plan,
        stated::MOVED,
        to_value(&body)?,
        now_ms,
    )
    .await
}

/// States why a shared plan's stage broke parity.
pub(crate) async fn state_note<C: homeward_core::access::Command>(
    tx: &mut Transaction<'static, Any>,
    grant: &Grant<C>,
    key: &PartyKey,
    plan: &SharedPlan,
    stage: i64,
    note: &str,
    now_ms: i64,
) -> Result<String, Error> {
    let body = Noted {
        plan: plan.proposal.clone().unwrap_or_default(),
        stage,
        note: note.to_owned(),
    };
    state_in(
        tx,
        grant,
        key,
        plan,
        stated::NOTED,
        to_value(&body)?,
        now_ms,
    )
    .await
}

/// How a step's maker is named to the other parties: the user's login name (the store's
/// user ids mean nothing on another server).
async fn signer_name<C: homeward_core::access::Command>(
    conn: &mut sqlx::AnyConnection,
    grant: &Grant<C>,
) -> Result<String, Error> {
    let actor = grant.actor();
    let Some(id) = actor
        .strip_prefix("user:")
        .and_then(|n| n.parse::<i64>().ok())
    else {
        return Ok(actor.to_owned());
    };
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
        .map_err(db("naming the user"))?;
    Ok(name.unwrap_or_else(|| actor.to_owned()))
}

fn to_value<T: serde::Serialize>(body: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(body).map_err(|e| Error::Storage(format!("encoding a statement: {e}")))
}

fn short(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

impl Store {
    /// The movements of the latest plan stated to `holder` for the commitment `title` of
    /// round `round` between `sides`, if any.
    pub(crate) async fn stated_counts(
        &self,
        holder: &str,
        round: &str,
        title: &str,
        sides: [&str; 2],
    ) -> Result<Option<homeward_core::talks::MovementCounts>, Error> {
        let mut tx = self.begin().await?;
        let plans = stated_plans_in(&mut tx, holder).await?;
        tx.commit().await.map_err(db("reading"))?;
        plans
            .iter()
            .rev()
            .find(|p| {
                p.round == round && p.commitment == title && p.sides == sides.map(str::to_owned)
            })
            .map(|p| {
                p.counts()
                    .map_err(|e| Error::Storage(format!("a stated plan: {e}")))
            })
            .transpose()
    }

    /// The planning side proposes its plan `plan_id` to the other side and the round's
    /// mediator as a signed statement, each person named by the rows of the signed lists
    /// that carry them; one event.
    pub async fn propose_plan(
        &self,
        grant: &Grant<WriteTalks>,
        plan_id: i64,
        key: &PartyKey,
        now_ms: i64,
    ) -> Result<String, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let plan = shared_plan(&mut tx, me, plan_id).await?;
        if plan.created_by != me {
            return Err(Error::invalid(
                "plan",
                format!(
                    "plan {plan_id} was made by {}; {me} accepts it, it does not propose it",
                    plan.created_by
                ),
            ));
        }
        if let Some(sha) = &plan.proposal {
            return Err(Error::Conflict(format!(
                "plan {plan_id} was already proposed (statement {})",
                short(sha)
            )));
        }
        let rows = rows_naming(&mut tx, plan_id).await?;
        let people = sqlx::query(
            "SELECT s.id AS stage_id, s.seq, s.planned_on, sp.person_id, sp.from_party, sp.to_party, sp.rank, sp.why, \
             p.surname, p.given_names, p.patronymic, p.tag_number, p.category, p.sensitivity \
             FROM stages s LEFT JOIN stage_persons sp ON sp.stage_id = s.id LEFT JOIN persons p ON p.id = sp.person_id \
             WHERE s.plan_id = $1 ORDER BY s.seq, sp.from_party = $2 DESC, sp.rank, sp.person_id",
        )
        .bind(plan_id)
        .bind(&plan.commitment.sides[0])
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading the plan's people"))?;
        let mut stages: Vec<ProposedStage> = Vec::new();
        let mut numbered = Vec::new();
        let mut unnamed = Vec::new();
        for r in &people {
            let get = db("reading the plan's people");
            let seq: i64 = r.try_get("seq").map_err(&get)?;
            if stages.last().is_none_or(|s| s.seq != seq) {
                stages.push(ProposedStage {
                    seq,
                    planned_on: r.try_get("planned_on").map_err(&get)?,
                    persons: Vec::new(),
                });
            }
            let Some(person_id) = r.try_get::<Option<i64>, _>("person_id").map_err(&get)? else {
                continue;
            };
            let n = u32::try_from(numbered.len() + 1).unwrap_or(u32::MAX);
            let name = crate::persons::shown_name(r, grant.clearance())?;
            let named_by = rows.get(&person_id).cloned().unwrap_or_default();
            if named_by.is_empty() {
                unnamed.push(name.clone());
            }
            numbered.push((r.try_get::<i64, _>("stage_id").map_err(&get)?, person_id, n));
            if let Some(stage) = stages.last_mut() {
                stage.persons.push(ProposedPerson {
                    n,
                    from: r.try_get("from_party").map_err(&get)?,
                    to: r.try_get("to_party").map_err(&get)?,
                    name,
                    rank: r.try_get("rank").map_err(&get)?,
                    why: r.try_get("why").map_err(&get)?,
                    rows: named_by,
                });
            }
        }
        if !unnamed.is_empty() {
            return Err(Error::invalid(
                "plan",
                format!(
                    "{} people of plan {plan_id} are in no signed list ({}{}); the other side could not find them — sign and send their lists first",
                    unnamed.len(),
                    unnamed
                        .iter()
                        .take(5)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                    if unnamed.len() > 5 { ", …" } else { "" }
                ),
            ));
        }
        for (stage_id, person_id, n) in &numbered {
            sqlx::query(
                "UPDATE stage_persons SET ref_no = $1 WHERE stage_id = $2 AND person_id = $3",
            )
            .bind(i64::from(*n))
            .bind(stage_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await
            .map_err(db("numbering the plan's people"))?;
        }
        let body = Proposal {
            commitment: plan.commitment.clone(),
            request: plan
                .request
                .as_deref()
                .and_then(|r| serde_json::from_str(r).ok())
                .unwrap_or(serde_json::Value::Null),
            stages,
        };
        let sha = state_in(
            &mut tx,
            grant,
            key,
            &plan,
            stated::PROPOSED,
            to_value(&body)?,
            now_ms,
        )
        .await?;
        sqlx::query("UPDATE plans SET proposal_sha256 = $1 WHERE id = $2")
            .bind(&sha)
            .bind(plan_id)
            .execute(&mut *tx)
            .await
            .map_err(db("recording the proposal"))?;
        let payload = serde_json::json!({ "plan": plan_id, "proposal": sha, "people": numbered.len(), "to": plan.commitment.addressees(me) });
        commit_with_event(tx, grant, "plan.proposed", payload, now_ms).await?;
        Ok(sha)
    }

    /// The other side accepts plan `plan_id` (its copy of a proposal it received), as a
    /// signed statement to the proposing side and the mediator; one event.
    pub async fn accept_plan(
        &self,
        grant: &Grant<WriteTalks>,
        plan_id: i64,
        key: &PartyKey,
        now_ms: i64,
    ) -> Result<String, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let plan = shared_plan(&mut tx, me, plan_id).await?;
        let Some(proposal) = plan.proposal.clone() else {
            return Err(Error::invalid(
                "plan",
                format!(
                    "plan {plan_id} was never proposed between the sides; its maker proposes it first"
                ),
            ));
        };
        if plan.created_by == me || !plan.commitment.sides.iter().any(|s| s == me) {
            return Err(Error::invalid(
                "plan",
                format!(
                    "plan {plan_id} is accepted by the side that did not propose it, not by {me}"
                ),
            ));
        }
        if plan.accepted.is_some() {
            return Err(Error::Conflict(format!(
                "plan {plan_id} is already accepted"
            )));
        }
        let body = Acceptance {
            plan: proposal.clone(),
            by: signer_name(&mut tx, grant).await?,
        };
        let sha = state_in(
            &mut tx,
            grant,
            key,
            &plan,
            stated::ACCEPTED,
            to_value(&body)?,
            now_ms,
        )
        .await?;
        sqlx::query("UPDATE plans SET accepted_sha256 = $1 WHERE id = $2")
            .bind(&sha)
            .bind(plan_id)
            .execute(&mut *tx)
            .await
            .map_err(db("recording the acceptance"))?;
        let payload =
            serde_json::json!({ "plan": plan_id, "proposal": proposal, "acceptance": sha });
        commit_with_event(tx, grant, "plan.accepted", payload, now_ms).await?;
        Ok(sha)
    }

    /// The plans stated to or by the grant's party, each followed from its statements in
    /// the order they were taken.
    pub async fn stated_plans(&self, grant: &Grant<ReadTalks>) -> Result<Vec<StatedPlan>, Error> {
        let mut tx = self.begin().await?;
        let plans = stated_plans_in(&mut tx, grant.party().as_str()).await?;
        tx.commit().await.map_err(db("reading"))?;
        Ok(plans)
    }

    /// The mediator co-signs the accepted plan proposed as `proposal`: both sides may then
    /// execute it; one event.
    pub async fn cosign_plan(
        &self,
        grant: &Grant<WriteTalks>,
        proposal: &str,
        key: &PartyKey,
        now_ms: i64,
    ) -> Result<String, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let (plan, mediator) = mediated(&mut tx, me, proposal).await?;
        if plan.cosigned {
            return Err(Error::Conflict(format!(
                "plan {} is already co-signed",
                short(proposal)
            )));
        }
        let Some(accepted) = plan.accepted.clone() else {
            return Err(Error::invalid(
                "plan",
                format!(
                    "plan {} is not yet accepted by the other side; the mediator co-signs an accepted plan",
                    short(proposal)
                ),
            ));
        };
        let body = Cosignature {
            plan: proposal.to_owned(),
            accepted: accepted.clone(),
            by: signer_name(&mut tx, grant).await?,
        };
        let sha = state_in(
            &mut tx,
            grant,
            key,
            &mediator,
            stated::COSIGNED,
            to_value(&body)?,
            now_ms,
        )
        .await?;
        let payload =
            serde_json::json!({ "proposal": proposal, "acceptance": accepted, "cosignature": sha });
        commit_with_event(tx, grant, "plan.cosigned", payload, now_ms).await?;
        Ok(sha)
    }

    /// The mediator closes stage `seq` of the plan proposed as `proposal`, counted from
    /// what the sides stated: refused while anyone is in between or parity is broken with
    /// no side's note ([`StageParity::check_close`]); one event. Each side answers with its
    /// own count.
    pub async fn close_stated_stage(
        &self,
        grant: &Grant<WriteTalks>,
        proposal: &str,
        seq: i64,
        key: &PartyKey,
        now_ms: i64,
    ) -> Result<StageParity, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let (plan, mediator) = mediated(&mut tx, me, proposal).await?;
        let stage = plan.stage(seq).ok_or_else(|| {
            Error::invalid(
                "stage",
                format!("plan {} has no stage {seq}", short(proposal)),
            )
        })?;
        if stage.closed.is_some() {
            return Err(Error::invalid(
                "stage",
                format!("stage {seq} is already closed"),
            ));
        }
        let parity = stage.parity(&plan.sides);
        let rule = match &mediator.terms {
            Some(Terms::PowExchange { parity, .. }) => *parity,
            _ => Parity::None,
        };
        parity
            .check_close(rule, stage.note.as_deref())
            .map_err(|e| e.about(format_args!("stage {seq}")))?;
        let body = Counted {
            plan: proposal.to_owned(),
            stage: seq,
            parity: parity.clone(),
            by: signer_name(&mut tx, grant).await?,
        };
        let sha = state_in(
            &mut tx,
            grant,
            key,
            &mediator.plan,
            stated::CLOSED,
            to_value(&body)?,
            now_ms,
        )
        .await?;
        let payload = serde_json::json!({
            "proposal": proposal, "stage": seq, "closure": sha,
            "received_from_a": parity.from_a, "received_from_b": parity.from_b,
        });
        commit_with_event(tx, grant, "stage.closed", payload, now_ms).await?;
        Ok(parity)
    }
}
