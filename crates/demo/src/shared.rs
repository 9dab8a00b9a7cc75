//! The exchange as the sides run it when each has its own server: Ukraine's negotiator
//! proposes the plan Ukraine made, Russia's accepts its copy, Türkiye's co-signs; then the
//! first two stages are executed, each side recording on its own server the handovers of
//! the people it holds and the receipt of those it gets back, one man withdrawn (he refused
//! repatriation) and the broken parity explained; Türkiye closes each stage from what the
//! sides stated, and each side answers with its own count. Then each side hands the other a
//! batch of remains with its manifest, which the other counts on its own server. Every step
//! travels as a signed statement through Türkiye's server. Every person is synthetic.

use crate::Seeded;
use crate::exchange::user;
use crate::relayed::OwnServer;
use homeward_app::App;
use homeward_app::plans::{MovementInput, ParityNote};
use homeward_app::sheet::StageBatch;
use homeward_app::{BatchInput, Receipt};
use homeward_core::Error;
use homeward_core::access::{Actor, Role};
use homeward_core::party::PartyCode;
use homeward_core::stated_plan::StatedPlan;
use homeward_core::talks::CommitmentKind;
use homeward_store::{BatchView, PlanView};
use std::time::{Duration, Instant};

/// What the shared exchange did.
#[derive(Debug, Clone, Default)]
pub struct SharedRun {
    /// The proposal's SHA-256: the plan's name on the three servers.
    pub proposal: String,
    /// Stages executed and closed.
    pub closed: usize,
    /// Bodies handed over in batches of remains and counted by the receiving side, each way.
    pub bodies: Vec<(PartyCode, PartyCode, i64)>,
}

/// One party's server with its demo users.
struct Seat<'a> {
    app: &'a App,
    party: PartyCode,
    seeded: &'a Seeded,
}

impl Seat<'_> {
    async fn user(&self, role: Role) -> Result<Actor, Error> {
        user(self.app, self.seeded, self.party.as_str(), role).await
    }

    /// This side's exchange commitment.
    async fn exchange(&self, actor: &Actor) -> Result<i64, Error> {
        self.commitment(actor, CommitmentKind::PowExchange).await
    }

    /// This side's commitment of `kind`.
    async fn commitment(&self, actor: &Actor, kind: CommitmentKind) -> Result<i64, Error> {
        self.app
            .commitments(actor, None)
            .await?
            .into_iter()
            .find(|c| c.terms.kind() == kind)
            .map(|c| c.id)
            .ok_or_else(|| Error::NotFound(format!("{}'s {kind:?} commitment", self.party)))
    }

    /// The batches of remains this side's store holds.
    async fn batches(&self) -> Result<Vec<BatchView>, Error> {
        let viewer = self.user(Role::Viewer).await?;
        let remains = self
            .commitment(&viewer, CommitmentKind::RemainsReturn)
            .await?;
        self.app.batches(&viewer, remains).await
    }

    /// This side's copy of the current plan.
    async fn plan(&self, actor: &Actor) -> Result<PlanView, Error> {
        let commitment = self.exchange(actor).await?;
        self.app.plan_of(actor, commitment).await
    }

    /// The plan as this party's statements say.
    async fn stated(&self, proposal: &str) -> Result<Option<StatedPlan>, Error> {
        let viewer = self.user(Role::Viewer).await?;
        Ok(self
            .app
            .stated_plans(&viewer)
            .await?
            .into_iter()
            .find(|p| p.plan == proposal))
    }
}

/// Waits, up to `patience`, until `ready` holds; names `what` when it does not.
async fn until<F, Fut>(what: &str, patience: Duration, mut ready: F) -> Result<(), Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, Error>>,
{
    let started = Instant::now();
    while !ready().await? {
        if started.elapsed() > patience {
            return Err(Error::Unavailable(format!(
                "{what} did not happen within {} s; see each server's relay page",
                patience.as_secs()
            )));
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    Ok(())
}

/// Plays the shared exchange on UA's plan (already made on UA's server), through the relay.
pub async fn run_shared_exchange(
    servers: &[OwnServer],
    seeded: &[(PartyCode, Seeded)],
    patience: Duration,
) -> Result<SharedRun, Error> {
    let seat = |code: &str| -> Result<Seat<'_>, Error> {
        servers
            .iter()
            .zip(seeded)
            .find(|(s, _)| s.party.as_str() == code)
            .map(|(s, (_, made))| Seat {
                app: &s.app,
                party: s.party.clone(),
                seeded: made,
            })
            .ok_or_else(|| Error::NotFound(format!("{code}'s server")))
    };
    let (ua, ru, tr) = (seat("UA")?, seat("RU")?, seat("TR")?);
    let ua_negotiator = ua.user(Role::Negotiator).await?;
    let plan = ua.plan(&ua_negotiator).await?;
    let proposal = ua.app.propose_plan(&ua_negotiator, plan.id).await?;

    let ru_negotiator = ru.user(Role::Negotiator).await?;
    until("RU's copy of UA's plan", patience, || async {
        Ok(ru
            .plan(&ru_negotiator)
            .await
            .is_ok_and(|p| p.created_by == "UA"))
    })
    .await?;
    let ru_plan = ru.plan(&ru_negotiator).await?;
    ru.app.accept_plan(&ru_negotiator, ru_plan.id).await?;

    until("TR's receipt of RU's acceptance", patience, || async {
        Ok(tr
            .stated(&proposal)
            .await?
            .is_some_and(|p| p.accepted.is_some()))
    })
    .await?;
    let tr_negotiator = tr.user(Role::Negotiator).await?;
    tr.app.cosign_plan(&tr_negotiator, &proposal).await?;
    for side in [&ua, &ru] {
        let viewer = side.user(Role::Viewer).await?;
        until(
            &format!("{}'s copy signed", side.party),
            patience,
            || async { Ok(side.plan(&viewer).await?.state == "signed") },
        )
        .await?;
    }

    let mut closed = 0;
    for seq in [1_i64, 2] {
        if seq == 2 {
            // One man of the second stage refuses repatriation (GC III art. 109 leaves
            // him the choice); his holder withdraws him before the handover.
            let ua_op = ua.user(Role::Operator).await?;
            let first = ua
                .plan(&ua_op)
                .await?
                .stages
                .into_iter()
                .find(|s| s.seq == seq)
                .and_then(|s| {
                    let id = s.id;
                    s.persons
                        .into_iter()
                        .find(|p| p.from == "UA")
                        .map(|p| (id, p))
                });
            if let Some((stage, p)) = first {
                let why = MovementInput {
                    person: p.person_id,
                    movement: "withdrawn".into(),
                    reason: Some("refused repatriation, interviewed by the ICRC".into()),
                };
                ua.app.move_person(&ua_op, stage, &why).await?;
            }
        }
        for movement in ["handed_over", "received"] {
            for side in [&ua, &ru] {
                let operator = side.user(Role::Operator).await?;
                let commitment = side.exchange(&operator).await?;
                let stage = side
                    .plan(&operator)
                    .await?
                    .stages
                    .iter()
                    .find(|s| s.seq == seq)
                    .map(|s| s.id)
                    .ok_or_else(|| Error::NotFound(format!("stage {seq} on {}", side.party)))?;
                let batch = StageBatch {
                    commitment,
                    movement: movement.into(),
                };
                side.app.move_stage(&operator, stage, &batch).await?;
            }
            // The receipts follow the handovers only once each side has the other's.
            for side in [&ua, &ru] {
                let viewer = side.user(Role::Viewer).await?;
                until(
                    &format!("{}'s record of stage {seq} {movement}", side.party),
                    patience,
                    || async {
                        let plan = side.plan(&viewer).await?;
                        Ok(plan.stages.iter().filter(|s| s.seq == seq).all(|s| {
                            s.persons
                                .iter()
                                .all(|p| p.movement == movement || p.movement == "withdrawn")
                        }))
                    },
                )
                .await?;
            }
        }
        if seq == 2 {
            let note = ParityNote {
                note: "one man refused repatriation; the other side's extra place moves to stage 3"
                    .into(),
            };
            let stage = ua
                .plan(&ua_negotiator)
                .await?
                .stages
                .iter()
                .find(|s| s.seq == seq)
                .map(|s| s.id)
                .ok_or_else(|| Error::NotFound(format!("stage {seq} on UA")))?;
            ua.app.note_parity(&ua_negotiator, stage, &note).await?;
        }
        until(
            &format!("TR's view of stage {seq} done"),
            patience,
            || async {
                Ok(tr.stated(&proposal).await?.is_some_and(|p| {
                    p.stage(seq).is_some_and(|s| {
                        s.parity(&p.sides).open == 0 && (seq != 2 || s.note.is_some())
                    })
                }))
            },
        )
        .await?;
        tr.app
            .close_stated_stage(&tr_negotiator, &proposal, seq)
            .await?;
        for seat in [&tr, &ua, &ru] {
            until(
                &format!("both sides' counts of stage {seq} at {}", seat.party),
                patience,
                || async {
                    Ok(seat
                        .stated(&proposal)
                        .await?
                        .is_some_and(|p| p.stage(seq).is_some_and(|s| s.counted.len() == 2)))
                },
            )
            .await?;
        }
        closed += 1;
    }
    let mut bodies = Vec::new();
    for (from, to, n) in [(&ru, &ua, 12), (&ua, &ru, 3)] {
        bodies.push(remains_batch(from, to, [&ua, &ru, &tr], n, patience).await?);
    }
    Ok(SharedRun {
        proposal,
        closed,
        bodies,
    })
}

/// `from` hands a batch of up to `n` bodies over to `to` on its own server; `to` counts
/// them on its own once the batch arrives; returns the bodies counted, once all three
/// stores hold the count.
async fn remains_batch(
    from: &Seat<'_>,
    to: &Seat<'_>,
    all: [&Seat<'_>; 3],
    n: usize,
    patience: Duration,
) -> Result<(PartyCode, PartyCode, i64), Error> {
    let tags = crate::held_tags(from.app.store(), &from.party, n).await?;
    let operator = from.user(Role::Operator).await?;
    let remains = from
        .commitment(&operator, CommitmentKind::RemainsReturn)
        .await?;
    let batch = BatchInput {
        handed_over_on: "2025-06-11".into(),
        bodies: tags.len() as i64,
        tags: tags.clone(),
    };
    from.app.record_batch(&operator, remains, &batch).await?;
    let arrived = |b: &BatchView| b.from == from.party.as_str() && b.tags == tags;
    until(
        &format!("{}'s batch at {}", from.party, to.party),
        patience,
        || async { Ok(to.batches().await?.iter().any(arrived)) },
    )
    .await?;
    let receiver = to.user(Role::Operator).await?;
    let id = to
        .batches()
        .await?
        .iter()
        .find(|b| arrived(b))
        .map(|b| b.id)
        .ok_or_else(|| Error::NotFound(format!("{}'s batch at {}", from.party, to.party)))?;
    let counted = Receipt {
        bodies: tags.len() as i64,
    };
    to.app.receive_batch(&receiver, id, &counted).await?;
    for seat in all {
        until(
            &format!(
                "{}'s count of {}'s batch at {}",
                to.party, from.party, seat.party
            ),
            patience,
            || async {
                Ok(seat
                    .batches()
                    .await?
                    .iter()
                    .any(|b| arrived(b) && b.received_bodies.is_some()))
            },
        )
        .await?;
    }
    Ok((from.party.clone(), to.party.clone(), counted.bodies))
}
