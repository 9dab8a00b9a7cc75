//! The words of homeward's pages: one Project Fluent file per language in `locales/`,
//! embedded at build time (adding a language is adding one file), the choice of a language
//! for a request, and dates and numbers in each language's conventions. Pure: no I/O, no
//! clock. Names and list contents never pass through here.

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use std::sync::LazyLock;

mod conventions;
mod negotiate;

pub use conventions::Conventions;

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

/// The language every page falls back to when nothing is asked, and whose file every other
/// file is checked against.
pub const DEFAULT: &str = "en";

/// One language of the pages: an index into the embedded files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Lang(usize);

struct Loaded {
    code: &'static str,
    bundle: FluentBundle<FluentResource>,
    conventions: Conventions,
    /// Syntax errors of the file, kept so that a test can name them.
    errors: Vec<String>,
}

static LOADED: LazyLock<Vec<Loaded>> = LazyLock::new(|| {
    LOCALES
        .iter()
        .map(|&(code, text)| load(code, text))
        .collect()
});

fn load(code: &'static str, text: &'static str) -> Loaded {
    let mut errors = Vec::new();
    let resource = FluentResource::try_new(text.to_owned()).unwrap_or_else(|(partial, errs)| {
        errors.extend(errs.iter().map(|e| format!("{code}.ftl: {e:?}")));
        partial
    });
    let langid = code.parse().unwrap_or_default();
    let mut bundle = FluentBundle::new_concurrent(vec![langid]);
    // Isolation marks would land inside HTML attributes and tests' searches; the pages'
    // values are written left to right in all three languages.
    bundle.set_use_isolating(false);
    if let Err(errs) = bundle.add_resource(resource) {
        errors.extend(errs.iter().map(|e| format!("{code}.ftl: {e:?}")));
    }
    let conventions = Conventions::of(&bundle);
    bundle.set_formatter(Some(conventions.number_formatter()));
    Loaded {
        code,
        bundle,
        conventions,
        errors,
    }
}

/// A value given to a message: text shown as it is, or a count (grouped in the language's
/// way, and choosing the plural form).
#[derive(Debug, Clone)]
pub enum Arg {
    /// Shown as it is.
    Text(String),
    /// A number.
    Number(i64),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Number(v)
    }
}
impl From<usize> for Arg {
    fn from(v: usize) -> Self {
        Arg::Number(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
/// Templates pass their values by reference.
impl<T: Clone + Into<Arg>> From<&T> for Arg {
    fn from(v: &T) -> Self {
        v.clone().into()
    }
}
impl From<u32> for Arg {
    fn from(v: u32) -> Self {
        Arg::Number(i64::from(v))
    }
}

impl Default for Lang {
    fn default() -> Self {
        Lang::from_code(DEFAULT).unwrap_or(Lang(0))
    }
}

impl Lang {
    /// Every language there is a file for, in the order of their codes.
    pub fn all() -> impl Iterator<Item = Lang> {
        (0..LOADED.len()).map(Lang)
    }

    /// The language of a code such as `uk`, `ru-RU` or `EN`; none without a file for it.
    pub fn from_code(code: &str) -> Option<Lang> {
        let primary = code
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        LOADED.iter().position(|l| l.code == primary).map(Lang)
    }

    /// The language's code, as in the HTML `lang` attribute.
    pub fn code(self) -> &'static str {
        self.loaded().map_or(DEFAULT, |l| l.code)
    }

    fn loaded(self) -> Option<&'static Loaded> {
        LOADED.get(self.0)
    }

    /// The message `id` in this language. A message missing from the file shows as the id
    /// in brackets, visibly, rather than failing the page.
    pub fn t(self, id: &str) -> String {
        self.t_with(id, &[])
    }

    /// The message `id` with its values.
    pub fn t_with(self, id: &str, args: &[(&str, Arg)]) -> String {
        let Some(loaded) = self.loaded() else {
            return format!("[{id}]");
        };
        let Some(pattern) = loaded.bundle.get_message(id).and_then(|m| m.value()) else {
            return format!("[{id}]");
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(s) => fluent_args.set(*name, FluentValue::from(s.clone())),
                Arg::Number(n) => fluent_args.set(*name, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        let text = loaded
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        text.into_owned()
    }

    /// Whether this language's file has the message `id`.
    pub fn has(self, id: &str) -> bool {
        self.loaded().is_some_and(|l| {
            l.bundle
                .get_message(id)
                .is_some_and(|m| m.value().is_some())
        })
    }

    /// A domain code (a status, a category, a movement …) as a word: the message
    /// `{kind}-{code}`; a code the files do not know shows in brackets.
    pub fn code_word(self, kind: &str, code: &str) -> String {
        self.t(&format!("{kind}-{code}"))
    }

    /// The language's conventions for dates and numbers.
    pub fn conventions(self) -> &'static Conventions {
        static FALLBACK: LazyLock<Conventions> = LazyLock::new(Conventions::default);
        self.loaded().map_or(&FALLBACK, |l| &l.conventions)
    }

    /// A whole number, grouped in thousands the language's way.
    pub fn number(self, n: i64) -> String {
        self.conventions().number(n)
    }

    /// A share (0 to 1) as a percentage in the language's way: 99.9% or 99,9 %.
    pub fn percent(self, share: f64) -> String {
        let digits = self.conventions().percent_digits(share);
        self.t_with("convention-percent", &[("n", Arg::Text(digits))])
    }

    /// A date written `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (as the register keeps it) in the
    /// language's order; anything else is shown as written.
    pub fn date(self, iso: &str) -> String {
        self.conventions().date(iso)
    }

    /// A moment given as its UTC parts, in the language's way, with "UTC" after it.
    pub fn moment(self, date_iso: &str, time: &str) -> String {
        format!("{} {time} UTC", self.date(date_iso))
    }
}

/// Syntax errors of the embedded files, for the test that keeps them clean.
pub fn file_errors() -> Vec<String> {
    LOADED
        .iter()
        .flat_map(|l| l.errors.iter().cloned())
        .collect()
}

/// The message ids of one language's file, in file order, from its text.
pub fn ids_of(code: &str) -> Vec<String> {
    LOCALES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, text)| {
            text.lines()
                .filter_map(|line| {
                    let (id, _) = line.split_once('=')?;
                    let id = id.trim_end();
                    let first = id.chars().next()?;
                    (first.is_ascii_alphabetic()
                        && id
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .then(|| id.to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

pub use negotiate::negotiate;

#[cfg(test)]
mod tests;
