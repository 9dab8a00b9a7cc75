//! From located rows to register records, with the report clerks need: what was accepted,
//! what was rejected (line, column, value, reason) and what looked odd. Nothing is
//! dropped or changed silently: a rejected row keeps its cells and its reasons.

use crate::columns::{ColumnMap, Role};
use crate::dates::parse_date;
use crate::table::{ImportError, SourceRow};
use homeward_core::record::{
    Category, PartialDate, PersonRecord, Relation, Sex, Status, UNREADABLE_MARK, over_limit,
};
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
#[derive(Debug, Clone, PartialEq)]
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
    /// Each name and birth date read so far, by a 64-bit hash of the two, with its line: a
    /// list of a million people keeps 16 bytes each rather than their texts. Two different
    /// people share a hash about once in 10^7 lists of a million, and then only add a
    /// warning for review.
    seen: HashMap<u64, u64>,
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

    /// Reads up to `n` rows from `rows`, each with its report entries, so that a caller
    /// stores a list batch by batch and never holds all its rows. Fewer than `n` means the
    /// rows ran out; none, that they had already. A row that cannot be read ends the
    /// reading with its error.
    pub fn read_batch<I>(&mut self, rows: &mut I, n: usize) -> Result<Vec<ReadRow>, ImportError>
    where
        I: Iterator<Item = Result<SourceRow, ImportError>>,
    {
        let mut batch = Vec::with_capacity(n.min(4096));
        for row in rows.by_ref().take(n) {
            batch.push(self.read(&row?));
        }
        Ok(batch)
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
        // Values over their field's limit are refused (the row keeps them as written), each
        // with its reason; a name part refused leaves the person if another part is read.
        let mut refused: Vec<(Role, Problem)> = Vec::new();
        let limited = |role: Role, field: &str, refused: &mut Vec<(Role, Problem)>| {
            let (column, v) = value(role)?;
            match over_limit(field, v.chars().count()) {
                None => Some(v),
                Some(reason) => {
                    refused.push((
                        role,
                        Problem {
                            line,
                            column: Some(column),
                            value: abridged(&v),
                            reason,
                        },
                    ));
                    None
                }
            }
        };
        let mut unreadable = std::collections::BTreeMap::new();
        let mut unread: Vec<Problem> = Vec::new();
        let birth_date = match value(Role::BirthDate) {
            None => None,
            Some((column, v)) => match parse_date(&v) {
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
                            reason: "an implausible birth date".into(),
                        });
                    }
                    Some(d)
                }
                Ok(None) => None,
                Err(reason) => {
                    keep_unreadable(
                        &mut unreadable,
                        (&mut unread, &mut warnings),
                        line,
                        column,
                        "birth_date",
                        v,
                        &reason,
                    );
                    None
                }
            },
        };
        // Names: split columns as written, or one cell read by the names crate.
        let (mut surname, mut given, mut patronymic) = (
            limited(Role::Surname, "surname", &mut refused),
            limited(Role::GivenName, "given_names", &mut refused),
            limited(Role::Patronymic, "patronymic", &mut refused),
        );
        if surname.is_none()
            && given.is_none()
            && let Some(full) = limited(Role::FullName, "full_name", &mut refused)
        {
            match homeward_names::parse(&full).map(|r| r.into_iter().next()) {
                Ok(Some(best)) => {
                    let column = value(Role::FullName).map(|(c, _)| c);
                    let mut part = |p: Option<String>, field: &str| {
                        let p = p?;
                        match over_limit(field, p.chars().count()) {
                            None => Some(p),
                            Some(reason) => {
                                refused.push((
                                    Role::FullName,
                                    Problem {
                                        line,
                                        column: column.clone(),
                                        value: abridged(&p),
                                        reason,
                                    },
                                ));
                                None
                            }
                        }
                    };
                    surname = part(best.surname, "surname");
                    given = part(best.given, "given_names");
                    patronymic = patronymic.or(part(best.patronymic, "patronymic"));
                }
                Err(homeward_names::NotAName::NoLetters(_)) | Ok(None) => rejected.push(Problem {
                    line,
                    column: value(Role::FullName).map(|(c, _)| c),
                    value: abridged(&full),
                    reason: "is not a name".into(),
                }),
                // Letters the names crate cannot tell apart (another alphabet, a word too
                // long, digits in a word): a person all the same, the cell kept whole.
                Err(why) => {
                    let column = value(Role::FullName).map(|(c, _)| c);
                    match over_limit("surname", full.chars().count()) {
                        Some(reason) => refused.push((
                            Role::FullName,
                            Problem {
                                line,
                                column,
                                value: abridged(&full),
                                reason,
                            },
                        )),
                        None => {
                            warnings.push(Problem {
                                line,
                                column,
                                value: abridged(&full),
                                reason: format!("{why}: not read into surname, given name and patronymic; kept whole as the surname, as written"),
                            });
                            surname = Some(full);
                        }
                    }
                }
            }
        }
        let name_roles = [
            Role::Surname,
            Role::GivenName,
            Role::Patronymic,
            Role::FullName,
        ];
        if surname.is_none() && given.is_none() {
            // No person can be read: the refused name parts are the reasons.
            let (names, others): (Vec<_>, Vec<_>) = std::mem::take(&mut refused)
                .into_iter()
                .partition(|(role, _)| name_roles.contains(role));
            refused = others;
            rejected.extend(names.into_iter().map(|(_, p)| p));
            if rejected.is_empty() {
                rejected.push(Problem {
                    line,
                    column: None,
                    value: String::new(),
                    reason: "no surname or given name".into(),
                });
            }
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
        let sex = match value(Role::Sex) {
            None => None,
            Some((column, s)) => match s.to_lowercase().chars().next() {
                Some('m' | 'ч' | 'м') => Some(Sex::M),
                Some('f' | 'ж' | 'w') => Some(Sex::F),
                _ => {
                    let reason = format!("{s:?} is not a sex; write m or f (ч/ж, м/ж)");
                    keep_unreadable(
                        &mut unreadable,
                        (&mut unread, &mut warnings),
                        line,
                        column,
                        "sex",
                        s,
                        &reason,
                    );
                    None
                }
            },
        };
        let birth_place = limited(Role::BirthPlace, "birth_place", &mut refused);
        let rank = limited(Role::Rank, "rank", &mut refused);
        let unit = limited(Role::Unit, "unit", &mut refused);
        let service_number = limited(Role::ServiceNumber, "service_number", &mut refused);
        let last_known_location = limited(Role::Locality, "last_known_location", &mut refused);
        warnings.extend(refused.into_iter().map(|(_, p)| p));
        let cells: Vec<(String, String)> = row
            .cells
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_empty())
            .map(|(c, v)| (header(c), v.clone()))
            .collect();
        if !rejected.is_empty() {
            warnings.extend(unread);
            return ReadRow {
                line,
                cells,
                record: None,
                rejected,
                warnings,
            };
        }
        warnings.extend(unread.into_iter().map(|mut p| {
            p.reason = format!(
                "{}; the person is kept with the value {UNREADABLE_MARK}",
                p.reason
            );
            p
        }));
        let key = (
            homeward_names::fold(&homeward_names::full_name(
                surname.as_deref().unwrap_or(""),
                given.as_deref().unwrap_or(""),
                patronymic.as_deref().unwrap_or(""),
            )),
            birth_date
                .map(|d| d.to_string())
                .or_else(|| unreadable.get("birth_date").cloned())
                .unwrap_or_default(),
        );
        let key = {
            use std::hash::{Hash as _, Hasher as _};
            let mut hasher = std::hash::DefaultHasher::new();
            key.hash(&mut hasher);
            hasher.finish()
        };
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
            birth_place,
            sex,
            rank,
            unit,
            service_number,
            last_known_location,
            synthetic: c.synthetic,
            unreadable,
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

/// A value as a report quotes it: whole when short, its beginning and its length when long
/// (a cell of a million characters is not repeated in the report).
fn abridged(v: &str) -> String {
    const QUOTED: usize = 80;
    let chars = v.chars().count();
    if chars <= QUOTED {
        v.to_owned()
    } else {
        let head: String = v.chars().take(QUOTED).collect();
        format!("{head}… ({chars} characters)")
    }
}

/// Keeps a typed value that could not be read as written, marked unreadable, with a problem
/// naming the cell (which says the person is kept once the row is known to give one); one
/// too long to keep is refused with the limit's reason instead.
fn keep_unreadable(
    unreadable: &mut std::collections::BTreeMap<String, String>,
    (kept, refused): (&mut Vec<Problem>, &mut Vec<Problem>),
    line: u64,
    column: String,
    field: &str,
    value: String,
    reason: &str,
) {
    let (into, reason) = match over_limit(field, value.chars().count()) {
        Some(limit) => (refused, format!("cannot be read and {limit}")),
        None => {
            unreadable.insert(field.to_owned(), value.clone());
            (kept, reason.to_owned())
        }
    };
    into.push(Problem {
        line,
        column: Some(column),
        value: abridged(&value),
        reason,
    });
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
        assert!(bad_date.rejected.is_empty());
        assert_eq!(
            bad_date.warnings[0].column.as_deref(),
            Some("дата народження")
        );
        assert_eq!(bad_date.warnings[0].value, "31.02.1990");
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

    fn record_of(read: &ReadRow) -> &PersonRecord {
        read.record
            .as_ref()
            .unwrap_or_else(|| panic!("line {}: {:?}", read.line, read.rejected))
    }

    #[test]
    fn an_unreadable_value_keeps_the_person_with_the_value_as_written() {
        let mut r = reader(&["прізвище", "ім'я", "дата народження", "стать", "частина"]);
        let good = r.read(&row(
            2,
            &["Олійник", "Олександр", "04.03.1990", "ч", "95 ОДШБр"],
        ));
        for (line, written) in [(3, "31.02.1999"), (4, "1999-02-29"), (5, "завтра")] {
            let read = r.read(&row(line, &["Шевчук", "Іван", written, "ч", "95 ОДШБр"]));
            let rec = record_of(&read);
            assert_eq!(rec.birth_date, None);
            assert_eq!(rec.as_written("birth_date"), Some(written));
            // Nothing else changed: every other field as it reads without the date.
            let mut same = rec.clone();
            same.unreadable.clear();
            same.surname = Some("Олійник".into());
            same.given_names = Some("Олександр".into());
            same.birth_date = record_of(&good).birth_date;
            assert_eq!(&same, record_of(&good));
            assert_eq!(read.warnings.len(), 1, "{:?}", read.warnings);
            let w = read.warnings[0].to_string();
            assert!(
                w.starts_with(&format!(
                    "line {line}, column \"дата народження\", value \"{written}\": "
                )) && w.ends_with("the person is kept with the value as written, unreadable"),
                "{w}"
            );
        }
        let sex = r.read(&row(6, &["Бойко", "Петро", "", "?", ""]));
        assert_eq!(record_of(&sex).as_written("sex"), Some("?"));
        assert_eq!(record_of(&sex).sex, None);
        assert!(
            sex.warnings[0]
                .to_string()
                .starts_with("line 6, column \"стать\", value \"?\": \"?\" is not a sex"),
            "{:?}",
            sex.warnings
        );
        // A row without a name gives no person: its unreadable date is reported, not kept.
        let nameless = r.read(&row(7, &["", "", "завтра", "", ""]));
        assert!(nameless.record.is_none());
        assert!(nameless.rejected[0].reason.contains("no surname"));
        assert!(
            !nameless.warnings[0].reason.contains("kept"),
            "{:?}",
            nameless.warnings
        );
    }

    #[test]
    fn a_value_over_its_limit_is_refused_with_the_reason_and_the_person_kept_if_named() {
        let mut r = reader(&["прізвище", "ім'я", "дата народження", "частина"]);
        let long = "Ш".repeat(1_000_000);
        // The surname refused, the given name read: the person stays, the report says why.
        let read = r.read(&row(2, &[&long, "Іван", "1990", "95 ОДШБр"]));
        let rec = record_of(&read);
        assert_eq!(
            (
                rec.surname.as_deref(),
                rec.given_names.as_deref(),
                rec.unit.as_deref()
            ),
            (None, Some("Іван"), Some("95 ОДШБр"))
        );
        assert_eq!(rec.birth_date, "1990".parse().ok());
        let w = read.warnings[0].to_string();
        assert!(
            w.starts_with("line 2, column \"прізвище\", value \"ШШШ")
                && w.contains("… (1000000 characters)\": is 1000000 characters long, over the limit of 300 for surname"),
            "{}",
            &w[..w.len().min(400)]
        );
        assert!(
            w.chars().count() < 300,
            "the report does not repeat the cell"
        );
        // Only a name part, and it is refused: no person can be read, the row is rejected.
        let alone = r.read(&row(3, &[&long, "", "1990", ""]));
        assert!(alone.record.is_none());
        assert!(
            alone.rejected[0]
                .reason
                .contains("over the limit of 300 for surname")
        );
        // Another field over its limit: refused, the person kept.
        let unit = "x".repeat(1001);
        let read = r.read(&row(4, &["Бойко", "Петро", "", &unit]));
        assert_eq!(record_of(&read).unit, None);
        assert!(
            read.warnings[0]
                .to_string()
                .starts_with("line 4, column \"частина\"")
        );
        assert!(
            read.warnings[0]
                .reason
                .contains("over the limit of 1000 for unit")
        );
        // A name part at its limit is kept whole.
        let at = "Ш".repeat(300);
        assert_eq!(
            record_of(&r.read(&row(5, &[&at, "Петро", "", ""])))
                .surname
                .as_deref(),
            Some(at.as_str())
        );
    }

    #[test]
    fn a_one_cell_name_over_the_limit_is_a_rejected_row_not_a_surname() {
        let mut r = reader(&["ПІБ", "дата народження"]);
        let read = r.read(&row(2, &[&"Ш".repeat(1_000_000), "1990"]));
        assert!(read.record.is_none());
        assert_eq!(read.rejected[0].column.as_deref(), Some("ПІБ"));
        assert!(
            read.rejected[0]
                .reason
                .contains("over the limit of 1000 for full_name")
        );
        // A cell the names crate cannot split (a word longer than any name) is a person all
        // the same, kept whole as the surname while it fits the limit.
        let odd = format!("{} Іван", "Ш".repeat(100));
        let read = r.read(&row(3, &[&odd, ""]));
        assert_eq!(record_of(&read).surname.as_deref(), Some(odd.as_str()));
        assert!(
            read.warnings[0]
                .reason
                .contains("kept whole as the surname"),
            "{:?}",
            read.warnings
        );
        let read = r.read(&row(4, &[&format!("{} Іван", "Ш".repeat(400)), ""]));
        assert!(read.record.is_none());
        assert!(
            read.rejected[0]
                .reason
                .contains("over the limit of 300 for surname"),
            "{:?}",
            read.rejected
        );
        // No letters at all: no person.
        let read = r.read(&row(5, &["12345", "1990"]));
        assert_eq!(read.rejected[0].reason, "is not a name");
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

    #[test]
    fn reading_in_batches_gives_the_same_records_and_report_as_one_by_one() {
        // Rejected rows, unreadable values, a blank line, a quoted newline, and a duplicate
        // whose first row is in an earlier batch.
        let file = "прізвище;ім'я;дата народження\n\
            Олійник;Олександр;04.03.1990\n\
            ;;1990\n\
            \n\
            Шевчук;Іван;31.02.1999\n\
            \"Бойко\nмолодший\";Петро;\n\
            Мельник;Ігор;2031\n\
            ОЛІЙНИК;Олександр;04.03.1990\n\
            Коваль;Марія;завтра\n";
        let reader_for =
            |t: &crate::Table| reader(&t.headers.iter().map(String::as_str).collect::<Vec<_>>());
        let mut whole = crate::open_bytes("list.csv", file.as_bytes().to_vec()).unwrap();
        let mut one = reader_for(&whole);
        let expected: Vec<ReadRow> = whole.by_ref().map(|r| one.read(&r.unwrap())).collect();
        assert_eq!(expected.len(), 7);
        assert_eq!(
            expected.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 3, 5, 6, 8, 9, 10]
        );
        for n in [1, 2, 3, 7, 1000] {
            let mut table = crate::open_bytes("list.csv", file.as_bytes().to_vec()).unwrap();
            let mut batched = reader_for(&table);
            let mut got = Vec::new();
            loop {
                let batch = batched.read_batch(&mut table, n).unwrap();
                assert!(batch.len() <= n);
                if batch.is_empty() {
                    break;
                }
                got.extend(batch);
            }
            assert_eq!(got, expected, "batches of {n}");
        }
        assert!(
            expected[5]
                .warnings
                .iter()
                .any(|w| w.reason.contains("line 2")),
            "the duplicate names its first row across batches: {:?}",
            expected[5].warnings
        );
    }
}
