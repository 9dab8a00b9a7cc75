//! Exchange planning and execution: the one pipeline behind `homeward plan`, the plan API
//! and the plan-builder page, and the moves of each stage. The planner decides
//! (`homeward_plan`), the store keeps (`Store::save_plan`); this joins them and reports.

use crate::{App, Error, grant};
use homeward_core::access::{Actor, ReadTalks, RecordMovements, WriteTalks};
use homeward_core::stated_plan::StatedPlan;
use homeward_core::talks::{StageParity, Terms};
use homeward_plan::PlanRequest;
/// Why a person was left out of a plan, as the planner gives it (code and values).
pub use homeward_plan::{LeftOut, Unavailable};
use homeward_store::PlanView;
use serde::{Deserialize, Serialize};

/// A person of a stage moves on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct MovementInput {
    /// The person's record, as the plan shows it.
    pub person: i64,
    /// handed_over, received or withdrawn.
    pub movement: String,
    /// Why withdrawn.
    pub reason: Option<String>,
}

/// Why a stage's parity was broken.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct ParityNote {
    /// The reason, in words.
    pub note: String,
}

/// How to cut the plan.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct PlanParams {
    /// People each way in one stage.
    pub stage_size: u32,
    /// Dates of the stages in order (`YYYY-MM-DD`).
    #[serde(default)]
    pub stage_dates: Vec<String>,
    /// Plan the extra tranche too.
    #[serde(default)]
    pub include_extra: bool,
}

/// What the planner did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    /// The new plan: now the commitment's current one.
    pub plan: i64,
    /// The commitment.
    pub commitment: i64,
    /// Stages.
    pub stages: usize,
    /// People the commitment's first side hands over.
    pub from_a: usize,
    /// People its second side hands over.
    pub from_b: usize,
    /// People left out, by the reason's code (`not_confirmed`, `unavailable`,
    /// `category_not_covered`, `beyond_quantity`, `no_counterpart`).
    pub left_out: std::collections::BTreeMap<String, usize>,
}

impl App {
    /// The current exchange plan of a commitment the actor's party takes part in or
    /// mediates; what was left out, and why, only for the party that made it.
    pub async fn plan_of(&self, actor: &Actor, commitment: i64) -> Result<PlanView, Error> {
        self.store
            .plan_of(&grant::<ReadTalks>(actor)?, commitment)
            .await
    }

    /// Records a handover (by the holding party), a receipt (by the receiving party) or a
    /// withdrawal with its reason (by either). In a plan shared with the other side, the
    /// move is stated to it and the mediator, signed with the server's key.
    pub async fn move_person(
        &self,
        actor: &Actor,
        stage: i64,
        input: &MovementInput,
    ) -> Result<(), Error> {
        let grant = grant::<RecordMovements>(actor)?;
        let moves = [(input.person, input.movement.parse()?, input.reason.clone())];
        self.store
            .move_people(&grant, stage, &moves, self.key.as_deref(), self.now())
            .await
    }

    /// A negotiator of a side records why a stage's parity was broken (stated to the other
    /// side and the mediator when the plan is shared).
    pub async fn note_parity(
        &self,
        actor: &Actor,
        stage: i64,
        note: &ParityNote,
    ) -> Result<(), Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .note_parity(&grant, stage, &note.note, self.key.as_deref(), self.now())
            .await
    }

    /// The mediator co-confirms and closes a stage of a plan in its own store (one store
    /// serving all parties); a shared plan's stage is closed by [`App::close_stated_stage`].
    pub async fn close_stage(&self, actor: &Actor, stage: i64) -> Result<StageParity, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store.close_stage(&grant, stage, self.now()).await
    }

    /// The planning side proposes its plan to the other side and the mediator, as a signed
    /// statement; returns the proposal's SHA-256, the plan's name on every side.
    pub async fn propose_plan(&self, actor: &Actor, plan: i64) -> Result<String, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .propose_plan(&grant, plan, self.signing_key()?, self.now())
            .await
    }

    /// The other side accepts a proposed plan (its own copy, `plan`), as a signed statement.
    pub async fn accept_plan(&self, actor: &Actor, plan: i64) -> Result<String, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .accept_plan(&grant, plan, self.signing_key()?, self.now())
            .await
    }

    /// The mediator co-signs an accepted plan, named by its proposal's SHA-256.
    pub async fn cosign_plan(&self, actor: &Actor, proposal: &str) -> Result<String, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .cosign_plan(&grant, proposal.trim(), self.signing_key()?, self.now())
            .await
    }

    /// The mediator closes stage `seq` of a shared plan, counted from what the sides
    /// stated; each side answers with its own count.
    pub async fn close_stated_stage(
        &self,
        actor: &Actor,
        proposal: &str,
        seq: i64,
    ) -> Result<StageParity, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .close_stated_stage(
                &grant,
                proposal.trim(),
                seq,
                self.signing_key()?,
                self.now(),
            )
            .await
    }

    /// The plans stated between the parties that the actor's party holds, each followed
    /// from its statements, with each side's count of every closed stage.
    pub async fn stated_plans(&self, actor: &Actor) -> Result<Vec<StatedPlan>, Error> {
        self.store.stated_plans(&grant::<ReadTalks>(actor)?).await
    }

    /// Plans `commitment` from the actor's register and stores the plan: confirmed people
    /// both ways, ordered by the agreement's priorities, cut into stages with parity.
    pub async fn make_plan(
        &self,
        actor: &Actor,
        commitment: i64,
        params: &PlanParams,
    ) -> Result<PlanReport, Error> {
        let grant = &grant::<WriteTalks>(actor)?;
        let (store, now_ms) = (&self.store, self.now());
        for d in &params.stage_dates {
            d.parse::<homeward_core::record::PartialDate>()
                .map_err(|e| Error::invalid("stage_dates", format!("{d:?}: {e}")))?;
        }
        let context = store.planning_context(grant, commitment).await?;
        let Terms::PowExchange {
            quantity_each_way,
            extra_tranche,
            parity,
            parity_by_category,
            priorities,
            categories,
            ..
        } = &context.terms
        else {
            return Err(Error::invalid(
                "commitment",
                format!("commitment {commitment} has no exchange plan"),
            ));
        };
        let ages_on = params
            .stage_dates
            .first()
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| crate::day_of(now_ms));
        let request = PlanRequest {
            quantity_each_way: *quantity_each_way,
            extra_each_way: if params.include_extra {
                extra_tranche.unwrap_or(0)
            } else {
                0
            },
            parity: *parity,
            parity_by_category: *parity_by_category,
            priorities: priorities.clone(),
            categories: categories.clone(),
            stage_size: params.stage_size,
            stage_dates: params.stage_dates.clone(),
            ages_on,
        };
        let plan = homeward_plan::plan(&context.candidates, &request)
            .map_err(|e| Error::invalid("plan", e.to_string()))?;
        let recorded = serde_json::json!({
            "stage_size": params.stage_size,
            "stage_dates": params.stage_dates,
            "include_extra": params.include_extra,
            "ages_on": ages_on.to_string(),
        });
        let id = store
            .save_plan(grant, &context, recorded, &plan, now_ms)
            .await?;
        let mut left_out = std::collections::BTreeMap::new();
        for e in &plan.left_out {
            *left_out.entry(e.reason.code().to_owned()).or_insert(0) += 1;
        }
        let (from_a, from_b) = plan.placed();
        Ok(PlanReport {
            plan: id,
            commitment,
            stages: plan.stages.len(),
            from_a,
            from_b,
            left_out,
        })
    }
}
