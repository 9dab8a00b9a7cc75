//! Links between records: reconciliation, the review queue and its decisions, duplicates
//! inside the register, and the links' export.

use super::download;
use super::input::{Asked, Sent};
use super::register::{ExportQuery, LinksExportFilter};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use homeward_app::App;
use homeward_app::links::{
    DecisionInput, DuplicatesInput, DuplicatesReport, ReconcileInput, ReconcileReport,
};
use homeward_app::query::LinkQuery;
use homeward_store::{DecisionOutcome, LinkView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(reconcile))
        .routes(routes!(links))
        .routes(routes!(decide))
        .routes(routes!(duplicates))
        .routes(routes!(links_export))
}

/// Runs the linkage engine between a request list and a holding list and proposes links.
#[utoipa::path(post, path = "/api/v1/reconcile", request_body = ReconcileInput, responses(
    (status = 200, body = ReconcileReport, description = "what was compared and proposed, and who was left out and why"),
    (status = 404, body = ErrorBody, description = "a list of the input is not one the caller's party holds"),
))]
async fn reconcile(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(input): Sent<ReconcileInput>,
) -> Result<Json<ReconcileReport>, ApiError> {
    Ok(Json(app.reconcile(&actor, &input).await?))
}

/// The caller's party's links, most probable first.
#[utoipa::path(get, path = "/api/v1/links", params(LinkQuery), responses(
    (status = 200, body = Vec<LinkView>, description = "the links"),
))]
async fn links(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<LinkQuery>,
) -> Result<Json<Vec<LinkView>>, ApiError> {
    Ok(Json(app.links(&actor, &q).await?))
}

/// Records a decision on one of the caller's party's links.
#[utoipa::path(post, path = "/api/v1/links/{link}/decision", params(("link" = i64, Path, description = "link id")), request_body = DecisionInput, responses(
    (status = 200, body = DecisionOutcome, description = "the decision and the status it moved"),
))]
async fn decide(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(link): Path<i64>,
    Sent(input): Sent<DecisionInput>,
) -> Result<Json<DecisionOutcome>, ApiError> {
    Ok(Json(app.decide_link(&actor, link, &input).await?))
}

/// Finds people entered twice in the caller's register and suggests each pair for review.
/// Nothing is merged.
#[utoipa::path(post, path = "/api/v1/duplicates", request_body = DuplicatesInput, responses(
    (status = 200, body = DuplicatesReport, description = "what was compared and suggested"),
))]
async fn duplicates(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(input): Sent<DuplicatesInput>,
) -> Result<Json<DuplicatesReport>, ApiError> {
    Ok(Json(app.find_duplicates(&actor, &input).await?))
}

/// The caller's party's links with both records as written and romanised, who decided and
/// when, in the format asked for; sealed like every export of personal data. The export
/// is an event.
#[utoipa::path(get, path = "/api/v1/links/export", params(ExportQuery, LinksExportFilter), responses(
    (status = 200, content_type = "text/csv", body = String, description = "the export, as a download"),
))]
async fn links_export(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<ExportQuery>,
    Asked(filter): Asked<LinksExportFilter>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = q.request(filter.source(), super::passphrase(&headers));
    Ok(download(app.export(&actor, &request).await?))
}
