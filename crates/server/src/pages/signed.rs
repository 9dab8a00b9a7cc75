//! The signed-record page (`/bundles`): the keys a party holds, its lists with their
//! signatures and counter-signatures, and forms to sign a list, sign a checkpoint, download
//! a list's bundle, import a bundle and — for a mediator — counter-sign one; and the signed
//! statements the party holds. Refusals show
//! as the error page, naming what failed.

use super::{NoFields, Posted, Who, render};
use crate::PageError;
use crate::api::{BUNDLE_LIMIT, download};
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::signed::KeyToHold;
use homeward_app::{App, Export};
use homeward_core::Error;
use homeward_ledger::bundle::Bundle;
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    let limit = || axum::extract::DefaultBodyLimit::max(BUNDLE_LIMIT);
    vec![
        ("/bundles", get(page).post(import).layer(limit())),
        ("/bundles/checkpoint", post(checkpoint)),
        ("/bundles/countersign", post(countersign).layer(limit())),
        ("/lists/{list}/bundle", get(download_bundle)),
        ("/lists/{list}/signature", post(sign_list)),
        ("/keys", post(hold_key)),
    ]
}

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

/// A signed statement as the page shows it.
struct StatementLine {
    issuer: String,
    seq: i64,
    kind: String,
    at_ms: i64,
    to: String,
    countersigned_by: String,
    sha256: String,
}

#[derive(Template)]
#[template(path = "bundles.html")]
struct BundlesPage {
    who: Who,
    keys: Vec<homeward_store::KeyView>,
    lists: Vec<ListLine>,
    seen: Vec<homeward_store::Countersignature>,
    statements: Vec<StatementLine>,
    signing: bool,
    notice: Option<String>,
}

async fn render_page(
    app: &App,
    caller: &PageCaller,
    notice: Option<String>,
) -> Result<Html<String>, PageError> {
    // Lists for those who read the register; keys and counter-signatures for auditors
    // (and admins). Whoever may see neither is refused.
    let listed = app.lists(&caller.actor).await;
    let keys = app.keys(&caller.actor).await;
    if let (Err(Error::Denied(_)), Err(Error::Denied(d))) = (&listed, &keys) {
        return Err(Error::Denied(d.clone()).into());
    }
    let keys = unless_denied(keys)?;
    let mut lists = Vec::new();
    for l in unless_denied(listed)? {
        let record = app.signed_list(&caller.actor, l.id).await?;
        lists.push(ListLine {
            id: l.id,
            own: l.issuer == caller.actor.party.as_str(),
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
    let seen = unless_denied(app.countersignatures(&caller.actor).await)?;
    let statements = unless_denied(app.statements(&caller.actor, None).await)?
        .into_iter()
        .map(|s| StatementLine {
            kind: super::code_word("statement", &s.kind.replace('.', "_")),
            to: s.addressees.join(", "),
            countersigned_by: s.countersigned_by.join(", "),
            issuer: s.issuer,
            seq: s.seq,
            at_ms: s.at_ms,
            sha256: s.sha256,
        })
        .collect();
    render(&BundlesPage {
        statements,
        who: Who::from(caller),
        keys,
        lists,
        seen,
        signing: app.signs(),
        notice,
    })
}

/// What the reader may see of a part of the page: nothing when the access rule refuses it.
fn unless_denied<T: Default>(read: Result<T, Error>) -> Result<T, Error> {
    match read {
        Err(Error::Denied(_)) => Ok(T::default()),
        other => other,
    }
}

async fn page(State(app): State<App>, caller: PageCaller) -> Result<Html<String>, PageError> {
    render_page(&app, &caller, None).await
}

/// `POST /lists/{list}/signature`: an admin signs the list with the server's key.
async fn sign_list(
    State(app): State<App>,
    caller: PageCaller,
    Path(list): Path<i64>,
    _: Posted<NoFields>,
) -> Result<Redirect, PageError> {
    app.sign_list(&caller.actor, list).await?;
    Ok(Redirect::to("/bundles"))
}

/// `POST /bundles/checkpoint`: an admin signs a tree head of the log as it stands.
async fn checkpoint(
    State(app): State<App>,
    caller: PageCaller,
    _: Posted<NoFields>,
) -> Result<Html<String>, PageError> {
    let head = app.checkpoint(&caller.actor).await?;
    let notice = super::lang().t_with(
        "bundles-signed-head",
        &[
            ("size", head.size.into()),
            ("root", head.root.as_str().into()),
        ],
    );
    render_page(&app, &caller, Some(notice)).await
}

/// `GET /lists/{list}/bundle`: the bundle of a signed list of the party's, as a download.
async fn download_bundle(
    State(app): State<App>,
    caller: PageCaller,
    Path(list): Path<i64>,
) -> Result<Response, PageError> {
    let bundle = app.export_bundle(&caller.actor, list).await?;
    Ok(bundle_file(&bundle, &format!("list-{list}-bundle.json"))?.into_response())
}

fn bundle_file(bundle: &Bundle, name: &str) -> Result<Response, Error> {
    let bytes = bundle
        .to_file()
        .map_err(|e| Error::Io(format!("encoding the bundle: {e}")))?;
    Ok(download(Export {
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
async fn import(
    State(app): State<App>,
    caller: PageCaller,
    multipart: Multipart,
) -> Result<Html<String>, PageError> {
    app.may_import_bundle(&caller.actor)?;
    let (bundle, csrf) = read_bundle_upload(multipart).await?;
    caller.check_csrf(&csrf)?;
    let imported = app.import_bundle(&caller.actor, &bundle).await?;
    let lang = super::lang();
    let countersigned = if bundle.countersignatures.is_empty() {
        String::new()
    } else {
        let parties = bundle
            .countersignatures
            .iter()
            .map(|c| c.0.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        lang.t_with(
            "bundles-imported-countersigned",
            &[("parties", parties.into())],
        )
    };
    let notice = lang.t_with(
        "bundles-imported",
        &[
            ("issuer", bundle.issuer.to_string().into()),
            ("list", imported.list.to_string().into()),
            ("rows", bundle.rows.len().into()),
            ("sha", bundle.sha256.as_str().into()),
            ("countersigned", countersigned.into()),
        ],
    );
    render_page(&app, &caller, Some(notice)).await
}

/// `POST /bundles/countersign`: a mediator's admin counter-signs an uploaded bundle; the
/// counter-signed bundle comes back as a download.
async fn countersign(
    State(app): State<App>,
    caller: PageCaller,
    multipart: Multipart,
) -> Result<Response, PageError> {
    app.may_countersign(&caller.actor)?;
    let (bundle, csrf) = read_bundle_upload(multipart).await?;
    caller.check_csrf(&csrf)?;
    let signed = app.countersign(&caller.actor, &bundle).await?;
    Ok(bundle_file(
        &signed,
        &format!(
            "{}-{}-countersigned.json",
            signed.issuer,
            super::short_hash(&signed.sha256)
        ),
    )?)
}

#[derive(Deserialize)]
struct KeyForm {
    #[serde(default)]
    party: String,
    #[serde(default)]
    public_key: String,
}

/// `POST /keys`: an admin registers the party's public key or pins another party's.
async fn hold_key(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<KeyForm>,
) -> Result<Redirect, PageError> {
    let key = KeyToHold {
        party: form.party.trim().parse()?,
        public_key: form.public_key.trim().to_owned(),
    };
    app.hold_key(&caller.actor, &key).await?;
    Ok(Redirect::to("/bundles"))
}
