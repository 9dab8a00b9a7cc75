//! Name handling for homeward: the same person is written in Ukrainian, Russian and Latin
//! script by different clerks, and every later stage (search, linkage, dedupe) compares
//! names through this crate.
//!
//! This crate is pure: no I/O, no clock. Names are always kept exactly as written by the
//! caller; what this crate produces are *derived* forms stored beside them.

use unicode_normalization::UnicodeNormalization;

/// The writing system a token is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Only Cyrillic letters.
    Cyrillic,
    /// Only Latin letters.
    Latin,
    /// Letters of both scripts inside one token: usually a typing accident
    /// (a Latin `i` inside a Cyrillic word).
    Mixed,
    /// No letters at all (digits, punctuation, empty).
    None,
}

impl Script {
    /// The lower-case name used in storage and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Cyrillic => "cyrillic",
            Script::Latin => "latin",
            Script::Mixed => "mixed",
            Script::None => "none",
        }
    }
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}')
}

/// The script of a piece of text, judged by its letters only.
pub fn script_of(text: &str) -> Script {
    let (mut cyr, mut lat) = (false, false);
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        if is_cyrillic(c) {
            cyr = true;
        } else if c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}') {
            lat = true;
        }
    }
    match (cyr, lat) {
        (true, true) => Script::Mixed,
        (true, false) => Script::Cyrillic,
        (false, true) => Script::Latin,
        (false, false) => Script::None,
    }
}

/// Characters clerks use for the Ukrainian apostrophe (and the Russian hard sign's
/// Latin stand-in); all are folded to U+0027.
const APOSTROPHES: [char; 6] = [
    '\u{2019}', '\u{02BC}', '\u{0060}', '\u{00B4}', '\u{2018}', '\u{02B9}',
];

/// The folded form of a name used for exact comparison and indexing: Unicode NFC,
/// one apostrophe, `ё` as `е`, lower case, single spaces, no leading or trailing space.
///
/// Folding never changes which letters a name has beyond those rules, so two names with
/// the same folded form are the same spelling, not merely similar ones.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.nfc().flat_map(char::to_lowercase) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        let c = if APOSTROPHES.contains(&c) { '\'' } else { c };
        out.push(if c == 'ё' { 'е' } else { c });
    }
    out
}

/// A full name as written, in `surname given patronymic` order, skipping empty parts.
pub fn full_name(surname: &str, given: &str, patronymic: &str) -> String {
    [surname, given, patronymic]
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_unifies_case_apostrophes_yo_and_spaces() {
        assert_eq!(fold("  Мар’янов   Пётр "), "мар'янов петр");
        assert_eq!(fold("МАРʼЯНОВ"), "мар'янов");
        assert_eq!(fold("OLIINYK\tOleksandr"), "oliinyk oleksandr");
    }

    #[test]
    fn folding_composes_decomposed_letters() {
        // й written as и + combining breve, as some keyboards and PDFs produce it.
        assert_eq!(fold("Андрі\u{0438}\u{0306}"), "андрій");
    }

    #[test]
    fn scripts_are_told_apart() {
        assert_eq!(script_of("Олійник"), Script::Cyrillic);
        assert_eq!(script_of("Oliinyk"), Script::Latin);
        assert_eq!(script_of("Олiйник"), Script::Mixed); // Latin i inside Cyrillic
        assert_eq!(script_of("12-3"), Script::None);
    }

    #[test]
    fn full_name_skips_missing_parts() {
        assert_eq!(full_name("Коваленко", " Ігор", ""), "Коваленко Ігор");
    }
}
