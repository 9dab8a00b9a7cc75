//! Comparison levels: how two people agree, field by field.
//!
//! Each field's comparison gives a level (0 = strongest agreement) or `NULL` when either
//! side lacks the field, which then carries no evidence either way.

use crate::record::{NamePart, Person};
use homeward_core::record::PartialDate;

/// Jaro–Winkler similarity without allocating: keys are short ASCII, and this runs for
/// every compared pair (strsim's allocates two vectors a call). Longer or non-ASCII text
/// goes to strsim.
fn jaro_winkler(a: &str, b: &str) -> f64 {
    const MAX: usize = 64;
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() > MAX || y.len() > MAX || !a.is_ascii() || !b.is_ascii() {
        return strsim::jaro_winkler(a, b);
    }
    if x.is_empty() || y.is_empty() {
        return if x.is_empty() && y.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    if x == y {
        return 1.0;
    }
    let window = (x.len().max(y.len()) / 2).saturating_sub(1);
    let (mut used_x, mut used_y) = ([false; MAX], [false; MAX]);
    let mut matches = 0usize;
    for (i, &c) in x.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(y.len());
        for j in lo..hi {
            if !used_y[j] && y[j] == c {
                used_x[i] = true;
                used_y[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let (mut transpositions, mut j) = (0usize, 0usize);
    for (i, &c) in x.iter().enumerate() {
        if !used_x[i] {
            continue;
        }
        while !used_y[j] {
            j += 1;
        }
        if c != y[j] {
            transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f64;
    let jaro =
        (m / x.len() as f64 + m / y.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0;
    let prefix = x.iter().zip(y).take(4).take_while(|(p, q)| p == q).count() as f64;
    jaro + prefix * 0.1 * (1.0 - jaro)
}

/// Number of compared fields.
pub const FIELDS: usize = 10;

/// The level of a field that one side lacks.
pub const NULL: u8 = 15;

/// A compared field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// Surname.
    Surname,
    /// Given name.
    Given,
    /// Patronymic.
    Patronymic,
    /// Birth date.
    Birth,
    /// Sex.
    Sex,
    /// Military unit.
    Unit,
    /// Service or document number.
    Number,
    /// Street address: token overlap.
    Address,
    /// Town or village (and region, birth place).
    Locality,
    /// Postal code.
    Postcode,
}

impl Field {
    /// Every field, in the order of comparison vectors.
    pub const ALL: [Field; FIELDS] = [
        Field::Surname,
        Field::Given,
        Field::Patronymic,
        Field::Birth,
        Field::Sex,
        Field::Unit,
        Field::Number,
        Field::Address,
        Field::Locality,
        Field::Postcode,
    ];

    /// Column name in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Surname => "surname",
            Field::Given => "given_name",
            Field::Patronymic => "patronymic",
            Field::Birth => "birth_date",
            Field::Sex => "sex",
            Field::Unit => "unit",
            Field::Number => "number",
            Field::Address => "address",
            Field::Locality => "locality",
            Field::Postcode => "postcode",
        }
    }

    /// Names of the levels, strongest first.
    pub fn levels(self) -> &'static [&'static str] {
        match self {
            Field::Surname => &[
                "exact",
                "same key",
                "same sound",
                "one edit (long)",
                "one edit (short)",
                "two edits or close key",
                "similar key",
                "different",
            ],
            Field::Given => &[
                "exact",
                "same name",
                "one edit",
                "two edits or close key",
                "similar key",
                "initial agrees",
                "different",
            ],
            Field::Patronymic => &[
                "same father's name",
                "close key",
                "initial agrees",
                "different",
            ],
            Field::Birth => &[
                "same date",
                "agrees where known",
                "day and month swapped",
                "one digit differs",
                "year ±1, same day and month",
                "same month",
                "same year",
                "year ±1",
                "different",
            ],
            Field::Sex => &["same", "different"],
            Field::Unit | Field::Number | Field::Postcode => &["exact", "one edit", "different"],
            Field::Address => &["mostly shared", "some shared", "none shared"],
            Field::Locality => &["exact", "close", "different"],
        }
    }
}

/// The levels of all fields for one pair.
pub type Vector = [u8; FIELDS];

/// Packs a vector into one integer, for counting distinct patterns.
pub fn pack(v: &Vector) -> u64 {
    v.iter()
        .fold(0_u64, |acc, &l| (acc << 4) | u64::from(l & 0x0F))
}

/// Unpacks [`pack`].
pub fn unpack(p: u64) -> Vector {
    let mut v = [0_u8; FIELDS];
    for (i, slot) in v.iter_mut().enumerate() {
        *slot = ((p >> (4 * (FIELDS - 1 - i))) & 0x0F) as u8;
    }
    v
}

/// The optimal-string-alignment distance of two keys (substitutions, insertions,
/// deletions, two neighbours swapped), or `None` when it exceeds `limit`. Without
/// allocating for keys up to 64 symbols: it runs for every compared pair whose names differ.
fn edits_within(a: &str, b: &str, limit: usize) -> Option<usize> {
    const MAX: usize = 64;
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len().abs_diff(y.len()) > limit {
        return None;
    }
    if x.len() >= MAX || y.len() >= MAX {
        let d = strsim::osa_distance(a, b);
        return (d <= limit).then_some(d);
    }
    // Three rows of the dynamic programme: i − 2, i − 1, i (only the cells a row reads are
    // ever written before they are read).
    let mut rows = [[0_u8; MAX + 1]; 3];
    for (j, cell) in rows[0].iter_mut().enumerate().take(y.len() + 1) {
        *cell = j as u8;
    }
    let limit8 = limit.min(usize::from(u8::MAX - 2)) as u8;
    for i in 1..=x.len() {
        let (cur, prev, before) = (i % 3, (i + 2) % 3, (i + 1) % 3);
        rows[cur][0] = i as u8;
        let mut best = i as u8;
        for j in 1..=y.len() {
            let cost = u8::from(x[i - 1] != y[j - 1]);
            let mut d = (rows[prev][j] + 1)
                .min(rows[cur][j - 1] + 1)
                .min(rows[prev][j - 1] + cost);
            if i > 1 && j > 1 && x[i - 1] == y[j - 2] && x[i - 2] == y[j - 1] {
                d = d.min(rows[before][j - 2] + 1);
            }
            rows[cur][j] = d;
            best = best.min(d);
        }
        if best > limit8 {
            return None;
        }
    }
    let d = usize::from(rows[x.len() % 3][y.len()]);
    (d <= limit).then_some(d)
}

/// Keys this long or longer are rarely one or two edits from a stranger's.
const LONG_KEY: usize = 7;

fn surname_level(a: &NamePart, b: &NamePart) -> u8 {
    if a.folded == b.folded {
        return 0;
    }
    if a.key == b.key {
        return 1;
    }
    if a.sound == b.sound {
        return 2;
    }
    // Typing errors on top of another spelling: edits on the key or on its sound (the
    // closer), then the Jaro–Winkler similarity of the key. Keys of four or more symbols
    // one edit apart, and of seven or more two edits apart, are at least 0.6 similar
    // (tested below), so the cheaper similarity settles most strangers first.
    let mut jw = jaro_winkler(&a.key, &b.key);
    if (0.6..0.92).contains(&jw) {
        jw = jw.max(jaro_winkler(&a.sound, &b.sound));
    }
    if jw >= 0.6 || a.key.len().min(b.key.len()) < 4 {
        let edits = edits_within(&a.key, &b.key, 2)
            .into_iter()
            .chain(edits_within(&a.sound, &b.sound, 1))
            .min();
        let long = a.key.len().min(b.key.len()) >= LONG_KEY;
        match edits {
            Some(1) if long => return 3,
            Some(1) => return 4,
            Some(2) if long => return 5,
            _ => {}
        }
    }
    if jw >= 0.92 {
        5
    } else if jw >= 0.85 {
        6
    } else {
        7
    }
}

/// The keys of every form of each given-name class (Олександр, Александр, Oleksandr,
/// Alexander …), to measure a misspelt name against the form it was written from.
fn class_keys(class: u32) -> &'static [String] {
    static KEYS: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    let keys = KEYS.get_or_init(|| {
        homeward_names::NameDictionary::embedded()
            .classes()
            .iter()
            .map(|c| {
                let mut k: Vec<String> = c
                    .ukrainian
                    .iter()
                    .chain(&c.russian)
                    .chain(&c.latin)
                    .filter_map(|f| homeward_names::key(f).ok())
                    .collect();
                k.sort_unstable();
                k.dedup();
                k
            })
            .collect()
    });
    keys.get(class as usize).map_or(&[], Vec::as_slice)
}

/// Edits between a name without a class (a misspelt or rare name) and the nearest form
/// of the other's class, or its key.
fn given_edits(a: &NamePart, b: &NamePart) -> Option<usize> {
    let direct = edits_within(&a.key, &b.key, 2);
    let nearest = |lone: &NamePart, known: &NamePart| {
        if lone.class != u32::MAX || known.class == u32::MAX {
            return None;
        }
        class_keys(known.class)
            .iter()
            .filter_map(|k| edits_within(&lone.key, k, 2))
            .min()
    };
    direct
        .into_iter()
        .chain(nearest(a, b))
        .chain(nearest(b, a))
        .min()
}

fn given_level(a: &NamePart, b: &NamePart) -> u8 {
    if a.initial || b.initial {
        return if a.initial_agrees(b) { 5 } else { 6 };
    }
    if a.folded == b.folded {
        return 0;
    }
    if (a.class != u32::MAX && a.class == b.class) || a.key == b.key {
        return 1;
    }
    // Two different names of the dictionary are two names (Олег and Олесь are one edit
    // apart); edits count where one of them is no name the dictionary knows.
    let known = a.class != u32::MAX && b.class != u32::MAX;
    let edits = if known { None } else { given_edits(a, b) };
    let long = a.key.len().min(b.key.len()) >= LONG_KEY - 2;
    match edits {
        Some(1) if long => return 2,
        Some(1) | Some(2) if long => return 3,
        _ => {}
    }
    let jw = jaro_winkler(&a.key, &b.key);
    if known && jw >= 0.8 {
        4
    } else if jw >= 0.92 {
        3
    } else if jw >= 0.8 {
        4
    } else {
        6
    }
}

fn patronymic_level(a: &NamePart, b: &NamePart) -> u8 {
    if a.initial || b.initial {
        return if a.initial_agrees(b) { 2 } else { 3 };
    }
    if a.folded == b.folded || (a.class != u32::MAX && a.class == b.class) || a.key == b.key {
        0
    } else if jaro_winkler(&a.key, &b.key) >= 0.9 {
        1
    } else {
        3
    }
}

/// Whether two digit strings of one length differ in exactly one place, or one is the
/// other with two neighbours swapped. (No allocation: this runs for every pair whose
/// dates differ.)
fn one_digit_apart(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() != y.len() || x == y {
        return false;
    }
    let mut first = None;
    let mut second = None;
    for i in 0..x.len() {
        if x[i] != y[i] {
            if first.is_none() {
                first = Some(i);
            } else if second.is_none() {
                second = Some(i);
            } else {
                return false;
            }
        }
    }
    match (first, second) {
        (Some(_), None) => true,
        (Some(i), Some(j)) => j == i + 1 && x[i] == y[j] && x[j] == y[i],
        _ => false,
    }
}

/// Whether two codes are at most one edit apart (substitution, insertion, deletion or
/// two neighbours swapped), without allocating.
fn within_one_edit(a: &str, b: &str) -> bool {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    if x.len() == y.len() {
        return one_digit_apart(a, b) || x == y;
    }
    let (short, long) = if x.len() < y.len() { (x, y) } else { (y, x) };
    if long.len() - short.len() != 1 {
        return false;
    }
    let skip = short.iter().zip(long).take_while(|(p, q)| p == q).count();
    short[skip..] == long[skip + 1..]
}

/// Birth dates compared; `digits` are the dates as written (YYYYMMDD when readable), used
/// when a date could not be read or differs by one slip of the pen.
fn birth_level(
    a: Option<PartialDate>,
    b: Option<PartialDate>,
    da: &Option<String>,
    db: &Option<String>,
) -> u8 {
    let (a, b) = match (a, b) {
        (Some(a), Some(b)) => (a, b),
        _ => {
            return match (da, db) {
                (Some(x), Some(y)) if x == y => 0,
                (Some(x), Some(y)) if one_digit_apart(x, y) => 3,
                (Some(_), Some(_)) => 8,
                _ => NULL,
            };
        }
    };
    let full = |d: PartialDate| d.month.is_some() && d.day.is_some();
    if full(a) && full(b) && a == b {
        return 0;
    }
    let agrees = a.year == b.year
        && a.month.zip(b.month).is_none_or(|(x, y)| x == y)
        && a.day.zip(b.day).is_none_or(|(x, y)| x == y);
    if agrees {
        return 1;
    }
    if a.year == b.year && a.month.is_some() && a.month == b.day && a.day == b.month {
        return 2;
    }
    if let (Some(x), Some(y)) = (da, db)
        && one_digit_apart(x, y)
    {
        return 3;
    }
    let near = (a.year - b.year).abs() == 1;
    if near && full(a) && full(b) && a.month == b.month && a.day == b.day {
        return 4;
    }
    if a.year == b.year && a.month.is_some() && a.month == b.month {
        return 5;
    }
    if a.year == b.year {
        return 6;
    }
    if near {
        return 7;
    }
    8
}

fn code_level(a: &str, b: &str) -> u8 {
    if a == b {
        0
    } else if a.len().abs_diff(b.len()) <= 1 && within_one_edit(a, b) {
        1
    } else {
        2
    }
}

fn place_level(a: &[String], b: &[String]) -> u8 {
    // Both sorted and deduplicated: a merge counts the shared tokens.
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - shared;
    if union > 0 && shared * 2 >= union {
        0
    } else if shared > 0 {
        1
    } else {
        2
    }
}

fn opt<T>(a: &Option<T>, b: &Option<T>, f: impl Fn(&T, &T) -> u8) -> u8 {
    match (a, b) {
        (Some(a), Some(b)) => f(a, b),
        _ => NULL,
    }
}

/// Compares two people. Surname and given name are also compared crosswise, and the
/// better reading is kept: clerks swap the columns.
pub fn compare(a: &Person, b: &Person) -> Vector {
    let straight = (
        opt(&a.surname, &b.surname, surname_level),
        opt(&a.given, &b.given, given_level),
    );
    let crossed = (
        opt(&a.surname, &b.given, surname_level),
        opt(&a.given, &b.surname, given_level),
    );
    let sum = |p: (u8, u8)| u16::from(p.0.min(7)) + u16::from(p.1.min(7));
    // Crossed only when the crossed reading agrees on one name (level 1 or better: the
    // same spelling or key) and is close on the other (a typing error on top of the
    // crossing, or a one-cell name whose order was misread because of it).
    // Or when both crossed names are within one edit (or a spelling) of each other: a
    // one-cell name whose given name is misspelt gives its parser no name to tell the
    // order by (`Борси Шечисчук` for Борис Шевчисчук, `Raman Yakavenko`).
    let crossed_fits = (crossed.0 <= 1 && crossed.1 <= 3)
        || (crossed.1 <= 1 && crossed.0 <= 5)
        || (crossed.0 <= 4 && crossed.1 <= 2);
    let (surname, mut given) = if straight.0 > 1 && crossed_fits && sum(crossed) < sum(straight) {
        crossed
    } else {
        straight
    };
    let mut patronymic = opt(&a.patronymic, &b.patronymic, patronymic_level);
    // Initials in the other order (`Шевченко Р. А.` for Олександр Романович): given name
    // and patronymic crossed, only where an initial stands for one of them (two full
    // names crossed are another man: Петро Іванович is not Іван Петрович).
    let initials = |p: &Person| {
        p.given.as_ref().is_some_and(|g| g.initial)
            || p.patronymic.as_ref().is_some_and(|g| g.initial)
    };
    if (given >= 5 || patronymic >= 2) && (initials(a) || initials(b)) {
        let g = opt(&a.given, &b.patronymic, given_level);
        let p = opt(&a.patronymic, &b.given, patronymic_level);
        if g <= 5
            && p <= 2
            && u16::from(g) + u16::from(p) < u16::from(given) + u16::from(patronymic)
        {
            (given, patronymic) = (g, p);
        }
    }
    [
        surname,
        given,
        patronymic,
        birth_level(a.birth, b.birth, &a.birth_digits, &b.birth_digits),
        opt(&a.sex, &b.sex, |x, y| u8::from(x != y)),
        opt(&a.unit, &b.unit, |x, y| code_level(x, y)),
        opt(&a.number, &b.number, |x, y| code_level(x, y)),
        if a.address_tokens.is_empty() || b.address_tokens.is_empty() {
            NULL
        } else {
            // Words run together or split apart ("leltaplace") still read as one address.
            let level = place_level(&a.address_tokens, &b.address_tokens);
            if level > 0 && jaro_winkler(&a.address_joined, &b.address_joined) >= 0.95 {
                0
            } else {
                level
            }
        },
        opt(&a.locality, &b.locality, |x, y| {
            if x == y {
                0
            } else if jaro_winkler(x, y) >= 0.88 {
                1
            } else {
                2
            }
        }),
        opt(&a.postcode, &b.postcode, |x, y| code_level(x, y)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RawPerson;

    fn person(full: &str, birth: &str) -> Person {
        Person::prepare(&RawPerson {
            id: full.into(),
            full_name: Some(full.into()),
            birth_date: birth.parse().ok(),
            ..Default::default()
        })
    }

    #[test]
    fn the_same_man_in_two_scripts_agrees_strongly() {
        let v = compare(
            &person("Олійник Олександр Петрович", "1990-03-04"),
            &person("Олейник Александр Петрович", "1990-04-03"),
        );
        assert_eq!(&v[..4], &[1, 1, 0, 2]);
    }

    #[test]
    fn swapped_columns_are_read_crosswise() {
        let a = Person::prepare(&RawPerson {
            id: "a".into(),
            surname: Some("Коваленко".into()),
            given_name: Some("Ігор".into()),
            ..Default::default()
        });
        let b = Person::prepare(&RawPerson {
            id: "b".into(),
            surname: Some("Ігор".into()),
            given_name: Some("Коваленко".into()),
            ..Default::default()
        });
        assert_eq!(&compare(&a, &b)[..2], &[0, 0]);
    }

    #[test]
    fn a_name_read_in_the_wrong_order_with_typing_errors_is_read_crosswise() {
        // `Борси` is no name, so the parser cannot tell the order of `Борси Шечисчук`.
        let a = Person::prepare(&RawPerson {
            id: "a".into(),
            surname: Some("Шевчисчук".into()),
            given_name: Some("Борис".into()),
            ..Default::default()
        });
        let b = Person::prepare(&RawPerson {
            id: "b".into(),
            surname: Some("Борси".into()),
            given_name: Some("Шечисчук".into()),
            ..Default::default()
        });
        let v = compare(&a, &b);
        assert!(v[0] <= 4 && v[1] <= 2, "{v:?}");
    }

    #[test]
    fn dates_in_levels() {
        let d = |s: &str| s.parse::<PartialDate>().ok();
        let n = &None;
        assert_eq!(birth_level(d("1990-03-04"), d("1990-03-04"), n, n), 0);
        assert_eq!(birth_level(d("1990"), d("1990-03-04"), n, n), 1);
        assert_eq!(birth_level(d("1990-03-04"), d("1990-04-03"), n, n), 2);
        assert_eq!(
            birth_level(
                None,
                None,
                &Some("19711219".into()),
                &Some("19711319".into())
            ),
            3
        );
        assert_eq!(birth_level(d("1989-03-04"), d("1990-03-04"), n, n), 4);
        assert_eq!(birth_level(d("1990-03-04"), d("1990-03-05"), n, n), 5);
        assert_eq!(birth_level(d("1990-03-04"), d("1990-07-05"), n, n), 6);
        assert_eq!(birth_level(d("1991-03-04"), d("1990-05-04"), n, n), 7);
        assert_eq!(birth_level(d("1970-03-04"), d("1990-03-04"), n, n), 8);
        assert_eq!(birth_level(d("1970-03-04"), None, n, n), NULL);
    }

    #[test]
    fn one_edit_agrees_with_strsim() {
        for (a, b) in [
            ("A1234", "A1243"),
            ("A1234", "A124"),
            ("A1234", "A12345"),
            ("A1234", "B1235"),
            ("1234", "1234"),
            ("12", "21x"),
        ] {
            assert_eq!(
                within_one_edit(a, b),
                strsim::osa_distance(a, b) <= 1,
                "{a} {b}"
            );
        }
    }

    #[test]
    fn jaro_winkler_agrees_with_strsim() {
        for (a, b) in [
            ("SivCinko", "sivcinko"),
            ("martha", "marhta"),
            ("dixon", "dicksonx"),
            ("kovalinko", "kovalenko"),
            ("a", "b"),
            ("abc", "abc"),
            ("bondarinko", "bandarininko"),
        ] {
            let ours = jaro_winkler(a, b);
            let theirs = strsim::jaro_winkler(a, b);
            assert!((ours - theirs).abs() < 1e-9, "{a} {b}: {ours} vs {theirs}");
        }
    }

    #[test]
    fn edits_agree_with_strsim() {
        for (a, b) in [
            ("kovalinko", "kovalenko"),
            ("kovalinko", "kovalnko"),
            ("kovalinko", "kvoalinko"),
            ("bondarinko", "bondrainko"),
            ("bondarinko", "bandarininko"),
            ("abc", "xyz"),
            ("", "ab"),
            ("SivCinko", "SivCinko"),
        ] {
            let d = strsim::osa_distance(a, b);
            for limit in 0..3 {
                assert_eq!(
                    edits_within(a, b, limit),
                    (d <= limit).then_some(d),
                    "{a} {b} {limit}"
                );
            }
        }
    }

    #[test]
    fn keys_within_the_counted_edits_are_at_least_0_6_similar() {
        let words = [
            "ab",
            "kovalinko",
            "bondarinko",
            "SivCinko",
            "boiko",
            "lis",
            "gucak",
        ];
        let alphabet = b"aSCkoi";
        for w in words {
            // Every one-edit variant (substitution, deletion, insertion, swap), and for
            // long keys every two-edit variant built from them.
            let one = |w: &str| -> Vec<String> {
                let b = w.as_bytes();
                let mut out = Vec::new();
                for i in 0..=b.len() {
                    for &c in alphabet {
                        let mut v = b.to_vec();
                        v.insert(i, c);
                        out.push(String::from_utf8(v).unwrap_or_default());
                        if i < b.len() {
                            let mut v = b.to_vec();
                            v[i] = c;
                            out.push(String::from_utf8(v).unwrap_or_default());
                        }
                    }
                    if i < b.len() {
                        let mut v = b.to_vec();
                        v.remove(i);
                        out.push(String::from_utf8(v).unwrap_or_default());
                    }
                    if i + 1 < b.len() {
                        let mut v = b.to_vec();
                        v.swap(i, i + 1);
                        out.push(String::from_utf8(v).unwrap_or_default());
                    }
                }
                out
            };
            for v in one(w) {
                if v.len() >= 4 && w.len() >= 4 {
                    assert!(jaro_winkler(w, &v) >= 0.6, "{w} {v}");
                }
                if w.len() >= LONG_KEY {
                    for v2 in one(&v) {
                        if v2.len() >= LONG_KEY {
                            assert!(jaro_winkler(w, &v2) >= 0.6, "{w} {v2}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_misspelt_given_name_is_one_edit_from_its_form() {
        let level = |a: &str, b: &str| {
            compare(
                &person(&format!("Ткачук {a}"), ""),
                &person(&format!("Ткачук {b}"), ""),
            )[1]
        };
        // Геннадіц is no name; it is one edit from Геннадій, a form of Геннадий's class.
        assert_eq!(level("Геннадіц", "Геннадий"), 2);
        // Two names of the dictionary are two names, however close.
        assert!(level("Олег", "Олесь") >= 4);
    }

    #[test]
    fn vectors_pack_and_unpack() {
        let v: Vector = [0, 1, NULL, 6, 1, 2, NULL, 0, 7, NULL];
        assert_eq!(unpack(pack(&v)), v);
    }
}
