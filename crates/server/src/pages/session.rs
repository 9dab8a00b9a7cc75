//! Signing in and out. A signed-in browser holds a session cookie (`HttpOnly; Secure;
//! SameSite=Strict`) and posts forms carrying the session's anti-forgery token.

use super::{NoFields, Posted, Who, render};
use crate::PageError;
use crate::auth::PageCaller;
use crate::auth::SESSION_COOKIE;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::{App, SESSION_TTL_MS, SignIn, wait_message};
use homeward_core::Error;
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/login", get(login_form).post(login)),
        ("/logout", post(logout)),
    ]
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    who: Who,
    failed: bool,
    /// Why sign-in must wait, and until when (the application's wording).
    wait: Option<String>,
}

async fn login_form() -> Result<Html<String>, PageError> {
    render(&LoginPage {
        who: Who::nobody(),
        failed: false,
        wait: None,
    })
}

/// The address the request came from, when the server was started with it (behind a proxy
/// this is the proxy's).
fn peer(extensions: &axum::http::Extensions) -> Option<std::net::IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
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
    State(app): State<App>,
    extensions: axum::http::Extensions,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    if !same_origin(&headers) {
        return Err(Error::invalid("form", "the sign-in form was posted from another site").into());
    }
    match app
        .sign_in(
            &form.token,
            &form.party,
            &form.user,
            &form.password,
            peer(&extensions),
        )
        .await?
    {
        SignIn::Actor(actor) => {
            let (session, _csrf) = app.start_session(&actor).await?;
            let cookie = format!(
                "{SESSION_COOKIE}={session}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
                SESSION_TTL_MS / 1000
            );
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
        }
        SignIn::Failed => {
            let page = render(&LoginPage {
                who: Who::nobody(),
                failed: true,
                wait: None,
            })?;
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        SignIn::Wait { until_ms, locked } => {
            let page = render(&LoginPage {
                who: Who::nobody(),
                failed: false,
                wait: Some(wait_message(until_ms, locked)),
            })?;
            let seconds = (until_ms - app.now()).max(0) / 1000 + 1;
            Ok((
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, seconds.to_string())],
                page,
            )
                .into_response())
        }
    }
}

async fn logout(
    State(app): State<App>,
    caller: PageCaller,
    _: Posted<NoFields>,
) -> Result<Response, PageError> {
    if let Some(id) = &caller.session {
        app.end_session(id).await?;
    }
    let clear = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0");
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/login")).into_response())
}
