//! The one place where the project's error meets HTTP: each kind of error has one status,
//! one JSON body for the API and one page for people; what reaches the log is decided by
//! the kind of error, never by its text.

use askama::Template;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use homeward_core::Error;
use serde::Serialize;

/// The HTTP status of each kind of error.
pub(crate) fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::Unauthenticated | Error::UnknownSender(_) => StatusCode::UNAUTHORIZED,
        Error::Denied(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
        Error::Unsupported(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        Error::Conflict(_) | Error::Collides { .. } => StatusCode::CONFLICT,
        Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Storage(_) | Error::Io(_) => StatusCode::INTERNAL_SERVER_ERROR,
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

/// What the log may hold of a failure: the whole message when details were let in, or
/// when the kind of error never quotes data; otherwise only its kind.
pub(crate) fn for_log(e: &Error) -> String {
    if !e.may_quote_data() || LOG_DETAILS.load(std::sync::atomic::Ordering::Relaxed) {
        return e.to_string();
    }
    let kind = match e {
        Error::Io(_) => "a file or stream failed",
        _ => "the store failed",
    };
    format!(
        "{kind}: [details withheld from the log; set HOMEWARD_LOG_NAMES=1 on synthetic data to see them]"
    )
}

/// What a caller may be told: failures that may quote data are logged (redacted) and
/// reported without their internals.
fn public_message(e: &Error) -> String {
    if e.may_quote_data() {
        let detail = for_log(e);
        tracing::error!(%detail, "server failure");
        return "the server failed; the operator has the details in the server log".to_owned();
    }
    e.to_string()
}

/// A store busy with another change is worth trying again soon: both faces say when.
fn ask_to_retry(status: StatusCode, response: &mut Response) {
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            axum::http::header::RETRY_AFTER,
            axum::http::HeaderValue::from_static("5"),
        );
    }
}

/// The body of every API error (a peer's courier reads it back).
#[derive(Debug, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// HTTP status code.
    pub status: u16,
    /// What went wrong, in words; for invalid input it names the field.
    pub error: String,
    /// The refusal's code, for the common ones (`missing`, `too_long`, `not_a_date`,
    /// `not_a_number`, `not_one_of`, `same_file`, `already_decided`, `step_not_allowed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
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
            code: crate::pages::reasons::code_of(&self.0).map(str::to_owned),
        };
        let mut response = (status, Json(body)).into_response();
        ask_to_retry(status, &mut response);
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
    who: crate::pages::Who,
    status: u16,
    title: String,
    message: String,
    /// What the error itself says: in the page's language for a refusal with a code, in
    /// English (as the application words it) for the others.
    detail: Option<String>,
}

/// The page's words for a kind of error: its title, and what a person can do about it.
fn page_words(e: &Error) -> (&'static str, &'static str) {
    match e {
        Error::Unauthenticated | Error::UnknownSender(_) => {
            ("error-unauthenticated-title", "error-unauthenticated")
        }
        Error::Denied(_) => ("error-denied-title", "error-denied"),
        Error::NotFound(_) => ("error-not-found-title", "error-not-found"),
        Error::Invalid { .. } => ("error-invalid-title", "error-invalid"),
        Error::TooLarge { .. } => ("error-too-large-title", "error-too-large"),
        Error::Unsupported(_) => ("error-unsupported-title", "error-unsupported"),
        Error::Conflict(_) | Error::Collides { .. } => ("error-conflict-title", "error-conflict"),
        Error::Unavailable(_) => ("error-unavailable-title", "error-unavailable"),
        Error::Storage(_) | Error::Io(_) => ("error-failure-title", "error-failure"),
    }
}

/// Why a page was refused and whom to ask, in the page's language: what the user asked to
/// do, the roles that would allow it, and the party's administrator who gives roles.
fn denial(who: &crate::pages::Who, d: &homeward_core::access::Denied) -> String {
    let needed = d
        .needed
        .split(", ")
        .map(|r| who.code("role", r))
        .collect::<Vec<_>>()
        .join(", ");
    let roles = if who.roles.is_empty() {
        who.t("error-denied-no-role")
    } else {
        who.roles.clone()
    };
    who.tw(
        "error-denied-why",
        &[
            ("user", d.user.clone().into()),
            ("roles", roles.into()),
            ("command", who.code("command", d.code).into()),
            ("needed", needed.into()),
            ("party", d.party.clone().into()),
        ],
    )
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
        let who = crate::pages::Who::current();
        let (title, message) = page_words(&self.0);
        let detail = public_message(&self.0);
        let (message, shown) = match &self.0 {
            Error::Denied(d) => (denial(&who, d), None),
            _ => (
                who.t(message),
                crate::pages::reasons::said(&self.0)
                    .or_else(|| (!self.0.may_quote_data()).then_some(detail.clone())),
            ),
        };
        let page = ErrorPage {
            status: status.as_u16(),
            title: who.t(title),
            message,
            detail: shown,
            who,
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, detail).into_response(),
        };
        ask_to_retry(status, &mut response);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_log_holds_no_detail_unless_let_in() {
        let failure = Error::Storage("storing a person record: value 'Шевчук' too long".into());
        let logged = for_log(&failure);
        assert!(logged.starts_with("the store failed:") && !logged.contains("Шевчук"));
        // The redaction follows the kind, not the text: a colon-free message is withheld too.
        let io = Error::Io("writing Шевчук".into());
        assert!(!for_log(&io).contains("Шевчук"));
        // An invalid input names the field and no stored data: it is logged as it is.
        let invalid = Error::invalid("born", "31.02.1999 is not a date");
        assert_eq!(for_log(&invalid), invalid.to_string());
        log_details(true);
        assert_eq!(for_log(&failure), failure.to_string());
        log_details(false);
    }
}
