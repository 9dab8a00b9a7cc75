//! Plans agreed between the sides' own servers: the planning side proposes its plan, the
//! other side accepts its copy, the mediator co-signs and closes each stage from what the
//! sides stated. Each step is a signed statement that the relay carries.

use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use homeward_app::App;
use homeward_core::stated_plan::StatedPlan;
use homeward_core::talks::StageParity;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(propose_plan))
        .routes(routes!(accept_plan))
        .routes(routes!(shared_plans))
        .routes(routes!(cosign_plan))
        .routes(routes!(close_shared_stage))
}

/// The statement a step was stated by.
#[derive(Debug, Serialize, ToSchema)]
pub struct Stated {
    /// The statement's SHA-256 (a proposal's is the plan's name on every side).
    pub statement: String,
}

/// The planning side proposes its plan to the other side and the mediator.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/proposal", params(("plan" = i64, Path, description = "plan id")), responses(
    (status = 200, body = Stated, description = "the proposal"),
    (status = 400, body = ErrorBody, description = "not the party's own plan, or someone in it is on no signed list"),
    (status = 409, body = ErrorBody, description = "already proposed"),
))]
async fn propose_plan(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(plan): Path<i64>,
) -> Result<Json<Stated>, ApiError> {
    let statement = app.propose_plan(&actor, plan).await?;
    Ok(Json(Stated { statement }))
}

/// The other side accepts its copy of a proposed plan.
#[utoipa::path(post, path = "/api/v1/plans/{plan}/acceptance", params(("plan" = i64, Path, description = "the party's copy of the plan")), responses(
    (status = 200, body = Stated, description = "the acceptance"),
    (status = 400, body = ErrorBody, description = "not a plan the other side proposed"),
    (status = 409, body = ErrorBody, description = "already accepted"),
))]
async fn accept_plan(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(plan): Path<i64>,
) -> Result<Json<Stated>, ApiError> {
    let statement = app.accept_plan(&actor, plan).await?;
    Ok(Json(Stated { statement }))
}

/// The shared plans the caller's party holds, as their statements say, with each side's
/// count of every closed stage.
#[utoipa::path(get, path = "/api/v1/shared-plans", responses(
    (status = 200, body = Vec<StatedPlan>, description = "the plans"),
))]
async fn shared_plans(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<StatedPlan>>, ApiError> {
    Ok(Json(app.stated_plans(&actor).await?))
}

/// The mediator co-signs an accepted plan.
#[utoipa::path(post, path = "/api/v1/shared-plans/{proposal}/cosignature", params(("proposal" = String, Path, description = "the proposal's SHA-256")), responses(
    (status = 200, body = Stated, description = "the co-signature"),
    (status = 400, body = ErrorBody, description = "not the round's mediator, or not yet accepted"),
))]
async fn cosign_plan(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(proposal): Path<String>,
) -> Result<Json<Stated>, ApiError> {
    let statement = app.cosign_plan(&actor, &proposal).await?;
    Ok(Json(Stated { statement }))
}

/// The mediator closes a stage of a shared plan, counted from what the sides stated.
#[utoipa::path(post, path = "/api/v1/shared-plans/{proposal}/stages/{seq}/close", params(
    ("proposal" = String, Path, description = "the proposal's SHA-256"),
    ("seq" = i64, Path, description = "the stage's number"),
), responses(
    (status = 200, body = StageParity, description = "the stage as closed"),
    (status = 400, body = ErrorBody, description = "people still in between, or parity broken with no note"),
))]
async fn close_shared_stage(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path((proposal, seq)): Path<(String, i64)>,
) -> Result<Json<StageParity>, ApiError> {
    Ok(Json(app.close_stated_stage(&actor, &proposal, seq).await?))
}
