//! Protecting the people in the lists: which records are protected and what of them is shown
//! to whom, restricted statuses and their two-person rule, the purposes a family agreed to,
//! retention, and the patterns of reading that an auditor should look at. Pure rules; the
//! store applies them where records are read and written, so no page, route or export can
//! forget them.

use crate::Error;
use crate::record::{Category, PersonRecord, Status};
use serde::{Deserialize, Serialize};

macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The name used in storage, on the command line and in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self, Error> {
                $name::ALL.iter().copied().find(|v| v.as_str() == s.trim()).ok_or_else(|| {
                    Error::invalid(
                        stringify!($name),
                        format!(
                            "unknown value {s:?}; use one of {}",
                            $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    )
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named_enum! {
    /// Why a record is protected.
    Sensitivity {
        /// A child (every record of the child category is protected).
        Child = "child",
        /// The person's relatives are under pressure.
        RelativesUnderPressure = "relatives_under_pressure",
        /// The person refused repatriation.
        RefusedRepatriation = "refused_repatriation",
        /// Other reasons a protection officer recorded.
        Other = "other",
    }
}

named_enum! {
    /// A status that needs a specific permission and a second person's confirmation, and
    /// never leaves the party inside a list unless a negotiator releases it.
    Restriction {
        /// The person died.
        Deceased = "deceased",
        /// The person refused repatriation (Third Geneva Convention, art. 109).
        RefusedRepatriation = "refused_repatriation",
        /// Information that could harm the person or the relatives (Fourth Geneva
        /// Convention, art. 137).
        HarmfulInformation = "harmful_information",
    }
}

named_enum! {
    /// What a family agreed its tracing request may be used for.
    Purpose {
        /// Searching for the person inside the party's own register and lists.
        Search = "search",
        /// Sharing the request with the neutral mediator.
        ShareMediator = "share_mediator",
        /// Sharing the request with the other party.
        ShareOtherParty = "share_other_party",
    }
}

named_enum! {
    /// A read of a person's record that is audited.
    ReadAction {
        /// The record was opened.
        View = "view",
        /// The record came up as a search hit.
        SearchHit = "search_hit",
        /// The record left in an export.
        Export = "export",
        /// A proof of the record's row was made.
        Proof = "proof",
        /// A read was refused or masked.
        Refused = "refused",
    }
}

/// Whether reads show the sensitive fields of protected records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clearance {
    /// Everything.
    Full,
    /// Sensitive fields of protected records are masked; protected records do not come up
    /// in search.
    Masked,
}

/// What a masked field shows.
pub const MASK: &str = "[protected]";

/// The fields of a protected record shown only to those cleared for them.
pub const SENSITIVE_FIELDS: [&str; 10] = [
    "surname",
    "given_names",
    "patronymic",
    "father_name",
    "birth_date",
    "birth_place",
    "capture_place",
    "deportation_place",
    "family_contact",
    "last_known_location",
];

/// The visible classification line every export of personal data carries.
pub fn classification_line(party: &str, records: usize, protected: usize) -> String {
    format!(
        "CLASSIFICATION: PERSONAL DATA from the register of {party}: {records} records, {protected} of them protected. Handle under {party}'s data-protection rules; do not forward."
    )
}

/// Whether a record is protected: marked so, or a child's.
pub fn is_protected(record: &PersonRecord, marked: Option<Sensitivity>) -> bool {
    marked.is_some() || record.category == Some(Category::Child)
}

/// Applies the clearance to a record as read: a protected record loses its sensitive fields
/// for a reader not cleared for them. Returns whether anything was masked.
pub fn disclose(record: &mut PersonRecord, protected: bool, clearance: Clearance) -> bool {
    if !protected || clearance == Clearance::Full {
        return false;
    }
    record.surname = Some(MASK.to_owned());
    record.given_names = None;
    record.patronymic = None;
    record.father_name = None;
    record.birth_date = None;
    record.birth_place = None;
    record.capture_place = None;
    record.deportation_place = None;
    record.family_contact = None;
    record.last_known_location = None;
    record
        .unreadable
        .retain(|field, _| !SENSITIVE_FIELDS.contains(&field.as_str()));
    true
}

/// Applies the clearance to the cells of a list row that gave a protected record: all of
/// them are masked, since which column holds a name is the file's business.
pub fn disclose_cells(
    cells: &mut serde_json::Map<String, serde_json::Value>,
    protected: bool,
    clearance: Clearance,
) -> bool {
    if !protected || clearance == Clearance::Full {
        return false;
    }
    for v in cells.values_mut() {
        *v = serde_json::Value::from(MASK);
    }
    true
}

/// The two-person rule: whoever proposed a restricted status or an erasure cannot be the
/// one who confirms it.
pub fn check_second_person(proposed_by: &str, confirming: &str, what: &str) -> Result<(), Error> {
    if proposed_by == confirming {
        Err(Error::invalid(
            "confirmation",
            format!(
                "{what} was proposed by {proposed_by}; a second person must confirm it, not the same one"
            ),
        ))
    } else {
        Ok(())
    }
}

impl Restriction {
    /// The status a confirmed restriction gives the record, if it changes it.
    pub fn status(self) -> Option<Status> {
        match self {
            Restriction::Deceased => Some(Status::Deceased),
            _ => None,
        }
    }

    /// The restriction a status change amounts to, if any: recording a death is restricted.
    pub fn of_status(status: Option<Status>) -> Option<Restriction> {
        (status == Some(Status::Deceased)).then_some(Restriction::Deceased)
    }
}

/// Whether a record with the family's `consent` may be used for `purpose`. A record with no
/// consent recorded is not a family's request (a register entry of the party's own); it is
/// not gated.
pub fn consents(consent: Option<&[Purpose]>, purpose: Purpose) -> bool {
    consent.is_none_or(|c| c.contains(&purpose))
}

/// Why a record was left out for `purpose`, in words for the review page.
pub fn left_out_because(consent: &[Purpose], purpose: Purpose) -> String {
    let agreed = if consent.is_empty() {
        "nothing".to_owned()
    } else {
        consent
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("the family agreed to {agreed}, not to {}", purpose.as_str())
}

/// A retention rule: records of a category (and status, when given) are kept this many days
/// after their last change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetentionRule {
    /// The category.
    pub category: Category,
    /// The status, or every status.
    pub status: Option<Status>,
    /// Days kept after the last change.
    pub days: i64,
}

/// Whether a record has outlived its retention: the most specific rule (category and
/// status before category alone) decides; no rule keeps it.
pub fn expired(
    category: Category,
    status: Status,
    updated_at_ms: i64,
    rules: &[RetentionRule],
    now_ms: i64,
) -> bool {
    let rule = rules
        .iter()
        .find(|r| r.category == category && r.status == Some(status))
        .or_else(|| {
            rules
                .iter()
                .find(|r| r.category == category && r.status.is_none())
        });
    rule.is_some_and(|r| now_ms - updated_at_ms > r.days.saturating_mul(86_400_000))
}

/// One audited read, as the rules about unusual reading see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// Who read.
    pub actor: String,
    /// When, in milliseconds since 1970 (UTC).
    pub at_ms: i64,
    /// What kind of read.
    pub action: ReadAction,
    /// Which record.
    pub person_id: Option<i64>,
}

/// A pattern of reading an auditor should look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReadFlag {
    /// Whose reads.
    pub actor: String,
    /// When the pattern began.
    pub at_ms: i64,
    /// What was unusual, in words.
    pub why: String,
    /// What was unusual, as a code with its values, for a face to say in its own language.
    pub pattern: Unusual,
}

/// What made a pattern of reading unusual.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Unusual {
    /// Many different records opened within a minute.
    Burst {
        /// How many.
        records: usize,
    },
    /// Personal data exported at night (UTC).
    NightExport {
        /// Records exported.
        records: usize,
        /// The hour, UTC.
        hour: i64,
    },
}

/// Records one user may open within a minute before it is flagged.
pub const BURST_RECORDS: usize = 100;
/// Exports between these UTC hours (from, to) are flagged.
pub const NIGHT_HOURS: (i64, i64) = (22, 6);

/// The unusual patterns among `reads` (in any order): one user opening
/// [`BURST_RECORDS`] or more different records within a minute, and exports at night.
pub fn unusual(reads: &[Read]) -> Vec<ReadFlag> {
    let mut flags = Vec::new();
    let mut by_actor: std::collections::BTreeMap<&str, Vec<&Read>> = Default::default();
    for r in reads {
        by_actor.entry(r.actor.as_str()).or_default().push(r);
    }
    for (actor, mut rs) in by_actor {
        rs.sort_by_key(|r| r.at_ms);
        let opens: Vec<&&Read> = rs
            .iter()
            .filter(|r| matches!(r.action, ReadAction::View | ReadAction::SearchHit))
            .collect();
        let mut start = 0;
        let mut flagged_until = i64::MIN;
        for end in 0..opens.len() {
            while opens[end].at_ms - opens[start].at_ms >= 60_000 {
                start += 1;
            }
            let distinct: std::collections::BTreeSet<Option<i64>> =
                opens[start..=end].iter().map(|r| r.person_id).collect();
            if distinct.len() >= BURST_RECORDS && opens[start].at_ms > flagged_until {
                flags.push(ReadFlag {
                    actor: actor.to_owned(),
                    at_ms: opens[start].at_ms,
                    why: format!(
                        "opened {} different records within a minute",
                        distinct.len()
                    ),
                    pattern: Unusual::Burst {
                        records: distinct.len(),
                    },
                });
                flagged_until = opens[end].at_ms;
            }
        }
        // One flag per export (its records share the moment), not per record.
        let mut exports: std::collections::BTreeMap<i64, usize> = Default::default();
        for r in rs.iter().filter(|r| r.action == ReadAction::Export) {
            *exports.entry(r.at_ms).or_default() += 1;
        }
        for (at_ms, records) in exports {
            let hour = at_ms.rem_euclid(86_400_000) / 3_600_000;
            if hour >= NIGHT_HOURS.0 || hour < NIGHT_HOURS.1 {
                flags.push(ReadFlag {
                    actor: actor.to_owned(),
                    at_ms,
                    why: format!(
                        "exported personal data ({records} records) at {hour:02}:xx UTC, at night"
                    ),
                    pattern: Unusual::NightExport { records, hour },
                });
            }
        }
    }
    flags.sort_by_key(|f| f.at_ms);
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child() -> PersonRecord {
        PersonRecord {
            category: Some(Category::Child),
            surname: Some("Шевчук".into()),
            given_names: Some("Марія".into()),
            birth_date: Some("2015-04-02".parse().unwrap()),
            family_contact: Some("+380 00 000 0000".into()),
            synthetic: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_childs_record_is_masked_for_a_reader_not_cleared() {
        let mut r = child();
        assert!(is_protected(&r, None));
        assert!(!disclose(&mut r.clone(), true, Clearance::Full));
        assert!(disclose(&mut r, true, Clearance::Masked));
        assert_eq!(r.surname.as_deref(), Some(MASK));
        assert_eq!(
            (r.given_names, r.birth_date, r.family_contact),
            (None, None, None)
        );
        assert_eq!(r.category, Some(Category::Child));
        // A birth date kept as written is as sensitive as a read one; an unreadable sex is not.
        let mut unread = child();
        unread.birth_date = None;
        unread
            .unreadable
            .insert("birth_date".into(), "31.02.2015".into());
        unread.unreadable.insert("sex".into(), "?".into());
        assert!(disclose(&mut unread, true, Clearance::Masked));
        assert_eq!(unread.unreadable.keys().collect::<Vec<_>>(), vec!["sex"]);
        let mut cells = serde_json::Map::new();
        cells.insert("прізвище".into(), "Шевчук".into());
        assert!(disclose_cells(&mut cells, true, Clearance::Masked));
        assert_eq!(cells["прізвище"], MASK);
    }

    #[test]
    fn a_second_person_confirms() {
        assert!(check_second_person("user:1", "user:1", "the death of record 4").is_err());
        assert!(check_second_person("user:1", "user:2", "the death of record 4").is_ok());
    }

    #[test]
    fn consent_gates_only_a_familys_request() {
        assert!(consents(None, Purpose::ShareOtherParty));
        assert!(consents(Some(&[Purpose::Search]), Purpose::Search));
        assert!(!consents(
            Some(&[Purpose::Search]),
            Purpose::ShareOtherParty
        ));
        assert_eq!(
            left_out_because(&[Purpose::Search], Purpose::ShareMediator),
            "the family agreed to search, not to share_mediator"
        );
    }

    #[test]
    fn the_most_specific_retention_rule_decides() {
        let day = 86_400_000;
        let rules = [
            RetentionRule {
                category: Category::Pow,
                status: None,
                days: 3650,
            },
            RetentionRule {
                category: Category::Pow,
                status: Some(Status::Returned),
                days: 365,
            },
        ];
        assert!(expired(
            Category::Pow,
            Status::Returned,
            0,
            &rules,
            366 * day
        ));
        assert!(!expired(
            Category::Pow,
            Status::Missing,
            0,
            &rules,
            366 * day
        ));
        assert!(!expired(
            Category::Civilian,
            Status::Returned,
            0,
            &rules,
            9999 * day
        ));
    }

    #[test]
    fn bursts_and_night_exports_are_flagged() {
        let day = 86_400_000;
        let noon = 12 * 3_600_000;
        let mut reads: Vec<Read> = (0..120)
            .map(|i| Read {
                actor: "user:3".into(),
                at_ms: day + noon + i * 400,
                action: ReadAction::View,
                person_id: Some(i),
            })
            .collect();
        // Another user reads the same records slowly: not flagged.
        reads.extend((0..120).map(|i| Read {
            actor: "user:4".into(),
            at_ms: day + noon + i * 60_000,
            action: ReadAction::View,
            person_id: Some(i),
        }));
        reads.push(Read {
            actor: "user:4".into(),
            at_ms: day + 23 * 3_600_000,
            action: ReadAction::Export,
            person_id: Some(1),
        });
        reads.push(Read {
            actor: "user:4".into(),
            at_ms: day + noon,
            action: ReadAction::Export,
            person_id: Some(1),
        });
        let flags = unusual(&reads);
        assert_eq!(flags.len(), 2, "{flags:?}");
        assert!(
            flags
                .iter()
                .any(|f| f.actor == "user:3" && f.why.contains("within a minute"))
        );
        assert!(
            flags
                .iter()
                .any(|f| f.actor == "user:4" && f.why.contains("at night"))
        );
    }
}
