//! Talks rounds and their commitments: read by every role that follows the talks, recorded
//! by negotiators, a commitment's terms amended only when both sides agree; and the
//! exchange plans that carry the commitments out.

use super::Created;
use super::input::Sent;
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use homeward_app::plans::{MovementInput, ParityNote, PlanParams, PlanReport};
use homeward_app::sheet::{BatchMoved, StageBatch};
use homeward_app::{AmendmentAnswerInput, App, CommitmentChange, CommitmentInput};
use homeward_core::talks::StageParity;
use homeward_store::{AmendmentView, CommitmentView, NewRound, PlanView, RoundView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(rounds, add_round))
        .routes(routes!(round, update_round))
        .routes(routes!(round_commitments, add_commitment))
        .routes(routes!(commitments))
        .routes(routes!(commitment))
        .routes(routes!(amendments, propose_amendment))
        .routes(routes!(answer_amendment))
        .routes(routes!(plan_view, make_plan))
        .routes(routes!(move_person))
        .routes(routes!(move_stage))
        .routes(routes!(note_parity))
        .routes(routes!(close_stage))
}

/// The talks rounds the caller's party took part in or mediated.
#[utoipa::path(get, path = "/api/v1/rounds", responses(
    (status = 200, body = Vec<RoundView>, description = "the rounds"),
))]
async fn rounds(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<RoundView>>, ApiError> {
    Ok(Json(app.rounds(&actor).await?))
}

/// Records a round the caller's party took part in or mediated.
#[utoipa::path(post, path = "/api/v1/rounds", request_body = NewRound, responses(
    (status = 200, body = Created, description = "the round's id"),
))]
async fn add_round(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(body): Sent<NewRound>,
) -> Result<Json<Created>, ApiError> {
    Ok(Json(Created {
        id: app.add_round(&actor, &body).await?,
    }))
}

/// One round the caller's party took part in or mediated.
#[utoipa::path(get, path = "/api/v1/rounds/{round}", params(("round" = i64, Path, description = "round id")), responses(
    (status = 200, body = RoundView, description = "the round"),
))]
async fn round(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
) -> Result<Json<RoundView>, ApiError> {
    Ok(Json(app.round(&actor, round).await?))
}

/// Changes a round the caller's party recorded.
#[utoipa::path(put, path = "/api/v1/rounds/{round}", params(("round" = i64, Path, description = "round id")), request_body = NewRound, responses(
    (status = 204, description = "changed"),
))]
async fn update_round(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
    Sent(body): Sent<NewRound>,
) -> Result<StatusCode, ApiError> {
    app.update_round(&actor, round, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The commitments of one round, each with its fulfilment.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/commitments", params(("round" = i64, Path, description = "round id")), responses(
    (status = 200, body = Vec<CommitmentView>, description = "the round's commitments"),
))]
async fn round_commitments(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
) -> Result<Json<Vec<CommitmentView>>, ApiError> {
    Ok(Json(app.commitments(&actor, Some(round)).await?))
}

/// Records a commitment made in a round the caller's party took part in or mediated.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/commitments", params(("round" = i64, Path, description = "round id")), request_body = CommitmentInput, responses(
    (status = 200, body = Created, description = "the commitment's id"),
    (status = 400, body = ErrorBody, description = "terms that break a rule, e.g. a truce of no days"),
))]
async fn add_commitment(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
    Sent(body): Sent<CommitmentInput>,
) -> Result<Json<Created>, ApiError> {
    Ok(Json(Created {
        id: app.add_commitment(&actor, round, &body).await?,
    }))
}

/// The commitments of the rounds the caller's party sees, each with its fulfilment
/// computed from the plans.
#[utoipa::path(get, path = "/api/v1/commitments", responses(
    (status = 200, body = Vec<CommitmentView>, description = "the commitments"),
))]
async fn commitments(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<CommitmentView>>, ApiError> {
    Ok(Json(app.commitments(&actor, None).await?))
}

/// One commitment with its fulfilment.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = CommitmentView, description = "the commitment"),
))]
async fn commitment(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<CommitmentView>, ApiError> {
    Ok(Json(app.commitment(&actor, commitment).await?))
}

/// The amendments of a commitment's terms, newest first: who proposed what, and how the
/// other side answered.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/amendments", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = Vec<AmendmentView>, description = "the amendments"),
))]
async fn amendments(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<Vec<AmendmentView>>, ApiError> {
    Ok(Json(app.amendments(&actor, commitment).await?))
}

/// Proposes to change a commitment's title and terms (its kind and sides stay). The terms
/// change only when the other side accepts; until then both sides see the agreed terms and
/// this amendment beside them. An event in both sides' logs and the mediator's.
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/amendments", params(("commitment" = i64, Path, description = "commitment id")), request_body = CommitmentChange, responses(
    (status = 200, body = Created, description = "the amendment proposed"),
    (status = 409, body = ErrorBody, description = "another amendment is open"),
))]
async fn propose_amendment(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Sent(body): Sent<CommitmentChange>,
) -> Result<Json<Created>, ApiError> {
    let id = app.propose_amendment(&actor, commitment, &body).await?;
    Ok(Json(Created { id }))
}

/// Answers an open amendment: the other side accepts (the terms change) or declines it;
/// the proposing side withdraws it. An event in both sides' logs and the mediator's.
#[utoipa::path(post, path = "/api/v1/amendments/{amendment}/answer", params(("amendment" = i64, Path, description = "amendment id")), request_body = AmendmentAnswerInput, responses(
    (status = 200, body = AmendmentView, description = "the amendment as answered"),
    (status = 409, body = ErrorBody, description = "the amendment was already answered or withdrawn"),
))]
async fn answer_amendment(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(amendment): Path<i64>,
    Sent(body): Sent<AmendmentAnswerInput>,
) -> Result<Json<AmendmentView>, ApiError> {
    Ok(Json(
        app.answer_amendment(&actor, amendment, body.answer).await?,
    ))
}

/// The current exchange plan of a commitment the caller's party takes part in or
/// mediates: stages, people and their movements, parity; what was left out and why only
/// for the party that made it.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/plan", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = PlanView, description = "the current plan"),
))]
async fn plan_view(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<PlanView>, ApiError> {
    Ok(Json(app.plan_of(&actor, commitment).await?))
}

/// Plans an exchange commitment from the caller's register: confirmed people both ways,
/// ordered by the agreement's priorities, cut into stages with parity. The plan becomes
/// the commitment's current one.
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/plan", params(("commitment" = i64, Path, description = "commitment id")), request_body = PlanParams, responses(
    (status = 200, body = PlanReport, description = "the plan made"),
    (status = 409, body = ErrorBody, description = "the current plan is being executed"),
))]
async fn make_plan(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Sent(params): Sent<PlanParams>,
) -> Result<Json<PlanReport>, ApiError> {
    Ok(Json(app.make_plan(&actor, commitment, &params).await?))
}

/// Records a handover (by the holding party), a receipt (by the receiving party) or a
/// withdrawal with its reason (by either).
#[utoipa::path(post, path = "/api/v1/stages/{stage}/movements", params(("stage" = i64, Path, description = "stage id")), request_body = MovementInput, responses(
    (status = 204, description = "recorded"),
    (status = 400, body = ErrorBody, description = "the wrong party, a person not in the stage, a move the rules do not allow"),
))]
async fn move_person(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(stage): Path<i64>,
    Sent(body): Sent<MovementInput>,
) -> Result<StatusCode, ApiError> {
    app.move_person(&actor, stage, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Moves everyone of a stage who can take one step at once: hands over all planned people
/// the caller's party holds, or confirms receipt of all handed over to it (one event each;
/// one statement to the other side when the plan is shared).
#[utoipa::path(post, path = "/api/v1/stages/{stage}/batch", params(("stage" = i64, Path, description = "stage id")), request_body = StageBatch, responses(
    (status = 200, body = BatchMoved, description = "how many moved"),
    (status = 400, body = ErrorBody, description = "nobody can take that step, or not a step a batch takes"),
    (status = 409, body = ErrorBody, description = "a shared plan not yet signed by both sides and the mediator"),
))]
async fn move_stage(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(stage): Path<i64>,
    Sent(body): Sent<StageBatch>,
) -> Result<Json<BatchMoved>, ApiError> {
    Ok(Json(app.move_stage(&actor, stage, &body).await?))
}

/// A negotiator of a side records why a stage's parity was broken.
#[utoipa::path(post, path = "/api/v1/stages/{stage}/parity-note", params(("stage" = i64, Path, description = "stage id")), request_body = ParityNote, responses(
    (status = 204, description = "recorded"),
))]
async fn note_parity(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(stage): Path<i64>,
    Sent(body): Sent<ParityNote>,
) -> Result<StatusCode, ApiError> {
    app.note_parity(&actor, stage, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The mediator co-confirms and closes a stage; refused while people are in between or
/// parity is broken without a negotiator's note.
#[utoipa::path(post, path = "/api/v1/stages/{stage}/close", params(("stage" = i64, Path, description = "stage id")), responses(
    (status = 200, body = StageParity, description = "the stage's parity as closed"),
))]
async fn close_stage(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(stage): Path<i64>,
) -> Result<Json<StageParity>, ApiError> {
    Ok(Json(app.close_stage(&actor, stage).await?))
}
