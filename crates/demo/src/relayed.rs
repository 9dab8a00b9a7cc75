//! The demo as the round really runs: Ukraine, Russia and Türkiye each on its own server
//! over its own store, with its own key, the others' keys pinned. Each side's lists leave
//! it only by being signed; its server's courier delivers them to the mediator's, which
//! counter-signs and passes them on; the addressee imports them and answers with a signed
//! receipt. Ukraine's medical commission states a finding the same way, as a signed
//! statement. Each side then reconciles on its own store, Ukraine's negotiator plans the
//! exchange from what Ukraine holds, and the plan is agreed and its first two stages run
//! through the relay ([`crate::shared`]). Every person is synthetic.

use crate::exchange::{ExchangeRun, plan_exchange, reconcile_and_confirm, user};
use crate::shared::{SharedRun, run_shared_exchange};
use crate::{Scale, Seeded, Whose, code, seed_for};
use homeward_app::App;
use homeward_app::relay::PeerInput;
use homeward_app::signed::KeyToHold;
use homeward_core::Error;
use homeward_core::access::{Administer, Grant, Role};
use homeward_core::party::PartyCode;
use std::time::Duration;

/// One party's own server as the demo plays on it: the application it serves (holding the
/// party's key), where it answers, and the key's public half.
#[derive(Clone)]
pub struct OwnServer {
    /// The party it speaks for.
    pub party: PartyCode,
    /// The application the server serves, with the party's signing key.
    pub app: App,
    /// Where it answers, as its peers reach it.
    pub base_url: String,
    /// The party's public key, 64 hex digits.
    pub public_key: String,
}

/// What the relayed demo did.
#[derive(Debug, Clone)]
pub struct RelayedRun {
    /// Each party's seeding: its register and its users' tokens.
    pub seeded: Vec<(PartyCode, Seeded)>,
    /// The lists each party signed (title), all delivered through the mediator.
    pub signed: Vec<(PartyCode, String)>,
    /// Deliveries made, counted on every server (lists, passed-on lists, receipts).
    pub deliveries: usize,
    /// Ukraine's reconciliation and plan, on its own store.
    pub ua: ExchangeRun,
    /// Russia's reconciliation, on its own store.
    pub ru: ExchangeRun,
    /// The plan shared between the three servers and its two stages executed.
    pub shared: SharedRun,
}

/// The kinds of list a party addresses to the other side in the demo.
const SENT_KINDS: [&str; 3] = ["request", "holding", "children"];

/// Seeds each server's empty store with its party's part of the scenario, registers each
/// key and pins the others', makes each belligerent's server a peer of the mediator's and
/// the mediator's of both, signs the lists each side addresses to the other, waits (up to
/// `patience`) until the couriers have delivered every one, then reconciles on each side.
/// The servers must be serving `servers[i].app` already: their couriers carry the lists.
pub async fn play_relayed(
    servers: &[OwnServer],
    scale: Scale,
    patience: Duration,
) -> Result<RelayedRun, Error> {
    let mut seeded = Vec::new();
    for s in servers {
        let now = s.app.now();
        let marker = Grant::<Administer>::system(s.party.clone(), "demo");
        s.app
            .store()
            .set_meta(&marker, "purpose", "demo", now)
            .await?;
        let made = seed_for(s.app.store(), scale, now, &Whose::Party(s.party.clone())).await?;
        seeded.push((s.party.clone(), made));
    }
    let tr = code("TR")?;
    for (s, (_, made)) in servers.iter().zip(&seeded) {
        let admin = user(&s.app, made, s.party.as_str(), Role::Admin).await?;
        for other in servers {
            let key = KeyToHold {
                party: other.party.clone(),
                public_key: other.public_key.clone(),
            };
            if other.party == s.party {
                s.app.hold_key(&admin, &key).await?;
            } else {
                s.app.pin_key(&admin, &key).await?;
            }
        }
        // Belligerents reach each other only through the mediator.
        for other in servers
            .iter()
            .filter(|o| o.party != s.party && (s.party == tr || o.party == tr))
        {
            let peer = PeerInput {
                party: other.party.clone(),
                base_url: other.base_url.clone(),
            };
            s.app.add_peer(&admin, &peer).await?;
        }
    }
    let mut signed = Vec::new();
    for (s, (_, made)) in servers.iter().zip(&seeded) {
        let admin = user(&s.app, made, s.party.as_str(), Role::Admin).await?;
        for list in s.app.lists(&admin).await? {
            if list.issuer == s.party.as_str() && SENT_KINDS.contains(&list.kind.as_str()) {
                s.app.sign_list(&admin, list.id).await?;
                signed.push((s.party.clone(), list.title));
            }
        }
    }
    // UA's commission decides on one more prisoner on UA's own server: the finding goes out
    // as UA's signed statement, beside the lists.
    for (s, (_, made)) in servers.iter().zip(&seeded) {
        if s.party.as_str() == "UA" {
            let operator = user(&s.app, made, "UA", Role::Operator).await?;
            crate::families::state_a_finding(&s.app, &operator).await?;
        }
    }
    let deliveries = delivered(servers, &seeded, signed.len(), patience).await?;
    let mut ua = ExchangeRun::default();
    let mut ru = ExchangeRun::default();
    for (s, (_, made)) in servers.iter().zip(&seeded) {
        let (run, other) = match s.party.as_str() {
            "UA" => (&mut ua, "RU"),
            "RU" => (&mut ru, "UA"),
            _ => continue,
        };
        let me = s.party.as_str();
        let reviewer = user(&s.app, made, me, Role::Reviewer).await?;
        let lists = s.app.lists(&reviewer).await?;
        let find = |kind: &str, issuer: &str| {
            lists
                .iter()
                .find(|l| {
                    l.kind == kind && l.issuer == issuer && l.category.as_deref() == Some("pow")
                })
                .map(|l| l.id)
                .ok_or_else(|| Error::NotFound(format!("{issuer}'s {kind} list on {me}'s server")))
        };
        // Its own list first (the records of its register), the other side's second: its
        // people in their custody, and their people in its custody whom they asked for.
        let pairs = [
            (find("request", me)?, find("holding", other)?),
            (find("holding", me)?, find("request", other)?),
        ];
        (run.proposed, run.confirmed) = reconcile_and_confirm(&s.app, &reviewer, &pairs).await?;
        if me == "UA" {
            let negotiator = user(&s.app, made, me, Role::Negotiator).await?;
            let stage_size = ((400.0 * scale.0).round() as u32).max(1);
            plan_exchange(&s.app, &negotiator, stage_size, run).await?;
        }
    }
    let shared = run_shared_exchange(servers, &seeded, patience).await?;
    Ok(RelayedRun {
        seeded,
        signed,
        deliveries,
        ua,
        ru,
        shared,
    })
}

/// Waits until no server has a delivery waiting and each signed list reached every
/// addressee and came back counter-signed; a refusal ends the wait with its reason.
/// Returns the deliveries made.
async fn delivered(
    servers: &[OwnServer],
    seeded: &[(PartyCode, Seeded)],
    lists: usize,
    patience: Duration,
) -> Result<usize, Error> {
    let started = std::time::Instant::now();
    loop {
        let mut waiting = 0;
        let mut done = 0;
        let mut received = 0;
        for (s, (_, made)) in servers.iter().zip(seeded) {
            let viewer = user(&s.app, made, s.party.as_str(), Role::Viewer).await?;
            let view = s.app.relay_view(&viewer).await?;
            for d in &view.sent {
                match d.state.as_str() {
                    "waiting" => waiting += 1,
                    "refused" => {
                        return Err(Error::Conflict(format!(
                            "{} refused {}'s delivery {}: {}",
                            d.to,
                            s.party,
                            d.id,
                            d.refused.as_deref().unwrap_or("no reason given")
                        )));
                    }
                    _ => done += 1,
                }
            }
            received += view.received.len();
        }
        // Each list: to the mediator, on to the addressee, back to the issuer, and the
        // addressee's receipt passed on — four deliveries accepted.
        if waiting == 0 && received >= lists * 4 {
            return Ok(done);
        }
        if started.elapsed() > patience {
            return Err(Error::Unavailable(format!(
                "the lists were not all delivered within {} s ({waiting} deliveries waiting); see each server's relay page",
                patience.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
