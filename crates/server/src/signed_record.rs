//! The signed-record page (`/bundles`): the keys a party holds, its lists with their
//! signatures and counter-signatures, and forms to sign a list, sign a checkpoint, download
//! a list's bundle, import a bundle and — for a mediator — counter-sign one. The same store
//! calls as the JSON routes in [`crate::bundles`]; refusals show as the error page, naming
//! what failed.

use crate::auth::PageCaller;
use crate::bundles::signing_key;
use crate::pages::{Who, render};
use crate::{AppState, PageError};
use askama::Template;
use axum::extract::{Form, Multipart, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use homeward_core::Error;
use homeward_core::access::{Administer, ReadRegister, WriteRegister, authorize};
use homeward_ledger::bundle::Bundle;
use serde::Deserialize;

/// A list as the page shows it.
struct ListLine {
    id: i64,
    issuer: String,
    kind: String,
    title: String,
    rows: i64,
    own: bool,
    row_root: String,
    countersigned_by: String,
}

#[derive(Template)]
#[template(path = "bundles.html")]
struct BundlesPage {
    who: Who,
    keys: Vec<homeward_store::KeyView>,
    lists: Vec<ListLine>,
    seen: Vec<homeward_store::Countersignature>,
    signing: bool,
    notice: Option<String>,
}

async fn render_page(
    state: &AppState,
    caller: &PageCaller,
    notice: Option<String>,
) -> Result<Html<String>, PageError> {
    let read = authorize::<ReadRegister>(&caller.actor)?;
    let audit = authorize::<homeward_core::access::Audit>(&caller.actor).ok();
    let mut lists = Vec::new();
    for l in state.store.lists(&read).await? {
        let record = state.store.signed_list(&read, l.id).await?;
        lists.push(ListLine {
            id: l.id,
            own: l.issuer == read.party().as_str(),
            issuer: l.issuer,
            kind: l.kind,
            title: l.title,
            rows: record.rows,
            row_root: record.row_root.unwrap_or_default(),
            countersigned_by: record
                .countersignatures
                .iter()
                .map(|c| c.party.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let (keys, seen) = match &audit {
        Some(a) => (
            state.store.keys(a).await?,
            state.store.countersignatures(a).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    render(&BundlesPage {
        who: Who::from(caller),
        keys,
        lists,
        seen,
        signing: state.key.is_some(),
        notice,
    })
}

/// `GET /bundles`.
pub(crate) async fn page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Html<String>, PageError> {
    render_page(&state, &caller, None).await
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /lists/{list}/signature`: an admin signs the list with the server's key.
pub(crate) async fn sign_list(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(list): Path<i64>,
    Form(form): Form<CsrfOnly>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    crate::bundles::sign_with_server_key(&state, &caller.actor, list).await?;
    Ok(Redirect::to("/bundles"))
}

/// `POST /bundles/checkpoint`: an admin signs a tree head of the log as it stands.
pub(crate) async fn checkpoint(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<CsrfOnly>,
) -> Result<Html<String>, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<Administer>(&caller.actor)?;
    let head = state
        .store
        .sign_tree_head(&grant, signing_key(&state)?, state.now())
        .await?;
    let notice = format!(
        "Signed a tree head of {} events, root {}.",
        head.size, head.root
    );
    render_page(&state, &caller, Some(notice)).await
}

/// `GET /lists/{list}/bundle`: the bundle of a signed list of the party's, as a download.
pub(crate) async fn download(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(list): Path<i64>,
) -> Result<Response, PageError> {
    let grant = authorize::<ReadRegister>(&caller.actor)?;
    let bundle = state.store.export_bundle(&grant, list).await?;
    Ok(bundle_file(&bundle, &format!("list-{list}-bundle.json"))?.into_response())
}

fn bundle_file(bundle: &Bundle, name: &str) -> Result<Response, Error> {
    let bytes = bundle
        .to_file()
        .map_err(|e| Error::Storage(format!("encoding the bundle: {e}")))?;
    Ok(crate::export::into_response(crate::export::Export {
        file_name: name.to_owned(),
        content_type: "application/json",
        sha256: homeward_ledger::sha256_hex(&bytes),
        rows: bundle.rows.len(),
        bytes,
    }))
}

/// The bundle file and the anti-forgery token of an upload form.
async fn read_bundle_upload(mut multipart: Multipart) -> Result<(Bundle, String), Error> {
    let mut csrf = String::new();
    let mut bundle = None;
    let bad = |e: axum::extract::multipart::MultipartError| {
        Error::invalid("bundle", format!("the upload could not be read: {e}"))
    };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "bundle" => {
                let name = field.file_name().unwrap_or("the bundle").to_owned();
                let bytes = field.bytes().await.map_err(bad)?;
                bundle = Some(
                    Bundle::from_file(&bytes)
                        .map_err(|e| Error::invalid("bundle", format!("{name}: {e}")))?,
                );
            }
            _ => {}
        }
    }
    let bundle =
        bundle.ok_or_else(|| Error::invalid("bundle", "the upload holds no bundle file"))?;
    Ok((bundle, csrf))
}

/// `POST /bundles`: import an uploaded bundle (operators and admins).
pub(crate) async fn import(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Multipart,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<WriteRegister>(&caller.actor)?;
    let (bundle, csrf) = read_bundle_upload(multipart).await?;
    caller.check_csrf(&csrf)?;
    let list = state
        .store
        .import_bundle(&grant, &bundle, state.now())
        .await?;
    let notice = format!(
        "Verified against the pinned key of {} and kept as list {list}: {} rows, SHA-256 {}{}.",
        bundle.issuer,
        bundle.rows.len(),
        bundle.sha256,
        if bundle.countersignatures.is_empty() {
            String::new()
        } else {
            format!(
                ", counter-signed by {}",
                bundle
                    .countersignatures
                    .iter()
                    .map(|c| c.0.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }
    );
    render_page(&state, &caller, Some(notice)).await
}

/// `POST /bundles/countersign`: a mediator's admin counter-signs an uploaded bundle; the
/// counter-signed bundle comes back as a download.
pub(crate) async fn countersign(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let grant = authorize::<Administer>(&caller.actor)?;
    let (bundle, csrf) = read_bundle_upload(multipart).await?;
    caller.check_csrf(&csrf)?;
    let signed = state
        .store
        .countersign_bundle(&grant, &bundle, signing_key(&state)?, state.now())
        .await?;
    Ok(bundle_file(
        &signed,
        &format!(
            "{}-{}-countersigned.json",
            signed.issuer,
            &signed.sha256[..12.min(signed.sha256.len())]
        ),
    )?)
}

#[derive(Deserialize)]
pub(crate) struct KeyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    public_key: String,
}

/// `POST /keys`: an admin registers the party's public key or pins another party's.
pub(crate) async fn hold_key(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<KeyForm>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<Administer>(&caller.actor)?;
    let party = form.party.trim().parse()?;
    state
        .store
        .add_key(&grant, &party, form.public_key.trim(), state.now())
        .await?;
    Ok(Redirect::to("/bundles"))
}
