//! Parties, users, API tokens and web sessions.
//!
//! Tokens and session ids are random secrets shown once; only their SHA-256 is stored, so
//! a copy of the database does not let anyone sign in.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Actor, Administer, Grant, Role};
use homeward_core::party::{Party, PartyCode};
use homeward_ledger::sha256_hex;
use rand::RngExt as _;
use sqlx::Row;

/// A web session: who is signed in and the token their forms must carry.
#[derive(Debug, Clone)]
pub struct Session {
    /// The signed-in user.
    pub actor: Actor,
    /// The anti-forgery token for forms in this session.
    pub csrf: String,
}

/// What a password sign-in needs to check.
#[derive(Debug, Clone)]
pub struct UserLogin {
    /// The user, if the password checks out.
    pub actor: Actor,
    /// The stored PHC password hash, if the user has a password.
    pub password_hash: Option<String>,
}

/// A fresh random secret: `prefix` then 64 hex digits (256 bits).
fn secret(prefix: &str) -> String {
    let bytes: [u8; 32] = rand::rng().random();
    format!("{prefix}{}", hex::encode(bytes))
}

fn parse_roles(text: &str) -> Result<Vec<Role>, Error> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}

fn actor_from_row(row: &sqlx::any::AnyRow) -> Result<Actor, Error> {
    let get = db("reading a user");
    let party: String = row.try_get("party").map_err(&get)?;
    let roles: String = row.try_get("roles").map_err(&get)?;
    Ok(Actor {
        user_id: row.try_get("id").map_err(&get)?,
        user_name: row.try_get("name").map_err(&get)?,
        party: party.parse()?,
        roles: parse_roles(&roles)?,
    })
}

impl Store {
    /// Registers a party. The grant is the tool's own (`Grant::system`) when a store is
    /// set up from the command line.
    pub async fn add_party(
        &self,
        grant: &Grant<Administer>,
        party: &Party,
        now_ms: i64,
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO parties (code, name, kind, created_at) VALUES ($1, $2, $3, $4)")
            .bind(party.code.as_str())
            .bind(&party.name)
            .bind(party.kind.as_str())
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("adding the party"))?;
        let payload = serde_json::json!({ "code": party.code.as_str(), "name": party.name, "kind": party.kind.as_str() });
        commit_with_event(tx, grant, "party.added", payload, now_ms).await
    }

    /// Every party registered in this store (codes and names are public).
    pub async fn parties(&self) -> Result<Vec<Party>, Error> {
        let rows = sqlx::query("SELECT code, name, kind FROM parties ORDER BY code")
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading parties"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a party");
                let code: String = r.try_get("code").map_err(&get)?;
                let kind: String = r.try_get("kind").map_err(&get)?;
                Ok(Party {
                    code: code.parse()?,
                    name: r.try_get("name").map_err(&get)?,
                    kind: kind.parse()?,
                })
            })
            .collect()
    }

    /// Creates a user in the grant's party and returns the new user id.
    pub async fn create_user(
        &self,
        grant: &Grant<Administer>,
        name: &str,
        roles: &[Role],
        password_hash: Option<&str>,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let name = name.trim();
        if name.is_empty()
            || name.len() > 64
            || name.chars().any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::invalid(
                "user name",
                "use 1 to 64 characters without spaces",
            ));
        }
        if roles.is_empty() {
            return Err(Error::invalid("roles", "a user needs at least one role"));
        }
        let roles_text = roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let mut tx = self.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (party, name, roles, password_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(grant.party().as_str())
        .bind(name)
        .bind(&roles_text)
        .bind(password_hash)
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("creating the user"))?;
        let payload = serde_json::json!({ "user": id, "name": name, "roles": roles_text });
        commit_with_event(tx, grant, "user.created", payload, now_ms).await?;
        Ok(id)
    }

    /// Creates an API token for a user of the grant's party; returns the token, which is
    /// shown this once and stored only as its hash.
    pub async fn create_token(
        &self,
        grant: &Grant<Administer>,
        user_id: i64,
        now_ms: i64,
    ) -> Result<String, Error> {
        let mut tx = self.begin().await?;
        let owner: Option<i64> =
            sqlx::query_scalar("SELECT id FROM users WHERE id = $1 AND party = $2")
                .bind(user_id)
                .bind(grant.party().as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("finding the user"))?;
        if owner.is_none() {
            return Err(Error::NotFound(format!("user {user_id}")));
        }
        let token = secret("hwt_");
        let token_id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(user_id)
        .bind(sha256_hex(token.as_bytes()))
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("storing the token"))?;
        let payload = serde_json::json!({ "user": user_id, "token": token_id });
        commit_with_event(tx, grant, "token.created", payload, now_ms).await?;
        Ok(token)
    }

    /// The user a bearer token belongs to, if the token is known and not revoked.
    pub async fn actor_by_token(&self, token: &str) -> Result<Option<Actor>, Error> {
        let row = sqlx::query(
            "SELECT u.id, u.party, u.name, u.roles FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
        )
        .bind(sha256_hex(token.as_bytes()))
        .fetch_optional(&self.pool)
        .await
        .map_err(db("checking the token"))?;
        row.as_ref().map(actor_from_row).transpose()
    }

    /// The user with this name in this party, with their password hash, for sign-in.
    pub async fn user_login(
        &self,
        party: &PartyCode,
        name: &str,
    ) -> Result<Option<UserLogin>, Error> {
        let row = sqlx::query("SELECT id, party, name, roles, password_hash FROM users WHERE party = $1 AND name = $2")
            .bind(party.as_str())
            .bind(name.trim())
            .fetch_optional(&self.pool)
            .await
            .map_err(db("finding the user"))?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(UserLogin {
                actor: actor_from_row(&row)?,
                password_hash: row.try_get("password_hash").map_err(db("reading a user"))?,
            })),
        }
    }

    /// Starts a web session for `actor` lasting `ttl_ms`; returns the session id for the
    /// cookie (stored only as its hash) and the session's anti-forgery token.
    pub async fn create_session(
        &self,
        actor: &Actor,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<(String, String), Error> {
        let id = secret("hws_");
        let csrf = secret("");
        sqlx::query("INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(sha256_hex(id.as_bytes()))
            .bind(actor.user_id)
            .bind(&csrf)
            .bind(now_ms)
            .bind(now_ms + ttl_ms)
            .execute(&self.writer)
            .await
            .map_err(db("starting the session"))?;
        Ok((id, csrf))
    }

    /// The live session with this id, if any.
    pub async fn session(&self, id: &str, now_ms: i64) -> Result<Option<Session>, Error> {
        let row = sqlx::query(
            "SELECT u.id, u.party, u.name, u.roles, s.csrf FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.id_hash = $1 AND s.expires_at > $2",
        )
        .bind(sha256_hex(id.as_bytes()))
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("checking the session"))?;
        match row {
            None => Ok(None),
            Some(row) => Ok(Some(Session {
                actor: actor_from_row(&row)?,
                csrf: row.try_get("csrf").map_err(db("reading the session"))?,
            })),
        }
    }

    /// Ends a session (sign-out) and clears expired ones.
    pub async fn end_session(&self, id: &str, now_ms: i64) -> Result<(), Error> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1 OR expires_at <= $2")
            .bind(sha256_hex(id.as_bytes()))
            .bind(now_ms)
            .execute(&self.writer)
            .await
            .map_err(db("ending the session"))?;
        Ok(())
    }

    /// The party's users, id and login name, to say in words who an actor code names.
    pub async fn user_names(&self, party: &PartyCode) -> Result<Vec<(i64, String)>, Error> {
        sqlx::query_as("SELECT id, name FROM users WHERE party = $1 ORDER BY id")
            .bind(party.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading the party's user names"))
    }

    /// The language `user_id` chose for the pages, if they chose one.
    pub async fn user_language(&self, user_id: i64) -> Result<Option<String>, Error> {
        sqlx::query_scalar::<_, Option<String>>("SELECT language FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
            .map(Option::flatten)
            .map_err(db("reading the user's language"))
    }

    /// Keeps `language` as the language `user_id` chose for the pages. A preference of the
    /// user's own, not a change to any record, so it makes no event.
    pub async fn set_user_language(&self, user_id: i64, language: &str) -> Result<(), Error> {
        sqlx::query("UPDATE users SET language = $1 WHERE id = $2")
            .bind(language)
            .bind(user_id)
            .execute(&self.writer)
            .await
            .map_err(db("keeping the user's language"))?;
        Ok(())
    }
}
