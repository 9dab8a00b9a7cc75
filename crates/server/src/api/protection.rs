//! Protecting the people in the register: protection marks, consent, restricted statuses,
//! erasure, retention, and the auditors' view of every read.

use super::input::{Asked, Sent};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use homeward_app::App;
use homeward_app::protection::{
    ConsentInput, ErasureInput, ProtectionMark, ReadQuery, RestrictionInput, RetentionInput,
};
use homeward_core::protection::{ReadFlag, RetentionRule};
use homeward_store::{ErasureView, ReadEntry, RestrictionView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(mark))
        .routes(routes!(consent))
        .routes(routes!(restrictions, propose))
        .routes(routes!(confirm))
        .routes(routes!(release))
        .routes(routes!(reads))
        .routes(routes!(flags))
        .routes(routes!(request_erasure))
        .routes(routes!(erasures))
        .routes(routes!(confirm_erasure))
        .routes(routes!(retention, set_retention))
}

/// Marks a record protected, or lifts the mark (protection officers, reviewers).
#[utoipa::path(post, path = "/api/v1/persons/{id}/protection", params(("id" = i64, Path, description = "record id")), request_body = ProtectionMark, responses(
    (status = 204, description = "marked"),
))]
async fn mark(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Sent(body): Sent<ProtectionMark>,
) -> Result<StatusCode, ApiError> {
    app.mark_protected(&actor, id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records the purposes a family agreed its tracing request may serve (operators).
#[utoipa::path(post, path = "/api/v1/persons/{id}/consent", params(("id" = i64, Path, description = "record id")), request_body = ConsentInput, responses(
    (status = 204, description = "recorded"),
))]
async fn consent(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Sent(body): Sent<ConsentInput>,
) -> Result<StatusCode, ApiError> {
    app.set_consent(&actor, id, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The restricted statuses of a record.
#[utoipa::path(get, path = "/api/v1/persons/{id}/restrictions", params(("id" = i64, Path, description = "record id")), responses(
    (status = 200, body = Vec<RestrictionView>, description = "the record's restricted statuses"),
))]
async fn restrictions(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RestrictionView>>, ApiError> {
    Ok(Json(app.restrictions(&actor, Some(id)).await?))
}

/// Proposes a restricted status for a record; a second person confirms it.
#[utoipa::path(post, path = "/api/v1/persons/{id}/restrictions", params(("id" = i64, Path, description = "record id")), request_body = RestrictionInput, responses(
    (status = 200, body = i64, description = "the proposal's id"),
))]
async fn propose(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Sent(body): Sent<RestrictionInput>,
) -> Result<Json<i64>, ApiError> {
    Ok(Json(app.propose_restriction(&actor, id, &body).await?))
}

/// A second person confirms a proposed restricted status; the one who proposed it cannot.
#[utoipa::path(post, path = "/api/v1/restrictions/{restriction}/confirmation", params(("restriction" = i64, Path, description = "restriction id")), responses(
    (status = 200, body = RestrictionView, description = "the status as confirmed"),
    (status = 400, body = ErrorBody, description = "the same person who proposed it"),
    (status = 409, body = ErrorBody, description = "already confirmed"),
))]
async fn confirm(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<RestrictionView>, ApiError> {
    Ok(Json(app.confirm_restriction(&actor, id).await?))
}

/// A negotiator lets a confirmed restricted status leave the party inside lists.
#[utoipa::path(post, path = "/api/v1/restrictions/{restriction}/release", params(("restriction" = i64, Path, description = "restriction id")), responses(
    (status = 204, description = "released"),
))]
async fn release(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app.release_restriction(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every audited read of the caller's party's records, newest first (auditors).
#[utoipa::path(get, path = "/api/v1/audit/reads", params(ReadQuery), responses(
    (status = 200, body = Vec<ReadEntry>, description = "the reads"),
))]
async fn reads(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<ReadQuery>,
) -> Result<Json<Vec<ReadEntry>>, ApiError> {
    Ok(Json(app.reads(&actor, &q).await?))
}

/// Unusual patterns of reading: bursts of records opened, exports at night (auditors).
#[utoipa::path(get, path = "/api/v1/audit/flags", params(ReadQuery), responses(
    (status = 200, body = Vec<ReadFlag>, description = "the flags"),
))]
async fn flags(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<ReadQuery>,
) -> Result<Json<Vec<ReadFlag>>, ApiError> {
    Ok(Json(app.read_flags(&actor, q.since.unwrap_or(0)).await?))
}

/// Asks for the erasure of a record's personal data; a second person confirms it.
#[utoipa::path(post, path = "/api/v1/persons/{id}/erasure", params(("id" = i64, Path, description = "record id")), request_body = ErasureInput, responses(
    (status = 200, body = i64, description = "the request's id"),
))]
async fn request_erasure(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Sent(body): Sent<ErasureInput>,
) -> Result<Json<i64>, ApiError> {
    Ok(Json(app.request_erasure(&actor, id, &body).await?))
}

/// The erasure requests of the caller's party.
#[utoipa::path(get, path = "/api/v1/erasures", responses(
    (status = 200, body = Vec<ErasureView>, description = "the requests"),
))]
async fn erasures(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<ErasureView>>, ApiError> {
    Ok(Json(app.erasures(&actor, None).await?))
}

/// A second person confirms an erasure; the record's personal data is removed.
#[utoipa::path(post, path = "/api/v1/erasures/{erasure}/confirmation", params(("erasure" = i64, Path, description = "erasure id")), responses(
    (status = 204, description = "erased"),
    (status = 400, body = ErrorBody, description = "the same person who asked"),
    (status = 409, body = ErrorBody, description = "already erased"),
))]
async fn confirm_erasure(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app.confirm_erasure(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The party's retention periods: records past theirs leave search.
#[utoipa::path(get, path = "/api/v1/retention", responses(
    (status = 200, body = Vec<RetentionRule>, description = "the periods"),
))]
async fn retention(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<RetentionRule>>, ApiError> {
    Ok(Json(app.retention(&actor).await?))
}

/// Sets a retention period for a category, and a status when given (admins).
#[utoipa::path(post, path = "/api/v1/retention", request_body = RetentionInput, responses(
    (status = 204, description = "set"),
))]
async fn set_retention(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(body): Sent<RetentionInput>,
) -> Result<StatusCode, ApiError> {
    app.set_retention(&actor, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}
