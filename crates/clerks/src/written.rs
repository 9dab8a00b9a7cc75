//! How a clerk writes one value: a birth date (exact, missing, year only, in a note, a
//! year off, a digit wrong, a placeholder, day and month swapped), a unit, and the typing
//! errors in a name. Each writer says which variation classes it put in.

use crate::Class;
use crate::people::valid_date;
use crate::spelling::typo;
use rand::RngExt as _;
use rand::rngs::StdRng;
use std::collections::BTreeSet;

/// How one side wrote the birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateWritten {
    Exact,
    Missing,
    YearOnly,
    YearInText,
    OffByOne,
    Digit,
    Placeholder,
    Swapped,
}

pub(crate) fn draw_date(rng: &mut StdRng, rates: &[(DateWritten, f64)]) -> DateWritten {
    let mut x: f64 = rng.random();
    for &(d, p) in rates {
        if x < p {
            return d;
        }
        x -= p;
    }
    DateWritten::Exact
}

/// Rates per record (the rest is written exactly).
pub(crate) const REQUEST_DATES: &[(DateWritten, f64)] = &[
    (DateWritten::Missing, 0.05),
    (DateWritten::YearOnly, 0.04),
    (DateWritten::OffByOne, 0.01),
    (DateWritten::Digit, 0.015),
    (DateWritten::Placeholder, 0.015),
    (DateWritten::Swapped, 0.01),
];

pub(crate) const HOLDING_DATES: &[(DateWritten, f64)] = &[
    (DateWritten::Missing, 0.09),
    (DateWritten::YearOnly, 0.08),
    (DateWritten::YearInText, 0.04),
    (DateWritten::OffByOne, 0.03),
    (DateWritten::Digit, 0.03),
    (DateWritten::Placeholder, 0.03),
    (DateWritten::Swapped, 0.02),
];

/// A date as written: the cell's text, any year to put into the name cell, the classes.
pub(crate) fn write_date(
    rng: &mut StdRng,
    birth: (i32, u8, u8),
    how: DateWritten,
    holding: bool,
    classes: &mut BTreeSet<Class>,
) -> (String, Option<String>) {
    let (y, m, d) = birth;
    let format = |y: i32, m: u8, d: u8, rng: &mut StdRng| -> String {
        let roll: f64 = rng.random();
        if roll < 0.8 {
            format!("{d:02}.{m:02}.{y}")
        } else if roll < 0.9 {
            format!("{y}-{m:02}-{d:02}")
        } else {
            format!("{d}.{m}.{y}")
        }
    };
    match how {
        DateWritten::Exact => (format(y, m, d, rng), None),
        DateWritten::Missing => {
            classes.insert(if holding {
                Class::DateMissingHolding
            } else {
                Class::DateMissingRequest
            });
            (String::new(), None)
        }
        DateWritten::YearOnly => {
            classes.insert(Class::YearOnly);
            let text = match rng.random_range(0..3) {
                0 => format!("{y}"),
                1 if holding => format!("{y} г."),
                1 => format!("{y} р."),
                _ => format!("{y}"),
            };
            (text, None)
        }
        DateWritten::YearInText => {
            classes.insert(Class::YearInText);
            if rng.random_bool(0.5) {
                let note = match rng.random_range(0..3) {
                    0 => format!("{y} г.р."),
                    1 => format!("{y}г.р."),
                    _ => format!("({y})"),
                };
                (String::new(), Some(note))
            } else {
                let note = match rng.random_range(0..3) {
                    0 => format!("со слов {y} г.р."),
                    1 => format!("примерно {y}"),
                    _ => format!("г.р. {y} (со слов)"),
                };
                (note, None)
            }
        }
        DateWritten::OffByOne => {
            classes.insert(Class::YearOffByOne);
            let y2 = y + if rng.random_bool(0.5) { 1 } else { -1 };
            let d2 = if valid_date(y2, m, d) { d } else { 28 };
            (format(y2, m, d2, rng), None)
        }
        DateWritten::Digit => {
            classes.insert(Class::DateDigit);
            // One of the eight digits of DDMMYYYY replaced; a result that is no date is
            // written all the same (a clerk's slip), and the reader must cope.
            let mut digits: Vec<u8> = format!("{d:02}{m:02}{y:04}").bytes().collect();
            let at = [0, 1, 2, 3, 6, 7][rng.random_range(0..6)];
            let old = digits[at];
            let mut new = b'0' + rng.random_range(0..10_u8);
            while new == old {
                new = b'0' + rng.random_range(0..10_u8);
            }
            digits[at] = new;
            let s = String::from_utf8_lossy(&digits).into_owned();
            (format!("{}.{}.{}", &s[0..2], &s[2..4], &s[4..8]), None)
        }
        DateWritten::Placeholder => {
            classes.insert(Class::DatePlaceholder);
            (format!("01.01.{y}"), None)
        }
        DateWritten::Swapped => {
            if d <= 12 && d != m {
                classes.insert(Class::DayMonthSwapped);
                (format!("{m:02}.{d:02}.{y}"), None)
            } else {
                (format(y, m, d, rng), None)
            }
        }
    }
}

pub(crate) fn unit_written(
    rng: &mut StdRng,
    unit: &str,
    holding: bool,
    classes: &mut BTreeSet<Class>,
) -> String {
    let mut u = unit.to_owned();
    let mut varied = false;
    if rng.random_bool(if holding { 0.03 } else { 0.01 }) {
        // One digit wrong.
        let mut chars: Vec<char> = u.chars().collect();
        let at = rng.random_range(1..chars.len().max(2));
        if let Some(c) = chars.get_mut(at) {
            *c = char::from(b'0' + rng.random_range(0..10_u8));
        }
        let changed: String = chars.into_iter().collect();
        varied |= changed != u;
        u = changed;
    }
    if holding && rng.random_bool(0.2) {
        u = u.replacen('А', "A", 1);
        varied = true;
    }
    let prefix = if holding { 0.4 } else { 0.2 };
    if rng.random_bool(prefix) {
        u = match rng.random_range(0..3) {
            0 => format!("в/ч {u}"),
            1 => format!("в/ч{u}"),
            _ if holding => format!("войсковая часть {u}"),
            _ => format!("військова частина {u}"),
        };
        varied = true;
    }
    if varied {
        classes.insert(Class::UnitWritten);
    }
    u
}

pub(crate) fn typos(
    rng: &mut StdRng,
    parts: &mut [&mut String],
    one: f64,
    two: f64,
    classes: &mut BTreeSet<Class>,
) {
    let roll: f64 = rng.random();
    let n = if roll < two {
        2
    } else if roll < two + one {
        1
    } else {
        0
    };
    if n == 0 || parts.is_empty() {
        return;
    }
    for _ in 0..n {
        // The surname more often than the given name.
        let which = if parts.len() > 1 && rng.random_bool(0.4) {
            1
        } else {
            0
        };
        let t = typo(parts[which], rng);
        *parts[which] = t;
    }
    classes.insert(if n == 1 { Class::Typo1 } else { Class::Typo2 });
}
