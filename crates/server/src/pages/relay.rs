//! The relay page (`/relay`): the peers this server delivers to, every delivery it sent
//! (waiting with its last error and next try, delivered with the receiver's signed receipt,
//! refused with why) and every one it accepted.

use super::{Posted, Who, render};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::routing::{MethodRouter, get};
use homeward_app::App;
use homeward_app::relay::PeerInput;
use homeward_store::{DeliveryView, Peer, ReceivedView};
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![("/relay", get(page).post(add_peer))]
}

#[derive(Template)]
#[template(path = "relay.html")]
struct RelayPage {
    who: Who,
    party: Option<String>,
    peers: Vec<Peer>,
    sent: Vec<DeliveryView>,
    received: Vec<ReceivedView>,
    may_add_peer: bool,
}

impl RelayPage {
    /// A SHA-256 as a reader compares it (the full one in the title).
    fn short(sha: &Option<String>) -> &str {
        sha.as_deref().map(super::short_hash).unwrap_or_default()
    }
}

async fn page(State(app): State<App>, caller: PageCaller) -> Result<Html<String>, PageError> {
    let view = app.relay_view(&caller.actor).await?;
    render(&RelayPage {
        who: Who::from(&caller),
        party: view.party,
        peers: view.peers,
        sent: view.sent,
        received: view.received,
        may_add_peer: app.may_add_peer(&caller.actor),
    })
}

#[derive(Deserialize)]
struct PeerForm {
    party: String,
    base_url: String,
}

/// `POST /relay`: an admin adds a peer (its key pinned first).
async fn add_peer(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<PeerForm>,
) -> Result<Redirect, PageError> {
    let peer = PeerInput {
        party: form.party.trim().parse()?,
        base_url: form.base_url,
    };
    app.add_peer(&caller.actor, &peer).await?;
    Ok(Redirect::to("/relay"))
}
