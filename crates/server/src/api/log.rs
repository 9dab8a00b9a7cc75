//! The event log for its auditors, and the check of a proof or bundle.

use super::input::Sent;
use crate::auth::ApiCaller;
use crate::error::ApiError;
use axum::Json;
use axum::extract::State;
use homeward_app::{App, EventView, LogVerification, ProofCheck, ProofResult, TreeHeads};
use homeward_store::TreeHead;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(verify_log))
        .routes(routes!(events))
        .routes(routes!(tree_heads, checkpoint))
        .routes(routes!(verify_proof))
}

/// Recomputes every hash of the event log (auditors). The log holds no personal data.
#[utoipa::path(get, path = "/api/v1/log/verify", responses(
    (status = 200, body = LogVerification, description = "what walking the log found"),
))]
async fn verify_log(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<LogVerification>, ApiError> {
    Ok(Json(app.verify_log(&actor).await?))
}

/// The latest events written on behalf of the caller's party (auditors).
#[utoipa::path(get, path = "/api/v1/log/events", responses(
    (status = 200, body = Vec<EventView>, description = "the latest 200 events"),
))]
async fn events(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<EventView>>, ApiError> {
    Ok(Json(app.events(&actor, 200).await?))
}

/// The log's signed tree heads over time, each checked: key, signature, root, consistency
/// (auditors).
#[utoipa::path(get, path = "/api/v1/log/tree-heads", responses(
    (status = 200, body = TreeHeads, description = "the heads and what checking them found"),
))]
async fn tree_heads(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<TreeHeads>, ApiError> {
    Ok(Json(app.tree_heads(&actor).await?))
}

/// Signs a tree head of the log as it stands with the server's key (admins): a checkpoint.
#[utoipa::path(post, path = "/api/v1/log/tree-heads", responses(
    (status = 200, body = TreeHead, description = "the signed head"),
    (status = 400, body = ErrorBody, description = "the server holds no key, or its key is not the party's current key"),
))]
async fn checkpoint(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<TreeHead>, ApiError> {
    Ok(Json(app.checkpoint(&actor).await?))
}

/// Checks a row proof, or a whole list bundle, against the issuer's public key. Nothing is
/// stored; no other row is needed.
#[utoipa::path(post, path = "/api/v1/proofs/verify", request_body = ProofCheck, responses(
    (status = 200, body = ProofResult, description = "whether it holds, and what was proven or failed"),
))]
async fn verify_proof(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(body): Sent<ProofCheck>,
) -> Result<Json<ProofResult>, ApiError> {
    Ok(Json(app.verify_proof(&actor, body)?))
}

use crate::error::ErrorBody;
