//! How a side follows, in its own store, what the other side and the mediator state about
//! a plan they share: its copy of the proposal, the acceptance and co-signature, the other
//! side's moves and notes, the mediator's closures (answered with its own count).

use super::{SharedPlan, shared_plan, short, to_value};
use crate::db;
use homeward_core::Error;
use homeward_core::access::{Administer, Grant};
use homeward_core::stated_plan::{
    self as stated, Cosignature, Counted, Moved, Noted, Proposal, ProposedPerson, ProposedStage,
    RowRef,
};
use homeward_core::talks::Movement;
use homeward_ledger::keys::PartyKey;
use homeward_ledger::statement::Statement;
use sqlx::{Any, Row, Transaction};
use std::collections::{BTreeMap, HashMap};

/// The plan of this store that proposal `sha` made or mirrors.
async fn plan_by_proposal(
    tx: &mut Transaction<'static, Any>,
    sha: &str,
) -> Result<Option<i64>, Error> {
    sqlx::query_scalar("SELECT id FROM plans WHERE proposal_sha256 = $1")
        .bind(sha)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("finding a shared plan"))
}

/// Follows, in the store of the relay's party (`me`), a statement about a plan that `me` has just taken: a side keeps
/// its copy of a proposal from the other side, marks its plan accepted or co-signed, records
/// the other side's moves and notes and the mediator's closures (answering a closure with
/// its own count of the stage); a mediator only keeps the statement, and follows the plan
/// from the statements when it is read. Returns what was done; a statement the plan's rules
/// do not let its issuer make is kept and not followed, with why.
pub(crate) async fn follow_in(
    tx: &mut Transaction<'static, Any>,
    relay: &Grant<Administer>,
    key: &PartyKey,
    statement: &Statement,
    sha: &str,
    now_ms: i64,
) -> Result<Option<String>, Error> {
    let me = relay.party().as_str();
    if !stated::KINDS.contains(&statement.kind.as_str()) {
        return Ok(None);
    }
    if crate::relay::is_mediator_kind(crate::relay::party_kind(tx, me).await?) {
        return Ok(Some(
            "kept; the mediator follows the plan from its statements".to_owned(),
        ));
    }
    let issuer = statement.issuer.as_str();
    let done = match statement.kind.as_str() {
        stated::PROPOSED => mirror_proposal(tx, me, issuer, statement, sha).await?,
        kind => {
            let Some(plan_sha) = stated::plan_named(&statement.body) else {
                return Ok(Some("not followed: it names no plan".to_owned()));
            };
            let Some(plan_id) = plan_by_proposal(tx, plan_sha).await? else {
                return Ok(Some(format!(
                    "not followed: {me} holds no plan proposed as {}",
                    short(plan_sha)
                )));
            };
            let plan = shared_plan(tx, me, plan_id).await?;
            follow_step(
                tx,
                relay,
                key,
                (plan_id, &plan),
                statement,
                (sha, now_ms),
                kind,
            )
            .await?
        }
    };
    Ok(Some(done))
}

async fn follow_step(
    tx: &mut Transaction<'static, Any>,
    relay: &Grant<Administer>,
    key: &PartyKey,
    (plan_id, plan): (i64, &SharedPlan),
    statement: &Statement,
    (sha, now_ms): (&str, i64),
    kind: &str,
) -> Result<String, Error> {
    let me = relay.party().as_str();
    let issuer = statement.issuer.as_str();
    let body = &statement.body;
    let not = |why: String| Ok(format!("not followed: {why}"));
    let mediator = plan.commitment.mediator.as_deref();
    match kind {
        stated::ACCEPTED => {
            if plan.created_by != me
                || !plan.commitment.sides.iter().any(|s| s == issuer)
                || issuer == me
            {
                return not(format!("{issuer} cannot accept plan {plan_id}"));
            }
            sqlx::query("UPDATE plans SET accepted_sha256 = $1 WHERE id = $2")
                .bind(sha)
                .bind(plan_id)
                .execute(&mut **tx)
                .await
                .map_err(db("recording the acceptance"))?;
            Ok(format!("plan {plan_id} accepted by {issuer}"))
        }
        stated::COSIGNED => {
            let Ok(c) = serde_json::from_value::<Cosignature>(body.clone()) else {
                return not("it is not a co-signature".to_owned());
            };
            if Some(issuer) != mediator {
                return not(format!("{issuer} is not the round's mediator"));
            }
            if plan.accepted.as_deref() != Some(c.accepted.as_str()) {
                return not(format!(
                    "it co-signs an acceptance plan {plan_id} does not have"
                ));
            }
            sqlx::query("UPDATE plans SET cosigned_sha256 = $1, state = 'signed' WHERE id = $2")
                .bind(sha)
                .bind(plan_id)
                .execute(&mut **tx)
                .await
                .map_err(db("recording the co-signature"))?;
            Ok(format!("plan {plan_id} co-signed by {issuer}: signed"))
        }
        stated::MOVED => {
            let Ok(m) = serde_json::from_value::<Moved>(body.clone()) else {
                return not("it is not a move".to_owned());
            };
            let stage_id = stage_of(tx, plan_id, m.stage).await?;
            let actor: homeward_core::party::PartyCode = issuer.parse()?;
            let mut rows = Vec::with_capacity(m.moves.len());
            for mv in &m.moves {
                let row = sqlx::query(
                    "SELECT person_id, from_party, to_party, movement FROM stage_persons WHERE stage_id = $1 AND ref_no = $2",
                )
                .bind(stage_id)
                .bind(i64::from(mv.person))
                .fetch_optional(&mut **tx)
                .await
                .map_err(db("reading a person of the stage"))?;
                let Some(row) = row else {
                    return not(format!("stage {} has no person {}", m.stage, mv.person));
                };
                let get = db("reading a person of the stage");
                let from = row
                    .try_get::<String, _>("from_party")
                    .map_err(&get)?
                    .parse()?;
                let to = row
                    .try_get::<String, _>("to_party")
                    .map_err(&get)?
                    .parse()?;
                let now: Movement = row
                    .try_get::<String, _>("movement")
                    .map_err(&get)?
                    .parse()?;
                if let Err(e) =
                    now.check_move(mv.movement, &actor, &from, &to, mv.reason.as_deref())
                {
                    return not(format!("person {} of stage {}: {e}", mv.person, m.stage));
                }
                rows.push(row.try_get::<i64, _>("person_id").map_err(&get)?);
            }
            for (mv, person) in m.moves.iter().zip(rows) {
                sqlx::query(
                    "UPDATE stage_persons SET movement = $1, reason = $2, moved_by = $3, moved_at = $4 \
                     WHERE stage_id = $5 AND person_id = $6",
                )
                .bind(mv.movement.as_str())
                .bind(mv.reason.as_deref())
                .bind(format!("{} ({issuer})", m.by))
                .bind(statement.at_ms)
                .bind(stage_id)
                .bind(person)
                .execute(&mut **tx)
                .await
                .map_err(db("recording the other side's move"))?;
            }
            Ok(format!(
                "{} people of stage {} moved as {issuer} stated",
                m.moves.len(),
                m.stage
            ))
        }
        stated::NOTED => {
            let Ok(n) = serde_json::from_value::<Noted>(body.clone()) else {
                return not("it is not a note".to_owned());
            };
            if !plan.commitment.sides.iter().any(|s| s == issuer) {
                return not(format!("{issuer} is not a side of the plan"));
            }
            let stage_id = stage_of(tx, plan_id, n.stage).await?;
            sqlx::query("UPDATE stages SET parity_note = $1 WHERE id = $2")
                .bind(&n.note)
                .bind(stage_id)
                .execute(&mut **tx)
                .await
                .map_err(db("recording the note"))?;
            Ok(format!("{issuer}'s note on stage {} kept", n.stage))
        }
        stated::CLOSED => {
            let Ok(c) = serde_json::from_value::<Counted>(body.clone()) else {
                return not("it is not a closure".to_owned());
            };
            if Some(issuer) != mediator {
                return not(format!("{issuer} is not the round's mediator"));
            }
            let stage_id = stage_of(tx, plan_id, c.stage).await?;
            sqlx::query(
                "UPDATE stages SET state = 'closed', closed_by = $1, closed_at = $2 WHERE id = $3",
            )
            .bind(format!("{} ({issuer})", c.by))
            .bind(statement.at_ms)
            .bind(stage_id)
            .execute(&mut **tx)
            .await
            .map_err(db("closing the stage"))?;
            // The side answers with its own count, so the mediator sees whether the three
            // stores agree on what the stage did.
            let own = crate::plans::stage_parity(tx, stage_id, &plan.commitment.sides).await?;
            let count = Counted {
                plan: c.plan,
                stage: c.stage,
                parity: own.clone(),
                by: format!("{me}'s store"),
            };
            // Stated by the relay on the party's behalf, with its event like any statement.
            super::state_to(
                tx,
                relay,
                key,
                &plan.commitment.addressees(me),
                stated::COUNTED,
                to_value(&count)?,
                now_ms,
            )
            .await?;
            let agree = if own == c.parity {
                "the same"
            } else {
                "differently"
            };
            Ok(format!(
                "stage {} closed by {issuer}; {me} counts it {agree} ({} and {} received, {} open)",
                c.stage, own.from_a, own.from_b, own.open
            ))
        }
        stated::COUNTED => Ok(format!("{issuer}'s count of the stage kept")),
        other => not(format!("{other} is not a statement about a plan")),
    }
}

async fn stage_of(
    tx: &mut Transaction<'static, Any>,
    plan_id: i64,
    seq: i64,
) -> Result<i64, Error> {
    sqlx::query_scalar("SELECT id FROM stages WHERE plan_id = $1 AND seq = $2")
        .bind(plan_id)
        .bind(seq)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("finding the stage"))?
        .ok_or_else(|| Error::invalid("stage", format!("plan {plan_id} has no stage {seq}")))
}

/// Keeps the other side's proposal as `me`'s own copy of the plan, each person found in
/// `me`'s register by a row of a signed list `me` holds (its own lists' rows first). A
/// proposal naming anyone `me` cannot find is kept as a statement and not followed.
async fn mirror_proposal(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    issuer: &str,
    statement: &Statement,
    sha: &str,
) -> Result<String, Error> {
    let Ok(p) = serde_json::from_value::<Proposal>(statement.body.clone()) else {
        return Ok("not followed: it is not a plan".to_owned());
    };
    let c = &p.commitment;
    let commitment = super::find_commitment(tx, c).await?;
    let Some(commitment) = commitment else {
        return Ok(format!(
            "not followed: {me} holds no commitment \"{}\" of the round \"{}\" ({})",
            c.title, c.round, c.held_on
        ));
    };
    if !c.sides.iter().any(|s| s == me) || !c.sides.iter().any(|s| s == issuer) {
        return Ok(format!(
            "not followed: {issuer} and {me} are not the commitment's two sides"
        ));
    }
    let found = find_people(tx, me, &p.stages).await?;
    let missing: Vec<&ProposedPerson> = p
        .stages
        .iter()
        .flat_map(|s| &s.persons)
        .filter(|person| !found.contains_key(&person.n))
        .collect();
    if !missing.is_empty() {
        let names: Vec<String> = missing
            .iter()
            .take(5)
            .map(|m| format!("{} ({})", m.name, m.n))
            .collect();
        return Ok(format!(
            "not followed: {} people of {issuer}'s plan are in no signed list {me} holds ({}{}); send those lists first",
            missing.len(),
            names.join(", "),
            if missing.len() > 5 { ", …" } else { "" }
        ));
    }
    let plan_id: i64 = sqlx::query_scalar(
        "INSERT INTO plans (commitment_id, state, created_by, created_at, request, proposal_sha256) \
         VALUES ($1, 'proposal', $2, $3, $4, $5) RETURNING id",
    )
    .bind(commitment)
    .bind(issuer)
    .bind(statement.at_ms)
    .bind(p.request.to_string())
    .bind(sha)
    .fetch_one(&mut **tx)
    .await
    .map_err(db("keeping the proposed plan"))?;
    let mut people = 0;
    for stage in &p.stages {
        let stage_id: i64 = sqlx::query_scalar(
            "INSERT INTO stages (plan_id, seq, planned_on, state) VALUES ($1, $2, $3, 'open') RETURNING id",
        )
        .bind(plan_id)
        .bind(stage.seq)
        .bind(stage.planned_on.as_deref())
        .fetch_one(&mut **tx)
        .await
        .map_err(db("keeping a stage"))?;
        for person in &stage.persons {
            sqlx::query(
                "INSERT INTO stage_persons (stage_id, from_party, to_party, person_id, movement, rank, why, ref_no) \
                 VALUES ($1, $2, $3, $4, 'planned', $5, $6, $7)",
            )
            .bind(stage_id)
            .bind(&person.from)
            .bind(&person.to)
            .bind(found[&person.n])
            .bind(person.rank)
            .bind(&person.why)
            .bind(i64::from(person.n))
            .execute(&mut **tx)
            .await
            .map_err(db("placing a person of the proposed plan"))?;
            people += 1;
        }
    }
    Ok(format!(
        "kept as plan {plan_id} ({} stages, {people} people found in {me}'s register); to be accepted by a negotiator of {me}",
        p.stages.len()
    ))
}

/// The record of `me`'s register for each person of the stages (by their number), found by
/// the signed rows naming them: a row of `me`'s own list first, else any row `me` holds.
async fn find_people(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    stages: &[ProposedStage],
) -> Result<HashMap<u32, i64>, Error> {
    let mut lists: BTreeMap<(String, String), Option<i64>> = BTreeMap::new();
    for r in stages.iter().flat_map(|s| &s.persons).flat_map(|p| &p.rows) {
        lists
            .entry((r.issuer.clone(), r.sha256.clone()))
            .or_default();
    }
    let mut rows: HashMap<(i64, i64), i64> = HashMap::new();
    for ((issuer, sha), id) in lists.iter_mut() {
        *id = sqlx::query_scalar(
            "SELECT id FROM lists WHERE issuer = $1 AND sha256 = $2 AND signature IS NOT NULL",
        )
        .bind(issuer.as_str())
        .bind(sha.as_str())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("finding a signed list"))?;
        if let Some(list) = id {
            let held = sqlx::query("SELECT id, source_row FROM persons WHERE source_list = $1")
                .bind(*list)
                .fetch_all(&mut **tx)
                .await
                .map_err(db("reading a signed list's people"))?;
            for r in held {
                let get = db("reading a signed list's people");
                if let Some(row) = r.try_get::<Option<i64>, _>("source_row").map_err(&get)? {
                    rows.insert((*list, row), r.try_get("id").map_err(&get)?);
                }
            }
        }
    }
    let mut found = HashMap::new();
    for person in stages.iter().flat_map(|s| &s.persons) {
        let mut refs: Vec<&RowRef> = person.rows.iter().collect();
        refs.sort_by_key(|r| r.issuer != me);
        let hit = refs.iter().find_map(|r| {
            let list = lists
                .get(&(r.issuer.clone(), r.sha256.clone()))
                .copied()
                .flatten()?;
            rows.get(&(list, r.row)).copied()
        });
        if let Some(id) = hit {
            found.insert(person.n, id);
        }
    }
    Ok(found)
}
