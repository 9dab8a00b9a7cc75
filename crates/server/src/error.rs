//! The one place where the project's error meets HTTP.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use homeward_core::Error;
use serde::Serialize;

fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Denied(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// Whether the server log may hold the details of failures, which can quote the data being
/// written (names among it). Off by default; `HOMEWARD_LOG_NAMES=1` turns it on for
/// debugging on synthetic data.
static LOG_DETAILS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Lets the log hold failure details (names included), for debugging on synthetic data.
pub fn log_details(on: bool) {
    LOG_DETAILS.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// A failure's detail as the log may hold it: only what was being done (the words before
/// the first colon), unless details were let in.
pub fn for_log(detail: &str) -> String {
    if LOG_DETAILS.load(std::sync::atomic::Ordering::Relaxed) {
        return detail.to_owned();
    }
    let what = detail.split(':').next().unwrap_or_default();
    format!(
        "{what}: [details withheld from the log; set HOMEWARD_LOG_NAMES=1 on synthetic data to see them]"
    )
}

/// What a caller may be told: storage failures are logged (redacted) and reported without
/// their internals.
fn public_message(e: &Error) -> String {
    match e {
        Error::Storage(detail) => {
            let detail = for_log(detail);
            tracing::error!(%detail, "storage failure");
            "the store failed; the operator has the details in the server log".to_owned()
        }
        other => other.to_string(),
    }
}

/// The body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, in words.
    pub error: String,
}

/// An error returned by an API route, as JSON.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let body = ErrorBody {
            status: status.as_u16(),
            error: public_message(&self.0),
        };
        let mut response = (status, Json(body)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"homeward\""),
            );
        }
        response
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    title: &'static str,
    message: String,
}

/// An error returned by a page, as HTML. An unauthenticated visitor is sent to sign in.
#[derive(Debug)]
pub struct PageError(pub Error);

impl<E: Into<Error>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        if matches!(self.0, Error::Unauthenticated) {
            return axum::response::Redirect::to("/login").into_response();
        }
        let status = status_of(&self.0);
        let page = ErrorPage {
            status: status.as_u16(),
            title: status.canonical_reason().unwrap_or("Error"),
            message: public_message(&self.0),
        };
        match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, page.message).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_holds_no_detail_unless_let_in() {
        let failure = "storing a person record: value 'Шевчук' too long";
        let logged = for_log(failure);
        assert!(logged.starts_with("storing a person record:") && !logged.contains("Шевчук"));
        log_details(true);
        assert_eq!(for_log(failure), failure);
        log_details(false);
    }
}
