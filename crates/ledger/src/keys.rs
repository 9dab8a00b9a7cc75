//! A party's Ed25519 signing key and the checks of signatures by the keys it pinned.
//!
//! The secret never enters a store, an export or a log: it lives in a file only its owner
//! can read, or comes in through the environment. The text form of a secret key is one line,
//! `homeward-ed25519-secret-v1 <64 hex digits>`, so that a file holding anything else is
//! refused rather than misread. Public keys travel as 64 hex digits.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

/// What the text form of a secret key starts with.
const SECRET_PREFIX: &str = "homeward-ed25519-secret-v1 ";

/// Why a key or a signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The text is not a homeward secret key.
    #[error("not a homeward secret key (expected one line starting with {SECRET_PREFIX:?})")]
    NotASecretKey,
    /// The text is not a public key.
    #[error("{0:?} is not a public key (64 hex digits)")]
    NotAPublicKey(String),
    /// A signature is not 64 bytes of hex.
    #[error("not a signature (128 hex digits)")]
    NotASignature,
}

/// A party's signing key.
pub struct PartyKey(SigningKey);

impl std::fmt::Debug for PartyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is never printed, not even in a debug line.
        write!(f, "PartyKey(public {})", self.public_hex())
    }
}

impl PartyKey {
    /// A key from 32 random bytes (the caller draws them from the operating system).
    pub fn from_seed(seed: [u8; 32]) -> PartyKey {
        PartyKey(SigningKey::from_bytes(&seed))
    }

    /// Reads the text form of a secret key.
    pub fn from_text(text: &str) -> Result<PartyKey, KeyError> {
        let hex_part = text
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or(KeyError::NotASecretKey)?;
        let bytes: [u8; 32] = hex::decode(hex_part.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(KeyError::NotASecretKey)?;
        Ok(PartyKey::from_seed(bytes))
    }

    /// The text form of the secret key, for its file.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}\n", hex::encode(self.0.to_bytes()))
    }

    /// The public key, as 64 hex digits.
    pub fn public_hex(&self) -> String {
        hex::encode(self.0.verifying_key().to_bytes())
    }

    /// Signs `message`; the signature as 128 hex digits.
    pub fn sign_hex(&self, message: &[u8]) -> String {
        hex::encode(self.0.sign(message).to_bytes())
    }
}

/// Reads a public key from 64 hex digits.
pub fn public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let bad = || KeyError::NotAPublicKey(text.to_owned());
    let bytes: [u8; 32] = hex::decode(text.trim())
        .map_err(|_| bad())?
        .try_into()
        .map_err(|_| bad())?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| bad())
}

/// Whether `signature_hex` is `public_hex`'s signature of `message` (strict verification:
/// no malleable or small-order forms are accepted).
pub fn verify_hex(public_hex: &str, message: &[u8], signature_hex: &str) -> Result<bool, KeyError> {
    let key = public_key(public_hex)?;
    let bytes: [u8; 64] = hex::decode(signature_hex.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(KeyError::NotASignature)?;
    Ok(key
        .verify_strict(message, &Signature::from_bytes(&bytes))
        .is_ok())
}

/// The statement a party signs with its old key when it rotates to a new one, so that
/// whoever pinned the old key can follow the rotation.
pub fn rotation_statement(party: &str, old_public: &str, new_public: &str, at_ms: i64) -> Vec<u8> {
    format!(
        "homeward key rotation v1\nparty {party}\nold {old_public}\nnew {new_public}\nat {at_ms}\n"
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_sign_and_verify() {
        let key = PartyKey::from_seed([7; 32]);
        let again = PartyKey::from_text(&key.to_text()).unwrap();
        assert_eq!(key.public_hex(), again.public_hex());
        let sig = key.sign_hex(b"list 3, sha256 abc");
        assert!(verify_hex(&key.public_hex(), b"list 3, sha256 abc", &sig).unwrap());
        assert!(!verify_hex(&key.public_hex(), b"list 3, sha256 abd", &sig).unwrap());
        let other = PartyKey::from_seed([8; 32]);
        assert!(!verify_hex(&other.public_hex(), b"list 3, sha256 abc", &sig).unwrap());
        assert!(
            !format!("{key:?}").contains(&hex::encode([7u8; 32])),
            "the secret stays out of debug output"
        );
    }

    #[test]
    fn anything_else_is_refused() {
        assert!(matches!(
            PartyKey::from_text("ssh-ed25519 AAAA"),
            Err(KeyError::NotASecretKey)
        ));
        assert!(PartyKey::from_text("homeward-ed25519-secret-v1 abcd").is_err());
        assert!(public_key("xyz").is_err());
        assert!(verify_hex(&PartyKey::from_seed([1; 32]).public_hex(), b"m", "00").is_err());
    }
}
