//! Latin → Cyrillic: the candidate Cyrillic readings of a romanised name, ranked.
//!
//! A romanised name does not determine its Cyrillic original (Ukrainian `i` may be і, и
//! or й; `h` is г in the 2010 table but х in Polish or Czech spelling), so this returns a
//! small ranked set. Each Latin chunk has weighted readings covering the official
//! standards and the informal French, German and Polish spellings clerks meet
//! (`Olexandre`, `Kowalenko`, `Tschernenko`); a beam search over the word keeps the
//! cheapest whole readings, separately for Ukrainian and Russian.

use crate::script::{Language, Script, script_of};

/// One Cyrillic reading of a Latin name.
#[derive(Debug, Clone, PartialEq)]
pub struct CyrillicReading {
    /// The reading, capitalised like the input.
    pub text: String,
    /// The language whose spelling rules it follows.
    pub language: Language,
    /// Share of the returned readings' likelihood, 0–1.
    pub score: f64,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum For {
    Both,
    Uk,
    Ru,
}

/// (Latin chunk, Cyrillic, cost, language, only at the end of the word)
type Rule = (&'static str, &'static str, f64, For, bool);

const RULES: &[Rule] = &[
    ("skyi", "ський", 0.0, For::Uk, true),
    ("skyy", "ський", 0.2, For::Uk, true),
    ("skiy", "ський", 0.4, For::Uk, true),
    ("ska", "ська", 0.2, For::Uk, true),
    ("tskyi", "цький", 0.0, For::Uk, true),
    ("tska", "цька", 0.2, For::Uk, true),
    ("skii", "ский", 0.0, For::Ru, true),
    ("skiy", "ский", 0.0, For::Ru, true),
    ("skij", "ский", 0.1, For::Ru, true),
    ("skaya", "ская", 0.0, For::Ru, true),
    ("skaia", "ская", 0.0, For::Ru, true),
    ("shch", "щ", 0.0, For::Both, false),
    ("szcz", "щ", 0.2, For::Both, false),
    ("sch", "щ", 0.5, For::Both, false),
    ("sch", "ш", 1.0, For::Both, false),
    ("shh", "щ", 0.3, For::Both, false),
    ("sh", "ш", 0.0, For::Both, false),
    ("sz", "ш", 0.5, For::Both, false),
    ("zgh", "зг", 0.0, For::Uk, false),
    ("zh", "ж", 0.0, For::Both, false),
    ("tsch", "ч", 0.3, For::Both, false),
    ("tch", "ч", 1.0, For::Both, false),
    ("ch", "ч", 0.0, For::Both, false),
    ("ch", "х", 1.2, For::Both, false),
    // French ch is ш (Porochenko, Timochenko).
    ("ch", "ш", 1.1, For::Both, false),
    ("cz", "ч", 0.6, For::Both, false),
    ("cz", "ц", 0.6, For::Both, false),
    ("kh", "х", 0.0, For::Both, false),
    ("ts", "ц", 0.0, For::Both, false),
    ("tz", "ц", 0.5, For::Both, false),
    ("iia", "ія", 0.0, For::Uk, false),
    ("iya", "ия", 0.3, For::Ru, false),
    ("iya", "ія", 0.5, For::Uk, false),
    ("ya", "я", 0.0, For::Both, false),
    ("ja", "я", 0.3, For::Both, false),
    ("ia", "я", 0.1, For::Both, false),
    ("ia", "ія", 0.8, For::Uk, false),
    ("ia", "ия", 0.8, For::Ru, false),
    ("yu", "ю", 0.0, For::Both, false),
    ("ju", "ю", 0.3, For::Both, false),
    ("iu", "ю", 0.1, For::Both, false),
    ("ou", "у", 0.8, For::Both, false),
    ("ye", "є", 0.0, For::Uk, false),
    ("ye", "е", 0.2, For::Ru, false),
    ("je", "є", 0.4, For::Uk, false),
    ("je", "е", 0.4, For::Ru, false),
    ("ie", "є", 0.3, For::Uk, false),
    ("ie", "е", 0.6, For::Ru, false),
    ("yi", "ї", 0.0, For::Uk, false),
    ("yo", "йо", 0.3, For::Both, false),
    ("yo", "ё", 0.4, For::Ru, false),
    ("io", "ьо", 0.6, For::Uk, false),
    ("iy", "ий", 0.0, For::Ru, true),
    ("iy", "ій", 0.2, For::Uk, true),
    ("yy", "ый", 0.2, For::Ru, true),
    ("yi", "ий", 0.2, For::Uk, true),
    ("ij", "ий", 0.3, For::Ru, true),
    ("ii", "ій", 0.0, For::Uk, true),
    ("ii", "ий", 0.1, For::Ru, true),
    ("ii", "ії", 0.4, For::Uk, false),
    ("ii", "ій", 0.2, For::Uk, false),
    ("ei", "ей", 0.2, For::Ru, false),
    ("ey", "ей", 0.2, For::Ru, false),
    ("ey", "ей", 0.0, For::Ru, true),
    ("ei", "ей", 0.1, For::Ru, true),
    ("a", "а", 0.0, For::Both, false),
    ("b", "б", 0.0, For::Both, false),
    ("v", "в", 0.0, For::Both, false),
    ("w", "в", 0.2, For::Both, false),
    ("g", "г", 0.0, For::Ru, false),
    ("g", "г", 0.4, For::Uk, false),
    ("g", "ґ", 0.6, For::Uk, false),
    ("h", "г", 0.0, For::Uk, false),
    ("h", "х", 0.9, For::Both, false),
    ("d", "д", 0.0, For::Both, false),
    ("e", "е", 0.0, For::Both, false),
    ("e", "є", 1.0, For::Uk, false),
    ("e", "э", 0.9, For::Ru, false),
    ("z", "з", 0.0, For::Both, false),
    // German z is ц (Winnyzja).
    ("z", "ц", 0.8, For::Both, false),
    ("y", "и", 0.0, For::Uk, false),
    ("y", "ы", 0.3, For::Ru, false),
    ("y", "й", 0.3, For::Both, false),
    ("i", "і", 0.0, For::Uk, false),
    ("i", "и", 0.0, For::Ru, false),
    ("i", "и", 0.5, For::Uk, false),
    ("i", "й", 0.4, For::Both, false),
    ("j", "й", 0.0, For::Both, false),
    ("j", "ж", 1.5, For::Both, false),
    ("k", "к", 0.0, For::Both, false),
    ("c", "ц", 0.5, For::Both, false),
    ("c", "к", 0.8, For::Both, false),
    ("l", "л", 0.0, For::Both, false),
    ("m", "м", 0.0, For::Both, false),
    ("n", "н", 0.0, For::Both, false),
    ("o", "о", 0.0, For::Both, false),
    ("p", "п", 0.0, For::Both, false),
    ("r", "р", 0.0, For::Both, false),
    ("s", "с", 0.0, For::Both, false),
    ("t", "т", 0.0, For::Both, false),
    ("u", "у", 0.0, For::Both, false),
    ("f", "ф", 0.0, For::Both, false),
    ("x", "кс", 0.3, For::Both, false),
    ("x", "х", 0.7, For::Both, false),
    ("q", "к", 1.0, For::Both, false),
    ("ž", "ж", 0.0, For::Both, false),
    ("ż", "ж", 0.0, For::Both, false),
    ("š", "ш", 0.0, For::Both, false),
    ("č", "ч", 0.0, For::Both, false),
    ("ł", "л", 0.0, For::Both, false),
];

/// A Latin letter with its marks dropped (ë, ï, é, ó → e, i, e, o), except the letters whose
/// mark makes another sound, which have rules of their own.
fn plain_latin(c: char) -> char {
    use unicode_normalization::UnicodeNormalization;
    if c.is_ascii() || matches!(c, 'ž' | 'ż' | 'š' | 'č' | 'ł') {
        return c;
    }
    match c.nfd().next() {
        Some(base) if base.is_ascii_alphabetic() => base,
        _ => c,
    }
}

const BEAM: usize = 24;

fn is_vowel(c: char) -> bool {
    "аеєиіїоуюяыэё".contains(c)
}

/// Cost of letter sequences that Ukrainian and Russian spelling avoid, charged when
/// `chunk` is appended to `prefix`.
fn awkwardness(prefix: &str, chunk: &str) -> f64 {
    let mut tail: Vec<char> = prefix.chars().rev().take(2).collect();
    tail.reverse();
    let Some(first) = chunk.chars().next() else {
        return 0.0;
    };
    let last = tail.last().copied();
    let mut cost = 0.0;
    match last {
        None => {
            if matches!(first, 'ы' | 'ь' | 'ъ') {
                cost += 2.0;
            }
        }
        Some(prev) => {
            if first == 'й' && !is_vowel(prev) {
                cost += 1.5;
            }
            if matches!(first, 'ь' | 'ъ') && is_vowel(prev) {
                cost += 1.5;
            }
            if prev == first && matches!(first, 'і' | 'и' | 'ы' | 'й') {
                cost += 1.2;
            }
            // After a vowel, и and і are rare (Ukrainian writes ї, both write й before a
            // consonant) and ы never stands.
            if is_vowel(prev) && matches!(first, 'и' | 'і') {
                cost += 0.6;
            }
            if is_vowel(prev) && first == 'ы' {
                cost += 1.5;
            }
            if prev == 'ц' && first == 'ч' {
                cost += 1.5;
            }
            if tail.len() == 2 && tail[0] == 'т' && prev == 'с' && first == 'ч' {
                cost += 1.5;
            }
            if prev == 'т' && first == 'с' && prefix.chars().count() == 1 {
                cost += 1.0;
            }
        }
    }
    cost
}

fn readings_in(word: &str, language: Language) -> Vec<(String, f64)> {
    let want = if language == Language::Ukrainian {
        For::Uk
    } else {
        For::Ru
    };
    // beams[i]: cheapest readings of word[..i]
    let mut beams: Vec<Vec<(String, f64)>> = vec![Vec::new(); word.len() + 1];
    beams[0].push((String::new(), 0.0));
    for i in 0..word.len() {
        if beams[i].is_empty() || !word.is_char_boundary(i) {
            continue;
        }
        let mut current = std::mem::take(&mut beams[i]);
        current.sort_by(|a, b| a.1.total_cmp(&b.1));
        current.truncate(BEAM);
        let rest = &word[i..];
        let mut matched = false;
        for &(latin, cyr, cost, lang, final_only) in RULES {
            if !(lang == For::Both || lang == want) || !rest.starts_with(latin) {
                continue;
            }
            let end = i + latin.len();
            if final_only && end != word.len() {
                continue;
            }
            matched = true;
            // Most romanisations drop the soft sign: after a consonant that can take one,
            // the reading with ь is kept too, at a cost.
            let softenable = cyr.ends_with(['л', 'н', 'т', 'д', 'с', 'з', 'ц', 'р']);
            for (text, c) in &current {
                let extra = awkwardness(text, cyr);
                beams[end].push((format!("{text}{cyr}"), c + cost + extra));
                if softenable {
                    beams[end].push((format!("{text}{cyr}ь"), c + cost + extra + 0.9));
                }
            }
        }
        if !matched {
            // A character no rule reads (a digit, a letter of another script): keep it.
            let ch = rest.chars().next().map_or(1, char::len_utf8);
            let kept = &rest[..ch];
            for (text, c) in &current {
                beams[i + ch].push((format!("{text}{kept}"), c + 3.0));
            }
        }
        beams[i] = current;
    }
    let mut done = std::mem::take(&mut beams[word.len()]);
    done.sort_by(|a, b| a.1.total_cmp(&b.1));
    done.dedup_by(|a, b| a.0 == b.0);
    done.truncate(BEAM);
    done
}

/// The `limit` most likely Cyrillic readings of a Latin name (each word read separately,
/// Ukrainian and Russian readings mixed by likelihood). Text that is already Cyrillic is
/// returned as it is; text without Latin letters gives no readings.
pub fn to_cyrillic(text: &str, limit: usize) -> Vec<CyrillicReading> {
    to_cyrillic_in(text, limit, Language::Unknown)
}

/// [`to_cyrillic`] for a name known to be `language`: only readings in its spelling
/// (`Language::Unknown` gives both languages' readings).
pub fn to_cyrillic_in(text: &str, limit: usize, language: Language) -> Vec<CyrillicReading> {
    let text = crate::nfc(text);
    let text = text.as_ref();
    match script_of(text) {
        Script::Cyrillic => {
            return vec![CyrillicReading {
                text: text.to_owned(),
                language: match language {
                    Language::Unknown => crate::script::language_of(text),
                    known => known,
                },
                score: 1.0,
            }];
        }
        Script::Latin | Script::Mixed => {}
        _ => return Vec::new(),
    }
    // Names have a few words of at most a few dozen letters; anything longer is not a name
    // and would only make the search slow.
    let words: Vec<&str> = text.split(' ').collect();
    if words.len() > 8
        || words
            .iter()
            .any(|w| w.chars().count() > crate::key::MAX_TOKEN_CHARS)
    {
        return Vec::new();
    }
    let mut all: Vec<(String, Language, f64)> = Vec::new();
    let languages = match language {
        Language::Unknown => &[Language::Ukrainian, Language::Russian][..],
        Language::Ukrainian => &[Language::Ukrainian][..],
        Language::Russian => &[Language::Russian][..],
    };
    for &language in languages {
        // Whole-name readings: the words' best readings combined, cheapest first.
        let mut partial: Vec<(String, f64)> = vec![(String::new(), 0.0)];
        for (n, word) in words.iter().enumerate() {
            let lower: String = word
                .chars()
                .filter(|c| !matches!(c, '\'' | '’' | 'ʼ' | '`' | '”'))
                .flat_map(char::to_lowercase)
                .map(plain_latin)
                .collect();
            let words = readings_in(&lower, language);
            let mut next = Vec::new();
            for (prefix, pc) in &partial {
                for (w, wc) in words.iter().take(8) {
                    let sep = if n == 0 { "" } else { " " };
                    next.push((
                        format!(
                            "{prefix}{sep}{}",
                            crate::translit::case_like(word, w.clone())
                        ),
                        pc + wc,
                    ));
                }
            }
            next.sort_by(|a, b| a.1.total_cmp(&b.1));
            next.truncate(BEAM);
            partial = next;
        }
        all.extend(partial.into_iter().map(|(t, c)| (t, language, c)));
    }
    all.sort_by(|a, b| a.2.total_cmp(&b.2));
    let mut seen = std::collections::HashSet::new();
    all.retain(|r| seen.insert(r.0.clone()));
    all.truncate(limit.max(1));
    let total: f64 = all.iter().map(|r| (-r.2).exp()).sum();
    all.into_iter()
        .map(|(text, language, cost)| CyrillicReading {
            text,
            language,
            score: if total > 0.0 {
                (-cost).exp() / total
            } else {
                0.0
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str, n: usize) -> Vec<String> {
        to_cyrillic(s, n).into_iter().map(|r| r.text).collect()
    }

    #[test]
    fn passport_spellings_find_their_originals() {
        assert!(
            texts("Oliinyk", 5).contains(&"Олійник".to_owned()),
            "{:?}",
            texts("Oliinyk", 5)
        );
        assert!(
            texts("OLEINIK", 5).contains(&"ОЛЕЙНИК".to_owned()),
            "{:?}",
            texts("OLEINIK", 5)
        );
        assert!(texts("Zghurskyi", 3).contains(&"Згурський".to_owned()));
        assert!(texts("Yevhen", 3).contains(&"Євген".to_owned()));
    }

    #[test]
    fn informal_spellings_find_their_originals() {
        assert!(texts("Kowalenko", 3).contains(&"Коваленко".to_owned()));
        assert!(
            texts("Tschernenko", 3).contains(&"Черненко".to_owned()),
            "{:?}",
            texts("Tschernenko", 5)
        );
        assert!(
            texts("Olexandr", 5).contains(&"Олександр".to_owned()),
            "{:?}",
            texts("Olexandr", 5)
        );
        // French ch is ш (Le Monde's Porochenko); German z is ц (Winnyzja).
        for (latin, original) in [("Porochenko", "Порошенко"), ("Winnyzja", "Вінниця")]
        {
            assert!(
                texts(latin, 8).contains(&original.to_owned()),
                "{latin}: {:?}",
                texts(latin, 8)
            );
        }
    }

    #[test]
    fn readings_are_ranked_and_scored() {
        let r = to_cyrillic("Petro", 4);
        assert!(!r.is_empty() && r.len() <= 4);
        assert_eq!(r[0].text, "Петро");
        let total: f64 = r.iter().map(|x| x.score).sum();
        assert!((total - 1.0).abs() < 1e-9);
        assert!(to_cyrillic("123", 3).is_empty());
        assert!(to_cyrillic(&"a".repeat(10_000), 3).is_empty());
    }
}
