//! The JSON API under `/api/v1`. Every route takes a bearer token, asks the core for a
//! grant and reads through the store; the OpenAPI document is generated from these
//! functions, so it cannot drift from them.

use crate::auth::ApiCaller;
use crate::bundles;
use crate::error::ErrorBody;
use crate::lists::{ImportReport, ImportRequest, import_list};
use crate::protection;
use crate::{ApiError, AppState};
use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use homeward_core::access::{Audit, ReadRegister, ReadTalks, Role, WriteRegister, authorize};
use homeward_store::ListSummary;
use homeward_store::{
    CommitmentView, Person, PersonFilter, PersonPage, RoundView, SearchHit, SearchQuery,
};
use serde::{Deserialize, Serialize};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi, ToSchema};

/// The API's paths, as routed.
pub const PATHS: [&str; 50] = [
    "/api/v1/openapi.json",
    "/api/v1/me",
    "/api/v1/rounds",
    "/api/v1/commitments",
    "/api/v1/persons",
    "/api/v1/persons/{id}",
    "/api/v1/log/verify",
    "/api/v1/log/events",
    "/api/v1/search",
    "/api/v1/lists",
    "/api/v1/lists/{list}/rows",
    "/api/v1/lists/{list}/export",
    "/api/v1/reconcile",
    "/api/v1/links",
    "/api/v1/links/{link}/decision",
    "/api/v1/duplicates",
    "/api/v1/register/export",
    "/api/v1/links/export",
    "/api/v1/commitments/{commitment}/plan",
    "/api/v1/stages/{stage}/movements",
    "/api/v1/stages/{stage}/parity-note",
    "/api/v1/stages/{stage}/close",
    "/api/v1/rounds/{round}",
    "/api/v1/rounds/{round}/commitments",
    "/api/v1/commitments/{commitment}",
    "/api/v1/commitments/{commitment}/children",
    "/api/v1/children/{person}/state",
    "/api/v1/truces",
    "/api/v1/commitments/{commitment}/batches",
    "/api/v1/batches/{batch}/receipt",
    "/api/v1/remains/{person}/identification",
    "/api/v1/persons/{id}/family-notified",
    "/api/v1/log/tree-heads",
    "/api/v1/proofs/verify",
    "/api/v1/lists/{list}/signature",
    "/api/v1/lists/{list}/bundle",
    "/api/v1/bundles",
    "/api/v1/bundles/countersign",
    "/api/v1/keys",
    "/api/v1/persons/{id}/protection",
    "/api/v1/persons/{id}/consent",
    "/api/v1/persons/{id}/restrictions",
    "/api/v1/restrictions/{restriction}/confirmation",
    "/api/v1/restrictions/{restriction}/release",
    "/api/v1/audit/reads",
    "/api/v1/audit/flags",
    "/api/v1/persons/{id}/erasure",
    "/api/v1/erasures",
    "/api/v1/erasures/{erasure}/confirmation",
    "/api/v1/retention",
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(PATHS[12], axum::routing::post(reconcile))
        .route(PATHS[13], get(links))
        .route(PATHS[14], axum::routing::post(decide))
        .route(PATHS[15], axum::routing::post(duplicates))
        .route(PATHS[10], get(list_rows))
        .route(PATHS[11], get(list_export))
        .route(PATHS[16], get(register_export))
        .route(PATHS[17], get(links_export))
        .route(PATHS[18], get(plan_view).post(make_plan))
        .route(PATHS[19], axum::routing::post(move_person))
        .route(PATHS[20], axum::routing::post(note_parity))
        .route(PATHS[21], axum::routing::post(close_stage))
        .route(PATHS[0], get(openapi_json))
        .route(PATHS[1], get(me))
        .route(PATHS[2], get(rounds).post(add_round))
        .route(PATHS[22], get(round).put(update_round))
        .route(PATHS[23], get(round_commitments).post(add_commitment))
        .route(PATHS[24], get(commitment).put(update_commitment))
        .route(PATHS[25], get(child_cases).post(open_child_cases))
        .route(PATHS[26], axum::routing::post(step_child_case))
        .route(PATHS[27], get(truces))
        .route(PATHS[28], get(batches).post(record_batch))
        .route(PATHS[29], axum::routing::post(receive_batch))
        .route(PATHS[30], axum::routing::post(identify_remains))
        .route(PATHS[31], axum::routing::post(family_notified))
        .route(PATHS[32], get(tree_heads).post(bundles::checkpoint))
        .route(
            PATHS[34],
            get(bundles::signed_list).post(bundles::sign_list),
        )
        .route(PATHS[35], get(bundles::export_bundle))
        .route(
            PATHS[36],
            get(bundles::countersignatures)
                .post(bundles::import_bundle)
                .layer(axum::extract::DefaultBodyLimit::max(BUNDLE_LIMIT)),
        )
        .route(
            PATHS[37],
            axum::routing::post(bundles::countersign)
                .layer(axum::extract::DefaultBodyLimit::max(BUNDLE_LIMIT)),
        )
        .route(PATHS[38], get(bundles::keys).post(bundles::hold_key))
        .route(PATHS[39], axum::routing::post(protection::api_mark))
        .route(PATHS[40], axum::routing::post(protection::api_consent))
        .route(
            PATHS[41],
            get(protection::api_restrictions).post(protection::api_propose),
        )
        .route(PATHS[42], axum::routing::post(protection::api_confirm))
        .route(PATHS[43], axum::routing::post(protection::api_release))
        .route(PATHS[44], get(protection::api_reads))
        .route(PATHS[45], get(protection::api_flags))
        .route(
            PATHS[46],
            axum::routing::post(protection::api_request_erasure),
        )
        .route(PATHS[47], get(protection::api_erasures))
        .route(
            PATHS[48],
            axum::routing::post(protection::api_confirm_erasure),
        )
        .route(
            PATHS[49],
            get(protection::api_retention).post(protection::api_set_retention),
        )
        .route(PATHS[33], axum::routing::post(verify_proof))
        .route(PATHS[3], get(commitments))
        .route(PATHS[4], get(persons))
        .route(PATHS[5], get(person))
        .route(PATHS[6], get(verify_log))
        .route(PATHS[7], get(events))
        .route(PATHS[8], get(search))
        .route(
            PATHS[9],
            get(lists)
                .post(upload_list)
                .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The OpenAPI description of this API.
#[derive(OpenApi)]
#[openapi(
    info(title = "homeward", description = "Registers, list exchange and exchange planning for the humanitarian track of peace talks. A party sees its own register and the talks it takes part in; nothing else."),
    paths(me, rounds, commitments, persons, person, verify_log, events, search, lists, upload_list, list_rows, list_export, register_export, reconcile, links, links_export, decide, duplicates, plan_view, make_plan, move_person, note_parity, close_stage, add_round, round, update_round, round_commitments, add_commitment, commitment, update_commitment, child_cases, open_child_cases, step_child_case, truces, batches, record_batch, receive_batch, identify_remains, family_notified, tree_heads, verify_proof, bundles::signed_list, bundles::sign_list, bundles::checkpoint, bundles::export_bundle, bundles::import_bundle, bundles::countersignatures, bundles::countersign, bundles::keys, bundles::hold_key, protection::api_mark, protection::api_consent, protection::api_restrictions, protection::api_propose, protection::api_confirm, protection::api_release, protection::api_reads, protection::api_flags, protection::api_request_erasure, protection::api_erasures, protection::api_confirm_erasure, protection::api_retention, protection::api_set_retention),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
pub struct ApiDoc;

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// Who the token belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// User id.
    pub user_id: i64,
    /// User name.
    pub user: String,
    /// The user's party.
    pub party: String,
    /// The user's roles.
    pub roles: Vec<Role>,
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", responses(
    (status = 200, body = Me),
    (status = 401, body = ErrorBody, description = "no valid token"),
))]
async fn me(ApiCaller(actor): ApiCaller) -> Json<Me> {
    Json(Me {
        user_id: actor.user_id,
        user: actor.user_name,
        party: actor.party.to_string(),
        roles: actor.roles,
    })
}

/// The talks rounds the caller's party took part in or mediated.
#[utoipa::path(get, path = "/api/v1/rounds", responses(
    (status = 200, body = Vec<RoundView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn rounds(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<RoundView>>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    Ok(Json(state.store.rounds(&grant).await?))
}

/// The commitments of those rounds, each with its fulfilment computed from the plans.
#[utoipa::path(get, path = "/api/v1/commitments", responses(
    (status = 200, body = Vec<CommitmentView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn commitments(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<CommitmentView>>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    Ok(Json(state.store.commitments(&grant).await?))
}

/// Which records to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PersonQuery {
    /// Only this category: pow, civilian, child or remains.
    pub category: Option<String>,
    /// Only this status: missing, in_custody, held, returned or deceased.
    pub status: Option<String>,
    /// Only records imported from this list.
    pub list: Option<i64>,
    /// Page number, from 1.
    pub page: Option<i64>,
    /// Records per page, 1–500 (default 50).
    pub per_page: Option<i64>,
}

impl PersonQuery {
    /// The store filter this query asks for; an unknown category or status is an error.
    pub fn filter(&self) -> Result<PersonFilter, homeward_core::Error> {
        Ok(PersonFilter {
            category: parse_choice(&self.category)?,
            status: parse_choice(&self.status)?,
            source_list: self.list,
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(50),
        })
    }
}

/// A query choice: absent or blank means any.
pub(crate) fn parse_choice<T: std::str::FromStr<Err = homeward_core::Error>>(
    v: &Option<String>,
) -> Result<Option<T>, homeward_core::Error> {
    match v.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(c) => c.parse().map(Some),
    }
}

/// A page of the caller's own register. There is no way to ask for another party's.
#[utoipa::path(get, path = "/api/v1/persons", params(PersonQuery), responses(
    (status = 200, body = PersonPage),
    (status = 400, body = ErrorBody, description = "an unknown category"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn persons(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(q): Query<PersonQuery>,
) -> Result<Json<PersonPage>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    Ok(Json(state.store.persons(&grant, &q.filter()?).await?))
}

/// One record of the caller's own register; another party's record is not found.
#[utoipa::path(get, path = "/api/v1/persons/{id}", params(("id" = i64, Path, description = "record id"), PurposeQuery), responses(
    (status = 200, body = Person),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn person(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Query(q): Query<PurposeQuery>,
) -> Result<Json<Person>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    let purpose = purpose_or(q.purpose.as_deref(), "view");
    Ok(Json(
        state
            .store
            .open_person(&grant, id, &purpose, state.now())
            .await?,
    ))
}

/// The outcome of walking the event log.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogVerification {
    /// Events whose hash and link held.
    pub verified: i64,
    /// Hash of the last event that held.
    pub head: String,
    /// Whether the whole log held.
    pub intact: bool,
    /// The first event that did not hold.
    pub first_break_seq: Option<i64>,
    /// What was wrong with it.
    pub first_break_reason: Option<String>,
}

pub(crate) async fn log_verification(
    state: &AppState,
) -> Result<LogVerification, homeward_core::Error> {
    let report = state.store.verify_log().await?;
    Ok(LogVerification {
        verified: report.verified,
        head: report.head,
        intact: report.first_break.is_none(),
        first_break_seq: report.first_break.as_ref().map(|b| b.seq),
        first_break_reason: report.first_break.map(|b| b.reason),
    })
}

/// Recomputes every hash of the event log (auditors). The log holds no personal data.
#[utoipa::path(get, path = "/api/v1/log/verify", responses(
    (status = 200, body = LogVerification),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn verify_log(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<LogVerification>, ApiError> {
    authorize::<Audit>(&actor)?;
    Ok(Json(log_verification(&state).await?))
}

/// One event of the log as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    /// Position in the log.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub at_ms: i64,
    /// Who acted.
    pub actor: String,
    /// What happened.
    pub kind: String,
    /// Details: ids, counts and hashes, never personal data.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// SHA-256 of the event's canonical entry.
    pub hash: String,
}

/// The latest events written on behalf of the caller's party (auditors).
#[utoipa::path(get, path = "/api/v1/log/events", responses(
    (status = 200, body = Vec<EventView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn events(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<EventView>>, ApiError> {
    let grant = authorize::<Audit>(&actor)?;
    let events = state.store.events_of_party(&grant, 200).await?;
    Ok(Json(
        events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                at_ms: e.draft.at_ms,
                actor: e.draft.actor,
                kind: e.draft.kind,
                payload: e.draft.payload,
                hash: e.hash,
            })
            .collect(),
    ))
}

/// A search of the register.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// A name in any order, script and spelling, e.g. `Oleksandr Oliinyk`.
    pub q: String,
    /// Only people born then: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub born: Option<String>,
    /// Most hits (1–200, default 20).
    pub limit: Option<i64>,
    /// Why the search is made (recorded in the read audit), e.g. `hotline call`.
    pub purpose: Option<String>,
}

/// Why a record is read, for the read audit.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PurposeQuery {
    /// Why the record is opened, e.g. `tracing request 41` (default `view`).
    pub purpose: Option<String>,
}

/// The purpose a reader gave, or `default`.
pub fn purpose_or(given: Option<&str>, default: &'static str) -> String {
    given
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| p.chars().take(200).collect())
        .unwrap_or_else(|| default.to_owned())
}

impl SearchParams {
    /// The store query these parameters ask for.
    pub fn query(&self) -> Result<SearchQuery, homeward_core::Error> {
        let born = match self.born.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(b) => Some(b.parse().map_err(|e: homeward_core::Error| {
                homeward_core::Error::invalid("born", e.to_string())
            })?),
        };
        Ok(SearchQuery {
            text: self.q.clone(),
            born,
            limit: self.limit.unwrap_or(20),
        })
    }
}

/// Finds people in the caller's own register from any spelling of their name, ranked.
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams), responses(
    (status = 200, body = Vec<SearchHit>),
    (status = 400, body = ErrorBody, description = "no name in the query, or a bad birth date"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn search(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    let purpose = purpose_or(params.purpose.as_deref(), "search");
    Ok(Json(
        state
            .store
            .find(&grant, &params.query()?, &purpose, state.now())
            .await?,
    ))
}

/// Largest list file accepted by upload.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The largest bundle accepted: a list's original in hex with its rows is about three
/// times the file.
pub const BUNDLE_LIMIT: usize = 3 * UPLOAD_LIMIT;

/// The lists the caller's party issued or that are addressed to it (no rows, no names).
#[utoipa::path(get, path = "/api/v1/lists", responses(
    (status = 200, body = Vec<ListSummary>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn lists(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<ListSummary>>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    Ok(Json(state.store.lists(&grant).await?))
}

/// The form of an upload, for the OpenAPI document.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The list file (CSV or a workbook).
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// request, holding, exchange, remains, children or register.
    kind: String,
    /// pow, civilian, child or remains.
    category: String,
    /// The issuing party, when received from another.
    from: Option<String>,
    /// Addressees, comma-separated.
    to: Option<String>,
    /// The list this one corrects.
    supersedes: Option<i64>,
    /// Column overrides, one `ROLE=COLUMN` per field.
    map: Option<String>,
}

/// Reads an upload's fields; shared by the API and the upload page.
pub(crate) async fn read_upload(
    mut multipart: axum::extract::Multipart,
) -> Result<(String, Vec<u8>, ImportRequest, String), homeward_core::Error> {
    use homeward_core::Error;
    let bad = |e: axum::extract::multipart::MultipartError| Error::invalid("upload", e.to_string());
    let (
        mut file,
        mut kind,
        mut category,
        mut from,
        mut to,
        mut supersedes,
        mut overrides,
        mut csrf,
    ) = (
        None,
        String::new(),
        String::new(),
        None,
        Vec::new(),
        None,
        Vec::new(),
        String::new(),
    );
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            file = Some((file_name, field.bytes().await.map_err(bad)?.to_vec()));
            continue;
        }
        let value = field.text().await.map_err(bad)?;
        let value = value.trim().to_owned();
        match name.as_str() {
            "kind" => kind = value,
            "category" => category = value,
            "from" if !value.is_empty() => from = Some(value.parse()?),
            "to" => {
                to = value
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::parse)
                    .collect::<Result<Vec<_>, _>>()?
            }
            "supersedes" if !value.is_empty() => {
                supersedes = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| Error::invalid("supersedes", "a list number"))?,
                )
            }
            "map" => {
                for m in value.lines().map(str::trim).filter(|m| !m.is_empty()) {
                    let (_, role, column) =
                        homeward_import::parse_mapping(m).map_err(|e| Error::invalid("map", e))?;
                    overrides.push((role, column));
                }
            }
            "csrf" => csrf = value,
            _ => {}
        }
    }
    let (file_name, bytes) =
        file.ok_or_else(|| Error::invalid("file", "the upload holds no file"))?;
    let request = ImportRequest {
        kind,
        category: category.parse()?,
        from,
        to,
        supersedes,
        overrides,
    };
    Ok((file_name, bytes, request, csrf))
}

/// Imports a list file (multipart upload) into the caller's register, with its report.
#[utoipa::path(post, path = "/api/v1/lists", request_body(content = UploadForm, content_type = "multipart/form-data"), responses(
    (status = 200, body = ImportReport),
    (status = 400, body = ErrorBody, description = "an unreadable file, no name column, a bad field"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "the same file was already imported"),
))]
async fn upload_list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    multipart: axum::extract::Multipart,
) -> Result<Json<ImportReport>, ApiError> {
    let grant = authorize::<WriteRegister>(&actor)?;
    let (file_name, bytes, request, _) = read_upload(multipart).await?;
    let now = state.now();
    Ok(Json(
        import_list(&state.store, &grant, &file_name, bytes, &request, now).await?,
    ))
}

/// The rows of a list the caller's party issued or received, as imported (problems included).
#[utoipa::path(get, path = "/api/v1/lists/{list}/rows", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = Vec<homeward_store::StoredRow>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "no such list, or not one of the caller's"),
))]
async fn list_rows(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<Vec<homeward_store::StoredRow>>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    Ok(Json(state.store.list_rows(&grant, list).await?))
}

/// The export format asked for.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    /// csv (default), xlsx, json, pfif (register only) or print (a page to sign, with the
    /// SHA-256 on every printed page).
    pub format: Option<String>,
    /// Encrypt the export to this age public key (`age1…`) of its recipient.
    pub recipient: Option<String>,
    /// true: an admin allows this one export to show protected records unencrypted.
    pub allow_unprotected: Option<bool>,
}

/// The protection an export request asks for: a recipient's age key from the query, a
/// passphrase from the `X-Export-Passphrase` header (never from the URL), or an admin's
/// permission to leave it unencrypted — refused to anyone else.
pub fn export_protection(
    actor: &homeward_core::access::Actor,
    recipient: Option<&str>,
    allow_unprotected: Option<bool>,
    headers: Option<&axum::http::HeaderMap>,
) -> Result<crate::export::Protection, homeward_core::Error> {
    let passphrase = headers
        .and_then(|h| h.get("x-export-passphrase"))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let unprotected_allowed = if allow_unprotected.unwrap_or(false) {
        Some(authorize::<homeward_core::access::AllowUnprotectedExport>(
            actor,
        )?)
    } else {
        None
    };
    Ok(crate::export::Protection {
        recipient: recipient.map(str::to_owned),
        passphrase,
        unprotected_allowed,
    })
}

impl ExportQuery {
    /// The format; CSV when none is given.
    pub fn format(&self) -> Result<crate::export::ExportFormat, homeward_core::Error> {
        self.format.as_deref().unwrap_or("csv").parse()
    }
}

/// A list's rows as imported (rejected rows included), in the format asked for; every
/// cell a spreadsheet would run as a formula is neutralised. The export is an event.
#[utoipa::path(get, path = "/api/v1/lists/{list}/export", params(("list" = i64, Path, description = "list id"), ExportQuery), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 400, body = ErrorBody, description = "an unknown format, or pfif for a list"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn list_export(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
    Query(q): Query<ExportQuery>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    let protection = export_protection(
        &actor,
        q.recipient.as_deref(),
        q.allow_unprotected,
        Some(&headers),
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

/// Which records to export and how.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RegisterExportQuery {
    /// csv (default), xlsx, json, pfif or print.
    pub format: Option<String>,
    /// Only this category.
    pub category: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only records imported from this list.
    pub list: Option<i64>,
    /// PFIF: the domain that names this register in record ids.
    pub domain: Option<String>,
    /// Encrypt the export to this age public key (`age1…`) of its recipient.
    pub recipient: Option<String>,
    /// true: an admin allows this one export to show protected records unencrypted.
    pub allow_unprotected: Option<bool>,
}

impl RegisterExportQuery {
    /// The store filter: the register page's, without its paging.
    pub fn filter(&self) -> Result<PersonFilter, homeward_core::Error> {
        PersonQuery {
            category: self.category.clone(),
            status: self.status.clone(),
            list: self.list,
            page: None,
            per_page: None,
        }
        .filter()
    }
}

/// The caller's register, filtered, in the format asked for. The export is an event.
#[utoipa::path(get, path = "/api/v1/register/export", params(RegisterExportQuery), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn register_export(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(q): Query<RegisterExportQuery>,
    headers: axum::http::HeaderMap,
) -> Result<axum::response::Response, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    let protection = export_protection(
        &actor,
        q.recipient.as_deref(),
        q.allow_unprotected,
        Some(&headers),
    )?;
    let format = parse_choice::<crate::export::ExportFormat>(&q.format)?
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

/// What to reconcile.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReconcileBody {
    /// The party's own request list.
    pub request: i64,
    /// The holding list it issued or received.
    pub holding: i64,
    /// Pairs below this probability are dropped (default 0.5).
    pub lower: Option<f64>,
    /// Pairs at or above this probability are marked likely (default 0.95).
    pub upper: Option<f64>,
}

/// Runs the linkage engine between a request list and a holding list and proposes links.
#[utoipa::path(post, path = "/api/v1/reconcile", request_body = ReconcileBody, responses(
    (status = 200, body = crate::reconcile::ReconcileReport),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody, description = "a list that is not the caller's"),
))]
async fn reconcile(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Json(body): Json<ReconcileBody>,
) -> Result<Json<crate::reconcile::ReconcileReport>, ApiError> {
    let review = authorize::<homeward_core::access::ReviewLinks>(&actor)?;
    let read = authorize::<ReadRegister>(&actor)?;
    let report = crate::reconcile::reconcile(
        &state.store,
        &read,
        &review,
        body.request,
        body.holding,
        body.lower.unwrap_or(0.5),
        body.upper.unwrap_or(0.95),
        state.now(),
    )
    .await?;
    Ok(Json(report))
}

/// Which links to list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LinkQuery {
    /// candidate (the review queue), confirmed or rejected; all when absent.
    pub decision: Option<String>,
    /// Only the links of this register record.
    pub person: Option<i64>,
    /// true: only duplicates inside the register; false: only links to list rows.
    pub duplicates: Option<bool>,
}

impl LinkQuery {
    /// The store filter this query asks for.
    pub fn filter(&self) -> homeward_store::LinkFilter<'_> {
        homeward_store::LinkFilter {
            decision: self.decision.as_deref().filter(|d| !d.is_empty()),
            person: self.person,
            duplicates: self.duplicates,
        }
    }
}

/// The caller's party's links, most probable first.
#[utoipa::path(get, path = "/api/v1/links", params(LinkQuery), responses(
    (status = 200, body = Vec<homeward_store::LinkView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn links(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(q): Query<LinkQuery>,
) -> Result<Json<Vec<homeward_store::LinkView>>, ApiError> {
    let review = authorize::<homeward_core::access::ReviewLinks>(&actor)?;
    Ok(Json(state.store.links(&review, q.filter()).await?))
}

/// Which links to export and how.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LinkExportQuery {
    /// candidate, confirmed or rejected; all when absent.
    pub decision: Option<String>,
    /// true: only duplicates inside the register; false: only links to list rows.
    pub duplicates: Option<bool>,
    /// csv (default), xlsx, json or print.
    pub format: Option<String>,
}

impl LinkExportQuery {
    /// The links asked for.
    pub fn filter(&self) -> homeward_store::LinkFilter<'_> {
        homeward_store::LinkFilter {
            decision: self.decision.as_deref().filter(|d| !d.is_empty()),
            person: None,
            duplicates: self.duplicates,
        }
    }
}

/// The caller's party's links with both records, who decided and when, in the format asked
/// for. The export is an event.
#[utoipa::path(get, path = "/api/v1/links/export", params(LinkExportQuery), responses(
    (status = 200, content_type = "text/csv", body = String),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn links_export(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Query(q): Query<LinkExportQuery>,
) -> Result<axum::response::Response, ApiError> {
    let review = authorize::<homeward_core::access::ReviewLinks>(&actor)?;
    let read = authorize::<ReadRegister>(&actor)?;
    let format = parse_choice::<crate::export::ExportFormat>(&q.format)?
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

/// A reviewer's decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// accept, reject, unsure, or undo (an earlier decision withdrawn: back to the queue).
    pub decision: String,
}

/// Records a decision on one of the caller's party's links.
#[utoipa::path(post, path = "/api/v1/links/{link}/decision", params(("link" = i64, Path, description = "link id")), request_body = DecisionBody, responses(
    (status = 200, body = homeward_store::DecisionOutcome),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn decide(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(link): Path<i64>,
    Json(body): Json<DecisionBody>,
) -> Result<Json<homeward_store::DecisionOutcome>, ApiError> {
    let review = authorize::<homeward_core::access::ReviewLinks>(&actor)?;
    Ok(Json(
        state
            .store
            .decide_link(&review, link, body.decision.parse()?, state.now())
            .await?,
    ))
}

/// Where to look for duplicates.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DuplicatesBody {
    /// Only this category (all when absent).
    pub category: Option<String>,
    /// Pairs below this probability are dropped (default 0.5).
    pub lower: Option<f64>,
    /// Pairs at or above this probability are marked likely (default 0.95).
    pub upper: Option<f64>,
}

/// Finds people entered twice in the caller's register and suggests each pair for review.
/// Nothing is merged.
#[utoipa::path(post, path = "/api/v1/duplicates", request_body = DuplicatesBody, responses(
    (status = 200, body = crate::reconcile::DuplicatesReport),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn duplicates(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Json(body): Json<DuplicatesBody>,
) -> Result<Json<crate::reconcile::DuplicatesReport>, ApiError> {
    let review = authorize::<homeward_core::access::ReviewLinks>(&actor)?;
    let read = authorize::<ReadRegister>(&actor)?;
    let filter = PersonFilter {
        category: parse_choice(&body.category)?,
        ..PersonFilter::default()
    };
    let report = crate::reconcile::find_duplicates(
        &state.store,
        &read,
        &review,
        &filter,
        body.lower.unwrap_or(0.5),
        body.upper.unwrap_or(0.95),
        state.now(),
    )
    .await?;
    Ok(Json(report))
}

/// The current exchange plan of a commitment the caller's party takes part in or
/// mediates: stages, people and their movements, parity; what was left out and why only
/// for the party that made it.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/plan", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = homeward_store::PlanView),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn plan_view(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<homeward_store::PlanView>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    Ok(Json(state.store.plan_of(&grant, commitment).await?))
}

/// Plans an exchange commitment from the caller's register: confirmed people both ways,
/// ordered by the agreement's priorities, cut into stages with parity. The plan becomes
/// the commitment's current one.
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/plan", params(("commitment" = i64, Path, description = "commitment id")), request_body = crate::plans::PlanParams, responses(
    (status = 200, body = crate::plans::PlanReport),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
    (status = 409, body = ErrorBody, description = "the current plan is being executed"),
))]
async fn make_plan(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Json(params): Json<crate::plans::PlanParams>,
) -> Result<Json<crate::plans::PlanReport>, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    Ok(Json(
        crate::plans::make_plan(&state.store, &grant, commitment, &params, state.now()).await?,
    ))
}

/// A person of a stage moves on.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MovementBody {
    /// The person's record, as the plan shows it.
    pub person: i64,
    /// handed_over, received or withdrawn.
    pub movement: String,
    /// Why withdrawn.
    pub reason: Option<String>,
}

/// Records a handover (by the holding party), a receipt (by the receiving party) or a
/// withdrawal with its reason (by either).
#[utoipa::path(post, path = "/api/v1/stages/{stage}/movements", params(("stage" = i64, Path, description = "stage id")), request_body = MovementBody, responses(
    (status = 204, description = "recorded"),
    (status = 400, body = ErrorBody, description = "the wrong party, a person not in the stage, a move the rules do not allow"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn move_person(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(stage): Path<i64>,
    Json(body): Json<MovementBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    let grant = authorize::<homeward_core::access::RecordMovements>(&actor)?;
    state
        .store
        .move_person(
            &grant,
            stage,
            body.person,
            body.movement.parse()?,
            body.reason.as_deref(),
            state.now(),
        )
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Why a stage's parity was broken.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ParityNoteBody {
    /// The reason, in words.
    pub note: String,
}

/// A negotiator of a side records why a stage's parity was broken.
#[utoipa::path(post, path = "/api/v1/stages/{stage}/parity-note", params(("stage" = i64, Path, description = "stage id")), request_body = ParityNoteBody, responses(
    (status = 204, description = "recorded"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn note_parity(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(stage): Path<i64>,
    Json(body): Json<ParityNoteBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    state
        .store
        .note_parity(&grant, stage, &body.note, state.now())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The mediator co-confirms and closes a stage; refused while people are in between or
/// parity is broken without a negotiator's note.
#[utoipa::path(post, path = "/api/v1/stages/{stage}/close", params(("stage" = i64, Path, description = "stage id")), responses(
    (status = 200, body = homeward_core::talks::StageParity),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn close_stage(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(stage): Path<i64>,
) -> Result<Json<homeward_core::talks::StageParity>, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    Ok(Json(
        state.store.close_stage(&grant, stage, state.now()).await?,
    ))
}

/// The id of what was recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Its id in this store.
    pub id: i64,
}

/// Records a round the caller's party took part in or mediated.
#[utoipa::path(post, path = "/api/v1/rounds", request_body = homeward_store::NewRound, responses(
    (status = 200, body = Created),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn add_round(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Json(body): Json<homeward_store::NewRound>,
) -> Result<Json<Created>, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    Ok(Json(Created {
        id: state.store.add_round(&grant, &body, state.now()).await?,
    }))
}

/// One round the caller's party took part in or mediated.
#[utoipa::path(get, path = "/api/v1/rounds/{round}", params(("round" = i64, Path, description = "round id")), responses(
    (status = 200, body = RoundView),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn round(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
) -> Result<Json<RoundView>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    let found = state
        .store
        .rounds(&grant)
        .await?
        .into_iter()
        .find(|r| r.id == round);
    Ok(Json(found.ok_or_else(|| {
        homeward_core::Error::NotFound(format!("round {round}"))
    })?))
}

/// Changes a round the caller's party recorded.
#[utoipa::path(put, path = "/api/v1/rounds/{round}", params(("round" = i64, Path, description = "round id")), request_body = homeward_store::NewRound, responses(
    (status = 204, description = "changed"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn update_round(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
    Json(body): Json<homeward_store::NewRound>,
) -> Result<axum::http::StatusCode, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    state
        .store
        .update_round(&grant, round, &body, state.now())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The commitments of one round, each with its fulfilment.
#[utoipa::path(get, path = "/api/v1/rounds/{round}/commitments", params(("round" = i64, Path, description = "round id")), responses(
    (status = 200, body = Vec<CommitmentView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn round_commitments(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
) -> Result<Json<Vec<CommitmentView>>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    let all = state.store.commitments(&grant).await?;
    Ok(Json(
        all.into_iter().filter(|c| c.round_id == round).collect(),
    ))
}

/// A commitment to record.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommitmentBody {
    /// A title, as the communiqué words it.
    pub title: String,
    /// The two sides, e.g. `["UA", "RU"]`.
    #[schema(value_type = Vec<String>)]
    pub sides: [homeward_core::party::PartyCode; 2],
    /// The terms; `kind` says which shape.
    pub terms: homeward_core::talks::Terms,
}

/// Records a commitment made in a round the caller's party took part in or mediated.
#[utoipa::path(post, path = "/api/v1/rounds/{round}/commitments", params(("round" = i64, Path, description = "round id")), request_body = CommitmentBody, responses(
    (status = 200, body = Created),
    (status = 400, body = ErrorBody, description = "terms that break a rule, e.g. a truce of no days"),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn add_commitment(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(round): Path<i64>,
    Json(body): Json<CommitmentBody>,
) -> Result<Json<Created>, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    Ok(Json(Created {
        id: state
            .store
            .add_commitment(
                &grant,
                round,
                &body.title,
                &body.sides,
                &body.terms,
                state.now(),
            )
            .await?,
    }))
}

/// One commitment with its fulfilment.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = CommitmentView),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn commitment(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<CommitmentView>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    let found = state
        .store
        .commitments(&grant)
        .await?
        .into_iter()
        .find(|c| c.id == commitment);
    Ok(Json(found.ok_or_else(|| {
        homeward_core::Error::NotFound(format!("commitment {commitment}"))
    })?))
}

/// A commitment's new wording.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommitmentChange {
    /// The title.
    pub title: String,
    /// The terms, of the same kind.
    pub terms: homeward_core::talks::Terms,
}

/// Changes a commitment's title and terms; its kind and sides stay.
#[utoipa::path(put, path = "/api/v1/commitments/{commitment}", params(("commitment" = i64, Path, description = "commitment id")), request_body = CommitmentChange, responses(
    (status = 204, description = "changed"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn update_commitment(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Json(body): Json<CommitmentChange>,
) -> Result<axum::http::StatusCode, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    state
        .store
        .update_commitment(&grant, commitment, &body.title, &body.terms, state.now())
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The caller's party's cases of the children of a child-return commitment.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/children", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = Vec<homeward_store::ChildCaseView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn child_cases(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<Vec<homeward_store::ChildCaseView>>, ApiError> {
    let grant = authorize::<ReadRegister>(&actor)?;
    Ok(Json(state.store.child_cases(&grant, commitment).await?))
}

/// Which children to follow.
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenCasesBody {
    /// The party's children list.
    pub list: i64,
    /// The children the other side agreed to work on (their records).
    #[serde(default)]
    pub agreed: Vec<i64>,
}

/// How many cases were opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct Opened {
    /// Cases opened now (children who had one keep it).
    pub opened: usize,
}

/// Opens one case per child on a children list for a child-return commitment.
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/children", params(("commitment" = i64, Path, description = "commitment id")), request_body = OpenCasesBody, responses(
    (status = 200, body = Opened),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn open_child_cases(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Json(body): Json<OpenCasesBody>,
) -> Result<Json<Opened>, ApiError> {
    let grant = authorize::<homeward_core::access::WriteTalks>(&actor)?;
    Ok(Json(Opened {
        opened: state
            .store
            .open_child_cases(&grant, commitment, body.list, &body.agreed, state.now())
            .await?,
    }))
}

/// A child's case moves.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CaseStepBody {
    /// located, verified, return_agreed, returned or reunited (or the step before, with a
    /// note).
    pub state: String,
    /// Why, when going back.
    pub note: Option<String>,
}

/// Moves a child's case one step.
#[utoipa::path(post, path = "/api/v1/children/{person}/state", params(("person" = i64, Path, description = "the child's record")), request_body = CaseStepBody, responses(
    (status = 204, description = "recorded"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn step_child_case(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(person): Path<i64>,
    Json(body): Json<CaseStepBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    let grant = authorize::<homeward_core::access::RecordMovements>(&actor)?;
    state
        .store
        .step_child_case(
            &grant,
            person,
            body.state.parse()?,
            body.note.as_deref(),
            state.now(),
        )
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The local truces the caller's party sees, overlapping or contradictory windows, and the
/// remains of its register recovered under each.
#[utoipa::path(get, path = "/api/v1/truces", responses(
    (status = 200, body = homeward_store::TruceReport),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn truces(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<homeward_store::TruceReport>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    let register = authorize::<ReadRegister>(&actor).ok();
    Ok(Json(state.store.truces(&grant, register.as_ref()).await?))
}

/// The batches of remains handed over under a commitment, with their manifests.
#[utoipa::path(get, path = "/api/v1/commitments/{commitment}/batches", params(("commitment" = i64, Path, description = "commitment id")), responses(
    (status = 200, body = Vec<homeward_store::BatchView>),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn batches(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
) -> Result<Json<Vec<homeward_store::BatchView>>, ApiError> {
    let grant = authorize::<ReadTalks>(&actor)?;
    Ok(Json(state.store.batches(&grant, commitment).await?))
}

/// A batch's manifest.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BatchBody {
    /// The day of the handover, `YYYY-MM-DD`.
    pub handed_over_on: String,
    /// Bodies in the batch.
    pub bodies: i64,
    /// Tag numbers on the manifest.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// The handing party records a batch of remains and its manifest.
#[utoipa::path(post, path = "/api/v1/commitments/{commitment}/batches", params(("commitment" = i64, Path, description = "commitment id")), request_body = BatchBody, responses(
    (status = 200, body = Created),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn record_batch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(commitment): Path<i64>,
    Json(body): Json<BatchBody>,
) -> Result<Json<Created>, ApiError> {
    let grant = authorize::<homeward_core::access::RecordMovements>(&actor)?;
    Ok(Json(Created {
        id: state
            .store
            .record_batch(
                &grant,
                commitment,
                &body.handed_over_on,
                body.bodies,
                &body.tags,
                state.now(),
            )
            .await?,
    }))
}

/// Bodies counted on receipt.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReceiptBody {
    /// Bodies the receiving party counted.
    pub bodies: i64,
}

/// The receiving party records a batch received; each tag becomes an unidentified remains
/// record of its register.
#[utoipa::path(post, path = "/api/v1/batches/{batch}/receipt", params(("batch" = i64, Path, description = "batch id")), request_body = ReceiptBody, responses(
    (status = 200, body = Opened),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn receive_batch(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(batch): Path<i64>,
    Json(body): Json<ReceiptBody>,
) -> Result<Json<Opened>, ApiError> {
    let grant = authorize::<homeward_core::access::RecordMovements>(&actor)?;
    Ok(Json(Opened {
        opened: state
            .store
            .receive_batch(&grant, batch, body.bodies, false, state.now())
            .await?,
    }))
}

/// A step of identification.
#[derive(Debug, Deserialize, ToSchema)]
pub struct IdentificationBody {
    /// presumptive, dna_confirmed, or unidentified (a presumption dropped).
    pub identification: String,
    /// The missing person's record, for a presumptive identification.
    pub identified_as: Option<i64>,
}

/// Records a step of identification of remains in the caller's register; DNA confirmation
/// marks the missing person dead and opens the family's notification.
#[utoipa::path(post, path = "/api/v1/remains/{person}/identification", params(("person" = i64, Path, description = "the remains' record")), request_body = IdentificationBody, responses(
    (status = 204, description = "recorded"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
    (status = 404, body = ErrorBody),
))]
async fn identify_remains(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(person): Path<i64>,
    Json(body): Json<IdentificationBody>,
) -> Result<axum::http::StatusCode, ApiError> {
    let grant = authorize::<WriteRegister>(&actor)?;
    state
        .store
        .identify_remains(
            &grant,
            person,
            body.identification.parse()?,
            body.identified_as,
            state.now(),
        )
        .await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Records that the family of a person identified as dead was told.
#[utoipa::path(post, path = "/api/v1/persons/{id}/family-notified", params(("id" = i64, Path, description = "record id")), responses(
    (status = 204, description = "recorded"),
    (status = 400, body = ErrorBody),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn family_notified(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
) -> Result<axum::http::StatusCode, ApiError> {
    let grant = authorize::<WriteRegister>(&actor)?;
    state.store.family_notified(&grant, id, state.now()).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The signed tree heads of the log and whether they hold.
#[derive(Debug, Serialize, ToSchema)]
pub struct TreeHeads {
    /// Every head, by size.
    pub heads: Vec<homeward_store::TreeHead>,
    /// What checking them found.
    pub check: homeward_store::TreeHeadReport,
    /// What checking the signed lists and their counter-signatures found.
    pub lists: homeward_store::SignedListsReport,
}

/// The log's signed tree heads over time, each checked: key, signature, root, consistency
/// (auditors).
#[utoipa::path(get, path = "/api/v1/log/tree-heads", responses(
    (status = 200, body = TreeHeads),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn tree_heads(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<TreeHeads>, ApiError> {
    authorize::<Audit>(&actor)?;
    Ok(Json(TreeHeads {
        heads: state.store.tree_heads().await?,
        check: state.store.verify_tree_heads().await?,
        lists: state.store.verify_signed_lists().await?,
    }))
}

/// A proof to check.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProofCheck {
    /// The proof, as `homeward prove` wrote it, or a bundle as `homeward bundle export` did.
    #[schema(value_type = Object)]
    pub proof: serde_json::Value,
    /// The issuer's public key, 64 hex digits.
    pub key: String,
}

/// What checking a proof found.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProofResult {
    /// Whether the row was on the list the key signed.
    pub valid: bool,
    /// What was proven, or what failed.
    pub detail: String,
}

/// Checks a proof that one row was on a signed list, or a whole list bundle, against the
/// issuer's public key, as JSON however it is spelled (pasted, or sent to the API). Nothing
/// is stored; no other row is needed.
pub fn check_proof(proof: serde_json::Value, key: &str) -> ProofResult {
    if proof["format"] == homeward_ledger::bundle::BUNDLE_FORMAT {
        return serde_json::from_value(proof)
            .map_err(|e| format!("not a list bundle: {e}"))
            .map_or_else(ProofResult::refused, |b| bundle_result(&b, key));
    }
    serde_json::from_value(proof)
        .map_err(|e| format!("not a row proof: {e}"))
        .map_or_else(ProofResult::refused, |p| row_result(&p, key))
}

/// Checks an exported file — a list bundle or a row proof, byte for byte as homeward wrote
/// it (any other spelling is refused) — against the issuer's public key.
pub fn check_document(bytes: &[u8], key: &str) -> ProofResult {
    let format = serde_json::from_slice::<serde_json::Value>(bytes)
        .map(|v| v["format"].clone())
        .unwrap_or_default();
    if format == homeward_ledger::bundle::BUNDLE_FORMAT {
        return homeward_ledger::bundle::Bundle::from_file(bytes)
            .map_or_else(ProofResult::refused, |b| bundle_result(&b, key));
    }
    homeward_ledger::rows::RowProof::from_file(bytes)
        .map_or_else(ProofResult::refused, |p| row_result(&p, key))
}

impl ProofResult {
    fn refused(detail: String) -> Self {
        ProofResult {
            valid: false,
            detail,
        }
    }
}

/// A whole bundle checked: original, rows, signatures, the issuing event's inclusion.
fn bundle_result(b: &homeward_ledger::bundle::Bundle, key: &str) -> ProofResult {
    match b.check(key) {
        Err(why) => ProofResult::refused(why),
        Ok(()) => ProofResult {
            valid: true,
            detail: format!(
                "the bundle of {}'s list {} ({} rows) holds: signed by {}, and its issuing is event {} of a signed log of {} events{}",
                b.issuer,
                b.sha256,
                b.rows.len(),
                b.public_key,
                b.event_seq,
                b.tree_head.size,
                if b.countersignatures.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; counter-signed by {}",
                        b.countersignatures
                            .iter()
                            .map(|c| c.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        },
    }
}

/// A proof of one row checked against the list's signature.
fn row_result(p: &homeward_ledger::rows::RowProof, key: &str) -> ProofResult {
    match p.verify(key) {
        Err(why) => ProofResult::refused(why),
        Ok(()) => ProofResult {
            valid: true,
            detail: format!(
                "line {} was on the list {} issued by {} ({} rows), signed by {}",
                p.line, p.list_sha256, p.issuer, p.rows, p.public_key
            ),
        },
    }
}

/// Checks a row proof, or a whole list bundle, against the issuer's public key.
#[utoipa::path(post, path = "/api/v1/proofs/verify", request_body = ProofCheck, responses(
    (status = 200, body = ProofResult),
    (status = 401, body = ErrorBody),
    (status = 403, body = ErrorBody),
))]
async fn verify_proof(
    ApiCaller(actor): ApiCaller,
    Json(body): Json<ProofCheck>,
) -> Result<Json<ProofResult>, ApiError> {
    authorize::<ReadTalks>(&actor)?;
    Ok(Json(check_proof(body.proof, &body.key)))
}
