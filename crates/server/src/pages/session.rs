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
use homeward_app::{App, SESSION_TTL_MS};
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
}

async fn login_form() -> Result<Html<String>, PageError> {
    render(&LoginPage {
        who: Who::nobody(),
        failed: false,
    })
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
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    if !same_origin(&headers) {
        return Err(Error::invalid("form", "the sign-in form was posted from another site").into());
    }
    match app
        .sign_in(&form.token, &form.party, &form.user, &form.password)
        .await
    {
        Ok(actor) => {
            let (session, _csrf) = app.start_session(&actor).await?;
            let cookie = format!(
                "{SESSION_COOKIE}={session}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
                SESSION_TTL_MS / 1000
            );
            Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
        }
        Err(Error::Unauthenticated) => {
            let page = render(&LoginPage {
                who: Who::nobody(),
                failed: true,
            })?;
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
        Err(other) => Err(other.into()),
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
