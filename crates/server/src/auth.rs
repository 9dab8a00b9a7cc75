//! Who is calling: API tokens (`Authorization: Bearer`), and web sessions started by a
//! sign-in form. Passwords are hashed with Argon2id.

use crate::{ApiError, AppState, PageError};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use homeward_core::Error;
use homeward_core::access::Actor;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "homeward_session";

/// How long a web session lasts: one working day.
pub const SESSION_TTL_MS: i64 = 8 * 3600 * 1000;

/// How expensive password hashing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashCost {
    /// Argon2id with the OWASP-recommended parameters (19 MiB, 2 passes).
    Standard,
    /// Minimal parameters, for tests only: the hash is as verifiable, just cheap.
    Test,
}

/// Hashes a password into a PHC string.
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

/// Whether `password` matches the PHC string `hash` (its own parameters are used).
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
}

/// The value of cookie `name`, if the request carries it.
pub(crate) fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

async fn by_token(state: &AppState, parts: &Parts) -> Result<Option<Actor>, Error> {
    match bearer(parts) {
        Some(token) => state
            .store
            .actor_by_token(token)
            .await?
            .map(Some)
            .ok_or(Error::Unauthenticated),
        None => Ok(None),
    }
}

/// The caller of an API route: only a bearer token counts, so that a browser's cookie
/// can never be replayed against the API by another site.
#[derive(Debug, Clone)]
pub struct ApiCaller(pub Actor);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        by_token(state, parts)
            .await?
            .map(ApiCaller)
            .ok_or(ApiError(Error::Unauthenticated))
    }
}

/// The caller of a page: a bearer token (for scripts and tests) or a session cookie.
#[derive(Debug, Clone)]
pub struct PageCaller {
    /// Who is signed in.
    pub actor: Actor,
    /// The anti-forgery token forms must carry; `None` for bearer callers, who send no
    /// ambient credentials and so cannot be forged against.
    pub csrf: Option<String>,
    /// The raw session id, for sign-out.
    pub session: Option<String>,
}

impl PageCaller {
    /// Checks a submitted form's anti-forgery token.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), Error> {
        match &self.csrf {
            None => Ok(()),
            Some(expected) if constant_time_eq(expected.as_bytes(), submitted.as_bytes()) => Ok(()),
            Some(_) => Err(Error::invalid(
                "form",
                "the form is stale or did not come from this site; reload the page and try again",
            )),
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<AppState> for PageCaller {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(actor) = by_token(state, parts).await? {
            return Ok(PageCaller {
                actor,
                csrf: None,
                session: None,
            });
        }
        let Some(id) = cookie(parts, SESSION_COOKIE) else {
            return Err(PageError(Error::Unauthenticated));
        };
        let session = state
            .store
            .session(id, state.now())
            .await?
            .ok_or(PageError(Error::Unauthenticated))?;
        Ok(PageCaller {
            actor: session.actor,
            csrf: Some(session.csrf),
            session: Some(id.to_owned()),
        })
    }
}

/// Checks a sign-in: a token alone, or party, user name and password. Every failure
/// gives the same answer, so that it does not reveal which part was wrong.
pub async fn sign_in(
    state: &AppState,
    token: &str,
    party: &str,
    user: &str,
    password: &str,
) -> Result<Actor, Error> {
    let token = token.trim();
    if !token.is_empty() {
        return state
            .store
            .actor_by_token(token)
            .await?
            .ok_or(Error::Unauthenticated);
    }
    let party = party
        .trim()
        .to_uppercase()
        .parse()
        .map_err(|_| Error::Unauthenticated)?;
    let login = state.store.user_login(&party, user).await?;
    match login {
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
