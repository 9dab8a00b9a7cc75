//! What a caller sends the API — a JSON body, a query string — read into the route's input
//! type. A value that does not fit is an invalid input naming its field, in the API's one
//! error shape, never axum's plain-text rejection; a body over the route's limit is 413 with
//! the limit; a body that is not JSON is 415.

use crate::error::ApiError;
use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use homeward_core::Error;
use serde::de::DeserializeOwned;

/// The largest JSON body of a route that takes no bundle: inputs, proofs, terms.
pub(crate) const JSON_LIMIT: usize = 2 * 1024 * 1024;

/// A JSON body, read whole before the handler runs.
pub(crate) struct Sent<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Sent<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let unread = Unread::from_request(request, state).await?;
        Ok(Sent(unread.read(JSON_LIMIT).await?))
    }
}

/// A JSON body the handler reads only once it has asked whether the caller may act: a
/// large body (a bundle) is not read for a caller who would be refused.
pub(crate) struct Unread {
    json: bool,
    body: Body,
}

impl<S: Send + Sync> FromRequest<S> for Unread {
    type Rejection = ApiError;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let json = is_json(request.headers());
        Ok(Unread {
            json,
            body: request.into_body(),
        })
    }
}

impl Unread {
    /// Reads the body, up to `limit` bytes.
    pub(crate) async fn read<T: DeserializeOwned>(self, limit: usize) -> Result<T, Error> {
        if !self.json {
            return Err(not_json());
        }
        let bytes = axum::body::to_bytes(self.body, limit)
            .await
            .map_err(|_| Error::TooLarge {
                what: "the request body".to_owned(),
                limit: in_words(limit),
            })?;
        from_json(&bytes)
    }
}

/// A query string; an absent one reads as every parameter absent.
pub(crate) struct Asked<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Asked<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let asked = serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(
            form_urlencoded::parse(query.as_bytes()),
        ))
        .map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." {
                "query".to_owned()
            } else {
                field
            };
            Error::invalid(field, e.into_inner().to_string())
        })?;
        Ok(Asked(asked))
    }
}

fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/json")
                || (v.starts_with("application/") && v.ends_with("+json"))
        })
}

fn not_json() -> Error {
    Error::Unsupported("the body must be JSON: send it with Content-Type: application/json".into())
}

/// The body as the input type; a value that does not fit names its place (`terms.kind`,
/// `sides[1]`) and the line and column where it stands.
fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut reader = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." {
            "body".to_owned()
        } else {
            field
        };
        let inner = e.into_inner();
        Error::invalid(
            field,
            format!("{inner} (line {}, column {})", inner.line(), inner.column()),
        )
    })
}

/// A byte count as people read it.
pub(crate) fn in_words(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}
