//! Children's cases, truces, and remains handed over in batches and identified.

use super::input::Sent;
use super::{Created, Opened};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use homeward_app::{App, BatchInput, CaseStep, IdentificationStep, OpenCases, Receipt};
use homeward_store::{BatchView, ChildCaseView, TruceReport};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(child_cases, open_child_cases))
        .routes(routes!(step_child_case))
        .routes(routes!(truces))
        .routes(routes!(batches, record_batch))
        .routes(routes!(receive_batch))
        .routes(routes!(identify_remains))
        .routes(routes!(family_notified))
}

/// The caller's party's cases of the children of a child-return commitment.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/children", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = Vec<ChildCaseView>, description = "the cases"),
))]
async fn child_cases(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<Vec<ChildCaseView>>, ApiError> {
    Ok(Json(app.child_cases(&actor, commitment).await?))
}

/// Opens one case per child on a children list for a child-return commitment.
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/children", params(("commitment" = i64, Path, description = "commitment id")), request_body = OpenCases, responses(
    (status = 200, body = Opened, description = "cases opened now"),
))]
async fn open_child_cases(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Sent(body): Sent<OpenCases>,
) -> Result<Json<Opened>, ApiError> {
    Ok(Json(Opened {
        opened: app.open_child_cases(&actor, commitment, &body).await?,
    }))
}

/// Moves a child's case one step.
#[utoipa::path(post, path = "/api/v1/children/{person}/state", params(("person" = i64, Path, description = "the child's record")), request_body = CaseStep, responses(
    (status = 204, description = "recorded"),
))]
async fn step_child_case(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(person): Path<i64>,
    Sent(body): Sent<CaseStep>,
) -> Result<StatusCode, ApiError> {
    app.step_child_case(&actor, person, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The local truces the caller's party sees, overlapping or contradictory windows, and the
/// remains of its register recovered under each.
#[utoipa::path(get, path = "/api/v1/truces", responses(
    (status = 200, body = TruceReport, description = "the truce windows and what they cover"),
))]
async fn truces(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<TruceReport>, ApiError> {
    Ok(Json(app.truces(&actor).await?))
}

/// The batches of remains handed over under a commitment, with their manifests.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/batches", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = Vec<BatchView>, description = "the batches"),
))]
async fn batches(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<Vec<BatchView>>, ApiError> {
    Ok(Json(app.batches(&actor, commitment).await?))
}

/// The handing party records a batch of remains and its manifest.
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/batches", params(("commitment" = i64, Path, description = "commitment id")), request_body = BatchInput, responses(
    (status = 200, body = Created, description = "the batch's id"),
))]
async fn record_batch(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Sent(body): Sent<BatchInput>,
) -> Result<Json<Created>, ApiError> {
    Ok(Json(Created {
        id: app.record_batch(&actor, commitment, &body).await?,
    }))
}

/// The receiving party records a batch received; each tag becomes an unidentified remains
/// record of its register.
#[utoipa::path(post, path = "/api/v1/batches/{batch}/receipt", params(("batch" = i64, Path, description = "batch id")), request_body = Receipt, responses(
    (status = 200, body = Opened, description = "records opened"),
))]
async fn receive_batch(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(batch): Path<i64>,
    Sent(body): Sent<Receipt>,
) -> Result<Json<Opened>, ApiError> {
    Ok(Json(Opened {
        opened: app.receive_batch(&actor, batch, &body).await?,
    }))
}

/// Records a step of identification of remains in the caller's register; DNA
/// confirmation proposes the missing person's death and opens the family's notification.
#[utoipa::path(post, path = "/api/v1/remains/{person}/identification", params(("person" = i64, Path, description = "the remains' record")), request_body = IdentificationStep, responses(
    (status = 204, description = "recorded"),
))]
async fn identify_remains(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(person): Path<i64>,
    Sent(body): Sent<IdentificationStep>,
) -> Result<StatusCode, ApiError> {
    app.identify_remains(&actor, person, &body).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records that the family of a person identified as dead was told.
#[utoipa::path(post, path = "/api/v1/persons/{id}/family-notified", params(("id" = i64, Path, description = "record id")), responses(
    (status = 204, description = "recorded"),
))]
async fn family_notified(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    app.family_notified(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
