//! Romanisation of Ukrainian and Russian names, each standard exactly as published:
//! Ukraine's national table of 2010 (Cabinet of Ministers resolution 55), ICAO Doc 9303
//! (passports' machine-readable zones), BGN/PCGN and GOST 7.79-2000 system B.
//!
//! Words are romanised letter by letter with the positional rules of each standard; case is
//! carried over letter by letter, a capital's digraph in capitals beside another capital
//! (`ОЛІЙНИК` → `OLIINYK`, `Щукін` → `Shchukin`, `МакДональд` → `MakDonald`).

use crate::script::Language;

/// A romanisation standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standard {
    /// Ukraine, Cabinet of Ministers resolution 55 of 27 January 2010 (Ukrainian passports;
    /// adopted by BGN/PCGN for Ukrainian in 2019).
    Uk2010,
    /// ICAO Doc 9303 part 3 (machine-readable travel documents); Russian passports since 2013.
    Icao,
    /// BGN/PCGN 1947 for Russian; for Ukrainian, BGN/PCGN adopted the 2010 national table.
    Bgn,
    /// GOST 7.79-2000 system B (ASCII only), with its Russian and Ukrainian tables.
    GostB,
}

impl Standard {
    /// Every standard.
    pub const ALL: [Standard; 4] = [
        Standard::Uk2010,
        Standard::Icao,
        Standard::Bgn,
        Standard::GostB,
    ];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Standard::Uk2010 => "uk-2010",
            Standard::Icao => "icao",
            Standard::Bgn => "bgn",
            Standard::GostB => "gost",
        }
    }

    /// Parses a command-line name.
    pub fn parse(s: &str) -> Option<Standard> {
        Standard::ALL
            .into_iter()
            .find(|st| st.as_str() == s.trim().to_lowercase())
    }

    /// The standard a party would use by default for text in `language`: the national
    /// table for Ukrainian, the passport (ICAO) table for Russian.
    pub fn default_for(language: Language) -> Standard {
        match language {
            Language::Ukrainian => Standard::Uk2010,
            _ => Standard::Icao,
        }
    }
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е' | 'ё' | 'и' | 'о' | 'у' | 'ы' | 'э' | 'ю' | 'я' | 'і' | 'ї' | 'є'
    )
}

pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{02BC}' | '`' | '\u{2018}' | '\u{00B4}'
    )
}

/// Romanises one lower-case Cyrillic letter of a word. `prev` is the previous letter of
/// the word (`None` at its start), `next` the following one.
fn letter(
    st: Standard,
    lang: Language,
    prev: Option<char>,
    c: char,
    next: Option<char>,
) -> Option<&'static str> {
    let initial = prev.is_none();
    let uk = lang == Language::Ukrainian;
    let common = |c: char| -> Option<&'static str> {
        Some(match c {
            'а' => "a",
            'б' => "b",
            'в' => "v",
            'д' => "d",
            'ж' => "zh",
            'з' => "z",
            'к' => "k",
            'л' => "l",
            'м' => "m",
            'н' => "n",
            'о' => "o",
            'п' => "p",
            'р' => "r",
            'с' => "s",
            'т' => "t",
            'у' => "u",
            'ф' => "f",
            'ч' => "ch",
            'ш' => "sh",
            _ => return None,
        })
    };
    if let Some(s) = common(c) {
        return Some(s);
    }
    // BGN/PCGN romanises Ukrainian by the 2010 national table.
    let st = if st == Standard::Bgn && uk {
        Standard::Uk2010
    } else {
        st
    };
    Some(match st {
        Standard::Uk2010 => match c {
            'г' => {
                if prev == Some('з') {
                    "gh"
                } else {
                    "h"
                }
            }
            'ґ' => "g",
            'е' | 'э' | 'ё' => "e",
            'є' => {
                if initial {
                    "ye"
                } else {
                    "ie"
                }
            }
            'и' => "y",
            'і' => "i",
            'ї' => {
                if initial {
                    "yi"
                } else {
                    "i"
                }
            }
            'й' => {
                if initial {
                    "y"
                } else {
                    "i"
                }
            }
            'х' => "kh",
            'ц' => "ts",
            'щ' => "shch",
            'ю' => {
                if initial {
                    "yu"
                } else {
                    "iu"
                }
            }
            'я' => {
                if initial {
                    "ya"
                } else {
                    "ia"
                }
            }
            'ь' | 'ъ' => "",
            'ы' => "y",
            c if is_apostrophe(c) => "",
            _ => return None,
        },
        Standard::Icao => match c {
            'г' | 'ґ' => "g",
            'е' | 'ё' | 'э' => "e",
            'є' => "ie",
            'и' => {
                if uk {
                    "y"
                } else {
                    "i"
                }
            }
            'і' | 'ї' | 'й' => "i",
            'х' => "kh",
            'ц' => "ts",
            'щ' => "shch",
            'ъ' => "ie",
            'ы' => "y",
            'ь' => "",
            'ю' => "iu",
            'я' => "ia",
            c if is_apostrophe(c) => "",
            _ => return None,
        },
        Standard::Bgn => match c {
            'г' | 'ґ' => "g",
            'е' | 'є' => {
                if initial || prev.is_some_and(|p| is_vowel(p) || matches!(p, 'й' | 'ъ' | 'ь')) {
                    "ye"
                } else {
                    "e"
                }
            }
            'ё' => {
                if initial || prev.is_some_and(|p| is_vowel(p) || matches!(p, 'й' | 'ъ' | 'ь')) {
                    "yë"
                } else {
                    "ë"
                }
            }
            'и' | 'і' => "i",
            'ї' => "yi",
            'й' => "y",
            'х' => "kh",
            'ц' => "ts",
            'щ' => "shch",
            'ъ' => "\u{201D}",
            'ы' => "y",
            'ь' => "\u{2019}",
            'э' => "e",
            'ю' => "yu",
            'я' => "ya",
            c if is_apostrophe(c) => "",
            _ => return None,
        },
        Standard::GostB => match c {
            'г' => "g",
            'ґ' => "g`",
            'е' => "e",
            'ё' => "yo",
            'є' => "ye",
            'и' => {
                if uk {
                    "y`"
                } else {
                    "i"
                }
            }
            'і' => "i",
            'ї' => "yi",
            'й' => "j",
            'х' => "x",
            'ц' => {
                if next.is_some_and(|n| {
                    matches!(
                        n,
                        'и' | 'е' | 'ы' | 'й' | 'і' | 'э' | 'є' | 'ї' | 'ю' | 'я' | 'ё'
                    )
                }) {
                    "c"
                } else {
                    "cz"
                }
            }
            'щ' => "shh",
            'ъ' => "``",
            'ы' => "y`",
            'ь' => "`",
            'э' => "e`",
            'ю' => "yu",
            'я' => "ya",
            c if is_apostrophe(c) => "''",
            _ => return None,
        },
    })
}

/// Writes `romanised` in the capitalisation of `word` (upper case, capitalised or as is);
/// used both ways, for romanisations and for Cyrillic readings.
pub(crate) fn case_like(word: &str, romanised: String) -> String {
    let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.len() > 1 && letters.iter().all(|c| c.is_uppercase());
    if upper {
        return romanised.to_uppercase();
    }
    if letters.first().is_some_and(|c| c.is_uppercase()) {
        let mut chars = romanised.chars();
        return match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => romanised,
        };
    }
    romanised
}

/// `romanised`, the rendering of one Cyrillic letter, in that letter's case: a small letter
/// gives small letters; a capital gives capitals when the letter beside it is a capital too
/// (ЩУКІН → SHCHUKIN), else only its first letter (Щукін → Shchukin, ДеЛюкс → DeLiuks).
fn case_of_letter(romanised: &str, capital: bool, beside_capital: bool, out: &mut String) {
    if !capital {
        out.push_str(romanised);
    } else if beside_capital {
        out.extend(romanised.chars().flat_map(char::to_uppercase));
    } else {
        let mut chars = romanised.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
}

fn romanise_word(word: &str, st: Standard, lang: Language) -> String {
    let chars: Vec<char> = word.chars().collect();
    // One lower-case letter per letter (Cyrillic never expands when lowered).
    let lower: Vec<char> = chars
        .iter()
        .map(|&c| c.to_lowercase().next().unwrap_or(c))
        .collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars[i].is_alphabetic())
        .collect();
    let mut out = String::with_capacity(word.len() * 2);
    let mut prev: Option<char> = None;
    for (i, (&c, &original)) in lower.iter().zip(&chars).enumerate() {
        let next = lower.get(i + 1).copied();
        match letter(st, lang, prev, c, next) {
            Some(s) => {
                // The case of the nearest letter after this one, or before it at the end.
                let at = letters.iter().position(|&l| l == i);
                let beside = at.and_then(|a| {
                    letters
                        .get(a + 1)
                        .or_else(|| a.checked_sub(1).and_then(|b| letters.get(b)))
                });
                let beside_capital = beside.is_some_and(|&b| chars[b].is_uppercase());
                case_of_letter(s, original.is_uppercase(), beside_capital, &mut out);
            }
            None => out.push(original),
        }
        // An apostrophe does not start a new word (Короп'є → Koropie).
        prev = Some(c);
    }
    out
}

/// Romanises `text` as its readers would by default: the language it looks like (see
/// [`crate::guess_language`]) by that language's usual standard.
pub fn romanise_as_written(text: &str) -> String {
    romanise_as_written_in(text, Language::Unknown)
}

/// Romanises `text` written in `language` by that language's usual standard (the 2010
/// table for Ukrainian, ICAO for Russian); `Language::Unknown` guesses the language from
/// the text, as [`romanise_as_written`] does.
pub fn romanise_as_written_in(text: &str, language: Language) -> String {
    let language = match language {
        Language::Unknown => crate::guess_language(text),
        known => known,
    };
    romanise(text, Standard::default_for(language), language)
}

/// Romanises `text` by `standard`, reading Cyrillic as `language` (Ukrainian and Russian
/// differ for и, г and the positional letters). Anything that is not Cyrillic is copied.
/// A hyphen or a space starts a new word. The text is read in NFC (й typed as и and a
/// combining breve is й); stress marks on Cyrillic letters are dropped.
pub fn romanise(text: &str, standard: Standard, language: Language) -> String {
    let text = crate::nfc(text);
    let mut out = String::with_capacity(text.len() * 2);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            out.push_str(&romanise_word(word, standard, language));
            word.clear();
        }
    };
    for c in text.chars() {
        if c.is_alphabetic() || is_apostrophe(c) {
            word.push(c);
        } else if unicode_normalization::char::is_combining_mark(c)
            && word.chars().last().is_some_and(crate::script::is_cyrillic)
        {
            // A mark with no composed form (a stress mark): it carries no spelling.
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positional_letters_of_the_2010_table() {
        let uk = |s| romanise(s, Standard::Uk2010, Language::Ukrainian);
        assert_eq!(uk("Згурський"), "Zghurskyi");
        assert_eq!(uk("Короп'є"), "Koropie");
        assert_eq!(uk("Юрій"), "Yurii");
        assert_eq!(uk("ЮРІЙ"), "YURII");
        assert_eq!(uk("Мар'їне"), "Marine");
    }

    #[test]
    fn gost_b_writes_c_before_front_vowels() {
        let ru = |s| romanise(s, Standard::GostB, Language::Russian);
        assert_eq!(ru("центр"), "centr");
        assert_eq!(ru("цапля"), "czaplya");
        assert_eq!(ru("Юлия, съешь ещё"), "Yuliya, s``esh` eshhyo");
    }
}
