//! Importing a list file: the one pipeline behind `homeward import`, `POST /api/v1/lists`
//! and the upload page, with the uploads held while their user maps the columns. Reading
//! and mapping are the import crate's, storing the store's; this joins them and writes the
//! report.

use crate::{Acting, App, Error, grant};
use bytes::Bytes;
use homeward_core::access::{Actor, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_core::record::{Category, PartialDate, Relation, Status};
use homeward_import::{ColumnMap, RecordReader, Role, RowContext, open_bytes};
use homeward_store::{ListDocument, NewListRow, Store};
use serde::Serialize;

/// What to import a file as.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// `request`, `holding`, `exchange`, `remains`, `children` or `register`.
    pub kind: String,
    /// Category of the people on the list.
    pub category: Category,
    /// The party that issued the list, when it was received from another.
    pub from: Option<PartyCode>,
    /// Parties the list is addressed to.
    pub to: Vec<PartyCode>,
    /// The list this one corrects.
    pub supersedes: Option<i64>,
    /// Column overrides (role, header or 1-based number).
    pub overrides: Vec<(Role, String)>,
}

/// The import report.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    /// The new list's id.
    pub list: i64,
    /// How the file was read.
    pub format: String,
    /// The same, for a face to put in its own words.
    #[serde(skip)]
    pub source: Option<homeward_import::SourceFormat>,
    /// Rows read (blank lines are not rows).
    pub rows: usize,
    /// Rows that became records.
    pub accepted: usize,
    /// Rejected rows (no person could be read from them): file, line, column, value and
    /// reason. They stay stored with the list.
    pub rejected: Vec<String>,
    /// What looked odd but was kept, values kept as written but unreadable, and values
    /// refused for their length: file, line, column, value and reason.
    pub warnings: Vec<String>,
}

/// The list kinds.
pub const KINDS: [&str; 6] = [
    "request", "holding", "exchange", "remains", "children", "register",
];

impl App {
    /// Whether the actor may import lists at all: asked before an upload is read, so that a
    /// large body costs nothing to one who may not.
    pub fn may_import(&self, actor: &Actor) -> Result<(), Error> {
        grant::<WriteRegister>(actor).map(|_| ())
    }

    /// Reads `bytes` as a list and stores it, its rows and its records for the actor's
    /// party, in one transaction with one event. The bytes are shared, not copied: the
    /// reader and the stored original are the same memory.
    pub async fn import_list(
        &self,
        acting: &Acting<'_>,
        file_name: &str,
        bytes: Bytes,
        request: &ImportRequest,
    ) -> Result<ImportReport, Error> {
        let grant = acting.grant::<WriteRegister>()?;
        import(&self.store, &grant, file_name, bytes, request, self.now()).await
    }

    /// Holds an upload whose columns are not all recognised, for its user to map; `None`
    /// when the file needs no mapping (or a mapping was given) and can be imported as it is.
    pub fn hold_for_mapping(
        &self,
        actor: &Actor,
        file_name: &str,
        bytes: &Bytes,
        request: &ImportRequest,
    ) -> Result<Option<HeldUpload>, Error> {
        grant::<WriteRegister>(actor)?;
        if !request.overrides.is_empty() {
            return Ok(None);
        }
        let Some(columns) = columns_to_map(file_name, bytes.clone())? else {
            return Ok(None);
        };
        let number = self.uploads.hold(PendingUpload {
            user_id: actor.user_id,
            file_name: file_name.to_owned(),
            bytes: bytes.clone(),
            request: request.clone(),
            at_ms: self.now(),
        });
        Ok(Some(HeldUpload {
            number,
            file_name: file_name.to_owned(),
            columns,
        }))
    }

    /// Imports a held upload with the roles its user chose: `(column number from 1, role)`;
    /// another user's upload, or one that expired, is not found.
    pub async fn finish_upload(
        &self,
        actor: &Actor,
        number: u64,
        roles: &[(String, Role)],
    ) -> Result<ImportReport, Error> {
        let grant = grant::<WriteRegister>(actor)?;
        let mut upload = self.uploads.take(number, actor.user_id, self.now())?;
        for (column, role) in roles {
            upload.request.overrides.push((*role, column.clone()));
        }
        import(
            &self.store,
            &grant,
            &upload.file_name,
            upload.bytes,
            &upload.request,
            self.now(),
        )
        .await
    }
}

/// An upload held for its user's mapping: its number, and its columns with their first
/// values and recognised roles.
#[derive(Debug, Clone)]
pub struct HeldUpload {
    /// The number the mapping form sends back.
    pub number: u64,
    /// The file's name.
    pub file_name: String,
    /// Its columns.
    pub columns: Vec<ColumnChoice>,
}

/// Rows read and stored at a time: enough for the store's multi-row inserts and parallel
/// name keys to pay, few enough that a file of any size costs the same memory.
const IMPORT_BATCH: usize = 1_000;

async fn import(
    store: &Store,
    grant: &homeward_core::access::Grant<WriteRegister>,
    file_name: &str,
    bytes: Bytes,
    request: &ImportRequest,
    now_ms: i64,
) -> Result<ImportReport, Error> {
    if !KINDS.contains(&request.kind.as_str()) {
        return Err(Error::invalid(
            "kind",
            format!(
                "{:?} is not a list kind; use one of {}",
                request.kind,
                KINDS.join(", ")
            ),
        ));
    }
    let table =
        open_bytes(file_name, bytes.clone()).map_err(|e| Error::invalid("file", e.to_string()))?;
    let map = ColumnMap::from_headers(&table.headers, &request.overrides)
        .map_err(|e| Error::invalid("map", format!("{file_name}: {e}")))?;
    if !map.has_name() {
        return Err(Error::invalid(
            "file",
            format!(
                "{file_name}: no column holds names; the headers are: {}. Map one (roles: full_name, surname, given_name, patronymic)",
                table.headers.join(", ")
            ),
        ));
    }
    // A holding list names the people its issuer holds: held by us when we issue it,
    // our own people in their custody when we received it. A request list the reverse.
    let issued_by_us = request.from.is_none();
    let relation = match (request.kind.as_str(), issued_by_us) {
        ("holding" | "exchange" | "remains", true) | ("request" | "children", false) => {
            Relation::Held
        }
        _ => Relation::Sought,
    };
    // Our own request list says only that we seek them; the other side's lists say it
    // holds them. A confirmed link to such a list moves a sought record on.
    let status = match (relation, request.category) {
        (_, Category::Remains) => Status::Deceased,
        (Relation::Held, _) => Status::Held,
        (Relation::Sought, _) if issued_by_us => Status::Missing,
        (Relation::Sought, _) => Status::InCustody,
    };
    let context = RowContext {
        category: request.category,
        relation,
        status,
        today: year_of(now_ms),
        synthetic: false,
    };
    let format = table.format.clone();
    let read_as = table.source.clone();
    let reader = RecordReader::new(table.headers.clone(), map, context);
    // The issuer is kept beside the title, and pages say it in their own words.
    let title = file_name.to_owned();
    let headers = reader.headers().to_vec();
    let mut writer = store
        .begin_list(
            grant,
            &ListDocument {
                kind: &request.kind,
                category: Some(request.category),
                title: &title,
                file_name,
                original: &bytes,
                addressees: &request.to,
                supersedes: request.supersedes,
                headers: &headers,
            },
            now_ms,
        )
        .await?;
    let (mut accepted, mut rejected) = (0, Vec::new());
    let mut warnings: Vec<String> = table.notes.iter().map(|n| in_file(file_name, n)).collect();
    // The next batch is read and prepared on a blocking thread while the last one is
    // written: reading and writing each take about half of an import's time.
    let preparer = writer.preparer();
    let mut source = (table, reader);
    let mut written: Option<homeward_store::PreparedRows> = None;
    loop {
        let (mut table, mut reader) = source;
        let (preparer, name) = (preparer.clone(), file_name.to_owned());
        let read = tokio::task::spawn_blocking(move || {
            let batch = read_batch(&mut table, &mut reader, &preparer, &name);
            ((table, reader), batch)
        });
        let write = async {
            match written.take() {
                Some(rows) => writer.insert(rows).await,
                None => Ok(()),
            }
        };
        let (read, write) = tokio::join!(read, write);
        write?;
        let (back, batch) =
            read.map_err(|e| Error::Storage(format!("reading {file_name}: {e}")))?;
        source = back;
        let Some(batch) = batch? else { break };
        accepted += batch.accepted;
        rejected.extend(batch.rejected);
        warnings.extend(batch.warnings);
        written = Some(batch.rows);
    }
    // Dropping the writer rolls the document back: a list without rows is not stored.
    if writer.rows() == 0 {
        return Err(Error::invalid(
            "file",
            format!("{file_name}: the list has a header but no rows"),
        ));
    }
    let rows = writer.rows();
    let id = writer.finish().await?;
    Ok(ImportReport {
        list: id,
        format,
        source: Some(read_as),
        rows,
        accepted,
        rejected,
        warnings,
    })
}

/// The report names the file in every message; the rows keep theirs without it.
fn in_file(file_name: &str, problem: &dyn std::fmt::Display) -> String {
    format!("{file_name}, {problem}")
}

/// One batch of a file read, with what its report says, made ready to insert.
struct ReadBatch {
    rows: homeward_store::PreparedRows,
    accepted: usize,
    rejected: Vec<String>,
    warnings: Vec<String>,
}

/// Reads the next [`IMPORT_BATCH`] rows of `table` and prepares them; `None` at the end.
fn read_batch(
    table: &mut homeward_import::Table,
    reader: &mut RecordReader,
    preparer: &homeward_store::RowPreparer,
    file_name: &str,
) -> Result<Option<ReadBatch>, Error> {
    let batch = reader
        .read_batch(table, IMPORT_BATCH)
        .map_err(|e| Error::invalid("file", e.to_string()))?;
    if batch.is_empty() {
        return Ok(None);
    }
    let (mut accepted, mut rejected, mut warnings) = (0, Vec::new(), Vec::new());
    let mut rows = Vec::with_capacity(batch.len());
    for read in batch {
        accepted += usize::from(read.record.is_some());
        rejected.extend(read.rejected.iter().map(|p| in_file(file_name, p)));
        warnings.extend(read.warnings.iter().map(|p| in_file(file_name, p)));
        rows.push(NewListRow {
            row_no: read.line as i64,
            fields: read
                .cells
                .into_iter()
                .map(|(h, v)| (h, serde_json::Value::from(v)))
                .collect(),
            record: read.record,
            problems: read
                .rejected
                .iter()
                .chain(&read.warnings)
                .map(ToString::to_string)
                .collect(),
        });
    }
    Ok(Some(ReadBatch {
        rows: preparer.prepare(rows)?,
        accepted,
        rejected,
        warnings,
    }))
}

/// Today from a clock reading, to the year: enough for plausibility checks.
fn year_of(now_ms: i64) -> PartialDate {
    PartialDate {
        month: None,
        day: None,
        ..crate::day_of(now_ms)
    }
}

/// A column of an uploaded file as the mapping step shows it.
#[derive(Debug, Clone)]
pub struct ColumnChoice {
    /// The header as written.
    pub header: String,
    /// The role recognised from the header (its `--map` name), or empty.
    pub role: &'static str,
    /// The first values under it.
    pub samples: Vec<String>,
}

/// The columns of `bytes` with their recognised roles, when the file needs a person to map
/// them: a column is not recognised, or none holds names. `None` when every column is
/// recognised and names are found.
fn columns_to_map(file_name: &str, bytes: Bytes) -> Result<Option<Vec<ColumnChoice>>, Error> {
    let mut table =
        open_bytes(file_name, bytes).map_err(|e| Error::invalid("file", e.to_string()))?;
    let headers = table.headers.clone();
    let roles: Vec<Option<Role>> = headers
        .iter()
        .map(|h| homeward_import::recognise(h))
        .collect();
    let has_name = roles
        .iter()
        .any(|r| matches!(r, Some(Role::FullName | Role::Surname | Role::GivenName)));
    if has_name && roles.iter().all(Option::is_some) {
        return Ok(None);
    }
    let samples: Vec<Vec<String>> = table
        .by_ref()
        .take(3)
        .filter_map(Result::ok)
        .map(|r| r.cells)
        .collect();
    Ok(Some(
        headers
            .into_iter()
            .zip(roles)
            .enumerate()
            .map(|(i, (header, role))| ColumnChoice {
                header,
                role: role.map_or("", Role::as_str),
                samples: samples
                    .iter()
                    .filter_map(|row| row.get(i).cloned())
                    .filter(|v| !v.trim().is_empty())
                    .collect(),
            })
            .collect(),
    ))
}

/// An upload held while its user maps the columns.
#[derive(Debug, Clone)]
struct PendingUpload {
    /// Who uploaded it: only they can finish it.
    user_id: i64,
    file_name: String,
    bytes: Bytes,
    request: ImportRequest,
    at_ms: i64,
}

/// Uploads waiting for a mapping, by number; each expires after half an hour, and a user
/// holds a few at most, so that abandoned uploads do not pile up in memory.
#[derive(Debug, Clone, Default)]
pub(crate) struct HeldUploads(
    std::sync::Arc<std::sync::Mutex<(u64, std::collections::BTreeMap<u64, PendingUpload>)>>,
);

const PENDING_FOR_MS: i64 = 30 * 60 * 1000;
const PENDING_PER_USER: usize = 4;

impl HeldUploads {
    /// Holds an upload; returns its number.
    fn hold(&self, upload: PendingUpload) -> u64 {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let (next, held) = &mut *guard;
        let now = upload.at_ms;
        held.retain(|_, p| now - p.at_ms < PENDING_FOR_MS);
        let mine: Vec<u64> = held
            .iter()
            .filter(|(_, p)| p.user_id == upload.user_id)
            .map(|(k, _)| *k)
            .collect();
        for old in mine
            .iter()
            .take((mine.len() + 1).saturating_sub(PENDING_PER_USER))
        {
            held.remove(old);
        }
        *next += 1;
        held.insert(*next, upload);
        *next
    }

    /// Takes the upload `id` back for the user who held it.
    fn take(&self, id: u64, user_id: i64, now_ms: i64) -> Result<PendingUpload, Error> {
        let mut guard = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let held = &mut guard.1;
        match held.get(&id) {
            Some(p) if p.user_id == user_id && now_ms - p.at_ms < PENDING_FOR_MS => held
                .remove(&id)
                .ok_or_else(|| Error::NotFound(format!("upload {id}"))),
            _ => Err(Error::NotFound(format!(
                "upload {id}: it expired or was finished; upload the file again"
            ))),
        }
    }
}
