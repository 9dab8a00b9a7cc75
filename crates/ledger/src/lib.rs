//! The event log of homeward: every change to a store is an [`Event`] whose canonical
//! encoding is hashed into a SHA-256 chain. Anyone holding the events can recompute the
//! chain offline and find the first event that was altered, removed or reordered.
//!
//! This crate is pure: it never reads the clock or touches storage. Time comes in as a
//! field of the event; the store decides where events live.
//!
//! Personal data stays off the log: payloads carry identifiers and hashes of records, so a
//! record can be erased without breaking the chain.

pub mod bundle;
mod canonical;
pub mod document;
pub mod keys;
pub mod merkle;
pub mod relay;
pub mod rows;
pub mod statement;

pub use canonical::{CanonicalError, canonical_json};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Version of the event encoding. It is part of every hashed entry, so a later format
/// (for instance one that adds fields) can be told apart without guessing.
pub const FORMAT_VERSION: i64 = 1;

/// The `prev` hash of the first event: 32 zero bytes in hex.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an event says happened, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventDraft {
    /// Milliseconds since the Unix epoch, UTC, as given by the caller's clock.
    pub at_ms: i64,
    /// Code of the party on whose behalf the change was made.
    pub party: String,
    /// Who made the change: a user id, or `system:…` for the tool itself.
    pub actor: String,
    /// Dotted event kind, e.g. `person.created`, `token.created`.
    pub kind: String,
    /// Structured details; integers, strings, booleans, null, arrays and objects only.
    pub payload: Value,
}

/// An event as stored: its draft plus its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the log, starting at 1, without gaps.
    pub seq: i64,
    /// The event's content.
    #[serde(flatten)]
    pub draft: EventDraft,
    /// Hash of the previous event, or [`GENESIS_HASH`] for the first.
    pub prev_hash: String,
    /// SHA-256 of [`Event::entry_bytes`], lower-case hex.
    pub hash: String,
}

/// Why an event could not be chained.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ChainError {
    /// The payload holds something that has no canonical encoding.
    #[error("event payload cannot be encoded canonically: {0}")]
    Payload(#[from] CanonicalError),
}

impl EventDraft {
    /// The canonical bytes that are hashed for this event at position `seq` after `prev_hash`.
    ///
    /// These bytes are also the leaf entry of the Merkle tree built over the log, and what a
    /// party's signature will cover; the stored `hash` and any signature stay outside them.
    pub fn entry_bytes(&self, seq: i64, prev_hash: &str) -> Result<Vec<u8>, CanonicalError> {
        let entry = serde_json::json!({
            "v": FORMAT_VERSION,
            "seq": seq,
            "at": self.at_ms,
            "party": self.party,
            "actor": self.actor,
            "kind": self.kind,
            "payload": self.payload,
            "prev": prev_hash,
        });
        canonical_json(&entry).map(String::into_bytes)
    }

    /// Places the draft after `prev_hash` at position `seq`, computing its hash.
    pub fn chain(self, seq: i64, prev_hash: &str) -> Result<Event, ChainError> {
        let bytes = self.entry_bytes(seq, prev_hash)?;
        Ok(Event {
            seq,
            hash: sha256_hex(&bytes),
            prev_hash: prev_hash.to_owned(),
            draft: self,
        })
    }
}

/// SHA-256 of `bytes` as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The first thing found wrong while walking a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// Sequence number of the event at fault.
    pub seq: i64,
    /// What is wrong with it, in words an auditor can act on.
    pub reason: String,
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "event {}: {}", self.seq, self.reason)
    }
}

/// Walks a chain incrementally, so that a log too large for memory can be checked as a
/// stream of events in `seq` order.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ChainVerifier {
    /// A verifier expecting the first event of a log.
    pub fn new() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }

    /// Number of events accepted so far.
    pub fn verified(&self) -> i64 {
        self.expected_seq - 1
    }

    /// Hash of the last accepted event (the head of the chain so far).
    pub fn head(&self) -> &str {
        &self.prev_hash
    }

    /// Checks the next event; on success it becomes the new head.
    pub fn push(&mut self, event: &Event) -> Result<(), ChainBreak> {
        let fail = |reason: String| ChainBreak {
            seq: event.seq,
            reason,
        };
        if event.seq != self.expected_seq {
            return Err(fail(format!(
                "expected event {} here; events are missing or out of order",
                self.expected_seq
            )));
        }
        if event.prev_hash != self.prev_hash {
            return Err(fail(format!(
                "its previous-hash {} does not match the hash {} of event {}",
                event.prev_hash,
                self.prev_hash,
                self.expected_seq - 1
            )));
        }
        let bytes = event
            .draft
            .entry_bytes(event.seq, &event.prev_hash)
            .map_err(|e| fail(format!("its payload cannot be encoded: {e}")))?;
        let recomputed = sha256_hex(&bytes);
        if recomputed != event.hash {
            return Err(fail(format!(
                "its content does not hash to the stored hash (stored {}, content gives {recomputed}); \
                 the event was altered after it was written",
                event.hash
            )));
        }
        self.expected_seq += 1;
        self.prev_hash = recomputed;
        Ok(())
    }
}

/// Verifies a whole chain held in memory; returns the number of events on success.
pub fn verify_chain<'a>(events: impl IntoIterator<Item = &'a Event>) -> Result<i64, ChainBreak> {
    let mut verifier = ChainVerifier::new();
    for event in events {
        verifier.push(event)?;
    }
    Ok(verifier.verified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn draft(kind: &str, n: i64) -> EventDraft {
        EventDraft {
            at_ms: 1_748_822_400_000 + n,
            party: "UA".into(),
            actor: "user:1".into(),
            kind: kind.into(),
            payload: json!({"n": n, "list": {"sha256": "ab"}}),
        }
    }

    fn chain_of(n: i64) -> Vec<Event> {
        let mut out: Vec<Event> = Vec::new();
        for i in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
            out.push(draft("person.created", i).chain(i, &prev).unwrap());
        }
        out
    }

    #[test]
    fn an_untouched_chain_verifies() {
        assert_eq!(verify_chain(&chain_of(5)), Ok(5));
    }

    #[test]
    fn entry_bytes_are_canonical_and_stable() {
        let bytes = draft("k", 7).entry_bytes(3, GENESIS_HASH).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            format!(
                r#"{{"actor":"user:1","at":1748822400007,"kind":"k","party":"UA","payload":{{"list":{{"sha256":"ab"}},"n":7}},"prev":"{GENESIS_HASH}","seq":3,"v":1}}"#
            )
        );
    }

    #[test]
    fn an_altered_payload_is_found_at_its_event() {
        let mut events = chain_of(5);
        events[2].draft.payload = json!({"n": 99});
        let err = verify_chain(&events).unwrap_err();
        assert_eq!(err.seq, 3);
        assert!(err.reason.contains("altered"), "{}", err.reason);
    }

    #[test]
    fn a_rehashed_alteration_is_found_at_the_next_event() {
        let mut events = chain_of(5);
        let forged = draft("person.created", 42)
            .chain(3, &events[1].hash)
            .unwrap();
        events[2] = forged;
        let err = verify_chain(&events).unwrap_err();
        assert_eq!(err.seq, 4);
    }

    #[test]
    fn a_removed_event_is_found() {
        let mut events = chain_of(5);
        events.remove(1);
        assert_eq!(verify_chain(&events).unwrap_err().seq, 3);
    }
}
