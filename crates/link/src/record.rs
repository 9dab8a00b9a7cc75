//! A person prepared for comparison: names read by the names crate into keys and classes,
//! dates parsed, codes and free text normalised. Preparation is done once per record; the
//! millions of comparisons afterwards only look at these fields.

use homeward_core::record::PartialDate;
use homeward_import::{Role, parse_date};
use homeward_names::{NameDictionary, fold, key, parse, surname_stem_key};

/// The fields of one list row, as the caller read them (already mapped to roles).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPerson {
    /// The row's identifier in its list.
    pub id: String,
    /// The whole name in one cell, any order and script.
    pub full_name: Option<String>,
    /// Surname.
    pub surname: Option<String>,
    /// Given name(s).
    pub given_name: Option<String>,
    /// Patronymic.
    pub patronymic: Option<String>,
    /// Birth date.
    pub birth_date: Option<PartialDate>,
    /// The birth date as written, when it could not be read as a date (a clerk's slip:
    /// `19450493`); compared digit by digit.
    pub birth_text: Option<String>,
    /// Sex, as written (m/f/ч/ж/м).
    pub sex: Option<String>,
    /// Codes compared exactly or within one edit: unit, service number, document number.
    pub unit: Option<String>,
    /// Service number.
    pub service_number: Option<String>,
    /// Identity document number.
    pub document_number: Option<String>,
    /// Free text compared by token overlap: address, locality, region, birth place, postcode.
    pub address: Option<String>,
    /// Town or village.
    pub locality: Option<String>,
    /// Postal code.
    pub postcode: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Place of birth.
    pub birth_place: Option<String>,
    /// A clerk's note; a birth year written there (`1987 г.р.`) stands in for a missing date.
    pub note: Option<String>,
}

impl RawPerson {
    /// A list row as a person to link, its values read by column role (the one mapping of
    /// import's roles to linkage fields, for reconciliation, `homeward link` and the tests).
    /// An unreadable birth date is kept as written (compared digit by digit) and its reason
    /// returned for the caller's report.
    pub fn from_row(
        id: String,
        value: &dyn Fn(Role) -> Option<String>,
    ) -> (RawPerson, Option<String>) {
        let birth = value(Role::BirthDate);
        let (birth_date, birth_text, problem) = match birth.as_deref().map(parse_date) {
            Some(Ok(d)) => (d, None, None),
            Some(Err(why)) => (None, birth.clone(), Some(why)),
            None => (None, None, None),
        };
        let person = RawPerson {
            id,
            full_name: value(Role::FullName),
            surname: value(Role::Surname),
            given_name: value(Role::GivenName),
            patronymic: value(Role::Patronymic),
            birth_date,
            birth_text,
            sex: value(Role::Sex),
            unit: value(Role::Unit),
            service_number: value(Role::ServiceNumber),
            document_number: value(Role::DocumentNumber),
            address: value(Role::Address),
            locality: value(Role::Locality),
            postcode: value(Role::Postcode),
            region: value(Role::Region),
            birth_place: value(Role::BirthPlace),
            note: value(Role::Note),
        };
        (person, problem)
    }
}

/// A name part read for comparison.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamePart {
    /// Folded spelling (exact comparison).
    pub folded: String,
    /// Canonical phonetic key.
    pub key: String,
    /// Equivalence class (given names and patronymics), `u32::MAX` if none.
    pub class: u32,
    /// Only an initial was written.
    pub initial: bool,
    /// The sound of the key ([`sound`]): what romanisation families and spelling by ear
    /// leave of a name.
    pub sound: String,
    /// The first letters (of the keys) the name may be written with as an initial: every
    /// form of its class (Олександр is О. or А., Олена О. or Е., Юрій Ю. or Y.), or the
    /// key's own first letter. A set of key symbols, one bit each ([`initial_bit`]).
    pub initials: u64,
}

/// The bit of a key symbol in [`NamePart::initials`].
pub fn initial_bit(symbol: u8) -> u64 {
    1 << (symbol & 63)
}

/// The initials a given-name class may be written with: the first key symbol of each of
/// its forms.
fn class_initials(class: u32) -> u64 {
    let Some(c) = NameDictionary::embedded().classes().get(class as usize) else {
        return 0;
    };
    c.ukrainian
        .iter()
        .chain(&c.russian)
        .chain(&c.latin)
        .filter_map(|form| key(form).ok()?.bytes().next())
        .fold(0, |acc, b| acc | initial_bit(b))
}

/// A coarser reading of a canonical key, where the letters that spelling traditions,
/// copying letter by letter and hearing disagree on fall together: ж/ш/щ/з/с, ч/ц/к
/// (Polish and letter-by-letter `c`), г/х/к, voiced and voiceless pairs, о/а (akanye),
/// all front vowels. For blocking and one comparison level; never for deciding alone.
pub fn sound(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for c in key.chars() {
        let s = match c {
            'S' | 's' | 'z' => 's',
            'C' | 'c' | 'k' | 'g' => 'k',
            'd' => 't',
            'b' => 'p',
            'v' | 'w' => 'f',
            'o' | 'a' => 'a',
            'i' | 'e' | 'y' | 'j' => 'i',
            other => other,
        };
        if !out.ends_with(s) {
            out.push(s);
        }
    }
    out
}

impl NamePart {
    /// The first letter of the key, for initials.
    pub fn first(&self) -> Option<u8> {
        self.key.bytes().next()
    }

    /// Whether two parts, one of them an initial, may be the same name: the initial is one
    /// the other's name is written with in some form.
    pub fn initial_agrees(&self, other: &NamePart) -> bool {
        self.initials & other.initials != 0
    }
}

/// A person ready to be compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Person {
    /// The row's identifier in its list.
    pub id: String,
    /// Surname (masculine stem key: husband and wife, brother and sister agree).
    pub surname: Option<NamePart>,
    /// Given name.
    pub given: Option<NamePart>,
    /// Patronymic (class = the father's given-name class).
    pub patronymic: Option<NamePart>,
    /// Birth date.
    pub birth: Option<PartialDate>,
    /// Birth date digits, year first (YYYYMMDD), also for dates that could not be read.
    pub birth_digits: Option<String>,
    /// 'm' or 'f'.
    pub sex: Option<u8>,
    /// Unit, normalised.
    pub unit: Option<String>,
    /// Service or document number, normalised.
    pub number: Option<String>,
    /// Sorted, deduplicated tokens of the street address.
    pub address_tokens: Vec<String>,
    /// The address tokens run together (words written together or apart).
    pub address_joined: String,
    /// Locality (or birth place), folded, with the region.
    pub locality: Option<String>,
    /// Postal code, normalised.
    pub postcode: Option<String>,
}

/// The digits of a date, year first: `03.07.1999` → `19990703`.
fn date_digits(date: Option<PartialDate>, text: Option<&str>) -> Option<String> {
    if let Some(d) = date
        && let (Some(m), Some(day)) = (d.month, d.day)
    {
        return Some(format!("{:04}{m:02}{day:02}", d.year));
    }
    let text = text?;
    let parts: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let digits = match parts.as_slice() {
        [d, m, y] if y.len() == 4 => format!("{y}{m:0>2}{d:0>2}"),
        _ => parts.concat(),
    };
    (digits.len() >= 6).then_some(digits)
}

const NO_CLASS: u32 = u32::MAX;

/// A birth year standing alone in free text (`со слов 1987 г.р.`, `(1982)`, `b. 1990`):
/// four digits from 1900 to 2030 that are not part of a longer number or of a date.
pub fn year_in_text(text: &str) -> Option<i32> {
    let mut years = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| run.len() == 4)
        .filter_map(|run| run.parse::<i32>().ok())
        .filter(|y| (1900..=2030).contains(y));
    let year = years.next()?;
    // Two years, or a year among other numbers, is not one person's birth year.
    let numbers = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|run| !run.is_empty())
        .count();
    (years.next().is_none() && numbers == 1).then_some(year)
}

/// What is still readable of a date written wrong (`14.83.2001`, `33.05.1994`,
/// `1990-13-02`): one digit slipped, so the year is most likely right, and the month when
/// it is a month. `None` unless the text is a whole date, day, month and year.
pub fn readable_part_of_date(text: &str) -> Option<PartialDate> {
    let parts: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .collect();
    let (year, month) = match parts.as_slice() {
        [d, m, y] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => (y, m),
        [y, m, d] if y.len() == 4 && d.len() <= 2 && m.len() <= 2 => (y, m),
        _ => return None,
    };
    let year: i32 = year.parse().ok().filter(|y| (1900..=2030).contains(y))?;
    let month = month.parse::<u8>().ok().filter(|m| (1..=12).contains(m));
    Some(PartialDate {
        year,
        month,
        day: None,
    })
}

/// A birth year in a clerk's note: a year standing alone ([`year_in_text`]) beside a word
/// that says it is the birth year (`1987 г.р.`, `р.н. 1990`, `born 1982`, `(1979)`), so
/// that a note's year of capture or release is never taken for one.
pub fn birth_year_in_note(note: &str) -> Option<i32> {
    let year = year_in_text(note)?;
    let folded: String = fold(note).chars().filter(|c| !c.is_whitespace()).collect();
    let marked = [
        "г.р",
        "гр.",
        "р.н",
        "рн.",
        "рік народження",
        "року народження",
        "годрожд",
        "родил",
        "народив",
        "born",
        "b.",
        "dob",
        "yob",
    ]
    .iter()
    .any(|m| folded.contains(&m.replace(' ', "")))
        || folded.contains(&format!("({year})"));
    marked.then_some(year)
}

/// The name cell without what clerks add after the name: a birth year and its marks
/// (`Ткаченко Михайло, 1982 г.р.`, `TKATCHENKO, (1982)`).
fn name_without_year(full: &str) -> &str {
    let cut = full
        .find(|c: char| c.is_ascii_digit() || c == '(')
        .unwrap_or(full.len());
    full[..cut].trim_end_matches([' ', ',', ';'])
}

/// A unit as compared: the code, without the words clerks write before it
/// (`в/ч А1234`, `військова частина А1234`, `войсковая часть A1234` → `A1234`).
fn unit_code(s: &str) -> Option<String> {
    // The words are stripped before the look-alike letters are made Latin (В/Ч would
    // otherwise read `BЧ` and never match its prefix).
    let upper: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    for prefix in ["ВІЙСЬКОВАЧАСТИНА", "ВОЙСКОВАЯЧАСТЬ", "ВОИНСКАЯЧАСТЬ", "ВЧ"]
    {
        if let Some(rest) = upper.strip_prefix(prefix)
            && !rest.is_empty()
        {
            return normalise_code(rest);
        }
    }
    normalise_code(&upper)
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A code as compared: upper case, letters and digits only, Cyrillic look-alikes made Latin
/// (А1234 and A1234 are the same unit number).
pub fn normalise_code(s: &str) -> Option<String> {
    let out: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .map(|c| match c {
            'А' => 'A',
            'В' => 'B',
            'Е' => 'E',
            'К' => 'K',
            'М' => 'M',
            'Н' => 'H',
            'О' => 'O',
            'Р' => 'P',
            'С' => 'C',
            'Т' => 'T',
            'Х' => 'X',
            'І' => 'I',
            other => other,
        })
        .collect();
    (!out.is_empty()).then_some(out)
}

fn part(text: &str, class: impl Fn(&str) -> Option<u32>, surname: bool) -> Option<NamePart> {
    let t = text.trim();
    let initial = t.trim_end_matches('.').chars().count() == 1;
    let key = if surname {
        surname_stem_key(t)
    } else {
        key(t.trim_end_matches('.'))
    }
    .ok()?;
    let class = if initial {
        NO_CLASS
    } else {
        class(t).unwrap_or(NO_CLASS)
    };
    let own = key.bytes().next().map_or(0, initial_bit);
    Some(NamePart {
        folded: fold(t),
        class,
        sound: sound(&key),
        initials: if class == NO_CLASS {
            own
        } else {
            own | class_initials(class)
        },
        key,
        initial,
    })
}

impl Person {
    /// Prepares a raw row. Names in one cell are parsed (any order, any script); names in
    /// columns are taken as given.
    pub fn prepare(raw: &RawPerson) -> Person {
        let dict = NameDictionary::embedded();
        let class_index = |t: &str| -> Option<u32> { dict.given_ids(t).first().map(|&i| i as u32) };
        let patronymic_index = |t: &str| -> Option<u32> { dict.patronymic_id(t).map(|i| i as u32) };
        let (mut surname, mut given, mut patronymic) = (
            non_empty(&raw.surname).map(str::to_owned),
            non_empty(&raw.given_name).map(str::to_owned),
            non_empty(&raw.patronymic).map(str::to_owned),
        );
        if surname.is_none() && given.is_none() {
            if let Some(full) = non_empty(&raw.full_name).map(name_without_year)
                && let Some(best) = parse(full).ok().and_then(|r| r.into_iter().next())
            {
                surname = best.surname;
                given = best.given;
                patronymic = patronymic.or(best.patronymic);
            }
        } else if let Some(g) = &given {
            // "Олександр Петрович" in the given-name column: split off the patronymic.
            let mut words = g.split_whitespace();
            if let (Some(first), Some(second), None) = (words.next(), words.next(), words.next())
                && patronymic.is_none()
                && !dict.patronymic(second).is_empty()
            {
                patronymic = Some(second.to_owned());
                given = Some(first.to_owned());
            }
        }
        // Surname and given name crossed (in the columns, or in a cell's unusual order):
        // the surname holds a known given name and the given name none.
        if let (Some(s), Some(g)) = (&surname, &given)
            && !dict.given_ids(s).is_empty()
            && dict
                .given_ids(g.split_whitespace().next().unwrap_or(g))
                .is_empty()
            && g.trim_end_matches('.').chars().count() > 1
        {
            std::mem::swap(&mut surname, &mut given);
        }
        // A birth date that is only a year in free text (the date cell, the name cell, or a
        // note that says it is the birth year) is a year; the placeholder 01.01.YYYY says
        // only the year too.
        // A date written wrong keeps what is readable of it.
        let mut birth = raw
            .birth_date
            .or_else(|| raw.birth_text.as_deref().and_then(readable_part_of_date))
            .or_else(|| {
                raw.birth_text
                    .as_deref()
                    .and_then(year_in_text)
                    .or_else(|| raw.full_name.as_deref().and_then(year_in_text))
                    .or_else(|| raw.note.as_deref().and_then(birth_year_in_note))
                    .map(|year| PartialDate {
                        year,
                        month: None,
                        day: None,
                    })
            });
        let mut birth_text = raw.birth_text.as_deref();
        if let Some(b) = birth
            && b.month == Some(1)
            && b.day == Some(1)
        {
            birth = Some(PartialDate {
                month: None,
                day: None,
                ..b
            });
            birth_text = None;
        }
        let sex = non_empty(&raw.sex).and_then(|s| match s.to_lowercase().chars().next() {
            Some('m' | 'ч' | 'м') => Some(b'm'),
            Some('f' | 'ж' | 'w') => Some(b'f'),
            _ => None,
        });
        let number = non_empty(&raw.service_number)
            .or(non_empty(&raw.document_number))
            .and_then(normalise_code);
        let mut address_tokens: Vec<String> = non_empty(&raw.address)
            .map(|a| {
                fold(a)
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|t| !t.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        address_tokens.sort_unstable();
        address_tokens.dedup();
        let locality = [
            non_empty(&raw.locality).or(non_empty(&raw.birth_place)),
            non_empty(&raw.region),
        ]
        .into_iter()
        .flatten()
        .map(fold)
        .collect::<Vec<_>>()
        .join(" ");
        Person {
            id: raw.id.clone(),
            surname: surname.as_deref().and_then(|s| part(s, |_| None, true)),
            given: given.as_deref().and_then(|g| part(g, class_index, false)),
            patronymic: patronymic
                .as_deref()
                .and_then(|p| part(p, patronymic_index, false)),
            birth,
            // A partial date's digits say nothing more, unless the date was written in
            // full and wrong: then they are compared digit by digit.
            birth_digits: if birth.is_some_and(|b| b.day.is_none()) && birth_text.is_none() {
                None
            } else {
                date_digits(birth, birth_text)
            },
            sex,
            unit: non_empty(&raw.unit).and_then(unit_code),
            number,
            address_joined: address_tokens.concat(),
            address_tokens,
            locality: (!locality.is_empty()).then_some(locality),
            postcode: non_empty(&raw.postcode).and_then(normalise_code),
        }
    }

    /// Whether the person has anything to compare by name.
    pub fn has_name(&self) -> bool {
        self.surname.is_some() || self.given.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_cell_and_columns_give_the_same_person() {
        let columns = Person::prepare(&RawPerson {
            id: "1".into(),
            surname: Some("Олійник".into()),
            given_name: Some("Олександр".into()),
            patronymic: Some("Петрович".into()),
            ..Default::default()
        });
        let cell = Person::prepare(&RawPerson {
            id: "2".into(),
            full_name: Some("Олейник Александр Петрович".into()),
            ..Default::default()
        });
        let latin = Person::prepare(&RawPerson {
            id: "3".into(),
            full_name: Some("OLEINIK ALEKSANDR".into()),
            ..Default::default()
        });
        for p in [&cell, &latin] {
            assert_eq!(
                p.surname.as_ref().map(|s| &s.key),
                columns.surname.as_ref().map(|s| &s.key)
            );
            assert_eq!(
                p.given.as_ref().map(|s| s.class),
                columns.given.as_ref().map(|s| s.class)
            );
        }
        assert_eq!(
            cell.patronymic.as_ref().map(|s| s.class),
            columns.patronymic.as_ref().map(|s| s.class)
        );
        assert_ne!(columns.given.as_ref().map(|g| g.class), Some(NO_CLASS));
    }

    #[test]
    fn a_birth_year_in_a_note_stands_in_for_a_missing_date() {
        let row = |note: &str| {
            Person::prepare(&RawPerson {
                id: "1".into(),
                surname: Some("Ткачук".into()),
                note: Some(note.into()),
                ..Default::default()
            })
            .birth
            .map(|b| b.year)
        };
        assert_eq!(row("со слов 1987 г.р."), Some(1987));
        assert_eq!(row("р.н. 1990, поранений"), Some(1990));
        assert_eq!(row("born 1982"), Some(1982));
        assert_eq!(row("(1979)"), Some(1979));
        // A year without a word for birth is a capture or a release, not a birth year.
        assert_eq!(row("задержан 2023"), None);
        assert_eq!(row("ранен"), None);
        // A date in its own column wins over the note.
        let dated = Person::prepare(&RawPerson {
            id: "2".into(),
            surname: Some("Ткачук".into()),
            birth_date: "1988-02-03".parse().ok(),
            note: Some("1987 г.р.".into()),
            ..Default::default()
        });
        assert_eq!(dated.birth.map(|b| b.year), Some(1988));
    }

    #[test]
    fn a_row_is_read_by_its_columns_roles() {
        let headers: Vec<String> = ["ПІБ", "дата народження", "примітка"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let map = homeward_import::ColumnMap::from_headers(&headers, &[]).unwrap_or_default();
        let cells: Vec<String> = ["Ткачук Іван", "31.02.1990", "1987 г.р."]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (raw, problem) = RawPerson::from_row("7".into(), &|role| map.value(role, &cells));
        assert_eq!(raw.full_name.as_deref(), Some("Ткачук Іван"));
        assert_eq!(raw.birth_text.as_deref(), Some("31.02.1990"));
        assert!(problem.is_some(), "an impossible date is reported");
        assert_eq!(raw.note.as_deref(), Some("1987 г.р."));
    }

    #[test]
    fn a_date_written_wrong_keeps_its_year_and_month() {
        let part = |t: &str| readable_part_of_date(t).map(|d| (d.year, d.month, d.day));
        assert_eq!(part("14.83.2001"), Some((2001, None, None)));
        assert_eq!(part("33.05.1994"), Some((1994, Some(5), None)));
        assert_eq!(part("1990-13-02"), Some((1990, None, None)));
        assert_eq!(part("со слов 1987"), None, "not a whole date");
        assert_eq!(part("12.05.0994"), None, "no birth year");
        // Prepared, the year stands in for the date and the digits are still compared.
        let p = Person::prepare(&RawPerson {
            id: "1".into(),
            surname: Some("Ткачук".into()),
            birth_text: Some("14.83.2001".into()),
            ..Default::default()
        });
        assert_eq!(p.birth.map(|b| b.year), Some(2001));
        assert_eq!(p.birth_digits.as_deref(), Some("20018314"));
    }

    #[test]
    fn a_unit_is_its_code_whatever_words_come_before_it() {
        for written in [
            "А1234",
            "A1234",
            "в/ч А1234",
            "в/чA1234",
            "військова частина А1234",
            "войсковая часть A1234",
            "В/Ч А1234",
        ] {
            assert_eq!(unit_code(written).as_deref(), Some("A1234"), "{written}");
        }
    }

    #[test]
    fn codes_ignore_case_spacing_and_look_alikes() {
        assert_eq!(normalise_code("а 1234"), Some("A1234".into()));
        assert_eq!(normalise_code("A-1234"), Some("A1234".into()));
        assert_eq!(normalise_code(" - "), None);
    }
}
