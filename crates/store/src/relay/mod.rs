//! Deliveries between parties' servers: the peers a party's server knows, the outbox of what
//! it must deliver (written in the transaction that made the delivery due, retried until a
//! receipt comes back, and kept with it), and the inbox of what it accepted, one entry per
//! sender and document, so that the same document twice is one delivery with one receipt.
//! What a delivery and a receipt say is checked by [`homeward_ledger::relay`]; which keys
//! were pinned, and what was already received, here. Accepting one is `accept`'s.

mod accept;

use crate::keys::key_held;
use crate::{Store, db};
use homeward_core::Error;
use homeward_core::access::{Administer, Grant, ReadRegister};
use homeward_core::party::PartyCode;
use homeward_ledger::relay::{Carried, Receipt};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// Another party's server this one delivers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Peer {
    /// The party.
    pub party: String,
    /// Where its server answers, as seen from this machine.
    pub base_url: String,
    /// When it was added.
    pub added_at: i64,
}

/// One delivery in the outbox, as its sender sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    /// Its number.
    pub id: i64,
    /// The party it goes to.
    pub to: String,
    /// `bundle` or `receipt`.
    pub carries: String,
    /// The list it carries, when it is one of this party's.
    pub list: Option<i64>,
    /// The list's issuer.
    pub list_issuer: Option<String>,
    /// The SHA-256 of the list's original.
    pub list_sha256: Option<String>,
    /// `waiting`, `delivered` or `refused`.
    pub state: String,
    /// When it became due.
    pub created_at: i64,
    /// Attempts so far.
    pub attempts: i64,
    /// When it is tried next, while waiting.
    pub next_try_at: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the receipt came.
    pub delivered_at: Option<i64>,
    /// What the receiver says it did, from its signed receipt.
    pub outcome: Option<String>,
    /// Why the receiver refused it.
    pub refused: Option<String>,
}

/// One delivery this party's server accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReceivedView {
    /// The party that delivered.
    pub from: String,
    /// `bundle` or `receipt`.
    pub carries: String,
    /// The list's issuer.
    pub list_issuer: Option<String>,
    /// The SHA-256 of the list's original.
    pub list_sha256: Option<String>,
    /// When it was accepted.
    pub received_at: i64,
    /// What this server did with it (as its receipt says).
    pub outcome: String,
}

/// A delivery whose time to be tried has come.
#[derive(Debug, Clone)]
pub struct DueDelivery {
    /// Its number.
    pub id: i64,
    /// Where it goes.
    pub to: String,
    /// The peer's base URL.
    pub base_url: String,
    /// What it carries.
    pub carries: Carried,
    /// The party's own list, whose bundle is still to be made.
    pub list: Option<i64>,
    /// The document, once made (a retry sends the same bytes).
    pub document: Option<String>,
    /// Attempts so far.
    pub attempts: i64,
}

pub(crate) fn is_mediator_kind(kind: Option<String>) -> bool {
    kind.as_deref() == Some("mediator")
}

pub(crate) async fn party_kind(
    tx: &mut Transaction<'static, Any>,
    party: &str,
) -> Result<Option<String>, Error> {
    sqlx::query_scalar("SELECT kind FROM parties WHERE code = $1")
        .bind(party)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading a party"))
}

pub(crate) async fn is_peer(
    tx: &mut Transaction<'static, Any>,
    holder: &str,
    party: &str,
) -> Result<bool, Error> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT added_at FROM peers WHERE holder = $1 AND party = $2")
            .bind(holder)
            .bind(party)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db("reading peers"))?;
    Ok(found.is_some())
}

/// What a new outbox entry holds.
pub(crate) struct Outgoing<'a> {
    pub(crate) to: &'a str,
    pub(crate) carries: Carried,
    pub(crate) list: Option<i64>,
    pub(crate) list_of: Option<(&'a str, &'a str)>,
    pub(crate) document: Option<&'a str>,
}

pub(crate) async fn queue(
    tx: &mut Transaction<'static, Any>,
    holder: &str,
    out: Outgoing<'_>,
    now_ms: i64,
) -> Result<(), Error> {
    let sha = out
        .document
        .map(|d| homeward_ledger::sha256_hex(d.as_bytes()));
    let (issuer, list_sha) = out.list_of.unzip();
    sqlx::query(
        "INSERT INTO outbox (holder, to_party, carries, list_id, list_issuer, list_sha256, document, sha256, created_at, next_try_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
    )
    .bind(holder)
    .bind(out.to)
    .bind(out.carries.as_str())
    .bind(out.list)
    .bind(issuer)
    .bind(list_sha)
    .bind(out.document)
    .bind(sha)
    .bind(now_ms)
    .execute(&mut **tx)
    .await
    .map_err(db("queueing a delivery"))?;
    Ok(())
}

/// Queues a list its issuer just signed for the mediators among its addressees that are the
/// issuer's peers, in the signature's transaction; returns whom it was queued for. The
/// bundle itself is made when it is first sent (it needs a tree head that covers the list).
pub(crate) async fn queue_signed_list(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    list_id: i64,
    sha256: &str,
    now_ms: i64,
) -> Result<Vec<String>, Error> {
    let to: Vec<String> = sqlx::query_scalar(
        "SELECT a.party FROM list_addressees a JOIN parties p ON p.code = a.party \
         JOIN peers r ON r.holder = $2 AND r.party = a.party \
         WHERE a.list_id = $1 AND p.kind = 'mediator' ORDER BY a.party",
    )
    .bind(list_id)
    .bind(me)
    .fetch_all(&mut **tx)
    .await
    .map_err(db("reading the list's addressees"))?;
    let mut queued = Vec::new();
    for mediator in to {
        let already: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM outbox WHERE holder = $1 AND to_party = $2 AND list_id = $3 AND refused IS NULL",
        )
        .bind(me)
        .bind(&mediator)
        .bind(list_id)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading the outbox"))?;
        if already.is_none() {
            queue(
                tx,
                me,
                Outgoing {
                    to: &mediator,
                    carries: Carried::Bundle,
                    list: Some(list_id),
                    list_of: Some((me, sha256)),
                    document: None,
                },
                now_ms,
            )
            .await?;
            queued.push(mediator);
        }
    }
    Ok(queued)
}

/// Queues a rotation of this party's key to every peer, in the rotation's transaction: whoever
/// pinned the old key learns the new one from the old one's signature.
pub(crate) async fn queue_rotation(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    rotation: &str,
    now_ms: i64,
) -> Result<Vec<String>, Error> {
    let peers: Vec<String> =
        sqlx::query_scalar("SELECT party FROM peers WHERE holder = $1 ORDER BY party")
            .bind(me)
            .fetch_all(&mut **tx)
            .await
            .map_err(db("reading the peers"))?;
    for peer in &peers {
        queue(
            tx,
            me,
            Outgoing {
                to: peer,
                carries: Carried::Rotation,
                list: None,
                list_of: None,
                document: Some(rotation),
            },
            now_ms,
        )
        .await?;
    }
    Ok(peers)
}

/// Cuts a peer's reason to a length a log line and a page can hold.
fn short(text: &str) -> String {
    const MAX: usize = 500;
    match text.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

impl Store {
    /// Adds another party's server as a peer, or moves it to a new address (admins). Its key
    /// must be pinned first: its signature is the credential it presents. One event.
    pub async fn add_peer(
        &self,
        grant: &Grant<Administer>,
        party: &PartyCode,
        base_url: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        if party.as_str() == me {
            return Err(Error::invalid(
                "party",
                format!("{party} is this server's own party"),
            ));
        }
        let mut tx = self.begin().await?;
        if party_kind(&mut tx, party.as_str()).await?.is_none() {
            return Err(Error::NotFound(format!(
                "party {party}; add it first (homeward party add)"
            )));
        }
        let pinned: Option<i64> = sqlx::query_scalar(
            "SELECT added_at FROM party_keys WHERE holder = $1 AND party = $2 AND retired_at IS NULL",
        )
        .bind(me)
        .bind(party.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading pinned keys"))?;
        if pinned.is_none() {
            return Err(Error::invalid(
                "party",
                format!("{me} pinned no key for {party}; pin it first (homeward key pin)"),
            ));
        }
        sqlx::query(
            "INSERT INTO peers (holder, party, base_url, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (holder, party) DO UPDATE SET base_url = excluded.base_url",
        )
        .bind(me)
        .bind(party.as_str())
        .bind(base_url)
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(db("storing the peer"))?;
        let payload = serde_json::json!({ "party": party.as_str(), "base_url": base_url });
        crate::commit_with_event(tx, grant, "peer.added", payload, now_ms).await
    }

    /// The peers of the grant's party.
    pub async fn peers(&self, grant: &Grant<ReadRegister>) -> Result<Vec<Peer>, Error> {
        sqlx::query_as(
            "SELECT party, base_url, added_at FROM peers WHERE holder = $1 ORDER BY party",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading peers"))
    }

    /// The party's outbox, newest first.
    pub async fn deliveries(
        &self,
        grant: &Grant<ReadRegister>,
    ) -> Result<Vec<DeliveryView>, Error> {
        let rows = sqlx::query(
            "SELECT id, to_party, carries, list_id, list_issuer, list_sha256, created_at, attempts, next_try_at, last_error, delivered_at, receipt, refused \
             FROM outbox WHERE holder = $1 ORDER BY id DESC",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the outbox"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a delivery");
                let delivered_at: Option<i64> = r.try_get("delivered_at").map_err(&get)?;
                let refused: Option<String> = r.try_get("refused").map_err(&get)?;
                let receipt: Option<String> = r.try_get("receipt").map_err(&get)?;
                let state = match (&delivered_at, &refused) {
                    (Some(_), _) => "delivered",
                    (None, Some(_)) => "refused",
                    (None, None) => "waiting",
                };
                Ok(DeliveryView {
                    id: r.try_get("id").map_err(&get)?,
                    to: r.try_get("to_party").map_err(&get)?,
                    carries: r.try_get("carries").map_err(&get)?,
                    list: r.try_get("list_id").map_err(&get)?,
                    list_issuer: r.try_get("list_issuer").map_err(&get)?,
                    list_sha256: r.try_get("list_sha256").map_err(&get)?,
                    state: state.to_owned(),
                    created_at: r.try_get("created_at").map_err(&get)?,
                    attempts: r.try_get("attempts").map_err(&get)?,
                    next_try_at: if state == "waiting" {
                        Some(r.try_get("next_try_at").map_err(&get)?)
                    } else {
                        None
                    },
                    last_error: r.try_get("last_error").map_err(&get)?,
                    delivered_at,
                    outcome: receipt
                        .as_deref()
                        .and_then(|t| Receipt::from_file(t).ok())
                        .map(|r| r.outcome),
                    refused,
                })
            })
            .collect()
    }

    /// What the party's server accepted, newest first.
    pub async fn received(&self, grant: &Grant<ReadRegister>) -> Result<Vec<ReceivedView>, Error> {
        let rows = sqlx::query(
            "SELECT from_party, carries, list_issuer, list_sha256, received_at, outcome FROM inbox \
             WHERE holder = $1 ORDER BY received_at DESC, from_party",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the inbox"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a received delivery");
                Ok(ReceivedView {
                    from: r.try_get("from_party").map_err(&get)?,
                    carries: r.try_get("carries").map_err(&get)?,
                    list_issuer: r.try_get("list_issuer").map_err(&get)?,
                    list_sha256: r.try_get("list_sha256").map_err(&get)?,
                    received_at: r.try_get("received_at").map_err(&get)?,
                    outcome: r.try_get("outcome").map_err(&get)?,
                })
            })
            .collect()
    }

    /// The receipts the party kept for its deliveries and those passed on to it, in their
    /// signed file form (what the three-server test compares).
    pub async fn receipts(&self, grant: &Grant<ReadRegister>) -> Result<Vec<Receipt>, Error> {
        let me = grant.party().as_str();
        let mut texts: Vec<String> = sqlx::query_scalar(
            "SELECT receipt FROM outbox WHERE holder = $1 AND receipt IS NOT NULL ORDER BY id",
        )
        .bind(me)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading receipts"))?;
        // Receipts other parties signed, passed on by the mediator.
        let passed: Vec<String> = sqlx::query_scalar(
            "SELECT passed_on FROM inbox WHERE holder = $1 AND passed_on IS NOT NULL ORDER BY received_at",
        )
        .bind(me)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading receipts"))?;
        texts.extend(passed);
        Ok(texts
            .iter()
            .filter_map(|t| Receipt::from_file(t).ok())
            .collect())
    }

    /// The deliveries of the grant's party due at `now_ms`, oldest first, at most `limit`.
    pub async fn due_deliveries(
        &self,
        grant: &Grant<Administer>,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<DueDelivery>, Error> {
        let rows = sqlx::query(
            "SELECT o.id, o.to_party, p.base_url, o.carries, o.list_id, o.document, o.attempts FROM outbox o \
             JOIN peers p ON p.holder = o.holder AND p.party = o.to_party \
             WHERE o.holder = $1 AND o.delivered_at IS NULL AND o.refused IS NULL AND o.next_try_at <= $2 \
             ORDER BY o.next_try_at, o.id LIMIT $3",
        )
        .bind(grant.party().as_str())
        .bind(now_ms)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the outbox"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a delivery");
                let carries: String = r.try_get("carries").map_err(&get)?;
                Ok(DueDelivery {
                    id: r.try_get("id").map_err(&get)?,
                    to: r.try_get("to_party").map_err(&get)?,
                    base_url: r.try_get("base_url").map_err(&get)?,
                    carries: Carried::parse(&carries).ok_or_else(|| {
                        Error::Storage(format!("an outbox entry carries {carries:?}"))
                    })?,
                    list: r.try_get("list_id").map_err(&get)?,
                    document: r.try_get("document").map_err(&get)?,
                    attempts: r.try_get("attempts").map_err(&get)?,
                })
            })
            .collect()
    }

    /// Fixes the document a delivery carries, before its first attempt, so that every retry
    /// sends the same bytes; returns the document the entry now holds.
    pub async fn fix_delivery_document(
        &self,
        grant: &Grant<Administer>,
        id: i64,
        document: &str,
    ) -> Result<String, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE outbox SET document = $1, sha256 = $2 WHERE id = $3 AND holder = $4 AND document IS NULL",
        )
        .bind(document)
        .bind(homeward_ledger::sha256_hex(document.as_bytes()))
        .bind(id)
        .bind(me)
        .execute(&mut *tx)
        .await
        .map_err(db("storing the delivery's document"))?;
        let kept: Option<String> =
            sqlx::query_scalar("SELECT document FROM outbox WHERE id = $1 AND holder = $2")
                .bind(id)
                .bind(me)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("reading the delivery"))?
                .flatten();
        tx.commit().await.map_err(db("committing"))?;
        kept.ok_or_else(|| Error::NotFound(format!("delivery {id}")))
    }

    /// Records a failed attempt: the reason and when to try again. No event: a peer that is
    /// down for a day would fill the log; the delivery shows the last error and next try.
    pub async fn delivery_failed(
        &self,
        grant: &Grant<Administer>,
        id: i64,
        error: &str,
        next_try_at: i64,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_try_at = $2 \
             WHERE id = $3 AND holder = $4 AND delivered_at IS NULL",
        )
        .bind(short(error))
        .bind(next_try_at)
        .bind(id)
        .bind(grant.party().as_str())
        .execute(&self.writer)
        .await
        .map_err(db("recording a failed delivery"))?;
        Ok(())
    }

    /// Records that the peer refused a delivery for good (a check failed there): it is not
    /// tried again. One event.
    pub async fn delivery_refused(
        &self,
        grant: &Grant<Administer>,
        id: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let to: Option<String> = sqlx::query_scalar(
            "UPDATE outbox SET attempts = attempts + 1, refused = $1, last_error = $1 \
             WHERE id = $2 AND holder = $3 AND delivered_at IS NULL RETURNING to_party",
        )
        .bind(short(reason))
        .bind(id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("recording a refused delivery"))?;
        let to = to.ok_or_else(|| Error::NotFound(format!("delivery {id} waiting")))?;
        let payload = serde_json::json!({ "delivery": id, "to": to, "reason": short(reason) });
        crate::commit_with_event(tx, grant, "relay.refused_by_peer", payload, now_ms).await
    }

    /// Keeps the receipt the peer signed for a delivery, checked against the key pinned for
    /// it; a mediator passes the addressee's receipt on to the list's issuer. One event.
    pub async fn delivered(
        &self,
        grant: &Grant<Administer>,
        id: i64,
        receipt: &Receipt,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT to_party, sha256, carries, list_issuer, list_sha256 FROM outbox \
             WHERE id = $1 AND holder = $2 AND delivered_at IS NULL",
        )
        .bind(id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the delivery"))?
        .ok_or_else(|| Error::NotFound(format!("delivery {id} waiting")))?;
        let get = db("reading the delivery");
        let to: String = row.try_get("to_party").map_err(&get)?;
        let sha: Option<String> = row.try_get("sha256").map_err(&get)?;
        let carries: String = row.try_get("carries").map_err(&get)?;
        let issuer: Option<String> = row.try_get("list_issuer").map_err(&get)?;
        let list_sha: Option<String> = row.try_get("list_sha256").map_err(&get)?;
        if receipt.by != to
            || receipt.from != me
            || receipt.id != id
            || Some(&receipt.sha256) != sha.as_ref()
        {
            return Err(Error::invalid(
                "receipt",
                format!("the receipt is not {to}'s for delivery {id} of {me}"),
            ));
        }
        if !key_held(&mut tx, me, &to, &receipt.public_key).await? {
            return Err(Error::invalid(
                "receipt",
                format!(
                    "the receipt is signed by {}, which is not a key {me} pinned for {to}",
                    receipt.public_key
                ),
            ));
        }
        receipt
            .check(&receipt.public_key)
            .map_err(|why| Error::invalid("receipt", why))?;
        let text = receipt
            .to_file()
            .map_err(|e| Error::Storage(format!("encoding a receipt: {e}")))?;
        sqlx::query("UPDATE outbox SET delivered_at = $1, receipt = $2, attempts = attempts + 1, last_error = NULL WHERE id = $3")
            .bind(now_ms)
            .bind(&text)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("keeping the receipt"))?;
        // A mediator passes on to the list's issuer the receipt of the party it forwarded the
        // list to, so the issuer holds the addressee's own word that it has the list.
        let mut passed_on = None;
        if (carries == "bundle" || carries == "statement")
            && let Some(issuer) = issuer.as_deref()
            && issuer != me
            && issuer != to
            && is_peer(&mut tx, me, issuer).await?
        {
            queue(
                &mut tx,
                me,
                Outgoing {
                    to: issuer,
                    carries: Carried::Receipt,
                    list: None,
                    list_of: list_sha.as_deref().map(|s| (issuer, s)),
                    document: Some(&text),
                },
                now_ms,
            )
            .await?;
            passed_on = Some(issuer.to_owned());
        }
        let payload = serde_json::json!({
            "delivery": id,
            "to": to,
            "sha256": sha,
            "list_sha256": list_sha,
            "outcome": receipt.outcome,
            "receipt_signature": receipt.signature,
            "receipt_passed_on_to": passed_on,
        });
        crate::commit_with_event(tx, grant, "relay.delivered", payload, now_ms).await
    }
}
