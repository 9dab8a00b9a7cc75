//! Full names as clerks write them → surname, given name and patronymic, with a score for
//! each plausible reading.
//!
//! Orders met in lists: `SURNAME Given Patronymic` (official Ukrainian and Russian usage),
//! `Given Patronymic Surname`, `Given Surname` (passports, foreign documents),
//! `Surname, Given`, and initials (`Коваленко О.П.`, `O. P. Kovalenko`). Evidence: the
//! given-name dictionary, patronymic forms and suffixes in both languages and in Latin,
//! upper-case surnames, commas, and the usual position.

use crate::given::NameDictionary;
use crate::key::{NotAName, key, surname_stem_key};
use crate::script::{Script, repair_token, script_of};

/// Which part of a name a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamePart {
    /// Family name.
    Surname,
    /// Given (first) name.
    Given,
    /// Patronymic (name formed from the father's).
    Patronymic,
}

/// One way of reading a full name.
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// Surname as written (several tokens joined by a space).
    pub surname: Option<String>,
    /// Given name as written.
    pub given: Option<String>,
    /// Patronymic as written.
    pub patronymic: Option<String>,
    /// The order read, e.g. `surname given patronymic`.
    pub order: String,
    /// Confidence in this reading among those returned, 0–1; they sum to 1.
    pub confidence: f64,
}

/// The keys that stand for a parsed name in comparisons and indexes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameKey {
    /// Phonetic key of the surname, feminine endings made masculine.
    pub surname: Option<String>,
    /// Given-name class key (`=…`), or the phonetic key when the name is not in the dictionary.
    pub given: Option<String>,
    /// Class key of the father's name, or the phonetic key of the patronymic.
    pub patronymic: Option<String>,
}

impl std::fmt::Display for NameKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let part = |p: &Option<String>| p.clone().unwrap_or_else(|| "-".to_owned());
        write!(
            f,
            "{} {} {}",
            part(&self.surname),
            part(&self.given),
            part(&self.patronymic)
        )
    }
}

#[derive(Debug, Clone)]
struct Token {
    initial: bool,
    upper: bool,
    given: bool,
    patronymic: bool,
    patronymic_suffix: bool,
    surname_suffix: bool,
}

/// Endings that make a word a surname, in Cyrillic and in the usual romanisations
/// (Шевченко, Chevtchenko; Ковальчук, Kowalczuk; Бродський, Brodski; Іванов, Iwanow).
/// Where the given name is misspelt or spelt by ear (`Raman`, `Vlasimir`) the dictionary
/// cannot tell which word is which, but the surname's shape still can. No given name in
/// common use ends so (endings such as -ин, Костянтин, are left out).
const SURNAME_SUFFIXES: [&str; 34] = [
    "енко",
    "єнко",
    "enko",
    "enco",
    "ук",
    "юк",
    "uk",
    "ouk",
    "iuk",
    "yuk",
    "ський",
    "ский",
    "цький",
    "цкий",
    "ski",
    "sky",
    "skyi",
    "skyj",
    "skij",
    "skiy",
    "skii",
    "skyy",
    "ов",
    "ев",
    "ёв",
    "єв",
    "ів",
    "ov",
    "ow",
    "off",
    "ev",
    "ew",
    "ief",
    "ieff",
];

const PATRONYMIC_SUFFIXES: [&str; 22] = [
    "ович",
    "евич",
    "йович",
    "ьович",
    "івна",
    "ївна",
    "овна",
    "евна",
    "ична",
    "інична",
    "ич",
    "ovych",
    "ovich",
    "ovic",
    "evych",
    "evich",
    "ivna",
    "yivna",
    "ovna",
    "evna",
    "ichna",
    "ich",
];

fn token_features(text: &str, dict: &NameDictionary) -> Token {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    let initial = letters.len() == 1 || (letters.len() <= 2 && text.ends_with('.'));
    let lower = text.to_lowercase();
    Token {
        initial,
        upper: letters.len() > 1 && letters.iter().all(|c| c.is_uppercase()),
        given: !initial && !dict.given(text).is_empty(),
        patronymic: !initial && !dict.patronymic(text).is_empty(),
        patronymic_suffix: !initial
            && letters.len() > 5
            && PATRONYMIC_SUFFIXES.iter().any(|s| lower.ends_with(s)),
        surname_suffix: !initial
            && letters.len() >= 5
            && SURNAME_SUFFIXES.iter().any(|s| lower.ends_with(s)),
    }
}

/// How well `t` fits `part`, in log-odds-like points.
fn fit(t: &Token, part: NamePart) -> f64 {
    match part {
        NamePart::Surname => {
            let mut s = 0.0;
            if t.initial {
                s -= 4.0;
            }
            if t.given {
                s -= 1.5;
            }
            if t.patronymic {
                s -= 2.0;
            } else if t.patronymic_suffix {
                s -= 0.5;
            }
            if t.upper {
                s += 1.0;
            }
            if t.surname_suffix && !t.given {
                s += 1.0;
            }
            s
        }
        NamePart::Given => {
            let mut s = 0.0;
            if t.given {
                s += 2.0;
            } else if t.surname_suffix {
                s -= 1.0;
            }
            if t.initial {
                s += 0.5;
            }
            if t.patronymic || t.patronymic_suffix {
                s -= 2.0;
            }
            s
        }
        NamePart::Patronymic => {
            if t.patronymic {
                3.0
            } else if t.patronymic_suffix {
                2.0
            } else if t.initial {
                0.5
            } else {
                -3.0
            }
        }
    }
}

/// Splits a name into tokens: whitespace and commas separate, initials written together
/// (`О.П.`) are split, look-alike letters are repaired towards the name's script.
fn tokens(text: &str) -> (Vec<String>, Option<usize>) {
    let dominant = {
        let (mut cyr, mut lat) = (0, 0);
        for c in text.chars() {
            if crate::script::is_cyrillic(c) {
                cyr += 1;
            } else if c.is_ascii_alphabetic() {
                lat += 1;
            }
        }
        if cyr >= lat {
            Script::Cyrillic
        } else {
            Script::Latin
        }
    };
    let mut out = Vec::new();
    let mut comma_after = None;
    for (i, chunk) in text.split(',').enumerate() {
        if i == 1 {
            comma_after = Some(out.len());
        }
        for raw in chunk.split_whitespace() {
            // "О.П." → "О." "П."
            let parts: Vec<&str> = raw.split_inclusive('.').filter(|p| !p.is_empty()).collect();
            let all_initials = parts.len() > 1
                && parts
                    .iter()
                    .all(|p| p.trim_end_matches('.').chars().count() == 1);
            if all_initials {
                out.extend(parts.iter().map(|p| repair_token(p, dominant)));
            } else {
                out.push(repair_token(raw, dominant));
            }
        }
    }
    (out, comma_after)
}

/// The readings of a full name, best first, with confidences that sum to 1. A string
/// with no word that could be a name is refused.
pub fn parse(text: &str) -> Result<Vec<Reading>, NotAName> {
    let text = crate::nfc(text);
    let text = text.as_ref();
    let dict = NameDictionary::embedded();
    let (words, comma) = tokens(text);
    let words: Vec<String> = words
        .into_iter()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    if words.is_empty() {
        return Err(NotAName::NoLetters(text.to_owned()));
    }
    for w in &words {
        if !w.ends_with('.') {
            key(w)?;
        } else if !matches!(script_of(w), Script::Cyrillic | Script::Latin) {
            return Err(NotAName::OtherScript(w.clone()));
        }
    }
    let toks: Vec<Token> = words.iter().map(|w| token_features(w, dict)).collect();
    use NamePart::{Given as G, Patronymic as P, Surname as S};
    // Candidate orders with a prior for how often clerks use them.
    let n = toks.len();
    let mut orders: Vec<(Vec<NamePart>, f64)> = match n {
        1 => vec![(vec![S], 0.0), (vec![G], -1.0)],
        2 => vec![(vec![S, G], 0.3), (vec![G, S], 0.0)],
        3 => vec![
            (vec![S, G, P], 0.5),
            (vec![G, P, S], 0.2),
            (vec![G, S, P], -1.5),
        ],
        _ => {
            // Extra tokens go to the surname (double surnames, maiden names).
            let mut front = vec![S; n - 2];
            front.extend([G, P]);
            let mut back = vec![G, P];
            back.extend(vec![S; n - 2]);
            vec![(front, 0.3), (back, 0.0)]
        }
    };
    if let Some(c) = comma {
        // "Surname, Given Patronymic": the part before the comma is the surname.
        orders.retain(|(o, _)| {
            o.iter().take(c).all(|p| *p == S) && o.iter().skip(c).all(|p| *p != S)
        });
        if orders.is_empty() {
            let mut o = vec![S; c.min(n)];
            o.extend([G, P].into_iter().take(n - c.min(n)));
            o.resize(n, S);
            orders.push((o, 0.0));
        }
    }
    let mut scored: Vec<(Vec<NamePart>, f64)> = orders
        .into_iter()
        .map(|(order, prior)| {
            let s = prior
                + order
                    .iter()
                    .zip(&toks)
                    .map(|(p, t)| fit(t, *p))
                    .sum::<f64>();
            (order, s)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    let max = scored.first().map_or(0.0, |s| s.1);
    let total: f64 = scored.iter().map(|s| (s.1 - max).exp()).sum();
    Ok(scored
        .into_iter()
        .map(|(order, s)| {
            let join = |part: NamePart| {
                let parts: Vec<&str> = order
                    .iter()
                    .zip(&words)
                    .filter(|(p, _)| **p == part)
                    .map(|(_, w)| w.as_str())
                    .collect();
                (!parts.is_empty()).then(|| parts.join(" "))
            };
            Reading {
                surname: join(S),
                given: join(G),
                patronymic: join(P),
                order: order
                    .iter()
                    .map(|p| match p {
                        S => "surname",
                        G => "given",
                        P => "patronymic",
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                confidence: (s - max).exp() / total,
            }
        })
        .collect())
}

/// The keys of the best reading of a full name.
pub fn name_key(text: &str) -> Result<NameKey, NotAName> {
    let readings = parse(text)?;
    let Some(best) = readings.first() else {
        return Err(NotAName::NoLetters(text.to_owned()));
    };
    NameKey::of_parts(
        best.surname.as_deref(),
        best.given.as_deref(),
        best.patronymic.as_deref(),
    )
}

impl NameKey {
    /// The keys of a name already split into its parts (register columns).
    pub fn of_parts(
        surname: Option<&str>,
        given: Option<&str>,
        patronymic: Option<&str>,
    ) -> Result<NameKey, NotAName> {
        fn present(p: Option<&str>) -> Option<&str> {
            p.map(str::trim).filter(|t| !t.is_empty())
        }
        let dict = NameDictionary::embedded();
        let surname = match present(surname) {
            Some(s) => {
                let parts: Result<Vec<String>, NotAName> =
                    s.split_whitespace().map(surname_stem_key).collect();
                Some(parts?.join("-"))
            }
            None => None,
        };
        // An initial keys as its first symbol and a dot; a name in the dictionary as its
        // class; anything else as its phonetic key.
        let part_key = |part: Option<&str>,
                        class: &dyn Fn(&str) -> Option<String>|
         -> Result<Option<String>, NotAName> {
            Ok(match part {
                Some(t) if t.ends_with('.') => Some(format!(
                    "{}.",
                    key(t.trim_end_matches('.'))?.chars().next().unwrap_or('?')
                )),
                Some(t) => Some(match class(t) {
                    Some(class_key) => class_key,
                    None => key(t)?,
                }),
                None => None,
            })
        };
        let given = part_key(present(given), &|t| {
            dict.given(t).first().map(|c| c.class_key())
        })?;
        let patronymic = part_key(present(patronymic), &|t| {
            dict.patronymic(t).first().map(|(c, _)| c.class_key())
        })?;
        Ok(NameKey {
            surname,
            given,
            patronymic,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(s: &str) -> Reading {
        parse(s).unwrap().remove(0)
    }

    #[test]
    fn official_order_is_read() {
        let r = best("Олійник Олександр Петрович");
        assert_eq!(r.surname.as_deref(), Some("Олійник"));
        assert_eq!(r.given.as_deref(), Some("Олександр"));
        assert_eq!(r.patronymic.as_deref(), Some("Петрович"));
        assert!(r.confidence > 0.9, "{r:?}");
    }

    #[test]
    fn a_misspelt_given_name_is_told_from_the_surname_by_its_shape() {
        // Neither `Raman` nor `Vlasimir` is in the dictionary: the surname's ending says
        // which word is which.
        for (text, surname) in [
            ("Raman Yakavenko", "Yakavenko"),
            ("Vlasimir Kovtunenskiy", "Kovtunenskiy"),
            ("Baris Karpenko", "Karpenko"),
            ("Дмтро Ковальчук", "Ковальчук"),
            ("Ткачук Волдимир", "Ткачук"),
        ] {
            assert_eq!(best(text).surname.as_deref(), Some(surname), "{text}");
        }
        // Two words without a known name or a surname's ending keep the usual order.
        assert_eq!(best("Хмара Зорян").surname.as_deref(), Some("Хмара"));
    }

    #[test]
    fn the_orders_clerks_use_are_read() {
        let r = best("Олександр Петрович Олійник");
        assert_eq!(
            (r.given.as_deref(), r.surname.as_deref()),
            (Some("Олександр"), Some("Олійник"))
        );
        let r = best("Oleksandr Oliinyk");
        assert_eq!(r.surname.as_deref(), Some("Oliinyk"));
        let r = best("OLIINYK Oleksandr");
        assert_eq!(r.surname.as_deref(), Some("OLIINYK"));
        let r = best("Коваленко, Ігор Петрович");
        assert_eq!(r.surname.as_deref(), Some("Коваленко"));
        let r = best("Коваленко О.П.");
        assert_eq!(
            (
                r.surname.as_deref(),
                r.given.as_deref(),
                r.patronymic.as_deref()
            ),
            (Some("Коваленко"), Some("О."), Some("П."))
        );
        let r = best("O. P. Kovalenko");
        assert_eq!(r.surname.as_deref(), Some("Kovalenko"));
    }

    #[test]
    fn every_spelling_of_the_first_paragraph_has_the_same_keys() {
        let reference = name_key("Олійник Олександр Петрович").unwrap();
        let russian = name_key("Олейник Александр Петрович").unwrap();
        assert_eq!(reference, russian);
        for s in [
            "Oliinyk Oleksandr",
            "OLEINIK ALEKSANDR",
            "Oleynik Alexandre",
            "Олiйник Олександр",
        ] {
            let k = name_key(s).unwrap();
            assert_eq!(
                (k.surname.as_ref(), k.given.as_ref()),
                (reference.surname.as_ref(), reference.given.as_ref()),
                "{s}"
            );
        }
    }

    #[test]
    fn not_a_name_is_said() {
        assert!(parse("").is_err());
        assert!(parse(" , . ").is_err());
        assert!(parse("12345").is_err());
        assert!(parse("Ολίνικ Αλέξανδρος").is_err());
    }
}
