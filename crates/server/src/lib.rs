//! The web face of homeward: a JSON API under `/api/v1` described by an OpenAPI document,
//! and server-rendered pages for people.
//!
//! This crate holds routing, sign-in, sessions, anti-forgery tokens, security headers and
//! rendering only. Every handler parses its request, calls one method of
//! [`homeward_app::App`] — which decides access, audits, seals and records — and renders
//! the result. Errors are mapped to HTTP once, in [`error`].

pub mod api;
mod auth;
mod error;
mod pages;
pub mod relay;

pub use error::{ApiError, PageError, log_details};
pub use homeward_app::App;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use homeward_core::Error;
use std::net::SocketAddr;

/// Every path the server answers, API and pages, so that tests can prove the access rule
/// on each of them.
pub fn route_paths() -> Vec<String> {
    let mut paths: Vec<String> = pages::PATHS.iter().map(|p| (*p).to_owned()).collect();
    paths.extend(api::paths());
    paths
}

/// The complete application.
pub fn router(app: App) -> Router {
    let (api, _) = api::routes().split_for_parts();
    Router::new()
        .merge(api)
        .merge(pages::routes())
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// Headers that keep pages holding personal data out of caches, frames and foreign
/// scripts.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    // A handler that set a header (the print view's own policy) keeps it.
    let set = |h: &mut axum::http::HeaderMap, name, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    // `no-referrer` would make browsers send `Origin: null` on our own forms.
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::CACHE_CONTROL, "no-store");
    response
}

/// Binds `addr` and serves until the process is stopped. An address already in use is
/// one clear error, before anything is served.
pub async fn serve(
    app: App,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::Unavailable(format!(
                "the address {addr} is already in use; stop the program using it or choose another with --addr"
            ))
        } else {
            Error::Io(format!("cannot listen on {addr}: {e}"))
        }
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::Io(format!("cannot read the bound address: {e}")))?;
    on_ready(bound);
    serve_on(app, listener).await
}

/// Serves `app` on a listener already bound (the demo binds its three servers' addresses
/// before seeding), with its courier when the app signs, until Ctrl-C.
pub async fn serve_on(app: App, listener: tokio::net::TcpListener) -> Result<(), Error> {
    // Failure details (which can quote names) stay out of the log unless asked for.
    log_details(std::env::var("HOMEWARD_LOG_NAMES").is_ok_and(|v| v == "1"));
    // A server that signs delivers what is due to its peers, for as long as it serves.
    let courier = if app.signs() {
        let c = relay::HttpCourier::new(std::time::Duration::from_secs(20))?;
        Some(tokio::spawn(relay::run_courier(
            app.clone(),
            c,
            homeward_app::relay::RelayPace::default(),
            std::time::Duration::from_secs(1),
        )))
    } else {
        None
    };
    // The peer's address is what sign-in counts failures by.
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| Error::Io(format!("the server stopped: {e}")))?;
    if let Some(c) = courier {
        c.abort();
    }
    Ok(())
}
