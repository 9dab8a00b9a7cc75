//! Families' enquiries: taken, listed (those to answer first), one opened, answered.

use super::input::{Asked, Sent};
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use homeward_app::{App, EnquiryInput, EnquiryLine, EnquiryRecorded};
use homeward_core::enquiry::Answer;
use homeward_store::{EnquiryView, Person};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(enquiries, record_enquiry))
        .routes(routes!(enquiry))
        .routes(routes!(answer_enquiry))
}

/// Which enquiries to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
struct EnquiryQuery {
    /// Closed ones too.
    all: Option<bool>,
    /// Only those about this record.
    person: Option<i64>,
}

/// The party's families' enquiries, those with news the family has not been told first
/// (hotline, operators).
#[utoipa::path(get, path = "/api/v1/enquiries", params(EnquiryQuery), responses(
    (status = 200, body = Vec<EnquiryLine>, description = "the enquiries; `to_answer` marks those with news"),
))]
async fn enquiries(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<EnquiryQuery>,
) -> Result<Json<Vec<EnquiryLine>>, ApiError> {
    Ok(Json(
        app.enquiries(&actor, !q.all.unwrap_or(false), q.person)
            .await?,
    ))
}

/// Records a family's enquiry about a sought record (`person`) or a new one (`new_person`),
/// with who asked, how to reach them, their kinship and what they agree to.
#[utoipa::path(post, path = "/api/v1/enquiries", request_body = EnquiryInput, responses(
    (status = 201, body = EnquiryRecorded, description = "recorded; the family's consent is now the record's"),
))]
async fn record_enquiry(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(input): Sent<EnquiryInput>,
) -> Result<(StatusCode, Json<EnquiryRecorded>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(app.record_enquiry(&actor, &input).await?),
    ))
}

/// An enquiry with the record it is about.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct EnquiryWithPerson {
    enquiry: EnquiryView,
    person: Person,
}

/// One enquiry with the record it is about (the record's opening audited).
#[utoipa::path(get, path = "/api/v1/enquiries/{id}", params(("id" = i64, Path, description = "enquiry id")), responses(
    (status = 200, body = EnquiryWithPerson, description = "the enquiry, its answers, its news and the record"),
))]
async fn enquiry(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<EnquiryWithPerson>, ApiError> {
    let (enquiry, person) = app.enquiry(&actor, id).await?;
    Ok(Json(EnquiryWithPerson { enquiry, person }))
}

/// Records what the family was told, and closes the enquiry when `closes`.
#[utoipa::path(post, path = "/api/v1/enquiries/{id}/answers", params(("id" = i64, Path, description = "enquiry id")), request_body = Answer, responses(
    (status = 204, description = "recorded"),
))]
async fn answer_enquiry(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Sent(answer): Sent<Answer>,
) -> Result<StatusCode, ApiError> {
    app.answer_enquiry(&actor, id, &answer).await?;
    Ok(StatusCode::NO_CONTENT)
}
