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

/// The language a Cyrillic token is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Ukrainian.
    Ukrainian,
    /// Russian.
    Russian,
    /// Could be either.
    Unknown,
}

impl Language {
    /// The ISO 639-1 code (`uk`, `ru`), or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Ukrainian => "uk",
            Language::Russian => "ru",
            Language::Unknown => "unknown",
        }
    }

    /// Parses a language as callers name it: the ISO 639 codes (`uk`, `ukr`, `ru`, `rus`),
    /// the country code clerks often use for Ukrainian (`ua`), or the English name.
    pub fn parse(s: &str) -> Option<Language> {
        match s.trim().to_lowercase().as_str() {
            "uk" | "ukr" | "ua" | "ukrainian" => Some(Language::Ukrainian),
            "ru" | "rus" | "russian" => Some(Language::Russian),
            _ => None,
        }
    }
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
    let text = crate::nfc(text);
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

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'і' | 'ї' | 'є'
    )
}

/// Points for Ukrainian (positive) or Russian (negative) from one lower-case Cyrillic word.
/// A letter only one language has counts most; then the spellings one language never uses
/// (Ukrainian orthography: є after a vowel, і before one, -ськ, no ь after labials, hushing
/// consonants or a final р, no initial и; Russian: ц never soft, ьо only in loanwords), then
/// given names and patronymics only one language has, then weak hints from endings.
fn word_evidence(w: &[char]) -> f64 {
    let mut points = 0.0;
    for (i, &c) in w.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| w.get(p)).copied();
        let next = w.get(i + 1).copied();
        points += match c {
            'і' | 'ї' | 'є' | 'ґ' => 4.0,
            'ы' | 'э' | 'ъ' | 'ё' => -4.0,
            c if crate::translit::is_apostrophe(c) && prev.is_some() && next.is_some() => 4.0,
            _ => 0.0,
        };
        // Pairs of letters.
        points += match (prev, c) {
            (None, 'и') => -2.0,
            (None, 'е') => -1.0,
            (Some(p), 'е') if is_vowel(p) => -2.0,
            (Some('и'), v) if is_vowel(v) => -2.0,
            (Some('ь'), 'е' | 'ю' | 'я' | 'и') => -2.0,
            (Some('б' | 'п' | 'в' | 'м' | 'ф' | 'ж' | 'ш' | 'ч' | 'щ'), 'ь') => -2.0,
            (Some('р'), 'ь') if next.is_none() => -2.0,
            (Some('ц'), 'ь') | (Some('ь'), 'о') => 2.0,
            _ => 0.0,
        };
    }
    let text: String = w.iter().collect();
    let ends = |s: &str| text.ends_with(s) && text.len() > s.len();
    let folded = crate::fold(&text);
    points += match crate::given::NameDictionary::embedded().form_language(&folded) {
        Language::Ukrainian => 2.0,
        Language::Russian => -2.0,
        Language::Unknown => 0.0,
    };
    if ends("ськ") || ends("ський") || ends("ська") || ends("йович") {
        points += 2.0;
    }
    if ends("ск") || ends("цк") || ends("ский") || ends("цкий") || ends("ская") || ends("цкая")
    {
        points -= 2.0;
    }
    if ends("овна") || ends("евна") || ends("ична") {
        points -= 2.0;
    }
    // Ukrainian plural place names (Суми, Черкаси); Russian writes ы, and и only after
    // к г х ж ш ч щ.
    if let [.., c, 'и'] = w
        && !is_vowel(*c)
        && !matches!(c, 'к' | 'г' | 'х' | 'ж' | 'ш' | 'ч' | 'щ' | 'ц' | 'ь' | 'й')
    {
        points += 1.5;
    }
    if let [.., a, b] = w
        && a == b
        && !is_vowel(*a)
    {
        // Кирилл, Филипп: Ukrainian writes Кирило, Пилип.
        points -= 1.0;
    }
    if text.contains("сс") {
        points -= 1.0;
    }
    if ends("ая") || ends("яя") {
        points -= 1.0;
    }
    if ends("енко") || ends("чук") || ends("юк") {
        points += 0.5;
    }
    if ends("ов") || ends("ев") {
        points -= 0.5;
    }
    points
}

fn lower_words(text: &str) -> Vec<Vec<char>> {
    let text = crate::nfc(text);
    let mut words = Vec::new();
    let mut word: Vec<char> = Vec::new();
    for c in text.chars() {
        if is_name_letter(c) || crate::translit::is_apostrophe(c) {
            word.extend(c.to_lowercase());
        } else if !unicode_normalization::char::is_combining_mark(c) {
            words.push(std::mem::take(&mut word));
        }
    }
    words.push(word);
    words.retain(|w| w.iter().any(|&c| is_cyrillic(c)));
    words
}

fn language_by(points: f64) -> Language {
    if points > 0.0 {
        Language::Ukrainian
    } else if points < 0.0 {
        Language::Russian
    } else {
        Language::Unknown
    }
}

/// The language of a Cyrillic token, as far as its spelling tells: letters only one
/// language has (і ї є ґ or an inner apostrophe; ы э ъ ё), spellings one language never
/// uses (Чапаевск, Тверь, Луцьк), given names and patronymics only one has (Дмитро,
/// Николаевич). `Unknown` when nothing tells.
pub fn language_of(token: &str) -> Language {
    language_by(lower_words(token).iter().map(|w| word_evidence(w)).sum())
}

/// The language to read a Cyrillic text in: the evidence of all its words (see
/// [`language_of`]) weighed together; when nothing tells, Russian if it has и (Ukrainian
/// text usually has an і too), else Ukrainian. Callers who know the language say so
/// instead (`romanise` takes it).
pub fn guess_language(text: &str) -> Language {
    let words = lower_words(text);
    match language_by(words.iter().map(|w| word_evidence(w)).sum()) {
        Language::Unknown if words.iter().flatten().any(|&c| c == 'и') => Language::Russian,
        Language::Unknown => Language::Ukrainian,
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
    let token = crate::nfc(token);
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
            _ => return token.into_owned(),
        },
        (true, true) => return token.into_owned(),
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
