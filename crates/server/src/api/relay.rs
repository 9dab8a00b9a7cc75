//! Deliveries between parties' servers: the route a peer's courier delivers to (its
//! signature is its credential, not a token), and what a party's people see of the relay —
//! peers, deliveries sent and received, receipts.

use super::BUNDLE_LIMIT;
use super::input::{Sent, Unread};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::State;
use homeward_app::App;
use homeward_app::relay::{PeerInput, RelayView};
use homeward_core::Error;
use homeward_ledger::relay::{Delivery, Receipt};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(deliver))
        .routes(routes!(relay_view))
        .routes(routes!(add_peer))
        .routes(routes!(receipts))
}

/// A delivery as the route carries it: `homeward-delivery-v1` JSON.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct DeliveryDocument(pub serde_json::Value);

/// A receipt as the route carries it: `homeward-receipt-v1` JSON.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct ReceiptDocument(pub serde_json::Value);

fn receipt_document(r: &Receipt) -> Result<ReceiptDocument, Error> {
    serde_json::to_value(r)
        .map(ReceiptDocument)
        .map_err(|e| Error::Io(format!("encoding a receipt: {e}")))
}

/// A peer's server delivers a signed document: a list bundle (a mediator counter-signs it
/// and passes it on; an addressee imports it) or a receipt passed on. The sender's
/// signature, checked against the key this server pinned for it, is the credential; the
/// answer is this server's signed receipt, the same one for the same document again.
#[utoipa::path(post, path = "/api/v1/relay", request_body = DeliveryDocument, security(()), responses(
    (status = 200, body = ReceiptDocument, description = "the receipt this server signed"),
    (status = 400, body = ErrorBody, description = "a bundle that does not verify, is forked, rolled back or replayed, or is not addressed here"),
    (status = 401, body = ErrorBody, description = "not signed by a key this server pinned for the sender"),
    (status = 409, body = ErrorBody, description = "the list was already imported (by hand)"),
))]
async fn deliver(State(app): State<App>, body: Unread) -> Result<Json<ReceiptDocument>, ApiError> {
    // Whatever is not a delivery has no credential.
    let document: DeliveryDocument = body.read(BUNDLE_LIMIT).await.map_err(|e| match e {
        Error::TooLarge { .. } => e,
        _ => Error::UnknownSender(
            "send a homeward delivery signed by a key this server pinned for your party".to_owned(),
        ),
    })?;
    let delivery: Delivery = serde_json::from_value(document.0)
        .map_err(|e| Error::UnknownSender(format!("not a homeward delivery: {e}")))?;
    Ok(Json(receipt_document(
        &app.accept_delivery(&delivery).await?,
    )?))
}

/// The relay as the caller's party sees it: its peers, what it sent (waiting with the last
/// error and the next try, delivered with the receiver's word, or refused with why) and what
/// it received.
#[utoipa::path(get, path = "/api/v1/relay", responses(
    (status = 200, body = RelayView, description = "peers and deliveries"),
))]
async fn relay_view(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<RelayView>, ApiError> {
    Ok(Json(app.relay_view(&actor).await?))
}

/// Adds another party's server as a peer, or moves it (admins); its key must be pinned
/// first. One event.
#[utoipa::path(post, path = "/api/v1/peers", request_body = PeerInput, responses(
    (status = 200, body = RelayView, description = "the relay with the peer"),
    (status = 404, body = ErrorBody, description = "no party of that code"),
))]
async fn add_peer(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(body): Sent<PeerInput>,
) -> Result<Json<RelayView>, ApiError> {
    app.add_peer(&actor, &body).await?;
    Ok(Json(app.relay_view(&actor).await?))
}

/// The signed receipts the caller's party holds: those its peers signed for its deliveries
/// and those passed on to it by the mediator.
#[utoipa::path(get, path = "/api/v1/relay/receipts", responses(
    (status = 200, body = Vec<ReceiptDocument>, description = "the receipts"),
))]
async fn receipts(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<ReceiptDocument>>, ApiError> {
    let all = app.receipts(&actor).await?;
    Ok(Json(
        all.iter().map(receipt_document).collect::<Result<_, _>>()?,
    ))
}
