//! The courier between parties' servers: it takes the application's due deliveries to the
//! peers over HTTP (`POST /api/v1/relay`), every few seconds and whenever asked, and hands
//! back their receipts. What is delivered, when it is tried again and what a refusal means
//! is the application's (`homeward_app::relay`); this is the wire.

use crate::error::ErrorBody;
use homeward_app::App;
use homeward_app::relay::{Courier, RelayPace, Undelivered};
use homeward_ledger::relay::{Delivery, Receipt};
use std::time::Duration;

/// The courier over HTTP, with bounded waits: a peer that does not answer in time is down
/// for now, not waited on.
#[derive(Debug, Clone)]
pub struct HttpCourier {
    client: reqwest::Client,
}

impl HttpCourier {
    /// A courier that gives a peer `timeout` to answer.
    pub fn new(timeout: Duration) -> Result<HttpCourier, homeward_core::Error> {
        let client = reqwest::Client::builder()
            .connect_timeout(timeout)
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            // A fresh connection for each delivery: few are made, and a peer that restarted
            // is reached, not a connection to what it was.
            .pool_max_idle_per_host(0)
            .build()
            .map_err(|e| homeward_core::Error::Io(format!("the courier's HTTP client: {e}")))?;
        Ok(HttpCourier { client })
    }
}

impl Courier for HttpCourier {
    async fn carry(&self, base_url: &str, delivery: &Delivery) -> Result<Receipt, Undelivered> {
        let url = format!("{}/api/v1/relay", base_url.trim_end_matches('/'));
        let response = self
            .client
            .post(&url)
            .json(delivery)
            .send()
            .await
            .map_err(|e| Undelivered::Down(format!("{url}: {}", without_url(&e))))?;
        let status = response.status();
        if status.is_success() {
            return response.json::<Receipt>().await.map_err(|e| {
                Undelivered::Down(format!("{url}: the answer is not a receipt: {e}"))
            });
        }
        let said = response
            .json::<ErrorBody>()
            .await
            .map(|b| b.error)
            .unwrap_or_else(|_| status.to_string());
        // A peer that is busy, overloaded or failing now may take it later; one that checked
        // the delivery and refused it will refuse it again.
        if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
            Err(Undelivered::Down(format!(
                "{url} answered {}: {said}",
                status.as_u16()
            )))
        } else {
            Err(Undelivered::Refused(format!(
                "{} answered {}: {said}",
                delivery.to,
                status.as_u16()
            )))
        }
    }
}

/// A transport error in words, without repeating the URL reqwest puts in it.
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "no connection"
    } else if e.is_timeout() {
        "no answer in time"
    } else {
        "the request failed"
    };
    let mut source = std::error::Error::source(e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind} ({detail})")
    }
}

/// Runs the courier until the process stops: a round of deliveries every `tick`. A round
/// that fails (a busy store) is logged and the next one tries again.
pub async fn run_courier(app: App, courier: HttpCourier, pace: RelayPace, tick: Duration) {
    loop {
        match app.relay_round(&courier, pace).await {
            Ok(round) if round != Default::default() => {
                tracing::info!(
                    delivered = round.delivered,
                    waiting = round.waiting,
                    refused = round.refused,
                    "relay round"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("relay round failed: {}", crate::error::for_log(&e)),
        }
        tokio::time::sleep(tick).await;
    }
}
