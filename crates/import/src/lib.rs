//! Reading the lists clerks make. A list arrives as CSV (any common delimiter, UTF-8,
//! UTF-16 or a legacy Cyrillic encoding) or as a workbook; its headers are in English,
//! Ukrainian or Russian; its dates in half a dozen formats. This crate turns such a file
//! into a header and located rows, recognises what each column holds, and reads dates,
//! saying exactly where and why when something cannot be read.

mod columns;
mod dates;
mod records;
mod table;

pub use columns::{ColumnMap, MissingColumn, Role, fold_header, parse_mapping, recognise};
pub use dates::{TWO_DIGIT_PIVOT, parse_date};
pub use records::{Problem, ReadRow, RecordReader, RowContext};
pub use table::{ImportError, SourceFormat, SourceRow, Table, open, open_bytes};
