//! Who is acting: API tokens, sign-in with a password (Argon2id) and web sessions. The
//! faces carry the credential; checking it is done here, once.

use crate::{App, Error};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use homeward_core::access::Actor;
use homeward_store::Session;

/// How long a web session lasts.
pub const SESSION_TTL_MS: i64 = 8 * 3600 * 1000;

/// How costly a password hash is: standard for real users; cheap for tests, which create
/// users by the dozen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCost {
    /// OWASP's minimum for Argon2id: 19 MiB, two passes.
    Standard,
    /// The cheapest parameters Argon2 accepts.
    Test,
}

/// Hashes a password with Argon2id for storage.
pub fn hash_password(password: &str, cost: HashCost) -> Result<String, Error> {
    let (m, t) = match cost {
        HashCost::Standard => (19 * 1024, 2),
        HashCost::Test => (8, 1),
    };
    let params =
        Params::new(m, t, 1, None).map_err(|e| Error::Storage(format!("password hashing: {e}")))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Storage(format!("password hashing: {e}")))
}

/// Whether `password` is the one `hash` was made from; a malformed hash never verifies.
fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl App {
    /// The user an API token belongs to; an unknown or revoked token is unauthenticated.
    pub async fn actor_by_token(&self, token: &str) -> Result<Actor, Error> {
        self.store
            .actor_by_token(token)
            .await?
            .ok_or(Error::Unauthenticated)
    }

    /// The session with this id, while it lasts.
    pub async fn session(&self, id: &str) -> Result<Session, Error> {
        self.store
            .session(id, self.now())
            .await?
            .ok_or(Error::Unauthenticated)
    }

    /// The language the signed-in user chose for the pages, if any. Anyone may read and
    /// keep their own, so no command is authorised.
    pub async fn language_of(&self, actor: &Actor) -> Result<Option<String>, Error> {
        self.store.user_language(actor.user_id).await
    }

    /// Keeps `language` (a code the pages know) as the signed-in user's choice.
    pub async fn keep_language(&self, actor: &Actor, language: &str) -> Result<(), Error> {
        self.store.set_user_language(actor.user_id, language).await
    }

    /// Signs a user in with a token, or with party, user name and password; any failure is
    /// the same "not signed in", so that nothing is told about which part was wrong.
    pub async fn sign_in(
        &self,
        token: &str,
        party: &str,
        user: &str,
        password: &str,
    ) -> Result<Actor, Error> {
        let token = token.trim();
        if !token.is_empty() {
            return self.actor_by_token(token).await;
        }
        let party = party
            .trim()
            .to_uppercase()
            .parse()
            .map_err(|_| Error::Unauthenticated)?;
        match self.store.user_login(&party, user).await? {
            Some(l)
                if l.password_hash
                    .as_deref()
                    .is_some_and(|h| verify_password(password, h)) =>
            {
                Ok(l.actor)
            }
            _ => Err(Error::Unauthenticated),
        }
    }

    /// Starts a web session for a signed-in user: its id and its anti-forgery token.
    pub async fn start_session(&self, actor: &Actor) -> Result<(String, String), Error> {
        self.store
            .create_session(actor, self.now(), SESSION_TTL_MS)
            .await
    }

    /// Ends a session.
    pub async fn end_session(&self, id: &str) -> Result<(), Error> {
        self.store.end_session(id, self.now()).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_when_right() {
        let h = hash_password("correct horse", HashCost::Test).unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("x", "not a hash"));
    }
}
