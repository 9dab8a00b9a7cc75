//! Server-rendered pages. Each page reads through the same application methods as its API
//! route; askama escapes every value, so a name containing markup shows as text. Forms are
//! read through [`Posted`], which checks their anti-forgery token first.

mod cases;
mod dashboard;
mod lists;
mod log;
mod plans;
mod protection;
mod register;
mod review;
mod session;
mod signed;

use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::{MethodRouter, get};
use homeward_app::App;
use homeward_core::Error;

pub(crate) use crate::auth::Posted;

/// Every page route: its path and what answers it, written once.
fn table() -> Vec<(&'static str, MethodRouter<App>)> {
    let mut routes = vec![
        ("/static/app.css", get(stylesheet)),
        ("/", get(dashboard::dashboard)),
    ];
    routes.extend(session::routes());
    routes.extend(dashboard::routes());
    routes.extend(register::routes());
    routes.extend(lists::routes());
    routes.extend(review::routes());
    routes.extend(plans::routes());
    routes.extend(cases::routes());
    routes.extend(log::routes());
    routes.extend(signed::routes());
    routes.extend(protection::routes());
    routes
}

/// The pages' paths, as routed.
pub(crate) static PATHS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| table().into_iter().map(|(p, _)| p).collect());

pub(crate) fn routes() -> Router<App> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (path, method)| {
            router.route(path, method)
        })
}

pub(crate) fn render(t: &impl Template) -> Result<Html<String>, PageError> {
    t.render()
        .map(Html)
        .map_err(|e| PageError(Error::Io(format!("rendering a page: {e}"))))
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../static/app.css"),
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

/// A time as pages show it, in UTC.
pub(crate) fn utc(ms: i64) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_else(|| ms.to_string())
}

/// A value as a page shows it; nothing when absent.
pub(crate) fn word<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

/// A form field the user filled in, trimmed; `None` when left blank.
pub(crate) fn given(field: &str) -> Option<String> {
    Some(field.trim())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

/// A form with no fields of its own (its anti-forgery token is checked by [`Posted`]).
#[derive(Debug, Default, serde::Deserialize)]
pub(crate) struct NoFields {}
