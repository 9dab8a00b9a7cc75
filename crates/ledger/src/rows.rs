//! Proof of a single name: a list's rows are the leaves of a Merkle tree of their own
//! (RFC 9162 hashing over each row's canonical form), the issuer signs the list's original
//! SHA-256, its row count and that tree's root; a proof of one row carries the row, the
//! sibling hashes up to the root and the signature — and nothing of the other rows. A family
//! or a court checks it offline with the issuer's public key.

use crate::keys::verify_hex;
use crate::merkle::{self, Hash};
use crate::{CanonicalError, canonical_json};
use serde::{Deserialize, Serialize};

/// The leaf of one row: its line and its cells by header, in canonical form.
pub fn row_leaf(line: i64, fields: &serde_json::Value) -> Result<Hash, CanonicalError> {
    let row = serde_json::json!({ "line": line, "fields": fields });
    Ok(merkle::leaf_hash(canonical_json(&row)?.as_bytes()))
}

/// What the issuer of a list signs.
pub fn list_statement(issuer: &str, list_sha256: &str, rows: u64, row_root: &str) -> Vec<u8> {
    format!("homeward list v1\nissuer {issuer}\nsha256 {list_sha256}\nrows {rows}\nrow_root {row_root}\n")
        .into_bytes()
}

/// What a mediator `party` signs when it counter-signs a list: its own name and the
/// issuer's list statement.
pub fn countersign_statement(party: &str, list_statement: &[u8]) -> Vec<u8> {
    let mut s = format!("homeward countersignature v1\nparty {party}\n").into_bytes();
    s.extend_from_slice(list_statement);
    s
}

/// A proof that one row was on a signed list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowProof {
    /// Always `homeward-row-proof-v1`.
    pub format: String,
    /// The issuing party.
    pub issuer: String,
    /// SHA-256 of the list's original file.
    pub list_sha256: String,
    /// Rows on the list.
    pub rows: u64,
    /// Root of the rows' Merkle tree, hex.
    pub row_root: String,
    /// The issuer's public key that signed it, hex.
    pub public_key: String,
    /// The signature over [`list_statement`], hex.
    pub signature: String,
    /// The row's position among the rows, from 0.
    pub index: u64,
    /// The row's line in the original file.
    pub line: i64,
    /// The row's cells by header, as written.
    pub fields: serde_json::Value,
    /// Sibling hashes from the row up to the root, hex.
    pub path: Vec<String>,
}

/// The format name of a row proof.
pub const ROW_PROOF_FORMAT: &str = "homeward-row-proof-v1";

fn unhex(s: &str) -> Option<Hash> {
    hex::decode(s).ok()?.try_into().ok()
}

impl RowProof {
    /// The file form of the proof (canonical JSON).
    pub fn to_file(&self) -> Result<Vec<u8>, String> {
        crate::document::to_file(self)
    }

    /// Reads a proof file; only the canonical form homeward writes is accepted.
    pub fn from_file(bytes: &[u8]) -> Result<RowProof, String> {
        crate::document::from_file(bytes, "homeward row proof")
    }

    /// Checks the proof offline against the issuer's public key `trusted_key` (hex); the
    /// error says what failed.
    pub fn verify(&self, trusted_key: &str) -> Result<(), String> {
        if self.format != ROW_PROOF_FORMAT {
            return Err(format!("not a row proof (format {:?})", self.format));
        }
        for (field, value, bytes) in [
            ("issuer's key", self.public_key.as_str(), 32),
            ("list's SHA-256", self.list_sha256.as_str(), 32),
            ("rows' root", self.row_root.as_str(), 32),
            ("signature", self.signature.as_str(), 64),
        ] {
            crate::document::lower_hex(field, value, Some(bytes))?;
        }
        for h in &self.path {
            crate::document::lower_hex("path", h, Some(32))?;
        }
        if self.public_key != trusted_key.trim().to_ascii_lowercase() {
            return Err(format!(
                "signed by {}, not by the key given ({})",
                self.public_key,
                trusted_key.trim()
            ));
        }
        let statement = list_statement(&self.issuer, &self.list_sha256, self.rows, &self.row_root);
        match verify_hex(&self.public_key, &statement, &self.signature) {
            Ok(true) => {}
            Ok(false) => {
                return Err(
                    "the issuer's signature does not verify: the list facts were changed"
                        .to_owned(),
                );
            }
            Err(e) => return Err(format!("the signature cannot be read: {e}")),
        }
        let root = unhex(&self.row_root).ok_or("the row root is not a SHA-256 value")?;
        let path: Vec<Hash> = self
            .path
            .iter()
            .map(|h| unhex(h))
            .collect::<Option<_>>()
            .ok_or("a hash of the path is not a SHA-256 value")?;
        let leaf = row_leaf(self.line, &self.fields)
            .map_err(|e| format!("the row cannot be encoded: {e}"))?;
        if merkle::verify_inclusion(self.index, self.rows, &leaf, &path, &root) {
            Ok(())
        } else {
            Err(format!(
                "row {} (line {}) is not on the signed list: its inclusion proof does not lead to the signed root",
                self.index, self.line
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PartyKey;

    fn proof_of(index: usize) -> (RowProof, PartyKey) {
        let rows: Vec<(i64, serde_json::Value)> = (0..7)
            .map(|i| {
                (
                    i + 2,
                    serde_json::json!({ "прізвище": format!("Прізвище{i}"), "ім'я": "Тарас" }),
                )
            })
            .collect();
        let leaves: Vec<Hash> = rows.iter().map(|(l, f)| row_leaf(*l, f).unwrap()).collect();
        let root = hex::encode(merkle::root(&leaves));
        let key = PartyKey::from_seed([3; 32]);
        let sha = crate::sha256_hex(b"synthetic list");
        let signature = key.sign_hex(&list_statement("UA", &sha, rows.len() as u64, &root));
        let proof = RowProof {
            format: ROW_PROOF_FORMAT.to_owned(),
            issuer: "UA".into(),
            list_sha256: sha,
            rows: rows.len() as u64,
            row_root: root,
            public_key: key.public_hex(),
            signature,
            index: index as u64,
            line: rows[index].0,
            fields: rows[index].1.clone(),
            path: merkle::inclusion_proof(index, &leaves)
                .unwrap()
                .iter()
                .map(hex::encode)
                .collect(),
        };
        (proof, key)
    }

    #[test]
    fn a_row_proof_verifies_and_reveals_no_other_row() {
        for i in 0..7 {
            let (p, key) = proof_of(i);
            assert_eq!(p.verify(&key.public_hex()), Ok(()));
            let text = serde_json::to_string(&p).unwrap();
            for other in (0..7).filter(|&o| o != i) {
                assert!(!text.contains(&format!("Прізвище{other}")));
            }
        }
    }

    #[test]
    fn a_proof_names_a_wrong_key() {
        let (p, _) = proof_of(3);
        assert!(
            p.verify(&PartyKey::from_seed([4; 32]).public_hex())
                .unwrap_err()
                .contains("not by the key given")
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// Any one byte of a proof file, changed to any other value, is refused.
        #[test]
        fn every_changed_byte_of_a_proof_file_is_found(index in 0usize..7, at in 0usize..1_000_000, mask in 1u8..=255) {
            let (p, key) = proof_of(index);
            let file = p.to_file().unwrap();
            proptest::prop_assert!(RowProof::from_file(&file).is_ok_and(|q| q.verify(&key.public_hex()).is_ok()));
            let mut changed = file.clone();
            let at = at % changed.len();
            changed[at] ^= mask;
            let accepted = RowProof::from_file(&changed).is_ok_and(|q| q.verify(&key.public_hex()).is_ok());
            proptest::prop_assert!(!accepted, "byte {} changed by {:#04x} was accepted", at, mask);
        }
    }
}
