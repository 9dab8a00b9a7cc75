//! Support for tests that run against both databases: a fresh SQLite file, and a fresh
//! PostgreSQL database on the server named by `HOMEWARD_TEST_POSTGRES_URL`.

use crate::{Location, OpenMode, Store};
use homeward_core::Error;
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable that names the PostgreSQL server used by tests.
pub const POSTGRES_URL_VAR: &str = "HOMEWARD_TEST_POSTGRES_URL";

/// A store made for one test, and what keeps it alive.
pub struct TestStore {
    /// The opened store.
    pub store: Store,
    /// Where it lives.
    pub location: Location,
    _dir: Option<tempfile::TempDir>,
}

/// A new SQLite store in a temporary folder.
pub async fn sqlite() -> Result<TestStore, Error> {
    let dir = tempfile::tempdir().map_err(|e| Error::Storage(e.to_string()))?;
    let location = Location::Sqlite(dir.path().join("test.db"));
    let store = Store::open(&location, OpenMode::CreateIfMissing).await?;
    Ok(TestStore {
        store,
        location,
        _dir: Some(dir),
    })
}

/// A new, empty PostgreSQL database on the test server, or `None` (after saying so
/// loudly on stderr) when `HOMEWARD_TEST_POSTGRES_URL` is not set.
pub async fn postgres(test: &str) -> Result<Option<TestStore>, Error> {
    let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
        // Written past the test harness's capture, so that a skip is never silent.
        use std::io::Write as _;
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED on PostgreSQL: {test} (set {POSTGRES_URL_VAR}, e.g. postgres://postgres@127.0.0.1:5432/test, to run it)"
        );
        return Ok(None);
    };
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "homeward_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    sqlx::any::install_default_drivers();
    let mut admin = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin_url)
        .await
        .map_err(|e| Error::Storage(format!("connecting to {POSTGRES_URL_VAR}: {e}")))?;
    drop_leftovers(&mut admin).await;
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .map_err(|e| Error::Storage(format!("creating test database: {e}")))?;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    let location: Location = format!("{base}/{name}").parse()?;
    let store = Store::open(&location, OpenMode::CreateIfMissing).await?;
    Ok(Some(TestStore {
        store,
        location,
        _dir: None,
    }))
}

impl Store {
    /// The raw pool, for tests that must reach past the store's rules (to tamper with the
    /// log as an attacker with database access would).
    pub fn raw_pool_for_tests(&self) -> &sqlx::AnyPool {
        &self.pool
    }

    /// The raw pool of the read audit (on SQLite its own file), for the same tests.
    pub fn raw_read_audit_pool_for_tests(&self) -> &sqlx::AnyPool {
        &self.reads
    }
}

/// Drops the test databases of earlier test processes that have ended, so that repeated
/// runs on one server do not pile them up. Databases of live processes are left alone.
async fn drop_leftovers(admin: &mut sqlx::AnyConnection) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let mut first = false;
    ONCE.call_once(|| first = true);
    if !first {
        return;
    }
    let names: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname LIKE 'homeward_test_%'",
    )
    .fetch_all(&mut *admin)
    .await
    .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        let ours = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !alive && ours {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut *admin)
            .await;
        }
    }
}
