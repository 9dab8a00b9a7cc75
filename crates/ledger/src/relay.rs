//! What parties' servers hand each other: a [`Delivery`] (one document — a list bundle, or
//! a receipt passed on — from one server to the next, signed by the sending party's key,
//! which is the credential it presents) and the [`Receipt`] the receiving server signs for
//! it, which the sender keeps. Both are checked here against a pinned key, offline; what
//! only a store knows (which keys it pinned, what it already received) the store checks.

use crate::document::lower_hex;
use crate::keys::{rotation_statement, verify_hex};
use crate::sha256_hex;
use serde::{Deserialize, Serialize};

/// The format name of a delivery.
pub const DELIVERY_FORMAT: &str = "homeward-delivery-v1";
/// The format name of a receipt.
pub const RECEIPT_FORMAT: &str = "homeward-receipt-v1";
/// The format name of a key rotation.
pub const ROTATION_FORMAT: &str = "homeward-key-rotation-v1";

/// What a delivery carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Carried {
    /// A list bundle (`homeward-bundle-v1`).
    Bundle,
    /// A receipt another party signed, passed on to the list's issuer.
    Receipt,
    /// A party's new key, vouched for by the key it replaces ([`KeyRotation`]).
    Rotation,
    /// A party's signed statement ([`crate::statement::Statement`]).
    Statement,
}

impl Carried {
    /// The word stored and shown for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Carried::Bundle => "bundle",
            Carried::Receipt => "receipt",
            Carried::Rotation => "rotation",
            Carried::Statement => "statement",
        }
    }

    /// Reads the stored word.
    pub fn parse(s: &str) -> Option<Carried> {
        match s {
            "bundle" => Some(Carried::Bundle),
            "receipt" => Some(Carried::Receipt),
            "rotation" => Some(Carried::Rotation),
            "statement" => Some(Carried::Statement),
            _ => None,
        }
    }
}

/// One document from one party's server to the next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Always [`DELIVERY_FORMAT`].
    pub format: String,
    /// The sending party.
    pub from: String,
    /// The receiving party.
    pub to: String,
    /// The sender's number for this delivery (its outbox entry); a retry keeps it.
    pub id: i64,
    /// What the document is.
    pub carries: Carried,
    /// The document, in the canonical file form its format defines.
    pub document: String,
    /// The document's SHA-256: what makes the same document twice one delivery.
    pub sha256: String,
    /// The sender's public key, hex.
    pub public_key: String,
    /// The sender's signature over [`Delivery::statement`], hex.
    pub signature: String,
}

impl Delivery {
    /// A delivery of `document` signed with `sign` (the sender's key's signing function).
    pub fn new(
        from: &str,
        to: &str,
        id: i64,
        carries: Carried,
        document: String,
        public_key: String,
        sign: impl FnOnce(&[u8]) -> String,
    ) -> Delivery {
        let sha256 = sha256_hex(document.as_bytes());
        let statement = delivery_statement(from, to, id, carries, &sha256);
        Delivery {
            format: DELIVERY_FORMAT.to_owned(),
            from: from.to_owned(),
            to: to.to_owned(),
            id,
            carries,
            document,
            sha256,
            public_key,
            signature: sign(&statement),
        }
    }

    /// The statement the sender signs.
    pub fn statement(&self) -> Vec<u8> {
        delivery_statement(&self.from, &self.to, self.id, self.carries, &self.sha256)
    }

    /// Checks the delivery against the key the receiver pinned for its sender: the format,
    /// the key, the document's hash and the signature. The error names what failed.
    pub fn check(&self, pinned_key: &str) -> Result<(), String> {
        if self.format != DELIVERY_FORMAT {
            return Err(format!(
                "not a homeward delivery (format {:?})",
                self.format
            ));
        }
        lower_hex("sender's key", &self.public_key, Some(32))?;
        lower_hex("document's SHA-256", &self.sha256, Some(32))?;
        lower_hex("sender's signature", &self.signature, Some(64))?;
        if self.public_key != pinned_key.trim().to_ascii_lowercase() {
            return Err(format!(
                "signed by {}, which is not the key pinned for {} ({})",
                self.public_key, self.from, pinned_key
            ));
        }
        if sha256_hex(self.document.as_bytes()) != self.sha256 {
            return Err("the document does not have the SHA-256 the delivery states".to_owned());
        }
        match verify_hex(&self.public_key, &self.statement(), &self.signature) {
            Ok(true) => Ok(()),
            _ => Err(format!(
                "{}'s signature of the delivery does not verify",
                self.from
            )),
        }
    }
}

fn delivery_statement(from: &str, to: &str, id: i64, carries: Carried, sha256: &str) -> Vec<u8> {
    format!(
        "homeward delivery v1\nfrom {from}\nto {to}\nid {id}\ncarries {}\nsha256 {sha256}\n",
        carries.as_str()
    )
    .into_bytes()
}

/// What a receiving server signs for a delivery it accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Always [`RECEIPT_FORMAT`].
    pub format: String,
    /// The receiving party, which signs.
    pub by: String,
    /// The party that delivered.
    pub from: String,
    /// The sender's number for the delivery.
    pub id: i64,
    /// The SHA-256 of the document received.
    pub sha256: String,
    /// The SHA-256 of the list's original file, when the document was a list's bundle, or
    /// the statement's, when it was a statement (so the issuer can tell which of its lists
    /// or statements the receipt is for, whoever passed it on).
    pub list_sha256: Option<String>,
    /// The list's or the statement's issuer.
    pub issuer: Option<String>,
    /// What the receiver did with it, in its words (`imported as list 12`).
    pub outcome: String,
    /// When the receiver accepted it.
    pub at_ms: i64,
    /// The receiver's public key, hex.
    pub public_key: String,
    /// The receiver's signature over [`Receipt::statement`], hex.
    pub signature: String,
}

/// What a receipt states before it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDraft {
    /// The receiving party.
    pub by: String,
    /// The list's issuer and the SHA-256 of its original, for a bundle.
    pub list: Option<(String, String)>,
    /// What the receiver did.
    pub outcome: String,
    /// When.
    pub at_ms: i64,
}

impl Receipt {
    /// The receipt for `delivery`, signed with `sign` by the key `public_key`.
    pub fn new(
        delivery: &Delivery,
        draft: ReceiptDraft,
        public_key: String,
        sign: impl FnOnce(&[u8]) -> String,
    ) -> Receipt {
        let (issuer, list_sha256) = draft.list.unzip();
        let mut r = Receipt {
            format: RECEIPT_FORMAT.to_owned(),
            by: draft.by,
            from: delivery.from.clone(),
            id: delivery.id,
            sha256: delivery.sha256.clone(),
            list_sha256,
            issuer,
            outcome: draft.outcome,
            at_ms: draft.at_ms,
            public_key,
            signature: String::new(),
        };
        r.signature = sign(&r.statement());
        r
    }

    /// The statement the receiver signs.
    pub fn statement(&self) -> Vec<u8> {
        format!(
            "homeward receipt v1\nby {}\nfrom {}\nid {}\nsha256 {}\nlist {} {}\noutcome {}\nat {}\n",
            self.by,
            self.from,
            self.id,
            self.sha256,
            self.issuer.as_deref().unwrap_or("-"),
            self.list_sha256.as_deref().unwrap_or("-"),
            self.outcome.replace('\n', " "),
            self.at_ms
        )
        .into_bytes()
    }

    /// Checks the receipt against the key pinned for its signer. The error names what failed.
    pub fn check(&self, pinned_key: &str) -> Result<(), String> {
        if self.format != RECEIPT_FORMAT {
            return Err(format!("not a homeward receipt (format {:?})", self.format));
        }
        lower_hex("receiver's key", &self.public_key, Some(32))?;
        lower_hex("receiver's signature", &self.signature, Some(64))?;
        if self.public_key != pinned_key.trim().to_ascii_lowercase() {
            return Err(format!(
                "signed by {}, which is not the key pinned for {} ({})",
                self.public_key, self.by, pinned_key
            ));
        }
        match verify_hex(&self.public_key, &self.statement(), &self.signature) {
            Ok(true) => Ok(()),
            _ => Err(format!(
                "{}'s signature of the receipt does not verify",
                self.by
            )),
        }
    }

    /// The file form of the receipt (canonical JSON), as it is kept and passed on.
    pub fn to_file(&self) -> Result<String, String> {
        let bytes = crate::document::to_file(self)?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }

    /// Reads a receipt in its file form.
    pub fn from_file(text: &str) -> Result<Receipt, String> {
        crate::document::from_file(text.as_bytes(), "homeward receipt")
    }
}

/// A party's key rotation as it travels to those who pinned its old key: the new key,
/// vouched for by the old one's signature of [`rotation_statement`]. Whoever pinned the old
/// key, and only they, can follow it, whoever carries it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyRotation {
    /// Always [`ROTATION_FORMAT`].
    pub format: String,
    /// The party whose key changed.
    pub party: String,
    /// The key retired, hex.
    pub old: String,
    /// The key that replaces it, hex.
    pub new: String,
    /// When the party rotated.
    pub at_ms: i64,
    /// The old key's signature of the rotation statement, hex.
    pub signature_by_old: String,
}

impl KeyRotation {
    /// The rotation as the party's store recorded it.
    pub fn new(party: &str, old: &str, new: &str, at_ms: i64, signature_by_old: &str) -> Self {
        KeyRotation {
            format: ROTATION_FORMAT.to_owned(),
            party: party.to_owned(),
            old: old.trim().to_ascii_lowercase(),
            new: new.trim().to_ascii_lowercase(),
            at_ms,
            signature_by_old: signature_by_old.trim().to_ascii_lowercase(),
        }
    }

    /// Checks that the old key signed the rotation to the new one. The error names what
    /// failed.
    pub fn check(&self) -> Result<(), String> {
        if self.format != ROTATION_FORMAT {
            return Err(format!(
                "not a homeward key rotation (format {:?})",
                self.format
            ));
        }
        lower_hex("old key", &self.old, Some(32))?;
        lower_hex("new key", &self.new, Some(32))?;
        lower_hex("old key's signature", &self.signature_by_old, Some(64))?;
        if self.old == self.new {
            return Err("the new key is the old one".to_owned());
        }
        let statement = rotation_statement(&self.party, &self.old, &self.new, self.at_ms);
        match verify_hex(&self.old, &statement, &self.signature_by_old) {
            Ok(true) => Ok(()),
            _ => Err(format!(
                "the rotation of {}'s key is not signed by the key it replaces ({})",
                self.party, self.old
            )),
        }
    }

    /// The file form (canonical JSON), as it travels.
    pub fn to_file(&self) -> Result<String, String> {
        let bytes = crate::document::to_file(self)?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }

    /// Reads a rotation in its file form.
    pub fn from_file(text: &str) -> Result<KeyRotation, String> {
        crate::document::from_file(text.as_bytes(), "homeward key rotation")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PartyKey;

    #[test]
    fn a_rotation_holds_only_when_the_old_key_signed_it() {
        let old = PartyKey::from_seed([1; 32]);
        let new = PartyKey::from_seed([2; 32]);
        let statement = rotation_statement("UA", &old.public_hex(), &new.public_hex(), 5);
        let r = KeyRotation::new(
            "UA",
            &old.public_hex(),
            &new.public_hex(),
            5,
            &old.sign_hex(&statement),
        );
        assert_eq!(r.check(), Ok(()));
        assert_eq!(KeyRotation::from_file(&r.to_file().unwrap()), Ok(r.clone()));
        // Signed by the new key (a thief of nothing but a fresh key) it does not hold.
        let by_new = KeyRotation {
            signature_by_old: new.sign_hex(&statement),
            ..r.clone()
        };
        assert!(
            by_new
                .check()
                .unwrap_err()
                .contains("not signed by the key it replaces")
        );
        // Nor when any part changes after signing.
        let later = KeyRotation { at_ms: 6, ..r };
        assert!(later.check().is_err());
    }

    fn delivery(key: &PartyKey) -> Delivery {
        Delivery::new(
            "UA",
            "TR",
            7,
            Carried::Bundle,
            "{\"format\":\"homeward-bundle-v1\"}\n".to_owned(),
            key.public_hex(),
            |m| key.sign_hex(m),
        )
    }

    #[test]
    fn a_delivery_checks_against_its_senders_key_only() {
        let ua = PartyKey::from_seed([1; 32]);
        let d = delivery(&ua);
        assert_eq!(d.check(&ua.public_hex()), Ok(()));
        let other = PartyKey::from_seed([2; 32]);
        assert!(
            d.check(&other.public_hex())
                .unwrap_err()
                .contains("not the key pinned")
        );
        // A forger who signs with its own key under UA's name is found out by the pinned key.
        let forged = Delivery::new(
            "UA",
            "TR",
            7,
            Carried::Bundle,
            d.document.clone(),
            ua.public_hex(),
            |m| other.sign_hex(m),
        );
        assert!(
            forged
                .check(&ua.public_hex())
                .unwrap_err()
                .contains("does not verify")
        );
        let mut changed = d.clone();
        changed.document.push(' ');
        assert!(
            changed
                .check(&ua.public_hex())
                .unwrap_err()
                .contains("SHA-256")
        );
        let mut readdressed = d.clone();
        readdressed.to = "RU".to_owned();
        assert!(
            readdressed
                .check(&ua.public_hex())
                .unwrap_err()
                .contains("does not verify")
        );
    }

    #[test]
    fn a_receipt_round_trips_and_checks() {
        let ua = PartyKey::from_seed([1; 32]);
        let tr = PartyKey::from_seed([3; 32]);
        let d = delivery(&ua);
        let r = Receipt::new(
            &d,
            ReceiptDraft {
                by: "TR".to_owned(),
                list: Some(("UA".to_owned(), "ab".repeat(32))),
                outcome: "counter-signed".to_owned(),
                at_ms: 5,
            },
            tr.public_hex(),
            |m| tr.sign_hex(m),
        );
        assert_eq!(r.check(&tr.public_hex()), Ok(()));
        assert!(r.check(&ua.public_hex()).is_err());
        let again = Receipt::from_file(&r.to_file().unwrap()).unwrap();
        assert_eq!(again, r);
        let mut changed = r.clone();
        changed.outcome = "refused".to_owned();
        assert!(
            changed
                .check(&tr.public_hex())
                .unwrap_err()
                .contains("does not verify")
        );
    }
}
