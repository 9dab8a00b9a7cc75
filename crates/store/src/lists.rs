//! List documents: what one party hands another, kept byte for byte with their rows.
//!
//! A list is written through a [`ListWriter`]: the document first, then its rows in
//! batches, then its event, all or nothing. A caller streaming a large file never holds
//! all its rows; a list held whole ([`NewList`]) goes the same way. On PostgreSQL the list
//! is written in its own transaction; on SQLite, whose one write lock that transaction
//! would hold for the whole import, in a staging file published in one short transaction.

use crate::persons::{INSERT_COLUMNS, INSERT_WIDTH, Value, placeholders, record_values};
use crate::staging::Staging;
use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_core::record::{Category, PersonRecord};
use homeward_ledger::{canonical_json, sha256_hex};
use rayon::prelude::*;
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};

/// One row of a list as read from its file.
#[derive(Debug, Clone)]
pub struct NewListRow {
    /// Line or row number in the original file.
    pub row_no: i64,
    /// The row's cells by column name, exactly as read.
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// The record the row gives, when it was accepted; it is added to the issuer's
    /// register with this row as its source.
    pub record: Option<PersonRecord>,
    /// Why the row was rejected or what looked wrong; empty when clean.
    pub problems: Vec<String>,
}

/// A list document without its rows: what [`Store::begin_list`] stores first. The original
/// is borrowed, so that a caller keeps the file's bytes once.
#[derive(Debug, Clone)]
pub struct ListDocument<'a> {
    /// `request`, `holding`, `exchange`, `remains`, `children` or `register`.
    pub kind: &'a str,
    /// The category of people on the list, when it has one.
    pub category: Option<Category>,
    /// A title for people.
    pub title: &'a str,
    /// The original file name.
    pub file_name: &'a str,
    /// The original file, byte for byte.
    pub original: &'a [u8],
    /// The parties it is addressed to.
    pub addressees: &'a [PartyCode],
    /// The list this one corrects, if any.
    pub supersedes: Option<i64>,
    /// The file's headers in their order, as the rows name their cells.
    pub headers: &'a [String],
}

/// A list document to be stored with all its rows at once.
#[derive(Debug, Clone)]
pub struct NewList {
    /// `request`, `holding`, `exchange`, `remains`, `children` or `register`.
    pub kind: String,
    /// The category of people on the list, when it has one.
    pub category: Option<Category>,
    /// A title for people.
    pub title: String,
    /// The original file name.
    pub file_name: String,
    /// The original file, byte for byte.
    pub original: Vec<u8>,
    /// The parties it is addressed to.
    pub addressees: Vec<PartyCode>,
    /// The list this one corrects, if any.
    pub supersedes: Option<i64>,
    /// The file's headers in their order, as the rows name their cells.
    pub headers: Vec<String>,
    /// Its rows.
    pub rows: Vec<NewListRow>,
}

impl NewList {
    /// The document, without its rows.
    pub fn document(&self) -> ListDocument<'_> {
        ListDocument {
            kind: &self.kind,
            category: self.category,
            title: &self.title,
            file_name: &self.file_name,
            original: &self.original,
            addressees: &self.addressees,
            supersedes: self.supersedes,
            headers: &self.headers,
        }
    }
}

/// The most values one statement binds: the bundled SQLite takes 32,766 and PostgreSQL
/// 65,535. Each statement is a round trip to the database's worker, so a batch goes in
/// few of them.
const MAX_BIND_VALUES: usize = 30_000;

/// The values a list row is stored with: list, row number, accepted, cells, problems and
/// the record it gave.
const ROW_WIDTH: usize = 6;

/// How long an import waits for the imports before it (each a few seconds per 100,000
/// rows) before it is told to come back.
const LIST_TURN_WAIT: std::time::Duration = std::time::Duration::from_secs(600);

/// The columns a list document is stored with.
const LIST_COLUMNS: &str = "issuer, kind, category, title, file_name, original, sha256, supersedes, created_by, created_at, headers";

/// The columns of a list's rows.
const ROW_COLUMNS: &str = "list_id, row_no, accepted, fields, problems, person_id";

/// The tables a list is staged in on SQLite ([`crate::staging`]): the store's own, without
/// their constraints, which the publishing copy checks.
fn staging_schema() -> String {
    format!(
        "CREATE TABLE lists (id INTEGER PRIMARY KEY, {LIST_COLUMNS}); \
         CREATE TABLE persons (id INTEGER PRIMARY KEY, {INSERT_COLUMNS}); \
         CREATE TABLE list_rows ({ROW_COLUMNS}); \
         CREATE TABLE list_file_parts (list_id, part, bytes);"
    )
}

/// The size of the parts a list's original file is stored in (`list_file_parts`).
const FILE_PART: usize = 1 << 20;

/// Stores `original` as list `list_id`'s file, part by part.
async fn store_file(conn: &mut AnyConnection, list_id: i64, original: &[u8]) -> Result<(), Error> {
    for (part, bytes) in original.chunks(FILE_PART).enumerate() {
        sqlx::query("INSERT INTO list_file_parts (list_id, part, bytes) VALUES ($1, $2, $3)")
            .bind(list_id)
            .bind(part as i64)
            .bind(bytes)
            .execute(&mut *conn)
            .await
            .map_err(db("storing the list's file"))?;
    }
    Ok(())
}

/// List `list_id`'s original file: its parts joined, or — for a list stored whole, before
/// files were kept in parts or received in a bundle — `whole`, its `lists.original`.
pub(crate) async fn list_file(
    pool: &AnyPool,
    list_id: i64,
    whole: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    let parts: Vec<Vec<u8>> =
        sqlx::query_scalar("SELECT bytes FROM list_file_parts WHERE list_id = $1 ORDER BY part")
            .bind(list_id)
            .fetch_all(pool)
            .await
            .map_err(db("reading the list's file"))?;
    Ok(if parts.is_empty() {
        whole
    } else {
        parts.concat()
    })
}

/// A list being written: its document is stored, its rows are added in batches, and
/// [`ListWriter::finish`] appends its one event and commits. Dropped unfinished, it rolls
/// back: nothing of the list stays, not even the document.
pub struct ListWriter {
    /// The store's one turn to write a list (SQLite), held until the list is published or
    /// dropped.
    _turn: Option<tokio::sync::OwnedSemaphorePermit>,
    target: Target,
    backend: crate::Backend,
    grant: Grant<WriteRegister>,
    /// The list's id in the store on PostgreSQL; on SQLite its id in the staging file, the
    /// store's being known only when it is published.
    list_id: i64,
    sha256: String,
    addressees: Vec<PartyCode>,
    now_ms: i64,
    rows: usize,
    accepted: usize,
    /// The event's payload, less the list's id and the counts known only at the end.
    payload: serde_json::Map<String, serde_json::Value>,
}

/// Where a list's rows go while it is written.
enum Target {
    /// PostgreSQL: the list's own transaction, which locks nothing another writer needs
    /// until its event is appended at the very end.
    Transaction(Transaction<'static, Any>),
    /// SQLite, where a transaction would hold the file's one write lock for the whole
    /// import: a staging file, published in one short transaction.
    Staged { staging: Staging, pool: AnyPool },
}

impl Target {
    fn conn(&mut self) -> &mut AnyConnection {
        match self {
            Target::Transaction(tx) => tx,
            Target::Staged { staging, .. } => staging.conn(),
        }
    }
}

/// A row made ready to insert: its cells and problems as stored text, and whether it gave a
/// record.
struct PreparedRow {
    row_no: i64,
    fields: String,
    problems: String,
    accepted: bool,
}

/// Prepares a list's rows for insertion — validation, name keys, folded names, hashes —
/// in parallel and without the store: it may run while the list's last batch is written.
#[derive(Debug, Clone)]
pub struct RowPreparer {
    issuer: String,
    list_id: i64,
    now_ms: i64,
}

/// A batch of rows ready for [`ListWriter::insert`].
pub struct PreparedRows {
    list_id: i64,
    rows: Vec<PreparedRow>,
    records: Vec<Vec<Value>>,
}

impl RowPreparer {
    /// Makes `rows` ready to insert; a row whose record cannot be stored fails the batch
    /// with the row's number. The rows are taken, so that their cells are not copied.
    pub fn prepare(&self, rows: Vec<NewListRow>) -> Result<PreparedRows, Error> {
        let (issuer, list_id, now_ms) = (self.issuer.as_str(), self.list_id, self.now_ms);
        let prepared: Vec<(PreparedRow, Option<Vec<Value>>)> = rows
            .into_par_iter()
            .map(|row| prepare_row(issuer, (list_id, now_ms), row))
            .collect::<Result<_, Error>>()?;
        let (rows, records): (Vec<PreparedRow>, Vec<Option<Vec<Value>>>) =
            prepared.into_iter().unzip();
        Ok(PreparedRows {
            list_id,
            rows,
            records: records.into_iter().flatten().collect(),
        })
    }
}

impl Store {
    /// Stores a list issued by the grant's party, its rows, and the register records its
    /// accepted rows give, in one transaction with one event. Returns the list id. The
    /// same file from the same issuer is refused, naming the list that holds it.
    pub async fn add_list(
        &self,
        grant: &Grant<WriteRegister>,
        list: &NewList,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let mut writer = self.begin_list(grant, &list.document(), now_ms).await?;
        writer.add_rows(&list.rows).await?;
        writer.finish().await
    }

    /// Starts writing a list issued by the grant's party: stores the document (original
    /// bytes, SHA-256, addressees) where the rows will go. The same file from the same
    /// issuer is refused at once, naming the list that holds it.
    pub async fn begin_list(
        &self,
        grant: &Grant<WriteRegister>,
        list: &ListDocument<'_>,
        now_ms: i64,
    ) -> Result<ListWriter, Error> {
        // On PostgreSQL a list holds no lock others need, and lists are written side by side.
        let turn = match &self.file {
            Some(_) => Some(self.list_turn().await?),
            None => None,
        };
        let sha = sha256_hex(list.original);
        let issuer = grant.party().as_str();
        let mut target = match &self.file {
            Some(file) => {
                // Another import of the same file may be staged at the same time; the
                // check is made again when the list is published.
                refuse_same_file(
                    &mut *self
                        .pool
                        .acquire()
                        .await
                        .map_err(db("checking for the same file"))?,
                    issuer,
                    &sha,
                )
                .await?;
                Target::Staged {
                    staging: Staging::create(file, &staging_schema()).await?,
                    pool: self.writer.clone(),
                }
            }
            None => {
                let mut tx = self.begin().await?;
                refuse_same_file(&mut tx, issuer, &sha).await?;
                Target::Transaction(tx)
            }
        };
        let sql = format!(
            "INSERT INTO lists ({LIST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id"
        );
        let list_id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind(issuer)
            .bind(list.kind)
            .bind(list.category.map(Category::as_str))
            .bind(list.title)
            .bind(list.file_name)
            // The file goes in parts, beside: bound whole, it would be copied whole twice.
            .bind(&[][..])
            .bind(&sha)
            .bind(list.supersedes)
            .bind(grant.actor())
            .bind(now_ms)
            .bind(serde_json::Value::from(list.headers.to_vec()).to_string())
            .fetch_one(target.conn())
            .await
            .map_err(db("storing the list"))?;
        store_file(target.conn(), list_id, list.original).await?;
        if let Target::Transaction(tx) = &mut target {
            add_addressees(tx, list_id, list.addressees).await?;
        }
        let payload = serde_json::json!({
            "kind": list.kind,
            "sha256": sha,
            "to": list.addressees.iter().map(PartyCode::as_str).collect::<Vec<_>>(),
            "supersedes": list.supersedes,
            "labels": homeward_ledger::bundle::labels_digest(
                list.title,
                list.file_name,
                list.category.map(Category::as_str),
                list.headers,
            ),
        });
        let serde_json::Value::Object(payload) = payload else {
            return Err(Error::Storage("a list's event is not an object".into()));
        };
        Ok(ListWriter {
            _turn: turn,
            target,
            backend: self.backend,
            grant: grant.clone(),
            list_id,
            sha256: sha,
            addressees: list.addressees.to_vec(),
            now_ms,
            rows: 0,
            accepted: 0,
            payload,
        })
    }

    /// The store's one turn to write a list on SQLite, where a list's publication holds the
    /// file's write lock: lists staged side by side on two cores slowed each other's
    /// publication from ~2 s to 10–14 s.
    async fn list_turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Error> {
        let wait = tokio::time::timeout(
            LIST_TURN_WAIT,
            std::sync::Arc::clone(&self.list_turn).acquire_owned(),
        );
        match wait.await {
            Ok(Ok(turn)) => Ok(turn),
            Ok(Err(_)) => Err(Error::Unavailable(
                "the store is closing; import the list again".into(),
            )),
            Err(_) => Err(Error::Unavailable(format!(
                "other lists have been imported into this store for over {} minutes; import this one again when they are done",
                LIST_TURN_WAIT.as_secs() / 60
            ))),
        }
    }
}

/// Refuses a file its issuer has stored before, naming the list that holds it.
async fn refuse_same_file(conn: &mut AnyConnection, issuer: &str, sha: &str) -> Result<(), Error> {
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM lists WHERE issuer = $1 AND sha256 = $2")
            .bind(issuer)
            .bind(sha)
            .fetch_optional(conn)
            .await
            .map_err(db("checking for the same file"))?;
    match existing {
        Some(id) => Err(Error::collides(
            format!(
                "this file (SHA-256 {sha}) was already imported as list {id}; nothing was changed"
            ),
            homeward_core::Reason::SameFile { list: id },
        )),
        None => Ok(()),
    }
}

async fn add_addressees(
    conn: &mut AnyConnection,
    list_id: i64,
    to: &[PartyCode],
) -> Result<(), Error> {
    for party in to {
        sqlx::query("INSERT INTO list_addressees (list_id, party) VALUES ($1, $2)")
            .bind(list_id)
            .bind(party.as_str())
            .execute(&mut *conn)
            .await
            .map_err(db("addressing the list"))?;
    }
    Ok(())
}

impl ListWriter {
    /// Rows added so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// What prepares rows for this list away from its transaction: a caller streaming a
    /// file prepares the next batch while the last one is being written.
    pub fn preparer(&self) -> RowPreparer {
        RowPreparer {
            issuer: self.grant.party().as_str().to_owned(),
            list_id: self.list_id,
            now_ms: self.now_ms,
        }
    }

    /// Adds a batch of rows and the records their accepted rows give, each record with its
    /// row as its source. Prepared in parallel, inserted in multi-row statements.
    pub async fn add_rows(&mut self, rows: &[NewListRow]) -> Result<(), Error> {
        let prepared = self.preparer().prepare(rows.to_vec())?;
        self.insert(prepared).await
    }

    /// Inserts a batch its [`RowPreparer`] made ready.
    pub async fn insert(&mut self, batch: PreparedRows) -> Result<(), Error> {
        if batch.list_id != self.list_id {
            return Err(Error::Storage(format!(
                "rows prepared for list {} offered to list {}",
                batch.list_id, self.list_id
            )));
        }
        let list_id = self.list_id;
        // Placeholders as the database the rows go to takes them best: a staging file is
        // SQLite whatever the store.
        let backend = match self.target {
            Target::Transaction(_) => self.backend,
            Target::Staged { .. } => crate::Backend::Sqlite,
        };
        let PreparedRows {
            rows: prepared,
            records,
            ..
        } = batch;
        let mut records = records.into_iter().peekable();
        let accepted = prepared.iter().filter(|p| p.accepted).count();
        // Rows and records meet by the row's number, which is unique in a list: a
        // multi-row insert does not promise to return its ids in the order of its values.
        let mut person_of_row = std::collections::HashMap::with_capacity(accepted);
        let conn = self.target.conn();
        while records.peek().is_some() {
            let chunk: Vec<Vec<Value>> = records
                .by_ref()
                .take(MAX_BIND_VALUES / INSERT_WIDTH)
                .collect();
            let sql = format!(
                "INSERT INTO persons ({INSERT_COLUMNS}) VALUES {} RETURNING id, source_row",
                placeholders(backend, chunk.len(), INSERT_WIDTH)
            );
            let query = chunk
                .into_iter()
                .flatten()
                .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, v| v.bind(q));
            let inserted = query
                .fetch_all(&mut *conn)
                .await
                .map_err(db("storing a person record"))?;
            for r in &inserted {
                let get = db("storing a person record");
                let id: i64 = r.try_get("id").map_err(&get)?;
                let row_no: i64 = r.try_get("source_row").map_err(&get)?;
                person_of_row.insert(row_no, id);
            }
        }
        for chunk in prepared.chunks(MAX_BIND_VALUES / ROW_WIDTH) {
            let sql = format!(
                "INSERT INTO list_rows ({ROW_COLUMNS}) VALUES {}",
                placeholders(backend, chunk.len(), ROW_WIDTH)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                let person = person_of_row.get(&p.row_no).copied();
                if p.accepted && person.is_none() {
                    return Err(Error::Storage(format!(
                        "row {}: its record was stored without its row number",
                        p.row_no
                    )));
                }
                query = query
                    .bind(list_id)
                    .bind(p.row_no)
                    .bind(i64::from(p.accepted))
                    .bind(p.fields.as_str())
                    .bind(p.problems.as_str())
                    .bind(person);
            }
            query
                .execute(&mut *conn)
                .await
                .map_err(db("storing a list row"))?;
        }
        self.rows += prepared.len();
        self.accepted += accepted;
        Ok(())
    }

    /// Appends the list's event (rows and records counted) and commits; returns the list id.
    /// A staged list is published first, in the one short transaction that holds the
    /// store's write lock.
    pub async fn finish(self) -> Result<i64, Error> {
        let ListWriter {
            target,
            grant,
            list_id,
            sha256,
            addressees,
            now_ms,
            rows,
            accepted,
            mut payload,
            ..
        } = self;
        payload.insert("rows".into(), rows.into());
        payload.insert("accepted".into(), accepted.into());
        match target {
            Target::Transaction(tx) => {
                payload.insert("list".into(), list_id.into());
                commit_with_event(tx, &grant, "list.issued", payload.into(), now_ms).await?;
                Ok(list_id)
            }
            Target::Staged { staging, pool } => {
                let mut attached = staging.attach(&pool).await?;
                let mut tx = attached.begin().await?;
                let locked = std::time::Instant::now();
                let list_id =
                    publish(&mut tx, grant.party().as_str(), &sha256, &addressees).await?;
                payload.insert("list".into(), list_id.into());
                commit_with_event(tx, &grant, "list.issued", payload.into(), now_ms).await?;
                tracing::info!(
                    "list {list_id} of {rows} rows published in {} ms, the store's write lock held that long",
                    locked.elapsed().as_millis()
                );
                Ok(list_id)
            }
        }
    }
}

/// Copies a staged list (attached as `staging`) into the store inside `conn`'s transaction:
/// the document under a new id, its records under ids after the store's last, its rows
/// pointing at them. Returns the list's id.
async fn publish(
    conn: &mut AnyConnection,
    issuer: &str,
    sha: &str,
    addressees: &[PartyCode],
) -> Result<i64, Error> {
    refuse_same_file(conn, issuer, sha).await?;
    let sql = format!(
        "INSERT INTO main.lists ({LIST_COLUMNS}) SELECT {LIST_COLUMNS} FROM staging.lists RETURNING id"
    );
    let list_id: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .fetch_one(&mut *conn)
        .await
        .map_err(db("publishing the list"))?;
    add_addressees(conn, list_id, addressees).await?;
    sqlx::query(
        "INSERT INTO main.list_file_parts (list_id, part, bytes) \
         SELECT $1, part, bytes FROM staging.list_file_parts ORDER BY part",
    )
    .bind(list_id)
    .execute(&mut *conn)
    .await
    .map_err(db("publishing the list's file"))?;
    // The store's write lock is held: ids after the last are free, and keep the rows' order
    // (inserted in the order of their name keys instead, 810,000 records were published in
    // 5.4 s rather than 24 s, but a list's records would no longer be numbered as entered;
    // with ids in row order and that insertion order, 19 s).
    let base: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM main.persons")
        .fetch_one(&mut *conn)
        .await
        .map_err(db("publishing the list's records"))?;
    let staged: Vec<&str> = INSERT_COLUMNS
        .split(',')
        .map(str::trim)
        .map(|c| if c == "source_list" { "$1" } else { c })
        .collect();
    let sql = format!(
        "INSERT INTO main.persons (id, {INSERT_COLUMNS}) SELECT id + $2, {} FROM staging.persons ORDER BY id",
        staged.join(", ")
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(list_id)
        .bind(base)
        .execute(&mut *conn)
        .await
        .map_err(db("publishing the list's records"))?;
    let sql = format!(
        "INSERT INTO main.list_rows ({ROW_COLUMNS}) \
         SELECT $1, row_no, accepted, fields, problems, person_id + $2 FROM staging.list_rows ORDER BY row_no"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(list_id)
        .bind(base)
        .execute(&mut *conn)
        .await
        .map_err(db("publishing the list's rows"))?;
    Ok(list_id)
}

/// A row's stored texts, and its record's values when it gave one.
fn prepare_row(
    issuer: &str,
    (list_id, now_ms): (i64, i64),
    row: NewListRow,
) -> Result<(PreparedRow, Option<Vec<Value>>), Error> {
    let record = match &row.record {
        Some(r) => Some(record_values(issuer, r, Some((list_id, row.row_no)), now_ms)?.0),
        None => None,
    };
    let fields = canonical_json(&serde_json::Value::Object(row.fields))
        .map_err(|e| Error::invalid(format!("row {}", row.row_no), e.to_string()))?;
    let prepared = PreparedRow {
        row_no: row.row_no,
        fields,
        problems: serde_json::Value::from(row.problems).to_string(),
        accepted: record.is_some(),
    };
    Ok((prepared, record))
}

/// A list document as shown in listings: no rows, no personal data.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ListSummary {
    /// Id in this store.
    pub id: i64,
    /// The issuing party.
    pub issuer: String,
    /// Kind of list.
    pub kind: String,
    /// Category of its people.
    pub category: Option<String>,
    /// Title.
    pub title: String,
    /// Original file name.
    pub file_name: String,
    /// SHA-256 of the original file.
    pub sha256: String,
    /// The list it corrects.
    pub supersedes: Option<i64>,
    /// Rows read.
    pub rows: i64,
    /// Rows accepted as records.
    pub accepted: i64,
    /// The file's headers in their order (empty for lists stored before they were kept).
    pub headers: Vec<String>,
}

impl Store {
    /// The lists the grant's party issued or that are addressed to it, newest first.
    pub async fn lists(
        &self,
        grant: &homeward_core::access::Grant<homeward_core::access::ReadRegister>,
    ) -> Result<Vec<ListSummary>, Error> {
        use sqlx::Row;
        let rows = sqlx::query(
            "SELECT l.id, l.issuer, l.kind, l.category, l.title, l.file_name, l.sha256, l.supersedes, l.headers, \
             (SELECT COUNT(*) FROM list_rows r WHERE r.list_id = l.id) AS n_rows, \
             (SELECT COUNT(*) FROM list_rows r WHERE r.list_id = l.id AND r.accepted = 1) AS n_accepted \
             FROM lists l WHERE l.issuer = $1 OR EXISTS (SELECT 1 FROM list_addressees a WHERE a.list_id = l.id AND a.party = $1) \
             ORDER BY l.id DESC",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading lists"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a list");
                let headers: Option<String> = r.try_get("headers").map_err(&get)?;
                Ok(ListSummary {
                    id: r.try_get("id").map_err(&get)?,
                    issuer: r.try_get("issuer").map_err(&get)?,
                    kind: r.try_get("kind").map_err(&get)?,
                    category: r.try_get("category").map_err(&get)?,
                    title: r.try_get("title").map_err(&get)?,
                    file_name: r.try_get("file_name").map_err(&get)?,
                    sha256: r.try_get("sha256").map_err(&get)?,
                    supersedes: r.try_get("supersedes").map_err(&get)?,
                    rows: r.try_get("n_rows").map_err(&get)?,
                    accepted: r.try_get("n_accepted").map_err(&get)?,
                    headers: headers
                        .and_then(|h| serde_json::from_str(&h).ok())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// One row of a stored list, as imported.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoredRow {
    /// Line or row number in the original file.
    pub row_no: i64,
    /// Whether the row became a record.
    pub accepted: bool,
    /// Cells by header, as written.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: serde_json::Map<String, serde_json::Value>,
    /// Why it was rejected and what looked odd.
    pub problems: Vec<String>,
    /// The register record the row gave, when the list is the party's own.
    pub person_id: Option<i64>,
    /// Whether its cells were masked for this reader (a protected row).
    #[serde(default)]
    pub masked: bool,
    /// Whether the row is protected (a child's, or a record marked protected).
    #[serde(default)]
    pub protected: bool,
}

impl StoredRow {
    /// Every header the rows use (each row keeps only its non-empty cells), after those
    /// of `known` (a list's headers in their file's order).
    pub fn headers(known: &[String], rows: &[StoredRow]) -> Vec<String> {
        let mut headers: Vec<String> = known.to_vec();
        for r in rows {
            for h in r.fields.keys() {
                if !headers.contains(h) {
                    headers.push(h.clone());
                }
            }
        }
        headers
    }

    /// This row's cells under `headers`, empty where it has none.
    pub fn cells(&self, headers: &[String]) -> Vec<String> {
        headers
            .iter()
            .map(|h| {
                self.fields
                    .get(h)
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }
}

/// A list row `r` with its list `l` and the record `p` it gave, if any.
pub(crate) const ROW_WITH_LIST_AND_RECORD: &str = "list_rows r JOIN lists l ON l.id = r.list_id \
     LEFT JOIN persons p ON p.id = r.person_id";

/// 1 when the row is protected, over [`ROW_WITH_LIST_AND_RECORD`]: its list is a children's
/// list, or the record it gave is a child's or marked protected (core's `is_protected`).
pub(crate) const ROW_PROTECTED: &str = "CASE WHEN l.category = 'child' OR p.category = 'child' \
     OR p.sensitivity IS NOT NULL THEN 1 ELSE 0 END";

impl Store {
    /// The rows of a list the grant's party issued or received; any other list is not found.
    pub async fn list_rows(
        &self,
        grant: &homeward_core::access::Grant<homeward_core::access::ReadRegister>,
        list_id: i64,
    ) -> Result<Vec<StoredRow>, Error> {
        use sqlx::Row;
        let visible: Option<i64> = sqlx::query_scalar(
            "SELECT l.id FROM lists l WHERE l.id = $1 AND (l.issuer = $2 OR EXISTS \
             (SELECT 1 FROM list_addressees a WHERE a.list_id = l.id AND a.party = $2))",
        )
        .bind(list_id)
        .bind(grant.party().as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("finding the list"))?;
        if visible.is_none() {
            return Err(Error::NotFound(format!("list {list_id}")));
        }
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT r.row_no, r.accepted, r.fields, r.problems, \
             CASE WHEN l.issuer = $2 THEN r.person_id END AS person_id, {ROW_PROTECTED} AS protected \
             FROM {ROW_WITH_LIST_AND_RECORD} WHERE r.list_id = $1 ORDER BY r.row_no"
        )))
            .bind(list_id)
            .bind(grant.party().as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading list rows"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a list row");
                let fields: String = r.try_get("fields").map_err(&get)?;
                let problems: String = r.try_get("problems").map_err(&get)?;
                let accepted: i64 = r.try_get("accepted").map_err(&get)?;
                let protected: i64 = r.try_get("protected").map_err(&get)?;
                let mut fields = serde_json::from_str(&fields)
                    .map_err(|e| Error::Storage(format!("a list row is unreadable: {e}")))?;
                let masked = homeward_core::protection::disclose_cells(
                    &mut fields,
                    protected != 0,
                    grant.clearance(),
                );
                Ok(StoredRow {
                    row_no: r.try_get("row_no").map_err(&get)?,
                    accepted: accepted != 0,
                    masked,
                    protected: protected != 0,
                    fields,
                    problems: serde_json::from_str(&problems)
                        .map_err(|e| Error::Storage(format!("a list row is unreadable: {e}")))?,
                    person_id: r.try_get("person_id").map_err(&get)?,
                })
            })
            .collect()
    }
}
