//! List documents: what one party hands another, kept byte for byte with their rows.

use crate::persons::insert_one;
use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_core::record::{Category, PersonRecord};
use homeward_ledger::{canonical_json, sha256_hex};

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

/// A list document to be stored.
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
        let sha = sha256_hex(&list.original);
        let issuer = grant.party().as_str();
        let mut tx = self.begin().await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM lists WHERE issuer = $1 AND sha256 = $2")
                .bind(issuer)
                .bind(&sha)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("checking for the same file"))?;
        if let Some(id) = existing {
            return Err(Error::Conflict(format!(
                "this file (SHA-256 {sha}) was already imported as list {id}; nothing was changed"
            )));
        }
        let list_id: i64 = sqlx::query_scalar(
            "INSERT INTO lists (issuer, kind, category, title, file_name, original, sha256, supersedes, created_by, created_at, headers) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(issuer)
        .bind(&list.kind)
        .bind(list.category.map(Category::as_str))
        .bind(&list.title)
        .bind(&list.file_name)
        .bind(list.original.as_slice())
        .bind(&sha)
        .bind(list.supersedes)
        .bind(grant.actor())
        .bind(now_ms)
        .bind(serde_json::Value::from(list.headers.clone()).to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db("storing the list"))?;
        for party in &list.addressees {
            sqlx::query("INSERT INTO list_addressees (list_id, party) VALUES ($1, $2)")
                .bind(list_id)
                .bind(party.as_str())
                .execute(&mut *tx)
                .await
                .map_err(db("addressing the list"))?;
        }
        let mut accepted = 0_i64;
        for row in &list.rows {
            let person = match &row.record {
                Some(record) => {
                    accepted += 1;
                    Some(
                        insert_one(&mut tx, issuer, record, Some((list_id, row.row_no)), now_ms)
                            .await?
                            .0,
                    )
                }
                None => None,
            };
            let fields = canonical_json(&serde_json::Value::Object(row.fields.clone()))
                .map_err(|e| Error::invalid(format!("row {}", row.row_no), e.to_string()))?;
            sqlx::query(
                "INSERT INTO list_rows (list_id, row_no, accepted, fields, problems, person_id) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(list_id)
            .bind(row.row_no)
            .bind(i64::from(row.record.is_some()))
            .bind(fields)
            .bind(serde_json::Value::from(row.problems.clone()).to_string())
            .bind(person)
            .execute(&mut *tx)
            .await
            .map_err(db("storing a list row"))?;
        }
        let payload = serde_json::json!({
            "list": list_id,
            "kind": list.kind,
            "sha256": sha,
            "rows": list.rows.len(),
            "accepted": accepted,
            "to": list.addressees.iter().map(PartyCode::as_str).collect::<Vec<_>>(),
            "supersedes": list.supersedes,
            "labels": homeward_ledger::bundle::labels_digest(
                &list.title,
                &list.file_name,
                list.category.map(Category::as_str),
                &list.headers,
            ),
        });
        commit_with_event(tx, grant, "list.issued", payload, now_ms).await?;
        Ok(list_id)
    }
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
