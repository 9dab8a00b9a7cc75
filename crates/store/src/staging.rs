//! A staging file: a scratch SQLite database of one writer's own, beside the store.
//!
//! SQLite has one write lock per file, and a list of 200,000 people takes seconds to write:
//! written in the list's own transaction, it would keep every other change of the store
//! waiting the whole time. Its rows go instead into a staging file (no journal, no sync: if
//! the writer dies, the file is thrown away and nothing was published), which is then
//! attached to a connection of the store and copied in, in SQL, in one short transaction.
//!
//! A staging file is created with mode 0600 beside the store, so that it stays on the same
//! disk and is as private as the store. It is deleted when its writer is done or dropped; one
//! left by a killed process is removed when the store is next opened, once it is no longer
//! locked and has not been touched for an hour.

use crate::db;
use homeward_core::Error;
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Connection as _, Transaction};
use std::path::{Path, PathBuf};

/// What a staging file's name ends with; it starts with `.` and the store's file name.
const SUFFIX: &str = ".staging";

/// How long an unlocked staging file must have been left untouched before opening the
/// store removes it: a writer between the end of its staging and its publication holds
/// no lock on it for a moment.
const ABANDONED_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

/// A staging file being written through its own connection.
pub(crate) struct Staging {
    conn: AnyConnection,
    file: tempfile::TempPath,
}

/// A staging file attached as `staging` to a connection of the store, ready for the
/// transaction that publishes it.
pub(crate) struct Attached {
    conn: PoolConnection<Any>,
    _file: tempfile::TempPath,
}

impl Staging {
    /// Creates a staging file beside `store_file` with the tables `schema` makes, and
    /// opens its one transaction, which keeps it locked while it is written.
    pub(crate) async fn create(store_file: &Path, schema: &str) -> Result<Staging, Error> {
        let (dir, prefix) = place(store_file);
        let file = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(SUFFIX)
            .tempfile_in(&dir)
            .map_err(|e| {
                Error::Storage(format!(
                    "cannot create a staging file in {}: {e}; check that the folder is writable and has room",
                    dir.display()
                ))
            })?
            .into_temp_path();
        let url = format!("sqlite://{}?mode=rw", file.display());
        let mut conn = AnyConnection::connect(&url)
            .await
            .map_err(db("opening a staging file"))?;
        for pragma in [
            "PRAGMA journal_mode = OFF",
            "PRAGMA synchronous = OFF",
            "PRAGMA cache_size = -16384",
            "BEGIN IMMEDIATE",
        ] {
            sqlx::query(pragma)
                .execute(&mut conn)
                .await
                .map_err(db("preparing a staging file"))?;
        }
        sqlx::raw_sql(sqlx::AssertSqlSafe(schema))
            .execute(&mut conn)
            .await
            .map_err(db("preparing a staging file"))?;
        Ok(Staging { conn, file })
    }

    /// The staging file's connection, inside its transaction.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    /// Ends the writing and attaches the file as `staging` to a connection of `pool`.
    /// The connection is closed when it is given back, so that no other work of the store
    /// ever sees the attachment.
    pub(crate) async fn attach(self, pool: &AnyPool) -> Result<Attached, Error> {
        let Staging { mut conn, file } = self;
        sqlx::query("COMMIT")
            .execute(&mut conn)
            .await
            .map_err(db("finishing a staging file"))?;
        conn.close().await.map_err(db("finishing a staging file"))?;
        let mut store = pool
            .acquire()
            .await
            .map_err(db("publishing a staging file"))?;
        store.close_on_drop();
        sqlx::query("ATTACH DATABASE $1 AS staging")
            .bind(file.to_string_lossy().into_owned())
            .execute(&mut *store)
            .await
            .map_err(db("attaching a staging file"))?;
        Ok(Attached {
            conn: store,
            _file: file,
        })
    }
}

impl Attached {
    /// The publishing transaction: it takes the store's write lock at once.
    pub(crate) async fn begin(&mut self) -> Result<Transaction<'_, Any>, Error> {
        self.conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db("starting to publish a staging file"))
    }
}

/// The folder a store's staging files go in, and the prefix of their names.
fn place(store_file: &Path) -> (PathBuf, String) {
    let dir = match store_file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let name = store_file
        .file_name()
        .map_or_else(|| "store".into(), |n| n.to_string_lossy().into_owned());
    (dir, format!(".{name}-"))
}

/// Removes the staging files an interrupted writer left beside `store_file` — those nobody
/// holds locked that were last written over an hour ago — and says which it removed.
pub(crate) async fn remove_abandoned(store_file: &Path) -> Vec<String> {
    let (dir, prefix) = place(store_file);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut said = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(&prefix) || !name.ends_with(SUFFIX) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= ABANDONED_AFTER);
        let path = entry.path();
        if stale && !in_use(&path).await && std::fs::remove_file(&path).is_ok() {
            said.push(format!(
                "removed {}, left by an import that was interrupted before its list was published",
                path.display()
            ));
        }
    }
    said
}

/// Whether a writer holds the staging file at `path` locked.
async fn in_use(path: &Path) -> bool {
    let url = format!("sqlite://{}?mode=rw", path.display());
    let Ok(mut conn) = AnyConnection::connect(&url).await else {
        return true;
    };
    let locked = match sqlx::query("PRAGMA busy_timeout = 0")
        .execute(&mut conn)
        .await
    {
        Ok(_) => sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut conn)
            .await
            .is_err(),
        Err(_) => true,
    };
    let _ = conn.close().await;
    locked
}
