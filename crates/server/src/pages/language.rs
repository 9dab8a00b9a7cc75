//! The language a page is answered in, chosen once per request by the pages' layer: the
//! `?lang=` switch (then remembered in a cookie and as the signed-in user's choice), the
//! user's saved choice, the browser's remembered one, `Accept-Language`, English.
//! Handlers, templates and the error page read it through [`current`].

use crate::auth::PageCaller;
use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use homeward_app::App;
use homeward_core::access::Actor;
use homeward_words::Lang;
use std::cell::{Cell, RefCell};

/// The cookie that remembers a choice made with the switch.
pub(crate) const LANG_COOKIE: &str = "homeward_lang";

/// The request's language as chosen so far, and the switch if it was pressed.
struct Chosen {
    lang: Cell<Lang>,
    switched: Option<Lang>,
    /// The caller, once known, so that an error page can show their navigation.
    caller: RefCell<Option<PageCaller>>,
}

tokio::task_local! {
    static LANG: Chosen;
}

/// The language of the page being answered; English outside a page request.
pub(crate) fn current() -> Lang {
    LANG.try_with(|c| c.lang.get()).unwrap_or_default()
}

/// The request's caller, when one was found.
pub(crate) fn caller() -> Option<PageCaller> {
    LANG.try_with(|c| c.caller.borrow().clone()).ok().flatten()
}

/// Keeps the request's caller for the rest of the request.
pub(crate) fn keep_caller(caller: &PageCaller) {
    let _ = LANG.try_with(|c| *c.caller.borrow_mut() = Some(caller.clone()));
}

/// Once the caller is known: a pressed switch is kept as the user's choice; otherwise the
/// user's saved choice, if any, decides the page's language.
pub(crate) async fn settle(app: &App, actor: &Actor) {
    let Ok(switched) = LANG.try_with(|c| c.switched) else {
        return;
    };
    let outcome = match switched {
        Some(lang) => app.keep_language(actor, lang.code()).await,
        None => app.language_of(actor).await.map(|saved| {
            if let Some(lang) = saved.as_deref().and_then(Lang::from_code) {
                let _ = LANG.try_with(|c| c.lang.set(lang));
            }
        }),
    };
    // A preference that cannot be read or kept leaves the page in the language chosen
    // without it; the page itself does not fail for it.
    if let Err(e) = outcome {
        tracing::warn!(error = %crate::error::for_log(&e), "the user's language");
    }
}

/// The value of `lang` in a query string, if any.
fn asked(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "lang")
        .map(|(_, v)| v.into_owned())
}

fn remembered(request: &Request) -> Option<String> {
    request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == LANG_COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// Whether the request came over HTTPS: to this server itself (an `https` address), or to
/// the proxy in front of it (`X-Forwarded-Proto: https`). Only then is the language cookie
/// marked `Secure`, so that the switch also works on plain HTTP on loopback.
fn over_https(request: &Request) -> bool {
    request.uri().scheme_str() == Some("https")
        || request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// Chooses the request's language, answers the request in it, and remembers a choice made
/// with the switch.
pub(crate) async fn choose(request: Request, next: Next) -> Response {
    let switched = asked(request.uri().query()).and_then(|c| Lang::from_code(&c));
    let cookie = remembered(&request);
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let lang = homeward_words::negotiate(
        &[switched.map(Lang::code), cookie.as_deref()],
        accept.as_deref(),
    );
    let chosen = Chosen {
        lang: Cell::new(lang),
        switched,
        caller: RefCell::new(None),
    };
    let secure = if over_https(&request) { "; Secure" } else { "" };
    let mut response = LANG.scope(chosen, next.run(request)).await;
    if let Some(chosen) = switched {
        let value = format!(
            "{LANG_COOKIE}={}; Path=/{secure}; SameSite=Strict; Max-Age=31536000",
            chosen.code()
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
