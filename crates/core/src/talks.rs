//! Talks rounds, the commitments made in them, and fulfilment.
//!
//! Fulfilment is never typed in: it is computed here from the movements of people that
//! the exchange plans record (planned, handed over, received, withdrawn).

use crate::party::PartyCode;
use crate::record::Category;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A delegation at a round.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delegation {
    /// The party the delegation represents.
    pub party: PartyCode,
    /// Head of the delegation.
    pub head: String,
    /// Number of members, when known.
    pub size: Option<i64>,
}

/// The kinds of commitment a round can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentKind {
    /// Exchange of prisoners of war (and detained civilians).
    PowExchange,
    /// Return of the remains of the fallen.
    RemainsReturn,
    /// Return of deported children.
    ChildReturn,
    /// A short local truce, e.g. to recover the dead.
    LocalTruce,
    /// A written ceasefire proposal under consideration.
    CeasefireProposal,
    /// A further meeting: a next round or a summit.
    Meeting,
    /// A mixed medical commission (GC III art. 112–113).
    MedicalCommission,
}

crate::text_enum!(CommitmentKind {
    PowExchange = "pow_exchange",
    RemainsReturn = "remains_return",
    ChildReturn = "child_return",
    LocalTruce = "local_truce",
    CeasefireProposal = "ceasefire_proposal",
    Meeting = "meeting",
    MedicalCommission = "medical_commission",
});

/// How parity between the two directions of an exchange is kept.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Parity {
    /// Equal numbers overall.
    Overall,
    /// Equal numbers in every stage.
    PerStage,
    /// Not required.
    None,
}

/// A priority rule for ordering the people of an exchange.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum Priority {
    /// Seriously wounded or sick first (GC III art. 110).
    SeriouslyWoundedOrSick,
    /// Wounded or sick.
    WoundedOrSick,
    /// An age band, inclusive.
    AgeBand {
        /// Lowest age.
        min: u8,
        /// Highest age.
        max: u8,
    },
    /// Longest in captivity first.
    LongestHeld,
}

/// The terms of a commitment, one shape per kind.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Terms {
    /// Exchange of prisoners.
    PowExchange {
        /// People each way.
        quantity_each_way: u32,
        /// A further tranche each way that may be arranged.
        extra_tranche: Option<u32>,
        /// How parity is kept.
        parity: Parity,
        /// Parity is kept within each category too (military for military, civilian
        /// for civilian).
        #[serde(default)]
        parity_by_category: bool,
        /// Ordering rules, most important first.
        priorities: Vec<Priority>,
        /// Categories included.
        categories: Vec<Category>,
        /// Latest date, `YYYY-MM-DD`.
        deadline: Option<String>,
    },
    /// Return of remains.
    RemainsReturn {
        /// Bodies each way.
        quantity_each_way: u32,
    },
    /// Return of children from a list handed over.
    ChildReturn {
        /// The party that asked for the children.
        requested_by: PartyCode,
        /// The party asked to return them.
        requested_from: PartyCode,
        /// Names on the list handed over.
        listed: u32,
        /// Number the other side agreed to work on.
        agreed: u32,
        /// The list document, once in the store.
        list_id: Option<i64>,
    },
    /// A local truce.
    LocalTruce {
        /// Where, when decided.
        sector: Option<String>,
        /// Shortest duration in days.
        min_days: i32,
        /// Longest duration in days.
        max_days: i32,
        /// What it is for.
        purpose: String,
        /// Start date, when fixed.
        start: Option<String>,
    },
    /// A ceasefire proposal.
    CeasefireProposal {
        /// Who made it.
        proposed_by: PartyCode,
        /// Its options, as stated.
        options: Vec<String>,
        /// Conditions attached to it, as stated.
        #[serde(default)]
        conditions: Vec<String>,
        /// Where it stands, e.g. "under consideration".
        status: String,
    },
    /// A further meeting.
    Meeting {
        /// Who proposed it.
        proposed_by: Option<PartyCode>,
        /// What, e.g. "next round" or "leaders' summit".
        purpose: String,
        /// When, as stated.
        when: String,
    },
    /// A mixed medical commission.
    MedicalCommission {
        /// Its mandate.
        mandate: String,
        /// Its three members, two of them neutral (GC III Annex II); none named yet when
        /// empty, and then it examines nobody.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        members: Vec<crate::commission::CommissionMember>,
    },
}

impl Terms {
    /// Checks the terms of a commitment between `sides`; the error names the rule and the
    /// field at fault.
    pub fn validate(&self, sides: &[PartyCode; 2]) -> Result<(), crate::Error> {
        use crate::Error;
        let date = |field: &str, v: &Option<String>| -> Result<(), Error> {
            match v {
                Some(d) => d
                    .parse::<crate::record::PartialDate>()
                    .map(|_| ())
                    .map_err(|e| Error::invalid(field, format!("{d:?}: {e}"))),
                None => Ok(()),
            }
        };
        let a_side = |field: &str, p: &PartyCode| -> Result<(), Error> {
            if sides.contains(p) {
                Ok(())
            } else {
                Err(Error::invalid(
                    field,
                    format!(
                        "{p} is not a side of the commitment ({} and {})",
                        sides[0], sides[1]
                    ),
                ))
            }
        };
        if sides[0] == sides[1] {
            return Err(Error::invalid(
                "sides",
                format!(
                    "a commitment needs two different sides, not {} twice",
                    sides[0]
                ),
            ));
        }
        match self {
            Terms::PowExchange {
                quantity_each_way,
                priorities,
                deadline,
                ..
            } => {
                if *quantity_each_way == 0 {
                    return Err(Error::invalid(
                        "quantity_each_way",
                        "an exchange moves at least one person each way",
                    ));
                }
                for p in priorities {
                    if let Priority::AgeBand { min, max } = p
                        && min > max
                    {
                        return Err(Error::invalid(
                            "priorities",
                            format!("the age band {min}–{max} is empty"),
                        ));
                    }
                }
                date("deadline", deadline)
            }
            Terms::RemainsReturn { quantity_each_way } if *quantity_each_way == 0 => {
                Err(Error::invalid(
                    "quantity_each_way",
                    "a return of remains moves at least one body each way",
                ))
            }
            Terms::RemainsReturn { .. } => Ok(()),
            Terms::ChildReturn {
                requested_by,
                requested_from,
                listed,
                agreed,
                ..
            } => {
                a_side("requested_by", requested_by)?;
                a_side("requested_from", requested_from)?;
                if requested_by == requested_from {
                    return Err(Error::invalid(
                        "requested_from",
                        "the children are asked of the other side",
                    ));
                }
                if agreed > listed {
                    return Err(Error::invalid(
                        "agreed",
                        format!("{agreed} agreed is more than the {listed} listed"),
                    ));
                }
                Ok(())
            }
            Terms::LocalTruce {
                min_days,
                max_days,
                start,
                purpose,
                ..
            } => {
                if *min_days < 1 {
                    return Err(Error::invalid(
                        "min_days",
                        format!("a truce lasts at least one day, not {min_days}"),
                    ));
                }
                if max_days < min_days {
                    return Err(Error::invalid(
                        "max_days",
                        format!(
                            "the longest duration ({max_days} days) is shorter than the shortest ({min_days})"
                        ),
                    ));
                }
                if purpose.trim().is_empty() {
                    return Err(Error::invalid("purpose", "say what the truce is for"));
                }
                date("start", start)
            }
            Terms::CeasefireProposal {
                proposed_by,
                options,
                ..
            } => {
                a_side("proposed_by", proposed_by)?;
                if options.is_empty() {
                    return Err(Error::invalid(
                        "options",
                        "a proposal states at least one option",
                    ));
                }
                Ok(())
            }
            Terms::Meeting { purpose, .. } if purpose.trim().is_empty() => {
                Err(Error::invalid("purpose", "say what the meeting is for"))
            }
            Terms::Meeting { .. } => Ok(()),
            Terms::MedicalCommission { mandate, .. } if mandate.trim().is_empty() => {
                Err(Error::invalid("mandate", "state the commission's mandate"))
            }
            Terms::MedicalCommission { members, .. } if !members.is_empty() => {
                crate::commission::check_members(members)
            }
            Terms::MedicalCommission { .. } => Ok(()),
        }
    }

    /// The kind these terms belong to.
    pub fn kind(&self) -> CommitmentKind {
        match self {
            Terms::PowExchange { .. } => CommitmentKind::PowExchange,
            Terms::RemainsReturn { .. } => CommitmentKind::RemainsReturn,
            Terms::ChildReturn { .. } => CommitmentKind::ChildReturn,
            Terms::LocalTruce { .. } => CommitmentKind::LocalTruce,
            Terms::CeasefireProposal { .. } => CommitmentKind::CeasefireProposal,
            Terms::Meeting { .. } => CommitmentKind::Meeting,
            Terms::MedicalCommission { .. } => CommitmentKind::MedicalCommission,
        }
    }
}

/// Where one person in an exchange stage stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// In a stage, not yet handed over.
    Planned,
    /// Handed over by the holding party.
    HandedOver,
    /// Receipt confirmed by the receiving party.
    Received,
    /// Taken out of the plan, with a reason.
    Withdrawn,
}

crate::text_enum!(Movement {
    Planned = "planned",
    HandedOver = "handed_over",
    Received = "received",
    Withdrawn = "withdrawn",
});

impl Movement {
    /// Checks that `actor` may move a person of a stage from `self` to `next`, the person
    /// going `from` → `to`: the holding party hands over, the receiving party confirms
    /// receipt, and either may withdraw someone not yet received, with a reason (refused
    /// repatriation, died, not found at the handover). Received and withdrawn are final.
    pub fn check_move(
        self,
        next: Movement,
        actor: &PartyCode,
        from: &PartyCode,
        to: &PartyCode,
        reason: Option<&str>,
    ) -> Result<(), crate::Error> {
        let refuse = |why: String| Err(crate::Error::invalid("movement", why));
        match (self, next) {
            (Movement::Planned, Movement::HandedOver) if actor == from => Ok(()),
            (Movement::Planned, Movement::HandedOver) => refuse(format!(
                "only {from}, which holds the person, records the handover; {actor} cannot"
            )),
            (Movement::HandedOver, Movement::Received) if actor == to => Ok(()),
            (Movement::HandedOver, Movement::Received) => refuse(format!(
                "only {to}, which receives the person, confirms receipt; {actor} cannot"
            )),
            (Movement::Planned | Movement::HandedOver, Movement::Withdrawn) => {
                if actor != from && actor != to {
                    refuse(format!(
                        "only {from} or {to} can withdraw a person of this exchange"
                    ))
                } else if reason.is_none_or(|r| r.trim().is_empty()) {
                    refuse("a withdrawal needs its reason (refused repatriation, died, not found at the handover …)".to_owned())
                } else {
                    Ok(())
                }
            }
            (Movement::Planned, Movement::Received) => {
                refuse("a person is received only after being handed over".to_owned())
            }
            (now, next) => Err(crate::Error::refused(
                "movement",
                format!(
                    "a person {} cannot become {}",
                    now.as_str().replace('_', " "),
                    next.as_str().replace('_', " ")
                ),
                crate::Reason::StepNotAllowed {
                    kind: "movement".to_owned(),
                    from: now.as_str().to_owned(),
                    to: next.as_str().to_owned(),
                },
            )),
        }
    }
}

/// Parity of a stage as executed: people received each way.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageParity {
    /// Received from the commitment's first side.
    pub from_a: u32,
    /// Received from its second side.
    pub from_b: u32,
    /// Still planned or handed over, not yet received or withdrawn.
    pub open: u32,
}

impl StageParity {
    /// Whether a stage with this count may be closed, and if not, why. A stage closes when
    /// nobody is left in between and as many were received each way — or when a negotiator
    /// has recorded why parity was broken.
    pub fn check_close(&self, parity: Parity, note: Option<&str>) -> Result<(), crate::Error> {
        if self.open > 0 {
            return Err(crate::Error::invalid(
                "stage",
                format!(
                    "{} people are still planned or handed over; record their receipt or withdrawal first",
                    self.open
                ),
            ));
        }
        let broken = parity != Parity::None && self.from_a != self.from_b;
        if broken && note.is_none_or(|n| n.trim().is_empty()) {
            return Err(crate::Error::invalid(
                "parity",
                format!(
                    "parity is broken ({} received one way, {} the other); a negotiator must record why before the stage closes",
                    self.from_a, self.from_b
                ),
            ));
        }
        Ok(())
    }
}

/// Counts of people per direction and movement for one commitment, as the store reports
/// them from the plans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MovementCounts(BTreeMap<(PartyCode, PartyCode, Movement), u32>);

impl MovementCounts {
    /// Whether nobody is counted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `n` people moving `from` → `to` in state `movement`.
    pub fn add(&mut self, from: PartyCode, to: PartyCode, movement: Movement, n: u32) {
        *self.0.entry((from, to, movement)).or_default() += n;
    }

    fn get(&self, from: &PartyCode, to: &PartyCode, movement: Movement) -> u32 {
        self.0
            .get(&(from.clone(), to.clone(), movement))
            .copied()
            .unwrap_or(0)
    }
}

/// Progress of one direction of a commitment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flow {
    /// The party handing people over.
    pub from: PartyCode,
    /// The party receiving them.
    pub to: PartyCode,
    /// Number agreed.
    pub agreed: u32,
    /// Further number that may be arranged on top of `agreed`.
    pub extra: u32,
    /// In a plan and not withdrawn (including those already moved).
    pub planned: u32,
    /// Handed over, receipt not yet confirmed.
    pub handed_over: u32,
    /// Received: the commitment's fulfilment.
    pub received: u32,
}

impl Flow {
    /// Received as a share of agreed, in whole per cent (capped at 100).
    pub fn percent_done(&self) -> u32 {
        percent(self.received, self.agreed)
    }

    /// Planned as a share of agreed, in whole per cent (capped at 100).
    pub fn percent_planned(&self) -> u32 {
        percent(self.planned, self.agreed)
    }
}

/// A count written with thousands separators, as the talks' figures are quoted:
/// `6000` → `6,000`.
pub fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `part` as a share of `whole` in whole percent, rounded down: 100 % only when everyone is
/// in, never while one person is still missing.
pub fn percent(part: u32, whole: u32) -> u32 {
    if whole == 0 {
        0
    } else {
        ((u64::from(part) * 100 / u64::from(whole)).min(100)) as u32
    }
}

/// Fulfilment of a commitment: per-direction progress where the commitment moves people,
/// and a sentence saying where it stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fulfilment {
    /// One entry per direction in which people move; empty for other kinds.
    pub flows: Vec<Flow>,
    /// Where the commitment stands, in words.
    pub summary: String,
}

/// Computes the fulfilment of a commitment between `sides` with `terms` from the
/// movements the plans record.
pub fn fulfilment(terms: &Terms, sides: &[PartyCode; 2], counts: &MovementCounts) -> Fulfilment {
    let flow = |from: &PartyCode, to: &PartyCode, agreed: u32, extra: u32| {
        let handed = counts.get(from, to, Movement::HandedOver);
        let received = counts.get(from, to, Movement::Received);
        Flow {
            from: from.clone(),
            to: to.clone(),
            agreed,
            extra,
            planned: counts.get(from, to, Movement::Planned) + handed + received,
            handed_over: handed,
            received,
        }
    };
    let both_ways = |agreed: u32, extra: u32| {
        vec![
            flow(&sides[0], &sides[1], agreed, extra),
            flow(&sides[1], &sides[0], agreed, extra),
        ]
    };
    let (flows, summary) = match terms {
        Terms::PowExchange {
            quantity_each_way,
            extra_tranche,
            ..
        } => {
            let flows = both_ways(*quantity_each_way, extra_tranche.unwrap_or(0));
            let summary = match extra_tranche {
                Some(x) => format!(
                    "{} each way, and {} more each way possible",
                    thousands(*quantity_each_way),
                    thousands(*x)
                ),
                None => format!("{} each way", thousands(*quantity_each_way)),
            };
            (flows, summary)
        }
        Terms::RemainsReturn { quantity_each_way } => (
            both_ways(*quantity_each_way, 0),
            format!(
                "remains of {} fallen each way",
                thousands(*quantity_each_way)
            ),
        ),
        Terms::ChildReturn {
            requested_by,
            requested_from,
            listed,
            agreed,
            ..
        } => (
            vec![flow(requested_from, requested_by, *agreed, 0)],
            format!(
                "{requested_by} listed {listed} children; {requested_from} agreed to work on the return of {agreed}"
            ),
        ),
        Terms::LocalTruce {
            sector,
            min_days,
            max_days,
            purpose,
            start,
        } => (
            Vec::new(),
            format!(
                "{min_days}–{max_days} days, {purpose}; sector {}; start {}",
                sector.as_deref().unwrap_or("not yet agreed"),
                start.as_deref().unwrap_or("not yet agreed")
            ),
        ),
        Terms::CeasefireProposal {
            proposed_by,
            options,
            conditions,
            status,
        } => (
            Vec::new(),
            format!(
                "proposed by {proposed_by}, {} options{}; {status}",
                options.len(),
                if conditions.is_empty() {
                    String::new()
                } else {
                    format!(", {} conditions", conditions.len())
                }
            ),
        ),
        Terms::Meeting { purpose, when, .. } => (Vec::new(), format!("{purpose}, {when}")),
        Terms::MedicalCommission { mandate, .. } => (Vec::new(), mandate.clone()),
    };
    Fulfilment { flows, summary }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sides() -> [PartyCode; 2] {
        ["UA".parse().unwrap(), "RU".parse().unwrap()]
    }

    #[test]
    fn exchange_fulfilment_counts_each_direction() {
        let [ua, ru] = sides();
        let mut counts = MovementCounts::default();
        counts.add(ru.clone(), ua.clone(), Movement::Received, 307);
        counts.add(ru.clone(), ua.clone(), Movement::Planned, 100);
        counts.add(ua.clone(), ru.clone(), Movement::HandedOver, 307);
        counts.add(ua.clone(), ru.clone(), Movement::Withdrawn, 3);
        let terms = Terms::PowExchange {
            quantity_each_way: 1000,
            extra_tranche: Some(200),
            parity: Parity::PerStage,
            parity_by_category: false,
            priorities: vec![Priority::SeriouslyWoundedOrSick],
            categories: vec![Category::Pow],
            deadline: None,
        };
        let f = fulfilment(&terms, &sides(), &counts);
        assert_eq!(f.flows.len(), 2);
        let ua_to_ru = &f.flows[0];
        assert_eq!(
            (ua_to_ru.planned, ua_to_ru.handed_over, ua_to_ru.received),
            (307, 307, 0)
        );
        let ru_to_ua = &f.flows[1];
        assert_eq!((ru_to_ua.planned, ru_to_ua.received), (407, 307));
        assert_eq!(ru_to_ua.percent_done(), 30);
        assert_eq!(ru_to_ua.extra, 200);
        assert!(f.summary.contains("200 more"));
    }

    #[test]
    fn child_return_is_measured_against_the_number_agreed() {
        let [ua, ru] = sides();
        let mut counts = MovementCounts::default();
        counts.add(ru.clone(), ua.clone(), Movement::Received, 12);
        let terms = Terms::ChildReturn {
            requested_by: ua,
            requested_from: ru,
            listed: 339,
            agreed: 10,
            list_id: None,
        };
        let f = fulfilment(&terms, &sides(), &counts);
        assert_eq!(f.flows[0].agreed, 10);
        assert_eq!(f.flows[0].percent_done(), 100);
        assert_eq!(percent(999, 1000), 99, "not 100 while one is missing");
        assert!(f.summary.contains("339"));
    }

    #[test]
    fn the_holder_hands_over_and_the_receiver_confirms() {
        let [ua, ru] = sides();
        let tr: PartyCode = "TR".parse().unwrap();
        use Movement::*;
        assert!(Planned.check_move(HandedOver, &ru, &ru, &ua, None).is_ok());
        let wrong = Planned
            .check_move(HandedOver, &ua, &ru, &ua, None)
            .unwrap_err();
        assert!(wrong.to_string().contains("only RU"), "{wrong}");
        assert!(HandedOver.check_move(Received, &ua, &ru, &ua, None).is_ok());
        assert!(
            HandedOver
                .check_move(Received, &ru, &ru, &ua, None)
                .is_err()
        );
        assert!(Planned.check_move(Received, &ua, &ru, &ua, None).is_err());
        assert!(
            Planned.check_move(Withdrawn, &ru, &ru, &ua, None).is_err(),
            "a reason is needed"
        );
        assert!(
            Planned
                .check_move(Withdrawn, &ru, &ru, &ua, Some("refused repatriation"))
                .is_ok()
        );
        assert!(
            Planned
                .check_move(Withdrawn, &tr, &ru, &ua, Some("x"))
                .is_err()
        );
        assert!(
            Received
                .check_move(Withdrawn, &ua, &ru, &ua, Some("x"))
                .is_err()
        );
    }

    #[test]
    fn a_stage_closes_only_in_parity_or_with_a_reason() {
        let even = StageParity {
            from_a: 5,
            from_b: 5,
            open: 0,
        };
        assert!(even.check_close(Parity::PerStage, None).is_ok());
        let odd = StageParity {
            from_a: 5,
            from_b: 4,
            open: 0,
        };
        assert!(odd.check_close(Parity::PerStage, None).is_err());
        assert!(
            odd.check_close(Parity::PerStage, Some("one man died before the handover"))
                .is_ok()
        );
        assert!(odd.check_close(Parity::None, None).is_ok());
        let open = StageParity {
            from_a: 5,
            from_b: 5,
            open: 1,
        };
        assert!(open.check_close(Parity::PerStage, Some("x")).is_err());
    }

    #[test]
    fn bad_terms_name_their_rule() {
        let s = sides();
        let truce = |min: i32, max: i32| Terms::LocalTruce {
            sector: None,
            min_days: min,
            max_days: max,
            purpose: "recover the dead".into(),
            start: None,
        };
        assert!(truce(2, 3).validate(&s).is_ok());
        let e = truce(-2, 3).validate(&s).unwrap_err().to_string();
        assert!(e.contains("min_days") && e.contains("-2"), "{e}");
        assert!(
            truce(3, 2)
                .validate(&s)
                .unwrap_err()
                .to_string()
                .contains("max_days")
        );
        let kids = Terms::ChildReturn {
            requested_by: s[0].clone(),
            requested_from: s[1].clone(),
            listed: 339,
            agreed: 400,
            list_id: None,
        };
        assert!(kids.validate(&s).unwrap_err().to_string().contains("339"));
        let same = [s[0].clone(), s[0].clone()];
        assert!(
            Terms::RemainsReturn {
                quantity_each_way: 6000
            }
            .validate(&same)
            .is_err()
        );
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(339), "339");
        assert_eq!(thousands(6000), "6,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn terms_serialise_with_their_kind() {
        let t = Terms::RemainsReturn {
            quantity_each_way: 6000,
        };
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["kind"], "remains_return");
        assert_eq!(serde_json::from_value::<Terms>(v).unwrap(), t);
    }
}
