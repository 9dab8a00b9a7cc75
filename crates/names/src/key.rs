//! The canonical phonetic key of a name token.
//!
//! Every token, Cyrillic or Latin, in any romanisation standard, goes to the same small
//! alphabet in which the regular Ukrainian/Russian/Latin correspondences collapse:
//!
//! | key | from |
//! |---|---|
//! | `i` | і и ы ї й е є э ё; i y j e (and the glide of я ю є ї: ya/ia/ja → `ia`) |
//! | `g` | г ґ х кс; g h kh x ks |
//! | `S` | ж ш щ; zh sh shch sch shh szcz sz schtsch ž š (French: ch chtch) |
//! | `C` | ч; ch tch tsch č (Polish: cz) |
//! | `c` | ц; ts tz, c before e i y j, cz outside Polish spelling |
//! | `k` | к; k q, c elsewhere (Victor) |
//! | `v` | в; v w |
//!
//! Soft sign, hard sign and apostrophes vanish; a glide before `o` merges into `i`
//! (so ё/yo/e agree); `ou` is read `u`, and `u` after a `g` before a front vowel is
//! silent (French Sergueï); doubled letters collapse. Latin `x` is кс in Maxim and х in
//! GOST B, so кс shares х's symbol. A token with `tch` is in French spelling (`ch` is
//! ш); one with `w` or a Polish letter in Polish (`cz` is ч). Cyrillic is first
//! written with a fixed pivot table, then Latin and pivot text go through the *same*
//! reader, which is what makes a name and each of its romanisations share a key.
//!
//! The key is for finding candidates, not for deciding identity: Олександр and Александр
//! keep different keys (their equivalence lives in the given-name classes).

use crate::script::{Script, repair_token, script_of};
use unicode_normalization::UnicodeNormalization;

/// Changes whenever a token's key may change; keys stored beside names must be computed
/// again when it does. 2: кс, x and х share a symbol; French, German and Polish digraphs;
/// c before a back vowel or a consonant is k.
pub const KEY_VERSION: u32 = 2;

/// Longest token accepted as a name; longer ones are "not a name".
pub const MAX_TOKEN_CHARS: usize = 64;

/// Why a token has no key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAName {
    /// Empty, or only punctuation, digits or symbols.
    #[error("{0:?} has no letters")]
    NoLetters(String),
    /// Letters of a script other than Cyrillic and Latin.
    #[error("{0:?} is not written in Cyrillic or Latin letters")]
    OtherScript(String),
    /// Cyrillic and Latin letters that no homoglyph repair reconciles.
    #[error("{0:?} mixes Cyrillic and Latin letters beyond repair")]
    MixedScript(String),
    /// Digits inside a word.
    #[error("{0:?} contains digits")]
    Digits(String),
    /// Longer than any name.
    #[error("a token of {0} characters is longer than any name")]
    TooLong(usize),
}

/// The pivot romanisation of one lower-case Cyrillic letter.
fn pivot(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' | 'ы' => "y",
        'і' | 'й' => "i",
        'ї' => "ii",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ю' => "iu",
        'я' => "ia",
        // ъ stands only before е ё ю я, whose glide already gives the key its i.
        _ => "",
    }
}

/// Latin letters with marks that carry a sound of their own; other marks are dropped.
fn latin_special(c: char) -> Option<&'static str> {
    Some(match c {
        'ž' | 'ż' => "zh",
        'š' => "sh",
        // tsch reads ч in every spelling habit (a bare ch is ш in French spelling).
        'č' | 'ĉ' => "tsch",
        'ł' => "l",
        'ŝ' => "shch",
        'ć' => "ts",
        'ß' => "ss",
        'æ' => "ae",
        'ø' => "o",
        _ => return None,
    })
}

/// Spelling habits of a whole token that change how some digraphs are read.
#[derive(Clone, Copy, Default)]
struct Habits {
    /// French transcription (`Chevtchenko`, `Sergueï`): `tch` is ч, so `ch` is ш.
    french: bool,
    /// Polish spelling (a `w` or a Polish letter): `cz` is ч wherever it stands.
    polish: bool,
}

impl Habits {
    fn of(latin: &[u8], polish_letter: bool) -> Habits {
        Habits {
            // No standard writes `tch` for anything but т+ч, and every one writes т+ч so,
            // which keeps a token and each of its romanisations in the same habit.
            french: latin.windows(3).any(|w| w == b"tch"),
            // No standard writes `w`.
            polish: polish_letter || latin.contains(&b'w'),
        }
    }
}

/// Reads Latin text (lower case, ASCII letters) into key symbols, longest match first.
fn read_latin(s: &[u8], habits: Habits, out: &mut Vec<u8>) {
    let at = |i: usize, pat: &[u8]| s.get(i..i + pat.len()) == Some(pat);
    let front = |i: usize| matches!(s.get(i), Some(b'e' | b'i' | b'y' | b'j'));
    let mut i = 0;
    while i < s.len() {
        // (symbol, bytes read) of the longest digraph starting here, dispatched on the
        // first letter so that most letters cost one comparison.
        let (sym, len) = match s[i] {
            // German transcription writes щ as schtsch (Duden; German Wikipedia).
            b's' if at(i, b"schtsch") => (b'S', 7),
            b's' if at(i, b"shch") => (b'S', 4),
            b's' if at(i, b"szcz") => (b'S', 4),
            b's' if at(i, b"sch") || at(i, b"shh") => (b'S', 3),
            b's' if at(i, b"sh") || at(i, b"sz") => (b'S', 2),
            b't' if at(i, b"tsch") => (b'C', 4),
            b't' if at(i, b"tch") => (b'C', 3),
            // t+sh… (т+ш, т+щ) is not ts+h…
            b't' if at(i, b"ts") && s.get(i + 2) != Some(&b'h') => (b'c', 2),
            b't' if at(i, b"tz") => (b'c', 2),
            b'z' if at(i, b"zh") => (b'S', 2),
            // French writes щ as chtch and ш as ch.
            b'c' if habits.french && at(i, b"chtch") => (b'S', 5),
            b'c' if at(i, b"ch") => (if habits.french { b'S' } else { b'C' }, 2),
            // Polish cz is ч; GOST B writes ц as cz, but never before e, i, y or j.
            b'c' if at(i, b"cz") => (
                if habits.polish || front(i + 2) {
                    b'C'
                } else {
                    b'c'
                },
                2,
            ),
            // A bare c is ц only before a front vowel (GOST B, Polish); elsewhere it is the
            // k of English, French and German spellings (Victor, Nicolas).
            b'c' if !front(i + 1) => (b'k', 1),
            b'k' if at(i, b"kh") => (b'g', 2),
            // x is кс in Maxim, Oxana, Alexander and х in GOST B: кс joins х and г.
            b'k' if at(i, b"ks")
                && !at(i + 1, b"sh")
                && !at(i + 1, b"sz")
                && !at(i + 1, b"sch") =>
            {
                (b'g', 2)
            }
            b'o' if at(i, b"ou") => (b'u', 2),
            // French gu before a front vowel is a plain г (Sergueï, Evgueni, Guennadi).
            b'u' if out.last() == Some(&b'g') && front(i + 1) => {
                i += 1;
                continue;
            }
            b'e' | b'y' | b'j' | b'i' => (b'i', 1),
            b'h' | b'x' => (b'g', 1),
            b'w' => (b'v', 1),
            b'q' => (b'k', 1),
            b'/' => {
                i += 1;
                continue;
            }
            c => (c, 1),
        };
        out.push(sym);
        i += len;
    }
}

/// The canonical phonetic key of one token, or why it is not a name.
pub fn key(token: &str) -> Result<String, NotAName> {
    let mut buf = String::with_capacity(token.len() * 2);
    key_into(token, &mut buf)?;
    Ok(buf)
}

/// [`key`] writing into a caller's buffer, for loops over millions of names.
pub fn key_into(token: &str, out: &mut String) -> Result<(), NotAName> {
    out.clear();
    // One pass for length, letters, digits and scripts; ASCII and basic Cyrillic (nearly
    // every name) avoid the Unicode tables.
    let (mut chars, mut letters, mut digits) = (0usize, 0usize, false);
    let (mut cyr, mut lat, mut other, mut plain) = (false, false, false, true);
    for c in token.chars() {
        chars += 1;
        match c {
            'a'..='z' | 'A'..='Z' => {
                letters += 1;
                lat = true;
            }
            '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}' => {
                letters += 1;
                cyr = true;
            }
            '0'..='9' => digits = true,
            c if c.is_ascii() => {}
            c => {
                plain = false;
                if crate::script::is_name_letter(c) {
                    letters += 1;
                    if crate::script::is_cyrillic(c) {
                        cyr = true;
                    } else if crate::script::is_latin(c) {
                        lat = true;
                    } else {
                        other = true;
                    }
                } else if c.is_numeric() {
                    digits = true;
                }
            }
        }
    }
    if chars > MAX_TOKEN_CHARS {
        return Err(NotAName::TooLong(chars));
    }
    if letters == 0 {
        return Err(NotAName::NoLetters(token.to_owned()));
    }
    if digits {
        return Err(NotAName::Digits(token.to_owned()));
    }
    if other {
        return Err(NotAName::OtherScript(token.to_owned()));
    }
    let repaired;
    let token = if cyr && lat {
        repaired = repair_token(token, Script::None);
        if script_of(&repaired) == Script::Mixed {
            return Err(NotAName::MixedScript(token.to_owned()));
        }
        repaired.as_str()
    } else {
        token
    };
    let composed;
    let token = if plain
        || unicode_normalization::is_nfc_quick(token.chars())
            == unicode_normalization::IsNormalized::Yes
    {
        token
    } else {
        composed = token.nfc().collect::<String>();
        composed.as_str()
    };
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let (latin, symbols) = &mut *scratch;
        latin.clear();
        symbols.clear();
        symbols_of(token, latin, symbols);
        if symbols.is_empty() {
            return Err(NotAName::NoLetters(token.to_owned()));
        }
        out.extend(symbols.iter().map(|&b| char::from(b)));
        Ok(())
    })
}

/// Lower case without the Unicode tables for ASCII and basic Cyrillic.
fn lower(c: char) -> char {
    match c {
        'A'..='Z' => c.to_ascii_lowercase(),
        '\u{0410}'..='\u{042F}' => char::from_u32(c as u32 + 0x20).unwrap_or(c),
        '\u{0400}'..='\u{040F}' => char::from_u32(c as u32 + 0x50).unwrap_or(c),
        c if c.is_ascii() || ('\u{0430}'..='\u{045F}').contains(&c) => c,
        c => c.to_lowercase().next().unwrap_or(c),
    }
}

thread_local! {
    /// Buffers reused across calls: keys are computed millions of times in a row.
    static SCRATCH: std::cell::RefCell<(Vec<u8>, Vec<u8>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// The key symbols of a script-clean, NFC token.
fn symbols_of(token: &str, latin: &mut Vec<u8>, symbols: &mut Vec<u8>) {
    // Latin bytes of the token, after pivoting Cyrillic and dropping marks.
    let mut polish_letter = false;
    for c in token.chars().map(lower) {
        if c.is_ascii_lowercase() {
            latin.push(c as u8);
        } else if crate::script::is_cyrillic(c) {
            latin.extend_from_slice(pivot(c).as_bytes());
        } else if let Some(s) = latin_special(c) {
            polish_letter |= matches!(c, 'ł' | 'ż' | 'ć');
            latin.extend_from_slice(s.as_bytes());
        } else if crate::script::is_name_letter(c) {
            // A letter with marks: keep its base letter (ë → e, ó → o, ü → u).
            latin.extend(c.nfd().filter(char::is_ascii_lowercase).map(|b| b as u8));
        } else if latin.ends_with(b"cz") {
            // GOST B's sign after cz (ць+я → cz`ya) stops Polish czy from being read.
            latin.push(b'/');
        }
        // Apostrophes, hyphens, soft and hard signs, GOST's grave accents: nothing.
    }
    read_latin(latin, Habits::of(latin, polish_letter), symbols);
    // Runs first, so that a doubled vowel after a glide (ёо → yoo) merges like a single one.
    symbols.dedup();
    // A glide before o merges into i (ё, yo, ьо, йо all agree with e), in place.
    let mut w = 0;
    let mut r = 0;
    while r < symbols.len() {
        let merge = symbols[r] == b'i' && symbols.get(r + 1) == Some(&b'o');
        symbols[w] = symbols[r];
        w += 1;
        r += if merge { 2 } else { 1 };
    }
    symbols.truncate(w);
    symbols.dedup();
}

/// The key of a surname with the feminine ending of adjectival and possessive surnames
/// turned masculine (-ська/-ская → -ський/-ский, -ова → -ов, -іна/-ина → -ін/-ин), so that
/// husband and wife, brother and sister share it.
pub fn surname_stem_key(token: &str) -> Result<String, NotAName> {
    let mut k = key(token)?;
    for (feminine, masculine) in [
        ("skaia", "ski"),
        ("ska", "ski"),
        ("ckaia", "cki"),
        ("cka", "cki"),
        ("aia", "i"),
    ] {
        if k.len() > feminine.len() + 2 && k.ends_with(feminine) {
            k.truncate(k.len() - feminine.len());
            k.push_str(masculine);
            return Ok(k);
        }
    }
    for feminine in ["ova", "iva", "ina"] {
        if k.len() > feminine.len() + 1 && k.ends_with(feminine) {
            k.pop();
            return Ok(k);
        }
    }
    Ok(k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(s: &str) -> String {
        key(s).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn the_spellings_of_one_surname_share_a_key() {
        let expected = k("Олійник");
        for s in [
            "Олейник",
            "Oliinyk",
            "OLEINIK",
            "Oleynik",
            "Олiйник",
            "олійник",
            "OLIINYK",
        ] {
            assert_eq!(k(s), expected, "{s}");
        }
    }

    #[test]
    fn distinct_names_keep_distinct_keys() {
        assert_ne!(k("Гаврилюк"), k("Гаврилко"));
        assert_ne!(k("Шевченко"), k("Шевчук"));
        assert_ne!(k("Коваль"), k("Ковальчук"));
    }

    #[test]
    fn the_listed_correspondences_collapse() {
        for group in [
            &["Щербак", "Shcherbak", "Shherbak", "Szczerbak", "Scherbak"][..],
            &["Жук", "Zhuk", "Žuk"],
            &["Цибуля", "Tsybulia", "Cybulya", "Tzibulia"],
            &["Хома", "Khoma", "Homa"],
            &["Гнатюк", "Hnatiuk", "Gnatyuk", "Hnatjuk"],
            &["Ковальов", "Kovalov"],
            &[
                "Соловйов",
                "Соловьёв",
                "Соловьев",
                "Solovyov",
                "SOLOVEV",
                "Solov’yëv",
                "Solov`yov",
            ],
            &["Коваленко", "Kowalenko"],
        ] {
            let first = k(group[0]);
            for s in &group[1..] {
                assert_eq!(k(s), first, "{s} vs {}", group[0]);
            }
        }
    }

    #[test]
    fn the_readings_of_x_c_cz_and_french_ch_agree_with_the_standards() {
        for group in [
            &["Максим", "Maxim", "Maksym", "Maksim"][..],
            &["Олександр", "Olexandr", "Oleksandr"],
            &["Харків", "Kharkiv", "Xarkiv"],
            &["Віктор", "Victor", "Viktor", "Wiktor"],
            &["Цибуля", "Cybulia", "Cybulya"],
            &[
                "Шевченко",
                "Chevtchenko",
                "Szewczenko",
                "Schewtschenko",
                "Ševčenko",
            ],
            &["Щукін", "Chtchoukin", "Schtschukin", "Szczukin"],
            &["Ковальчук", "Kowalczuk", "Kovaltchouk", "Kowaltschuk"],
            &["Сергей", "Serguei", "Sergueï", "Sergey"],
            &["Ціпко", "Cipko"],
        ] {
            let first = k(group[0]);
            for s in &group[1..] {
                assert_eq!(k(s), first, "{s} vs {}", group[0]);
            }
        }
        // GOST B's ц is cz before a back vowel (Цап → Czap) and c before a front one.
        assert_eq!(k("Czap"), k("Цап"));
        assert_eq!(k("Cilyk"), k("Цилик"));
        // ць+я in GOST B (cz`ya) is not Polish czy.
        assert_eq!(k("Stecz`ya"), k("Стецья"));
    }

    #[test]
    fn accents_and_decomposed_letters_do_not_change_the_key() {
        assert_eq!(k("Іва\u{0301}н"), k("Іван"));
        assert_eq!(k("Андри\u{0306}"), k("Андрій"));
        assert_eq!(k("Solovëv"), k("Solovev"));
    }

    #[test]
    fn not_names_are_said_to_be_so() {
        assert!(matches!(key(""), Err(NotAName::NoLetters(_))));
        assert!(matches!(key("--"), Err(NotAName::NoLetters(_))));
        assert!(matches!(key("🙂"), Err(NotAName::NoLetters(_))));
        assert!(matches!(key("Иван2"), Err(NotAName::Digits(_))));
        assert!(matches!(key("Ολίνικ"), Err(NotAName::OtherScript(_))));
        assert!(matches!(key("Щербakov"), Err(NotAName::MixedScript(_))));
        assert!(matches!(
            key(&"а".repeat(10_000)),
            Err(NotAName::TooLong(10_000))
        ));
    }

    #[test]
    fn feminine_surnames_share_the_stem() {
        for (f, m) in [
            ("Ковальська", "Ковальський"),
            ("Ковальская", "Ковальский"),
            ("Іванова", "Іванов"),
            ("Пушкіна", "Пушкін"),
            ("Белая", "Белый"),
        ] {
            assert_eq!(
                surname_stem_key(f).unwrap(),
                surname_stem_key(m).unwrap(),
                "{f}"
            );
        }
    }
}
