//! Test lists as clerks write them, for measuring record linkage on lists it was not built
//! from. Synthetic people only.
//!
//! A **request list** (one party's, in structured Ukrainian columns: surname, given name,
//! patronymic, birth date, unit, category) against a **holding register** (the other
//! side's, one free-text name cell in any script, spelling and order). Every true pair is
//! labelled with the variation it carries ([`Class`]), so that recall can be measured per
//! class. The model and its rates are in this crate's README; nothing here is taken from
//! `homeward synth` (crates/demo) or from the names crate.

mod people;
mod spelling;
mod written;

pub use spelling::Spelling;

use people::{Person, Population, Sex};
use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};
use spelling::{Latin, capitalise, lookalikes, russian_surname};
use std::collections::BTreeSet;
use written::{HOLDING_DATES, REQUEST_DATES, draw_date, typos, unit_written, write_date};

/// The variation a true pair carries. A pair may carry several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Nothing varied but the script and spelling.
    Clean,
    /// Birth date missing in the request list.
    DateMissingRequest,
    /// Birth date missing in the holding register.
    DateMissingHolding,
    /// Only the birth year written (either side).
    YearOnly,
    /// Only a birth year, and that inside free text (the name cell or a note in the date
    /// cell: `1987 г.р.`, `со слов 1987`).
    YearInText,
    /// Birth year off by one.
    YearOffByOne,
    /// One digit of the date wrong.
    DateDigit,
    /// The placeholder 01.01.YYYY for an unknown day and month.
    DatePlaceholder,
    /// Day and month swapped.
    DayMonthSwapped,
    /// One typing error in a name.
    Typo1,
    /// Two typing errors in the names.
    Typo2,
    /// Surname and given name swapped in the request list's columns.
    ColumnsSwapped,
    /// Given name and patronymic both in the given-name column.
    GivenWithPatronymic,
    /// Initials instead of the given name and patronymic.
    Initials,
    /// Given name first in the holding cell.
    GivenFirst,
    /// Another order of the parts (surname last after a patronymic, patronymic first…).
    OtherOrder,
    /// No patronymic on one side.
    NoPatronymic,
    /// Russian forms in the request list (a family that wrote in Russian).
    RequestInRussian,
    /// The holder's spelling family (see [`Spelling`]).
    Spelling(Spelling),
    /// кс written x (Olexandr, Maxim, Oxana).
    XSpelling,
    /// Cyrillic typed partly with Latin look-alike letters.
    LookalikeLetters,
    /// The unit written with a prefix or in Latin letters, or one character wrong.
    UnitWritten,
    /// The holder registered this person twice; this pair is one of the two.
    RegisteredTwice,
    /// Someone else in the population has the same surname and given name.
    HasNamesake,
    /// A brother (same surname and father) is in the population.
    HasBrother,
    /// A twin (same birth date, surname and father) is in the population.
    Twin,
    /// A civilian (no unit; women among them).
    Civilian,
    /// A woman.
    Female,
}

impl Class {
    /// The class's name in truth files.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Clean => "clean",
            Class::DateMissingRequest => "date_missing_request",
            Class::DateMissingHolding => "date_missing_holding",
            Class::YearOnly => "year_only",
            Class::YearInText => "year_in_text",
            Class::YearOffByOne => "year_off_by_one",
            Class::DateDigit => "date_digit",
            Class::DatePlaceholder => "date_placeholder",
            Class::DayMonthSwapped => "day_month_swapped",
            Class::Typo1 => "typo_1",
            Class::Typo2 => "typo_2",
            Class::ColumnsSwapped => "columns_swapped",
            Class::GivenWithPatronymic => "given_with_patronymic",
            Class::Initials => "initials",
            Class::GivenFirst => "given_first",
            Class::OtherOrder => "other_order",
            Class::NoPatronymic => "no_patronymic",
            Class::RequestInRussian => "request_in_russian",
            Class::Spelling(s) => s.as_str(),
            Class::XSpelling => "x_spelling",
            Class::LookalikeLetters => "lookalike_letters",
            Class::UnitWritten => "unit_written",
            Class::RegisteredTwice => "registered_twice",
            Class::HasNamesake => "has_namesake",
            Class::HasBrother => "has_brother",
            Class::Twin => "twin",
            Class::Civilian => "civilian",
            Class::Female => "female",
        }
    }

    /// Whether the class is a variation of the record (as opposed to a property of the
    /// person or a spelling family).
    fn is_variation(self) -> bool {
        !matches!(
            self,
            Class::Clean
                | Class::Spelling(_)
                | Class::HasNamesake
                | Class::HasBrother
                | Class::Twin
                | Class::Civilian
                | Class::Female
                | Class::RegisteredTwice
        )
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Config {
    /// Rows of the request list (one per person).
    pub request: usize,
    /// Rows of the holding register (some people registered twice).
    pub holding: usize,
    /// Share of the requested people the holder holds.
    pub overlap: f64,
    /// Seed of every draw.
    pub seed: u64,
}

impl Config {
    /// `request` × `holding` with the default overlap (60 % of the requested are held).
    pub fn new(request: usize, holding: usize, seed: u64) -> Config {
        Config {
            request,
            holding,
            overlap: 0.6,
            seed,
        }
    }
}

/// A true pair and its variation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruePair {
    /// Id in the request list.
    pub request: String,
    /// Id in the holding register.
    pub holding: String,
    /// Every class the pair carries.
    pub classes: Vec<Class>,
}

/// The generated lists, each with its header row first.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    /// Request list: header, then rows.
    pub request: Vec<Vec<String>>,
    /// Holding register: header, then rows.
    pub holding: Vec<Vec<String>>,
    /// Every true pair.
    pub truth: Vec<TruePair>,
}

/// The request list's columns.
pub const REQUEST_HEADER: [&str; 8] = [
    "id",
    "прізвище",
    "ім'я",
    "по батькові",
    "дата народження",
    "військова частина",
    "категорія",
    "дані",
];

/// The holding register's columns.
pub const HOLDING_HEADER: [&str; 6] = [
    "id",
    "ФИО",
    "дата рождения",
    "воинская часть",
    "примечание",
    "данные",
];

fn person_classes(p: &Person, classes: &mut BTreeSet<Class>) {
    if p.kin.namesake {
        classes.insert(Class::HasNamesake);
    }
    if p.kin.brother {
        classes.insert(Class::HasBrother);
    }
    if p.kin.twin {
        classes.insert(Class::Twin);
    }
    if p.civilian {
        classes.insert(Class::Civilian);
    }
    if p.sex == Sex::Female {
        classes.insert(Class::Female);
    }
}

/// Surname, given name and patronymic in Russian forms (the surname respelled) or in the
/// Ukrainian ones.
fn forms(p: &Person, russian: bool, rng: &mut StdRng) -> (String, String, String) {
    if russian {
        (
            russian_surname(p.surname(), rng),
            p.given_ru().to_owned(),
            p.patronymic_ru().to_owned(),
        )
    } else {
        (
            p.surname().to_owned(),
            p.given_uk().to_owned(),
            p.patronymic_uk().to_owned(),
        )
    }
}

/// One row of the request list.
fn request_row(rng: &mut StdRng, p: &Person, id: &str) -> (Vec<String>, BTreeSet<Class>) {
    let mut classes = BTreeSet::new();
    let russian = rng.random_bool(0.04);
    if russian {
        classes.insert(Class::RequestInRussian);
    }
    let (mut surname, mut given, mut patronymic) = forms(p, russian, rng);
    typos(
        rng,
        &mut [&mut surname, &mut given],
        0.04,
        0.015,
        &mut classes,
    );
    if rng.random_bool(0.1) {
        surname = surname.to_uppercase();
    }
    if rng.random_bool(0.05) {
        patronymic.clear();
        classes.insert(Class::NoPatronymic);
    } else if rng.random_bool(0.02) {
        given = format!("{given} {patronymic}");
        patronymic.clear();
        classes.insert(Class::GivenWithPatronymic);
    }
    if rng.random_bool(0.03) {
        std::mem::swap(&mut surname, &mut given);
        classes.insert(Class::ColumnsSwapped);
    }
    let how = draw_date(rng, REQUEST_DATES);
    let (date, _) = write_date(rng, p.birth, how, false, &mut classes);
    let unit = match &p.unit {
        Some(u) if rng.random_bool(0.7) => unit_written(rng, u, false, &mut classes),
        _ => String::new(),
    };
    let category = if p.civilian {
        "цивільний"
    } else {
        "військовослужбовець"
    };
    (
        vec![
            id.to_owned(),
            surname,
            given,
            patronymic,
            date,
            unit,
            category.to_owned(),
            "синтетична особа".to_owned(),
        ],
        classes,
    )
}

/// Spelling families of the holding register, with their shares.
const SPELLINGS: &[(Spelling, f64)] = &[
    (Spelling::RussianCyrillic, 0.52),
    (Spelling::UkrainianCyrillic, 0.08),
    (Spelling::English, 0.12),
    (Spelling::French, 0.05),
    (Spelling::German, 0.05),
    (Spelling::Polish, 0.04),
    (Spelling::LegacyUkrainian, 0.04),
    (Spelling::LetterByLetter, 0.04),
    (Spelling::ByEar, 0.06),
];

fn initial(word: &str) -> String {
    word.chars()
        .next()
        .map(|c| format!("{}.", c.to_uppercase()))
        .unwrap_or_default()
}

/// One row of the holding register.
fn holding_row(rng: &mut StdRng, p: &Person, id: &str) -> (Vec<String>, BTreeSet<Class>) {
    let mut classes = BTreeSet::new();
    let mut x: f64 = rng.random();
    let mut spelling = Spelling::RussianCyrillic;
    for &(s, share) in SPELLINGS {
        if x < share {
            spelling = s;
            break;
        }
        x -= share;
    }
    classes.insert(Class::Spelling(spelling));
    // Which Cyrillic a Latin spelling starts from: Polish and the Ukrainian tables from
    // the Ukrainian forms, by ear from Russian speech, the others from either.
    let russian = match spelling {
        Spelling::RussianCyrillic | Spelling::ByEar => true,
        Spelling::UkrainianCyrillic | Spelling::Polish | Spelling::LegacyUkrainian => false,
        _ => rng.random_bool(0.5),
    };
    let (mut surname, mut given, mut patronymic) = forms(p, russian, rng);
    // Latin documents seldom carry a patronymic; Cyrillic registers mostly do.
    let drop_patronymic = if spelling.latin() { 0.55 } else { 0.1 };
    let mut has_patronymic = !rng.random_bool(drop_patronymic);
    if spelling.latin() {
        let has_ks = [&surname, &given, &patronymic]
            .iter()
            .any(|w| w.to_lowercase().contains("кс"));
        let x = has_ks
            && matches!(
                spelling,
                Spelling::English | Spelling::French | Spelling::German | Spelling::ByEar
            )
            && rng.random_bool(0.5);
        if x {
            classes.insert(Class::XSpelling);
        }
        let latin = Latin {
            spelling,
            russian,
            x,
            diacritics: rng.random_bool(0.5),
            library: rng.random_bool(0.5),
        };
        surname = latin.write(&surname, rng);
        given = latin.write(&given, rng);
        patronymic = latin.write(&patronymic, rng);
    } else if rng.random_bool(0.03) {
        surname = lookalikes(&surname.to_uppercase(), rng);
        classes.insert(Class::LookalikeLetters);
    }
    let initials = rng.random_bool(0.06);
    if initials {
        classes.insert(Class::Initials);
    } else {
        typos(
            rng,
            &mut [&mut surname, &mut given],
            0.07,
            0.03,
            &mut classes,
        );
    }
    let case: f64 = rng.random();
    if case < 0.25 {
        surname = surname.to_uppercase();
    } else if case < 0.35 {
        surname = surname.to_uppercase();
        given = given.to_uppercase();
        patronymic = patronymic.to_uppercase();
    } else {
        surname = capitalise(&surname);
    }
    let (g, pa) = if initials {
        (initial(&given), initial(&patronymic))
    } else {
        (given, patronymic)
    };
    if !has_patronymic || pa.is_empty() {
        has_patronymic = false;
        classes.insert(Class::NoPatronymic);
    }
    let joined = initials && rng.random_bool(0.5);
    let spaced = |a: &str, b: &str| -> String {
        if joined {
            format!("{a}{b}")
        } else {
            format!("{a} {b}")
        }
    };
    let given_part = if has_patronymic {
        spaced(&g, &pa)
    } else {
        g.clone()
    };
    let order: f64 = rng.random();
    let name = if spelling.latin() {
        // Latin: given name first as often as not.
        if order < 0.45 {
            classes.insert(Class::GivenFirst);
            format!("{given_part} {surname}")
        } else if order < 0.9 {
            format!("{surname} {given_part}")
        } else {
            format!("{surname}, {given_part}")
        }
    } else if order < 0.62 {
        format!("{surname} {given_part}")
    } else if order < 0.77 {
        classes.insert(Class::GivenFirst);
        format!("{given_part} {surname}")
    } else if order < 0.9 {
        format!("{surname}, {given_part}")
    } else if has_patronymic && order < 0.95 {
        classes.insert(Class::OtherOrder);
        format!("{g} {surname} {pa}")
    } else if has_patronymic {
        classes.insert(Class::OtherOrder);
        format!("{surname} {pa} {g}")
    } else {
        format!("{surname} {given_part}")
    };
    let how = draw_date(rng, HOLDING_DATES);
    let (date, in_name) = write_date(rng, p.birth, how, true, &mut classes);
    let name = match in_name {
        Some(year) if rng.random_bool(0.5) => format!("{name}, {year}"),
        Some(year) => format!("{name} {year}"),
        None => name,
    };
    let unit = match &p.unit {
        Some(u) if rng.random_bool(0.5) => unit_written(rng, u, true, &mut classes),
        _ => String::new(),
    };
    let note = match rng.random_range(0..10) {
        0 => "ранен",
        1 => "задержан",
        2 => "со слов",
        3 => "гражданский",
        _ => "",
    };
    (
        vec![
            id.to_owned(),
            name,
            date,
            unit,
            note.to_owned(),
            "синтетическое лицо".to_owned(),
        ],
        classes,
    )
}

/// Generates a request list, a holding register and the truth about them.
pub fn generate(config: &Config) -> Lists {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let twice = 0.04;
    let held = ((config.holding as f64) / (1.0 + twice)).round() as usize;
    let shared = ((config.request as f64 * config.overlap) as usize).min(held);
    let total = config.request + held - shared;
    let population = Population::new(&mut rng, total);
    let mut people: Vec<Person> = Vec::with_capacity(total);
    for _ in 0..total {
        let p = population.draw(&mut rng, &mut people);
        people.push(p);
    }
    // Who is on which list: a random order, so kin land on the lists independently.
    let mut order: Vec<usize> = (0..total).collect();
    for i in (1..order.len()).rev() {
        let j = rng.random_range(0..=i);
        order.swap(i, j);
    }
    let requested: Vec<usize> = order[..config.request].to_vec();
    let held_people: Vec<usize> = order[..shared]
        .iter()
        .chain(order[config.request..config.request + held - shared].iter())
        .copied()
        .collect();

    let mut lists = Lists {
        request: vec![REQUEST_HEADER.map(String::from).to_vec()],
        holding: vec![HOLDING_HEADER.map(String::from).to_vec()],
        truth: Vec::new(),
    };
    let mut request_of: Vec<Option<(String, BTreeSet<Class>)>> = vec![None; total];
    for (i, &who) in requested.iter().enumerate() {
        let id = format!("R{:07}", i + 1);
        let (row, classes) = request_row(&mut rng, &people[who], &id);
        lists.request.push(row);
        request_of[who] = Some((id, classes));
    }
    // Holding rows: one per held person, a second for some; shuffled, ids in row order.
    let mut rows: Vec<(usize, bool)> = Vec::with_capacity(config.holding);
    for &who in &held_people {
        rows.push((who, false));
        if rows.len() < config.holding && rng.random_bool(twice) {
            rows.push((who, true));
        }
    }
    let mut filler = held_people.iter().cycle();
    while rows.len() < config.holding {
        // Rounding left room: register a few more people twice.
        match filler.next() {
            Some(&who) => rows.push((who, true)),
            None => break,
        }
    }
    rows.truncate(config.holding);
    for i in (1..rows.len()).rev() {
        let j = rng.random_range(0..=i);
        rows.swap(i, j);
    }
    let mut twice_of: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for &(who, _) in &rows {
        *twice_of.entry(who).or_default() += 1;
    }
    for (i, &(who, _)) in rows.iter().enumerate() {
        let id = format!("H{:07}", i + 1);
        let (row, holding_classes) = holding_row(&mut rng, &people[who], &id);
        lists.holding.push(row);
        if let Some((request_id, request_classes)) = &request_of[who] {
            let mut classes: BTreeSet<Class> =
                request_classes.union(&holding_classes).copied().collect();
            person_classes(&people[who], &mut classes);
            if twice_of.get(&who).copied().unwrap_or(0) > 1 {
                classes.insert(Class::RegisteredTwice);
            }
            if !classes.iter().any(|c| c.is_variation()) {
                classes.insert(Class::Clean);
            }
            lists.truth.push(TruePair {
                request: request_id.clone(),
                holding: id,
                classes: classes.into_iter().collect(),
            });
        }
    }
    lists
}

/// Writes `request.csv`, `holding.csv` and `truth.csv` (request_id, holding_id, classes
/// separated by spaces) into `dir`.
pub fn write(lists: &Lists, dir: &std::path::Path) -> Result<(), csv::Error> {
    std::fs::create_dir_all(dir)?;
    for (name, rows) in [
        ("request.csv", &lists.request),
        ("holding.csv", &lists.holding),
    ] {
        let mut w = csv::Writer::from_path(dir.join(name))?;
        for r in rows {
            w.write_record(r)?;
        }
        w.flush()?;
    }
    let mut w = csv::Writer::from_path(dir.join("truth.csv"))?;
    w.write_record(["request_id", "holding_id", "classes"])?;
    for t in &lists.truth {
        let classes: Vec<&str> = t.classes.iter().map(|c| c.as_str()).collect();
        w.write_record([t.request.as_str(), t.holding.as_str(), &classes.join(" ")])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_lists() {
        let a = generate(&Config::new(300, 600, 7));
        let b = generate(&Config::new(300, 600, 7));
        assert_eq!(a.request, b.request);
        assert_eq!(a.holding, b.holding);
        assert_eq!(a.truth, b.truth);
        assert_eq!(a.request.len(), 301);
        assert_eq!(a.holding.len(), 601);
    }

    #[test]
    fn every_class_occurs_at_a_useful_size() {
        let lists = generate(&Config::new(5_000, 12_000, 1));
        let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for t in &lists.truth {
            for c in &t.classes {
                *seen.entry(c.as_str()).or_default() += 1;
            }
        }
        for class in [
            "clean",
            "date_missing_request",
            "date_missing_holding",
            "year_only",
            "year_in_text",
            "year_off_by_one",
            "date_digit",
            "date_placeholder",
            "day_month_swapped",
            "typo_1",
            "typo_2",
            "columns_swapped",
            "initials",
            "given_first",
            "other_order",
            "no_patronymic",
            "french",
            "german",
            "polish",
            "legacy_ukrainian",
            "x_spelling",
            "letter_by_letter",
            "by_ear",
            "registered_twice",
            "has_namesake",
            "has_brother",
            "civilian",
        ] {
            assert!(
                seen.get(class).copied().unwrap_or(0) >= 20,
                "{class}: {seen:?}"
            );
        }
        // Everyone requested is requested once; a holding row belongs to one person.
        let holding: std::collections::HashSet<&str> =
            lists.truth.iter().map(|t| t.holding.as_str()).collect();
        assert_eq!(holding.len(), lists.truth.len());
        assert!(
            lists
                .request
                .iter()
                .skip(1)
                .all(|r| r[7] == "синтетична особа")
        );
    }
}
