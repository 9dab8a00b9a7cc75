//! Exchange planning and execution: the one pipeline behind `homeward plan`, the plan API
//! and the plan-builder page. The planner decides (`homeward_plan`), the store keeps
//! (`Store::save_plan`); this joins them and reports.

use homeward_core::Error;
use homeward_core::access::{Grant, WriteTalks};
use homeward_core::talks::Terms;
use homeward_plan::{LeftOut, PlanRequest};
use homeward_store::Store;
use serde::{Deserialize, Serialize};

/// How to cut the plan.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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
    /// People left out, by reason.
    pub left_out: std::collections::BTreeMap<String, usize>,
}

/// Plans `commitment` from the grant's register and stores the plan.
pub async fn make_plan(
    store: &Store,
    grant: &Grant<WriteTalks>,
    commitment: i64,
    params: &PlanParams,
    now_ms: i64,
) -> Result<PlanReport, Error> {
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
        let key = match e.reason {
            LeftOut::NotConfirmed => "not confirmed",
            LeftOut::Unavailable { .. } => "cannot be exchanged",
            LeftOut::CategoryNotCovered { .. } => "category not covered",
            LeftOut::BeyondQuantity { .. } => "beyond the quantity",
            LeftOut::NoCounterpart { .. } => "no counterpart (parity)",
        };
        *left_out.entry(key.to_owned()).or_insert(0) += 1;
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
