//! The formats an export is written in: one [`Sheet`] (headers, rows, anchors, the
//! classification line) per source, and one writer per format — CSV, XLSX, PFIF 1.4 and the
//! print view; JSON is written by the caller from the same sheet. Every cell a spreadsheet
//! would run as a formula is neutralised here, once.

use crate::Error;
use askama::Template;
use homeward_core::record::{Category, PartialDate, Status};
use homeward_store::{Person, StoredRow};

/// A table to write: headers, rows of text, and for each row an anchor (a list's line).
#[derive(Debug, Clone, Default)]
pub(super) struct Sheet {
    pub(super) headers: Vec<String>,
    pub(super) rows: Vec<Vec<String>>,
    pub(super) lines: Vec<i64>,
    /// The classification line written above the headers (personal data).
    pub(super) classification: Option<String>,
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
pub(super) fn list_sheet(known: &[String], rows: &[StoredRow]) -> Sheet {
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
pub(super) const REGISTER_HEADERS: [&str; 30] = [
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

pub(super) fn register_sheet(persons: &[Person]) -> Sheet {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    // A date or word that could not be read goes out as it was written, so that reading
    // the export back gives the same record.
    let date = |v: &Option<PartialDate>, r: &homeward_core::record::PersonRecord, field: &str| {
        v.map(|d| d.to_string())
            .or_else(|| r.as_written(field).map(str::to_owned))
            .unwrap_or_default()
    };
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
                date(&r.birth_date, r, "birth_date"),
                text(&r.birth_place),
                word(r.sex.map(|s| s.as_str()).or(r.as_written("sex"))),
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
                date(&r.capture_date, r, "capture_date"),
                text(&r.capture_place),
                date(&r.deportation_date, r, "deportation_date"),
                text(&r.deportation_place),
                text(&r.family_contact),
                text(&r.recovery_site),
                date(&r.recovery_date, r, "recovery_date"),
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

pub(super) fn csv(sheet: &Sheet) -> Result<Vec<u8>, Error> {
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

pub(super) fn xlsx(sheet: &Sheet, name: &str) -> Result<Vec<u8>, Error> {
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
pub(super) fn pfif_time(ms: i64) -> String {
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
pub(super) fn pfif(
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
        let written = r.full_name();
        let latin = homeward_names::romanise_as_written(&written);
        let remains = r.category == Some(Category::Remains);
        // PFIF requires a full name; remains and records without one are named as what
        // they are, so that a reader of the feed still knows which record this is.
        let full = match (written.trim().is_empty(), remains, &r.tag_number) {
            (false, ..) => written.clone(),
            (true, true, Some(tag)) => format!("Unidentified remains, tag {tag}"),
            (true, true, None) => format!("Unidentified remains, record {}", p.id),
            (true, false, _) => format!("Name not recorded, record {}", p.id),
        };
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
                if latin == written {
                    String::new()
                } else {
                    latin
                },
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
        // PFIF's words: remains are the dead, whether sought, held or returned.
        let status = match (remains, r.status) {
            (true, _) | (false, Some(Status::Deceased)) => "believed_dead",
            (false, Some(Status::Missing)) => "believed_missing",
            (false, Some(Status::InCustody | Status::Held | Status::Returned)) => "believed_alive",
            (false, None) => "information_sought",
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

pub(super) fn print(
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

#[cfg(test)]
mod tests {
    use super::*;
    use homeward_core::record::PersonRecord;

    fn stored(id: i64, record: PersonRecord) -> Person {
        Person {
            id,
            party: "UA".to_owned(),
            record,
            source_list: None,
            source_row: None,
            record_sha256: String::new(),
            created_at: 0,
            updated_at: 0,
            family_notification: None,
            sensitivity: None,
            consent: None,
            masked: false,
            erased_at: None,
        }
    }

    #[test]
    fn every_pfif_person_has_a_full_name_and_remains_are_the_dead() {
        let remains = |tag: Option<&str>, status| PersonRecord {
            category: Some(Category::Remains),
            tag_number: tag.map(str::to_owned),
            status: Some(status),
            synthetic: true,
            ..Default::default()
        };
        let persons = [
            stored(1, remains(Some("UA-0042"), Status::Returned)),
            stored(2, remains(None, Status::Missing)),
            stored(
                3,
                PersonRecord {
                    category: Some(Category::Pow),
                    status: Some(Status::InCustody),
                    synthetic: true,
                    ..Default::default()
                },
            ),
        ];
        let xml =
            String::from_utf8(pfif(&persons, "example.org", "test", "SYNTHETIC").unwrap()).unwrap();
        assert!(
            xml.contains("<pfif:full_name>Unidentified remains, tag UA-0042</pfif:full_name>"),
            "{xml}"
        );
        assert!(
            xml.contains("<pfif:full_name>Unidentified remains, record 2</pfif:full_name>"),
            "{xml}"
        );
        assert!(
            xml.contains("<pfif:full_name>Name not recorded, record 3</pfif:full_name>"),
            "{xml}"
        );
        assert_eq!(xml.matches("<pfif:full_name>").count(), 3, "{xml}");
        assert_eq!(
            xml.matches("<pfif:status>believed_dead</pfif:status>")
                .count(),
            2
        );
        assert_eq!(
            xml.matches("<pfif:status>believed_alive</pfif:status>")
                .count(),
            1
        );
    }

    #[test]
    fn formulas_are_neutralised_and_names_are_not() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(1)"), "'@SUM(1)");
        assert_eq!(neutralise("-1+2"), "'-1+2");
        assert_eq!(neutralise("Олійник"), "Олійник");
        assert_eq!(neutralise("Коваленко-Петренко"), "Коваленко-Петренко");
    }
}
