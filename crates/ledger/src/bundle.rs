//! A list bundle: one self-contained file that carries a list from the issuer's server to
//! another party's — the original bytes, the parsed rows, the issuer's signature over them,
//! a signed tree head of the issuer's log and the inclusion proof of the list's event in it.
//! [`Bundle::check`] verifies all of it against the issuer's pinned key, offline, and says
//! what failed; what the receiving store must add (replays, rollbacks, forks against heads
//! it has seen) it checks itself.

use crate::document::lower_hex;
use crate::keys::verify_hex;
use crate::merkle::{self, Hash};
use crate::rows::{list_statement, row_leaf};
use crate::{canonical_json, sha256_hex};
use serde::{Deserialize, Serialize};

/// The format name of a bundle.
pub const BUNDLE_FORMAT: &str = "homeward-bundle-v1";

/// One row as the bundle carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleRow {
    /// Its line in the original file.
    pub line: i64,
    /// Its cells by header.
    pub fields: serde_json::Value,
}

/// A signed tree head as the bundle carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleHead {
    /// Events in the issuer's log.
    pub size: i64,
    /// Its RFC 9162 root, hex.
    pub root: String,
    /// When it was signed.
    pub at_ms: i64,
    /// The signature over the tree-head statement, hex.
    pub signature: String,
}

/// What the statement of a tree head says (the same words `homeward checkpoint` signs).
pub fn tree_head_statement(party: &str, size: i64, root: &str, at_ms: i64) -> Vec<u8> {
    format!("homeward tree head v1\nparty {party}\nsize {size}\nroot {root}\nat {at_ms}\n")
        .into_bytes()
}

/// A list bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// Always [`BUNDLE_FORMAT`].
    pub format: String,
    /// The issuing party.
    pub issuer: String,
    /// The issuer's public key that signed the list and the tree head, hex.
    pub public_key: String,
    /// The list's kind.
    pub kind: String,
    /// Its category.
    pub category: Option<String>,
    /// Its title.
    pub title: String,
    /// The original file's name.
    pub file_name: String,
    /// The original file, hex.
    pub original_hex: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The headers in the file's order.
    pub headers: Vec<String>,
    /// The parties the list is addressed to.
    pub addressees: Vec<String>,
    /// The rows.
    pub rows: Vec<BundleRow>,
    /// The root of the rows' Merkle tree, hex.
    pub row_root: String,
    /// The issuer's signature over the list statement, hex.
    pub signature: String,
    /// The list's event in the issuer's log: its position and canonical entry.
    pub event_seq: i64,
    /// The event's canonical entry (what the log's leaf hashes).
    pub event_entry: String,
    /// A signed tree head of the issuer's log that covers the event.
    pub tree_head: BundleHead,
    /// The inclusion proof of the event in that tree, hex.
    pub inclusion: Vec<String>,
    /// Counter-signatures by mediators who saw the bundle: (party, public key, signature over
    /// the list statement).
    #[serde(default)]
    pub countersignatures: Vec<(String, String, String)>,
}

fn unhex(s: &str) -> Option<Hash> {
    hex::decode(s).ok()?.try_into().ok()
}

/// The digest of a list's labels — title, file name, category and headers — that the
/// issuing event records, so that a bundle's labels are covered by the issuer's signed log
/// without the log holding their text (a title may name someone).
pub fn labels_digest(
    title: &str,
    file_name: &str,
    category: Option<&str>,
    headers: &[String],
) -> String {
    let labels = serde_json::json!({
        "title": title,
        "file_name": file_name,
        "category": category,
        "headers": headers,
    });
    sha256_hex(canonical_json(&labels).unwrap_or_default().as_bytes())
}

impl Bundle {
    /// The statement the issuer signs.
    pub fn statement(&self) -> Vec<u8> {
        list_statement(
            &self.issuer,
            &self.sha256,
            self.rows.len() as u64,
            &self.row_root,
        )
    }

    /// The statement a mediator `party` signs when it counter-signs: its name and the
    /// issuer's statement.
    pub fn countersign_statement(&self, party: &str) -> Vec<u8> {
        crate::rows::countersign_statement(party, &self.statement())
    }

    /// The file form of the bundle (canonical JSON).
    pub fn to_file(&self) -> Result<Vec<u8>, String> {
        crate::document::to_file(self)
    }

    /// Reads a bundle file; only the canonical form homeward writes is accepted.
    pub fn from_file(bytes: &[u8]) -> Result<Bundle, String> {
        crate::document::from_file(bytes, "homeward bundle")
    }

    /// Checks the bundle against the issuer's pinned key: the original's hash, the rows' root,
    /// the issuer's signature, the list's event, its inclusion in the signed tree head, and
    /// the head's signature. The error names what failed.
    pub fn check(&self, pinned_key: &str) -> Result<(), String> {
        if self.format != BUNDLE_FORMAT {
            return Err(format!("not a homeward bundle (format {:?})", self.format));
        }
        if self.public_key != pinned_key.trim().to_ascii_lowercase() {
            return Err(format!(
                "signed by {}, which is not the key pinned for {} ({})",
                self.public_key, self.issuer, pinned_key
            ));
        }
        for (field, value, bytes) in [
            ("issuer's key", self.public_key.as_str(), Some(32)),
            ("list's SHA-256", self.sha256.as_str(), Some(32)),
            ("rows' root", self.row_root.as_str(), Some(32)),
            ("issuer's signature", self.signature.as_str(), Some(64)),
            ("tree head's root", self.tree_head.root.as_str(), Some(32)),
            (
                "tree head's signature",
                self.tree_head.signature.as_str(),
                Some(64),
            ),
        ] {
            lower_hex(field, value, bytes)?;
        }
        if !self.original_hex.is_empty() {
            lower_hex("original file", &self.original_hex, None)?;
        }
        for h in &self.inclusion {
            lower_hex("inclusion proof", h, Some(32))?;
        }
        let original = hex::decode(&self.original_hex)
            .map_err(|_| "the original file is not hex".to_owned())?;
        if sha256_hex(&original) != self.sha256 {
            return Err("the original file does not have the SHA-256 the bundle states".to_owned());
        }
        let leaves: Vec<Hash> = self
            .rows
            .iter()
            .map(|r| row_leaf(r.line, &r.fields))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("a row cannot be encoded: {e}"))?;
        if hex::encode(merkle::root(&leaves)) != self.row_root {
            return Err(
                "the rows are not the rows the issuer signed (their root differs)".to_owned(),
            );
        }
        match verify_hex(&self.public_key, &self.statement(), &self.signature) {
            Ok(true) => {}
            _ => return Err("the issuer's signature of the list does not verify".to_owned()),
        }
        let entry: serde_json::Value = serde_json::from_str(&self.event_entry)
            .map_err(|e| format!("the list's event is unreadable: {e}"))?;
        if entry["seq"] != self.event_seq
            || entry["kind"] != "list.issued"
            || entry["party"] != self.issuer.as_str()
            || entry["payload"]["sha256"] != self.sha256.as_str()
        {
            return Err("the event in the bundle is not the issuing of this list".to_owned());
        }
        // Whom the list is addressed to, and what kind it is, are in the signed log.
        if entry["payload"]["to"] != serde_json::json!(self.addressees)
            || entry["payload"]["kind"] != self.kind.as_str()
        {
            return Err(
                "the addressees or the kind differ from what the issuer's log records".to_owned(),
            );
        }
        let labels = labels_digest(
            &self.title,
            &self.file_name,
            self.category.as_deref(),
            &self.headers,
        );
        if entry["payload"]["labels"] != labels.as_str() {
            return Err(
                "the title, file name, category or headers differ from what the issuer's log records"
                    .to_owned(),
            );
        }
        let h = &self.tree_head;
        match verify_hex(
            &self.public_key,
            &tree_head_statement(&self.issuer, h.size, &h.root, h.at_ms),
            &h.signature,
        ) {
            Ok(true) => {}
            _ => {
                return Err(format!(
                    "the signature of the tree head of size {} does not verify",
                    h.size
                ));
            }
        }
        let root = unhex(&h.root).ok_or("the tree head's root is not a SHA-256 value")?;
        let path: Vec<Hash> = self
            .inclusion
            .iter()
            .map(|x| unhex(x))
            .collect::<Option<_>>()
            .ok_or("a hash of the inclusion proof is not a SHA-256 value")?;
        let leaf = merkle::leaf_hash(self.event_entry.as_bytes());
        let (Ok(index), Ok(size)) = (u64::try_from(self.event_seq - 1), u64::try_from(h.size))
        else {
            return Err("the event's position or the head's size is negative".to_owned());
        };
        if !merkle::verify_inclusion(index, size, &leaf, &path, &root) {
            return Err(format!(
                "the list's event {} is not in the issuer's signed log of {} events",
                self.event_seq, h.size
            ));
        }
        for (party, key, sig) in &self.countersignatures {
            lower_hex("counter-signer's key", key, Some(32))?;
            lower_hex("counter-signature", sig, Some(64))?;
            if !matches!(
                verify_hex(key, &self.countersign_statement(party), sig),
                Ok(true)
            ) {
                return Err(format!("the counter-signature of {party} does not verify"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PartyKey;
    use crate::{EventDraft, GENESIS_HASH};

    fn bundle() -> (Bundle, PartyKey) {
        let key = PartyKey::from_seed([21; 32]);
        let original = "прізвище\nДовгалюк\nЗаболотний\n".as_bytes().to_vec();
        let sha = sha256_hex(&original);
        let rows: Vec<BundleRow> = ["Довгалюк", "Заболотний"]
            .iter()
            .enumerate()
            .map(|(i, n)| BundleRow {
                line: i as i64 + 2,
                fields: serde_json::json!({ "прізвище": n }),
            })
            .collect();
        let leaves: Vec<Hash> = rows
            .iter()
            .map(|r| row_leaf(r.line, &r.fields).unwrap())
            .collect();
        let row_root = hex::encode(merkle::root(&leaves));
        // A small log in which event 3 issues the list.
        let mut prev = GENESIS_HASH.to_owned();
        let mut entries = Vec::new();
        for seq in 1..=5i64 {
            let (kind, payload) = if seq == 3 {
                (
                    "list.issued",
                    serde_json::json!({ "list": 1, "kind": "request", "sha256": sha, "to": ["RU"],
                        "labels": labels_digest("request (synthetic)", "r.csv", Some("pow"), &["прізвище".to_owned()]) }),
                )
            } else {
                ("party.added", serde_json::json!({ "n": seq }))
            };
            let draft = EventDraft {
                at_ms: seq,
                party: "UA".into(),
                actor: "user:1".into(),
                kind: kind.into(),
                payload,
            };
            let bytes = draft.entry_bytes(seq, &prev).unwrap();
            prev = draft.chain(seq, &prev).unwrap().hash;
            entries.push(bytes);
        }
        let log: Vec<Hash> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
        let root = hex::encode(merkle::root(&log));
        let mut b = Bundle {
            format: BUNDLE_FORMAT.into(),
            issuer: "UA".into(),
            public_key: key.public_hex(),
            kind: "request".into(),
            category: Some("pow".into()),
            title: "request (synthetic)".into(),
            file_name: "r.csv".into(),
            original_hex: hex::encode(&original),
            sha256: sha,
            headers: vec!["прізвище".into()],
            addressees: vec!["RU".into()],
            rows,
            row_root,
            signature: String::new(),
            event_seq: 3,
            event_entry: String::from_utf8(entries[2].clone()).unwrap(),
            tree_head: BundleHead {
                size: 5,
                root: root.clone(),
                at_ms: 9,
                signature: key.sign_hex(&tree_head_statement("UA", 5, &root, 9)),
            },
            inclusion: merkle::inclusion_proof(2, &log)
                .unwrap()
                .iter()
                .map(hex::encode)
                .collect(),
            countersignatures: Vec::new(),
        };
        b.signature = key.sign_hex(&b.statement());
        (b, key)
    }

    /// The bundle with a mediator's counter-signature, in its file form.
    fn countersigned_file() -> (Vec<u8>, PartyKey) {
        let (mut b, key) = bundle();
        let tr = PartyKey::from_seed([23; 32]);
        let sig = tr.sign_hex(&b.countersign_statement("TR"));
        b.countersignatures
            .push(("TR".into(), tr.public_hex(), sig));
        (b.to_file().unwrap(), key)
    }

    #[test]
    fn a_bundle_checks_and_names_a_wrong_key() {
        let (file, key) = countersigned_file();
        let b = Bundle::from_file(&file).unwrap();
        assert_eq!(b.check(&key.public_hex()), Ok(()));
        let other = PartyKey::from_seed([22; 32]);
        assert!(
            b.check(&other.public_hex())
                .unwrap_err()
                .contains("not the key pinned")
        );
        // A counter-signature moved to another party's name no longer verifies.
        let mut moved = b.clone();
        moved.countersignatures[0].0 = "RU".into();
        assert!(
            moved
                .check(&key.public_hex())
                .unwrap_err()
                .contains("counter-signature of RU")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Any one byte of a bundle file, changed to any other value, is refused.
        #[test]
        fn every_changed_byte_of_a_bundle_file_is_found(at in 0usize..1_000_000, mask in 1u8..=255) {
            let (file, key) = countersigned_file();
            let mut changed = file.clone();
            let at = at % changed.len();
            changed[at] ^= mask;
            let accepted = Bundle::from_file(&changed).is_ok_and(|b| b.check(&key.public_hex()).is_ok());
            proptest::prop_assert!(!accepted, "byte {} changed by {:#04x} was accepted", at, mask);
        }
    }
}
