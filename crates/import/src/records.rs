//! From located rows to register records, with the report clerks need: what was accepted,
//! what was rejected (line, column, value, reason) and what looked odd. Nothing is
//! dropped or changed silently: a rejected row keeps its cells and its reasons.

use crate::columns::{ColumnMap, Role};
use crate::dates::parse_date;
use crate::table::SourceRow;
use homeward_core::record::{Category, PartialDate, PersonRecord, Relation, Sex, Status};
use homeward_names::{Script, script_of};
use std::collections::HashMap;

/// A problem with one cell or row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line (CSV) or row (spreadsheet), 1-based.
    pub line: u64,
    /// The column's header, when one column is at fault.
    pub column: Option<String>,
    /// The value as written.
    pub value: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}", self.line)?;
        if let Some(c) = &self.column {
            write!(f, ", column {c:?}")?;
        }
        if !self.value.is_empty() {
            write!(f, ", value {:?}", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// One row read into a record, or rejected.
#[derive(Debug, Clone)]
pub struct ReadRow {
    /// Line of the row.
    pub line: u64,
    /// Cells by header, as written.
    pub cells: Vec<(String, String)>,
    /// The record, if the row was accepted.
    pub record: Option<PersonRecord>,
    /// Why it was rejected (empty when accepted).
    pub rejected: Vec<Problem>,
    /// What looked odd but was kept.
    pub warnings: Vec<Problem>,
}

/// What the rows of a list describe.
#[derive(Debug, Clone, Copy)]
pub struct RowContext {
    /// Category of every record.
    pub category: Category,
    /// Sought (own people) or held (the other side's).
    pub relation: Relation,
    /// Status of new records.
    pub status: Status,
    /// The day of the import, for plausibility of dates (a parameter: no clock here).
    pub today: PartialDate,
    /// Records are marked synthetic (demo and test lists).
    pub synthetic: bool,
}

/// Reads rows into records. Duplicates (same name and birth date as an earlier row) are
/// kept and warned about; the first row of each is named.
pub struct RecordReader {
    map: ColumnMap,
    headers: Vec<String>,
    context: RowContext,
    seen: HashMap<(String, String), u64>,
}

impl RecordReader {
    /// A reader for a table with these headers and this column map.
    pub fn new(headers: Vec<String>, map: ColumnMap, context: RowContext) -> Self {
        RecordReader {
            map,
            headers: distinct_headers(headers),
            context,
            seen: HashMap::new(),
        }
    }

    /// The headers the rows' cells are kept under: the file's, made distinct.
    pub fn headers(&self) -> &[String] {
        &self.headers
    }

    /// Reads one row.
    pub fn read(&mut self, row: &SourceRow) -> ReadRow {
        // homeward's own exports protect formula-like cells with a leading apostrophe, as
        // spreadsheets do; reading such a file back takes the mark off again, so that an
        // export imported again gives the same records.
        let unmarked: Vec<String> = row
            .cells
            .iter()
            .map(|c| match c.strip_prefix('\'') {
                Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest.to_owned(),
                _ => c.clone(),
            })
            .collect();
        let row = &SourceRow {
            line: row.line,
            cells: unmarked,
            warnings: row.warnings.clone(),
        };
        let line = row.line;
        let header = |c: usize| {
            self.headers
                .get(c)
                .cloned()
                .unwrap_or_else(|| format!("column {}", c + 1))
        };
        let mut warnings: Vec<Problem> = row
            .warnings
            .iter()
            .map(|w| Problem {
                line,
                column: None,
                value: String::new(),
                reason: w.clone(),
            })
            .collect();
        let mut rejected = Vec::new();
        for (c, v) in row.cells.iter().enumerate() {
            if v.starts_with(['=', '+', '@'])
                && v.len() > 1
                && !v[1..].starts_with(char::is_whitespace)
            {
                warnings.push(Problem {
                    line,
                    column: Some(header(c)),
                    value: v.clone(),
                    reason: "looks like a spreadsheet formula; kept as text, never evaluated"
                        .into(),
                });
            }
        }
        let value = |role: Role| -> Option<(String, String)> {
            let column = self.map.first(role).map(&header).unwrap_or_default();
            self.map.value(role, &row.cells).map(|v| (column, v))
        };
        let text = |role: Role| value(role).map(|(_, v)| v);
        let mut date = |role: Role, what: &str| -> Option<PartialDate> {
            let (column, v) = value(role)?;
            match parse_date(&v) {
                Ok(Some(d)) => {
                    // 03/04/1990 is 3 April here; written with slashes it may have been
                    // meant month first.
                    if v.contains('/')
                        && let (Some(m), Some(day)) = (d.month, d.day)
                        && m <= 12
                        && day <= 12
                        && m != day
                    {
                        warnings.push(Problem {
                            line,
                            column: Some(column.clone()),
                            value: v.clone(),
                            reason: format!("read day first as {d}; a month-first reading would give {:04}-{day:02}-{m:02}", d.year),
                        });
                    }
                    let future = d.year > self.context.today.year;
                    let ancient = self.context.today.year - d.year > 110;
                    if future || ancient {
                        warnings.push(Problem {
                            line,
                            column: Some(column),
                            value: v,
                            reason: format!("an implausible {what}"),
                        });
                    }
                    Some(d)
                }
                Ok(None) => None,
                Err(reason) => {
                    rejected.push(Problem {
                        line,
                        column: Some(column),
                        value: v,
                        reason,
                    });
                    None
                }
            }
        };
        let birth_date = date(Role::BirthDate, "birth date");
        // Names: split columns as written, or one cell read by the names crate.
        let (mut surname, mut given, mut patronymic) = (
            text(Role::Surname),
            text(Role::GivenName),
            text(Role::Patronymic),
        );
        if surname.is_none()
            && given.is_none()
            && let Some(full) = text(Role::FullName)
        {
            match homeward_names::parse(&full)
                .ok()
                .and_then(|r| r.into_iter().next())
            {
                Some(best) => {
                    surname = best.surname;
                    given = best.given;
                    patronymic = patronymic.or(best.patronymic);
                }
                None => rejected.push(Problem {
                    line,
                    column: value(Role::FullName).map(|(c, _)| c),
                    value: full,
                    reason: "is not a name".into(),
                }),
            }
        }
        if surname.is_none() && given.is_none() && rejected.is_empty() {
            rejected.push(Problem {
                line,
                column: None,
                value: String::new(),
                reason: "no surname or given name".into(),
            });
        }
        for (role, part) in [
            (Role::Surname, &surname),
            (Role::GivenName, &given),
            (Role::Patronymic, &patronymic),
        ] {
            if let Some(p) = part
                && matches!(script_of(p), Script::Mixed | Script::Other)
            {
                warnings.push(Problem {
                    line,
                    column: value(role).map(|(c, _)| c),
                    value: p.clone(),
                    reason: "a name in an unexpected script (Latin and Cyrillic mixed, or another alphabet)".into(),
                });
            }
        }
        let sex = text(Role::Sex).and_then(|s| match s.to_lowercase().chars().next() {
            Some('m' | 'ч' | 'м') => Some(Sex::M),
            Some('f' | 'ж' | 'w') => Some(Sex::F),
            _ => None,
        });
        let cells: Vec<(String, String)> = row
            .cells
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(c, v)| (header(c), v.clone()))
            .collect();
        if !rejected.is_empty() {
            return ReadRow {
                line,
                cells,
                record: None,
                rejected,
                warnings,
            };
        }
        let key = (
            homeward_names::fold(&homeward_names::full_name(
                surname.as_deref().unwrap_or(""),
                given.as_deref().unwrap_or(""),
                patronymic.as_deref().unwrap_or(""),
            )),
            birth_date.map(|d| d.to_string()).unwrap_or_default(),
        );
        if let Some(first) = self.seen.get(&key) {
            warnings.push(Problem {
                line,
                column: None,
                value: String::new(),
                reason: format!("the same name and birth date as line {first}; kept, to be reviewed as a duplicate"),
            });
        } else {
            self.seen.insert(key, line);
        }
        let c = self.context;
        let record = PersonRecord {
            category: Some(c.category),
            relation: Some(c.relation),
            status: Some(c.status),
            surname,
            given_names: given,
            patronymic,
            birth_date,
            birth_place: text(Role::BirthPlace),
            sex,
            rank: text(Role::Rank),
            unit: text(Role::Unit),
            service_number: text(Role::ServiceNumber),
            last_known_location: text(Role::Locality),
            synthetic: c.synthetic,
            ..Default::default()
        };
        match record.validate() {
            Ok(()) => ReadRow {
                line,
                cells,
                record: Some(record),
                rejected,
                warnings,
            },
            Err(e) => {
                rejected.push(Problem {
                    line,
                    column: None,
                    value: String::new(),
                    reason: e.to_string(),
                });
                ReadRow {
                    line,
                    cells,
                    record: None,
                    rejected,
                    warnings,
                }
            }
        }
    }
}

/// Headers as the names a row's cells are kept under: a blank header becomes `column N`,
/// a repeated one `NAME (2)`, so that no cell of a row overwrites another's.
pub fn distinct_headers(headers: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(headers.len());
    for (c, h) in headers.into_iter().enumerate() {
        let base = if h.trim().is_empty() {
            format!("column {}", c + 1)
        } else {
            h
        };
        let mut name = base.clone();
        let mut n = 1;
        while out.contains(&name) {
            n += 1;
            name = format!("{base} ({n})");
        }
        out.push(name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(headers: &[&str]) -> RecordReader {
        let headers: Vec<String> = headers.iter().map(|s| s.to_string()).collect();
        let map = ColumnMap::from_headers(&headers, &[]).unwrap();
        RecordReader::new(
            headers,
            map,
            RowContext {
                category: Category::Pow,
                relation: Relation::Held,
                status: Status::Held,
                today: PartialDate {
                    year: 2025,
                    month: Some(6),
                    day: Some(2),
                },
                synthetic: true,
            },
        )
    }

    #[test]
    fn repeated_and_blank_headers_keep_every_cell() {
        let headers = ["примітка", "", "примітка", "примітка (2)"]
            .map(str::to_owned)
            .to_vec();
        assert_eq!(
            distinct_headers(headers),
            ["примітка", "column 2", "примітка (2)", "примітка (2) (2)"]
        );
    }

    fn row(line: u64, cells: &[&str]) -> SourceRow {
        SourceRow {
            line,
            cells: cells.iter().map(|s| s.to_string()).collect(),
            warnings: Vec::new(),
        }
    }

    #[test]
    fn rows_become_records_and_problems_are_located() {
        let mut r = reader(&["прізвище", "ім'я", "дата народження", "примітка"]);
        let ok = r.read(&row(2, &["Олійник", "Олександр", "04.03.1990", ""]));
        assert!(ok.record.is_some() && ok.rejected.is_empty());
        let bad_date = r.read(&row(3, &["Шевчук", "Іван", "31.02.1990", ""]));
        assert!(bad_date.record.is_none());
        assert_eq!(
            bad_date.rejected[0].column.as_deref(),
            Some("дата народження")
        );
        assert_eq!(bad_date.rejected[0].value, "31.02.1990");
        let nameless = r.read(&row(4, &["", "", "1990", ""]));
        assert!(nameless.rejected[0].reason.contains("no surname"));
        let formula = r.read(&row(5, &["Бойко", "Петро", "", "=HYPERLINK(\"x\")"]));
        assert!(formula.record.is_some());
        assert!(
            formula
                .warnings
                .iter()
                .any(|w| w.reason.contains("formula"))
        );
        let duplicate = r.read(&row(6, &["ОЛІЙНИК", "Олександр", "04.03.1990", ""]));
        assert!(
            duplicate
                .warnings
                .iter()
                .any(|w| w.reason.contains("line 2")),
            "{:?}",
            duplicate.warnings
        );
        let future = r.read(&row(7, &["Мельник", "Ігор", "2031", ""]));
        assert!(
            future
                .warnings
                .iter()
                .any(|w| w.reason.contains("implausible"))
        );
        let mixed = r.read(&row(8, &["Щербakov", "Ігор", "", ""]));
        assert!(
            mixed
                .warnings
                .iter()
                .any(|w| w.reason.contains("unexpected script"))
        );
    }

    #[test]
    fn one_cell_names_are_parsed() {
        let mut r = reader(&["ФИО", "дата рождения"]);
        let read = r.read(&row(2, &["Иванов Иван Иванович", "1985"]));
        let rec = read.record.unwrap();
        assert_eq!(
            (
                rec.surname.as_deref(),
                rec.given_names.as_deref(),
                rec.patronymic.as_deref()
            ),
            (Some("Иванов"), Some("Иван"), Some("Иванович"))
        );
    }
}
