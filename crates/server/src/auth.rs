//! Who is calling, as HTTP carries it: an API token (`Authorization: Bearer`), or a web
//! session started by the sign-in form (a cookie), whose forms carry an anti-forgery
//! token. Checking the credential is the application's ([`App::actor_by_token`],
//! [`App::session`]); this only finds it in the request.

use crate::{ApiError, PageError};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use homeward_app::{ActorNames, App};
use homeward_core::Error;
use homeward_core::access::Actor;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// The name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "homeward_session";

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The caller of an API route: bearer tokens only, never cookies, so that another site
/// cannot make a browser call the API.
#[derive(Debug, Clone)]
pub(crate) struct ApiCaller(pub Actor);

impl FromRequestParts<App> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(Error::Unauthenticated)?;
        Ok(ApiCaller(app.actor_by_token(token).await?))
    }
}

/// The caller of a page: a bearer token (scripts, tests) or a session cookie.
#[derive(Debug, Clone)]
pub(crate) struct PageCaller {
    /// Who.
    pub actor: Actor,
    /// The session's anti-forgery token; none for a bearer token, which another site
    /// cannot send.
    pub csrf: Option<String>,
    /// The session id, for signing out.
    pub session: Option<String>,
    /// The party's users by id: who an actor code on the page names.
    pub names: Arc<ActorNames>,
}

impl PageCaller {
    /// Refuses a form whose anti-forgery token is not the session's.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), Error> {
        match &self.csrf {
            None => Ok(()),
            Some(expected) if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) => Ok(()),
            Some(_) => Err(Error::invalid(
                "form",
                "the form is stale or did not come from this site; reload the page and try again",
            )),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<App> for PageCaller {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Self::Rejection> {
        let (actor, csrf, session) = if let Some(token) = bearer(parts) {
            (app.actor_by_token(token).await?, None, None)
        } else {
            let id = cookie(parts, SESSION_COOKIE).ok_or(Error::Unauthenticated)?;
            let session = app.session(id).await?;
            (session.actor, Some(session.csrf), Some(id.to_owned()))
        };
        let caller = PageCaller {
            names: Arc::new(app.actor_names(&actor).await?),
            actor,
            csrf,
            session,
        };
        // A form read after the path finds its caller here, without a second look-up.
        parts.extensions.insert(caller.clone());
        crate::pages::language::keep_caller(&caller);
        crate::pages::language::settle(app, &caller.actor).await;
        Ok(caller)
    }
}

/// A form posted by a page's caller, its anti-forgery token checked before anything else
/// of it is read: every page form goes through here, so none can forget the check. The
/// caller is the one the handler extracted before it (a [`PageCaller`] argument placed
/// ahead of the path, so that an unauthenticated visitor is sent to sign in before
/// anything of the request is parsed). A field that does not fit is an invalid input
/// naming it.
pub(crate) struct Posted<T>(pub T);

/// The largest form a page posts, as axum's own form reader allows (file uploads are
/// multipart, read elsewhere; a pasted bundle fits).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

impl<T: DeserializeOwned> FromRequest<App> for Posted<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, app: &App) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let caller = match parts.extensions.get::<PageCaller>() {
            Some(caller) => caller.clone(),
            None => PageCaller::from_request_parts(&mut parts, app).await?,
        };
        let is_form = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        if !is_form {
            return Err(Error::Unsupported(
                "a page's form is sent as application/x-www-form-urlencoded".to_owned(),
            )
            .into());
        }
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| Error::TooLarge {
                what: "the form".to_owned(),
                limit: "2 MiB".to_owned(),
            })?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|e| Error::invalid("form", e.to_string()))?;
        let csrf = fields
            .iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default();
        caller.check_csrf(csrf)?;
        // The field at fault is named, as the issue of a bad form needs.
        let form = serde_path_to_error::deserialize(serde_urlencoded::Deserializer::new(
            form_urlencoded::parse(&bytes),
        ))
        .map_err(|e| {
            let field = e.path().to_string();
            let field = if field == "." {
                "form".to_owned()
            } else {
                field
            };
            let why = e.into_inner().to_string();
            let value = fields
                .iter()
                .find(|(k, _)| *k == field)
                .map(|(_, v)| v.trim().to_owned());
            match form_reason(&why, value) {
                Some(code) => Error::refused(field, why, code),
                None => Error::invalid(field, why),
            }
        })?;
        Ok(Posted(form))
    }
}

/// The code of a form field's refusal, read from what the form's reader said of it: a
/// field that is missing, or a value that is not a number.
fn form_reason(why: &str, value: Option<String>) -> Option<homeward_core::Reason> {
    use homeward_core::Reason;
    if why.starts_with("missing field") {
        return Some(Reason::Missing);
    }
    let number = [
        "invalid digit",
        "cannot parse integer",
        "invalid float",
        "number too",
    ];
    match value {
        Some(value) if number.iter().any(|n| why.contains(n)) => Some(Reason::NotANumber { value }),
        _ => None,
    }
}
