//! The register and its lists: pages of records, one record, search, the lists held, their
//! rows, uploads, and exports of a list or of the register.

use super::input::{Asked, Sent};
use super::{UPLOAD_LIMIT, download, input, passphrase};
use crate::auth::ApiCaller;
use crate::error::{ApiError, ErrorBody};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use homeward_app::lists::{ImportReport, ImportRequest};
use homeward_app::query::{PersonQuery, PurposeQuery, SearchParams};
use homeward_app::{Acting, App, ExportRequest, ExportSource, RecordCorrection, RecordEntry};
use homeward_core::Error;
use homeward_store::{
    CorrectionOutcome, ListSummary, Person, PersonPage, PersonStory, RecordHistory, SearchHit,
    StoredRow,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt as _};
use utoipa_axum::routes;

pub(super) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::new()
        .routes(routes!(persons, enter_record))
        .routes(routes!(person, correct_record))
        .routes(routes!(record_history))
        .routes(routes!(person_story))
        .routes(routes!(search))
        .routes(
            routes!(lists, upload_list).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .routes(routes!(list_rows))
        .routes(routes!(list_export))
        .routes(routes!(register_export))
}

/// A page of the caller's own register. There is no way to ask for another party's.
#[utoipa::path(get, path = "/api/v1/persons", params(PersonQuery), responses(
    (status = 200, body = PersonPage, description = "the page of records"),
))]
async fn persons(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<PersonQuery>,
) -> Result<Json<PersonPage>, ApiError> {
    Ok(Json(app.persons(&actor, &q).await?))
}

/// One record of the caller's own register, opened for a purpose and audited; another
/// party's record is not found.
#[utoipa::path(get, path = "/api/v1/persons/{id}", params(("id" = i64, Path, description = "record id"), PurposeQuery), responses(
    (status = 200, body = Person, description = "the record, masked when protected and the caller is not cleared"),
))]
async fn person(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Asked(q): Asked<PurposeQuery>,
) -> Result<Json<Person>, ApiError> {
    Ok(Json(app.person(&actor, id, q.purpose.as_deref()).await?))
}

/// The id of a record entered.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
struct Entered {
    /// The new record's id.
    id: i64,
}

/// Enters one record in the caller's register by hand (operators): a family's call, a
/// capture, remains found; its fields as written, with why and on what source.
#[utoipa::path(post, path = "/api/v1/persons", request_body = RecordEntry, responses(
    (status = 201, body = Entered, description = "entered; its history starts with these fields"),
))]
async fn enter_record(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Sent(entry): Sent<RecordEntry>,
) -> Result<(axum::http::StatusCode, Json<Entered>), ApiError> {
    let id = app.enter_record(&actor, &entry).await?;
    Ok((axum::http::StatusCode::CREATED, Json(Entered { id })))
}

/// Corrects fields of a record of the caller's register (operators), with why and on what
/// source; each field's value before stays in the record's history. A correction of what a
/// confirmed link was decided on puts the link back for review.
#[utoipa::path(patch, path = "/api/v1/persons/{id}", params(("id" = i64, Path, description = "record id")), request_body = RecordCorrection, responses(
    (status = 200, body = CorrectionOutcome, description = "what changed, the record's hashes, the links back for review"),
))]
async fn correct_record(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Sent(correction): Sent<RecordCorrection>,
) -> Result<Json<CorrectionOutcome>, ApiError> {
    Ok(Json(app.correct_record(&actor, id, &correction).await?))
}

/// A record's history of changes by hand, field by field (audited like the record).
#[utoipa::path(get, path = "/api/v1/persons/{id}/history", params(("id" = i64, Path, description = "record id"), PurposeQuery), responses(
    (status = 200, body = RecordHistory, description = "every change, oldest first; a protected record's sensitive values masked for a reader not cleared"),
))]
async fn record_history(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Asked(q): Asked<PurposeQuery>,
) -> Result<Json<RecordHistory>, ApiError> {
    Ok(Json(
        app.record_history(&actor, id, q.purpose.as_deref()).await?,
    ))
}

/// Where a record's person has been: the list the record came from, its links and who
/// decided them, every plan and stage it was placed in (audited like the record).
#[utoipa::path(get, path = "/api/v1/persons/{id}/story", params(("id" = i64, Path, description = "record id"), PurposeQuery), responses(
    (status = 200, body = PersonStory, description = "the record's story"),
))]
async fn person_story(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(id): Path<i64>,
    Asked(q): Asked<PurposeQuery>,
) -> Result<Json<PersonStory>, ApiError> {
    let (_, story) = app.person_story(&actor, id, q.purpose.as_deref()).await?;
    Ok(Json(story))
}

/// Finds people in the caller's own register from any spelling of their name, ranked.
#[utoipa::path(get, path = "/api/v1/search", params(SearchParams), responses(
    (status = 200, body = Vec<SearchHit>, description = "the people found, best first"),
))]
async fn search(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(params): Asked<SearchParams>,
) -> Result<Json<Vec<SearchHit>>, ApiError> {
    Ok(Json(app.search(&actor, &params).await?))
}

/// The lists the caller's party issued or that are addressed to it (no rows, no names).
#[utoipa::path(get, path = "/api/v1/lists", responses(
    (status = 200, body = Vec<ListSummary>, description = "the lists"),
))]
async fn lists(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<ListSummary>>, ApiError> {
    Ok(Json(app.lists(&actor).await?))
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

/// An upload's file and fields as the API and the upload page send them.
pub(crate) struct Upload {
    /// The file's name as sent.
    pub file_name: String,
    /// Its bytes, as received: passed on to the import without a copy.
    pub bytes: axum::body::Bytes,
    /// What to import it as.
    pub request: ImportRequest,
    /// The anti-forgery token (page forms).
    pub csrf: String,
}

/// Reads an upload's fields; shared by the API and the upload page.
pub(crate) async fn read_upload(mut multipart: axum::extract::Multipart) -> Result<Upload, Error> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            Error::TooLarge {
                what: "the upload".to_owned(),
                limit: input::in_words(UPLOAD_LIMIT),
            }
        } else {
            Error::invalid("upload", e.body_text())
        }
    };
    let mut file = None;
    let mut fields: Vec<(String, String)> = Vec::new();
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or("").to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            file = Some((file_name, field.bytes().await.map_err(bad)?));
            continue;
        }
        fields.push((name, field.text().await.map_err(bad)?.trim().to_owned()));
    }
    let value = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    };
    let (file_name, bytes) =
        file.ok_or_else(|| Error::invalid("file", "the upload holds no file"))?;
    let mut overrides = Vec::new();
    // A mapping may come as one field of lines or as one field per column; all count.
    let mappings = fields.iter().filter(|(k, _)| k == "map");
    for m in mappings
        .flat_map(|(_, v)| v.lines())
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        let (_, role, column) =
            homeward_import::parse_mapping(m).map_err(|e| Error::invalid("map", e))?;
        overrides.push((role, column));
    }
    let request = ImportRequest {
        kind: value("kind").to_owned(),
        category: value("category").parse()?,
        from: Some(value("from"))
            .filter(|v| !v.is_empty())
            .map(str::parse)
            .transpose()?,
        to: value("to")
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::parse)
            .collect::<Result<Vec<_>, _>>()?,
        supersedes: Some(value("supersedes"))
            .filter(|v| !v.is_empty())
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| Error::invalid("supersedes", "a list number"))
            })
            .transpose()?,
        overrides,
    };
    Ok(Upload {
        file_name,
        bytes,
        request,
        csrf: value("csrf").to_owned(),
    })
}

/// Imports a list file (multipart upload) into the caller's register, with its report.
#[utoipa::path(post, path = "/api/v1/lists", request_body(content = UploadForm, content_type = "multipart/form-data"), responses(
    (status = 200, body = ImportReport, description = "the import report: every row, accepted or not"),
    (status = 400, body = ErrorBody, description = "an unreadable file, no name column, a bad field"),
    (status = 409, body = ErrorBody, description = "the same file was already imported"),
))]
async fn upload_list(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    multipart: axum::extract::Multipart,
) -> Result<Json<ImportReport>, ApiError> {
    // Refused before the body is read: a large upload costs nothing to one who may not.
    app.may_import(&actor)?;
    let upload = read_upload(multipart).await?;
    Ok(Json(
        app.import_list(
            &Acting::User(&actor),
            &upload.file_name,
            upload.bytes,
            &upload.request,
        )
        .await?,
    ))
}

/// The rows of a list the caller's party issued or received, as imported (problems included).
#[utoipa::path(get, path = "/api/v1/lists/{list}/rows", params(("list" = i64, Path, description = "list id")), responses(
    (status = 200, body = Vec<StoredRow>, description = "the rows"),
))]
async fn list_rows(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
) -> Result<Json<Vec<StoredRow>>, ApiError> {
    Ok(Json(app.list_rows(&actor, list).await?))
}

/// How an export is asked for, whatever it exports.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub(crate) struct ExportQuery {
    /// csv (default), xlsx, json, pfif (register only) or print (a page to sign, with the
    /// SHA-256 on every printed page).
    pub format: Option<String>,
    /// Encrypt the export to this age public key (`age1…`) of its recipient.
    pub recipient: Option<String>,
    /// true: an admin allows this one export to show protected records unencrypted.
    pub allow_unprotected: Option<bool>,
}

impl ExportQuery {
    /// The export of `source` this query asks for; the passphrase comes from a header.
    pub(crate) fn request(
        &self,
        source: ExportSource,
        passphrase: Option<String>,
    ) -> ExportRequest {
        ExportRequest {
            source,
            format: self.format.clone(),
            recipient: self.recipient.clone(),
            passphrase,
            allow_unprotected: self.allow_unprotected.unwrap_or(false),
        }
    }
}

/// Which records of the register an export holds.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub(crate) struct RegisterExportFilter {
    /// Only this category.
    pub category: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only records imported from this list.
    pub list: Option<i64>,
    /// PFIF: the domain that names this register in record ids.
    pub domain: Option<String>,
}

impl RegisterExportFilter {
    /// The register, filtered.
    pub(crate) fn source(self) -> ExportSource {
        ExportSource::Register {
            filter: PersonQuery {
                category: self.category,
                status: self.status,
                list: self.list,
                page: None,
                per_page: None,
                ..PersonQuery::default()
            },
            domain: self.domain,
        }
    }
}

/// Which links an export holds.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub(crate) struct LinksExportFilter {
    /// candidate, confirmed or rejected; all when absent.
    pub decision: Option<String>,
    /// true, only duplicates inside the register; false, only links to list rows.
    pub duplicates: Option<bool>,
}

impl LinksExportFilter {
    /// The links asked for.
    pub(crate) fn source(self) -> ExportSource {
        ExportSource::Links {
            decision: self.decision,
            duplicates: self.duplicates,
        }
    }
}

/// A list's rows as imported (rejected rows included), in the format asked for; every cell
/// a spreadsheet would run as a formula is neutralised. Protected rows shown unmasked need
/// encryption (`recipient`, or the `X-Export-Passphrase` header) or an admin's permission.
/// The export is an event.
#[utoipa::path(get, path = "/api/v1/lists/{list}/export", params(("list" = i64, Path, description = "list id"), ExportQuery), responses(
    (status = 200, content_type = "text/csv", body = String, description = "the export, as a download"),
))]
async fn list_export(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Path(list): Path<i64>,
    Asked(q): Asked<ExportQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = q.request(ExportSource::List(list), passphrase(&headers));
    Ok(download(app.export(&actor, &request).await?))
}

/// The caller's register, filtered, in the format asked for (PFIF too), sealed like a
/// list's export. The export is an event.
#[utoipa::path(get, path = "/api/v1/register/export", params(ExportQuery, RegisterExportFilter), responses(
    (status = 200, content_type = "text/csv", body = String, description = "the export, as a download"),
))]
async fn register_export(
    State(app): State<App>,
    ApiCaller(actor): ApiCaller,
    Asked(q): Asked<ExportQuery>,
    Asked(filter): Asked<RegisterExportFilter>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let request = q.request(filter.source(), passphrase(&headers));
    Ok(download(app.export(&actor, &request).await?))
}
