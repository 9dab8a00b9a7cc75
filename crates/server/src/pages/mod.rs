//! Server-rendered pages. Each page reads through the same application methods as its API
//! route; askama escapes every value, so a name containing markup shows as text. Forms are
//! read through [`Posted`], which checks their anti-forgery token first.

mod cases;
mod charts;
mod commission;
mod dashboard;
mod desk;
mod enquiries;
pub(crate) mod language;
mod lists;
mod log;
mod plans;
mod protection;
pub(crate) mod reasons;
mod records;
mod register;
mod relay;
mod review;
mod session;
mod signed;
mod terms;

use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::{MethodRouter, get};
use homeward_app::desk::{Place, places};
use homeward_app::{ActorNames, App, ShownActor};
use homeward_core::Error;
use homeward_words::{Arg, Lang};
use std::sync::Arc;

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
    routes.extend(records::routes());
    routes.extend(enquiries::routes());
    routes.extend(commission::routes());
    routes.extend(lists::routes());
    routes.extend(review::routes());
    routes.extend(plans::routes());
    routes.extend(cases::routes());
    routes.extend(log::routes());
    routes.extend(signed::routes());
    routes.extend(relay::routes());
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
        .layer(axum::middleware::from_fn(language::choose))
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

/// The signed-in user as the navigation bar shows them, and the language the page speaks.
pub(crate) struct Who {
    pub(crate) user: String,
    pub(crate) party: String,
    /// The roles in the page's language, as the bar shows them.
    pub(crate) roles: String,
    pub(crate) csrf: String,
    pub(crate) lang: Lang,
    /// The pages the user may open, as the navigation offers them: address and words.
    pub(crate) nav: Vec<(&'static str, String)>,
    /// Whether the navigation offers the search (the register is open to the user).
    pub(crate) finds: bool,
    /// The party's users, to say who an actor code names.
    names: Arc<ActorNames>,
}

/// Where each place of the navigation is.
fn address(place: Place) -> &'static str {
    match place {
        Place::Start => "/",
        Place::Register => "/persons",
        Place::Lists => "/lists",
        Place::Review => "/review",
        Place::Signed => "/bundles",
        Place::Relay => "/relay",
        Place::Enquiries => "/enquiries",
        Place::Log => "/log",
        Place::Reads => "/audit",
    }
}

impl From<&PageCaller> for Who {
    fn from(c: &PageCaller) -> Self {
        let lang = language::current();
        Who {
            user: c.actor.user_name.clone(),
            party: c.actor.party.to_string(),
            roles: c
                .actor
                .roles
                .iter()
                .map(|r| lang.code_word("role", r.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            csrf: c.csrf.clone().unwrap_or_default(),
            nav: places(&c.actor)
                .into_iter()
                .map(|p| (address(p), lang.t(&format!("nav-{}", p.code()))))
                .collect(),
            finds: Place::Register.open_to(&c.actor),
            names: Arc::clone(&c.names),
            lang,
        }
    }
}

impl Who {
    /// Nobody signed in yet (the sign-in and error pages), in the request's language.
    pub(crate) fn nobody() -> Who {
        Who {
            user: String::new(),
            party: String::new(),
            roles: String::new(),
            csrf: String::new(),
            lang: language::current(),
            nav: Vec::new(),
            finds: false,
            names: Arc::default(),
        }
    }

    /// Whoever the request's caller was, once known (an error page shows their
    /// navigation); nobody before that.
    pub(crate) fn current() -> Who {
        language::caller().map_or_else(Who::nobody, |c| Who::from(&c))
    }

    /// A message of the page's language.
    pub(crate) fn t(&self, id: &str) -> String {
        self.lang.t(id)
    }

    /// A message with one value.
    pub(crate) fn t1(&self, id: &str, name: &str, value: impl Into<Arg>) -> String {
        self.lang.t_with(id, &[(name, value.into())])
    }

    /// A message with values.
    pub(crate) fn tw(&self, id: &str, args: &[(&str, Arg)]) -> String {
        self.lang.t_with(id, args)
    }

    /// Who an actor code (of an event, a read, a change, a case) names, in the page's
    /// words: a user by login name, the tool by what it was doing. The records keep the
    /// code; no page shows it.
    pub(crate) fn by(&self, code: &str) -> String {
        let lang = self.lang;
        match self.names.shown(code) {
            ShownActor::User(name) => name.to_owned(),
            ShownActor::FormerUser(id) => lang.t_with("actor-former-user", &[("id", id.into())]),
            ShownActor::ToolFor(name) => lang.t_with("actor-tool-for", &[("user", name.into())]),
            ShownActor::Tool(purpose) => {
                let id = format!("actor-tool-{purpose}");
                lang.t(if lang.has(&id) { &id } else { "actor-tool" })
            }
            ShownActor::Other(code) => code.to_owned(),
        }
    }

    /// The party's users as (actor code, login name), for a filter by user.
    pub(crate) fn colleagues(&self) -> Vec<(String, &str)> {
        self.names.users()
    }

    /// A domain code (status, category, movement …) as a word of the page's language.
    pub(crate) fn code(&self, kind: &str, code: &str) -> String {
        self.lang.code_word(kind, code)
    }

    /// A whole number in the language's way.
    pub(crate) fn n(&self, n: impl Into<Arg>) -> String {
        match n.into() {
            Arg::Number(n) => self.lang.number(n),
            Arg::Text(t) => t,
        }
    }

    /// A date kept as `YYYY[-MM[-DD]]`, in the language's order.
    pub(crate) fn date(&self, iso: &str) -> String {
        self.lang.date(iso)
    }

    /// The switch: every language by its own name, with its code and whether it is the
    /// page's.
    pub(crate) fn languages(&self) -> Vec<(&'static str, String, bool)> {
        Lang::all()
            .map(|l| (l.code(), l.t("language-name"), l == self.lang))
            .collect()
    }
}

/// A time as pages show it, in UTC, in the language's way.
pub(crate) fn utc(ms: impl std::borrow::Borrow<i64>) -> String {
    let ms = *ms.borrow();
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .and_then(|t| {
            let (date, time) = t.split_once(' ')?;
            Some(language::current().moment(date, time))
        })
        .unwrap_or_else(|| ms.to_string())
}

/// A code as a word of the page's language (`kind-code` in the Fluent files).
pub(crate) fn code_word(kind: &str, code: &str) -> String {
    language::current().code_word(kind, code)
}

/// A SHA-256 as a reader compares it: its first 12 digits (pages put the whole one in the
/// element's title).
pub(crate) fn short_hash(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// The page's language.
pub(crate) fn lang() -> Lang {
    language::current()
}

/// A value as a page shows it, as written; nothing when absent. A value masked for the
/// reader says so in the page's language.
pub(crate) fn word<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map(ToString::to_string)
        .map(|v| {
            if v == homeward_core::protection::MASK {
                lang().t("masked")
            } else {
                v
            }
        })
        .unwrap_or_default()
}

/// A name as the reader may see it: the parts masked for the reader say so in the page's
/// language.
pub(crate) fn shown_name(name: &str) -> String {
    name.replace(homeward_core::protection::MASK, &lang().t("masked"))
}

/// A domain value as a word of the page's language (`kind-code` in the Fluent files);
/// nothing when absent.
pub(crate) fn said<T: std::fmt::Display>(kind: &str, v: &Option<T>) -> String {
    v.as_ref()
        .map(|v| code_word(kind, &v.to_string()))
        .unwrap_or_default()
}

/// A date the register keeps (`YYYY[-MM[-DD]]`) in the page's language; nothing when absent.
pub(crate) fn dated<T: std::fmt::Display>(v: &Option<T>) -> String {
    v.as_ref()
        .map(|v| lang().date(&v.to_string()))
        .unwrap_or_default()
}

/// A typed value as shown (`shown`), or, when it could not be read on import, the text as
/// written and marked so in the page's language.
pub(crate) fn or_as_written(
    r: &homeward_core::record::PersonRecord,
    field: &str,
    shown: String,
) -> String {
    match (shown.is_empty(), r.as_written(field)) {
        (true, Some(raw)) => format!("{raw} ({})", lang().t("unreadable")),
        _ => shown,
    }
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
