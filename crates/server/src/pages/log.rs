//! The auditors' event-log page: the chain checked, the latest events, the signed tree
//! heads and lists checked, and the forms that check a pasted or uploaded proof.

use super::{Posted, Who, render, utc};
use crate::PageError;
use crate::api::BUNDLE_LIMIT;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::{MethodRouter, get, post};
use homeward_app::{App, LogVerification, ProofCheck, ProofResult};
use homeward_core::Error;
use homeward_store::{SignedListsReport, TreeHead, TreeHeadReport};
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/log", get(event_log)),
        ("/log/proof", post(proof_check)),
        (
            "/log/proof-file",
            post(proof_file_check).layer(axum::extract::DefaultBodyLimit::max(BUNDLE_LIMIT)),
        ),
    ]
}

struct EventRow {
    seq: i64,
    at: String,
    actor: String,
    /// The event's kind as the log writes it, and as a word of the page's language.
    kind: String,
    kind_word: String,
    hash: String,
}

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage {
    who: Who,
    check: LogVerification,
    events: Vec<EventRow>,
    heads: Vec<TreeHead>,
    heads_check: TreeHeadReport,
    lists_check: SignedListsReport,
    proof: Option<ProofResult>,
}

async fn event_log(State(app): State<App>, caller: PageCaller) -> Result<Html<String>, PageError> {
    render_log(&app, &caller, None).await
}

async fn render_log(
    app: &App,
    caller: &PageCaller,
    proof: Option<ProofResult>,
) -> Result<Html<String>, PageError> {
    let check = app.verify_log(&caller.actor).await?;
    let events = app
        .events(&caller.actor, 100)
        .await?
        .into_iter()
        .map(|e| EventRow {
            seq: e.seq,
            at: utc(e.at_ms),
            actor: e.actor,
            kind_word: super::code_word("event", &e.kind.replace('.', "-")),
            kind: e.kind,
            hash: e.hash,
        })
        .collect();
    let heads = app.tree_heads(&caller.actor).await?;
    render(&LogPage {
        who: Who::from(caller),
        check,
        events,
        heads: heads.heads,
        heads_check: heads.check,
        lists_check: heads.lists,
        proof,
    })
}

#[derive(Deserialize)]
struct ProofForm {
    /// The proof's JSON, pasted.
    #[serde(default)]
    proof: String,
    /// The issuer's public key.
    #[serde(default)]
    key: String,
}

async fn proof_check(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<ProofForm>,
) -> Result<Html<String>, PageError> {
    let result = match serde_json::from_str::<serde_json::Value>(&form.proof) {
        Ok(proof) => app.verify_proof(
            &caller.actor,
            ProofCheck {
                proof,
                key: form.key,
            },
        )?,
        Err(e) => ProofResult {
            valid: false,
            detail: format!("the proof is not JSON: {e}"),
        },
    };
    render_log(&app, &caller, Some(result)).await
}

/// `POST /log/proof-file`: checks an uploaded bundle or proof file, byte for byte as
/// homeward wrote it, against the key given. Nothing is stored.
async fn proof_file_check(
    State(app): State<App>,
    caller: PageCaller,
    mut multipart: axum::extract::Multipart,
) -> Result<Html<String>, PageError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        Error::invalid("document", format!("the upload could not be read: {e}"))
    };
    let (mut csrf, mut key, mut document) = (String::new(), String::new(), None);
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name().unwrap_or_default() {
            "csrf" => csrf = field.text().await.map_err(bad)?,
            "key" => key = field.text().await.map_err(bad)?,
            "document" => document = Some(field.bytes().await.map_err(bad)?),
            _ => {}
        }
    }
    caller.check_csrf(&csrf)?;
    let document =
        document.ok_or_else(|| Error::invalid("document", "the upload holds no file"))?;
    let result = app.verify_document(&caller.actor, &document, key.trim())?;
    render_log(&app, &caller, Some(result)).await
}
