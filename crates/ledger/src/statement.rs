//! Signed statements: what a party tells the others about the round beyond its lists — a
//! medical commission's finding, and what later kinds add — signed by the party's key and
//! counter-signed by the mediator that passes it on.
//!
//! Each party numbers its statements from 1 and names the SHA-256 of the one before, so its
//! statements form a chain. A receiver that already holds statement `n` of a party and is
//! offered another statement `n` (or one whose predecessor is not the `n − 1` it holds) has
//! been shown a rolled-back or forked history, and can say so without asking anyone.

use crate::document::lower_hex;
use crate::keys::verify_hex;
use crate::{canonical_json, sha256_hex};
use serde::{Deserialize, Serialize};

/// The format name of a statement.
pub const STATEMENT_FORMAT: &str = "homeward-statement-v1";

/// A party's signed statement, as it travels and is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Always [`STATEMENT_FORMAT`].
    pub format: String,
    /// The party that states it.
    pub issuer: String,
    /// Its number among the issuer's statements, from 1.
    pub seq: i64,
    /// The [`Statement::sha256`] of the issuer's statement `seq − 1`; none for the first.
    pub prev_sha256: Option<String>,
    /// The parties it is for (the mediator among them when the round has one).
    pub addressees: Vec<String>,
    /// When the issuer stated it.
    pub at_ms: i64,
    /// What it states, a dotted kind (`commission.finding`).
    pub kind: String,
    /// The statement's content; its shape is the kind's.
    pub body: serde_json::Value,
    /// The issuer's public key, hex.
    pub public_key: String,
    /// The issuer's signature over [`Statement::signed_bytes`], hex.
    pub signature: String,
    /// Counter-signatures of those who passed it on, in order.
    pub countersignatures: Vec<StatementCountersignature>,
}

/// A mediator's counter-signature of a statement it passed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatementCountersignature {
    /// The party that counter-signs.
    pub by: String,
    /// When.
    pub at_ms: i64,
    /// Its public key, hex.
    pub public_key: String,
    /// Its signature over [`countersigned_bytes`], hex.
    pub signature: String,
}

/// What a statement says before it is signed.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementDraft {
    /// The party that states it.
    pub issuer: String,
    /// Its number, from 1.
    pub seq: i64,
    /// The hash of the issuer's previous statement.
    pub prev_sha256: Option<String>,
    /// Whom it is for.
    pub addressees: Vec<String>,
    /// When.
    pub at_ms: i64,
    /// Its kind.
    pub kind: String,
    /// Its content.
    pub body: serde_json::Value,
}

fn signed_bytes(d: &StatementDraft) -> Result<Vec<u8>, String> {
    let body = canonical_json(&d.body).map_err(|e| e.to_string())?;
    Ok(format!(
        "homeward statement v1\nissuer {}\nseq {}\nprev {}\nto {}\nat {}\nkind {}\nbody {}\n",
        d.issuer,
        d.seq,
        d.prev_sha256.as_deref().unwrap_or("-"),
        d.addressees.join(","),
        d.at_ms,
        d.kind,
        sha256_hex(body.as_bytes())
    )
    .into_bytes())
}

/// What a counter-signer signs: who it is, when, and the statement's hash.
pub fn countersigned_bytes(by: &str, at_ms: i64, statement_sha256: &str) -> Vec<u8> {
    format!("homeward statement countersignature v1\nby {by}\nat {at_ms}\nstatement {statement_sha256}\n")
        .into_bytes()
}

impl Statement {
    /// The statement `draft`, signed with `sign` by the key `public_key`.
    pub fn new(
        draft: StatementDraft,
        public_key: String,
        sign: impl FnOnce(&[u8]) -> String,
    ) -> Result<Statement, String> {
        if draft.seq < 1 {
            return Err("a statement's number starts at 1".to_owned());
        }
        let signature = sign(&signed_bytes(&draft)?);
        Ok(Statement {
            format: STATEMENT_FORMAT.to_owned(),
            issuer: draft.issuer,
            seq: draft.seq,
            prev_sha256: draft.prev_sha256,
            addressees: draft.addressees,
            at_ms: draft.at_ms,
            kind: draft.kind,
            body: draft.body,
            public_key,
            signature,
            countersignatures: Vec::new(),
        })
    }

    fn draft(&self) -> StatementDraft {
        StatementDraft {
            issuer: self.issuer.clone(),
            seq: self.seq,
            prev_sha256: self.prev_sha256.clone(),
            addressees: self.addressees.clone(),
            at_ms: self.at_ms,
            kind: self.kind.clone(),
            body: self.body.clone(),
        }
    }

    /// The bytes the issuer signs.
    pub fn signed_bytes(&self) -> Result<Vec<u8>, String> {
        signed_bytes(&self.draft())
    }

    /// The statement's identity: the SHA-256 of what the issuer signed, the same whoever
    /// counter-signed it since.
    pub fn sha256(&self) -> Result<String, String> {
        Ok(sha256_hex(&self.signed_bytes()?))
    }

    /// Checks the format and the issuer's signature against the key pinned for the issuer.
    /// The error names what failed.
    pub fn check(&self, pinned_key: &str) -> Result<(), String> {
        if self.format != STATEMENT_FORMAT {
            return Err(format!(
                "not a homeward statement (format {:?})",
                self.format
            ));
        }
        if self.seq < 1 {
            return Err(format!(
                "statement number {} is not a number from 1",
                self.seq
            ));
        }
        match (&self.prev_sha256, self.seq) {
            (None, 1) => {}
            (Some(prev), n) if n > 1 => lower_hex("previous statement's SHA-256", prev, Some(32))?,
            (None, n) => return Err(format!("statement {n} names no statement before it")),
            (Some(_), _) => {
                return Err("the first statement names a statement before it".to_owned());
            }
        }
        lower_hex("issuer's key", &self.public_key, Some(32))?;
        lower_hex("issuer's signature", &self.signature, Some(64))?;
        if self.public_key != pinned_key.trim().to_ascii_lowercase() {
            return Err(format!(
                "signed by {}, which is not the key pinned for {} ({})",
                self.public_key, self.issuer, pinned_key
            ));
        }
        match verify_hex(&self.public_key, &self.signed_bytes()?, &self.signature) {
            Ok(true) => Ok(()),
            _ => Err(format!(
                "{}'s signature of statement {} does not verify",
                self.issuer, self.seq
            )),
        }
    }

    /// Checks the counter-signature `c` against the key pinned for its signer.
    pub fn check_countersignature(
        &self,
        c: &StatementCountersignature,
        pinned_key: &str,
    ) -> Result<(), String> {
        lower_hex("counter-signer's key", &c.public_key, Some(32))?;
        lower_hex("counter-signature", &c.signature, Some(64))?;
        if c.public_key != pinned_key.trim().to_ascii_lowercase() {
            return Err(format!(
                "counter-signed by {}, which is not the key pinned for {} ({})",
                c.public_key, c.by, pinned_key
            ));
        }
        let bytes = countersigned_bytes(&c.by, c.at_ms, &self.sha256()?);
        match verify_hex(&c.public_key, &bytes, &c.signature) {
            Ok(true) => Ok(()),
            _ => Err(format!(
                "{}'s counter-signature of {}'s statement {} does not verify",
                c.by, self.issuer, self.seq
            )),
        }
    }

    /// The statement with `by`'s counter-signature added (once per signer).
    pub fn countersigned(
        mut self,
        by: &str,
        at_ms: i64,
        public_key: String,
        sign: impl FnOnce(&[u8]) -> String,
    ) -> Result<Statement, String> {
        if self.countersignatures.iter().any(|c| c.by == by) {
            return Ok(self);
        }
        let signature = sign(&countersigned_bytes(by, at_ms, &self.sha256()?));
        self.countersignatures.push(StatementCountersignature {
            by: by.to_owned(),
            at_ms,
            public_key,
            signature,
        });
        Ok(self)
    }

    /// The file form (canonical JSON), as it travels and is kept.
    pub fn to_file(&self) -> Result<String, String> {
        let bytes = crate::document::to_file(self)?;
        String::from_utf8(bytes).map_err(|e| e.to_string())
    }

    /// Reads a statement in its file form.
    pub fn from_file(text: &str) -> Result<Statement, String> {
        crate::document::from_file(text.as_bytes(), "homeward statement")
    }
}

/// How a statement stands against the issuer's chain a receiver already holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainPlace {
    /// The next one: taken.
    Next,
    /// One already held, the same statement: nothing to do.
    Held,
    /// A later one than the next: it waits until those before it arrive.
    Early {
        /// The number the receiver waits for.
        expected: i64,
    },
    /// Another statement under a number already held, or one after a predecessor that is not
    /// the one held: the issuer's history was rolled back or forked.
    Forked(String),
}

/// Places `statement` (hash `sha`) against what a receiver holds of its issuer's chain: the
/// hash of statement `seq` when it holds it (`held_at_seq`), and its last (`last`).
pub fn chain_place(
    statement: &Statement,
    sha: &str,
    held_at_seq: Option<&str>,
    last: Option<(i64, &str)>,
) -> ChainPlace {
    let last_seq = last.map_or(0, |(n, _)| n);
    if let Some(held) = held_at_seq {
        return if held == sha {
            ChainPlace::Held
        } else {
            ChainPlace::Forked(format!(
                "{}'s statement {} is already held with SHA-256 {held}; this one ({sha}) rewrites it: a rolled-back or forked history",
                statement.issuer, statement.seq
            ))
        };
    }
    if statement.seq <= last_seq {
        // Below the last held but not held itself: the receiver's chain has a hole, which it
        // never makes; treat as a rewrite rather than fill it.
        return ChainPlace::Forked(format!(
            "{}'s statement {} comes after statement {last_seq} was taken",
            statement.issuer, statement.seq
        ));
    }
    if statement.seq > last_seq + 1 {
        return ChainPlace::Early {
            expected: last_seq + 1,
        };
    }
    match (last, statement.prev_sha256.as_deref()) {
        (None, None) => ChainPlace::Next,
        (Some((_, held)), Some(prev)) if held == prev => ChainPlace::Next,
        (Some((n, held)), prev) => ChainPlace::Forked(format!(
            "{}'s statement {} follows a statement {} with SHA-256 {}, but the statement {n} held has {held}: a forked history",
            statement.issuer,
            statement.seq,
            n,
            prev.unwrap_or("-")
        )),
        (None, Some(_)) => ChainPlace::Next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PartyKey;

    fn stated(
        key: &PartyKey,
        seq: i64,
        prev: Option<String>,
        body: serde_json::Value,
    ) -> Statement {
        Statement::new(
            StatementDraft {
                issuer: "UA".to_owned(),
                seq,
                prev_sha256: prev,
                addressees: vec!["RU".to_owned(), "TR".to_owned()],
                at_ms: 5,
                kind: "commission.finding".to_owned(),
                body,
            },
            key.public_hex(),
            |m| key.sign_hex(m),
        )
        .unwrap()
    }

    #[test]
    fn a_statement_checks_against_its_issuers_key_and_round_trips() {
        let ua = PartyKey::from_seed([1; 32]);
        let tr = PartyKey::from_seed([3; 32]);
        let s = stated(&ua, 1, None, serde_json::json!({"verdict": "repatriate"}));
        assert_eq!(s.check(&ua.public_hex()), Ok(()));
        assert!(
            s.check(&tr.public_hex())
                .unwrap_err()
                .contains("not the key pinned")
        );
        let sha = s.sha256().unwrap();
        let c = s
            .clone()
            .countersigned("TR", 6, tr.public_hex(), |m| tr.sign_hex(m))
            .unwrap();
        // A counter-signature does not change what the statement is.
        assert_eq!(c.sha256().unwrap(), sha);
        assert_eq!(c.check(&ua.public_hex()), Ok(()));
        assert_eq!(
            c.check_countersignature(&c.countersignatures[0], &tr.public_hex()),
            Ok(())
        );
        assert_eq!(Statement::from_file(&c.to_file().unwrap()), Ok(c.clone()));
        // Any change of content after signing is found.
        let mut changed = c.clone();
        changed.body = serde_json::json!({"verdict": "reject"});
        assert!(
            changed
                .check(&ua.public_hex())
                .unwrap_err()
                .contains("does not verify")
        );
        assert!(
            changed
                .check_countersignature(&c.countersignatures[0], &tr.public_hex())
                .unwrap_err()
                .contains("does not verify")
        );
        let mut readdressed = s.clone();
        readdressed.addressees = vec!["RU".to_owned()];
        assert!(readdressed.check(&ua.public_hex()).is_err());
    }

    #[test]
    fn a_rolled_back_or_forked_chain_is_told_from_a_replay_and_a_gap() {
        let ua = PartyKey::from_seed([1; 32]);
        let first = stated(&ua, 1, None, serde_json::json!({"n": 1}));
        let first_sha = first.sha256().unwrap();
        let second = stated(&ua, 2, Some(first_sha.clone()), serde_json::json!({"n": 2}));
        let second_sha = second.sha256().unwrap();
        assert_eq!(
            chain_place(&first, &first_sha, None, None),
            ChainPlace::Next
        );
        assert_eq!(
            chain_place(&second, &second_sha, None, Some((1, &first_sha))),
            ChainPlace::Next
        );
        assert_eq!(
            chain_place(
                &second,
                &second_sha,
                Some(&second_sha),
                Some((2, &second_sha))
            ),
            ChainPlace::Held
        );
        assert_eq!(
            chain_place(&second, &second_sha, None, None),
            ChainPlace::Early { expected: 1 }
        );
        // Another statement 2 after 2 was taken: a rewrite.
        let other = stated(&ua, 2, Some(first_sha.clone()), serde_json::json!({"n": 3}));
        let other_sha = other.sha256().unwrap();
        assert!(matches!(
            chain_place(&other, &other_sha, Some(&second_sha), Some((2, &second_sha))),
            ChainPlace::Forked(why) if why.contains("rolled-back or forked")
        ));
        // A statement 2 that follows another statement 1 than the one held: a fork.
        let fork_first = stated(&ua, 1, None, serde_json::json!({"n": 9}));
        let forked = stated(
            &ua,
            2,
            Some(fork_first.sha256().unwrap()),
            serde_json::json!({"n": 2}),
        );
        let forked_sha = forked.sha256().unwrap();
        assert!(matches!(
            chain_place(&forked, &forked_sha, None, Some((1, &first_sha))),
            ChainPlace::Forked(why) if why.contains("forked history")
        ));
        // The first statement naming a predecessor does not check.
        let mut odd = first.clone();
        odd.prev_sha256 = Some(first_sha);
        assert!(odd.check(&ua.public_hex()).is_err());
    }
}
