//! The demo's exchange of prisoners, run as the parties' people would run it: the Ukrainian
//! reviewers reconcile their lists with the Russian ones and confirm the pairs they are
//! sure of, a negotiator plans the 1,000 (+200) exchange in three stages, and two stages
//! are executed — handed over by the holders, received by the other side, one man
//! withdrawn (he refused repatriation), the broken parity explained by a negotiator, and
//! each stage co-confirmed by the mediator. Every person is synthetic; every step is an
//! event, attributed to the demo's users.

use homeward_core::Error;
use homeward_core::access::{
    Grant, ReadRegister, ReadTalks, RecordMovements, ReviewLinks, WriteTalks,
};
use homeward_core::party::PartyCode;
use homeward_core::talks::{CommitmentKind, Movement};
use homeward_store::{Decision, LinkFilter, Store};

/// What the scenario did.
#[derive(Debug, Clone, Default)]
pub struct ExchangeRun {
    /// Links proposed by the reconciliations.
    pub proposed: usize,
    /// Of those, confirmed by the demo's reviewers (the likely ones).
    pub confirmed: usize,
    /// The plan made.
    pub plan: i64,
    /// Its stages.
    pub stages: usize,
    /// People each way in the plan.
    pub each_way: usize,
}

/// Runs the exchange on a freshly seeded demo store. `stage_size` is the number of people
/// each way in a stage (400 for the full demo).
pub async fn run_exchange(
    store: &Store,
    stage_size: u32,
    now_ms: i64,
) -> Result<ExchangeRun, Error> {
    let code = |c: &str| c.parse::<PartyCode>();
    let (ua, ru, tr) = (code("UA")?, code("RU")?, code("TR")?);
    let read = Grant::<ReadRegister>::system(ua.clone(), "user:ua-reviewer");
    let review = Grant::<ReviewLinks>::system(ua.clone(), "user:ua-reviewer");
    let lists = store.lists(&read).await?;
    let find = |kind: &str, issuer: &PartyCode| {
        lists
            .iter()
            .find(|l| {
                l.kind == kind
                    && l.issuer == issuer.as_str()
                    && l.category.as_deref() == Some("pow")
            })
            .map(|l| l.id)
            .ok_or_else(|| Error::NotFound(format!("the demo's {kind} list of {issuer}")))
    };
    let mut run = ExchangeRun::default();
    // Our people in their custody, and their people in ours that they asked for.
    for (own, theirs) in [
        (find("request", &ua)?, find("holding", &ru)?),
        (find("holding", &ua)?, find("request", &ru)?),
    ] {
        let r = crate::reconcile::reconcile(store, &read, &review, own, theirs, 0.5, 0.95, now_ms)
            .await?;
        run.proposed += r.proposed;
    }
    let candidates = store
        .links(
            &review,
            LinkFilter {
                decision: Some("candidate"),
                ..Default::default()
            },
        )
        .await?;
    for l in candidates.iter().filter(|l| l.probability >= 0.99) {
        store
            .decide_link(&review, l.id, Decision::Confirmed, now_ms)
            .await?;
        run.confirmed += 1;
    }
    let talks = Grant::<ReadTalks>::system(ua.clone(), "user:ua-negotiator");
    let pow = store
        .commitments(&talks)
        .await?
        .into_iter()
        .find(|c| c.terms.kind() == CommitmentKind::PowExchange)
        .ok_or_else(|| Error::NotFound("the demo's exchange commitment".to_owned()))?;
    let negotiator = Grant::<WriteTalks>::system(ua.clone(), "user:ua-negotiator");
    let params = crate::plans::PlanParams {
        stage_size,
        stage_dates: vec![
            "2025-06-09".into(),
            "2025-06-10".into(),
            "2025-06-12".into(),
        ],
        include_extra: true,
    };
    let report = crate::plans::make_plan(store, &negotiator, pow.id, &params, now_ms).await?;
    run.plan = report.plan;
    run.stages = report.stages;
    run.each_way = report.from_a.min(report.from_b);
    let plan = store.plan(&talks, report.plan).await?;
    let operator = |party: &PartyCode| {
        Grant::<RecordMovements>::system(
            party.clone(),
            &format!("user:{}-operator", party.as_str().to_lowercase()),
        )
    };
    let (ua_op, ru_op) = (operator(&ua), operator(&ru));
    let grant_of = |party: &str| if party == "UA" { &ua_op } else { &ru_op };
    for stage in plan.stages.iter().take(2) {
        for (i, p) in stage.persons.iter().enumerate() {
            // One man of the second stage refuses repatriation (GC III art. 109 leaves him
            // the choice); he is withdrawn before the handover.
            if stage.seq == 2 && i == 0 {
                store
                    .move_person(
                        grant_of(&p.from),
                        stage.id,
                        p.person_id,
                        Movement::Withdrawn,
                        Some("refused repatriation, interviewed by the ICRC"),
                        now_ms,
                    )
                    .await?;
                continue;
            }
            store
                .move_person(
                    grant_of(&p.from),
                    stage.id,
                    p.person_id,
                    Movement::HandedOver,
                    None,
                    now_ms,
                )
                .await?;
            store
                .move_person(
                    grant_of(&p.to),
                    stage.id,
                    p.person_id,
                    Movement::Received,
                    None,
                    now_ms,
                )
                .await?;
        }
        if stage.seq == 2 {
            store
                .note_parity(
                    &negotiator,
                    stage.id,
                    "one man refused repatriation; the other side's extra place moves to stage 3",
                    now_ms,
                )
                .await?;
        }
        let mediator = Grant::<WriteTalks>::system(tr.clone(), "user:tr-negotiator");
        store.close_stage(&mediator, stage.id, now_ms).await?;
    }
    Ok(run)
}
