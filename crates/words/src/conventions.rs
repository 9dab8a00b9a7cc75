//! Dates and numbers in a language's conventions, read from the language's own file
//! (`convention-*` messages), so that a new language brings its conventions with it.

use fluent_bundle::{FluentResource, FluentValue, bundle::FluentBundle};

/// How a language writes dates and whole numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conventions {
    /// Day, month, year (`dmy`) or year, month, day (`ymd`).
    pub day_first: bool,
    /// Between the parts of a date (`.` in uk/ru, `-` in ISO English).
    pub date_separator: String,
    /// Between groups of three digits (a narrow no-break space in uk/ru, `,` in en).
    pub thousands: String,
    /// Before the decimals (`,` in uk/ru, `.` in en).
    pub decimal: String,
}

impl Default for Conventions {
    fn default() -> Self {
        Conventions {
            day_first: false,
            date_separator: "-".into(),
            thousands: ",".into(),
            decimal: ".".into(),
        }
    }
}

fn message<R: std::borrow::Borrow<FluentResource>, M: fluent_bundle::memoizer::MemoizerKind>(
    bundle: &FluentBundle<R, M>,
    id: &str,
) -> Option<String> {
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    Some(
        bundle
            .format_pattern(pattern, None, &mut errors)
            .into_owned(),
    )
}

impl Conventions {
    pub(crate) fn of<
        R: std::borrow::Borrow<FluentResource>,
        M: fluent_bundle::memoizer::MemoizerKind,
    >(
        bundle: &FluentBundle<R, M>,
    ) -> Conventions {
        let fallback = Conventions::default();
        Conventions {
            day_first: message(bundle, "convention-date-order").is_some_and(|o| o.trim() == "dmy"),
            date_separator: message(bundle, "convention-date-separator")
                .unwrap_or(fallback.date_separator),
            thousands: message(bundle, "convention-thousands").unwrap_or(fallback.thousands),
            decimal: message(bundle, "convention-decimal").unwrap_or(fallback.decimal),
        }
    }

    /// A share (0 to 1) as a percentage with one decimal, rounded down so that nothing
    /// short of certain reads as 100: 99,9 or 99.9 (the sign is the language's message).
    pub fn percent_digits(&self, share: f64) -> String {
        let tenths = (share.clamp(0.0, 1.0) * 1000.0).floor() as i64;
        format!("{}{}{}", tenths / 10, self.decimal, tenths % 10)
    }

    /// A whole number grouped in thousands: 1 234 567 (narrow no-break spaces) or 1,234,567.
    pub fn number(&self, n: i64) -> String {
        group(n, &self.thousands)
    }

    /// `YYYY-MM-DD` as 02.12.2026 or 2026-12-02; `YYYY-MM` as 12.2026; a year as it is;
    /// anything else (a value kept as written) unchanged.
    pub fn date(&self, iso: &str) -> String {
        let parts: Vec<&str> = iso.split('-').collect();
        let numeric = parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !numeric || parts.len() > 3 || parts.first().is_none_or(|y| y.len() != 4) {
            return iso.to_owned();
        }
        let mut ordered = parts;
        if self.day_first {
            ordered.reverse();
        }
        ordered.join(&self.date_separator)
    }

    /// The formatter Fluent uses for numbers inside messages, grouping as [`Self::number`].
    /// Fluent takes a plain function, so one is chosen per known separator.
    pub(crate) fn number_formatter<M>(&self) -> fn(&FluentValue, &M) -> Option<String> {
        match self.thousands.as_str() {
            "\u{202F}" => |v, _| whole(v).map(|n| group(n, "\u{202F}")),
            "\u{A0}" => |v, _| whole(v).map(|n| group(n, "\u{A0}")),
            " " => |v, _| whole(v).map(|n| group(n, " ")),
            "." => |v, _| whole(v).map(|n| group(n, ".")),
            _ => |v, _| whole(v).map(|n| group(n, ",")),
        }
    }
}

fn whole(v: &FluentValue) -> Option<i64> {
    match v {
        // Counts only: the pages pass whole numbers, so the cast loses nothing.
        #[allow(clippy::cast_possible_truncation)]
        FluentValue::Number(n) if n.value.fract() == 0.0 && n.value.abs() < 9.0e15 => {
            Some(n.value as i64)
        }
        _ => None,
    }
}

fn group(n: i64, separator: &str) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 8);
    if n < 0 {
        out.push('-');
    }
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(d);
    }
    out
}
