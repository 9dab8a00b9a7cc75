//! Name handling for homeward: the same person is written in Ukrainian, Russian and Latin
//! script by different clerks, and every later stage (search, linkage, dedupe) compares
//! names through this crate.
//!
//! This crate is pure: no I/O, no clock. Names are always kept exactly as written by the
//! caller; what this crate produces are *derived* forms stored beside them.

mod cyrillic;
mod given;
mod key;
mod parse;
mod script;
mod translit;

pub use cyrillic::{CyrillicReading, to_cyrillic, to_cyrillic_in};
pub use given::{Gender, GivenNameClass, NameDictionary};
pub use key::{KEY_VERSION, MAX_TOKEN_CHARS, NotAName, key, key_into, surname_stem_key};
pub use parse::{NameKey, NamePart, Reading, name_key, parse};
pub use script::{Language, Script, guess_language, language_of, repair_token, script_of};
pub use translit::{Standard, romanise, romanise_as_written, romanise_as_written_in};

use std::borrow::Cow;
use unicode_normalization::UnicodeNormalization;

/// `text` in Unicode NFC, so that й and ё typed as a letter and a combining mark are one
/// letter; borrowed when it already is (nearly always). Every public function that takes
/// text starts here.
pub(crate) fn nfc(text: &str) -> Cow<'_, str> {
    if unicode_normalization::is_nfc_quick(text.chars()) == unicode_normalization::IsNormalized::Yes
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.nfc().collect())
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
        // Stress marks and other accents left over after composition carry no spelling.
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
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
        .map(|p| nfc(p.trim()))
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
        // A stress mark over а has no composed form: it is dropped.
        assert_eq!(fold("Іва\u{0301}н"), "іван");
    }

    #[test]
    fn full_name_skips_missing_parts() {
        assert_eq!(full_name("Коваленко", " Ігор", ""), "Коваленко Ігор");
    }
}
