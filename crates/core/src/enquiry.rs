//! A family's enquiry after one of the party's own people: who asked, how to reach them,
//! their kinship, what they agree their request may be used for, and what they were told
//! and when. What counts as news a family must be told is decided here; the store finds it.

use crate::Error;
use crate::protection::Purpose;
use crate::record::MAX_TEXT;
use serde::{Deserialize, Serialize};

/// How the one who asked is related to the person.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kinship {
    /// Mother or father.
    Parent,
    /// Wife or husband, or partner.
    Spouse,
    /// Daughter or son.
    Child,
    /// Sister or brother.
    Sibling,
    /// Another relative.
    OtherRelative,
    /// Not a relative (a friend, a comrade, a lawyer).
    Other,
}

crate::text_enum!(Kinship {
    Parent = "parent",
    Spouse = "spouse",
    Child = "child",
    Sibling = "sibling",
    OtherRelative = "other_relative",
    Other = "other",
});

/// The longest name of the one who asked and their contact, in characters.
pub const MAX_ENQUIRER: usize = 300;

/// A family's enquiry as taken on a call.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEnquiry {
    /// Who asked, as they gave their name.
    pub asked_by: String,
    /// How to reach them (a telephone number, an address).
    pub contact: String,
    /// Their kinship to the person.
    pub kinship: Kinship,
    /// What they agree the request may be used for; an empty list is an answer too (none),
    /// but the question must have been asked: `null` or absent is refused.
    #[serde(default)]
    pub consent: Option<Vec<Purpose>>,
    /// Anything else they said.
    #[serde(default)]
    pub note: Option<String>,
}

impl NewEnquiry {
    /// Checks the enquiry; returns the purposes agreed, each once.
    pub fn validate(&self) -> Result<Vec<Purpose>, Error> {
        for (field, value, max) in [
            ("asked_by", self.asked_by.as_str(), MAX_ENQUIRER),
            ("contact", self.contact.as_str(), MAX_ENQUIRER),
        ] {
            if value.trim().is_empty() {
                return Err(crate::record::missing(
                    field,
                    "a family's enquiry needs who asked and how to reach them",
                ));
            }
            if let Some(refused) = crate::record::over_max(field, value, max) {
                return Err(refused);
            }
        }
        if let Some(refused) = self
            .note
            .as_deref()
            .and_then(|n| crate::record::over_max("note", n, MAX_TEXT))
        {
            return Err(refused);
        }
        let mut consent = self.consent.clone().ok_or_else(|| {
            crate::record::missing(
                "consent",
                "ask the family what their request may be used for (search, sharing with the mediator, with the other party) and record the answer, even if it is none",
            )
        })?;
        consent.sort();
        consent.dedup();
        Ok(consent)
    }
}

/// What a family was told.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    /// What they were told, in the words used.
    #[serde(default)]
    pub told: String,
    /// Whether the enquiry is closed with it (the person found, returned, the family asked
    /// no more).
    #[serde(default)]
    pub closes: bool,
}

impl Answer {
    /// Checks the answer.
    pub fn validate(&self) -> Result<(), Error> {
        if self.told.trim().is_empty() {
            return Err(crate::record::missing(
                "told",
                "write what the family was told",
            ));
        }
        match crate::record::over_max("told", self.told.trim(), MAX_TEXT) {
            Some(refused) => Err(refused),
            None => Ok(()),
        }
    }
}

/// Something that happened to the person since the family was last told.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum News {
    /// A reviewer confirmed that the person is on a list of the other side.
    LinkConfirmed {
        /// The kind of that list (holding, children, remains …).
        list_kind: String,
        /// When.
        at_ms: i64,
    },
    /// The person moved in an exchange stage.
    Moved {
        /// The movement (handed_over, received, withdrawn).
        movement: String,
        /// When.
        at_ms: i64,
    },
    /// A death, confirmed by a second person under the restricted-status rule. A death only
    /// proposed is not news: nobody tells a family what one person alone recorded.
    DeathConfirmed {
        /// When it was confirmed.
        at_ms: i64,
    },
}

impl News {
    /// When it happened.
    pub fn at_ms(&self) -> i64 {
        match self {
            News::LinkConfirmed { at_ms, .. }
            | News::Moved { at_ms, .. }
            | News::DeathConfirmed { at_ms } => *at_ms,
        }
    }

    /// The code by which the faces say it in words (`news-<code>`).
    pub fn code(&self) -> &'static str {
        match self {
            News::LinkConfirmed { .. } => "link_confirmed",
            News::Moved { .. } => "moved",
            News::DeathConfirmed { .. } => "death_confirmed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enquiry() -> NewEnquiry {
        NewEnquiry {
            asked_by: "Олена Ткачук (synthetic)".into(),
            contact: "+380 00 000 0000".into(),
            kinship: Kinship::Parent,
            consent: Some(vec![
                Purpose::ShareMediator,
                Purpose::Search,
                Purpose::Search,
            ]),
            note: None,
        }
    }

    #[test]
    fn an_enquiry_needs_its_consent_asked_and_its_asker() {
        assert_eq!(
            enquiry().validate().unwrap(),
            vec![Purpose::Search, Purpose::ShareMediator]
        );
        let none = NewEnquiry {
            consent: Some(vec![]),
            ..enquiry()
        };
        assert_eq!(none.validate().unwrap(), vec![]);
        for (e, field) in [
            (
                NewEnquiry {
                    consent: None,
                    ..enquiry()
                },
                "consent",
            ),
            (
                NewEnquiry {
                    contact: " ".into(),
                    ..enquiry()
                },
                "contact",
            ),
            (
                NewEnquiry {
                    asked_by: "О".repeat(301),
                    ..enquiry()
                },
                "asked_by",
            ),
        ] {
            assert!(
                matches!(e.validate(), Err(Error::Invalid { field: f, .. }) if f == field),
                "{field}"
            );
        }
        assert!(
            Answer {
                told: "  ".into(),
                closes: false
            }
            .validate()
            .is_err()
        );
    }
}
