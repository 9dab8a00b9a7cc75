//! The signed record between parties' servers: a list's signature, its bundle, imports,
//! a mediator's counter-signature, and the keys a party holds.

use super::BUNDLE_LIMIT;
use super::input::{Asked, Sent, Unread};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use homeward_app::App;
use homeward_app::signed::{BundleImported, KeyToHold};
use homeward_core::Error;
use homeward_ledger::bundle::Bundle;
use homeward_store::{Countersignature, KeyView, SignedListRecord, StatementView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(signed_list, sign_list))
        .routes(routes!(export_bundle))
        .routes(routes!(countersignatures, import_bundle))
        .routes(routes!(countersign))
        .routes(routes!(keys, hold_key))
        .routes(routes!(statements))
}

/// Which statements to list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
struct StatementQuery {
    /// Only statements of this kind (`commission.finding`).
    kind: Option<String>,
}

/// The signed statements the caller's party holds — its own and those addressed to it —
/// newest first, with who counter-signed each.
#[utoipa::path(get, path = "/api/v1/statements", params(StatementQuery), responses(
    (status = 200, body = Vec<StatementView>, description = "the statements held"),
))]
async fn statements(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<StatementQuery>,
) -> Result<Json<Vec<StatementView>>, ApiError> {
    Ok(Json(app.statements(&actor, q.kind.as_deref()).await?))
}

/// A bundle as the routes carry it: `homeward-bundle-v1` JSON, as `homeward bundle export`
/// writes it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct BundleDocument(pub serde_json::Value);

impl BundleDocument {
    /// The bundle, or a clear error naming what does not parse.
    fn parse(self) -> Result<Bundle, Error> {
        serde_json::from_value(self.0)
            .map_err(|e| Error::invalid("bundle", format!("not a homeward bundle: {e}")))
    }

    fn of(bundle: &Bundle) -> Result<Self, Error> {
        serde_json::to_value(bundle)
            .map(BundleDocument)
            .map_err(|e| Error::Io(format!("encoding the bundle: {e}")))
    }
}

/// What the caller's party holds of a list it issued or received: the issuer's signature
/// and the counter-signatures.
#[utoipa::path(get, path = "/api/v1/lists/{list}/signature", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = SignedListRecord, description = "the signature and counter-signatures held"),
))]
async fn signed_list(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<SignedListRecord>, ApiError> {
    Ok(Json(app.signed_list(&actor, list).await?))
}

/// Signs a list the caller's party issued with the server's key (admins): the original's
/// SHA-256, its row count and the root of its rows' Merkle tree.
#[utoipa::path(post, path = "/api/v1/lists/{list}/signature", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = SignedListRecord, description = "the list as signed"),
    (status = 400, body = ErrorBody, description = "the server holds no key, or its key is not the party's current key"),
))]
async fn sign_list(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<SignedListRecord>, ApiError> {
    Ok(Json(app.sign_list(&actor, list).await?))
}

/// The bundle of a list the caller's party issued and signed, covered by a signed tree head.
#[utoipa::path(get, path = "/api/v1/lists/{list}/bundle", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = BundleDocument, description = "the bundle"),
    (status = 400, body = ErrorBody, description = "the list is not signed, no tree head covers it yet, or a row may not leave"),
))]
async fn export_bundle(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<BundleDocument>, ApiError> {
    Ok(Json(BundleDocument::of(
        &app.export_bundle(&actor, list).await?,
    )?))
}

/// Imports a bundle: a list of another party addressed to the caller's, or the party's own
/// list sent back with a mediator's counter-signature. Checked against the pinned keys;
/// anything that does not verify is refused, naming what failed, and nothing is stored.
#[utoipa::path(post, path = "/api/v1/bundles", request_body = BundleDocument, responses(
    (status = 200, body = BundleImported, description = "the list imported"),
    (status = 400, body = ErrorBody, description = "changed bytes, an unpinned key or counter-signer, a rollback, a fork, not addressed to the caller"),
    (status = 409, body = ErrorBody, description = "a replay: nothing new"),
))]
async fn import_bundle(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    body: Unread,
) -> Result<Json<BundleImported>, ApiError> {
    app.may_import_bundle(&actor)?;
    let body: BundleDocument = body.read(BUNDLE_LIMIT).await?;
    Ok(Json(app.import_bundle(&actor, &body.parse()?).await?))
}

/// The counter-signatures the caller's party holds: a mediator's record of the lists it saw,
/// a party's of those it received (auditors).
#[utoipa::path(get, path = "/api/v1/bundles", responses(
    (status = 200, body = Vec<Countersignature>, description = "the counter-signatures"),
))]
async fn countersignatures(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<Countersignature>>, ApiError> {
    Ok(Json(app.countersignatures(&actor).await?))
}

/// A mediator counter-signs a bundle it received, with the server's key (admins); returns
/// the bundle with the counter-signature added, for both parties to import.
#[utoipa::path(post, path = "/api/v1/bundles/countersign", request_body = BundleDocument, responses(
    (status = 200, body = BundleDocument, description = "the counter-signed bundle"),
    (status = 400, body = ErrorBody, description = "the bundle does not verify, or the server holds no current key"),
    (status = 409, body = ErrorBody, description = "already counter-signed"),
))]
async fn countersign(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    body: Unread,
) -> Result<Json<BundleDocument>, ApiError> {
    app.may_countersign(&actor)?;
    let body: BundleDocument = body.read(BUNDLE_LIMIT).await?;
    let signed = app.countersign(&actor, &body.parse()?).await?;
    Ok(Json(BundleDocument::of(&signed)?))
}

/// The public keys the caller's party holds: its own and those it pinned (auditors).
#[utoipa::path(get, path = "/api/v1/keys", responses(
    (status = 200, body = Vec<KeyView>, description = "the keys"),
))]
async fn keys(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    Ok(Json(app.keys(&actor).await?))
}

/// Registers the party's own public key or pins another party's (admins). One event.
#[utoipa::path(post, path = "/api/v1/keys", request_body = KeyToHold, responses(
    (status = 200, body = Vec<KeyView>, description = "the keys now held"),
    (status = 400, body = ErrorBody, description = "not an Ed25519 public key"),
    (status = 404, body = ErrorBody, description = "no party of that code"),
))]
async fn hold_key(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(body): Sent<KeyToHold>,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    app.hold_key(&actor, &body).await?;
    Ok(Json(app.keys(&actor).await?))
}
