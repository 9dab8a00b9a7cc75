//! Protecting the people in the register, as JSON routes and page forms: marking a record
//! protected, a family's consent, restricted statuses (proposed, confirmed by a second
//! person, released by a negotiator), erasure under the two-person rule, and the auditors'
//! view of every read with its flags. The rules are core's and the state is the store's;
//! these handlers decide access and carry the requests.

use crate::auth::{ApiCaller, PageCaller};
use crate::error::ErrorBody;
use crate::pages::{Who, render};
use crate::{ApiError, AppState, PageError};
use askama::Template;
use axum::Json;
use axum::extract::{Form, Path, Query, State};
use axum::response::{Html, Redirect};
use homeward_core::Error;
use homeward_core::access::{
    Actor, Audit, Erase, ReadRegister, RecordRestricted, ReleaseRestricted, WriteRegister,
    authorize,
};
use homeward_core::protection::{Purpose, ReadAction, ReadFlag, Restriction, Sensitivity};
use homeward_store::{ErasureView, ReadEntry, ReadFilter, RestrictionView};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// A protection mark to set: why the record is protected, or none to lift the mark.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ProtectionMark {
    /// `child`, `relatives_under_pressure`, `refused_repatriation`, `other`, or empty.
    pub sensitivity: Option<String>,
    /// The anti-forgery token (page forms only).
    pub csrf: String,
}

/// The purposes a family agreed to.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConsentBody {
    /// Any of `search`, `share_mediator`, `share_other_party`.
    pub purposes: Vec<String>,
}

/// A restricted status to propose.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RestrictionBody {
    /// `deceased`, `refused_repatriation` or `harmful_information`.
    pub kind: String,
    /// The anti-forgery token (page forms only).
    pub csrf: String,
}

/// Why a record's data is to be erased.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ErasureBody {
    /// The reason, kept with the request.
    pub reason: String,
    /// The anti-forgery token (page forms only).
    pub csrf: String,
}

fn sensitivity(text: Option<&str>) -> Result<Option<Sensitivity>, Error> {
    match text.map(str::trim) {
        None | Some("") | Some("none") => Ok(None),
        Some(s) => s.parse().map(Some),
    }
}

fn purposes(texts: &[String]) -> Result<Vec<Purpose>, Error> {
    texts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect()
}

// ---- One implementation per capability, shared by the routes and the forms. ----

/// Decides `C` for a protection act on record `id`; a refusal is audited (as the actor's
/// refused act on the record, when the record is the party's) before it is returned.
pub async fn decide_on<C: homeward_core::access::Command>(
    store: &homeward_store::Store,
    actor: &Actor,
    id: i64,
    now_ms: i64,
) -> Result<homeward_core::access::Grant<C>, Error> {
    match authorize::<C>(actor) {
        Ok(grant) => Ok(grant),
        Err(denied) => {
            if let Ok(read) = authorize::<ReadRegister>(actor)
                && store.person(&read, id).await.is_ok()
            {
                let what = format!("refused: {}", C::NAME);
                store.refused(&read, id, &what, now_ms).await?;
            }
            Err(denied.into())
        }
    }
}

async fn decide<C: homeward_core::access::Command>(
    state: &AppState,
    actor: &Actor,
    id: i64,
) -> Result<homeward_core::access::Grant<C>, Error> {
    decide_on::<C>(&state.store, actor, id, state.now()).await
}

/// Refuses, as not found, a record the actor's party does not hold — before anything the
/// request carries is read, so a foreign record's existence is never hinted at.
async fn held(state: &AppState, actor: &Actor, id: i64) -> Result<(), Error> {
    let read = authorize::<ReadRegister>(actor)?;
    state.store.person(&read, id).await.map(|_| ())
}

async fn mark(state: &AppState, actor: &Actor, id: i64, s: Option<&str>) -> Result<(), Error> {
    let grant = decide::<RecordRestricted>(state, actor, id).await?;
    held(state, actor, id).await?;
    state
        .store
        .mark_protected(&grant, id, sensitivity(s)?, state.now())
        .await
}

async fn consent(state: &AppState, actor: &Actor, id: i64, p: &[String]) -> Result<(), Error> {
    let grant = authorize::<WriteRegister>(actor)?;
    held(state, actor, id).await?;
    state
        .store
        .set_consent(&grant, id, &purposes(p)?, state.now())
        .await
}

async fn propose(state: &AppState, actor: &Actor, id: i64, kind: &str) -> Result<i64, Error> {
    let grant = decide::<RecordRestricted>(state, actor, id).await?;
    held(state, actor, id).await?;
    let kind: Restriction = kind.parse()?;
    state
        .store
        .propose_restriction(&grant, id, kind, state.now())
        .await
}

async fn confirm(state: &AppState, actor: &Actor, id: i64) -> Result<RestrictionView, Error> {
    let grant = authorize::<RecordRestricted>(actor)?;
    state
        .store
        .confirm_restriction(&grant, id, state.now())
        .await
}

async fn release(state: &AppState, actor: &Actor, id: i64) -> Result<(), Error> {
    let grant = authorize::<ReleaseRestricted>(actor)?;
    state
        .store
        .release_restriction(&grant, id, state.now())
        .await
}

async fn request_erasure(
    state: &AppState,
    actor: &Actor,
    id: i64,
    reason: &str,
) -> Result<i64, Error> {
    let grant = decide::<Erase>(state, actor, id).await?;
    held(state, actor, id).await?;
    state
        .store
        .request_erasure(&grant, id, reason, state.now())
        .await
}

async fn confirm_erasure(state: &AppState, actor: &Actor, id: i64) -> Result<(), Error> {
    let grant = authorize::<Erase>(actor)?;
    state.store.confirm_erasure(&grant, id, state.now()).await
}

// ---- JSON routes ----

/// Marks a record protected, or lifts the mark (protection officers, reviewers).
#[utoipa::path(post, path = "/api/v1/persons/{id}/protection", params(("id" = i64, Path, description = "record id")), request_body = ProtectionMark, responses(
    (status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(crate) async fn api_mark(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Json(body): Json<ProtectionMark>,
) -> Result<axum::http::StatusCode, ApiError> {
    mark(&state, &actor, id, body.sensitivity.as_deref()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Records the purposes a family agreed its tracing request may serve (operators).
#[utoipa::path(post, path = "/api/v1/persons/{id}/consent", params(("id" = i64, Path, description = "record id")), request_body = ConsentBody, responses(
    (status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(crate) async fn api_consent(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Json(body): Json<ConsentBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    consent(&state, &actor, id, &body.purposes).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The restricted statuses of a record.
#[utoipa::path(get, path = "/api/v1/persons/{id}/restrictions", params(("id" = i64, Path, description = "record id")), responses(
    (status = 200, body = Vec<RestrictionView>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(crate) async fn api_restrictions(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<Vec<RestrictionView>>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    Ok(Json(state.store.restrictions(&grant, Some(id)).await?))
}

/// Proposes a restricted status for a record; a second person confirms it.
#[utoipa::path(post, path = "/api/v1/persons/{id}/restrictions", params(("id" = i64, Path, description = "record id")), request_body = RestrictionBody, responses(
    (status = 200, body = i64, description = "the proposal's id"), (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(crate) async fn api_propose(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Json(body): Json<RestrictionBody>,
) -> Result<Json<i64>, ApiError> {
    Ok(Json(propose(&state, &actor, id, &body.kind).await?))
}

/// A second person confirms a proposed restricted status; the one who proposed it cannot.
#[utoipa::path(post, path = "/api/v1/restrictions/{restriction}/confirmation", params(("restriction" = i64, Path, description = "restriction id")), responses(
    (status = 200, body = RestrictionView), (status = 400, body = ErrorBody, description = "the same person who proposed it"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
))]
pub(crate) async fn api_confirm(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<Json<RestrictionView>, ApiError> {
    Ok(Json(confirm(&state, &actor, id).await?))
}

/// A negotiator lets a confirmed restricted status leave the party inside lists.
#[utoipa::path(post, path = "/api/v1/restrictions/{restriction}/release", params(("restriction" = i64, Path, description = "restriction id")), responses(
    (status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
pub(crate) async fn api_release(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    release(&state, &actor, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Which audited reads to list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ReadQuery {
    /// Only this reader, `user:N`.
    pub actor: Option<String>,
    /// Only reads of this record.
    pub person: Option<i64>,
    /// Only `view`, `search_hit`, `export`, `proof` or `refused`.
    pub action: Option<String>,
    /// From this time on, milliseconds since 1970.
    pub since: Option<i64>,
    /// At most this many (default 500).
    pub limit: Option<i64>,
}

impl ReadQuery {
    fn filter(&self) -> Result<ReadFilter, Error> {
        Ok(ReadFilter {
            actor: self.actor.clone().filter(|a| !a.trim().is_empty()),
            person: self.person,
            action: self
                .action
                .as_deref()
                .filter(|a| !a.trim().is_empty())
                .map(str::parse::<ReadAction>)
                .transpose()?,
            since_ms: self.since,
            limit: self.limit.unwrap_or(500),
        })
    }
}

/// Every audited read of the caller's party's records, newest first (auditors).
#[utoipa::path(get, path = "/api/v1/audit/reads", params(ReadQuery), responses(
    (status = 200, body = Vec<ReadEntry>), (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
))]
pub(crate) async fn api_reads(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(q): Query<ReadQuery>,
) -> Result<Json<Vec<ReadEntry>>, ApiError> {
    let grant = authorize::<Audit>(&actor)?;
    Ok(Json(state.store.reads(&grant, &q.filter()?).await?))
}

/// Unusual patterns of reading: bursts of records opened, exports at night (auditors).
#[utoipa::path(get, path = "/api/v1/audit/flags", params(ReadQuery), responses(
    (status = 200, body = Vec<ReadFlag>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
pub(crate) async fn api_flags(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(q): Query<ReadQuery>,
) -> Result<Json<Vec<ReadFlag>>, ApiError> {
    let grant = authorize::<Audit>(&actor)?;
    Ok(Json(
        state.store.read_flags(&grant, q.since.unwrap_or(0)).await?,
    ))
}

/// Asks for the erasure of a record's personal data; a second person confirms it.
#[utoipa::path(post, path = "/api/v1/persons/{id}/erasure", params(("id" = i64, Path, description = "record id")), request_body = ErasureBody, responses(
    (status = 200, body = i64, description = "the request's id"), (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
))]
pub(crate) async fn api_request_erasure(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Json(body): Json<ErasureBody>,
) -> Result<Json<i64>, ApiError> {
    Ok(Json(
        request_erasure(&state, &actor, id, &body.reason).await?,
    ))
}

/// The erasure requests of the caller's party.
#[utoipa::path(get, path = "/api/v1/erasures", responses(
    (status = 200, body = Vec<ErasureView>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
pub(crate) async fn api_erasures(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<ErasureView>>, ApiError> {
    let grant = authorize::<Erase>(&actor)?;
    Ok(Json(state.store.erasures(&grant, None).await?))
}

/// A second person confirms an erasure; the record's personal data is removed.
#[utoipa::path(post, path = "/api/v1/erasures/{erasure}/confirmation", params(("erasure" = i64, Path, description = "erasure id")), responses(
    (status = 204), (status = 400, body = ErrorBody, description = "the same person who asked"),
    (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody),
))]
pub(crate) async fn api_confirm_erasure(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    confirm_erasure(&state, &actor, id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// A retention period to set.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RetentionBody {
    /// pow, civilian, child or remains.
    pub category: String,
    /// A status, or empty for every status of the category.
    pub status: Option<String>,
    /// Days kept after the record's last change.
    pub days: i64,
    /// The anti-forgery token (page forms only).
    pub csrf: String,
}

impl RetentionBody {
    fn rule(&self) -> Result<homeward_core::protection::RetentionRule, Error> {
        Ok(homeward_core::protection::RetentionRule {
            category: self.category.trim().parse()?,
            status: self
                .status
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::parse)
                .transpose()?,
            days: self.days,
        })
    }
}

async fn set_retention(state: &AppState, actor: &Actor, body: &RetentionBody) -> Result<(), Error> {
    let grant = authorize::<homeward_core::access::Administer>(actor)?;
    state
        .store
        .set_retention(&grant, &body.rule()?, state.now())
        .await
}

/// The party's retention periods: records past theirs leave search.
#[utoipa::path(get, path = "/api/v1/retention", responses(
    (status = 200, body = Vec<homeward_core::protection::RetentionRule>), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
pub(crate) async fn api_retention(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<homeward_core::protection::RetentionRule>>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    Ok(Json(state.store.retention_rules(&grant).await?))
}

/// Sets a retention period for a category, and a status when given (admins).
#[utoipa::path(post, path = "/api/v1/retention", request_body = RetentionBody, responses(
    (status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
pub(crate) async fn api_set_retention(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Json(body): Json<RetentionBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    set_retention(&state, &actor, &body).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// `POST /retention`: the form on the auditors' page.
pub(crate) async fn page_set_retention(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<RetentionBody>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    set_retention(&state, &caller.actor, &form).await?;
    Ok(Redirect::to("/audit"))
}

// ---- Page forms (each returns to the record's page) ----

fn back(id: i64) -> Redirect {
    Redirect::to(&format!("/persons/{id}"))
}

pub(crate) async fn page_mark(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<ProtectionMark>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    mark(&state, &caller.actor, id, form.sensitivity.as_deref()).await?;
    Ok(back(id))
}

/// The consent form: one checkbox per purpose.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct ConsentForm {
    csrf: String,
    search: Option<String>,
    share_mediator: Option<String>,
    share_other_party: Option<String>,
}

pub(crate) async fn page_consent(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<ConsentForm>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    let chosen: Vec<String> = [
        ("search", &form.search),
        ("share_mediator", &form.share_mediator),
        ("share_other_party", &form.share_other_party),
    ]
    .into_iter()
    .filter(|(_, v)| v.is_some())
    .map(|(p, _)| p.to_owned())
    .collect();
    consent(&state, &caller.actor, id, &chosen).await?;
    Ok(back(id))
}

pub(crate) async fn page_propose(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<RestrictionBody>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    propose(&state, &caller.actor, id, &form.kind).await?;
    Ok(back(id))
}

/// A form that carries only its anti-forgery token.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CsrfForm {
    csrf: String,
}

pub(crate) async fn page_confirm(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    let r = confirm(&state, &caller.actor, id).await?;
    Ok(back(r.person_id))
}

pub(crate) async fn page_release(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    release(&state, &caller.actor, id).await?;
    Ok(Redirect::to("/persons"))
}

pub(crate) async fn page_request_erasure(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<ErasureBody>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    request_erasure(&state, &caller.actor, id, &form.reason).await?;
    Ok(back(id))
}

pub(crate) async fn page_confirm_erasure(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Redirect, PageError> {
    caller.check_csrf(&form.csrf)?;
    confirm_erasure(&state, &caller.actor, id).await?;
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
    retention: Vec<homeward_core::protection::RetentionRule>,
    actor: String,
    person: String,
    action: String,
    actions: Vec<&'static str>,
}

/// `GET /audit`: every read of the party's records, filtered, with the unusual patterns
/// flagged, and the erasure requests waiting for a second person (auditors).
pub(crate) async fn page_audit(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<ReadQuery>,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<Audit>(&caller.actor)?;
    let reads = state.store.reads(&grant, &q.filter()?).await?;
    let flags = state.store.read_flags(&grant, q.since.unwrap_or(0)).await?;
    let erasures = match authorize::<Erase>(&caller.actor) {
        Ok(g) => state.store.erasures(&g, None).await?,
        Err(_) => Vec::new(),
    };
    let opt = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_default();
    render(&AuditPage {
        who: Who::from(&caller),
        reads: reads
            .into_iter()
            .map(|r| ReadRow {
                at: crate::pages::utc(r.at_ms),
                actor: r.actor,
                action: r.action.as_str().to_owned(),
                person: opt(r.person_id),
                list: opt(r.list_id),
                purpose: r.purpose,
                detail: r.detail.unwrap_or_default(),
            })
            .collect(),
        flags: flags
            .into_iter()
            .map(|f| (crate::pages::utc(f.at_ms), f.actor, f.why))
            .collect(),
        erasures,
        retention: state.store.retention_rules(&grant).await?,
        actor: q.actor.clone().unwrap_or_default(),
        person: opt(q.person),
        action: q.action.clone().unwrap_or_default(),
        actions: ReadAction::ALL.iter().map(|a| a.as_str()).collect(),
    })
}

/// What the record's page shows of its protection, filled for the reader's roles.
pub(crate) struct ProtectionPanel {
    /// The record is protected.
    pub protected: bool,
    /// Its sensitive fields were masked for this reader.
    pub masked: bool,
    /// Why it is marked protected.
    pub sensitivity: String,
    /// The family's purposes, or empty.
    pub consent: String,
    /// Its restricted statuses.
    pub restrictions: Vec<RestrictionView>,
    /// Its erasure requests (for those who may erase).
    pub erasures: Vec<ErasureView>,
    /// When its data was erased.
    pub erased: bool,
    /// The choices of the forms.
    pub sensitivities: Vec<&'static str>,
    /// Restriction kinds.
    pub kinds: Vec<&'static str>,
}

impl ProtectionPanel {
    /// The panel for `person` as `actor` may see it.
    pub(crate) async fn of(
        state: &AppState,
        actor: &Actor,
        person: &homeward_store::Person,
    ) -> Result<Self, Error> {
        let read = authorize::<ReadRegister>(actor)?;
        let erasures = match authorize::<Erase>(actor) {
            Ok(g) => state.store.erasures(&g, Some(person.id)).await?,
            Err(_) => Vec::new(),
        };
        Ok(ProtectionPanel {
            protected: person.protected(),
            masked: person.masked,
            sensitivity: person
                .sensitivity
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            consent: person
                .consent
                .as_ref()
                .map(|c| c.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "))
                .unwrap_or_default(),
            restrictions: state.store.restrictions(&read, Some(person.id)).await?,
            erasures,
            erased: person.erased_at.is_some(),
            sensitivities: Sensitivity::ALL.iter().map(|s| s.as_str()).collect(),
            kinds: Restriction::ALL.iter().map(|k| k.as_str()).collect(),
        })
    }
}
