//! Who is acting: API tokens, sign-in with a password (Argon2id) and web sessions. The
//! faces carry the credential; checking it is done here, once.

use crate::{Acting, App, Error};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use homeward_core::access::{Actor, ActorCode, Administer};
use homeward_store::{Session, SignInThrottle, ThrottleScope};
use std::net::IpAddr;
use std::sync::OnceLock;

/// The party's users by id, read once per page: who an actor code names.
#[derive(Debug, Clone, Default)]
pub struct ActorNames {
    users: std::collections::HashMap<i64, String>,
}

/// Who an actor code names, for a face to put in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShownActor<'a> {
    /// A user of the party, by login name.
    User(&'a str),
    /// A user id the server no longer has (the account was removed).
    FormerUser(i64),
    /// The tool acting in a user's name (the demo's seeding): the user's login name.
    ToolFor(&'a str),
    /// The tool itself, for a purpose (`demo`, `relay`, `cli` …).
    Tool(&'a str),
    /// A code of no known shape, as written.
    Other(&'a str),
}

impl ActorNames {
    /// The party's users as (actor code, login name), by name: what a filter by user offers.
    pub fn users(&self) -> Vec<(String, &str)> {
        let mut users: Vec<(String, &str)> = self
            .users
            .iter()
            .map(|(id, name)| (ActorCode::User(*id).to_string(), name.as_str()))
            .collect();
        users.sort_by(|a, b| a.1.cmp(b.1));
        users
    }

    /// Who `code` names.
    pub fn shown<'a>(&'a self, code: &'a str) -> ShownActor<'a> {
        match ActorCode::read(code) {
            ActorCode::User(id) => self
                .users
                .get(&id)
                .map_or(ShownActor::FormerUser(id), |n| ShownActor::User(n)),
            ActorCode::ToolFor(name) => ShownActor::ToolFor(name),
            ActorCode::Tool(purpose) => ShownActor::Tool(purpose),
            ActorCode::Other(code) => ShownActor::Other(code),
        }
    }
}

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

/// How failed sign-ins are answered. A user name (known or not: a lock must not tell
/// which names exist) may fail a few times freely, then waits longer before each attempt,
/// then is locked; an address the same, with more room (an office signs in from one
/// address). A run of failures ends when none came for `RUN_MS`.
#[derive(Debug, Clone, Copy)]
struct Throttle {
    free: i64,
    lock_after: i64,
}

const USER_THROTTLE: Throttle = Throttle {
    free: 3,
    lock_after: 10,
};
const ADDRESS_THROTTLE: Throttle = Throttle {
    free: 10,
    lock_after: 50,
};
/// A run of failures ends this long after the last one.
pub const RUN_MS: i64 = 15 * 60 * 1000;
/// How long a lock lasts.
pub const LOCK_MS: i64 = 15 * 60 * 1000;
/// The longest wait between attempts before the lock.
const MAX_WAIT_MS: i64 = 60 * 1000;

impl Throttle {
    /// When the next attempt may be made after `t`, if not yet at `now_ms`: the lock's end,
    /// or a wait doubling with each failure past the free ones (1 s, 2 s, 4 s … 60 s).
    fn wait_until(self, t: &SignInThrottle, now_ms: i64) -> Option<(i64, bool)> {
        if let Some(until) = t.locked_until.filter(|&u| u > now_ms) {
            return Some((until, true));
        }
        if t.last_at < now_ms - RUN_MS || t.failures <= self.free {
            return None;
        }
        let doublings = u32::try_from((t.failures - self.free - 1).min(16)).unwrap_or(16);
        let wait = (1000_i64 << doublings).min(MAX_WAIT_MS);
        let until = t.last_at + wait;
        (until > now_ms).then_some((until, false))
    }
}

/// What a sign-in gave.
#[derive(Debug, Clone)]
pub enum SignIn {
    /// Signed in.
    Actor(Actor),
    /// Refused; nothing said about which part was wrong.
    Failed,
    /// Refused without a check, after too many failures: the next attempt is possible at
    /// `until_ms`; `locked` when this is a lock rather than a wait between attempts.
    Wait {
        /// When an attempt is possible again, in milliseconds since 1970.
        until_ms: i64,
        /// A lock (failures enough to lock), not a wait between attempts.
        locked: bool,
    },
}

/// What a user is told when a sign-in must wait: the one wording, for every face.
pub fn wait_message(until_ms: i64, locked: bool) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(until_ms.div_euclid(1000) + 1)
        .map(|t| {
            format!(
                "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        })
        .unwrap_or_else(|_| "later".to_owned());
    if locked {
        format!(
            "Sign-in is locked after too many failed attempts, until {at}. An administrator can lift the lock."
        )
    } else {
        format!("Too many failed attempts: wait until {at} before trying again.")
    }
}

/// A sign-in lock as an admin sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignInLock {
    /// `user` or `address`.
    pub scope: ThrottleScope,
    /// `PARTY/name` or the address.
    pub subject: String,
    /// Failures that led to it.
    pub failures: i64,
    /// Until when, in milliseconds since 1970.
    pub locked_until: i64,
}

/// The user name a sign-in names, as it is counted: `PARTY/name`.
fn user_subject(party: &str, user: &str) -> String {
    format!("{party}/{}", user.trim())
}

/// A hash of a password nobody has, with the parameters real users' hashes have: an
/// unknown user name costs the same check as a known one with a wrong password.
fn dummy_hash(cost: HashCost) -> &'static str {
    static STANDARD: OnceLock<String> = OnceLock::new();
    static TEST: OnceLock<String> = OnceLock::new();
    let cell = match cost {
        HashCost::Standard => &STANDARD,
        HashCost::Test => &TEST,
    };
    cell.get_or_init(|| hash_password("no user has this password", cost).unwrap_or_default())
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

    /// The names of the actor's party's users, to say who did what where events, reads,
    /// changes and cases record an actor code. Anyone signed in may know their colleagues'
    /// login names, so no command is authorised.
    pub async fn actor_names(&self, actor: &Actor) -> Result<ActorNames, Error> {
        Ok(ActorNames {
            users: self
                .store
                .user_names(&actor.party)
                .await?
                .into_iter()
                .collect(),
        })
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

    /// Signs a user in with a token, or with party, user name and password, from `address`
    /// when the face knows it; any failure is the same "not signed in", so that nothing is
    /// told about which part was wrong. Failures are counted per user name (known or not)
    /// and per address; past a few, the next attempt must wait, and then sign-in is locked
    /// (see [`SignIn::Wait`]) — even the right password is refused until the lock ends or an
    /// admin lifts it. An unknown user's attempt costs the same password check as a known
    /// one's.
    pub async fn sign_in(
        &self,
        token: &str,
        party: &str,
        user: &str,
        password: &str,
        address: Option<IpAddr>,
    ) -> Result<SignIn, Error> {
        let now = self.now();
        let address = address.map(|a| a.to_string());
        let party_code = party.trim().to_uppercase();
        let token = token.trim();
        let by_user = token.is_empty();
        let subject = user_subject(&party_code, user);
        // Waits and locks first: nothing is checked while one holds.
        let mut waits = Vec::new();
        if let Some(a) = &address
            && let Some(t) = self
                .store
                .sign_in_throttle(ThrottleScope::Address, a)
                .await?
        {
            waits.extend(ADDRESS_THROTTLE.wait_until(&t, now));
        }
        if by_user
            && let Some(t) = self
                .store
                .sign_in_throttle(ThrottleScope::User, &subject)
                .await?
        {
            waits.extend(USER_THROTTLE.wait_until(&t, now));
        }
        if let Some(&(until_ms, locked)) = waits.iter().max_by_key(|(u, l)| (*l, *u)) {
            return Ok(SignIn::Wait { until_ms, locked });
        }
        let signed_in = if by_user {
            let login = match party_code.parse() {
                Ok(code) => self.store.user_login(&code, user).await?,
                Err(_) => None,
            };
            let hash = login
                .as_ref()
                .and_then(|l| l.password_hash.as_deref())
                .unwrap_or_else(|| dummy_hash(self.hash_cost));
            let right = verify_password(password, hash);
            login
                .filter(|l| right && l.password_hash.is_some())
                .map(|l| l.actor)
        } else {
            self.store.actor_by_token(token).await?
        };
        if let Some(actor) = signed_in {
            if by_user {
                self.store
                    .clear_sign_in_failures(ThrottleScope::User, &subject)
                    .await?;
            }
            return Ok(SignIn::Actor(actor));
        }
        let mut counted = Vec::new();
        if let Some(a) = &address {
            counted.push((ThrottleScope::Address, a.clone(), None, ADDRESS_THROTTLE));
        }
        if by_user {
            counted.push((
                ThrottleScope::User,
                subject,
                Some(party_code),
                USER_THROTTLE,
            ));
        }
        let mut outcome = SignIn::Failed;
        for (scope, subject, party, rule) in counted {
            let t = self
                .store
                .count_sign_in_failure(scope, &subject, party.as_deref(), now, now - RUN_MS)
                .await?;
            if t.failures >= rule.lock_after {
                self.store
                    .lock_sign_in(scope, &subject, now + LOCK_MS)
                    .await?;
                outcome = SignIn::Wait {
                    until_ms: now + LOCK_MS,
                    locked: true,
                };
            }
        }
        Ok(outcome)
    }

    /// The sign-in locks in force that an admin of the acting party may see: its users'
    /// names and the addresses locked.
    pub async fn sign_in_locks(&self, acting: &Acting<'_>) -> Result<Vec<SignInLock>, Error> {
        let grant = acting.grant::<Administer>()?;
        Ok(self
            .store
            .sign_in_locks(&grant, self.now())
            .await?
            .into_iter()
            .map(|t| SignInLock {
                scope: t.scope,
                subject: t.subject,
                failures: t.failures,
                locked_until: t.locked_until.unwrap_or_default(),
            })
            .collect())
    }

    /// Lifts the lock of a user name of the acting party (`name`) or of an address; the
    /// failures that led to it are forgotten. An event records who lifted it.
    pub async fn lift_sign_in_lock(
        &self,
        acting: &Acting<'_>,
        scope: ThrottleScope,
        subject: &str,
    ) -> Result<(), Error> {
        let grant = acting.grant::<Administer>()?;
        let subject = match scope {
            ThrottleScope::User => user_subject(grant.party().as_str(), subject),
            ThrottleScope::Address => subject
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| {
                    Error::invalid("address", format!("{subject:?} is not an IP address"))
                })?
                .to_string(),
        };
        self.store
            .lift_sign_in_lock(&grant, scope, &subject, self.now())
            .await
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
