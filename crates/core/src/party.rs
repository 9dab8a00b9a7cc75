//! Parties: the belligerents, mediators and observers that take part in talks.

use serde::{Deserialize, Serialize};

/// A party's short code, e.g. `UA`, `RU`, `TR`, `ICRC`: 2 to 8 upper-case ASCII letters.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartyCode(String);

impl PartyCode {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for PartyCode {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if (2..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase()) {
            Ok(PartyCode(s.to_owned()))
        } else {
            Err(crate::Error::invalid(
                "party",
                format!(
                    "{s:?} is not a party code; use 2 to 8 capital letters such as UA, RU or TR"
                ),
            ))
        }
    }
}

impl TryFrom<String> for PartyCode {
    type Error = crate::Error;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<PartyCode> for String {
    fn from(p: PartyCode) -> String {
        p.0
    }
}

impl std::fmt::Display for PartyCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The standing of a party in the talks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartyKind {
    /// A side of the conflict.
    Belligerent,
    /// A neutral intermediary (a host state, the ICRC).
    Mediator,
    /// Present without a role in the exchange.
    Observer,
}

crate::text_enum!(PartyKind {
    Belligerent = "belligerent",
    Mediator = "mediator",
    Observer = "observer",
});

/// A party as registered in a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    /// Short code.
    pub code: PartyCode,
    /// Full name, e.g. "Ukraine".
    pub name: String,
    /// Standing in the talks.
    pub kind: PartyKind,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_short_capitals() {
        assert!("UA".parse::<PartyCode>().is_ok());
        assert!("ICRC".parse::<PartyCode>().is_ok());
        assert!("ua".parse::<PartyCode>().is_err());
        assert!("U".parse::<PartyCode>().is_err());
        assert!("UA;--".parse::<PartyCode>().is_err());
    }
}
