//! The signed record between parties' servers, as JSON routes: signing a list and a tree
//! head with the key the server was started with, exporting a list bundle, importing one,
//! a mediator's counter-signature, and the keys a party holds. The checks live in the
//! ledger crate (what a bundle says) and the store (what only a store knows); these
//! handlers only decide access and carry the documents.

use crate::auth::ApiCaller;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use homeward_core::Error;
use homeward_core::access::{Administer, Audit, ReadRegister, WriteRegister, authorize};
use homeward_core::party::PartyCode;
use homeward_ledger::bundle::Bundle;
use homeward_store::{Countersignature, KeyView, SignedListRecord, TreeHead};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A bundle as the routes carry it: `homeward-bundle-v1` JSON, as `homeward bundle export`
/// writes it.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = Object)]
pub struct BundleDocument(pub serde_json::Value);

impl BundleDocument {
    /// The bundle, or a clear error naming what does not parse.
    pub fn parse(self) -> Result<Bundle, Error> {
        serde_json::from_value(self.0)
            .map_err(|e| Error::invalid("bundle", format!("not a homeward bundle: {e}")))
    }

    fn of(bundle: &Bundle) -> Result<Self, Error> {
        serde_json::to_value(bundle)
            .map(BundleDocument)
            .map_err(|e| Error::Storage(format!("encoding the bundle: {e}")))
    }
}

/// The key this server signs with, or the error that says how to give it one.
pub(crate) fn signing_key(state: &AppState) -> Result<&homeward_ledger::keys::PartyKey, Error> {
    state.key.as_deref().ok_or_else(|| {
        Error::invalid(
            "key",
            "this server holds no signing key; start it with `homeward serve --key FILE` (or HOMEWARD_KEY)",
        )
    })
}

/// What the caller's party holds of a list it issued or received: the issuer's signature
/// and the counter-signatures.
#[utoipa::path(get, path = "/api/v1/lists/{list}/signature", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = SignedListRecord),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub(crate) async fn signed_list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<SignedListRecord>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    Ok(Json(state.store.signed_list(&grant, list).await?))
}

/// Signs a list the caller's party issued with the server's key (admins): the original's
/// SHA-256, its row count and the root of its rows' Merkle tree.
#[utoipa::path(post, path = "/api/v1/lists/{list}/signature", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = SignedListRecord),
    (status = 400, body = ErrorBody, description = "the server holds no key, or its key is not the party's current key"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub(crate) async fn sign_list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<SignedListRecord>, ApiError> {
    Ok(Json(sign_with_server_key(&state, &actor, list).await?))
}

/// Signs `list` with the server's key for an admin of its issuer. A list the caller's party
/// cannot see is not found before the key is asked for, so a missing key reveals nothing.
pub(crate) async fn sign_with_server_key(
    state: &AppState,
    actor: &homeward_core::access::Actor,
    list: i64,
) -> Result<SignedListRecord, Error> {
    let grant = authorize::<Administer>(actor)?;
    let read = authorize::<ReadRegister>(actor)?;
    state.store.signed_list(&read, list).await?;
    state
        .store
        .sign_list(&grant, list, signing_key(state)?, state.now())
        .await?;
    state.store.signed_list(&read, list).await
}

/// Signs a tree head of the log as it stands with the server's key (admins): a checkpoint.
#[utoipa::path(post, path = "/api/v1/log/tree-heads", responses(
    (status = 200, body = TreeHead),
    (status = 400, body = ErrorBody, description = "the server holds no key, or its key is not the party's current key"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
pub(crate) async fn checkpoint(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<TreeHead>, ApiError> {
    let grant = authorize::<Administer>(&actor)?;
    Ok(Json(
        state
            .store
            .sign_tree_head(&grant, signing_key(&state)?, state.now())
            .await?,
    ))
}

/// The bundle of a list the caller's party issued and signed, covered by a signed tree head.
#[utoipa::path(get, path = "/api/v1/lists/{list}/bundle", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = BundleDocument),
    (status = 400, body = ErrorBody, description = "the list is not signed, or no tree head covers it yet"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub(crate) async fn export_bundle(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<BundleDocument>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    let bundle = state.store.export_bundle(&grant, list).await?;
    Ok(Json(BundleDocument::of(&bundle)?))
}

/// What an import did.
#[derive(Debug, Serialize, ToSchema)]
pub struct BundleImported {
    /// The list's id in this store.
    pub list: i64,
    /// What the store now holds of it.
    pub record: SignedListRecord,
}

/// Imports a bundle: a list of another party addressed to the caller's, or the party's own
/// list sent back with a mediator's counter-signature. Checked against the pinned keys;
/// anything that does not verify is refused, naming what failed, and nothing is stored.
#[utoipa::path(post, path = "/api/v1/bundles", request_body = BundleDocument, responses(
    (status = 200, body = BundleImported),
    (status = 400, body = ErrorBody, description = "changed bytes, an unpinned key or counter-signer, a rollback, a fork, not addressed to the caller"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "a replay: nothing new"),
))]
pub(crate) async fn import_bundle(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Json(body): Json<BundleDocument>,
) -> Result<Json<BundleImported>, ApiError> {
    let grant = authorize::<WriteRegister>(&actor)?;
    let read = authorize::<ReadRegister>(&actor)?;
    let bundle = body.parse()?;
    let list = state
        .store
        .import_bundle(&grant, &bundle, state.now())
        .await?;
    Ok(Json(BundleImported {
        list,
        record: state.store.signed_list(&read, list).await?,
    }))
}

/// The counter-signatures the caller's party holds: a mediator's record of the lists it saw,
/// a party's of those it received (auditors).
#[utoipa::path(get, path = "/api/v1/bundles", responses(
    (status = 200, body = Vec<Countersignature>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
pub(crate) async fn countersignatures(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<Countersignature>>, ApiError> {
    let grant = authorize::<Audit>(&actor)?;
    Ok(Json(state.store.countersignatures(&grant).await?))
}

/// A mediator counter-signs a bundle it received, with the server's key (admins); returns
/// the bundle with the counter-signature added, for both parties to import.
#[utoipa::path(post, path = "/api/v1/bundles/countersign", request_body = BundleDocument, responses(
    (status = 200, body = BundleDocument),
    (status = 400, body = ErrorBody, description = "the bundle does not verify, or the server holds no current key"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "already counter-signed"),
))]
pub(crate) async fn countersign(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Json(body): Json<BundleDocument>,
) -> Result<Json<BundleDocument>, ApiError> {
    let grant = authorize::<Administer>(&actor)?;
    let bundle = body.parse()?;
    let signed = state
        .store
        .countersign_bundle(&grant, &bundle, signing_key(&state)?, state.now())
        .await?;
    Ok(Json(BundleDocument::of(&signed)?))
}

/// The public keys the caller's party holds: its own and those it pinned (auditors).
#[utoipa::path(get, path = "/api/v1/keys", responses(
    (status = 200, body = Vec<KeyView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
pub(crate) async fn keys(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    let grant = authorize::<Audit>(&actor)?;
    Ok(Json(state.store.keys(&grant).await?))
}

/// A public key to hold.
#[derive(Debug, Deserialize, ToSchema)]
pub struct KeyToHold {
    /// Whose key: the caller's own party registers its key, any other party's is pinned.
    #[schema(value_type = String)]
    pub party: PartyCode,
    /// The key, 64 hex digits, as `homeward key show` prints it.
    pub public_key: String,
}

/// Registers the party's own public key or pins another party's (admins). One event.
#[utoipa::path(post, path = "/api/v1/keys", request_body = KeyToHold, responses(
    (status = 200, body = Vec<KeyView>),
    (status = 400, body = ErrorBody, description = "not an Ed25519 public key"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "no such party"),
))]
pub(crate) async fn hold_key(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Json(body): Json<KeyToHold>,
) -> Result<Json<Vec<KeyView>>, ApiError> {
    let grant = authorize::<Administer>(&actor)?;
    state
        .store
        .add_key(&grant, &body.party, &body.public_key, state.now())
        .await?;
    let audit = authorize::<Audit>(&actor)?;
    Ok(Json(state.store.keys(&audit).await?))
}
