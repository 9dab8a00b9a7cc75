//! Dates as clerks write them: `DD.MM.YYYY`, `YYYY-MM-DD`, `D/M/YY`, `YYYYMMDD`, `MM.YYYY`,
//! a year alone (`1999`, `1999 р.`, `1999 г.`). Day before month, as in Ukraine and Russia.

use homeward_core::record::PartialDate;

/// Two-digit years up to this are read as 20YY, above it as 19YY. A fixed pivot rather than
/// the clock, so that the same file always reads the same.
pub const TWO_DIGIT_PIVOT: u32 = 30;

fn num(s: &str) -> Option<u32> {
    (!s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn year_of(s: &str) -> Option<i32> {
    let n = num(s)?;
    match s.len() {
        4 => Some(n as i32),
        2 => Some(if n <= TWO_DIGIT_PIVOT {
            2000 + n as i32
        } else {
            1900 + n as i32
        }),
        _ => None,
    }
}

/// Reads a date; `Ok(None)` for an empty cell, `Err` with the reason for anything else
/// that is not a date.
pub fn parse_date(text: &str) -> Result<Option<PartialDate>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let bad = |why: &str| {
        Err(format!(
            "{t:?} {why}; write DD.MM.YYYY, YYYY-MM-DD or a year"
        ))
    };
    // "1999 р.", "1999 г.", "1999г" → the year
    let stripped = t
        .trim_end_matches(['.', ' '])
        .trim_end_matches(['р', 'г', 'y'])
        .trim_end_matches([' ', '.']);
    if stripped.len() == 4 && stripped.bytes().all(|b| b.is_ascii_digit()) {
        return stripped
            .parse::<PartialDate>()
            .map(Some)
            .map_err(|e| e.to_string());
    }
    // A time part from spreadsheets ("1999-07-03 00:00:00", "1999-07-03T00:00")
    let t = t.split(['T', ' ']).next().unwrap_or(t);
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        return format!("{}-{}-{}", &t[..4], &t[4..6], &t[6..])
            .parse::<PartialDate>()
            .map(Some)
            .map_err(|e| e.to_string());
    }
    let parts: Vec<&str> = t.split(['.', '/', '-']).collect();
    let make = |y: i32, m: Option<u32>, d: Option<u32>| -> Result<Option<PartialDate>, String> {
        let text = match (m, d) {
            (Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(m), None) => format!("{y:04}-{m:02}"),
            _ => format!("{y:04}"),
        };
        text.parse::<PartialDate>().map(Some).map_err(|_| {
            format!("{t:?} has no such day or month (read day first as {text}); write DD.MM.YYYY, YYYY-MM-DD or a year")
        })
    };
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => match (year_of(y), num(m), num(d)) {
            (Some(y), Some(m), Some(d)) => make(y, Some(m), Some(d)),
            _ => bad("is not a date"),
        },
        [d, m, y] => match (num(d), num(m), year_of(y)) {
            (Some(d), Some(m), Some(y)) if d <= 31 => make(y, Some(m), Some(d)),
            _ => bad("is not a date"),
        },
        [y, m] if y.len() == 4 => match (year_of(y), num(m)) {
            (Some(y), Some(m)) => make(y, Some(m), None),
            _ => bad("is not a date"),
        },
        [m, y] if y.len() == 4 => match (num(m), year_of(y)) {
            (Some(m), Some(y)) => make(y, Some(m), None),
            _ => bad("is not a date"),
        },
        _ => bad("is not a date"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> String {
        parse_date(s)
            .unwrap()
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn the_formats_clerks_use() {
        assert_eq!(d("03.07.1999"), "1999-07-03");
        assert_eq!(d("3.7.1999"), "1999-07-03");
        assert_eq!(d("1999-07-03"), "1999-07-03");
        assert_eq!(d("3/7/99"), "1999-07-03");
        assert_eq!(d("3/7/05"), "2005-07-03");
        assert_eq!(d("19990703"), "1999-07-03");
        assert_eq!(d("07.1999"), "1999-07");
        assert_eq!(d("1999"), "1999");
        assert_eq!(d("1999 р."), "1999");
        assert_eq!(d("1999 г."), "1999");
        assert_eq!(d("1999-07-03 00:00:00"), "1999-07-03");
        assert_eq!(d("  "), "");
    }

    #[test]
    fn impossible_dates_say_why() {
        for s in ["31.02.1999", "99.99.9999", "yesterday", "1.2.3.4", "12345"] {
            assert!(parse_date(s).is_err(), "{s}");
        }
    }
}
