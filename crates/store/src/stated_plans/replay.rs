//! The plans a store holds statements about, followed from those statements in the order
//! they were taken — how the mediator, which keeps no register of the sides' people, sees
//! a shared plan — and the mediator's hold on one of them.

use super::{SharedPlan, short};
use crate::db;
use homeward_core::Error;
use homeward_core::stated_plan::{self as stated, CommitmentRef, Proposal, StatedPlan};
use homeward_core::talks::Terms;
use homeward_ledger::statement::Statement;
use sqlx::{Any, Row, Transaction};

/// The mediator's hold on a stated plan: whom to address, and the commitment's terms.
pub(super) struct Mediated {
    pub(super) plan: SharedPlan,
    pub(super) terms: Option<Terms>,
}

impl std::ops::Deref for Mediated {
    type Target = SharedPlan;
    fn deref(&self) -> &SharedPlan {
        &self.plan
    }
}

/// The plan proposed as `proposal`, followed from `me`'s statements, when `me` mediates
/// its round.
pub(super) async fn mediated(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    proposal: &str,
) -> Result<(StatedPlan, Mediated), Error> {
    let plan = stated_plans_in(tx, me)
        .await?
        .into_iter()
        .find(|p| p.plan == proposal)
        .ok_or_else(|| Error::NotFound(format!("a plan proposed as {proposal}")))?;
    let row = sqlx::query(
        "SELECT r.mediator, c.terms FROM commitments c JOIN rounds r ON r.id = c.round_id \
         WHERE r.title = $1 AND c.title = $2 AND c.side_a = $3 AND c.side_b = $4",
    )
    .bind(&plan.round)
    .bind(&plan.commitment)
    .bind(&plan.sides[0])
    .bind(&plan.sides[1])
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("finding the plan's commitment"))?;
    let get = db("reading the plan's commitment");
    let (mediator, terms) = match row {
        Some(r) => (
            r.try_get::<Option<String>, _>("mediator").map_err(&get)?,
            r.try_get::<String, _>("terms")
                .ok()
                .and_then(|t| serde_json::from_str::<Terms>(&t).ok()),
        ),
        None => (None, None),
    };
    if mediator.as_deref() != Some(me) {
        return Err(Error::invalid(
            "plan",
            format!(
                "{me} does not mediate the round of plan {}; its mediator co-signs it and closes its stages",
                short(proposal)
            ),
        ));
    }
    let shared = SharedPlan {
        created_by: plan.proposed_by.clone(),
        state: String::new(),
        proposal: Some(proposal.to_owned()),
        accepted: plan.accepted.clone(),
        commitment: CommitmentRef {
            round: plan.round.clone(),
            held_on: String::new(),
            title: plan.commitment.clone(),
            sides: plan.sides.clone(),
            mediator,
        },
        request: None,
    };
    Ok((
        plan,
        Mediated {
            plan: shared,
            terms,
        },
    ))
}

/// Every plan `holder` holds statements about, followed in the order they were taken. A
/// statement that cannot be followed yet is tried again after the others (a receipt taken
/// in the same instant as the handover it confirms); one that never can is listed as
/// unfollowed.
pub(crate) async fn stated_plans_in(
    tx: &mut Transaction<'static, Any>,
    holder: &str,
) -> Result<Vec<StatedPlan>, Error> {
    let kinds = stated::KINDS.map(|k| format!("'{k}'")).join(", ");
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT s.sha256, s.file FROM statements s WHERE s.holder = $1 AND s.kind IN ({kinds}) \
         ORDER BY COALESCE(s.received_at, s.at_ms), s.issuer, s.seq"
    )))
    .bind(holder)
    .fetch_all(&mut **tx)
    .await
    .map_err(db("reading the plans' statements"))?;
    let mut plans: Vec<StatedPlan> = Vec::new();
    let mut waiting: Vec<(String, String, Statement)> = Vec::new();
    for r in rows {
        let get = db("reading a statement");
        let file: String = r.try_get("file").map_err(&get)?;
        let sha: String = r.try_get("sha256").map_err(&get)?;
        let Ok(s) = Statement::from_file(&file) else {
            continue;
        };
        if s.kind == stated::PROPOSED {
            if let Ok(p) = serde_json::from_value::<Proposal>(s.body.clone()) {
                plans.push(StatedPlan::proposed(&sha, &s.issuer, &p));
            }
            continue;
        }
        let kind = s.kind.clone();
        waiting.push((sha, kind, s));
    }
    // Follow in order; what fails is tried again while anything else still follows.
    let failed = loop {
        let mut progressed = false;
        let mut again = Vec::new();
        for (sha, kind, s) in waiting.drain(..) {
            let Some(plan) = stated::plan_named(&s.body)
                .and_then(|name| plans.iter_mut().find(|p| p.plan == name))
            else {
                again.push((
                    sha,
                    kind,
                    s,
                    "it names a plan this store never received".to_owned(),
                ));
                continue;
            };
            match plan.follow(&s.issuer, &kind, &sha, &s.body) {
                Ok(()) => progressed = true,
                Err(why) => again.push((sha, kind, s, why)),
            }
        }
        if !progressed || again.is_empty() {
            break again;
        }
        waiting = again.into_iter().map(|(a, b, c, _)| (a, b, c)).collect();
    };
    for (_, kind, s, why) in failed {
        let line = format!("{}'s {kind} statement {}: {why}", s.issuer, s.seq);
        // One naming no plan held stays on the statements page alone.
        if let Some(plan) =
            stated::plan_named(&s.body).and_then(|name| plans.iter_mut().find(|p| p.plan == name))
        {
            plan.unfollowed.push(line);
        }
    }
    Ok(plans)
}
