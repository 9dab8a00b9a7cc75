//! The HTTP face of homeward: a JSON API under `/api/v1` described by an OpenAPI
//! document, and server-rendered pages for people. Both read through the same store
//! methods, under the same access decisions, as the command line.
//!
//! This crate holds no rules of its own: it authenticates the caller, asks the core for a
//! grant, calls the store, and renders. Errors are mapped to HTTP once, in [`error`].

pub mod api;
pub mod auth;
pub mod bundles;
mod error;
pub mod export;
pub mod lists;
mod pages;
pub mod plans;
pub mod protection;
pub mod reconcile;
pub mod scenario;
mod signed_record;

pub use auth::{HashCost, hash_password};
pub use error::{ApiError, PageError, log_details};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use homeward_core::Error;
use homeward_store::Store;
use std::net::SocketAddr;
use std::sync::Arc;

/// Reads the clock, in milliseconds since the Unix epoch. The one place the server asks
/// for the time; everything below receives it as a parameter.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(now_ms)
}

/// The system clock in milliseconds since the Unix epoch: the one place homeward's
/// binaries read the time (the server through [`Clock`], the command line directly).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The clock.
    pub clock: Clock,
    /// Uploads waiting for their user to map columns on the upload page.
    pub(crate) pending: lists::PendingUploads,
    /// The party's secret signing key, when the server was started with one; it signs lists,
    /// tree heads and counter-signatures and is never written anywhere.
    pub key: Option<std::sync::Arc<homeward_ledger::keys::PartyKey>>,
}

impl AppState {
    /// State over `store` with the system clock.
    pub fn new(store: Store) -> Self {
        AppState {
            store,
            clock: system_clock(),
            pending: lists::PendingUploads::default(),
            key: None,
        }
    }

    /// The same state, signing with `key`.
    pub fn with_key(self, key: homeward_ledger::keys::PartyKey) -> Self {
        AppState {
            key: Some(std::sync::Arc::new(key)),
            ..self
        }
    }

    pub(crate) fn now(&self) -> i64 {
        (self.clock)()
    }
}

/// The day of a clock reading, in UTC.
pub fn day_of(now_ms: i64) -> homeward_core::record::PartialDate {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(now_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    homeward_core::record::PartialDate {
        year: t.year(),
        month: Some(u8::from(t.month())),
        day: Some(t.day()),
    }
}

/// Every path the server answers, API and pages, so that tests can prove the access rule
/// on each of them.
pub fn route_paths() -> Vec<&'static str> {
    let mut paths: Vec<&'static str> = pages::PATHS.to_vec();
    paths.extend(api::PATHS);
    paths
}

/// The complete application.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(api::routes())
        .merge(pages::routes())
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
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
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), Error> {
    // Failure details (which can quote names) stay out of the log unless asked for.
    log_details(std::env::var("HOMEWARD_LOG_NAMES").is_ok_and(|v| v == "1"));
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::Storage(format!(
                "the address {addr} is already in use; stop the program using it or choose another with --addr"
            ))
        } else {
            Error::Storage(format!("cannot listen on {addr}: {e}"))
        }
    })?;
    let bound = listener
        .local_addr()
        .map_err(|e| Error::Storage(format!("cannot read the bound address: {e}")))?;
    on_ready(bound);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Error::Storage(format!("the server stopped: {e}")))
}
