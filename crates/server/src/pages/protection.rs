//! Protection on the pages: the record page's forms (protection mark, consent, restricted
//! statuses, erasure) and the auditors' page of reads, flags, erasures and retention.

use super::{NoFields, Posted, Who, code_word, lang, render, utc};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, Redirect};
use axum::routing::{MethodRouter, get, post};
use homeward_app::App;
use homeward_app::protection::{
    ConsentInput, ErasureInput, ProtectionMark, ReadQuery, RestrictionInput, RetentionInput,
};
use homeward_core::protection::{ReadAction, ReadFlag, RetentionRule, Unusual};
use homeward_store::ErasureView;
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/persons/{id}/protection", post(mark)),
        ("/persons/{id}/consent", post(consent)),
        ("/persons/{id}/restrictions", post(propose)),
        ("/restrictions/{restriction}/confirmation", post(confirm)),
        ("/restrictions/{restriction}/release", post(release)),
        ("/persons/{id}/erasure", post(request_erasure)),
        ("/erasures/{erasure}/confirmation", post(confirm_erasure)),
        ("/audit", get(audit)),
        ("/retention", post(set_retention)),
    ]
}

/// Back to the record's page.
fn back(id: i64) -> Redirect {
    Redirect::to(&format!("/persons/{id}"))
}

async fn mark(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Posted(form): Posted<ProtectionMark>,
) -> Result<Redirect, PageError> {
    app.mark_protected(&caller.actor, id, &form).await?;
    Ok(back(id))
}

/// The consent form: one checkbox per purpose.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConsentForm {
    search: Option<String>,
    share_mediator: Option<String>,
    share_other_party: Option<String>,
}

async fn consent(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Posted(form): Posted<ConsentForm>,
) -> Result<Redirect, PageError> {
    let purposes: Vec<String> = [
        ("search", &form.search),
        ("share_mediator", &form.share_mediator),
        ("share_other_party", &form.share_other_party),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(p, _)| p.to_owned())
    .collect();
    app.set_consent(&caller.actor, id, &ConsentInput { purposes })
        .await?;
    Ok(back(id))
}

async fn propose(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Posted(form): Posted<RestrictionInput>,
) -> Result<Redirect, PageError> {
    app.propose_restriction(&caller.actor, id, &form).await?;
    Ok(back(id))
}

async fn confirm(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    _: Posted<NoFields>,
) -> Result<Redirect, PageError> {
    let r = app.confirm_restriction(&caller.actor, id).await?;
    Ok(back(r.person_id))
}

async fn release(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    _: Posted<NoFields>,
) -> Result<Redirect, PageError> {
    app.release_restriction(&caller.actor, id).await?;
    Ok(Redirect::to("/persons"))
}

async fn request_erasure(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Posted(form): Posted<ErasureInput>,
) -> Result<Redirect, PageError> {
    app.request_erasure(&caller.actor, id, &form).await?;
    Ok(back(id))
}

async fn confirm_erasure(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    _: Posted<NoFields>,
) -> Result<Redirect, PageError> {
    app.confirm_erasure(&caller.actor, id).await?;
    Ok(Redirect::to("/audit"))
}

async fn set_retention(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<RetentionInput>,
) -> Result<Redirect, PageError> {
    app.set_retention(&caller.actor, &form).await?;
    Ok(Redirect::to("/audit"))
}

/// One read as the auditors' page shows it.
struct ReadRow {
    at: String,
    actor: String,
    action: String,
    person: String,
    list: String,
    purpose: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    who: Who,
    reads: Vec<ReadRow>,
    flags: Vec<(String, String, String)>,
    erasures: Vec<ErasureView>,
    retention: Vec<RetentionRule>,
    /// Whether the reader may change the retention (admins).
    may_set_retention: bool,
    actor: String,
    person: String,
    action: String,
    actions: Vec<&'static str>,
}

/// `GET /audit`: every read of the party's records, filtered, with the unusual patterns
/// flagged, and the erasure requests waiting for a second person (auditors).
async fn audit(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<ReadQuery>,
) -> Result<Html<String>, PageError> {
    let view = app.audit_view(&caller.actor, &q).await?;
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    render(&AuditPage {
        who: Who::from(&caller),
        reads: view
            .reads
            .into_iter()
            .map(|r| ReadRow {
                at: utc(r.at_ms),
                actor: r.actor,
                action: r.action.as_str().to_owned(),
                person: opt(r.person_id),
                list: opt(r.list_id),
                purpose: purpose_words(&r.purpose),
                detail: r.detail.as_deref().map(detail_words).unwrap_or_default(),
            })
            .collect(),
        flags: view
            .flags
            .into_iter()
            .map(|f| (utc(f.at_ms), f.actor.clone(), unusual(&f)))
            .collect(),
        erasures: view.erasures,
        retention: view.retention,
        may_set_retention: app.may_set_retention(&caller.actor),
        actor: q.actor.clone().unwrap_or_default(),
        person: opt(q.person),
        action: q.action.clone().unwrap_or_default(),
        actions: ReadAction::ALL.iter().map(|a| a.as_str()).collect(),
    })
}

/// What was unusual about a user's reading, in the page's words.
pub(super) fn unusual(flag: &ReadFlag) -> String {
    let lang = lang();
    match flag.pattern {
        Unusual::Burst { records } => {
            lang.t_with("audit-flag-burst", &[("records", records.into())])
        }
        Unusual::NightExport { records, hour } => lang.t_with(
            "audit-flag-night-export",
            &[
                ("records", records.into()),
                ("hour", format!("{hour:02}").into()),
            ],
        ),
    }
}

/// A read's purpose in the page's words when the system wrote it; one a user typed is
/// shown as typed. The stored value stays as it is: it is the audit.
fn purpose_words(purpose: &str) -> String {
    let id = format!("audit-purpose-{}", purpose.replace(' ', "-"));
    let known = [
        "view",
        "history",
        "search",
        "export",
        "refused",
        "review",
        "enquiries",
        "family enquiry",
        "medical commission",
    ];
    if known.contains(&purpose) {
        lang().t(&id)
    } else {
        purpose.to_owned()
    }
}

/// A read's note in the page's words, for the forms the system writes (records listed,
/// masked fields, a refused command, nothing shown, an export's format); any other note
/// as stored.
fn detail_words(detail: &str) -> String {
    let lang = lang();
    if detail == homeward_store::MASKED_READ {
        return lang.t("audit-detail-masked");
    }
    if let Some(n) = detail
        .strip_suffix(" records listed")
        .and_then(|n| n.parse::<i64>().ok())
    {
        return lang.t_with("audit-detail-listed", &[("count", n.into())]);
    }
    if let Some(name) = detail.strip_prefix("refused: ")
        && let Some((code, _)) = homeward_core::access::COMMAND_NAMES
            .iter()
            .find(|(_, n)| *n == name)
    {
        return lang.t_with(
            "audit-detail-refused",
            &[("command", code_word("command", code).into())],
        );
    }
    match detail {
        "no record shown" => lang.t("audit-detail-none-shown"),
        "an unprotected export of protected records was refused" => {
            lang.t("audit-detail-export-refused")
        }
        "html" => lang.t("export-print"),
        "csv" | "xlsx" | "json" => detail.to_uppercase(),
        "pfif.xml" => "PFIF".to_owned(),
        other => other.to_owned(),
    }
}
