//! A record entered by hand or corrected, field by field, with its provenance: who changed
//! what, when, why and on what source. The rules are here so that every face (a command, a
//! route, a form) enters and corrects records the same way; the store keeps the history.

use crate::Error;
use crate::record::{
    Category, Health, MAX_TEXT, PartialDate, PersonRecord, Relation, Sex, Status, missing, too_long,
};
use serde::{Deserialize, Serialize};

/// What a change rests on.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A document: an identity card, a capture card, a death certificate, a letter.
    Document,
    /// A telephone call (a family's, a hotline's).
    Call,
    /// A row of a list (its number in the reference).
    ListRow,
    /// A finding of the mixed medical commission.
    Commission,
    /// Seen or heard by the party's own staff (on capture, at a visit, at recovery).
    Observation,
}

crate::text_enum!(SourceKind {
    Document = "document",
    Call = "call",
    ListRow = "list_row",
    Commission = "commission",
    Observation = "observation",
});

/// Why a record is entered or changed, and on what.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Why, in the words of the one who changes it.
    pub reason: String,
    /// What the change rests on.
    pub source: SourceKind,
    /// Which document, call or row (a number, a date, a name of a file).
    #[serde(default)]
    pub reference: Option<String>,
}

impl Provenance {
    /// Checks that a reason is given and that the texts fit their limits.
    pub fn validate(&self) -> Result<(), Error> {
        if self.reason.trim().is_empty() {
            return Err(missing(
                "reason",
                "say why the record is entered or changed",
            ));
        }
        for (field, value) in [
            ("reason", Some(&self.reason)),
            ("reference", self.reference.as_ref()),
        ] {
            if let Some(refused) = value.and_then(|v| crate::record::over_max(field, v, MAX_TEXT)) {
                return Err(refused);
            }
        }
        Ok(())
    }
}

/// One field to set (a value written as text) or to empty (`None`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    /// The field's name (`surname`, `birth_date`, `health` …).
    pub field: String,
    /// The new value: a date as YYYY, YYYY-MM or YYYY-MM-DD, a sex as m or f, a health as
    /// serious, wounded_or_sick, fit or unknown; `null` or empty to clear the field.
    pub value: Option<String>,
}

/// A field as it was before a change and after it, as shown to a reader.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Changed {
    /// The field.
    pub field: &'static str,
    /// Its value before (a value kept as written is marked so); `None` when empty.
    pub before: Option<String>,
    /// Its value after.
    pub after: Option<String>,
}

/// The fields a person may enter or correct, in the order forms show them. Not here: the
/// relation (whose person it is decides whose register holds it), the status (moved by
/// links, stages and the restricted-status rules), the identification of remains (its own
/// steps) and the synthetic mark.
pub const FIELDS: [&str; 22] = [
    "category",
    "surname",
    "given_names",
    "patronymic",
    "father_name",
    "birth_date",
    "birth_place",
    "sex",
    "citizenship",
    "rank",
    "unit",
    "service_number",
    "capture_date",
    "capture_place",
    "health",
    "deportation_date",
    "deportation_place",
    "family_contact",
    "last_known_location",
    "recovery_site",
    "recovery_date",
    "tag_number",
];

/// The fields the linkage compares: a change to one of them changes a link's evidence.
pub const EVIDENCE_FIELDS: [&str; 12] = [
    "category",
    "surname",
    "given_names",
    "patronymic",
    "father_name",
    "birth_date",
    "birth_place",
    "sex",
    "rank",
    "unit",
    "service_number",
    "tag_number",
];

/// Whether a change to these fields changes the evidence a link was decided on.
pub fn touches_evidence(changed: &[Changed]) -> bool {
    changed.iter().any(|c| EVIDENCE_FIELDS.contains(&c.field))
}

/// Why the identification of remains is not entered or corrected by hand.
const IDENTIFIED_BY_STEPS: &str =
    "remains are identified through their own steps (presumptive, then DNA-confirmed)";

/// The field's name as [`FIELDS`] holds it, or why it cannot be changed here.
fn known_field(name: &str) -> Result<&'static str, Error> {
    let name = name.trim();
    let why = match name {
        "status" => {
            "a status moves through links, stages and the restricted-status rules, not by correction"
        }
        "relation" => {
            "whose person a record is decides whose register holds it; enter a new record instead"
        }
        "identification" => IDENTIFIED_BY_STEPS,
        "synthetic" => "the synthetic mark is set when a record is made and never changed",
        _ => {
            return FIELDS.iter().find(|f| **f == name).copied().ok_or_else(|| {
                Error::invalid(
                    name,
                    format!(
                        "is not a field of a record; use one of {}",
                        FIELDS.join(", ")
                    ),
                )
            });
        }
    };
    Err(Error::invalid(name, why))
}

/// A field's value as a reader sees it: typed values in their words, a value kept as written
/// with its mark.
pub fn shown_value(record: &PersonRecord, field: &str) -> Option<String> {
    let text = |v: &Option<String>| v.clone();
    let date = |v: &Option<PartialDate>| v.map(|d| d.to_string());
    let typed = match field {
        "category" => record.category.map(|v| v.as_str().to_owned()),
        "surname" => text(&record.surname),
        "given_names" => text(&record.given_names),
        "patronymic" => text(&record.patronymic),
        "father_name" => text(&record.father_name),
        "birth_date" => date(&record.birth_date),
        "birth_place" => text(&record.birth_place),
        "sex" => record.sex.map(|v| v.as_str().to_owned()),
        "citizenship" => text(&record.citizenship),
        "rank" => text(&record.rank),
        "unit" => text(&record.unit),
        "service_number" => text(&record.service_number),
        "capture_date" => date(&record.capture_date),
        "capture_place" => text(&record.capture_place),
        "health" => record.health.map(|v| v.as_str().to_owned()),
        "deportation_date" => date(&record.deportation_date),
        "deportation_place" => text(&record.deportation_place),
        "family_contact" => text(&record.family_contact),
        "last_known_location" => text(&record.last_known_location),
        "recovery_site" => text(&record.recovery_site),
        "recovery_date" => date(&record.recovery_date),
        "tag_number" => text(&record.tag_number),
        _ => None,
    };
    let shown = record.shown(field, typed);
    (!shown.is_empty()).then_some(shown)
}

/// `e` said of `field` (a value's own error names its type, not the field).
fn in_field(field: &str, e: Error) -> Error {
    e.in_field(field)
}

/// A date that must not lie after `today`.
fn past_date(field: &str, value: &str, today: PartialDate) -> Result<PartialDate, Error> {
    let date: PartialDate = value.parse().map_err(|e| in_field(field, e))?;
    if date > today {
        return Err(Error::invalid(
            field,
            format!("{date} is in the future (today is {today})"),
        ));
    }
    Ok(date)
}

/// Sets one field of `record` from its text (`None` empties it). Text is kept as written,
/// trimmed; typed values are read or refused with the field named.
fn set_field(
    record: &mut PersonRecord,
    field: &'static str,
    value: Option<&str>,
    today: PartialDate,
) -> Result<(), Error> {
    let value = value.map(str::trim).filter(|v| !v.is_empty());
    if let Some(refused) = value.and_then(|v| too_long(field, v.chars().count())) {
        return Err(refused);
    }
    let owned = value.map(str::to_owned);
    let date = |v: Option<&str>| v.map(|v| past_date(field, v, today)).transpose();
    let typed = |e: Error| in_field(field, e);
    match field {
        "category" => {
            record.category = Some(
                value
                    .ok_or_else(|| missing(field, "a record needs a category"))?
                    .parse::<Category>()
                    .map_err(typed)?,
            )
        }
        "surname" => record.surname = owned,
        "given_names" => record.given_names = owned,
        "patronymic" => record.patronymic = owned,
        "father_name" => record.father_name = owned,
        "birth_date" => record.birth_date = date(value)?,
        "birth_place" => record.birth_place = owned,
        "sex" => record.sex = value.map(str::parse::<Sex>).transpose().map_err(typed)?,
        "citizenship" => record.citizenship = owned,
        "rank" => record.rank = owned,
        "unit" => record.unit = owned,
        "service_number" => record.service_number = owned,
        "capture_date" => record.capture_date = date(value)?,
        "capture_place" => record.capture_place = owned,
        "health" => record.health = value.map(str::parse::<Health>).transpose().map_err(typed)?,
        "deportation_date" => record.deportation_date = date(value)?,
        "deportation_place" => record.deportation_place = owned,
        "family_contact" => record.family_contact = owned,
        "last_known_location" => record.last_known_location = owned,
        "recovery_site" => record.recovery_site = owned,
        "recovery_date" => record.recovery_date = date(value)?,
        "tag_number" => record.tag_number = owned,
        other => return Err(known_field(other).err().unwrap_or_else(|| unknown(other))),
    }
    // A value set or emptied by hand replaces the text kept as written.
    record.unreadable.remove(field);
    Ok(())
}

fn unknown(field: &str) -> Error {
    Error::invalid(field, "is not a field of a record")
}

/// Sets each of `changes` on `record`, each field known and named once; returns the fields
/// named.
fn apply(
    record: &mut PersonRecord,
    changes: &[FieldChange],
    today: PartialDate,
) -> Result<Vec<&'static str>, Error> {
    let mut named: Vec<&'static str> = Vec::new();
    for change in changes {
        let field = known_field(&change.field)?;
        if named.contains(&field) {
            return Err(Error::invalid(field, "is named twice"));
        }
        named.push(field);
        set_field(record, field, change.value.as_deref(), today)?;
    }
    Ok(named)
}

/// A new record of `relation` made from fields as written (`category` among them), each read
/// as a correction reads it; [`enter`] then checks the whole.
pub fn record_from_fields(
    relation: Relation,
    status: Option<Status>,
    synthetic: bool,
    fields: &[FieldChange],
    today: PartialDate,
) -> Result<PersonRecord, Error> {
    let mut record = PersonRecord {
        relation: Some(relation),
        status,
        synthetic,
        ..Default::default()
    };
    apply(&mut record, fields, today)?;
    if record.category.is_none() {
        return Err(missing(
            "category",
            "a record needs a category: pow, civilian, child or remains",
        ));
    }
    Ok(record)
}

/// Fields named in a map (as a JSON object or a form gives them), in [`FIELDS`]'s order,
/// unknown names last so that they are refused by name.
pub fn changes_of(map: &std::collections::BTreeMap<String, Option<String>>) -> Vec<FieldChange> {
    let rank = |f: &str| FIELDS.iter().position(|k| *k == f).unwrap_or(FIELDS.len());
    let mut changes: Vec<FieldChange> = map
        .iter()
        .map(|(field, value)| FieldChange {
            field: field.clone(),
            value: value.clone(),
        })
        .collect();
    changes.sort_by_key(|c| rank(c.field.trim()));
    changes
}

/// `record` with `changes` applied, and what changed. Refuses an unknown field, a field
/// named twice, a value that cannot be read, a date in the future, a text over its limit and
/// a record that would break the rules of [`PersonRecord::validate`] — each naming the field,
/// nothing applied. What changed comes in [`FIELDS`]'s order; a change that changes nothing is
/// left out, none at all is refused.
pub fn correct(
    record: &PersonRecord,
    changes: &[FieldChange],
    today: PartialDate,
) -> Result<(PersonRecord, Vec<Changed>), Error> {
    let mut next = record.clone();
    let mut named = apply(&mut next, changes, today)?;
    next.validate()?;
    named.sort_by_key(|f| FIELDS.iter().position(|k| k == f));
    let changed: Vec<Changed> = named
        .into_iter()
        .filter_map(|field| {
            let (before, after) = (shown_value(record, field), shown_value(&next, field));
            (before != after).then_some(Changed {
                field,
                before,
                after,
            })
        })
        .collect();
    if changed.is_empty() {
        return Err(Error::invalid(
            "changes",
            "nothing would change: every value given is the one the record holds",
        ));
    }
    Ok((next, changed))
}

/// A record entered by hand, checked: its category and relation given, its status the
/// relation's own unless said (a death only through the restricted-status rules), no date in
/// the future, every text within its limit. Returns the record as it will be stored and its
/// fields as entered.
pub fn enter(
    record: &PersonRecord,
    today: PartialDate,
) -> Result<(PersonRecord, Vec<Changed>), Error> {
    let mut next = record.clone();
    let relation = next
        .relation
        .ok_or_else(|| missing("relation", "a record needs a relation: sought or held"))?;
    match next.status {
        Some(Status::Deceased) => {
            return Err(Error::invalid(
                "status",
                "a death is recorded through a restricted status that a second person confirms, not when a record is entered",
            ));
        }
        Some(_) => {}
        None => {
            next.status = Some(match relation {
                Relation::Sought => Status::Missing,
                Relation::Held => Status::Held,
            })
        }
    }
    if next.identification.is_some() {
        return Err(Error::invalid("identification", IDENTIFIED_BY_STEPS));
    }
    if next.category == Some(Category::Remains) {
        next.identification = Some(crate::record::Identification::Unidentified);
    }
    for field in [
        "birth_date",
        "capture_date",
        "deportation_date",
        "recovery_date",
    ] {
        if let Some(value) = shown_value(&next, field)
            && !next.unreadable.contains_key(field)
        {
            past_date(field, &value, today)?;
        }
    }
    next.validate()?;
    let entered = FIELDS
        .iter()
        .filter_map(|&field| {
            shown_value(&next, field).map(|after| Changed {
                field,
                before: None,
                after: Some(after),
            })
        })
        .collect();
    Ok((next, entered))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> PartialDate {
        PartialDate::ymd(2026, 12, 3).unwrap()
    }

    fn record() -> PersonRecord {
        PersonRecord {
            category: Some(Category::Pow),
            relation: Some(Relation::Sought),
            status: Some(Status::Missing),
            surname: Some("Шевчеко".into()),
            given_names: Some("Андрій".into()),
            unreadable: [("birth_date".to_owned(), "31.02.1999".to_owned())].into(),
            synthetic: true,
            ..Default::default()
        }
    }

    fn set(field: &str, value: Option<&str>) -> FieldChange {
        FieldChange {
            field: field.into(),
            value: value.map(str::to_owned),
        }
    }

    #[test]
    fn a_correction_says_what_was_and_what_is() {
        let (next, changed) = correct(
            &record(),
            &[
                set("surname", Some(" Шевченко ")),
                set("birth_date", Some("1999-02-28")),
                set("given_names", Some("Андрій")),
            ],
            today(),
        )
        .unwrap();
        assert_eq!(next.surname.as_deref(), Some("Шевченко"));
        assert!(
            next.unreadable.is_empty(),
            "the value read replaces the text"
        );
        assert_eq!(changed.len(), 2, "the unchanged given name is left out");
        assert_eq!(changed[0].before.as_deref(), Some("Шевчеко"));
        assert_eq!(
            changed[1].before.as_deref(),
            Some("31.02.1999 (as written, unreadable)")
        );
        assert!(touches_evidence(&changed));
        let (_, health) = correct(&next, &[set("health", Some("serious"))], today()).unwrap();
        assert!(!touches_evidence(&health));
    }

    #[test]
    fn bad_corrections_name_the_field_and_change_nothing() {
        let cases = [
            (
                set("birth_date", Some("2027-01-01")),
                "birth_date",
                "future",
            ),
            (set("birth_date", Some("31.02.1999")), "birth_date", "YYYY"),
            (set("status", Some("returned")), "status", "links"),
            (set("relation", Some("held")), "relation", "new record"),
            (set("eye_colour", Some("blue")), "eye_colour", "not a field"),
            (set("sex", Some("x")), "sex", "unknown value"),
            (
                set("surname", Some(&"Ш".repeat(301))),
                "surname",
                "over the limit",
            ),
            (set("surname", None), "surname", "needs a surname"),
            (set("category", None), "category", "needs a category"),
        ];
        for (change, field, words) in cases {
            let mut changes = vec![change];
            if field == "surname" && words == "needs a surname" {
                changes.push(set("given_names", None));
            }
            match correct(&record(), &changes, today()) {
                Err(Error::Invalid {
                    field: f, reason, ..
                }) => {
                    assert_eq!(f, field, "{reason}");
                    assert!(reason.contains(words), "{field}: {reason}");
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        let twice = [set("unit", Some("1")), set("unit", Some("2"))];
        assert!(
            matches!(correct(&record(), &twice, today()), Err(Error::Invalid { field, .. }) if field == "unit")
        );
        let same = [set("surname", Some("Шевчеко"))];
        assert!(
            matches!(correct(&record(), &same, today()), Err(Error::Invalid { field, .. }) if field == "changes")
        );
    }

    #[test]
    fn an_entered_record_takes_its_relations_status_and_no_death() {
        let mut r = record();
        r.status = None;
        r.unreadable.clear();
        r.birth_date = Some(PartialDate::ymd(1990, 5, 1).unwrap());
        let (next, entered) = enter(&r, today()).unwrap();
        assert_eq!(next.status, Some(Status::Missing));
        assert_eq!(entered.len(), 4, "{entered:?}");
        r.status = Some(Status::Deceased);
        assert!(
            matches!(enter(&r, today()), Err(Error::Invalid { field, .. }) if field == "status")
        );
        r.status = None;
        r.capture_date = Some(PartialDate::ymd(2027, 1, 1).unwrap());
        assert!(
            matches!(enter(&r, today()), Err(Error::Invalid { field, .. }) if field == "capture_date")
        );
    }
}
