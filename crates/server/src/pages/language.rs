//! The language a page is answered in, chosen once per request by the pages' layer: the
//! `?lang=` switch (then remembered in a cookie), the remembered choice, `Accept-Language`,
//! English. Handlers, templates and the error page read it through [`current`].

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use homeward_words::Lang;

/// The cookie that remembers a choice made with the switch.
pub(crate) const LANG_COOKIE: &str = "homeward_lang";

tokio::task_local! {
    static LANG: Lang;
}

/// The language of the page being answered; English outside a page request.
pub(crate) fn current() -> Lang {
    LANG.try_with(|l| *l).unwrap_or_default()
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
    let mut response = LANG.scope(lang, next.run(request)).await;
    if let Some(chosen) = switched {
        let value = format!(
            "{LANG_COOKIE}={}; Path=/; Secure; SameSite=Strict; Max-Age=31536000",
            chosen.code()
        );
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    response
}
