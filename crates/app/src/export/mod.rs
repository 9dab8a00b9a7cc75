//! Exports: a list's rows as imported, or a filtered register, as CSV, XLSX, JSON, PFIF 1.4
//! XML (person records only) or a printable page a delegation can sign, with the SHA-256 on
//! every printed page. One function per source builds a [`Sheet`]; one function per format
//! writes it. Every export is an event carrying the export's hash, never its content, and
//! every export of personal data — a list, the register, the links — passes through one
//! [`seal`]. The CLI, the API and the pages all call [`App::export`].

mod seal;

pub use seal::{Protection, seal};
use seal::{audit_export, audit_refusal, refusal, seal_or_refuse, validate};

use crate::query::{PersonQuery, parse_choice};
use crate::{App, Error, grant};
use askama::Template;
use homeward_core::access::{Actor, AllowUnprotectedExport, Grant, ReadRegister, ReviewLinks};
use homeward_core::protection::ReadAction;
use homeward_core::record::{PartialDate, Status};
use homeward_ledger::sha256_hex;
use homeward_store::{LinkFilter, Person, PersonFilter, Store, StoredRow};

/// What to export.
#[derive(Debug, Clone)]
pub enum ExportSource {
    /// A list's rows as imported.
    List(i64),
    /// The register, filtered (paging ignored); `domain` names it in PFIF record ids.
    Register {
        /// Which records.
        filter: PersonQuery,
        /// PFIF: the domain that names this register.
        domain: Option<String>,
    },
    /// Links with both records.
    Links {
        /// candidate, confirmed or rejected; all when absent.
        decision: Option<String>,
        /// true: only duplicates inside the register; false: only links to list rows.
        duplicates: Option<bool>,
    },
}

/// An export asked for: what, in which format, protected how.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// What.
    pub source: ExportSource,
    /// csv (default), xlsx, json, pfif (register only) or print.
    pub format: Option<String>,
    /// Encrypt to this age recipient (`age1…`), the public key of whoever receives it.
    pub recipient: Option<String>,
    /// Encrypt with this passphrase (faces take it from a header or the environment, never
    /// from a URL).
    pub passphrase: Option<String>,
    /// An admin allows this one export to show protected records unencrypted.
    pub allow_unprotected: bool,
}

impl App {
    /// Writes an export of the actor's own data as asked, sealed by [`seal`] (refusals
    /// audited), every record that left audited, and the export recorded as an event.
    pub async fn export(&self, actor: &Actor, request: &ExportRequest) -> Result<Export, Error> {
        let read = grant::<ReadRegister>(actor)?;
        let format = parse_choice::<ExportFormat>(&request.format)?.unwrap_or(ExportFormat::Csv);
        let protection = Protection {
            recipient: request.recipient.clone(),
            passphrase: request.passphrase.clone(),
            unprotected_allowed: if request.allow_unprotected {
                Some(grant::<AllowUnprotectedExport>(actor)?)
            } else {
                None
            },
        };
        validate(&protection)?;
        if format == ExportFormat::Pfif && !matches!(request.source, ExportSource::Register { .. })
        {
            return Err(Error::invalid(
                "format",
                "PFIF describes person records: export the register (--register) instead",
            ));
        }
        let now = self.now();
        match &request.source {
            ExportSource::List(list) => {
                export_list(&self.store, &read, *list, format, &protection, now).await
            }
            ExportSource::Register { filter, domain } => {
                let filter = filter.filter()?;
                export_register(
                    &self.store,
                    &read,
                    &filter,
                    format,
                    domain.as_deref(),
                    &protection,
                    now,
                )
                .await
            }
            ExportSource::Links {
                decision,
                duplicates,
            } => {
                let review = grant::<ReviewLinks>(actor)?;
                let filter = LinkFilter {
                    decision: decision.as_deref().filter(|d| !d.is_empty()),
                    person: None,
                    duplicates: *duplicates,
                };
                let links = self.store.links(&review, filter).await?;
                export_links(
                    &self.store,
                    &read,
                    &review,
                    &links,
                    filter,
                    format,
                    &protection,
                    now,
                )
                .await
            }
        }
    }
}

/// The formats an export can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV, UTF-8, formula-like cells neutralised.
    Csv,
    /// An Excel workbook, every cell text; formula-like cells carry Excel's quote prefix.
    Xlsx,
    /// JSON.
    Json,
    /// PFIF 1.4 XML, the people-finder interchange format (register only).
    Pfif,
    /// A printable HTML page with the SHA-256 on every page, for signing.
    Print,
}

impl std::str::FromStr for ExportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            "json" => Ok(ExportFormat::Json),
            "pfif" | "xml" => Ok(ExportFormat::Pfif),
            "print" | "html" => Ok(ExportFormat::Print),
            other => Err(Error::invalid(
                "format",
                format!("{other:?}: use csv, xlsx, json, pfif or print"),
            )),
        }
    }
}

impl ExportFormat {
    /// The file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Json => "json",
            ExportFormat::Pfif => "pfif.xml",
            ExportFormat::Print => "html",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Json => "application/json",
            ExportFormat::Pfif => "application/xml; charset=utf-8",
            ExportFormat::Print => "text/html; charset=utf-8",
        }
    }
}

/// A finished export.
#[derive(Debug, Clone)]
pub struct Export {
    /// A file name to save it under.
    pub file_name: String,
    /// Its media type.
    pub content_type: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes (what the event records).
    pub sha256: String,
    /// Rows or records in it.
    pub rows: usize,
}

/// A table to write: headers, rows of text, and for each row an anchor (a list's line).
#[derive(Debug, Clone, Default)]
struct Sheet {
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    lines: Vec<i64>,
    /// The classification line written above the headers (personal data).
    classification: Option<String>,
}

/// A cell made safe for spreadsheets: text that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-` or `@`, or a tab or carriage return before one) gets a
/// leading apostrophe, which spreadsheets show as text and the importer removes again.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if formula_like(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn formula_like(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A list's rows as imported: the original headers in first-seen order, every row
/// including the rejected ones, cells exactly as read.
fn list_sheet(known: &[String], rows: &[StoredRow]) -> Sheet {
    let headers = StoredRow::headers(known, rows);
    Sheet {
        rows: rows.iter().map(|r| r.cells(&headers)).collect(),
        lines: rows.iter().map(|r| r.row_no).collect(),
        headers,
        classification: None,
    }
}

/// The register's columns: the first ones under the names the importer recognises, so
/// that an export imports back to the same records.
const REGISTER_HEADERS: [&str; 30] = [
    "id",
    "surname",
    "given_name",
    "patronymic",
    "birth_date",
    "birth_place",
    "sex",
    "rank",
    "unit",
    "service_number",
    "locality",
    "father_name",
    "citizenship",
    "category",
    "relation",
    "status",
    "health",
    "capture_date",
    "capture_place",
    "deportation_date",
    "deportation_place",
    "family_contact",
    "recovery_site",
    "recovery_date",
    "tag_number",
    "identification",
    "synthetic",
    "source_list",
    "source_row",
    "record_sha256",
];

fn register_sheet(persons: &[Person]) -> Sheet {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let date = |v: &Option<PartialDate>| v.map(|d| d.to_string()).unwrap_or_default();
    let word = |v: Option<&str>| v.unwrap_or_default().to_owned();
    let rows = persons
        .iter()
        .map(|p| {
            let r = &p.record;
            vec![
                p.id.to_string(),
                text(&r.surname),
                text(&r.given_names),
                text(&r.patronymic),
                date(&r.birth_date),
                text(&r.birth_place),
                word(r.sex.map(|s| s.as_str())),
                text(&r.rank),
                text(&r.unit),
                text(&r.service_number),
                text(&r.last_known_location),
                text(&r.father_name),
                text(&r.citizenship),
                word(r.category.map(|c| c.as_str())),
                word(r.relation.map(|c| c.as_str())),
                word(r.status.map(|c| c.as_str())),
                word(r.health.map(|c| c.as_str())),
                date(&r.capture_date),
                text(&r.capture_place),
                date(&r.deportation_date),
                text(&r.deportation_place),
                text(&r.family_contact),
                text(&r.recovery_site),
                date(&r.recovery_date),
                text(&r.tag_number),
                word(r.identification.map(|c| c.as_str())),
                if r.synthetic { "synthetic" } else { "" }.to_owned(),
                p.source_list.map(|v| v.to_string()).unwrap_or_default(),
                p.source_row.map(|v| v.to_string()).unwrap_or_default(),
                p.record_sha256.clone(),
            ]
        })
        .collect();
    Sheet {
        headers: REGISTER_HEADERS.iter().map(|h| (*h).to_owned()).collect(),
        rows,
        lines: persons.iter().map(|p| p.id).collect(),
        classification: None,
    }
}

fn csv(sheet: &Sheet) -> Result<Vec<u8>, Error> {
    let failed = |e: csv::Error| Error::Storage(format!("writing CSV: {e}"));
    // Flexible: the classification line is one cell above the headers (the importer reads
    // it back as a title row).
    let mut w = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    if let Some(line) = &sheet.classification {
        w.write_record([neutralise(line).into_owned()])
            .map_err(failed)?;
    }
    w.write_record(sheet.headers.iter().map(|h| neutralise(h).into_owned()))
        .map_err(failed)?;
    for row in &sheet.rows {
        w.write_record(row.iter().map(|c| neutralise(c).into_owned()))
            .map_err(failed)?;
    }
    w.into_inner()
        .map_err(|e| Error::Storage(format!("writing CSV: {e}")))
}

fn xlsx(sheet: &Sheet, name: &str) -> Result<Vec<u8>, Error> {
    use rust_xlsxwriter::{Format, Workbook, XlsxError};
    let failed = |e: XlsxError| Error::Storage(format!("writing XLSX: {e}"));
    // Excel's limits: past them a workbook would silently lose rows or columns.
    if sheet.rows.len() >= 1_048_576 || sheet.headers.len() > 16_384 {
        return Err(Error::invalid(
            "format",
            format!(
                "{} rows × {} columns do not fit one worksheet; export CSV instead",
                sheet.rows.len(),
                sheet.headers.len()
            ),
        ));
    }
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let quoted = Format::new().set_quote_prefix();
    let ws = book.add_worksheet();
    ws.set_name(name).map_err(failed)?;
    let top = u32::from(sheet.classification.is_some());
    if let Some(line) = &sheet.classification {
        ws.write_string_with_format(0, 0, line, &bold)
            .map_err(failed)?;
    }
    for (c, h) in sheet.headers.iter().enumerate() {
        ws.write_string_with_format(top, c as u16, h, &bold)
            .map_err(failed)?;
    }
    for (r, row) in sheet.rows.iter().enumerate() {
        let r = r as u32 + 1 + top;
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            if formula_like(cell) {
                ws.write_string_with_format(r, c as u16, cell, &quoted)
            } else {
                ws.write_string(r, c as u16, cell)
            }
            .map_err(failed)?;
        }
    }
    ws.set_freeze_panes(top + 1, 0).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}

/// PFIF's time format.
fn pfif_time(ms: i64) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(format).ok())
        .unwrap_or_default()
}

/// Person records as PFIF 1.4: one `pfif:person` per record, ids under `domain` (the home
/// repository, so that provenance survives copying), the name as written with its
/// romanisation as an alternate name, and one note with the status in PFIF's words.
fn pfif(
    persons: &[Person],
    domain: &str,
    author: &str,
    classification: &str,
) -> Result<Vec<u8>, Error> {
    use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
    let mut w = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let failed = |e: std::io::Error| Error::Storage(format!("writing PFIF: {e}"));
    let put = |w: &mut quick_xml::Writer<Vec<u8>>, name: &str, value: &str| {
        if value.is_empty() {
            return Ok(());
        }
        let tag = format!("pfif:{name}");
        w.write_event(Event::Start(BytesStart::new(tag.as_str())))?;
        w.write_event(Event::Text(BytesText::new(value)))?;
        w.write_event(Event::End(BytesEnd::new(tag.as_str())))
    };
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .map_err(failed)?;
    let comment = format!(" {} ", classification.replace("--", "-"));
    w.write_event(Event::Comment(BytesText::from_escaped(comment.as_str())))
        .map_err(failed)?;
    let mut root = BytesStart::new("pfif:pfif");
    root.push_attribute(("xmlns:pfif", "http://zesty.ca/pfif/1.4"));
    w.write_event(Event::Start(root)).map_err(failed)?;
    for p in persons {
        let r = &p.record;
        let id = format!("{domain}/person.{}", p.id);
        let full = r.full_name();
        let latin = homeward_names::romanise_as_written(&full);
        let mut description = vec![format!(
            "{} {}",
            r.category.map_or("", |c| c.as_str()),
            r.relation.map_or("", |c| c.as_str())
        )];
        if r.synthetic {
            description.push("synthetic record, not a real person".to_owned());
        }
        w.write_event(Event::Start(BytesStart::new("pfif:person")))
            .map_err(failed)?;
        for (name, value) in [
            ("person_record_id", id.clone()),
            ("entry_date", pfif_time(p.updated_at)),
            ("author_name", author.to_owned()),
            ("source_name", format!("homeward register of {}", p.party)),
            ("source_date", pfif_time(p.created_at)),
            ("full_name", full.clone()),
            ("given_name", r.given_names.clone().unwrap_or_default()),
            ("family_name", r.surname.clone().unwrap_or_default()),
            (
                "alternate_names",
                if latin == full { String::new() } else { latin },
            ),
            ("description", description.join("; ").trim().to_owned()),
            (
                "sex",
                match r.sex.map(|s| s.as_str()) {
                    Some("f") => "female",
                    Some("m") => "male",
                    _ => "",
                }
                .to_owned(),
            ),
            (
                "date_of_birth",
                r.birth_date.map(|d| d.to_string()).unwrap_or_default(),
            ),
        ] {
            put(&mut w, name, &value).map_err(failed)?;
        }
        let status = match r.status {
            Some(Status::Missing) => "believed_missing",
            Some(Status::Deceased) => "believed_dead",
            Some(Status::InCustody | Status::Held | Status::Returned) => "believed_alive",
            None => "information_sought",
        };
        w.write_event(Event::Start(BytesStart::new("pfif:note")))
            .map_err(failed)?;
        for (name, value) in [
            ("note_record_id", format!("{domain}/note.status.{}", p.id)),
            ("person_record_id", id),
            ("entry_date", pfif_time(p.updated_at)),
            ("author_name", author.to_owned()),
            ("source_date", pfif_time(p.updated_at)),
            ("status", status.to_owned()),
            (
                "text",
                format!(
                    "Status in the register: {}",
                    r.status.map_or("unknown", |s| s.as_str())
                ),
            ),
        ] {
            put(&mut w, name, &value).map_err(failed)?;
        }
        w.write_event(Event::End(BytesEnd::new("pfif:note")))
            .map_err(failed)?;
        w.write_event(Event::End(BytesEnd::new("pfif:person")))
            .map_err(failed)?;
    }
    w.write_event(Event::End(BytesEnd::new("pfif:pfif")))
        .map_err(failed)?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    Ok(bytes)
}

/// The printable page: a table whose header repeats on every printed page, and a footer
/// with the hash that the browser prints on every page.
#[derive(Template)]
#[template(path = "print.html")]
struct PrintPage<'a> {
    title: &'a str,
    facts: Vec<(&'static str, String)>,
    hash_label: &'a str,
    sha256: &'a str,
    sheet: &'a Sheet,
    line_label: &'a str,
}

fn print(
    title: &str,
    facts: Vec<(&'static str, String)>,
    hash_label: &str,
    sha256: &str,
    sheet: &Sheet,
    line_label: &str,
) -> Result<Vec<u8>, Error> {
    PrintPage {
        title,
        facts,
        hash_label,
        sha256,
        sheet,
        line_label,
    }
    .render()
    .map(String::into_bytes)
    .map_err(|e| Error::Storage(format!("rendering the print view: {e}")))
}

fn finish(file_name: String, format: ExportFormat, bytes: Vec<u8>, rows: usize) -> Export {
    Export {
        file_name,
        content_type: format.content_type(),
        sha256: sha256_hex(&bytes),
        bytes,
        rows,
    }
}

/// Exports a list the grant's party issued or received, its rows as imported (rejected
/// rows included: nothing is dropped), and records the export as an event.
async fn export_list(
    store: &Store,
    grant: &Grant<ReadRegister>,
    list: i64,
    format: ExportFormat,
    protection: &Protection,
    now_ms: i64,
) -> Result<Export, Error> {
    let summary = store
        .lists(grant)
        .await?
        .into_iter()
        .find(|l| l.id == list)
        .ok_or_else(|| Error::NotFound(format!("list {list}")))?;
    let rows = store.list_rows(grant, list).await?;
    let shown = rows.iter().filter(|r| r.protected && !r.masked).count();
    let line = homeward_core::protection::classification_line(
        grant.party().as_str(),
        rows.len(),
        rows.iter().filter(|r| r.protected).count(),
    );
    let mut sheet = list_sheet(&summary.headers, &rows);
    sheet.classification = Some(line.clone());
    let bytes = match format {
        ExportFormat::Csv => csv(&sheet)?,
        ExportFormat::Xlsx => xlsx(&sheet, "list")?,
        ExportFormat::Json => serde_json::to_vec_pretty(&serde_json::json!({
            "classification": line,
            "list": summary,
            "rows": rows,
        }))
        .map_err(|e| Error::Storage(format!("writing JSON: {e}")))?,
        ExportFormat::Pfif => {
            return Err(Error::invalid(
                "format",
                "PFIF describes person records: export the register (--register) instead",
            ));
        }
        ExportFormat::Print => print(
            &format!("List {}: {}", summary.id, summary.title),
            vec![
                ("Classification", line.clone()),
                ("Issued by", summary.issuer.clone()),
                ("Kind", summary.kind.clone()),
                ("Category", summary.category.clone().unwrap_or_default()),
                ("Original file", summary.file_name.clone()),
                (
                    "Rows",
                    format!("{} ({} accepted)", summary.rows, summary.accepted),
                ),
            ],
            "SHA-256 of the original file",
            &summary.sha256,
            &sheet,
            "Line",
        )?,
    };
    let export = finish(
        format!("list-{list}.{}", format.extension()),
        format,
        bytes,
        rows.len(),
    );
    let people: Vec<i64> = rows.iter().filter_map(|r| r.person_id).collect();
    let (export, sealed) =
        seal_or_refuse(store, grant, export, shown, protection, &people, now_ms).await?;
    audit_export(store, grant, &people, Some(list), format, now_ms).await?;
    store
        .record_event(
            grant,
            "list.exported",
            serde_json::json!({
                "list": list,
                "list_sha256": summary.sha256,
                "format": format.extension(),
                "rows": export.rows,
                "sha256": export.sha256,
                "protection": sealed,
            }),
            now_ms,
        )
        .await?;
    Ok(export)
}

/// Exports the records of the grant's register that pass `filter`, and records the
/// export as an event. `domain` names this register in PFIF record ids.
async fn export_register(
    store: &Store,
    grant: &Grant<ReadRegister>,
    filter: &PersonFilter,
    format: ExportFormat,
    domain: Option<&str>,
    protection: &Protection,
    now_ms: i64,
) -> Result<Export, Error> {
    // A confirmed restricted status no negotiator released never leaves inside a list.
    let withheld = store.withheld_from_lists(grant.party().as_str()).await?;
    let mut persons = store.register(grant, filter).await?;
    let before = persons.len();
    persons.retain(|p| withheld.binary_search(&p.id).is_err());
    let withheld_count = before - persons.len();
    let party = grant.party().as_str();
    let shown = persons
        .iter()
        .filter(|p| p.protected() && !p.masked)
        .count();
    let line = homeward_core::protection::classification_line(
        party,
        persons.len(),
        persons.iter().filter(|p| p.protected()).count(),
    );
    let mut sheet = register_sheet(&persons);
    sheet.classification = Some(line.clone());
    let described = {
        let mut d = Vec::new();
        if let Some(c) = filter.category {
            d.push(format!("category {}", c.as_str()));
        }
        if let Some(s) = filter.status {
            d.push(format!("status {}", s.as_str()));
        }
        if let Some(l) = filter.source_list {
            d.push(format!("from list {l}"));
        }
        if withheld_count > 0 {
            d.push(format!(
                "{withheld_count} records with a restricted status not released by a negotiator left out"
            ));
        }
        if d.is_empty() {
            "all records".to_owned()
        } else {
            d.join(", ")
        }
    };
    let bytes = match format {
        ExportFormat::Csv => csv(&sheet)?,
        ExportFormat::Xlsx => xlsx(&sheet, "register")?,
        ExportFormat::Json => serde_json::to_vec_pretty(&serde_json::json!({
            "classification": line,
            "records": persons,
        }))
        .map_err(|e| Error::Storage(format!("writing JSON: {e}")))?,
        ExportFormat::Pfif => {
            let domain = domain
                .map(str::to_owned)
                .unwrap_or_else(|| format!("{}.homeward.invalid", party.to_lowercase()));
            pfif(
                &persons,
                &domain,
                &format!("{party} register (homeward)"),
                &line,
            )?
        }
        ExportFormat::Print => {
            // A register extract has no original file: the hash printed is that of the
            // same extract as CSV, which anyone can recompute from the CSV export.
            let sha = sha256_hex(&csv(&sheet)?);
            print(
                &format!("Register of {party}: {described}"),
                vec![
                    ("Classification", line.clone()),
                    ("Party", party.to_owned()),
                    ("Records", persons.len().to_string()),
                    ("Printed", pfif_time(now_ms)),
                ],
                "SHA-256 of this extract as CSV",
                &sha,
                &sheet,
                "Record",
            )?
        }
    };
    let export = finish(
        format!("register-{}.{}", party.to_lowercase(), format.extension()),
        format,
        bytes,
        persons.len(),
    );
    let people: Vec<i64> = persons.iter().map(|p| p.id).collect();
    let (export, sealed) =
        seal_or_refuse(store, grant, export, shown, protection, &people, now_ms).await?;
    audit_export(store, grant, &people, None, format, now_ms).await?;
    store
        .record_event(
            grant,
            "register.exported",
            serde_json::json!({
                "filter": described,
                "format": format.extension(),
                "records": export.rows,
                "sha256": export.sha256,
                "protection": sealed,
            }),
            now_ms,
        )
        .await?;
    Ok(export)
}

/// Exports the grant's party's links (for instance the confirmed ones: who is who between
/// its register and the lists it received), each with both records as written and
/// romanised, who decided and when; records the export as an event.
#[allow(clippy::too_many_arguments)]
async fn export_links(
    store: &Store,
    read: &Grant<ReadRegister>,
    review: &Grant<ReviewLinks>,
    links: &[homeward_store::LinkView],
    filter: LinkFilter<'_>,
    format: ExportFormat,
    protection: &Protection,
    now_ms: i64,
) -> Result<Export, Error> {
    use crate::links::{linked_people, linked_rows, protected_shown, sides_of};
    // Whether the export may be written is decided before the records are handed out for
    // it, so a refused export is audited as a refusal and nothing else.
    let ids = linked_people(links);
    let rows = linked_rows(store, read, links).await?;
    let shown_people = store.protected_shown(read, &ids).await?;
    let shown = protected_shown(links, &|id| shown_people.contains(&id), &rows);
    if let Some(refusal) = refusal(shown, protection) {
        audit_refusal(store, read, &ids, now_ms).await?;
        return Err(refusal);
    }
    let people = store
        .open_persons(read, &ids, "export", ReadAction::Export, now_ms)
        .await?;
    let sides = sides_of(links, &people, &rows);
    let headers = [
        "link",
        "decision",
        "probability",
        "decided_by",
        "decided_at",
        "person_id",
        "person",
        "person_latin",
        "other",
        "other_latin",
        "other_record",
    ];
    let sheet = Sheet {
        headers: headers.iter().map(|h| (*h).to_owned()).collect(),
        rows: links
            .iter()
            .zip(sides)
            .map(|(l, s)| {
                vec![
                    l.id.to_string(),
                    l.decision.clone(),
                    format!("{:.4}", l.probability),
                    l.decided_by.clone().unwrap_or_default(),
                    l.decided_at.map(pfif_time).unwrap_or_default(),
                    l.person_id.to_string(),
                    s.person.clone(),
                    s.person_latin.clone(),
                    s.other.clone(),
                    s.other_latin.clone(),
                    s.other_place.clone(),
                ]
            })
            .collect(),
        lines: links.iter().map(|l| l.id).collect(),
        classification: Some(homeward_core::protection::classification_line(
            read.party().as_str(),
            links.len(),
            shown,
        )),
    };
    let what = filter.decision.unwrap_or("all");
    let bytes = match format {
        ExportFormat::Csv => csv(&sheet)?,
        ExportFormat::Xlsx => xlsx(&sheet, "links")?,
        ExportFormat::Json => serde_json::to_vec_pretty(&serde_json::json!({
            "classification": sheet.classification,
            "links": links,
            "sides": sheet.rows,
        }))
        .map_err(|e| Error::Storage(format!("writing JSON: {e}")))?,
        ExportFormat::Pfif => {
            return Err(Error::invalid(
                "format",
                "PFIF describes person records: export the register instead",
            ));
        }
        ExportFormat::Print => {
            let sha = sha256_hex(&csv(&sheet)?);
            print(
                &format!("Links of {}: {what}", read.party()),
                vec![
                    ("Party", read.party().to_string()),
                    ("Links", links.len().to_string()),
                    ("Printed", pfif_time(now_ms)),
                ],
                "SHA-256 of these links as CSV",
                &sha,
                &sheet,
                "Link",
            )?
        }
    };
    let export = finish(
        format!(
            "links-{}-{what}.{}",
            read.party().as_str().to_lowercase(),
            format.extension()
        ),
        format,
        bytes,
        links.len(),
    );
    let (export, sealed) = seal(export, shown, protection)?;
    store
        .record_event(
            review,
            "links.exported",
            serde_json::json!({
                "decision": what,
                "format": format.extension(),
                "links": export.rows,
                "sha256": export.sha256,
                "protection": sealed,
            }),
            now_ms,
        )
        .await?;
    Ok(export)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_names_are_not() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(1)"), "'@SUM(1)");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("Олійник"), "Олійник");
        assert_eq!(neutralise("Коваленко-Петренко"), "Коваленко-Петренко");
    }

    #[test]
    fn every_format_has_a_name_the_parser_takes_back() {
        for f in [
            ExportFormat::Csv,
            ExportFormat::Xlsx,
            ExportFormat::Json,
            ExportFormat::Pfif,
            ExportFormat::Print,
        ] {
            let name = f.extension().trim_end_matches(".xml");
            let name = if name == "html" { "print" } else { name };
            assert_eq!(name.parse::<ExportFormat>().unwrap(), f);
        }
    }
}
