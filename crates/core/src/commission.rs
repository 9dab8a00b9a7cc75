//! The mixed medical commission (GC III art. 110, 112–113, Annexes I and II): three members,
//! two of them neutral; prisoners proposed as art. 113 allows are examined (a date, a place,
//! the members present), and the commission decides by majority — repatriate directly,
//! accommodate in a neutral country, reject, or examine again later. A majority's decision
//! sets the prisoner's health as the exchange plan reads it.

use crate::Error;
use crate::record::{Health, MAX_TEXT, PartialDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A member of the commission, as its commitment names them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommissionMember {
    /// The member's name.
    pub name: String,
    /// Whether the member is from a neutral country (Annex II: two of the three are).
    pub neutral: bool,
}

/// How many members a commission has (Annex II art. 1).
pub const MEMBERS: usize = 3;

/// Checks the members a commitment names: three, two of them neutral, each named once.
pub fn check_members(members: &[CommissionMember]) -> Result<(), Error> {
    if members.len() != MEMBERS {
        return Err(Error::invalid(
            "members",
            format!(
                "a mixed medical commission has three members (GC III Annex II), not {}",
                members.len()
            ),
        ));
    }
    if members.iter().filter(|m| m.neutral).count() != 2 {
        return Err(Error::invalid(
            "members",
            "two of the three members are from a neutral country, one appointed by the detaining power (GC III Annex II)",
        ));
    }
    for (i, m) in members.iter().enumerate() {
        if m.name.trim().is_empty() {
            return Err(Error::invalid("members", "every member is named"));
        }
        if members[..i].iter().any(|o| o.name.trim() == m.name.trim()) {
            return Err(Error::invalid(
                "members",
                format!("{} is named twice", m.name.trim()),
            ));
        }
    }
    Ok(())
}

/// Who proposed the prisoner for examination (GC III art. 113).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProposedBy {
    /// The camp's doctor.
    CampDoctor,
    /// A doctor of the prisoner's own nationality.
    CompatriotDoctor,
    /// The prisoners' representative.
    PrisonersRepresentative,
    /// The power the prisoner depends on, or a relief organisation it recognises.
    OwnPower,
    /// The prisoner himself (examined after those proposed by the others).
    OwnApplication,
}

crate::text_enum!(ProposedBy {
    CampDoctor = "camp_doctor",
    CompatriotDoctor = "compatriot_doctor",
    PrisonersRepresentative = "prisoners_representative",
    OwnPower = "own_power",
    OwnApplication = "own_application",
});

/// A commission's decision on one prisoner (Annex II art. 10).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Eligible for direct repatriation (art. 110 ¶1).
    Repatriate,
    /// Eligible for accommodation in a neutral country (art. 110 ¶2).
    AccommodateNeutral,
    /// Not eligible.
    Reject,
    /// To be examined again later.
    ReExamine,
}

crate::text_enum!(Verdict {
    Repatriate = "repatriate",
    AccommodateNeutral = "accommodate_neutral",
    Reject = "reject",
    ReExamine = "re_examine",
});

impl Verdict {
    /// The health a majority's decision gives a prisoner whose health was `current`, or
    /// `None` when it leaves it as it was: eligible for direct repatriation is seriously
    /// wounded or sick; for a neutral country, wounded or sick; rejected, no longer
    /// seriously so.
    pub fn health_after(self, current: Health) -> Option<Health> {
        let next = match self {
            Verdict::Repatriate => Health::Serious,
            Verdict::AccommodateNeutral => Health::WoundedOrSick,
            Verdict::Reject if current == Health::Serious => Health::WoundedOrSick,
            Verdict::Reject | Verdict::ReExamine => return None,
        };
        (next != current).then_some(next)
    }
}

/// An examination to record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewExamination {
    /// The prisoner (a prisoner of war the party holds).
    pub person: i64,
    /// When.
    pub examined_on: PartialDate,
    /// Where.
    pub place: String,
    /// The members present, by name.
    pub present: Vec<String>,
    /// Who proposed the prisoner.
    pub proposed_by: ProposedBy,
}

impl NewExamination {
    /// Checks the examination against the commission's `members`: a full date not in the
    /// future, a place, at least two members present (a majority must be possible), each a
    /// member, each once.
    pub fn validate(&self, members: &[CommissionMember], today: PartialDate) -> Result<(), Error> {
        if members.is_empty() {
            return Err(Error::invalid(
                "members",
                "the commission's commitment names no members; amend it to name the three",
            ));
        }
        if self.examined_on.day.is_none() {
            return Err(Error::invalid(
                "examined_on",
                "give the day of the examination",
            ));
        }
        if self.examined_on > today {
            return Err(Error::invalid(
                "examined_on",
                format!("{} is in the future (today is {today})", self.examined_on),
            ));
        }
        let place = self.place.trim().chars().count();
        if place == 0 || place > MAX_TEXT {
            return Err(Error::invalid(
                "place",
                "say where the examination took place",
            ));
        }
        for (i, name) in self.present.iter().enumerate() {
            if !members.iter().any(|m| m.name.trim() == name.trim()) {
                return Err(Error::invalid(
                    "present",
                    format!(
                        "{} is not a member of the commission ({})",
                        name.trim(),
                        members
                            .iter()
                            .map(|m| m.name.trim())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            if self.present[..i].iter().any(|o| o.trim() == name.trim()) {
                return Err(Error::invalid(
                    "present",
                    format!("{} is named twice", name.trim()),
                ));
            }
        }
        if self.present.len() < 2 {
            return Err(Error::invalid(
                "present",
                "at least two members must be present: the commission decides by a majority of its three",
            ));
        }
        Ok(())
    }
}

/// A decision to record on an examination: each member present votes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewFinding {
    /// Each member's vote, by name.
    pub votes: BTreeMap<String, Verdict>,
    /// The grounds: the Annex I category (e.g. "loss of a limb", "projectile in the
    /// heart"); needed for a repatriation or a neutral country.
    #[serde(default)]
    pub grounds: Option<String>,
    /// When the commission decided.
    pub decided_on: PartialDate,
}

impl NewFinding {
    /// The majority's decision among the votes of the members `present` at an examination on
    /// `examined_on`: every member present votes, nobody else; two votes of three decide.
    /// Refused, naming the field: a vote of someone absent, a member present without a
    /// vote, no majority, a repatriation without grounds, a date before the examination or
    /// after today.
    pub fn decide(
        &self,
        present: &[String],
        examined_on: PartialDate,
        today: PartialDate,
    ) -> Result<Verdict, Error> {
        for name in self.votes.keys() {
            if !present.iter().any(|p| p.trim() == name.trim()) {
                return Err(Error::invalid(
                    "votes",
                    format!("{} was not present at the examination", name.trim()),
                ));
            }
        }
        if let Some(missing) = present
            .iter()
            .find(|p| !self.votes.keys().any(|v| v.trim() == p.trim()))
        {
            return Err(Error::invalid(
                "votes",
                format!("{} was present and has not voted", missing.trim()),
            ));
        }
        if self.decided_on < examined_on || self.decided_on > today {
            return Err(Error::invalid(
                "decided_on",
                format!(
                    "{} is not between the examination ({examined_on}) and today ({today})",
                    self.decided_on
                ),
            ));
        }
        let majority = Verdict::ALL
            .iter()
            .copied()
            .find(|v| self.votes.values().filter(|x| *x == v).count() * 2 > MEMBERS);
        let verdict = majority.ok_or_else(|| {
            Error::invalid(
                "votes",
                "no two members agree: the commission has no majority; examine again later",
            )
        })?;
        if matches!(verdict, Verdict::Repatriate | Verdict::AccommodateNeutral)
            && self.grounds.as_deref().is_none_or(|g| g.trim().is_empty())
        {
            return Err(Error::invalid(
                "grounds",
                "name the Annex I category the decision rests on",
            ));
        }
        if let Some(g) = &self.grounds
            && g.chars().count() > MAX_TEXT
        {
            return Err(Error::invalid(
                "grounds",
                "is over the limit of 1000 characters",
            ));
        }
        Ok(verdict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> Vec<CommissionMember> {
        [
            ("Dr A (synthetic)", true),
            ("Dr B (synthetic)", true),
            ("Dr C (synthetic)", false),
        ]
        .into_iter()
        .map(|(name, neutral)| CommissionMember {
            name: name.into(),
            neutral,
        })
        .collect()
    }

    fn day(s: &str) -> PartialDate {
        s.parse().unwrap()
    }

    fn field_of(r: Result<impl std::fmt::Debug, Error>) -> String {
        match r {
            Err(Error::Invalid { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn members_are_three_two_neutral() {
        assert!(check_members(&members()).is_ok());
        assert_eq!(field_of(check_members(&members()[..2])), "members");
        let mut m = members();
        m[0].neutral = false;
        assert_eq!(field_of(check_members(&m)), "members");
    }

    #[test]
    fn a_majority_decides_and_sets_health() {
        let present: Vec<String> = members().into_iter().map(|m| m.name).collect();
        let mut votes: BTreeMap<String, Verdict> = present
            .iter()
            .map(|p| (p.clone(), Verdict::Repatriate))
            .collect();
        votes.insert(present[2].clone(), Verdict::Reject);
        let finding = NewFinding {
            votes: votes.clone(),
            grounds: Some("chronic wound, no recovery within a year (Annex I)".into()),
            decided_on: day("2025-06-12"),
        };
        let today = day("2025-06-20");
        assert_eq!(
            finding.decide(&present, day("2025-06-10"), today).unwrap(),
            Verdict::Repatriate
        );
        assert_eq!(
            Verdict::Repatriate.health_after(Health::Fit),
            Some(Health::Serious)
        );
        assert_eq!(
            Verdict::Reject.health_after(Health::Serious),
            Some(Health::WoundedOrSick)
        );
        assert_eq!(Verdict::ReExamine.health_after(Health::Fit), None);
        let no_grounds = NewFinding {
            grounds: None,
            ..finding.clone()
        };
        assert_eq!(
            field_of(no_grounds.decide(&present, day("2025-06-10"), today)),
            "grounds"
        );
        votes.insert(present[1].clone(), Verdict::ReExamine);
        let split = NewFinding {
            votes,
            ..finding.clone()
        };
        assert_eq!(
            field_of(split.decide(&present, day("2025-06-10"), today)),
            "votes"
        );
        assert_eq!(
            field_of(finding.decide(&present[..2], day("2025-06-10"), today)),
            "votes"
        );
        assert_eq!(
            field_of(finding.decide(&present, day("2025-06-13"), today)),
            "decided_on"
        );
        let e = NewExamination {
            person: 1,
            examined_on: day("2025-06-10"),
            place: "camp hospital (synthetic)".into(),
            present: vec![present[0].clone()],
            proposed_by: ProposedBy::CampDoctor,
        };
        assert_eq!(field_of(e.validate(&members(), today)), "present");
        let stranger = NewExamination {
            present: vec![present[0].clone(), "Dr X".into()],
            ..e.clone()
        };
        assert_eq!(field_of(stranger.validate(&members(), today)), "present");
        let future = NewExamination {
            examined_on: day("2025-07-01"),
            present: present.clone(),
            ..e.clone()
        };
        assert_eq!(field_of(future.validate(&members(), today)), "examined_on");
        assert_eq!(field_of(e.validate(&[], today)), "members");
    }
}
