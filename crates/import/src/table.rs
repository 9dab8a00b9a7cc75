//! Opening a list file as a header and a stream of rows, whatever its format: CSV with
//! comma, semicolon, tab or bar delimiters in UTF-8 (with or without BOM), UTF-16 or a
//! legacy Cyrillic encoding (Windows-1251, KOI8, CP866, detected per cell so that a file
//! pasted together from two sources still reads), or an XLSX/XLS/ODS workbook.
//!
//! CSV is streamed record by record: a 2 GB file is never held in memory.

use calamine::{Data, Reader};
use encoding_rs::Encoding;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

/// Something wrong with a file, located as precisely as possible.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}{}: {message}", .line.map(|l| format!(", line {l}")).unwrap_or_default(), .column.as_ref().map(|c| format!(", column {c:?}")).unwrap_or_default())]
pub struct ImportError {
    /// The file.
    pub file: String,
    /// The line (CSV) or row (spreadsheet), 1-based.
    pub line: Option<u64>,
    /// The column, by header.
    pub column: Option<String>,
    /// What is wrong, and what to do.
    pub message: String,
}

/// One row as read, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRow {
    /// Line (CSV) or row (spreadsheet) number, 1-based.
    pub line: u64,
    /// Cells, as text.
    pub cells: Vec<String>,
    /// What looked odd in this row (a cell not in the file's encoding, a formula).
    pub warnings: Vec<String>,
}

/// How a list file was read: what a report says, in words a face chooses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceFormat {
    /// Delimited text in an encoding.
    Csv {
        /// The encoding's name (UTF-8, windows-1251 …).
        encoding: String,
        /// The cell delimiter.
        delimiter: char,
    },
    /// A spreadsheet's sheet.
    Spreadsheet {
        /// The sheet's name.
        sheet: String,
    },
}

impl std::fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SourceFormat::Csv {
                encoding,
                delimiter: '\t',
            } => write!(f, "csv, {encoding}, delimiter tab"),
            SourceFormat::Csv {
                encoding,
                delimiter,
            } => write!(f, "csv, {encoding}, delimiter '{delimiter}'"),
            SourceFormat::Spreadsheet { sheet } => write!(f, "spreadsheet, sheet {sheet:?}"),
        }
    }
}

/// A list file opened for reading.
pub struct Table {
    /// Where it was read from.
    pub file: String,
    /// The header row.
    pub headers: Vec<String>,
    /// The line of the header row.
    pub header_line: u64,
    /// How the file was read, for the report (e.g. `csv, windows-1251, delimiter ';'`).
    pub format: String,
    /// The same, for a face to put in its own words.
    pub source: SourceFormat,
    /// What was read but is not data (title rows above the header), for the report.
    pub notes: Vec<String>,
    rows: Box<dyn Iterator<Item = Result<SourceRow, ImportError>> + Send>,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Table")
            .field("file", &self.file)
            .field("headers", &self.headers)
            .field("format", &self.format)
            .finish()
    }
}

impl Iterator for Table {
    type Item = Result<SourceRow, ImportError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

fn err(file: &str, line: Option<u64>, message: impl Into<String>) -> ImportError {
    ImportError {
        file: file.to_owned(),
        line,
        column: None,
        message: message.into(),
    }
}

/// Line numbers from byte offsets. The CSV reader's own line count drifts on CRLF files and
/// blank lines, so the bytes it reads are watched instead: each chunk remembers where its
/// newlines are, and chunks behind the records already returned are forgotten.
#[derive(Default)]
struct LineIndex {
    /// (offset of the chunk, newlines before it, offsets of its newlines)
    chunks: std::collections::VecDeque<(u64, u64, Vec<u64>)>,
    read: u64,
    newlines: u64,
}

impl LineIndex {
    fn record(&mut self, bytes: &[u8]) {
        let positions: Vec<u64> = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| self.read + i as u64)
            .collect();
        let count = positions.len() as u64;
        self.chunks.push_back((self.read, self.newlines, positions));
        self.read += bytes.len() as u64;
        self.newlines += count;
    }

    /// The 1-based line of the byte at `offset`.
    fn line_of(&mut self, offset: u64) -> u64 {
        while self.chunks.len() > 1 && self.chunks.get(1).is_some_and(|c| c.0 <= offset) {
            self.chunks.pop_front();
        }
        match self.chunks.front() {
            Some((_, before, positions)) => {
                before + positions.iter().take_while(|&&p| p < offset).count() as u64 + 1
            }
            None => self.newlines + 1,
        }
    }
}

struct Counting<R> {
    inner: R,
    index: std::sync::Arc<std::sync::Mutex<LineIndex>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut index) = self.index.lock() {
            index.record(&buf[..n]);
        }
        Ok(n)
    }
}

/// Opens `path` as a table: workbooks by their content, everything else as CSV (streamed).
pub fn open(path: &Path) -> Result<Table, ImportError> {
    let file_name = path.display().to_string();
    let file = std::fs::File::open(path)
        .map_err(|e| err(&file_name, None, format!("cannot open the file: {e}")))?;
    open_source(&file_name, file)
}

/// Opens an uploaded file held in memory. The bytes are read where they are, so a caller
/// that shares them (an `Arc`, a `Bytes`) keeps them once.
pub fn open_bytes(
    file_name: &str,
    bytes: impl AsRef<[u8]> + Send + 'static,
) -> Result<Table, ImportError> {
    open_source(file_name, std::io::Cursor::new(bytes))
}

fn open_source<R: Read + Seek + Send + 'static>(
    file_name: &str,
    mut source: R,
) -> Result<Table, ImportError> {
    let mut sample = vec![0_u8; 64 * 1024];
    let n = read_up_to(&mut source, &mut sample)
        .map_err(|e| err(file_name, None, format!("cannot read the file: {e}")))?;
    sample.truncate(n);
    if n == 0 {
        return Err(err(file_name, None, "the file is empty"));
    }
    source
        .rewind()
        .map_err(|e| err(file_name, None, format!("cannot read the file: {e}")))?;
    let zip = sample.starts_with(b"PK\x03\x04");
    let ole = sample.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let table = if zip || ole {
        // Workbooks are compressed and read whole by calamine anyway.
        let mut bytes = Vec::new();
        source
            .read_to_end(&mut bytes)
            .map_err(|e| err(file_name, None, format!("cannot read the file: {e}")))?;
        open_workbook(std::io::Cursor::new(bytes), file_name)?
    } else {
        let utf16 = sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]);
        if !utf16 && sample.contains(&0) {
            return Err(err(
                file_name,
                None,
                "this is a binary file, not a list: save it as CSV or XLSX and import that",
            ));
        }
        open_csv(source, &sample, file_name)?
    };
    Ok(with_best_header(table))
}

/// Rows looked at for the header: titles, dates and signatures often stand above it.
const HEADER_SEARCH_ROWS: usize = 8;

/// Takes as header the row, among the first few, in which most columns are recognised;
/// the rows above it are noted as titles, not dropped silently.
fn with_best_header(mut table: Table) -> Table {
    let score = |cells: &[String]| {
        cells
            .iter()
            .filter(|c| crate::columns::recognise(c).is_some())
            .count()
    };
    let mut buffered: Vec<Result<SourceRow, ImportError>> = Vec::new();
    for _ in 0..HEADER_SEARCH_ROWS {
        match table.rows.next() {
            Some(r) => buffered.push(r),
            None => break,
        }
    }
    let current = score(&table.headers);
    let best = buffered
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.as_ref().ok().map(|row| (i, score(&row.cells))))
        .filter(|(_, s)| *s > current)
        .max_by_key(|(i, s)| (*s, std::cmp::Reverse(*i)));
    if let Some((i, _)) = best {
        let title =
            |line: u64| format!("line {line}: read as a title above the header, not as data");
        let mut notes = vec![title(table.header_line)];
        let mut rest = buffered.split_off(i);
        notes.extend(buffered.iter().flatten().map(|r| title(r.line)));
        if let Some(Ok(header)) = rest.first() {
            table.headers = header.cells.iter().map(|h| h.trim().to_owned()).collect();
            table.header_line = header.line;
        }
        // The header row itself is not data.
        let _header = rest.remove(0);
        table.notes.extend(notes);
        buffered = rest;
    }
    let remaining = std::mem::replace(&mut table.rows, Box::new(std::iter::empty()));
    table.rows = Box::new(buffered.into_iter().chain(remaining));
    table
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// The legacy encoding a sample is in, judged only from its non-UTF-8 parts.
fn legacy_encoding(sample: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, true);
    let guess = detector.guess(None, chardetng::Utf8Detection::Deny);
    // Latin-script Western guesses for Cyrillic-heavy bytes are wrong far more often than
    // Windows-1251 is; the Cyrillic candidates chardetng knows are kept.
    let cyrillic = [
        "windows-1251",
        "KOI8-R",
        "KOI8-U",
        "IBM866",
        "ISO-8859-5",
        "x-mac-cyrillic",
    ];
    if cyrillic.contains(&guess.name()) {
        guess
    } else {
        encoding_rs::WINDOWS_1251
    }
}

fn sniff_delimiter(first_line: &[u8]) -> u8 {
    let mut counts = [0usize; 4];
    let candidates = [b',', b';', b'\t', b'|'];
    let mut quoted = false;
    for &b in first_line {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], 4 - i)).unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        candidates[best]
    }
}

fn open_csv<R: Read + Send + 'static>(
    file: R,
    sample: &[u8],
    file_name: &str,
) -> Result<Table, ImportError> {
    let utf16 = sample.starts_with(&[0xFF, 0xFE]) || sample.starts_with(&[0xFE, 0xFF]);
    // UTF-16 (Excel's "Unicode text") is decoded as a stream; everything else is read as
    // bytes and decoded cell by cell.
    let (reader, sample_text, encoding_name): (Box<dyn Read + Send>, Vec<u8>, String) = if utf16 {
        let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .bom_override(true)
            .build(file);
        let (cow, enc, _) = if sample.starts_with(&[0xFF, 0xFE]) {
            encoding_rs::UTF_16LE.decode(sample)
        } else {
            encoding_rs::UTF_16BE.decode(sample)
        };
        (
            Box::new(BufReader::new(decoded)),
            cow.as_bytes().to_vec(),
            enc.name().to_owned(),
        )
    } else {
        let body = sample.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(sample);
        let name = if std::str::from_utf8(body).is_ok() || utf8_but_cut(body) {
            "UTF-8".to_owned()
        } else {
            format!("UTF-8 where valid, else {}", legacy_encoding(body).name())
        };
        (
            Box::new(BufReader::with_capacity(1 << 16, file)),
            body.to_vec(),
            name,
        )
    };
    let legacy = legacy_encoding(&sample_text);
    let first_line = sample_text
        .split(|&b| b == b'\n')
        .find(|l| l.iter().any(|b| !b.is_ascii_whitespace()))
        .unwrap_or(&[]);
    let delimiter = sniff_delimiter(first_line);
    let index = std::sync::Arc::new(std::sync::Mutex::new(LineIndex::default()));
    let lines = index.clone();
    let line_of = move |offset: u64| lines.lock().map(|mut l| l.line_of(offset)).unwrap_or(0);
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(Counting {
            inner: reader,
            index,
        });
    let decode = move |bytes: &[u8], warnings: &mut Vec<String>, column: usize| -> String {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                warnings.push(format!(
                    "column {} is not UTF-8; read as {}",
                    column + 1,
                    legacy.name()
                ));
                legacy.decode_without_bom_handling(bytes).0.into_owned()
            }
        }
    };
    // The header: the first record with any content.
    let mut record = csv::ByteRecord::new();
    let (headers, header_line) = loop {
        match csv.read_byte_record(&mut record) {
            Ok(true) => {
                if record
                    .iter()
                    .any(|f| f.iter().any(|b| !b.is_ascii_whitespace()))
                {
                    let mut w = Vec::new();
                    let h: Vec<String> = record
                        .iter()
                        .enumerate()
                        .map(|(i, f)| decode(f, &mut w, i).trim().to_owned())
                        .collect();
                    break (h, record_line(&line_of, csv.position().byte(), &record));
                }
            }
            Ok(false) => {
                return Err(err(
                    file_name,
                    None,
                    "the file has no rows, not even a header",
                ));
            }
            Err(e) => {
                return Err(err(
                    file_name,
                    e.position().map(|p| p.line()),
                    format!("not readable as CSV: {e}"),
                ));
            }
        }
    };
    let file_owned = file_name.to_owned();
    let rows = std::iter::from_fn(move || {
        let mut record = csv::ByteRecord::new();
        loop {
            match csv.read_byte_record(&mut record) {
                Ok(false) => return None,
                Ok(true) => {
                    let line = record_line(&line_of, csv.position().byte(), &record);
                    if !record
                        .iter()
                        .any(|f| f.iter().any(|b| !b.is_ascii_whitespace()))
                    {
                        continue; // a blank line is not a row
                    }
                    let mut warnings = Vec::new();
                    let cells = record
                        .iter()
                        .enumerate()
                        .map(|(i, f)| decode(f, &mut warnings, i))
                        .collect();
                    return Some(Ok(SourceRow {
                        line,
                        cells,
                        warnings,
                    }));
                }
                Err(e) => {
                    let line = e.position().map(|p| line_of(p.byte()));
                    return Some(Err(err(
                        &file_owned,
                        line,
                        format!("not readable as CSV: {e}"),
                    )));
                }
            }
        }
    });
    let source = SourceFormat::Csv {
        encoding: encoding_name,
        delimiter: char::from(delimiter),
    };
    Ok(Table {
        file: file_name.to_owned(),
        headers,
        header_line,
        format: source.to_string(),
        source,
        notes: Vec::new(),
        rows: Box::new(rows),
    })
}

/// The first line of a record that ends just before `end`: the CSV reader's start
/// positions point at the previous terminator and skip blank lines silently, so the line
/// is counted back from the record's end, less the newlines inside quoted cells.
fn record_line(line_of: &impl Fn(u64) -> u64, end: u64, record: &csv::ByteRecord) -> u64 {
    let inside = record
        .iter()
        .map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64)
        .sum::<u64>();
    line_of(end.saturating_sub(1)).saturating_sub(inside)
}

/// Valid UTF-8 except for a character cut at the end of the sample.
fn utf8_but_cut(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4,
    }
}

/// An Excel serial day number as `YYYY-MM-DD` (days since 1899-12-30, the epoch every
/// spreadsheet uses after Lotus's leap-year slip).
fn excel_date(serial: f64) -> String {
    let days = serial.floor() as i64 - 25_569; // to days since 1970-01-01
    // Civil-from-days (proleptic Gregorian).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn cell_text(c: &Data, warnings: &mut Vec<String>, column: usize) -> String {
    match c {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => excel_date(d.as_f64()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => {
            warnings.push(format!(
                "column {} holds a spreadsheet error ({e:?})",
                column + 1
            ));
            String::new()
        }
    }
}

fn open_workbook(data: std::io::Cursor<Vec<u8>>, file_name: &str) -> Result<Table, ImportError> {
    let mut book = calamine::open_workbook_auto_from_rs(data).map_err(|e| {
        err(
            file_name,
            None,
            format!("not readable as a spreadsheet: {e}"),
        )
    })?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| err(file_name, None, "the workbook has no sheets"))?;
    let range = book
        .worksheet_range(&sheet)
        .map_err(|e| err(file_name, None, format!("cannot read sheet {sheet:?}: {e}")))?;
    let start_row = u64::from(range.start().map_or(0, |(r, _)| r));
    let mut rows: Vec<SourceRow> = Vec::new();
    for (i, row) in range.rows().enumerate() {
        let mut warnings = Vec::new();
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, d)| cell_text(d, &mut warnings, c))
            .collect();
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(SourceRow {
            line: start_row + i as u64 + 1,
            cells,
            warnings,
        });
    }
    let mut rows = rows.into_iter();
    let header = rows
        .next()
        .ok_or_else(|| err(file_name, None, "the sheet is empty"))?;
    let source = SourceFormat::Spreadsheet {
        sheet: sheet.to_string(),
    };
    Ok(Table {
        file: file_name.to_owned(),
        headers: header.cells.iter().map(|h| h.trim().to_owned()).collect(),
        header_line: header.line,
        format: source.to_string(),
        source,
        notes: Vec::new(),
        rows: Box::new(rows.map(Ok)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(bytes: &[u8]) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        f
    }

    #[test]
    fn semicolons_bom_and_crlf_are_read() {
        let f =
            write("\u{FEFF}Прізвище;Ім'я\r\nОлійник;Олександр\r\n\r\nШевчук;Іван\r\n".as_bytes());
        let t = open(f.path()).unwrap();
        assert_eq!(t.headers, ["Прізвище", "Ім'я"]);
        assert!(
            t.format.contains("UTF-8") && t.format.contains("';'"),
            "{}",
            t.format
        );
        let rows: Vec<SourceRow> = t.map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].cells, ["Шевчук", "Іван"]);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[0].line, 2);
    }

    #[test]
    fn windows_1251_is_detected_and_mixed_files_still_read() {
        let (legacy, _, _) =
            encoding_rs::WINDOWS_1251.encode("фамилия,имя\nИванов,Иван\nПетров,Пётр\n");
        let mut bytes = legacy.into_owned();
        bytes.extend_from_slice("Олійник,Олександр\n".as_bytes());
        let f = write(&bytes);
        let t = open(f.path()).unwrap();
        assert_eq!(t.headers, ["фамилия", "имя"]);
        let rows: Vec<SourceRow> = t.map(|r| r.unwrap()).collect();
        assert_eq!(rows[0].cells, ["Иванов", "Иван"]);
        assert_eq!(rows[1].cells[1], "Пётр");
        assert_eq!(rows[2].cells, ["Олійник", "Олександр"]);
        assert!(!rows[0].warnings.is_empty() && rows[2].warnings.is_empty());
    }

    #[test]
    fn utf16_with_tabs_is_read() {
        let text = "surname\tgiven_name\nKovalenko\tIhor\n";
        let mut bytes = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        let f = write(&bytes);
        let t = open(f.path()).unwrap();
        assert_eq!(t.headers, ["surname", "given_name"]);
        assert_eq!(
            t.map(|r| r.unwrap().cells).collect::<Vec<_>>(),
            [["Kovalenko", "Ihor"]]
        );
    }

    #[test]
    fn line_numbers_hold_with_quoted_newlines_and_blank_lines() {
        let f = write(b"a,b\n\n\"x\ny\",1\n   \nlast,2");
        let rows: Vec<SourceRow> = open(f.path()).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 6]);
        assert_eq!(rows[0].cells[0], "x\ny");
    }

    #[test]
    fn a_fifty_megabyte_list_is_streamed_row_by_row() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let mut w = std::io::BufWriter::new(f.as_file_mut());
        std::io::Write::write_all(&mut w, "id;прізвище;ім'я;дата народження\n".as_bytes()).unwrap();
        let mut written = 0_usize;
        let mut n = 0_u64;
        while written < 50 * 1024 * 1024 {
            n += 1;
            let line = format!("{n};Коваленко-{n};Олександр;04.03.1990\n");
            written += line.len();
            std::io::Write::write_all(&mut w, line.as_bytes()).unwrap();
        }
        drop(w);
        let t = open(f.path()).unwrap();
        let mut count = 0_u64;
        let mut last = 0;
        for row in t {
            let row = row.unwrap();
            count += 1;
            last = row.line;
        }
        assert_eq!((count, last), (n, n + 1));
    }

    #[test]
    fn empty_files_say_so() {
        let f = write(b"");
        assert!(open(f.path()).unwrap_err().to_string().contains("empty"));
        let f = write(b"\n\n  \n");
        assert!(open(f.path()).unwrap_err().to_string().contains("no rows"));
    }

    #[test]
    fn excel_serial_days_become_dates() {
        assert_eq!(excel_date(36_344.0), "1999-07-03");
        assert_eq!(excel_date(45_810.0), "2025-06-02");
    }
}
