//! Server-rendered pages. Each page reads through the same store methods and grants as its
//! API route; askama escapes every value, so a name containing markup shows as text.

use crate::api::{PersonQuery, SearchParams, log_verification};
use crate::auth::{PageCaller, SESSION_COOKIE, SESSION_TTL_MS, sign_in};
use crate::protection;
use crate::signed_record;
use crate::{AppState, PageError};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use homeward_core::Error;
use homeward_core::access::{Audit, ReadRegister, ReadTalks, authorize};
use homeward_core::record::{Category, PersonRecord};
use homeward_core::talks::{Flow, thousands};
use serde::Deserialize;

/// The pages' paths, as routed.
pub const PATHS: [&str; 49] = [
    "/",
    "/login",
    "/logout",
    "/persons",
    "/persons/{id}",
    "/log",
    "/static/app.css",
    "/search",
    "/lists",
    "/lists/{list}/export",
    "/review",
    "/review/{link}",
    "/review/reconcile",
    "/review/duplicates",
    "/register/export",
    "/lists/mapping",
    "/review/export",
    "/commitments/{commitment}/plan",
    "/stages/{stage}/movements",
    "/stages/{stage}/parity-note",
    "/stages/{stage}/close",
    "/rounds",
    "/rounds/{round}/commitments",
    "/commitments/{commitment}",
    "/commitments/{commitment}/children",
    "/children/{person}/state",
    "/truces",
    "/commitments/{commitment}/remains",
    "/commitments/{commitment}/batches",
    "/batches/{batch}/receipt",
    "/remains/{person}/identification",
    "/persons/{id}/family-notified",
    "/log/proof",
    "/bundles",
    "/bundles/checkpoint",
    "/bundles/countersign",
    "/lists/{list}/bundle",
    "/lists/{list}/signature",
    "/keys",
    "/persons/{id}/protection",
    "/persons/{id}/consent",
    "/persons/{id}/restrictions",
    "/restrictions/{restriction}/confirmation",
    "/restrictions/{restriction}/release",
    "/persons/{id}/erasure",
    "/erasures/{erasure}/confirmation",
    "/audit",
    "/retention",
    "/log/proof-file",
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(PATHS[10], get(review_page))
        .route(PATHS[11], axum::routing::post(review_decide))
        .route(PATHS[12], axum::routing::post(review_reconcile))
        .route(PATHS[13], axum::routing::post(review_duplicates))
        .route(PATHS[9], get(list_export))
        .route(PATHS[14], get(register_export))
        .route(PATHS[15], axum::routing::post(mapping_page))
        .route(PATHS[16], get(links_export))
        .route(PATHS[17], get(plan_page).post(plan_make))
        .route(PATHS[18], axum::routing::post(stage_move))
        .route(PATHS[19], axum::routing::post(stage_note))
        .route(PATHS[20], axum::routing::post(stage_close))
        .route(PATHS[21], axum::routing::post(round_add))
        .route(PATHS[22], axum::routing::post(commitment_add))
        .route(PATHS[23], axum::routing::post(commitment_change))
        .route(PATHS[24], get(children_page))
        .route(PATHS[25], axum::routing::post(child_step))
        .route(PATHS[26], get(truces_page))
        .route(PATHS[27], get(remains_page))
        .route(PATHS[28], axum::routing::post(batch_add))
        .route(PATHS[29], axum::routing::post(batch_receive))
        .route(PATHS[30], axum::routing::post(remains_identify))
        .route(PATHS[31], axum::routing::post(family_told))
        .route(PATHS[32], axum::routing::post(proof_check))
        .route(
            PATHS[33],
            get(signed_record::page).post(signed_record::import).layer(
                axum::extract::DefaultBodyLimit::max(crate::api::BUNDLE_LIMIT),
            ),
        )
        .route(PATHS[34], axum::routing::post(signed_record::checkpoint))
        .route(
            PATHS[35],
            axum::routing::post(signed_record::countersign).layer(
                axum::extract::DefaultBodyLimit::max(crate::api::BUNDLE_LIMIT),
            ),
        )
        .route(PATHS[36], get(signed_record::download))
        .route(PATHS[37], axum::routing::post(signed_record::sign_list))
        .route(PATHS[38], axum::routing::post(signed_record::hold_key))
        .route(PATHS[39], axum::routing::post(protection::page_mark))
        .route(PATHS[40], axum::routing::post(protection::page_consent))
        .route(PATHS[41], axum::routing::post(protection::page_propose))
        .route(PATHS[42], axum::routing::post(protection::page_confirm))
        .route(PATHS[43], axum::routing::post(protection::page_release))
        .route(
            PATHS[44],
            axum::routing::post(protection::page_request_erasure),
        )
        .route(
            PATHS[45],
            axum::routing::post(protection::page_confirm_erasure),
        )
        .route(PATHS[46], get(protection::page_audit))
        .route(
            PATHS[47],
            axum::routing::post(protection::page_set_retention),
        )
        .route(
            PATHS[48],
            axum::routing::post(proof_file_check).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::BUNDLE_LIMIT,
            )),
        )
        .route(PATHS[0], get(dashboard))
        .route(PATHS[1], get(login_form).post(login))
        .route(PATHS[2], axum::routing::post(logout))
        .route(PATHS[3], get(persons))
        .route(PATHS[4], get(person))
        .route(PATHS[5], get(event_log))
        .route(PATHS[6], get(stylesheet))
        .route(PATHS[7], get(search))
        .route(
            PATHS[8],
            get(lists_page)
                .post(upload_page)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::api::UPLOAD_LIMIT,
                )),
        )
}

pub(crate) fn render(t: &impl Template) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError(Error::Storage(format!("rendering a page: {e}"))))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../static/app.css"),
    )
}

/// The signed-in user as the navigation bar shows them.
pub(crate) struct Who {
    pub(crate) user: String,
    pub(crate) party: String,
    pub(crate) roles: String,
    pub(crate) csrf: String,
}

impl From<&PageCaller> for Who {
    fn from(c: &PageCaller) -> Self {
        Who {
            user: c.actor.user_name.clone(),
            party: c.actor.party.to_string(),
            roles: c
                .actor
                .roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            csrf: c.csrf.clone().unwrap_or_default(),
        }
    }
}

struct FlowBar {
    from: String,
    to: String,
    agreed: u32,
    received: u32,
    extra: u32,
    handed_over: u32,
    percent_done: u32,
    agreed_text: String,
    received_text: String,
    extra_text: String,
    planned_text: String,
}

impl From<&Flow> for FlowBar {
    fn from(f: &Flow) -> Self {
        FlowBar {
            from: f.from.to_string(),
            to: f.to.to_string(),
            agreed: f.agreed,
            received: f.received.min(f.agreed),
            extra: f.extra,
            handed_over: f.handed_over,
            percent_done: f.percent_done(),
            agreed_text: thousands(f.agreed),
            received_text: thousands(f.received),
            extra_text: thousands(f.extra),
            planned_text: thousands(f.planned),
        }
    }
}

struct CommitmentCard {
    id: i64,
    title: String,
    kind: &'static str,
    summary: String,
    flows: Vec<FlowBar>,
    /// The terms as JSON, for the form that changes them.
    terms_json: String,
}

struct RoundCard {
    id: i64,
    title: String,
    held_on: String,
    venue: String,
    city: String,
    mediator: Option<String>,
    notes: String,
    delegations: Vec<homeward_core::talks::Delegation>,
    commitments: Vec<CommitmentCard>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    who: Who,
    rounds: Vec<RoundCard>,
}

async fn dashboard(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<ReadTalks>(&caller.actor)?;
    let rounds = state.store.rounds(&grant).await?;
    let commitments = state.store.commitments(&grant).await?;
    let cards = rounds
        .into_iter()
        .map(|r| RoundCard {
            commitments: commitments
                .iter()
                .filter(|c| c.round_id == r.id)
                .map(|c| CommitmentCard {
                    id: c.id,
                    title: c.title.clone(),
                    kind: c.terms.kind().as_str(),
                    summary: c.fulfilment.summary.clone(),
                    flows: c.fulfilment.flows.iter().map(FlowBar::from).collect(),
                    terms_json: serde_json::to_string_pretty(&c.terms).unwrap_or_default(),
                })
                .collect(),
            id: r.id,
            title: r.title,
            held_on: r.held_on,
            venue: r.venue,
            city: r.city,
            mediator: r.mediator,
            notes: r.notes,
            delegations: r.delegations,
        })
        .collect();
    render(&Dashboard {
        who: Who::from(&caller),
        rounds: cards,
    })
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    failed: bool,
}

async fn login_form() -> Result<Html<String>, PageError> {
    render(&LoginPage { failed: false })
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    party: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    password: String,
}

/// A form posted from another site is refused: its Origin must name this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin.split_once("://").map(|(_, h)| h) == Some(host)
}

async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    if !same_origin(&headers) {
        return Err(Error::invalid("form", "the sign-in form was posted from another site").into());
    }
    match sign_in(&state, &form.token, &form.party, &form.user, &form.password).await {
        Ok(actor) => {
            let (session, _csrf) = state
                .store
                .create_session(&actor, state.now(), SESSION_TTL_MS)
                .await?;
            let cookie = format!(
                "{SESSION_COOKIE}={session}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
                SESSION_TTL_MS / 1000
            );
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
        }
        Err(Error::Unauthenticated) => {
            let page = render(&LoginPage { failed: true })?;
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    if let Some(id) = &caller.session {
        state.store.end_session(id, state.now()).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}

struct PersonRow {
    id: i64,
    name: String,
    category: String,
    relation: String,
    status: String,
    born: String,
    unit: String,
    health: String,
    synthetic: bool,
}

fn word<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    who: Who,
    categories: Vec<&'static str>,
    category: String,
    statuses: Vec<&'static str>,
    status: String,
    total: i64,
    page: i64,
    pages: i64,
    rows: Vec<PersonRow>,
}

async fn persons(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<PersonQuery>,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<ReadRegister>(&caller.actor)?;
    let filter = q.filter()?;
    let page = state.store.persons(&grant, &filter).await?;
    render(&PersonsPage {
        who: Who::from(&caller),
        categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
        category: filter
            .category
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        statuses: homeward_core::record::Status::ALL
            .iter()
            .map(|s| s.as_str())
            .collect(),
        status: filter
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        total: page.total,
        page: page.page,
        pages: ((page.total + page.per_page - 1) / page.per_page).max(1),
        rows: page
            .items
            .iter()
            .map(|p| PersonRow {
                id: p.id,
                name: PersonRecord::display_name(&p.record),
                category: word(&p.record.category),
                relation: word(&p.record.relation),
                status: word(&p.record.status),
                born: word(&p.record.birth_date),
                unit: word(&p.record.unit),
                health: word(&p.record.health),
                synthetic: p.record.synthetic,
            })
            .collect(),
    })
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    who: Who,
    id: i64,
    name: String,
    synthetic: bool,
    fields: Vec<(&'static str, String)>,
    panel: protection::ProtectionPanel,
}

async fn person(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Query(q): Query<crate::api::PurposeQuery>,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<ReadRegister>(&caller.actor)?;
    let purpose = crate::api::purpose_or(q.purpose.as_deref(), "view");
    let p = state
        .store
        .open_person(&grant, id, &purpose, state.now())
        .await?;
    let r = &p.record;
    let fields = vec![
        ("Surname", word(&r.surname)),
        ("Given names", word(&r.given_names)),
        ("Patronymic", word(&r.patronymic)),
        ("Father's name", word(&r.father_name)),
        ("Birth date", word(&r.birth_date)),
        ("Birth place", word(&r.birth_place)),
        ("Sex", word(&r.sex)),
        ("Citizenship", word(&r.citizenship)),
        ("Category", word(&r.category)),
        ("Relation", word(&r.relation)),
        ("Status", word(&r.status)),
        ("Rank", word(&r.rank)),
        ("Unit", word(&r.unit)),
        ("Service number", word(&r.service_number)),
        ("Captured or detained", word(&r.capture_date)),
        ("Place", word(&r.capture_place)),
        ("Health", word(&r.health)),
        ("Deported", word(&r.deportation_date)),
        ("Deported from", word(&r.deportation_place)),
        ("Family contact", word(&r.family_contact)),
        ("Last known location", word(&r.last_known_location)),
        ("Recovery site", word(&r.recovery_site)),
        ("Recovered", word(&r.recovery_date)),
        ("Tag number", word(&r.tag_number)),
        ("Identification", word(&r.identification)),
        ("Source list", word(&p.source_list)),
        ("Source row", word(&p.source_row)),
        ("Record hash (SHA-256)", p.record_sha256.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    let panel = protection::ProtectionPanel::of(&state, &caller.actor, &p).await?;
    render(&PersonPage {
        who: Who::from(&caller),
        id: p.id,
        name: r.display_name(),
        synthetic: r.synthetic,
        fields,
        panel,
    })
}

struct EventRow {
    seq: i64,
    at: String,
    actor: String,
    kind: String,
    hash: String,
}

#[derive(Template)]
#[template(path = "log.html")]
struct LogPage {
    who: Who,
    check: crate::api::LogVerification,
    events: Vec<EventRow>,
    heads: Vec<homeward_store::TreeHead>,
    heads_check: homeward_store::TreeHeadReport,
    lists_check: homeward_store::SignedListsReport,
    proof: Option<crate::api::ProofResult>,
}

pub(crate) fn utc(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| ms.to_string())
}

async fn event_log(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Html<String>, PageError> {
    render_log(&state, &caller, None).await
}

async fn render_log(
    state: &AppState,
    caller: &PageCaller,
    proof: Option<crate::api::ProofResult>,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<Audit>(&caller.actor)?;
    let check = log_verification(state).await?;
    let events = state
        .store
        .events_of_party(&grant, 100)
        .await?
        .into_iter()
        .map(|e| EventRow {
            seq: e.seq,
            at: utc(e.draft.at_ms),
            actor: e.draft.actor,
            kind: e.draft.kind,
            hash: e.hash,
        })
        .collect();
    render(&LogPage {
        who: Who::from(caller),
        check,
        events,
        heads: state.store.tree_heads().await?,
        heads_check: state.store.verify_tree_heads().await?,
        lists_check: state.store.verify_signed_lists().await?,
        proof,
    })
}

#[derive(Deserialize)]
struct ProofForm {
    #[serde(default)]
    csrf: String,
    /// The proof's JSON, pasted.
    #[serde(default)]
    proof: String,
    /// The issuer's public key.
    #[serde(default)]
    key: String,
}

async fn proof_check(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ProofForm>,
) -> Result<Html<String>, PageError> {
    caller.check_csrf(&form.csrf)?;
    let result = match serde_json::from_str::<serde_json::Value>(&form.proof) {
        Ok(v) => crate::api::check_proof(v, &form.key),
        Err(e) => crate::api::ProofResult {
            valid: false,
            detail: format!("the proof is not JSON: {e}"),
        },
    };
    render_log(&state, &caller, Some(result)).await
}

/// `POST /log/proof-file`: checks an uploaded bundle or proof file, byte for byte as
/// homeward wrote it, against the key given. Nothing is stored.
async fn proof_file_check(
    State(state): State<AppState>,
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
    let result = crate::api::check_document(&document, key.trim());
    render_log(&state, &caller, Some(result)).await
}

struct HitRow {
    id: i64,
    name: String,
    born: String,
    category: String,
    status: String,
    agreed: String,
    synthetic: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    who: Who,
    q: String,
    born: String,
    hits: Vec<HitRow>,
    searched: bool,
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    born: String,
}

async fn search(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<ReadRegister>(&caller.actor)?;
    let searched = !form.q.trim().is_empty();
    let hits = if searched {
        let params = SearchParams {
            q: form.q.clone(),
            born: Some(form.born.clone()),
            limit: Some(50),
            purpose: None,
        };
        state
            .store
            .find(&grant, &params.query()?, "search", state.now())
            .await?
            .into_iter()
            .map(|h| HitRow {
                id: h.person.id,
                name: PersonRecord::display_name(&h.person.record),
                born: word(&h.person.record.birth_date),
                category: word(&h.person.record.category),
                status: word(&h.person.record.status),
                agreed: h.agreed,
                synthetic: h.person.record.synthetic,
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&SearchPage {
        who: Who::from(&caller),
        q: form.q,
        born: form.born,
        hits,
        searched,
    })
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    who: Who,
    kinds: &'static [&'static str],
    lists: Vec<homeward_store::ListSummary>,
    report: Option<crate::lists::ImportReport>,
    mapping: Option<MappingStep>,
}

/// The step that asks which column holds what, for a file with columns not recognised.
struct MappingStep {
    pending: u64,
    file_name: String,
    columns: Vec<crate::lists::ColumnChoice>,
    roles: Vec<&'static str>,
}

async fn render_lists(
    state: &AppState,
    caller: &PageCaller,
    report: Option<crate::lists::ImportReport>,
    mapping: Option<MappingStep>,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<ReadRegister>(&caller.actor)?;
    let lists = state.store.lists(&grant).await?;
    render(&ListsPage {
        who: Who::from(caller),
        kinds: &crate::lists::KINDS,
        lists,
        report,
        mapping,
    })
}

async fn lists_page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Html<String>, PageError> {
    render_lists(&state, &caller, None, None).await
}

async fn upload_page(
    State(state): State<AppState>,
    caller: PageCaller,
    multipart: axum::extract::Multipart,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<homeward_core::access::WriteRegister>(&caller.actor)?;
    let (file_name, bytes, request, csrf) = crate::api::read_upload(multipart).await?;
    caller.check_csrf(&csrf)?;
    let now = state.now();
    // A column not recognised, and no mapping given: ask before importing.
    if request.overrides.is_empty()
        && let Some(columns) = crate::lists::columns_to_map(&file_name, &bytes)?
    {
        let pending = state.pending.hold(crate::lists::PendingUpload {
            user_id: caller.actor.user_id,
            file_name: file_name.clone(),
            bytes,
            request,
            at_ms: now,
        });
        let step = MappingStep {
            pending,
            file_name,
            columns,
            roles: homeward_import::Role::ALL
                .iter()
                .map(|r| r.as_str())
                .collect(),
        };
        return render_lists(&state, &caller, None, Some(step)).await;
    }
    let report =
        crate::lists::import_list(&state.store, &grant, &file_name, bytes, &request, now).await?;
    render_lists(&state, &caller, Some(report), None).await
}

/// The mapping step's answer: `pending`, `csrf`, and `column_N` = a role (or empty: not
/// read) for each column N from 1.
async fn mapping_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Html<String>, PageError> {
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    caller.check_csrf(value("csrf"))?;
    let grant = authorize::<homeward_core::access::WriteRegister>(&caller.actor)?;
    let id: u64 = value("pending")
        .parse()
        .map_err(|_| homeward_core::Error::invalid("pending", "an upload number"))?;
    let now = state.now();
    let mut upload = state.pending.take(id, caller.actor.user_id, now)?;
    for (name, role) in &fields {
        let (Some(column), false) = (name.strip_prefix("column_"), role.is_empty()) else {
            continue;
        };
        let role = homeward_import::Role::parse(role).ok_or_else(|| {
            homeward_core::Error::invalid(name.clone(), format!("{role:?} is not a role"))
        })?;
        upload.request.overrides.push((role, column.to_owned()));
    }
    let report = crate::lists::import_list(
        &state.store,
        &grant,
        &upload.file_name,
        upload.bytes,
        &upload.request,
        now,
    )
    .await?;
    render_lists(&state, &caller, Some(report), None).await
}

async fn list_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(list): Path<i64>,
    Query(q): Query<crate::api::ExportQuery>,
) -> Result<Response, PageError> {
    let grant = authorize::<ReadRegister>(&caller.actor)?;
    let protection = crate::api::export_protection(
        &caller.actor,
        q.recipient.as_deref(),
        q.allow_unprotected,
        None,
    )?;
    let export = crate::export::export_list(
        &state.store,
        &grant,
        list,
        q.format()?,
        &protection,
        state.now(),
    )
    .await?;
    Ok(crate::export::into_response(export))
}

async fn links_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<crate::api::LinkExportQuery>,
) -> Result<Response, PageError> {
    let review = authorize::<homeward_core::access::ReviewLinks>(&caller.actor)?;
    let read = authorize::<ReadRegister>(&caller.actor)?;
    let format = crate::api::parse_choice::<crate::export::ExportFormat>(&q.format)?
        .unwrap_or(crate::export::ExportFormat::Csv);
    let export = crate::export::export_links(
        &state.store,
        &read,
        &review,
        q.filter(),
        format,
        state.now(),
    )
    .await?;
    Ok(crate::export::into_response(export))
}

async fn register_export(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<crate::api::RegisterExportQuery>,
) -> Result<Response, PageError> {
    let grant = authorize::<ReadRegister>(&caller.actor)?;
    let protection = crate::api::export_protection(
        &caller.actor,
        q.recipient.as_deref(),
        q.allow_unprotected,
        None,
    )?;
    let format = crate::api::parse_choice::<crate::export::ExportFormat>(&q.format)?
        .unwrap_or(crate::export::ExportFormat::Csv);
    let export = crate::export::export_register(
        &state.store,
        &grant,
        &q.filter()?,
        format,
        q.domain.as_deref(),
        &protection,
        state.now(),
    )
    .await?;
    Ok(crate::export::into_response(export))
}

struct ReviewItem {
    id: i64,
    probability: String,
    person_id: i64,
    sides: crate::reconcile::LinkSides,
    evidence: Vec<(String, String)>,
    decided: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    who: Who,
    show: String,
    scope: String,
    items: Vec<ReviewItem>,
    lists: Vec<homeward_store::ListSummary>,
    decisions: [(&'static str, &'static str); 3],
    shows: [(&'static str, &'static str); 3],
    scopes: [(&'static str, &'static str); 3],
    message: Option<String>,
}

#[derive(Deserialize, Default)]
struct ReviewQuery {
    /// candidate, confirmed or rejected.
    #[serde(default)]
    show: String,
    /// all, lists or duplicates.
    #[serde(default)]
    scope: String,
}

async fn review_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Query(q): Query<ReviewQuery>,
) -> Result<Html<String>, PageError> {
    render_review(&state, &caller, q, None).await
}

async fn render_review(
    state: &AppState,
    caller: &PageCaller,
    q: ReviewQuery,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    let review = authorize::<homeward_core::access::ReviewLinks>(&caller.actor)?;
    let read = authorize::<ReadRegister>(&caller.actor)?;
    let show = match q.show.as_str() {
        "confirmed" | "rejected" => q.show.clone(),
        _ => "candidate".to_owned(),
    };
    let scope = match q.scope.as_str() {
        "lists" | "duplicates" => q.scope.clone(),
        _ => "all".to_owned(),
    };
    let filter = homeward_store::LinkFilter {
        decision: Some(&show),
        person: None,
        duplicates: match scope.as_str() {
            "lists" => Some(false),
            "duplicates" => Some(true),
            _ => None,
        },
    };
    let links: Vec<homeward_store::LinkView> = state
        .store
        .links(&review, filter)
        .await?
        .into_iter()
        .take(200)
        .collect();
    let sides = crate::reconcile::link_sides(&state.store, &read, &links).await?;
    let items = links
        .into_iter()
        .zip(sides)
        .map(|(l, sides)| ReviewItem {
            id: l.id,
            probability: format!("{:.3}", l.probability),
            person_id: l.person_id,
            sides,
            evidence: l
                .evidence
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, v)| v.as_str() != Some("missing"))
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            decided: match (&l.decided_by, l.decided_at) {
                (Some(by), Some(at)) => format!("{show} by {by} at {}", utc(at)),
                _ => String::new(),
            },
        })
        .collect();
    render(&ReviewPage {
        who: Who::from(caller),
        show,
        scope,
        items,
        lists: state.store.lists(&read).await?,
        decisions: [
            ("accept", "Same person"),
            ("reject", "Not the same"),
            ("unsure", "Unsure"),
        ],
        shows: [
            ("candidate", "Waiting"),
            ("confirmed", "Confirmed"),
            ("rejected", "Rejected"),
        ],
        scopes: [
            ("all", "All"),
            ("lists", "Between lists"),
            ("duplicates", "Duplicates in the register"),
        ],
        message,
    })
}

#[derive(Deserialize)]
struct ReconcileForm {
    #[serde(default)]
    csrf: String,
    request: i64,
    holding: i64,
}

async fn review_reconcile(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<ReconcileForm>,
) -> Result<Html<String>, PageError> {
    caller.check_csrf(&form.csrf)?;
    let review = authorize::<homeward_core::access::ReviewLinks>(&caller.actor)?;
    let read = authorize::<ReadRegister>(&caller.actor)?;
    let r = crate::reconcile::reconcile(
        &state.store,
        &read,
        &review,
        form.request,
        form.holding,
        0.5,
        0.95,
        state.now(),
    )
    .await?;
    let mut message = format!(
        "Lists {} and {}: {} pairs compared, {} proposed ({} likely), {} already decided.",
        r.request, r.holding, r.compared, r.proposed, r.likely, r.already_decided
    );
    for l in &r.left_out {
        message.push_str(&format!(
            " Record {} (row {}) was left out: {}.",
            l.person, l.row, l.why
        ));
    }
    render_review(&state, &caller, ReviewQuery::default(), Some(message)).await
}

#[derive(Deserialize)]
struct DuplicatesForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    category: Option<String>,
}

async fn review_duplicates(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<DuplicatesForm>,
) -> Result<Html<String>, PageError> {
    caller.check_csrf(&form.csrf)?;
    let review = authorize::<homeward_core::access::ReviewLinks>(&caller.actor)?;
    let read = authorize::<ReadRegister>(&caller.actor)?;
    let filter = homeward_store::PersonFilter {
        category: crate::api::parse_choice(&form.category)?,
        ..Default::default()
    };
    let r = crate::reconcile::find_duplicates(
        &state.store,
        &read,
        &review,
        &filter,
        0.5,
        0.95,
        state.now(),
    )
    .await?;
    let message = format!(
        "{} records examined: {} pairs compared, {} suggested as duplicates ({} likely), {} already decided. Nothing was merged.",
        r.records, r.compared, r.proposed, r.likely, r.already_decided
    );
    let q = ReviewQuery {
        show: String::new(),
        scope: "duplicates".to_owned(),
    };
    render_review(&state, &caller, q, Some(message)).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    decision: String,
    /// The view to go back to.
    #[serde(default)]
    back: String,
}

async fn review_decide(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(link): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let review = authorize::<homeward_core::access::ReviewLinks>(&caller.actor)?;
    state
        .store
        .decide_link(&review, link, form.decision.parse()?, state.now())
        .await?;
    let back = match form.back.as_str() {
        "confirmed" | "rejected" => format!("/review?show={}", form.back),
        _ => "/review".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    who: Who,
    commitment: i64,
    title: String,
    summary: String,
    plan: Option<homeward_store::PlanView>,
    message: Option<String>,
}

async fn render_plan(
    state: &AppState,
    caller: &PageCaller,
    commitment: i64,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    let grant = authorize::<ReadTalks>(&caller.actor)?;
    let c = state
        .store
        .commitments(&grant)
        .await?
        .into_iter()
        .find(|c| c.id == commitment)
        .ok_or_else(|| homeward_core::Error::NotFound(format!("commitment {commitment}")))?;
    let plan = match state.store.plan_of(&grant, commitment).await {
        Ok(p) => Some(p),
        Err(homeward_core::Error::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    render(&PlanPage {
        who: Who::from(caller),
        commitment,
        title: c.title,
        summary: c.fulfilment.summary,
        plan,
        message,
    })
}

async fn plan_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
) -> Result<Html<String>, PageError> {
    render_plan(&state, &caller, commitment, None).await
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    csrf: String,
    stage_size: u32,
    #[serde(default)]
    stage_dates: String,
    #[serde(default)]
    include_extra: Option<String>,
}

async fn plan_make(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Form(form): Form<PlanForm>,
) -> Result<Html<String>, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteTalks>(&caller.actor)?;
    let params = crate::plans::PlanParams {
        stage_size: form.stage_size,
        stage_dates: form
            .stage_dates
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        include_extra: form.include_extra.is_some(),
    };
    let r = crate::plans::make_plan(&state.store, &grant, commitment, &params, state.now()).await?;
    let left: Vec<String> = r.left_out.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let message = format!(
        "Plan {} made: {} stages, {} and {} people each way; left out: {}.",
        r.plan,
        r.stages,
        r.from_a,
        r.from_b,
        if left.is_empty() {
            "nobody".to_owned()
        } else {
            left.join(", ")
        }
    );
    render_plan(&state, &caller, commitment, Some(message)).await
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    csrf: String,
    commitment: i64,
    person: i64,
    movement: String,
    #[serde(default)]
    reason: String,
}

async fn stage_move(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(stage): Path<i64>,
    Form(form): Form<MoveForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::RecordMovements>(&caller.actor)?;
    let reason = given(&form.reason);
    state
        .store
        .move_person(
            &grant,
            stage,
            form.person,
            form.movement.parse()?,
            reason,
            state.now(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/commitments/{}/plan#stage-{stage}",
        form.commitment
    ))
    .into_response())
}

#[derive(Deserialize)]
struct StageForm {
    #[serde(default)]
    csrf: String,
    commitment: i64,
    #[serde(default)]
    note: String,
}

async fn stage_note(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(stage): Path<i64>,
    Form(form): Form<StageForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteTalks>(&caller.actor)?;
    state
        .store
        .note_parity(&grant, stage, &form.note, state.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/commitments/{}/plan#stage-{stage}",
        form.commitment
    ))
    .into_response())
}

async fn stage_close(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(stage): Path<i64>,
    Form(form): Form<StageForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteTalks>(&caller.actor)?;
    state.store.close_stage(&grant, stage, state.now()).await?;
    Ok(Redirect::to(&format!(
        "/commitments/{}/plan#stage-{stage}",
        form.commitment
    ))
    .into_response())
}

#[derive(Deserialize)]
struct RoundForm {
    #[serde(default)]
    csrf: String,
    title: String,
    held_on: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    mediator: String,
    /// One delegation per line: `UA: head of delegation`.
    #[serde(default)]
    delegations: String,
    #[serde(default)]
    notes: String,
}

async fn round_add(
    State(state): State<AppState>,
    caller: PageCaller,
    Form(form): Form<RoundForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteTalks>(&caller.actor)?;
    let delegations = form
        .delegations
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (party, head) = l.split_once(':').ok_or_else(|| {
                homeward_core::Error::invalid(
                    "delegations",
                    format!("{l:?}: write PARTY: head of delegation"),
                )
            })?;
            Ok(homeward_core::talks::Delegation {
                party: party.trim().parse()?,
                head: head.trim().to_owned(),
                size: None,
            })
        })
        .collect::<Result<Vec<_>, homeward_core::Error>>()?;
    let round = homeward_store::NewRound {
        title: form.title.trim().to_owned(),
        held_on: form.held_on.trim().to_owned(),
        venue: form.venue.trim().to_owned(),
        city: form.city.trim().to_owned(),
        mediator: crate::api::parse_choice(&Some(form.mediator))?,
        notes: form.notes.trim().to_owned(),
        delegations,
    };
    let id = state.store.add_round(&grant, &round, state.now()).await?;
    Ok(Redirect::to(&format!("/#round-{id}")).into_response())
}

#[derive(Deserialize)]
struct CommitmentForm {
    #[serde(default)]
    csrf: String,
    title: String,
    #[serde(default)]
    side_a: String,
    #[serde(default)]
    side_b: String,
    /// The terms as JSON, `kind` first.
    terms: String,
}

fn terms_of(text: &str) -> Result<homeward_core::talks::Terms, homeward_core::Error> {
    serde_json::from_str(text).map_err(|e| {
        homeward_core::Error::invalid(
            "terms",
            format!("{e} (line {}, column {})", e.line(), e.column()),
        )
    })
}

async fn commitment_add(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(round): Path<i64>,
    Form(form): Form<CommitmentForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteTalks>(&caller.actor)?;
    let sides = [form.side_a.trim().parse()?, form.side_b.trim().parse()?];
    let id = state
        .store
        .add_commitment(
            &grant,
            round,
            form.title.trim(),
            &sides,
            &terms_of(&form.terms)?,
            state.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/#commitment-{id}")).into_response())
}

async fn commitment_change(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Form(form): Form<CommitmentForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteTalks>(&caller.actor)?;
    state
        .store
        .update_commitment(
            &grant,
            commitment,
            &form.title,
            &terms_of(&form.terms)?,
            state.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("/#commitment-{commitment}")).into_response())
}

#[derive(Template)]
#[template(path = "children.html")]
struct ChildrenPage {
    who: Who,
    commitment: i64,
    title: String,
    summary: String,
    cases: Vec<homeward_store::ChildCaseView>,
    states: Vec<&'static str>,
}

async fn children_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
) -> Result<Html<String>, PageError> {
    let talks = authorize::<ReadTalks>(&caller.actor)?;
    let read = authorize::<ReadRegister>(&caller.actor)?;
    let c = state
        .store
        .commitments(&talks)
        .await?
        .into_iter()
        .find(|c| c.id == commitment)
        .ok_or_else(|| homeward_core::Error::NotFound(format!("commitment {commitment}")))?;
    render(&ChildrenPage {
        who: Who::from(&caller),
        commitment,
        title: c.title,
        summary: c.fulfilment.summary,
        cases: state.store.child_cases(&read, commitment).await?,
        states: homeward_core::cases::ChildCaseState::ALL
            .iter()
            .map(|s| s.as_str())
            .collect(),
    })
}

#[derive(Deserialize)]
struct CaseForm {
    #[serde(default)]
    csrf: String,
    commitment: i64,
    state: String,
    #[serde(default)]
    note: String,
}

async fn child_step(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(person): Path<i64>,
    Form(form): Form<CaseForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::RecordMovements>(&caller.actor)?;
    let note = given(&form.note);
    state
        .store
        .step_child_case(&grant, person, form.state.parse()?, note, state.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/commitments/{}/children#case-{person}",
        form.commitment
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "truces.html")]
struct TrucesPage {
    who: Who,
    report: homeward_store::TruceReport,
}

async fn truces_page(
    State(state): State<AppState>,
    caller: PageCaller,
) -> Result<Html<String>, PageError> {
    let talks = authorize::<ReadTalks>(&caller.actor)?;
    let read = authorize::<ReadRegister>(&caller.actor).ok();
    render(&TrucesPage {
        who: Who::from(&caller),
        report: state.store.truces(&talks, read.as_ref()).await?,
    })
}

struct RemainsRow {
    id: i64,
    tag: String,
    identification: String,
}

struct FamilyRow {
    id: i64,
    name: String,
    state: String,
}

#[derive(Template)]
#[template(path = "remains.html")]
struct RemainsPage {
    who: Who,
    commitment: i64,
    title: String,
    summary: String,
    batches: Vec<homeward_store::BatchView>,
    returned: Vec<RemainsRow>,
    families: Vec<FamilyRow>,
}

async fn remains_page(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
) -> Result<Html<String>, PageError> {
    let talks = authorize::<ReadTalks>(&caller.actor)?;
    let c = state
        .store
        .commitments(&talks)
        .await?
        .into_iter()
        .find(|c| c.id == commitment)
        .ok_or_else(|| homeward_core::Error::NotFound(format!("commitment {commitment}")))?;
    let (mut returned, mut families) = (Vec::new(), Vec::new());
    if let Ok(read) = authorize::<ReadRegister>(&caller.actor) {
        let filter = homeward_store::PersonFilter {
            category: Some(Category::Remains),
            status: Some(homeward_core::record::Status::Returned),
            ..Default::default()
        };
        for p in state
            .store
            .register(&read, &filter)
            .await?
            .into_iter()
            .take(300)
        {
            returned.push(RemainsRow {
                id: p.id,
                tag: p.record.tag_number.clone().unwrap_or_default(),
                identification: word(&p.record.identification),
            });
        }
        let deceased = homeward_store::PersonFilter {
            status: Some(homeward_core::record::Status::Deceased),
            ..Default::default()
        };
        for p in state.store.register(&read, &deceased).await? {
            if let Some(n) = &p.family_notification {
                families.push(FamilyRow {
                    id: p.id,
                    name: p.record.display_name(),
                    state: n.clone(),
                });
            }
        }
    }
    render(&RemainsPage {
        who: Who::from(&caller),
        commitment,
        title: c.title,
        summary: c.fulfilment.summary,
        batches: state.store.batches(&talks, commitment).await?,
        returned,
        families,
    })
}

#[derive(Deserialize)]
struct BatchForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    commitment: i64,
    #[serde(default)]
    handed_over_on: String,
    #[serde(default)]
    bodies: i64,
    /// Tags, separated by commas, spaces or lines.
    #[serde(default)]
    tags: String,
    #[serde(default)]
    identification: String,
    #[serde(default)]
    identified_as: String,
}

fn back_to_remains(commitment: i64) -> Response {
    Redirect::to(&format!("/commitments/{commitment}/remains")).into_response()
}

async fn batch_add(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Form(form): Form<BatchForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::RecordMovements>(&caller.actor)?;
    let tags: Vec<String> = form
        .tags
        .split([',', ' ', '\n', '\r'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect();
    state
        .store
        .record_batch(
            &grant,
            commitment,
            form.handed_over_on.trim(),
            form.bodies,
            &tags,
            state.now(),
        )
        .await?;
    Ok(back_to_remains(commitment))
}

async fn batch_receive(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(batch): Path<i64>,
    Form(form): Form<BatchForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::RecordMovements>(&caller.actor)?;
    state
        .store
        .receive_batch(&grant, batch, form.bodies, false, state.now())
        .await?;
    Ok(back_to_remains(form.commitment))
}

async fn remains_identify(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(person): Path<i64>,
    Form(form): Form<BatchForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteRegister>(&caller.actor)?;
    let identified_as = match form.identified_as.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            homeward_core::Error::invalid("identified_as", format!("{v:?} is not a record number"))
        })?),
    };
    state
        .store
        .identify_remains(
            &grant,
            person,
            form.identification.parse()?,
            identified_as,
            state.now(),
        )
        .await?;
    Ok(back_to_remains(form.commitment))
}

async fn family_told(
    State(state): State<AppState>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Form(form): Form<BatchForm>,
) -> Result<Response, PageError> {
    caller.check_csrf(&form.csrf)?;
    let grant = authorize::<homeward_core::access::WriteRegister>(&caller.actor)?;
    state.store.family_notified(&grant, id, state.now()).await?;
    Ok(back_to_remains(form.commitment))
}

/// A form field the user filled in, trimmed; `None` when left blank.
fn given(field: &str) -> Option<&str> {
    Some(field.trim()).filter(|v| !v.is_empty())
}
