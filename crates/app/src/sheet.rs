//! The exchange plan as its page reads it: the totals, each stage's progress and parity per
//! side, then one page of people by stage, movement and priority — each row with only the
//! next steps the access rule and `Movement::check_move` allow the reader — and a stage's
//! batch moves ("hand over all planned of stage 2"), each person moved as one move is.

use crate::{App, Error, grant};
use homeward_core::access::{Actor, ReadTalks, RecordMovements, WriteTalks, may};
use homeward_core::party::PartyCode;
use homeward_core::stated_plan::StatedPlan;
use homeward_core::talks::{Movement, Parity, StageParity, Terms};
use homeward_store::{CommitmentView, LeftOutView, PlanView, StagePersonView};
use serde::{Deserialize, Serialize};

/// The priority groups a person of a plan falls in, by the first priority rule they meet
/// (in the agreement's order), or none.
pub const PRIORITIES: [&str; 5] = [
    "seriously_wounded_or_sick",
    "wounded_or_sick",
    "age_band",
    "longest_held",
    "none",
];

/// The priority group of a placed person, read from the planner's reason for the place
/// (`rank 3 of 29: seriously wounded or sick (GC III art. 110), aged 18–25; stage 1 …`),
/// whose rules are listed in the agreement's order.
pub fn priority_of(why: Option<&str>) -> &'static str {
    let rules = why
        .and_then(|w| w.split_once(": "))
        .map(|(_, rest)| rest)
        .unwrap_or("");
    if rules.starts_with("seriously wounded or sick") {
        "seriously_wounded_or_sick"
    } else if rules.starts_with("wounded or sick") {
        "wounded_or_sick"
    } else if rules.starts_with("aged ") {
        "age_band"
    } else if rules.starts_with("held since") {
        "longest_held"
    } else {
        "none"
    }
}

/// The day a mixed medical commission's finding gave the person's health, read from the
/// planner's reason (`… (GC III art. 110; medical commission, 2025-06-12) …`).
pub fn commission_day(why: Option<&str>) -> Option<String> {
    let (_, rest) = why?.split_once("medical commission, ")?;
    let day: String = rest
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    (!day.is_empty()).then_some(day)
}

/// Which people of a plan a page shows.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PlanQuery {
    /// Only the people of this stage (its number, from 1).
    pub stage: Option<i64>,
    /// Only people at this movement: planned, handed_over, received or withdrawn.
    pub movement: Option<String>,
    /// Only people of this priority group (see [`PRIORITIES`]).
    pub priority: Option<String>,
    /// Page number, from 1.
    pub page: Option<usize>,
    /// People per page, 1–500 (default 100).
    pub per_page: Option<usize>,
}

/// What the reader may do on the plan page, by the access rule and the reader's party.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Powers {
    /// Make a new plan (a negotiator of a side).
    pub make_plan: bool,
    /// Record handovers, receipts and withdrawals (an operator or negotiator of a side).
    pub move_people: bool,
    /// Record why a stage's parity was broken (a negotiator of a side).
    pub note_parity: bool,
    /// Close a stage (a negotiator of the round's mediator).
    pub close_stages: bool,
    /// Propose the plan to the other side (a negotiator of the side that made it, on a
    /// server holding the party's key).
    pub propose: bool,
    /// Accept the other side's proposed plan.
    pub accept: bool,
    /// Co-sign the shared plan (the mediator).
    pub cosign: bool,
    /// Close the shared plan's stages (the mediator).
    pub close_shared: bool,
}

/// People of one side of a plan or stage, by movement.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SideCount {
    /// The party handing them over.
    pub from: String,
    /// The party receiving them.
    pub to: String,
    /// Placed in all.
    pub placed: usize,
    /// Not yet handed over.
    pub planned: usize,
    /// Handed over, receipt not yet confirmed.
    pub handed_over: usize,
    /// Received.
    pub received: usize,
    /// Withdrawn.
    pub withdrawn: usize,
}

impl SideCount {
    fn add(&mut self, movement: &str) {
        self.placed += 1;
        match movement {
            "planned" => self.planned += 1,
            "handed_over" => self.handed_over += 1,
            "received" => self.received += 1,
            _ => self.withdrawn += 1,
        }
    }

    /// Received, in whole percent of those placed.
    pub fn percent_received(&self) -> u32 {
        let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        homeward_core::talks::percent(n(self.received), n(self.placed))
    }
}

/// A batch move the reader may make on a stage: how many people it would move.
#[derive(Debug, Clone, Serialize)]
pub struct BatchOffer {
    /// handed_over or received.
    pub movement: &'static str,
    /// The party whose people move.
    pub from: String,
    /// How many.
    pub count: usize,
}

/// A stage with its progress.
#[derive(Debug, Clone, Serialize)]
pub struct StageSheet {
    /// Id in this store.
    pub id: i64,
    /// Number, from 1.
    pub seq: i64,
    /// Its date.
    pub planned_on: Option<String>,
    /// open or closed.
    pub state: String,
    /// Received each way and in between.
    pub parity: StageParity,
    /// Why parity was broken, as recorded.
    pub parity_note: Option<String>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// Each side's people, the commitment's first side first.
    pub sides: [SideCount; 2],
    /// Whether it may be closed now.
    pub ready: bool,
    /// The batch moves the reader may make.
    pub batches: Vec<BatchOffer>,
}

/// A person of the plan as a row of the page.
#[derive(Debug, Clone, Serialize)]
pub struct PlanRow {
    /// The stage's id.
    pub stage: i64,
    /// The stage's number.
    pub seq: i64,
    /// The person as the plan shows them.
    pub person: StagePersonView,
    /// The priority group ([`PRIORITIES`]).
    pub priority: &'static str,
    /// The day of the medical commission's finding the person's health rests on, if any.
    pub found_on: Option<String>,
    /// The moves the reader may record for this person now (withdrawn needs a reason).
    pub next: Vec<&'static str>,
}

/// The current plan, summarised and paged.
#[derive(Debug, Clone, Serialize)]
pub struct PlanSummary {
    /// Id in this store.
    pub id: i64,
    /// The party that made it.
    pub created_by: String,
    /// proposal, signed or closed.
    pub state: String,
    /// The commitment's sides.
    pub sides: [String; 2],
    /// Each side's people in the whole plan.
    pub totals: [SideCount; 2],
    /// Whether the plan keeps parity (and received is equal each way so far).
    pub parity_kept: bool,
    /// The stages.
    pub stages: Vec<StageSheet>,
    /// The page's people.
    pub rows: Vec<PlanRow>,
    /// People matching the filters.
    pub matching: usize,
    /// This page, from 1.
    pub page: usize,
    /// Pages of people matching.
    pub pages: usize,
    /// People per page.
    pub per_page: usize,
    /// People left out, with why (the planning party only).
    pub left_out: Vec<LeftOutView>,
    /// The proposal's SHA-256, once proposed to the other side.
    pub proposal: Option<String>,
    /// The acceptance's SHA-256, once the other side accepted.
    pub accepted: Option<String>,
}

/// The plan page: the commitment, its current plan if any, and what the reader may do.
#[derive(Debug, Clone, Serialize)]
pub struct PlanSheet {
    /// The commitment.
    pub commitment: CommitmentView,
    /// Its current plan.
    pub plan: Option<PlanSummary>,
    /// What the reader may do.
    pub powers: Powers,
    /// The plan as stated between the sides' own servers, when it was.
    pub shared: Option<StatedPlan>,
}

/// A batch move of a stage: everyone of the reader's side who can take this step.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct StageBatch {
    /// The stage's commitment.
    pub commitment: i64,
    /// handed_over (everyone planned whom the reader's party holds) or received (everyone
    /// handed over to the reader's party).
    pub movement: String,
}

/// What a batch move did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct BatchMoved {
    /// People moved, each with its own event.
    pub moved: usize,
}

/// The moves `me` may record for a person at `now` going `from` → `to`.
fn next_moves(now: &str, me: &PartyCode, from: &str, to: &str) -> Vec<&'static str> {
    let (Ok(now), Ok(from), Ok(to)) = (
        now.parse::<Movement>(),
        from.parse::<PartyCode>(),
        to.parse::<PartyCode>(),
    ) else {
        return Vec::new();
    };
    [
        Movement::HandedOver,
        Movement::Received,
        Movement::Withdrawn,
    ]
    .into_iter()
    .filter(|next| now.check_move(*next, me, &from, &to, Some("—")).is_ok())
    .map(Movement::as_str)
    .collect()
}

fn parity_of(terms: &Terms) -> Parity {
    match terms {
        Terms::PowExchange { parity, .. } => *parity,
        _ => Parity::None,
    }
}

impl App {
    /// The plan page of a commitment the actor's party takes part in or mediates: the
    /// current plan's totals and stages, one page of its people, and what the reader may do.
    pub async fn plan_sheet(
        &self,
        actor: &Actor,
        commitment: i64,
        query: &PlanQuery,
    ) -> Result<PlanSheet, Error> {
        let c = self.commitment(actor, commitment).await?;
        let me = &actor.party;
        let side = c.sides.contains(me);
        let round = self
            .rounds(actor)
            .await?
            .into_iter()
            .find(|r| r.id == c.round_id);
        let mediator = round
            .as_ref()
            .and_then(|r| r.mediator.as_deref())
            .is_some_and(|m| m == me.as_str());
        let sides = c.sides.clone().map(|s| s.to_string());
        let shared = match &round {
            Some(r) => self
                .stated_plans(actor)
                .await?
                .into_iter()
                .rev()
                .find(|p| p.round == r.title && p.commitment == c.title && p.sides == sides),
            None => None,
        };
        let mut powers = Powers {
            make_plan: side && may::<WriteTalks>(actor),
            move_people: side && may::<RecordMovements>(actor),
            note_parity: side && may::<WriteTalks>(actor),
            close_stages: mediator && may::<WriteTalks>(actor),
            propose: false,
            accept: false,
            cosign: false,
            close_shared: false,
        };
        let current = match self
            .store
            .plan_of(&grant::<ReadTalks>(actor)?, commitment)
            .await
        {
            Ok(p) => Some(p),
            Err(Error::NotFound(_)) => None,
            Err(e) => return Err(e),
        };
        // A shared plan's steps are signed statements: offered only where this server can
        // sign, and moves only once all three have signed.
        let negotiates = may::<WriteTalks>(actor) && self.signs();
        if let Some(p) = &current {
            powers.propose =
                side && negotiates && p.created_by == me.as_str() && p.proposal.is_none();
            powers.accept = side
                && negotiates
                && p.created_by != me.as_str()
                && p.proposal.is_some()
                && p.accepted.is_none();
            if p.proposal.is_some() && p.state != "signed" {
                powers.move_people = false;
                powers.note_parity = false;
            }
        }
        if let Some(s) = &shared {
            powers.cosign = mediator && negotiates && s.accepted.is_some() && !s.cosigned;
            powers.close_shared = mediator && negotiates && s.cosigned;
        }
        let plan = match current {
            Some(p) => Some(summarise(p, &c.terms, me, powers, query)?),
            None => None,
        };
        Ok(PlanSheet {
            commitment: c,
            plan,
            powers,
            shared,
        })
    }

    /// Moves everyone of a stage who can take one step: hands over all planned people the
    /// actor's party holds, or confirms receipt of all handed over to it. Each person is
    /// moved as [`App::move_person`] moves one, with its own event, under the same rule, all in
    /// one transaction (one statement, when the plan is shared). A
    /// batch that would move nobody is refused, so that the one who pressed it is told.
    pub async fn move_stage(
        &self,
        actor: &Actor,
        stage: i64,
        batch: &StageBatch,
    ) -> Result<BatchMoved, Error> {
        let moves = grant::<RecordMovements>(actor)?;
        let next: Movement = batch.movement.parse()?;
        let before = match next {
            Movement::HandedOver => "planned",
            Movement::Received => "handed_over",
            _ => {
                return Err(Error::invalid(
                    "movement",
                    "a stage moves in a batch only to handed_over or received; withdraw people one by one, each with a reason",
                ));
            }
        };
        let plan = self
            .store
            .plan_of(&grant::<ReadTalks>(actor)?, batch.commitment)
            .await?;
        let s = plan
            .stages
            .iter()
            .find(|s| s.id == stage)
            .ok_or_else(|| Error::NotFound(format!("stage {stage}")))?;
        let batch: Vec<(i64, Movement, Option<String>)> = s
            .persons
            .iter()
            .filter(|p| {
                p.movement == before
                    && next_moves(&p.movement, &actor.party, &p.from, &p.to)
                        .contains(&next.as_str())
            })
            .map(|p| (p.person_id, next, None))
            .collect();
        let moved = batch.len();
        if moved > 0 {
            self.store
                .move_people(&moves, stage, &batch, self.key.as_deref(), self.now())
                .await?;
        }
        if moved == 0 {
            return Err(Error::invalid(
                "movement",
                format!(
                    "nobody of stage {} can become {} by {}: the holder hands over, the receiver confirms receipt",
                    s.seq,
                    next.as_str().replace('_', " "),
                    actor.party
                ),
            ));
        }
        Ok(BatchMoved { moved })
    }
}

fn summarise(
    plan: PlanView,
    terms: &Terms,
    me: &PartyCode,
    powers: Powers,
    query: &PlanQuery,
) -> Result<PlanSummary, Error> {
    let per_page = query.per_page.unwrap_or(100);
    if !(1..=500).contains(&per_page) {
        return Err(Error::invalid("per_page", "give a number from 1 to 500"));
    }
    let page = query.page.unwrap_or(1).max(1);
    let movement: Option<Movement> = crate::query::parse_choice(&query.movement)?;
    let priority = query
        .priority
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(p) = priority
        && !PRIORITIES.contains(&p)
    {
        return Err(Error::invalid(
            "priority",
            format!("use one of {}", PRIORITIES.join(", ")),
        ));
    }
    let blank = |from: &str, to: &str| SideCount {
        from: from.to_owned(),
        to: to.to_owned(),
        ..SideCount::default()
    };
    let [a, b] = &plan.sides;
    let mut totals = [blank(a, b), blank(b, a)];
    let mut stages = Vec::with_capacity(plan.stages.len());
    let mut rows = Vec::new();
    let mut matching = 0;
    let first = (page - 1).saturating_mul(per_page);
    for s in plan.stages {
        let mut sides = [blank(a, b), blank(b, a)];
        let mut batch = [0_usize; 2];
        for p in &s.persons {
            let i = usize::from(p.from != *a);
            sides[i].add(&p.movement);
            totals[i].add(&p.movement);
            let next = if powers.move_people && s.state == "open" {
                next_moves(&p.movement, me, &p.from, &p.to)
            } else {
                Vec::new()
            };
            if next.contains(&"handed_over") && p.movement == "planned" {
                batch[0] += 1;
            }
            if next.contains(&"received") && p.movement == "handed_over" {
                batch[1] += 1;
            }
            let group = priority_of(p.why.as_deref());
            let shown = query.stage.is_none_or(|n| n == s.seq)
                && movement.is_none_or(|m| m.as_str() == p.movement)
                && priority.is_none_or(|g| g == group);
            if !shown {
                continue;
            }
            if matching >= first && rows.len() < per_page {
                rows.push(PlanRow {
                    stage: s.id,
                    seq: s.seq,
                    person: p.clone(),
                    priority: group,
                    found_on: commission_day(p.why.as_deref()),
                    next,
                });
            }
            matching += 1;
        }
        let mut batches = Vec::new();
        if batch[0] > 0 {
            batches.push(BatchOffer {
                movement: "handed_over",
                from: me.to_string(),
                count: batch[0],
            });
        }
        if batch[1] > 0 {
            batches.push(BatchOffer {
                movement: "received",
                from: if me.as_str() == a {
                    b.clone()
                } else {
                    a.clone()
                },
                count: batch[1],
            });
        }
        stages.push(StageSheet {
            ready: s.state == "open"
                && s.parity
                    .check_close(parity_of(terms), s.parity_note.as_deref())
                    .is_ok(),
            id: s.id,
            seq: s.seq,
            planned_on: s.planned_on,
            state: s.state,
            parity: s.parity,
            parity_note: s.parity_note,
            closed_by: s.closed_by,
            sides,
            batches,
        });
    }
    let parity_kept = totals[0].placed == totals[1].placed
        && (parity_of(terms) == Parity::None || totals[0].received == totals[1].received);
    Ok(PlanSummary {
        id: plan.id,
        created_by: plan.created_by,
        state: plan.state,
        sides: plan.sides,
        totals,
        parity_kept,
        stages,
        rows,
        pages: matching.div_ceil(per_page).max(1),
        matching,
        page,
        per_page,
        left_out: plan.left_out,
        proposal: plan.proposal,
        accepted: plan.accepted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_priority_group_is_the_first_rule_met() {
        let g = |w: &str| priority_of(Some(w));
        assert_eq!(
            g(
                "rank 3 of 29: seriously wounded or sick (GC III art. 110), aged 18–25; stage 1 takes places 1–8"
            ),
            "seriously_wounded_or_sick"
        );
        assert_eq!(
            g("rank 4 of 29: wounded or sick; stage 1 takes places 1–8"),
            "wounded_or_sick"
        );
        assert_eq!(g("rank 9 of 29: aged 18–25; stage 2 …"), "age_band");
        assert_eq!(
            g("rank 9 of 29: held since 2022-03-01; stage 2"),
            "longest_held"
        );
        assert_eq!(g("rank 9 of 29: no priority rule applies; stage 2"), "none");
        assert_eq!(priority_of(None), "none");
        assert_eq!(
            commission_day(Some(
                "rank 1 of 3: seriously wounded or sick (GC III art. 110; medical commission, 2025-06-12); stage 1"
            )),
            Some("2025-06-12".to_owned())
        );
        assert_eq!(
            commission_day(Some("rank 1 of 3: held since 2024-01-01")),
            None
        );
    }

    #[test]
    fn only_the_moves_core_allows_are_offered() {
        let ua: PartyCode = "UA".parse().unwrap();
        assert_eq!(
            next_moves("planned", &ua, "UA", "RU"),
            vec!["handed_over", "withdrawn"]
        );
        assert_eq!(
            next_moves("handed_over", &ua, "RU", "UA"),
            vec!["received", "withdrawn"]
        );
        assert_eq!(next_moves("planned", &ua, "RU", "UA"), vec!["withdrawn"]);
        assert!(next_moves("received", &ua, "RU", "UA").is_empty());
        let tr: PartyCode = "TR".parse().unwrap();
        assert!(next_moves("planned", &tr, "UA", "RU").is_empty());
    }
}
