//! Failed sign-ins and the locks they lead to, per user name and per address. The rules
//! (how many failures, how long a wait, how long a lock) are the application's; the store
//! counts atomically, so that parallel attempts and several processes serving one store
//! share one count, and keeps the locks across restarts.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Administer, Grant};
use serde::Serialize;
use sqlx::Row;

/// What is counted: a user name of a party, or an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ThrottleScope {
    /// A party's user name (`UA/olena`), whether or not the user exists.
    User,
    /// The address attempts come from.
    Address,
}

impl ThrottleScope {
    fn as_str(self) -> &'static str {
        match self {
            ThrottleScope::User => "user",
            ThrottleScope::Address => "address",
        }
    }

    fn parse(s: &str) -> Result<Self, Error> {
        match s {
            "user" => Ok(ThrottleScope::User),
            "address" => Ok(ThrottleScope::Address),
            other => Err(Error::Storage(format!(
                "an unknown sign-in scope {other:?}"
            ))),
        }
    }
}

/// The failed sign-ins of one user name or address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignInThrottle {
    /// User name or address.
    pub scope: ThrottleScope,
    /// `PARTY/name` for a user, the address for an address.
    pub subject: String,
    /// The party of a user name.
    pub party: Option<String>,
    /// Failures in the current run.
    pub failures: i64,
    /// The last failure, in milliseconds since 1970.
    pub last_at: i64,
    /// Until when sign-in is locked, if it was.
    pub locked_until: Option<i64>,
}

const THROTTLE_COLUMNS: &str = "scope, subject, party, failures, last_at, locked_until";

fn throttle_from_row(row: &sqlx::any::AnyRow) -> Result<SignInThrottle, Error> {
    let get = db("reading failed sign-ins");
    Ok(SignInThrottle {
        scope: ThrottleScope::parse(&row.try_get::<String, _>("scope").map_err(&get)?)?,
        subject: row.try_get("subject").map_err(&get)?,
        party: row.try_get("party").map_err(&get)?,
        failures: row.try_get("failures").map_err(&get)?,
        last_at: row.try_get("last_at").map_err(&get)?,
        locked_until: row.try_get("locked_until").map_err(&get)?,
    })
}

impl Store {
    /// The failed sign-ins counted for `subject` in `scope`, if any.
    pub async fn sign_in_throttle(
        &self,
        scope: ThrottleScope,
        subject: &str,
    ) -> Result<Option<SignInThrottle>, Error> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {THROTTLE_COLUMNS} FROM sign_in_throttle WHERE scope = $1 AND subject = $2"
        )))
        .bind(scope.as_str())
        .bind(subject)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading failed sign-ins"))?
        .as_ref()
        .map(throttle_from_row)
        .transpose()
    }

    /// Counts one failed sign-in for `subject`, in one statement: the count starts again
    /// at 1 when the previous failure is older than `run_since_ms`. Returns the new count.
    pub async fn count_sign_in_failure(
        &self,
        scope: ThrottleScope,
        subject: &str,
        party: Option<&str>,
        now_ms: i64,
        run_since_ms: i64,
    ) -> Result<SignInThrottle, Error> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO sign_in_throttle (scope, subject, party, failures, last_at, locked_until) \
             VALUES ($1, $2, $3, 1, $4, NULL) \
             ON CONFLICT (scope, subject) DO UPDATE SET \
             failures = CASE WHEN sign_in_throttle.last_at < $5 THEN 1 ELSE sign_in_throttle.failures + 1 END, \
             last_at = $4 \
             RETURNING {THROTTLE_COLUMNS}"
        )))
        .bind(scope.as_str())
        .bind(subject)
        .bind(party.map(str::to_owned))
        .bind(now_ms)
        .bind(run_since_ms)
        .fetch_one(&self.pool)
        .await
        .map_err(db("counting a failed sign-in"))?;
        throttle_from_row(&row)
    }

    /// Locks sign-in for `subject` until `until_ms`.
    pub async fn lock_sign_in(
        &self,
        scope: ThrottleScope,
        subject: &str,
        until_ms: i64,
    ) -> Result<(), Error> {
        sqlx::query(
            "UPDATE sign_in_throttle SET locked_until = $1 WHERE scope = $2 AND subject = $3",
        )
        .bind(until_ms)
        .bind(scope.as_str())
        .bind(subject)
        .execute(&self.writer)
        .await
        .map_err(db("locking sign-in"))?;
        Ok(())
    }

    /// Forgets the failed sign-ins of `subject` (after a successful sign-in).
    pub async fn clear_sign_in_failures(
        &self,
        scope: ThrottleScope,
        subject: &str,
    ) -> Result<(), Error> {
        sqlx::query("DELETE FROM sign_in_throttle WHERE scope = $1 AND subject = $2")
            .bind(scope.as_str())
            .bind(subject)
            .execute(&self.writer)
            .await
            .map_err(db("clearing failed sign-ins"))?;
        Ok(())
    }

    /// The locks in force at `now_ms` an admin of the grant's party may see: those of its
    /// user names, and those of addresses (which lock every party's users out).
    pub async fn sign_in_locks(
        &self,
        grant: &Grant<Administer>,
        now_ms: i64,
    ) -> Result<Vec<SignInThrottle>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {THROTTLE_COLUMNS} FROM sign_in_throttle WHERE locked_until > $1 \
             AND (scope = 'address' OR party = $2) ORDER BY locked_until, subject"
        )))
        .bind(now_ms)
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading sign-in locks"))?;
        rows.iter().map(throttle_from_row).collect()
    }

    /// Lifts a lock in force (and forgets its failures), with its event; a lock of another
    /// party's user, or none, is not found.
    pub async fn lift_sign_in_lock(
        &self,
        grant: &Grant<Administer>,
        scope: ThrottleScope,
        subject: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "DELETE FROM sign_in_throttle WHERE scope = $1 AND subject = $2 AND locked_until > $3 \
             AND (scope = 'address' OR party = $4)",
        )
        .bind(scope.as_str())
        .bind(subject)
        .bind(now_ms)
        .bind(grant.party().as_str())
        .execute(&mut *tx)
        .await
        .map_err(db("lifting a sign-in lock"))?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!(
                "no sign-in lock in force for the {} {subject}",
                scope.as_str()
            )));
        }
        let payload = serde_json::json!({ "scope": scope.as_str(), "subject": subject });
        commit_with_event(tx, grant, "sign_in.unlocked", payload, now_ms).await
    }
}
