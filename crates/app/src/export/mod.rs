//! Exports: a list's rows as imported, or a filtered register, as CSV, XLSX, JSON, PFIF 1.4
//! XML (person records only) or a printable page a delegation can sign, with the SHA-256 on
//! every printed page. One function per source builds a [`Sheet`]; one function per format
//! writes it. Every export is an event carrying the export's hash, never its content, and
//! every export of personal data — a list, the register, the links — passes through one
//! [`seal`]. The CLI, the API and the pages all call [`App::export`].

mod formats;
mod seal;

pub use formats::neutralise;
use formats::{Sheet, csv, list_sheet, pfif, pfif_time, print, register_sheet, xlsx};

pub use seal::{Protection, seal};
use seal::{audit_export, audit_refusal, refusal, seal_or_refuse, validate};

use crate::query::{PersonQuery, parse_choice};
use crate::{App, Error, grant};
use homeward_core::access::{Actor, AllowUnprotectedExport, Grant, ReadRegister, ReviewLinks};
use homeward_core::protection::ReadAction;
use homeward_ledger::sha256_hex;
use homeward_store::{LinkFilter, PersonFilter, Store};

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
