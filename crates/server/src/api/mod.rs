//! The JSON API under `/api/v1`. Every route takes a bearer token, calls one method of the
//! application and returns its result as JSON. Each route is written once: its
//! `#[utoipa::path]` both routes it and documents it, so the OpenAPI document cannot drift
//! from the routes.

mod cases;
mod commission;
mod enquiries;
mod input;
mod links;
mod log;
mod protection;
mod register;
mod relay;
mod shared_plans;
mod signed;
mod talks;

pub(crate) use register::{ExportQuery, LinksExportFilter, RegisterExportFilter, read_upload};

use crate::auth::ApiCaller;
use crate::error::ErrorBody;
use axum::Json;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse as _, Response};
use homeward_app::{App, Export};
use homeward_core::access::Role;
use serde::Serialize;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response as Documented};
use utoipa::{Modify, OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest list file accepted by upload.
pub const UPLOAD_LIMIT: usize = 64 * 1024 * 1024;

/// The largest bundle accepted: a list's original in hex with its rows is about three
/// times the file.
pub const BUNDLE_LIMIT: usize = 3 * UPLOAD_LIMIT;

/// The routes of the API with their description.
pub(crate) fn routes() -> OpenApiRouter<App> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(me))
        .merge(register::routes())
        .merge(enquiries::routes())
        .merge(commission::routes())
        .merge(links::routes())
        .merge(talks::routes())
        .merge(cases::routes())
        .merge(log::routes())
        .merge(signed::routes())
        .merge(relay::routes())
        .merge(shared_plans::routes())
        .merge(protection::routes())
        .route("/api/v1/openapi.json", axum::routing::get(openapi_json))
}

/// The OpenAPI document of the routes as they are routed.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = routes().into_openapi();
    ErrorResponses.modify(&mut doc);
    doc
}

/// The API's paths, as routed (the document's, and the document itself).
pub fn paths() -> Vec<String> {
    let mut paths: Vec<String> = openapi().paths.paths.keys().cloned().collect();
    paths.push("/api/v1/openapi.json".to_owned());
    paths
}

async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    Json(openapi())
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.servers = Some(vec![utoipa::openapi::Server::new("/")]);
    }
}

/// The error answers every route shares, described once: each operation gets those it
/// does not describe itself, with the one error body.
struct ErrorResponses;

impl ErrorResponses {
    const SHARED: [(&'static str, &'static str); 5] = [
        (
            "400",
            "invalid input: the message names the field, parameter or column at fault",
        ),
        (
            "401",
            "not signed in: no bearer token, or one this server does not know",
        ),
        ("403", "the caller's roles do not allow this"),
        ("500", "the server failed; its log has the details"),
        ("503", "something the request needs is not available now"),
    ];
    const TOO_LARGE: &'static str =
        "the body is larger than the route accepts; the message gives the limit";
    const UNSUPPORTED: &'static str =
        "the body is not in the form the route reads (JSON, or a multipart upload)";
    const NOT_FOUND: &'static str =
        "nothing the caller's party may see has that id (another party's data is not found)";
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = || {
            utoipa::openapi::ResponseBuilder::new().content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for op in operations.into_iter().flatten() {
                let responses = &mut op.responses.responses;
                let mut shared: Vec<(&str, &str)> = Self::SHARED.to_vec();
                if path.contains('{') {
                    shared.push(("404", Self::NOT_FOUND));
                }
                if op.request_body.is_some() {
                    shared.push(("413", Self::TOO_LARGE));
                    shared.push(("415", Self::UNSUPPORTED));
                }
                for (status, description) in shared {
                    responses
                        .entry(status.to_owned())
                        .or_insert_with(|| RefOr::T(error().description(description).build()));
                }
                for (status, response) in responses.iter_mut() {
                    if let RefOr::T(Documented { description, .. }) = response
                        && description.is_empty()
                    {
                        *description = match status.as_str() {
                            "200" => "the result".to_owned(),
                            "204" => "done; nothing to return".to_owned(),
                            "404" => Self::NOT_FOUND.to_owned(),
                            "409" => "it collides with what is already stored".to_owned(),
                            other => Self::SHARED
                                .iter()
                                .find(|(s, _)| *s == other)
                                .map_or("see the error body", |(_, d)| d)
                                .to_owned(),
                        };
                    }
                }
            }
        }
    }
}

/// The OpenAPI description of this API: what every route shares.
#[derive(OpenApi)]
#[openapi(
    info(title = "homeward", description = "Registers, list exchange and exchange planning for the humanitarian track of peace talks. A party sees its own register and the talks it takes part in; nothing else."),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

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
    (status = 200, body = Me, description = "the caller"),
))]
async fn me(ApiCaller(actor): ApiCaller) -> Json<Me> {
    Json(Me {
        user_id: actor.user_id,
        user: actor.user_name,
        party: actor.party.to_string(),
        roles: actor.roles,
    })
}

/// The id of what was recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    /// Its id in this store.
    pub id: i64,
}

/// How many records or cases were opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct Opened {
    /// Opened now (those that had one keep it).
    pub opened: usize,
}

/// An export as an HTTP response: a download, except the print view, which opens in the
/// browser under a policy that allows its inline style and nothing else.
pub(crate) fn download(export: Export) -> Response {
    let printable = export.content_type.starts_with("text/html");
    let disposition = if printable { "inline" } else { "attachment" };
    let mut response = (
        [
            (header::CONTENT_TYPE, export.content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("{disposition}; filename=\"{}\"", export.file_name),
            ),
        ],
        export.bytes,
    )
        .into_response();
    if let Ok(sha) = HeaderValue::from_str(&export.sha256) {
        response.headers_mut().insert("x-content-sha256", sha);
    }
    if printable {
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'",
            ),
        );
    }
    response
}

/// The passphrase of an export, from its header: never from a URL.
pub(crate) fn passphrase(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get("x-export-passphrase")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
