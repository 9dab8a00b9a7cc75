//! Lists relayed between the parties' own servers through the mediator's: the peers a
//! server knows, the round of deliveries its courier makes (bundles made when first sent,
//! retried with back-off while a peer is down, refused ones not tried again), and the
//! deliveries it accepts from peers. The server itself acts here — its key is its
//! credential — so these are the tool's own acts (`system:relay`), not a user's; what a
//! user may see of them and change goes through the access rule as everywhere else.

use crate::{App, Error, grant};
use homeward_core::access::{Actor, Administer, Grant, ReadRegister, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_ledger::relay::{Delivery, Receipt};
use homeward_store::{DeliveryView, DueDelivery, Peer, ReceivedView};
use serde::{Deserialize, Serialize};

/// How a delivery did not arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Undelivered {
    /// The peer could not be reached or could not take it now: tried again later.
    Down(String),
    /// The peer checked it and refused it: not tried again.
    Refused(String),
}

/// What carries a delivery to a peer's server and brings back its receipt (HTTP, in the
/// server crate).
pub trait Courier {
    /// Delivers `delivery` to the server at `base_url`.
    fn carry(
        &self,
        base_url: &str,
        delivery: &Delivery,
    ) -> impl std::future::Future<Output = Result<Receipt, Undelivered>> + Send;
}

/// How often and how patiently deliveries are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelayPace {
    /// The wait after the first failure, doubled after each further one.
    pub first_retry_ms: i64,
    /// The longest wait between two tries, so a peer back after a day is reached soon.
    pub longest_wait_ms: i64,
    /// Deliveries tried in one round.
    pub per_round: i64,
}

impl Default for RelayPace {
    fn default() -> Self {
        RelayPace {
            first_retry_ms: 2_000,
            longest_wait_ms: 5 * 60_000,
            per_round: 50,
        }
    }
}

impl RelayPace {
    /// The wait before the next try after `failures` failed attempts.
    pub fn wait_after(&self, failures: i64) -> i64 {
        let doubled = 1_i64
            .checked_shl(u32::try_from(failures.clamp(0, 40) - 1).unwrap_or(0))
            .unwrap_or(i64::MAX);
        self.first_retry_ms
            .saturating_mul(doubled)
            .min(self.longest_wait_ms)
    }
}

/// What one round of deliveries did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RelayRound {
    /// Delivered, with a receipt kept.
    pub delivered: usize,
    /// Not reached; tried again later.
    pub waiting: usize,
    /// Refused by the peer.
    pub refused: usize,
}

/// A peer to add.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct PeerInput {
    /// The other party.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub party: PartyCode,
    /// Where its server answers, as seen from this machine: `http://127.0.0.1:port` (the
    /// near end of a TLS tunnel to the peer, or one of the demo's servers).
    pub base_url: String,
}

/// What the relay holds: peers, deliveries sent and received.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct RelayView {
    /// The party this server speaks for, when it holds its key.
    pub party: Option<String>,
    /// The peers.
    pub peers: Vec<Peer>,
    /// The outbox, newest first.
    pub sent: Vec<DeliveryView>,
    /// What was accepted, newest first.
    pub received: Vec<ReceivedView>,
}

/// Refuses a peer address that would carry lists of people in clear over a network.
fn check_base_url(url: &str) -> Result<String, Error> {
    let url = url.trim().trim_end_matches('/');
    let bad = |why: &str| Err(Error::invalid("base_url", format!("{url:?}: {why}")));
    let Some((scheme, rest)) = url.split_once("://") else {
        return bad("not an address; write it as https://host:port");
    };
    let host = rest
        .split('/')
        .next()
        .unwrap_or("")
        .rsplit_once(':')
        .map_or(rest, |(h, _)| h);
    let loopback = matches!(host, "127.0.0.1" | "localhost" | "[::1]");
    match scheme {
        "http" if loopback => Ok(url.to_owned()),
        "http" => bad(
            "lists of people do not travel in clear: use https, or a TLS tunnel ending on this machine (http://127.0.0.1:port)",
        ),
        // This build's courier speaks plain HTTP only; a peer across a network is reached
        // through a TLS tunnel that ends on this machine.
        "https" => bad(
            "this build reaches peers over a TLS tunnel ending on this machine: give the tunnel's http://127.0.0.1:port",
        ),
        _ => bad("only http://127.0.0.1 addresses (through a TLS tunnel) are peers"),
    }
}

impl App {
    /// The party this server speaks for: the one whose current key it signs with.
    pub async fn own_party(&self) -> Result<PartyCode, Error> {
        let key = self.signing_key()?;
        self.store
            .party_of_key(&key.public_hex())
            .await?
            .ok_or_else(|| {
                Error::invalid(
                    "key",
                    format!(
                        "the server's key {} is no party's current key here; register it (homeward key register)",
                        key.public_hex()
                    ),
                )
            })
    }

    /// Adds a peer, or moves it (admins of the party this server speaks for).
    pub async fn add_peer(&self, actor: &Actor, peer: &PeerInput) -> Result<(), Error> {
        let admin = grant::<Administer>(actor)?;
        let url = check_base_url(&peer.base_url)?;
        self.store
            .add_peer(&admin, &peer.party, &url, self.now())
            .await
    }

    /// Whether the actor may add peers (the page offers the form only then).
    pub fn may_add_peer(&self, actor: &Actor) -> bool {
        grant::<Administer>(actor).is_ok()
    }

    /// The relay as the actor's party sees it: peers, what it sent and what it received.
    pub async fn relay_view(&self, actor: &Actor) -> Result<RelayView, Error> {
        let read = grant::<ReadRegister>(actor)?;
        Ok(RelayView {
            party: self.own_party().await.ok().map(|p| p.to_string()),
            peers: self.store.peers(&read).await?,
            sent: self.store.deliveries(&read).await?,
            received: self.store.received(&read).await?,
        })
    }

    /// The signed receipts the actor's party holds: for its deliveries, and those passed
    /// on to it.
    pub async fn receipts(&self, actor: &Actor) -> Result<Vec<Receipt>, Error> {
        self.store.receipts(&grant::<ReadRegister>(actor)?).await
    }

    /// One round of deliveries pushed by hand (an admin of the party this server speaks
    /// for), as the server's courier pushes them on its own.
    pub async fn push_deliveries(
        &self,
        actor: &Actor,
        courier: &impl Courier,
        pace: RelayPace,
    ) -> Result<RelayRound, Error> {
        let admin = grant::<Administer>(actor)?;
        let me = self.own_party().await?;
        if admin.party() != &me {
            return Err(Error::Denied(homeward_core::access::Denied {
                user: actor.user_name.clone(),
                party: actor.party.to_string(),
                command: "push the relay's deliveries",
                code: <Administer as homeward_core::access::Command>::CODE,
                needed: format!("admin of {me}, the party this server speaks for"),
            }));
        }
        self.relay_round(courier, pace).await
    }

    /// One round of deliveries: each due one is made (a bundle, covered by a fresh tree
    /// head, on its first try), signed, carried, and its receipt kept; a peer that is down
    /// is tried again after a wait that doubles; a refusal is final. Does nothing on a
    /// server without a key.
    pub async fn relay_round(
        &self,
        courier: &impl Courier,
        pace: RelayPace,
    ) -> Result<RelayRound, Error> {
        let Ok(me) = self.own_party().await else {
            return Ok(RelayRound::default());
        };
        let admin = Grant::<Administer>::system(me.clone(), "relay");
        let mut round = RelayRound::default();
        let due = self
            .store
            .due_deliveries(&admin, self.now(), pace.per_round)
            .await?;
        for entry in due {
            let delivery = match self.delivery_of(&me, &admin, &entry).await {
                Ok(d) => d,
                // A list that may no longer leave (a consent withdrawn, a status restricted)
                // is refused here, as the peer would.
                Err(e) => {
                    self.store
                        .delivery_refused(&admin, entry.id, &e.to_string(), self.now())
                        .await?;
                    round.refused += 1;
                    continue;
                }
            };
            match courier.carry(&entry.base_url, &delivery).await {
                Ok(receipt) => match self
                    .store
                    .delivered(&admin, entry.id, &receipt, self.now())
                    .await
                {
                    Ok(()) => round.delivered += 1,
                    // A receipt that does not check is no receipt: tried again.
                    Err(e) => {
                        self.failed(&admin, &entry, &e.to_string(), pace).await?;
                        round.waiting += 1;
                    }
                },
                Err(Undelivered::Down(why)) => {
                    self.failed(&admin, &entry, &why, pace).await?;
                    round.waiting += 1;
                }
                Err(Undelivered::Refused(why)) => {
                    self.store
                        .delivery_refused(&admin, entry.id, &why, self.now())
                        .await?;
                    round.refused += 1;
                }
            }
        }
        Ok(round)
    }

    async fn failed(
        &self,
        admin: &Grant<Administer>,
        entry: &DueDelivery,
        why: &str,
        pace: RelayPace,
    ) -> Result<(), Error> {
        let next = self.now() + pace.wait_after(entry.attempts + 1);
        self.store.delivery_failed(admin, entry.id, why, next).await
    }

    /// The signed delivery of an outbox entry; its document is made on the first try and
    /// kept, so every retry carries the same bytes.
    async fn delivery_of(
        &self,
        me: &PartyCode,
        admin: &Grant<Administer>,
        entry: &DueDelivery,
    ) -> Result<Delivery, Error> {
        let key = self.signing_key()?;
        let document = match (&entry.document, entry.list) {
            (Some(d), _) => d.clone(),
            (None, Some(list)) => {
                let read = Grant::<ReadRegister>::system(me.clone(), "relay");
                self.store.sign_tree_head(admin, key, self.now()).await?;
                let bundle = self.store.export_bundle(&read, list).await?;
                let file = bundle
                    .to_file()
                    .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
                    .map_err(|e| Error::Storage(format!("encoding a bundle: {e}")))?;
                self.store
                    .fix_delivery_document(admin, entry.id, &file)
                    .await?
            }
            (None, None) => {
                return Err(Error::Storage(format!(
                    "delivery {} has nothing to carry",
                    entry.id
                )));
            }
        };
        Ok(Delivery::new(
            me.as_str(),
            &entry.to,
            entry.id,
            entry.carries,
            document,
            key.public_hex(),
            |m| key.sign_hex(m),
        ))
    }

    /// Accepts a delivery from a peer's server and returns the receipt this server signs
    /// for it. A refusal is recorded as an event, with the reason, and changes nothing else.
    pub async fn accept_delivery(&self, delivery: &Delivery) -> Result<Receipt, Error> {
        let key = self.signing_key()?;
        let me = self.own_party().await?;
        let write = Grant::<WriteRegister>::system(me.clone(), "relay");
        let admin = Grant::<Administer>::system(me, "relay");
        match self
            .store
            .accept_delivery(&write, &admin, key, delivery, self.now())
            .await
        {
            Ok(receipt) => Ok(receipt),
            // A busy store is asked again by the sender; it refused nothing. What no peer
            // signed is not logged: anyone can send it, and the log is not theirs to fill.
            Err(e @ (Error::Unavailable(_) | Error::UnknownSender(_))) => Err(e),
            Err(e) => {
                let payload = serde_json::json!({
                    "from": delivery.from,
                    "delivery": delivery.id,
                    "carries": delivery.carries.as_str(),
                    "sha256": delivery.sha256,
                    "reason": e.to_string(),
                });
                self.store
                    .record_event(&admin, "relay.refused", payload, self.now())
                    .await?;
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_longest() {
        let pace = RelayPace {
            first_retry_ms: 1_000,
            longest_wait_ms: 60_000,
            per_round: 10,
        };
        let waits: Vec<i64> = (1..=8).map(|n| pace.wait_after(n)).collect();
        assert_eq!(
            waits,
            [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]
        );
        assert_eq!(pace.wait_after(10_000), 60_000);
    }

    #[test]
    fn lists_do_not_travel_in_clear_off_the_machine() {
        assert_eq!(
            check_base_url("http://127.0.0.1:8081/").unwrap(),
            "http://127.0.0.1:8081"
        );
        assert!(check_base_url("http://[::1]:8081").is_ok());
        for bad in ["http://10.0.0.5:8080", "ftp://127.0.0.1", "127.0.0.1:80"] {
            let e = check_base_url(bad).unwrap_err().to_string();
            assert!(e.contains("base_url"), "{e}");
        }
    }
}
