//! An exchange plan as the parties state it to each other when each runs its own server:
//! the planning side's proposal, the other side's acceptance, the mediator's co-signature,
//! each handover, receipt and withdrawal stated by the side that made it, the reason a
//! stage's parity was broken, the mediator's closure of a stage and each side's count of
//! the stage it closed. Every statement names the plan by the SHA-256 of its proposal and a
//! person by their number in it, so the three stores, whose record ids differ, speak of the
//! same people.
//!
//! [`StatedPlan`] follows the statements in the order they were taken and keeps what they
//! say: the mediator, which holds no register of the sides' people, sees the plan through it,
//! and any side can compare it with its own store.

use crate::party::PartyCode;
use crate::talks::{Movement, StageParity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The planning side proposes a plan.
pub const PROPOSED: &str = "plan.proposed";
/// The other side accepts it.
pub const ACCEPTED: &str = "plan.accepted";
/// The mediator co-signs the accepted plan: it may be executed.
pub const COSIGNED: &str = "plan.cosigned";
/// A side hands a person over, confirms receipt, or withdraws them.
pub const MOVED: &str = "stage.moved";
/// A side's negotiator says why a stage's parity was broken.
pub const NOTED: &str = "stage.parity_noted";
/// The mediator closes a stage.
pub const CLOSED: &str = "stage.closed";
/// A side's count of a stage the mediator closed, as its own store holds it.
pub const COUNTED: &str = "stage.counted";

/// A side hands a batch of remains over, with its manifest.
pub const REMAINS_HANDED_OVER: &str = "remains.handed_over";
/// The receiving side counted the bodies of a batch.
pub const REMAINS_RECEIVED: &str = "remains.received";

/// Every kind of statement about a plan.
pub const KINDS: [&str; 7] = [PROPOSED, ACCEPTED, COSIGNED, MOVED, NOTED, CLOSED, COUNTED];

/// One row of a signed list: the issuer, the list's SHA-256 and the row's number. Both
/// sides hold the same signed lists, so a row names one person on every side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowRef {
    /// The party that signed the list.
    pub issuer: String,
    /// The list's SHA-256.
    pub sha256: String,
    /// The row, from 1.
    pub row: i64,
}

/// The commitment a plan fulfils, as both sides' stores name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentRef {
    /// The round's title.
    pub round: String,
    /// The day the round was held.
    pub held_on: String,
    /// The commitment's title.
    pub title: String,
    /// Its two sides, the first first.
    pub sides: [String; 2],
    /// The round's mediator, who co-signs the plan and closes its stages.
    pub mediator: Option<String>,
}

impl CommitmentRef {
    /// The parties a statement about the commitment by `me` goes to: the other side and the
    /// mediator.
    pub fn addressees(&self, me: &str) -> Vec<String> {
        self.sides
            .iter()
            .chain(self.mediator.as_ref())
            .filter(|p| p.as_str() != me)
            .cloned()
            .collect()
    }
}

/// A person in a proposed stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedPerson {
    /// The person's number in the proposal, from 1; later statements name them by it.
    pub n: u32,
    /// The side handing the person over.
    pub from: String,
    /// The side receiving them.
    pub to: String,
    /// The name as the planning side's register writes it.
    pub name: String,
    /// Place in the holder's order.
    pub rank: Option<i64>,
    /// Why in this stage.
    pub why: Option<String>,
    /// The rows of signed lists that name the person (the planning side's own and the
    /// other side's it was confirmed against).
    pub rows: Vec<RowRef>,
}

/// A proposed stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProposedStage {
    /// Number, from 1.
    pub seq: i64,
    /// Its date.
    pub planned_on: Option<String>,
    /// Its people.
    pub persons: Vec<ProposedPerson>,
}

/// The body of a [`PROPOSED`] statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// The commitment.
    pub commitment: CommitmentRef,
    /// The planner's parameters.
    pub request: serde_json::Value,
    /// The stages.
    pub stages: Vec<ProposedStage>,
}

/// The body of an [`ACCEPTED`] statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    /// The proposal's SHA-256.
    pub plan: String,
    /// Who accepted it.
    pub by: String,
}

/// The body of a [`COSIGNED`] statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cosignature {
    /// The proposal's SHA-256.
    pub plan: String,
    /// The acceptance's SHA-256.
    pub accepted: String,
    /// Who co-signed.
    pub by: String,
}

/// One person's move in a [`MOVED`] statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonMove {
    /// The person's number in the proposal.
    pub person: u32,
    /// Where the person now stands.
    pub movement: Movement,
    /// Why withdrawn.
    pub reason: Option<String>,
}

/// The body of a [`MOVED`] statement: people of one stage moved at once (a handover, the
/// receipt of those handed over).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    /// The proposal's SHA-256.
    pub plan: String,
    /// The stage's number.
    pub stage: i64,
    /// The moves.
    pub moves: Vec<PersonMove>,
    /// Who recorded them.
    pub by: String,
}

/// The body of a [`NOTED`] statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Noted {
    /// The proposal's SHA-256.
    pub plan: String,
    /// The stage's number.
    pub stage: i64,
    /// Why parity was broken.
    pub note: String,
}

/// The body of a [`CLOSED`] or [`COUNTED`] statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counted {
    /// The proposal's SHA-256.
    pub plan: String,
    /// The stage's number.
    pub stage: i64,
    /// The stage as the issuer counts it.
    pub parity: StageParity,
    /// Who closed or counted it.
    pub by: String,
}

/// The body of a [`REMAINS_HANDED_OVER`] statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemainsHandover {
    /// The remains-return commitment.
    pub commitment: CommitmentRef,
    /// The day of the handover.
    pub handed_over_on: String,
    /// Bodies on the manifest.
    pub bodies: i64,
    /// Tag numbers on the manifest.
    pub tags: Vec<String>,
    /// Who recorded it.
    pub by: String,
}

/// The body of a [`REMAINS_RECEIVED`] statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemainsReceipt {
    /// The handover statement's SHA-256.
    pub batch: String,
    /// Bodies the receiving side counted.
    pub bodies: i64,
    /// Who counted them.
    pub by: String,
}

/// A person of the stated plan and where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatedPerson {
    /// Number in the proposal.
    pub n: u32,
    /// The name as the planning side wrote it.
    pub name: String,
    /// The side handing over.
    pub from: String,
    /// The side receiving.
    pub to: String,
    /// Where the person stands as stated.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub movement: Movement,
    /// Why withdrawn.
    pub reason: Option<String>,
}

/// A stage of the stated plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatedStage {
    /// Number.
    pub seq: i64,
    /// Its date.
    pub planned_on: Option<String>,
    /// The people.
    pub persons: Vec<StatedPerson>,
    /// Why parity was broken, as a side stated it.
    pub note: Option<String>,
    /// The mediator's count when it closed the stage.
    pub closed: Option<StageParity>,
    /// Each side's count of the closed stage, by party.
    pub counted: BTreeMap<String, StageParity>,
}

impl StatedStage {
    /// The stage counted from the stated movements.
    pub fn parity(&self, sides: &[String; 2]) -> StageParity {
        let mut p = StageParity {
            from_a: 0,
            from_b: 0,
            open: 0,
        };
        for person in &self.persons {
            match person.movement {
                Movement::Received if person.from == sides[0] => p.from_a += 1,
                Movement::Received => p.from_b += 1,
                Movement::Planned | Movement::HandedOver => p.open += 1,
                Movement::Withdrawn => {}
            }
        }
        p
    }

    /// The sides whose count of the closed stage differs from the mediator's, with both.
    pub fn disagreements(&self) -> Vec<(String, StageParity, StageParity)> {
        let Some(closed) = &self.closed else {
            return Vec::new();
        };
        self.counted
            .iter()
            .filter(|(_, c)| *c != closed)
            .map(|(party, c)| (party.clone(), c.clone(), closed.clone()))
            .collect()
    }
}

/// A plan as the statements about it say, followed in the order they were taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatedPlan {
    /// The proposal's SHA-256: the plan's name on every side.
    pub plan: String,
    /// The side that proposed it.
    pub proposed_by: String,
    /// The commitment's round and title.
    pub round: String,
    /// The commitment's title.
    pub commitment: String,
    /// The commitment's sides.
    pub sides: [String; 2],
    /// The round's mediator.
    pub mediator: Option<String>,
    /// The acceptance's SHA-256, once the other side accepted.
    pub accepted: Option<String>,
    /// Whether the mediator co-signed.
    pub cosigned: bool,
    /// The stages.
    pub stages: Vec<StatedStage>,
    /// Statements about the plan that could not be followed, with why.
    pub unfollowed: Vec<String>,
}

impl StatedPlan {
    /// The plan as its proposal `sha256` by `issuer` states it, nobody moved yet.
    pub fn proposed(sha256: &str, issuer: &str, proposal: &Proposal) -> StatedPlan {
        StatedPlan {
            plan: sha256.to_owned(),
            proposed_by: issuer.to_owned(),
            round: proposal.commitment.round.clone(),
            commitment: proposal.commitment.title.clone(),
            sides: proposal.commitment.sides.clone(),
            mediator: proposal.commitment.mediator.clone(),
            accepted: None,
            cosigned: false,
            stages: proposal
                .stages
                .iter()
                .map(|s| StatedStage {
                    seq: s.seq,
                    planned_on: s.planned_on.clone(),
                    persons: s
                        .persons
                        .iter()
                        .map(|p| StatedPerson {
                            n: p.n,
                            name: p.name.clone(),
                            from: p.from.clone(),
                            to: p.to.clone(),
                            movement: Movement::Planned,
                            reason: None,
                        })
                        .collect(),
                    note: None,
                    closed: None,
                    counted: BTreeMap::new(),
                })
                .collect(),
            unfollowed: Vec::new(),
        }
    }

    /// Follows one statement of `kind` by `issuer` (with SHA-256 `sha256`) about this plan;
    /// refused, with why, when the plan's rules do not let that party say it (the statement
    /// is then kept as [`StatedPlan::unfollowed`] by the caller).
    pub fn follow(
        &mut self,
        issuer: &str,
        kind: &str,
        sha256: &str,
        body: &serde_json::Value,
    ) -> Result<(), String> {
        let mediator = self.mediator.clone();
        let mediator = mediator.as_deref();
        let read = |what: &str| format!("{issuer}'s {kind} statement is not a {what}");
        let side = |p: &str| self.sides.iter().any(|s| s == p);
        match kind {
            ACCEPTED => {
                serde_json::from_value::<Acceptance>(body.clone())
                    .map_err(|_| read("plan's acceptance"))?;
                if !side(issuer) || issuer == self.proposed_by {
                    return Err(format!(
                        "only the side that did not propose the plan accepts it; {issuer} cannot"
                    ));
                }
                if self.accepted.is_some() {
                    return Err("the plan was already accepted".to_owned());
                }
                self.accepted = Some(sha256.to_owned());
                Ok(())
            }
            COSIGNED => {
                let c: Cosignature =
                    serde_json::from_value(body.clone()).map_err(|_| read("co-signature"))?;
                if Some(issuer) != mediator {
                    return Err(format!(
                        "only the round's mediator co-signs the plan; {issuer} cannot"
                    ));
                }
                if self.accepted.as_deref() != Some(c.accepted.as_str()) {
                    return Err("it co-signs an acceptance this plan does not have".to_owned());
                }
                self.cosigned = true;
                Ok(())
            }
            MOVED => {
                let m: Moved = serde_json::from_value(body.clone()).map_err(|_| read("move"))?;
                if !self.cosigned {
                    return Err(format!(
                        "nobody moves before the plan is signed by both sides and co-signed; {issuer} stated moves in stage {} before",
                        m.stage
                    ));
                }
                let actor = party(issuer)?;
                let stage = self.stage_mut(m.stage)?;
                if stage.closed.is_some() {
                    return Err(format!("stage {} is closed", m.stage));
                }
                // All of the statement's moves or none.
                let mut at = Vec::with_capacity(m.moves.len());
                for mv in &m.moves {
                    let i = stage
                        .persons
                        .iter()
                        .position(|p| p.n == mv.person)
                        .ok_or_else(|| format!("stage {} has no person {}", m.stage, mv.person))?;
                    let person = &stage.persons[i];
                    let (from, to) = (party(&person.from)?, party(&person.to)?);
                    person
                        .movement
                        .check_move(mv.movement, &actor, &from, &to, mv.reason.as_deref())
                        .map_err(|e| format!("person {} of stage {}: {e}", mv.person, m.stage))?;
                    at.push(i);
                }
                for (mv, i) in m.moves.into_iter().zip(at) {
                    stage.persons[i].movement = mv.movement;
                    stage.persons[i].reason = mv.reason;
                }
                Ok(())
            }
            NOTED => {
                let n: Noted = serde_json::from_value(body.clone()).map_err(|_| read("note"))?;
                if !side(issuer) {
                    return Err(format!(
                        "only a side says why parity was broken; {issuer} cannot"
                    ));
                }
                self.stage_mut(n.stage)?.note = Some(n.note);
                Ok(())
            }
            CLOSED => {
                let c: Counted =
                    serde_json::from_value(body.clone()).map_err(|_| read("closure"))?;
                if Some(issuer) != mediator {
                    return Err(format!(
                        "only the round's mediator closes a stage; {issuer} cannot"
                    ));
                }
                self.stage_mut(c.stage)?.closed = Some(c.parity);
                Ok(())
            }
            COUNTED => {
                let c: Counted = serde_json::from_value(body.clone()).map_err(|_| read("count"))?;
                if !side(issuer) {
                    return Err(format!(
                        "only a side counts a closed stage; {issuer} cannot"
                    ));
                }
                self.stage_mut(c.stage)?
                    .counted
                    .insert(issuer.to_owned(), c.parity);
                Ok(())
            }
            other => Err(format!("{other} is not a statement about a plan")),
        }
    }

    fn stage_mut(&mut self, seq: i64) -> Result<&mut StatedStage, String> {
        self.stages
            .iter_mut()
            .find(|s| s.seq == seq)
            .ok_or_else(|| format!("the plan has no stage {seq}"))
    }

    /// Everyone of the plan counted by direction and where they stand, as fulfilment is
    /// computed from a plan.
    pub fn counts(&self) -> Result<crate::talks::MovementCounts, String> {
        let mut counts = crate::talks::MovementCounts::default();
        for p in self.stages.iter().flat_map(|s| &s.persons) {
            counts.add(party(&p.from)?, party(&p.to)?, p.movement, 1);
        }
        Ok(counts)
    }

    /// The stage numbered `seq`.
    pub fn stage(&self, seq: i64) -> Option<&StatedStage> {
        self.stages.iter().find(|s| s.seq == seq)
    }
}

fn party(code: &str) -> Result<PartyCode, String> {
    code.parse::<PartyCode>().map_err(|e| e.to_string())
}

/// The plan a statement of one of [`KINDS`] other than the proposal speaks of.
pub fn plan_named(body: &serde_json::Value) -> Option<&str> {
    body.get("plan").and_then(|p| p.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn proposal() -> Proposal {
        let person = |n, from: &str, to: &str| ProposedPerson {
            n,
            from: from.into(),
            to: to.into(),
            name: format!("Synthetic {n}"),
            rank: None,
            why: None,
            rows: vec![],
        };
        Proposal {
            commitment: CommitmentRef {
                round: "Round".into(),
                held_on: "2025-06-02".into(),
                title: "Exchange".into(),
                sides: ["UA".into(), "RU".into()],
                mediator: Some("TR".into()),
            },
            request: json!({}),
            stages: vec![ProposedStage {
                seq: 1,
                planned_on: None,
                persons: vec![person(1, "UA", "RU"), person(2, "RU", "UA")],
            }],
        }
    }

    fn moved(person: u32, movement: &str) -> serde_json::Value {
        json!({"plan": "p", "stage": 1, "moves": [{"person": person, "movement": movement, "reason": null}], "by": "x"})
    }

    fn signed() -> StatedPlan {
        let mut plan = StatedPlan::proposed("p", "UA", &proposal());
        plan.follow("RU", ACCEPTED, "a", &json!({"plan": "p", "by": "x"}))
            .unwrap();
        plan.follow(
            "TR",
            COSIGNED,
            "c",
            &json!({"plan": "p", "accepted": "a", "by": "x"}),
        )
        .unwrap();
        plan
    }

    #[test]
    fn nobody_moves_before_the_plan_is_cosigned_and_only_the_sides_rules_allow() {
        let mut plan = StatedPlan::proposed("p", "UA", &proposal());
        let early = plan
            .follow("UA", MOVED, "m", &moved(1, "handed_over"))
            .unwrap_err();
        assert!(early.contains("before the plan is signed"), "{early}");
        assert!(
            plan.follow("UA", ACCEPTED, "a", &json!({"plan": "p", "by": "x"}))
                .unwrap_err()
                .contains("did not propose")
        );
        let mut plan = signed();
        assert!(
            plan.follow("RU", MOVED, "m", &moved(1, "handed_over"))
                .unwrap_err()
                .contains("only UA")
        );
        plan.follow("UA", MOVED, "m", &moved(1, "handed_over"))
            .unwrap();
        plan.follow("RU", MOVED, "m", &moved(1, "received"))
            .unwrap();
        let sides = plan.sides.clone();
        let p = plan.stage(1).unwrap().parity(&sides);
        assert_eq!((p.from_a, p.from_b, p.open), (1, 0, 1));
    }

    #[test]
    fn a_side_counting_a_closed_stage_otherwise_than_the_mediator_is_a_disagreement() {
        let mut plan = signed();
        let count = |a: u32| json!({"plan": "p", "stage": 1, "parity": {"from_a": a, "from_b": 0, "open": 0}, "by": "x"});
        assert!(plan.follow("UA", CLOSED, "c", &count(1)).is_err());
        plan.follow("TR", CLOSED, "c", &count(1)).unwrap();
        plan.follow("UA", COUNTED, "u", &count(1)).unwrap();
        plan.follow("RU", COUNTED, "r", &count(2)).unwrap();
        let d = plan.stage(1).unwrap().disagreements();
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "RU");
        assert!(
            plan.follow("UA", MOVED, "m", &moved(2, "withdrawn"))
                .unwrap_err()
                .contains("closed")
        );
    }
}
