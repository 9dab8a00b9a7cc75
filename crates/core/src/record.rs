//! Person records in a party's register, with the identity fields of Geneva Convention III
//! art. 17 and 122 (and GC IV for civilians and children, GC I for the dead).
//!
//! Names are kept exactly as written, in their script; derived forms live beside them and
//! are recomputed, never typed.

use crate::Error;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What kind of person a record is about.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// A prisoner of war (GC III).
    Pow,
    /// A detained or interned civilian (GC IV).
    Civilian,
    /// A deported or displaced child.
    Child,
    /// The remains of a dead person (GC I art. 16–17, AP I art. 33–34).
    Remains,
}

crate::text_enum!(Category {
    Pow = "pow",
    Civilian = "civilian",
    Child = "child",
    Remains = "remains",
});

/// Why the person is in this party's register.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// One of the party's own people whom it seeks (captured, missing, deported, fallen).
    Sought,
    /// A person of the other side whom this party holds (or whose remains it holds).
    Held,
}

crate::text_enum!(Relation {
    Sought = "sought",
    Held = "held",
});

/// Where the person stands, as far as this party knows.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Whereabouts unknown.
    Missing,
    /// Known or believed to be held by the other side.
    InCustody,
    /// Held by this party.
    Held,
    /// Returned home (or, for remains, handed over and received).
    Returned,
    /// Known to be dead.
    Deceased,
}

crate::text_enum!(Status {
    Missing = "missing",
    InCustody = "in_custody",
    Held = "held",
    Returned = "returned",
    Deceased = "deceased",
});

impl Status {
    /// The status a sought person takes when a reviewer confirms that they are a row of
    /// a list of `kind` issued by the other side: on a holding or children list they are
    /// in its custody, on a remains manifest they are dead. `None` when the list says
    /// nothing new about where they are (a request or an exchange list), or when the record
    /// already knows more (returned or dead), or is not one of the party's own people.
    pub fn after_confirmed_link(self, relation: Relation, kind: &str) -> Option<Status> {
        if relation != Relation::Sought || !matches!(self, Status::Missing | Status::InCustody) {
            return None;
        }
        let next = match kind {
            "holding" | "children" => Status::InCustody,
            "remains" => Status::Deceased,
            _ => return None,
        };
        (next != self).then_some(next)
    }
}

/// Health as it bears on repatriation (GC III art. 109–110).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Health {
    /// Seriously wounded or seriously sick: repatriated directly (art. 110).
    Serious,
    /// Wounded or sick.
    WoundedOrSick,
    /// No wound or sickness recorded.
    Fit,
    /// Not known.
    Unknown,
}

crate::text_enum!(Health {
    Serious = "serious",
    WoundedOrSick = "wounded_or_sick",
    Fit = "fit",
    Unknown = "unknown",
});

/// Sex as recorded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Male.
    M,
    /// Female.
    F,
}

crate::text_enum!(Sex { M = "m", F = "f" });

/// How far remains have been identified.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identification {
    /// Not identified.
    Unidentified,
    /// Identified from documents, tags or effects, not yet confirmed.
    Presumptive,
    /// Confirmed by DNA.
    DnaConfirmed,
}

crate::text_enum!(Identification {
    Unidentified = "unidentified",
    Presumptive = "presumptive",
    DnaConfirmed = "dna_confirmed",
});

/// A date known to the year, the month or the day, as clerks often only know a birth
/// year. Stored and exchanged as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartialDate {
    /// Year (four digits).
    pub year: i32,
    /// Month 1–12, when known.
    pub month: Option<u8>,
    /// Day of the month, when known (only with a month).
    pub day: Option<u8>,
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl PartialDate {
    /// A full date, checked.
    pub fn ymd(year: i32, month: u8, day: u8) -> Result<Self, Error> {
        format!("{year:04}-{month:02}-{day:02}").parse()
    }

    /// Whole years between this date and `on` (a full date), taking unknown month and day
    /// as the most favourable to being younger; `None` if `on` is before this date.
    pub fn age_on(&self, on: PartialDate) -> Option<i32> {
        let mut age = on.year - self.year;
        let (m, d) = (self.month.unwrap_or(12), self.day.unwrap_or(31));
        let (om, od) = (on.month.unwrap_or(1), on.day.unwrap_or(1));
        if (om, od) < (m, d) {
            age -= 1;
        }
        (age >= 0).then_some(age)
    }
}

impl std::str::FromStr for PartialDate {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            Error::refused(
                "date",
                format!("{s:?} {why}; write YYYY, YYYY-MM or YYYY-MM-DD"),
                crate::Reason::NotADate {
                    value: s.trim().to_owned(),
                },
            )
        };
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, Error> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse::<u32>().map_err(|_| bad("is not a date"))
            } else {
                Err(bad("is not a date"))
            }
        };
        let year = num(parts.first().copied().unwrap_or(""), 4)? as i32;
        if !(1850..=2200).contains(&year) {
            return Err(bad("has a year outside 1850–2200"));
        }
        let month = match parts.get(1) {
            Some(p) => {
                let m = num(p, 2)? as u8;
                if !(1..=12).contains(&m) {
                    return Err(bad("has no such month"));
                }
                Some(m)
            }
            None => None,
        };
        let day = match (parts.get(2), month) {
            (Some(p), Some(m)) => {
                let d = num(p, 2)? as u8;
                if d == 0 || d > days_in_month(year, m) {
                    return Err(bad("has no such day in that month"));
                }
                Some(d)
            }
            _ => None,
        };
        if parts.len() > 3 {
            return Err(bad("is not a date"));
        }
        Ok(PartialDate { year, month, day })
    }
}

impl std::fmt::Display for PartialDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for PartialDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^\d{4}(-\d{2}(-\d{2})?)?$"))
            .description(Some(
                "A date known to the year, month or day: YYYY, YYYY-MM or YYYY-MM-DD",
            ))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for PartialDate {}

impl TryFrom<String> for PartialDate {
    type Error = Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PartialDate> for String {
    fn from(d: PartialDate) -> String {
        d.to_string()
    }
}

/// The content of a person record as entered or imported. Every text field is kept as
/// written; an empty field is `None`, never an empty string.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Category of the record.
    pub category: Option<Category>,
    /// Why the party holds this record.
    pub relation: Option<Relation>,
    /// Where the person stands.
    pub status: Option<Status>,
    /// Surname as written.
    pub surname: Option<String>,
    /// Given name(s) as written.
    pub given_names: Option<String>,
    /// Patronymic (father's name form) as written.
    pub patronymic: Option<String>,
    /// Father's first name (GC III art. 122), when given separately.
    pub father_name: Option<String>,
    /// Birth date, possibly partial.
    pub birth_date: Option<PartialDate>,
    /// Birth place as written.
    pub birth_place: Option<String>,
    /// Sex.
    pub sex: Option<Sex>,
    /// Citizenship (party code or country name as written).
    pub citizenship: Option<String>,
    /// Military rank.
    pub rank: Option<String>,
    /// Military unit.
    pub unit: Option<String>,
    /// Service (army, regimental, personal) number.
    pub service_number: Option<String>,
    /// Date of capture or detention.
    pub capture_date: Option<PartialDate>,
    /// Place of capture or detention.
    pub capture_place: Option<String>,
    /// Health as it bears on repatriation.
    pub health: Option<Health>,
    /// Date of deportation (children, civilians).
    pub deportation_date: Option<PartialDate>,
    /// Place of deportation.
    pub deportation_place: Option<String>,
    /// How to reach the family.
    pub family_contact: Option<String>,
    /// Last known location.
    pub last_known_location: Option<String>,
    /// Where remains were recovered.
    pub recovery_site: Option<String>,
    /// When remains were recovered.
    pub recovery_date: Option<PartialDate>,
    /// Tag or body-bag number of remains.
    pub tag_number: Option<String>,
    /// Identification state of remains.
    pub identification: Option<Identification>,
    /// Marks a record made up for demonstration or testing.
    pub synthetic: bool,
    /// The values of typed fields (dates, sex) that could not be read, as written, by
    /// field name (`birth_date`, `sex` …): the typed field stays empty and the text is kept
    /// beside it, so that nobody is dropped for one unreadable value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unreadable: BTreeMap<String, String>,
}

/// The typed fields whose value may be kept as written when it cannot be read.
pub const TYPED_FIELDS: [&str; 5] = [
    "birth_date",
    "sex",
    "capture_date",
    "deportation_date",
    "recovery_date",
];

/// How a value kept as written, unreadable, is marked where it is shown.
pub const UNREADABLE_MARK: &str = "as written, unreadable";

/// The longest name part (surname, given names, patronymic, father's name), in characters.
pub const MAX_NAME_PART: usize = 300;
/// The longest code (service and tag numbers, citizenship), in characters.
pub const MAX_CODE: usize = 100;
/// The longest other text (places, rank, unit, family contact), in characters.
pub const MAX_TEXT: usize = 1000;
/// The longest unreadable value kept as written, in characters.
pub const MAX_AS_WRITTEN: usize = 200;

/// The most characters a record's `field` may hold.
pub fn max_chars(field: &str) -> usize {
    match field {
        "surname" | "given_names" | "patronymic" | "father_name" => MAX_NAME_PART,
        "service_number" | "tag_number" | "citizenship" => MAX_CODE,
        f if TYPED_FIELDS.contains(&f) => MAX_AS_WRITTEN,
        _ => MAX_TEXT,
    }
}

/// The reason a value of `chars` characters is refused for `field`, or `None` when it
/// fits. The one wording of the limit, for imports and every other way a record is made.
pub fn over_limit(field: &str, chars: usize) -> Option<String> {
    let max = max_chars(field);
    (chars > max).then(|| {
        format!("is {chars} characters long, over the limit of {max} for {field}; not kept in the record")
    })
}

/// The refusal of a value of `chars` characters in `field` when it is over the field's
/// limit ([`over_limit`] in its English, [`crate::Reason::TooLong`] as its code).
pub fn too_long(field: &str, chars: usize) -> Option<Error> {
    over_limit(field, chars).map(|why| {
        Error::refused(
            field,
            why,
            crate::Reason::TooLong {
                length: chars,
                limit: max_chars(field),
            },
        )
    })
}

/// The refusal of `value` in `field` when it is longer than `max` characters.
pub fn over_max(field: &str, value: &str, max: usize) -> Option<Error> {
    let chars = value.chars().count();
    (chars > max).then(|| {
        Error::refused(
            field,
            format!("is {chars} characters long, over the limit of {max}"),
            crate::Reason::TooLong {
                length: chars,
                limit: max,
            },
        )
    })
}

/// The refusal of a field that must hold a value: `why` in English, [`crate::Reason::Missing`]
/// as its code.
pub fn missing(field: &str, why: &str) -> Error {
    Error::refused(field, why, crate::Reason::Missing)
}

impl PersonRecord {
    /// The full name as written, surname first.
    pub fn full_name(&self) -> String {
        homeward_names::full_name(
            self.surname.as_deref().unwrap_or(""),
            self.given_names.as_deref().unwrap_or(""),
            self.patronymic.as_deref().unwrap_or(""),
        )
    }

    /// How the record is named to a reader: the full name, or for unidentified remains
    /// their tag.
    pub fn display_name(&self) -> String {
        let name = self.full_name();
        if name.is_empty() {
            format!(
                "unidentified, tag {}",
                self.tag_number.as_deref().unwrap_or("?")
            )
        } else {
            name
        }
    }

    /// A typed field's value kept as written because it could not be read.
    pub fn as_written(&self, field: &str) -> Option<&str> {
        self.unreadable.get(field).map(String::as_str)
    }

    /// How a typed field is shown to a reader: its value, or the text as written with
    /// [`UNREADABLE_MARK`], or nothing.
    pub fn shown(&self, field: &str, value: Option<String>) -> String {
        match (value, self.as_written(field)) {
            (Some(v), _) => v,
            (None, Some(raw)) => format!("{raw} ({UNREADABLE_MARK})"),
            (None, None) => String::new(),
        }
    }

    /// The text fields with their names, for the length limits.
    fn texts(&self) -> [(&'static str, &Option<String>); 15] {
        [
            ("surname", &self.surname),
            ("given_names", &self.given_names),
            ("patronymic", &self.patronymic),
            ("father_name", &self.father_name),
            ("birth_place", &self.birth_place),
            ("citizenship", &self.citizenship),
            ("rank", &self.rank),
            ("unit", &self.unit),
            ("service_number", &self.service_number),
            ("capture_place", &self.capture_place),
            ("deportation_place", &self.deportation_place),
            ("family_contact", &self.family_contact),
            ("last_known_location", &self.last_known_location),
            ("recovery_site", &self.recovery_site),
            ("tag_number", &self.tag_number),
        ]
    }

    /// Whether the typed field `field` holds a value.
    fn typed_is_set(&self, field: &str) -> bool {
        match field {
            "birth_date" => self.birth_date.is_some(),
            "sex" => self.sex.is_some(),
            "capture_date" => self.capture_date.is_some(),
            "deportation_date" => self.deportation_date.is_some(),
            "recovery_date" => self.recovery_date.is_some(),
            _ => false,
        }
    }

    /// Checks the rules a record must satisfy before it is stored; names the first field
    /// at fault.
    pub fn validate(&self) -> Result<(), Error> {
        for (field, value) in self.texts() {
            if let Some(refused) = value
                .as_deref()
                .and_then(|v| too_long(field, v.chars().count()))
            {
                return Err(refused);
            }
        }
        for (field, raw) in &self.unreadable {
            if !TYPED_FIELDS.contains(&field.as_str()) {
                return Err(Error::invalid(
                    field.clone(),
                    format!(
                        "only a typed field ({}) is kept as written when unreadable",
                        TYPED_FIELDS.join(", ")
                    ),
                ));
            }
            if self.typed_is_set(field) {
                return Err(Error::invalid(
                    field.clone(),
                    "a field holds either a value or the unreadable text as written, not both",
                ));
            }
            if let Some(refused) = too_long(field, raw.chars().count()) {
                return Err(refused);
            }
        }
        let category = self
            .category
            .ok_or_else(|| missing("category", "a record needs a category"))?;
        if self.relation.is_none() {
            return Err(missing(
                "relation",
                "a record needs a relation: sought or held",
            ));
        }
        let named = [&self.surname, &self.given_names]
            .iter()
            .any(|f| f.as_deref().is_some_and(|s| !s.trim().is_empty()));
        if !named && category != Category::Remains {
            return Err(missing(
                "surname",
                "a record other than unidentified remains needs a surname or given name",
            ));
        }
        if category == Category::Remains && !named && self.tag_number.is_none() {
            return Err(missing("tag_number", "unnamed remains need a tag number"));
        }
        if self.identification.is_some() && category != Category::Remains {
            return Err(Error::invalid(
                "identification",
                "only remains have an identification state",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_confirmed_link_moves_only_what_the_list_says() {
        use Status::*;
        let s = Relation::Sought;
        assert_eq!(Missing.after_confirmed_link(s, "holding"), Some(InCustody));
        assert_eq!(InCustody.after_confirmed_link(s, "holding"), None);
        assert_eq!(InCustody.after_confirmed_link(s, "remains"), Some(Deceased));
        assert_eq!(Missing.after_confirmed_link(s, "request"), None);
        assert_eq!(Returned.after_confirmed_link(s, "remains"), None);
        assert_eq!(Held.after_confirmed_link(Relation::Held, "holding"), None);
    }

    #[test]
    fn partial_dates_round_trip() {
        for s in ["1999", "1999-07", "2000-02-29"] {
            assert_eq!(s.parse::<PartialDate>().unwrap().to_string(), s);
        }
    }

    #[test]
    fn impossible_dates_are_refused() {
        for s in [
            "1999-13",
            "2001-02-29",
            "1999-04-31",
            "99",
            "1999-7",
            "",
            "1999-01-01-01",
        ] {
            assert!(s.parse::<PartialDate>().is_err(), "{s}");
        }
    }

    #[test]
    fn age_on_a_date() {
        let on = PartialDate::ymd(2025, 6, 2).unwrap();
        assert_eq!(PartialDate::ymd(2000, 6, 2).unwrap().age_on(on), Some(25));
        assert_eq!(PartialDate::ymd(2000, 6, 3).unwrap().age_on(on), Some(24));
        // Only the year known: counted as young as possible.
        assert_eq!("2000".parse::<PartialDate>().unwrap().age_on(on), Some(24));
    }

    #[test]
    fn every_text_field_has_a_limit_and_unreadable_values_are_kept_beside_an_empty_field() {
        let mut r = PersonRecord {
            category: Some(Category::Pow),
            relation: Some(Relation::Sought),
            surname: Some("К".repeat(MAX_NAME_PART)),
            ..Default::default()
        };
        assert!(r.validate().is_ok());
        r.surname = Some("К".repeat(MAX_NAME_PART + 1));
        assert!(
            matches!(r.validate(), Err(Error::Invalid { field, reason, .. }) if field == "surname" && reason.contains("over the limit of 300"))
        );
        r.surname = Some("Коваленко".into());
        r.unit = Some("x".repeat(MAX_TEXT + 1));
        assert!(matches!(r.validate(), Err(Error::Invalid { field, .. }) if field == "unit"));
        r.unit = None;
        r.unreadable
            .insert("birth_date".into(), "31.02.1999".into());
        assert!(r.validate().is_ok());
        assert_eq!(r.as_written("birth_date"), Some("31.02.1999"));
        assert_eq!(
            r.shown("birth_date", None),
            "31.02.1999 (as written, unreadable)"
        );
        r.birth_date = Some("1999".parse().unwrap());
        assert!(matches!(r.validate(), Err(Error::Invalid { field, .. }) if field == "birth_date"));
        r.birth_date = None;
        r.unreadable.insert("surname".into(), "x".into());
        assert!(matches!(r.validate(), Err(Error::Invalid { field, .. }) if field == "surname"));
    }

    #[test]
    fn a_record_without_unreadable_values_serialises_as_before() {
        let r = PersonRecord {
            surname: Some("Коваленко".into()),
            ..Default::default()
        };
        let json = serde_json::to_value(&r).unwrap();
        assert!(json.get("unreadable").is_none(), "{json}");
    }

    #[test]
    fn records_need_category_relation_and_a_name() {
        let mut r = PersonRecord {
            category: Some(Category::Pow),
            relation: Some(Relation::Sought),
            ..Default::default()
        };
        assert!(matches!(r.validate(), Err(Error::Invalid { field, .. }) if field == "surname"));
        r.surname = Some("Коваленко".into());
        assert!(r.validate().is_ok());
        r.identification = Some(Identification::Presumptive);
        assert!(r.validate().is_err());
    }
}
