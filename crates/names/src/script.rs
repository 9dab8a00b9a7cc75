//! Scripts and languages of tokens, and repair of tokens typed in a mix of scripts.

/// The writing system a token is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    /// Only Cyrillic letters.
    Cyrillic,
    /// Only Latin letters.
    Latin,
    /// Letters of both scripts that no homoglyph repair could reconcile.
    Mixed,
    /// Letters of another script (Greek, Arabic, …).
    Other,
    /// No letters at all (digits, punctuation, emoji, empty).
    None,
}

impl Script {
    /// The lower-case name used in storage and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Script::Cyrillic => "cyrillic",
            Script::Latin => "latin",
            Script::Mixed => "mixed",
            Script::Other => "other",
            Script::None => "none",
        }
    }
}

/// The language a Cyrillic token is written in, as far as its letters tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Has a letter only Ukrainian uses (і ї є ґ or an apostrophe inside the word).
    Ukrainian,
    /// Has a letter only Russian uses (ы э ъ ё).
    Russian,
    /// Could be either.
    Unknown,
}

pub(crate) fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}')
}

pub(crate) fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
            && c != '\u{00D7}'
            && c != '\u{00F7}'
}

/// Apostrophe-like modifier letters (ʼ ʹ ʺ): Unicode calls them letters, clerks use
/// them as apostrophes and soft or hard signs.
pub(crate) fn is_apostrophe_letter(c: char) -> bool {
    matches!(
        c,
        '\u{02B9}' | '\u{02BA}' | '\u{02BB}' | '\u{02BC}' | '\u{02BD}'
    )
}

/// Whether `c` is a letter of a name (apostrophe-like modifier letters are not).
pub(crate) fn is_name_letter(c: char) -> bool {
    c.is_alphabetic() && !is_apostrophe_letter(c)
}

/// The script of a piece of text, judged by its letters only.
pub fn script_of(text: &str) -> Script {
    let (mut cyr, mut lat, mut other) = (false, false, false);
    for c in text.chars().filter(|&c| is_name_letter(c)) {
        if is_cyrillic(c) {
            cyr = true;
        } else if is_latin(c) {
            lat = true;
        } else {
            other = true;
        }
    }
    match (cyr, lat, other) {
        (_, _, true) => Script::Other,
        (true, true, _) => Script::Mixed,
        (true, false, _) => Script::Cyrillic,
        (false, true, _) => Script::Latin,
        (false, false, _) => Script::None,
    }
}

/// The language of a Cyrillic token.
pub fn language_of(token: &str) -> Language {
    let chars: Vec<char> = token.chars().flat_map(char::to_lowercase).collect();
    let inner_apostrophe = chars.windows(3).any(|w| {
        w[0].is_alphabetic()
            && matches!(w[1], '\'' | '\u{2019}' | '\u{02BC}' | '`')
            && w[2].is_alphabetic()
    });
    if inner_apostrophe || chars.iter().any(|c| matches!(c, 'і' | 'ї' | 'є' | 'ґ')) {
        Language::Ukrainian
    } else if chars.iter().any(|c| matches!(c, 'ы' | 'э' | 'ъ' | 'ё')) {
        Language::Russian
    } else {
        Language::Unknown
    }
}

/// The language to read a Cyrillic text in: its own letters when they tell, else Russian
/// when it has и without і (Іван is Ukrainian, Иван Russian) or a soft sign before a
/// vowel (Наталья; Ukrainian writes Наталя or an apostrophe), else Ukrainian.
pub fn guess_language(text: &str) -> Language {
    match language_of(text) {
        Language::Unknown => {
            let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
            let soft_before_vowel = lower
                .windows(2)
                .any(|w| w[0] == 'ь' && matches!(w[1], 'я' | 'ю' | 'е'));
            if soft_before_vowel || lower.contains(&'и') {
                Language::Russian
            } else {
                Language::Ukrainian
            }
        }
        known => known,
    }
}

/// Latin letters that look like Cyrillic ones, and their Cyrillic twins.
const LATIN_TO_CYRILLIC: [(char, char); 22] = [
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('i', 'і'),
    ('o', 'о'),
    ('p', 'р'),
    ('x', 'х'),
    ('y', 'у'),
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('I', 'І'),
    ('K', 'К'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('T', 'Т'),
    ('X', 'Х'),
    ('Y', 'У'),
    ('\u{00EF}', 'ї'),
];

fn to_cyrillic_twin(c: char) -> Option<char> {
    LATIN_TO_CYRILLIC
        .iter()
        .find(|(l, _)| *l == c)
        .map(|(_, k)| *k)
}

fn to_latin_twin(c: char) -> Option<char> {
    LATIN_TO_CYRILLIC
        .iter()
        .find(|(_, k)| *k == c)
        .map(|(l, _)| *l)
}

/// Repairs a token typed in a mix of scripts (a Latin `i` inside a Cyrillic word, a
/// Cyrillic `о` inside a Latin one) by turning look-alike letters into the script the
/// token's other letters are in. `context` decides a token made only of look-alikes.
/// Returns the token unchanged when both scripts have letters without a twin.
pub fn repair_token(token: &str, context: Script) -> String {
    let (mut firm_cyr, mut firm_lat, mut cyr, mut lat) = (0, 0, 0, 0);
    for c in token.chars().filter(|&c| is_name_letter(c)) {
        if is_cyrillic(c) {
            cyr += 1;
            if to_latin_twin(c).is_none() {
                firm_cyr += 1;
            }
        } else if is_latin(c) {
            lat += 1;
            if to_cyrillic_twin(c).is_none() {
                firm_lat += 1;
            }
        }
    }
    let target = match (firm_cyr > 0, firm_lat > 0) {
        (true, false) => Script::Cyrillic,
        (false, true) => Script::Latin,
        // Only look-alikes: the rest of the name decides, else the token's majority.
        (false, false) => match context {
            Script::Cyrillic | Script::Latin => context,
            _ if cyr > lat => Script::Cyrillic,
            _ if lat > cyr => Script::Latin,
            _ => return token.to_owned(),
        },
        (true, true) => return token.to_owned(),
    };
    token
        .chars()
        .map(|c| match target {
            Script::Cyrillic if is_latin(c) => to_cyrillic_twin(c).unwrap_or(c),
            Script::Latin if is_cyrillic(c) => to_latin_twin(c).unwrap_or(c),
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_told_apart() {
        assert_eq!(script_of("Олійник"), Script::Cyrillic);
        assert_eq!(script_of("Oliinyk"), Script::Latin);
        assert_eq!(script_of("Олiйник"), Script::Mixed);
        assert_eq!(script_of("Ολίνικ"), Script::Other);
        assert_eq!(script_of("12-3 🙂"), Script::None);
    }

    #[test]
    fn look_alikes_are_repaired_towards_the_firm_letters() {
        assert_eq!(repair_token("Олiйник", Script::None), "Олійник");
        assert_eq!(repair_token("Kовaленко", Script::None), "Коваленко");
        assert_eq!(repair_token("Kovalеnko", Script::None), "Kovalenko");
        // Only look-alikes: the rest of the name decides.
        assert_eq!(repair_token("Oca", Script::Cyrillic), "Оса");
        assert_eq!(repair_token("Oca", Script::Latin), "Oca");
    }

    #[test]
    fn languages_show_in_their_own_letters() {
        assert_eq!(language_of("Олійник"), Language::Ukrainian);
        assert_eq!(language_of("Мар'яна"), Language::Ukrainian);
        assert_eq!(language_of("Давыдов"), Language::Russian);
        assert_eq!(language_of("Мельник"), Language::Unknown);
    }
}
