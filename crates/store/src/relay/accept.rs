//! Accepting a delivery from a peer: the signature that is its credential checked against
//! the pinned key, then what it carries taken in one transaction with its receipt, its inbox
//! entry and its events — a bundle counter-signed and passed on by a mediator or imported by
//! an addressee, a statement taken in its issuer's order, a receipt passed on kept, another
//! party's key rotation followed.

use super::{Outgoing, is_mediator_kind, is_peer, party_kind, queue};
use crate::append_event;
use crate::bundles::{countersign_in, import_bundle_in};
use crate::keys::key_held;
use crate::{Pending, Store, db};
use homeward_core::Error;
use homeward_core::access::{Administer, Grant, WriteRegister};
use homeward_ledger::bundle::Bundle;
use homeward_ledger::keys::PartyKey;
use homeward_ledger::relay::{Carried, Delivery, KeyRotation, Receipt, ReceiptDraft};
use homeward_ledger::statement::Statement;
use sqlx::{Any, Transaction};

impl Store {
    /// Accepts a delivery from a peer: checked against the key pinned for the sender (its
    /// signature is its credential), then — in one transaction with its receipt, its inbox
    /// entry and its events — a mediator counter-signs a bundle and queues it on to the
    /// other addressees and back to the issuer; an addressee imports it (or keeps the
    /// counter-signatures on its own list); a receipt passed on is kept. The same document
    /// from the same sender again gets the receipt it got the first time and changes nothing.
    pub async fn accept_delivery(
        &self,
        write: &Grant<WriteRegister>,
        admin: &Grant<Administer>,
        key: &PartyKey,
        delivery: &Delivery,
        now_ms: i64,
    ) -> Result<Receipt, Error> {
        let me = admin.party().as_str();
        if delivery.to != me {
            return Err(Error::invalid(
                "delivery",
                format!("the delivery is for {}; this is {me}'s server", delivery.to),
            ));
        }
        let mut tx = self.begin().await?;
        let rotation = match delivery.carries {
            Carried::Rotation => Some(
                KeyRotation::from_file(&delivery.document)
                    .map_err(|why| Error::invalid("rotation", why))?,
            ),
            _ => None,
        };
        // A party that rotated its key delivers the rotation signed by the new key, which is
        // pinned nowhere yet: the old key's signature inside vouches for it.
        let vouched = match &rotation {
            Some(r) if r.party == delivery.from && r.new == delivery.public_key => {
                key_held(&mut tx, me, &delivery.from, &r.old).await?
            }
            _ => false,
        };
        if !vouched && !key_held(&mut tx, me, &delivery.from, &delivery.public_key).await? {
            return Err(Error::UnknownSender(format!(
                "it is signed by {}, which is not a key {me} pinned for {}",
                delivery.public_key, delivery.from
            )));
        }
        delivery
            .check(&delivery.public_key)
            .map_err(Error::UnknownSender)?;
        if !is_peer(&mut tx, me, &delivery.from).await? {
            return Err(Error::invalid(
                "delivery",
                format!(
                    "{} is not a peer of {me}; add it first (homeward peer add)",
                    delivery.from
                ),
            ));
        }
        let kept: Option<String> = sqlx::query_scalar(
            "SELECT receipt FROM inbox WHERE holder = $1 AND from_party = $2 AND sha256 = $3",
        )
        .bind(me)
        .bind(&delivery.from)
        .bind(&delivery.sha256)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the inbox"))?;
        if let Some(text) = kept {
            return Receipt::from_file(&text)
                .map_err(|e| Error::Storage(format!("a kept receipt: {e}")));
        }
        let (pending, list_of, outcome) = match delivery.carries {
            Carried::Bundle => {
                let bundle = Bundle::from_file(delivery.document.as_bytes())
                    .map_err(|why| Error::invalid("bundle", why))?;
                let list_of = Some((bundle.issuer.clone(), bundle.sha256.clone()));
                let mediator = is_mediator_kind(party_kind(&mut tx, me).await?);
                if mediator && bundle.issuer != me {
                    let Pending {
                        mut tx,
                        kind,
                        payload,
                        value: signed,
                    } = countersign_in(tx, admin, &bundle, key, now_ms).await?;
                    let file = signed
                        .to_file()
                        .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
                        .map_err(|e| Error::Storage(format!("encoding a bundle: {e}")))?;
                    let mut on = Vec::new();
                    let mut by_hand = Vec::new();
                    let onward = bundle
                        .addressees
                        .iter()
                        .filter(|a| a.as_str() != me && **a != bundle.issuer)
                        .chain(std::iter::once(&bundle.issuer));
                    for party in onward {
                        if is_peer(&mut tx, me, party).await? {
                            queue(
                                &mut tx,
                                me,
                                Outgoing {
                                    to: party,
                                    carries: Carried::Bundle,
                                    list: None,
                                    list_of: Some((&bundle.issuer, &bundle.sha256)),
                                    document: Some(&file),
                                },
                                now_ms,
                            )
                            .await?;
                            on.push(party.clone());
                        } else {
                            by_hand.push(party.clone());
                        }
                    }
                    let mut outcome = format!("counter-signed by {me}");
                    if !on.is_empty() {
                        outcome.push_str(&format!("; passed on to {}", on.join(", ")));
                    }
                    if !by_hand.is_empty() {
                        outcome.push_str(&format!(
                            "; {} not a peer of {me}: to be carried by hand",
                            by_hand.join(", ")
                        ));
                    }
                    (
                        Some(Pending {
                            tx,
                            kind,
                            payload,
                            value: 0,
                        }),
                        list_of,
                        outcome,
                    )
                } else {
                    let pending = import_bundle_in(tx, write, &bundle, now_ms).await?;
                    let outcome = if bundle.issuer == me {
                        format!("counter-signatures kept on list {}", pending.value)
                    } else {
                        format!("imported as list {}", pending.value)
                    };
                    (Some(pending), list_of, outcome)
                }
            }
            Carried::Rotation => {
                let Some(rotation) = rotation.as_ref() else {
                    return Err(Error::invalid("rotation", "no rotation in the delivery"));
                };
                let (pending, outcome) =
                    follow_rotation(tx, me, &delivery.from, rotation, now_ms).await?;
                (Some(pending), None, outcome)
            }
            Carried::Statement => {
                let statement = Statement::from_file(&delivery.document)
                    .map_err(|why| Error::invalid("statement", why))?;
                let (pending, of, outcome) =
                    crate::statements::take_in(tx, admin, key, &statement, now_ms).await?;
                (Some(pending), Some(of), outcome)
            }
            Carried::Receipt => {
                let receipt = Receipt::from_file(&delivery.document)
                    .map_err(|why| Error::invalid("receipt", why))?;
                if receipt.issuer.as_deref() != Some(me) {
                    return Err(Error::invalid(
                        "receipt",
                        format!("the receipt passed on is not for a list of {me}"),
                    ));
                }
                if !key_held(&mut tx, me, &receipt.by, &receipt.public_key).await? {
                    return Err(Error::invalid(
                        "receipt",
                        format!(
                            "the receipt is signed by {}, which is not a key {me} pinned for {}",
                            receipt.public_key, receipt.by
                        ),
                    ));
                }
                receipt
                    .check(&receipt.public_key)
                    .map_err(|why| Error::invalid("receipt", why))?;
                let list_of = receipt.issuer.clone().zip(receipt.list_sha256.clone());
                let outcome = format!("{}'s receipt kept: {}", receipt.by, receipt.outcome);
                // The receipt passed on is kept in the inbox entry of the mediator's delivery.
                let pending = Pending {
                    tx,
                    kind: "relay.receipt_kept",
                    payload: serde_json::json!({
                        "by": receipt.by,
                        "list_sha256": receipt.list_sha256,
                        "outcome": receipt.outcome,
                        "signature": receipt.signature,
                    }),
                    value: 0,
                };
                (Some(pending), list_of, outcome)
            }
        };
        let receipt = Receipt::new(
            delivery,
            ReceiptDraft {
                by: me.to_owned(),
                list: list_of.clone(),
                outcome: outcome.clone(),
                at_ms: now_ms,
            },
            key.public_hex(),
            |m| key.sign_hex(m),
        );
        let text = receipt
            .to_file()
            .map_err(|e| Error::Storage(format!("encoding a receipt: {e}")))?;
        let Some(Pending {
            mut tx,
            kind,
            payload,
            ..
        }) = pending
        else {
            return Err(Error::Storage("a delivery without a change".to_owned()));
        };
        let (issuer, list_sha) = list_of.unzip();
        sqlx::query(
            "INSERT INTO inbox (holder, from_party, sha256, delivery_id, carries, list_issuer, list_sha256, received_at, outcome, receipt, passed_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(me)
        .bind(&delivery.from)
        .bind(&delivery.sha256)
        .bind(delivery.id)
        .bind(delivery.carries.as_str())
        .bind(&issuer)
        .bind(&list_sha)
        .bind(now_ms)
        .bind(&outcome)
        .bind(&text)
        .bind((delivery.carries == Carried::Receipt).then_some(&delivery.document))
        .execute(&mut *tx)
        .await
        .map_err(db("keeping the delivery"))?;
        append_event(&mut tx, admin, kind, payload, now_ms).await?;
        let payload = serde_json::json!({
            "from": delivery.from,
            "delivery": delivery.id,
            "carries": delivery.carries.as_str(),
            "sha256": delivery.sha256,
            "list_issuer": issuer,
            "list_sha256": list_sha,
            "outcome": outcome,
            "receipt_signature": receipt.signature,
        });
        append_event(&mut tx, admin, "relay.received", payload, now_ms).await?;
        tx.commit().await.map_err(db("committing"))?;
        Ok(receipt)
    }
}

/// Follows another party's key rotation: the new key pinned, the old one retired, when the
/// old one signed it and is the key this store pins; a mediator passes it on to its other
/// peers. Returns the change's event and what was done.
async fn follow_rotation(
    mut tx: Transaction<'static, Any>,
    me: &str,
    from: &str,
    rotation: &KeyRotation,
    now_ms: i64,
) -> Result<(Pending<i64>, String), Error> {
    rotation
        .check()
        .map_err(|why| Error::invalid("rotation", why))?;
    if rotation.party == me {
        return Err(Error::invalid(
            "rotation",
            format!("a rotation of {me}'s own key is not taken from another server"),
        ));
    }
    let outcome = if key_held(&mut tx, me, &rotation.party, &rotation.new).await? {
        format!("the new key of {} was already pinned", rotation.party)
    } else if key_held(&mut tx, me, &rotation.party, &rotation.old).await? {
        crate::keys::replace_key(
            &mut tx,
            me,
            &rotation.party,
            &rotation.old,
            &rotation.new,
            now_ms,
        )
        .await?;
        format!(
            "the new key of {} pinned, vouched for by the key it replaces",
            rotation.party
        )
    } else {
        return Err(Error::invalid(
            "rotation",
            format!(
                "it is signed by {}, which is not the key {me} pins for {}: a rotation is followed only when signed by the key it replaces",
                rotation.old, rotation.party
            ),
        ));
    };
    let mut on = Vec::new();
    if is_mediator_kind(party_kind(&mut tx, me).await?) {
        let file = rotation
            .to_file()
            .map_err(|e| Error::Storage(format!("encoding a rotation: {e}")))?;
        let peers: Vec<String> = sqlx::query_scalar(
            "SELECT party FROM peers WHERE holder = $1 AND party <> $2 AND party <> $3 ORDER BY party",
        )
        .bind(me)
        .bind(from)
        .bind(&rotation.party)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading the peers"))?;
        for peer in &peers {
            queue(
                &mut tx,
                me,
                Outgoing {
                    to: peer,
                    carries: Carried::Rotation,
                    list: None,
                    list_of: None,
                    document: Some(&file),
                },
                now_ms,
            )
            .await?;
        }
        on = peers;
    }
    let outcome = if on.is_empty() {
        outcome
    } else {
        format!("{outcome}; passed on to {}", on.join(", "))
    };
    let payload = serde_json::json!({
        "party": rotation.party,
        "old": rotation.old,
        "new": rotation.new,
        "at": rotation.at_ms,
        "signature_by_old": rotation.signature_by_old,
        "from": from,
        "passed_on_to": on,
    });
    Ok((
        Pending {
            tx,
            kind: "key.rotation_followed",
            payload,
            value: 0,
        },
        outcome,
    ))
}
