//! The mixed medical commission: examinations recorded by the detaining party, and the
//! commission's decisions.

use super::input::Sent;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use homeward_app::{App, ExaminationLine};
use homeward_core::commission::{NewExamination, NewFinding, Verdict};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(examinations, record_examination))
        .routes(routes!(record_finding))
}

/// The examinations the caller's party recorded under a commission's commitment.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/examinations", params(("commitment" = i64, Path, description = "the commission's commitment")), responses(
    (status = 200, body = Vec<ExaminationLine>, description = "the examinations, newest first, with the decisions taken"),
))]
async fn examinations(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<Vec<ExaminationLine>>, ApiError> {
    Ok(Json(app.examinations(&actor, commitment).await?))
}

/// The id of an examination recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Examined {
    id: i64,
}

/// Records the commission's examination of a prisoner the caller's party holds (operators).
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/examinations", params(("commitment" = i64, Path, description = "the commission's commitment")), request_body = NewExamination, responses(
    (status = 201, body = Examined, description = "recorded"),
))]
async fn record_examination(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Sent(body): Sent<NewExamination>,
) -> Result<(StatusCode, Json<Examined>), ApiError> {
    let id = app.record_examination(&actor, commitment, &body).await?;
    Ok((StatusCode::CREATED, Json(Examined { id })))
}

/// The majority's verdict.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct Decided {
    verdict: Verdict,
}

/// Records the commission's decision on an examination: every present member's vote, the
/// grounds, the day; the majority's verdict sets the prisoner's health (operators).
#[utoipa::path(post, path = "/api/v1/examinations/{examination}/finding", params(("examination" = i64, Path, description = "examination id")), request_body = NewFinding, responses(
    (status = 200, body = Decided, description = "the majority's verdict"),
))]
async fn record_finding(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(examination): Path<i64>,
    Sent(body): Sent<NewFinding>,
) -> Result<Json<Decided>, ApiError> {
    let verdict = app.record_finding(&actor, examination, &body).await?;
    Ok(Json(Decided { verdict }))
}
