//! The demo's exchange of prisoners, run as the parties' people would run it: the Ukrainian
//! reviewers reconcile their lists with the Russian ones and confirm the pairs they are
//! sure of, a negotiator plans the 1,000 (+200) exchange in three stages, and two stages
//! are executed — handed over by the holders, received by the other side, one man
//! withdrawn (he refused repatriation), the broken parity explained by a negotiator, and
//! each stage co-confirmed by the mediator. Every person is synthetic; every step is an
//! event, attributed to the demo's users.

use crate::Seeded;
use homeward_app::App;
use homeward_app::links::{DecisionInput, ReconcileInput};
use homeward_app::plans::{MovementInput, ParityNote, PlanParams};
use homeward_app::query::LinkQuery;
use homeward_core::Error;
use homeward_core::access::{Actor, Role};
use homeward_core::talks::CommitmentKind;

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

/// The demo's user of `party` holding `role`, signed in with the token the seeder made.
pub(crate) async fn user(
    app: &App,
    seeded: &Seeded,
    party: &str,
    role: Role,
) -> Result<Actor, Error> {
    let token = seeded
        .token(party, role)
        .ok_or_else(|| Error::NotFound(format!("the demo's {role} of {party}")))?;
    app.actor_by_token(token).await
}

/// Reconciles each (request, holding) pair of lists as `reviewer`, who then confirms the
/// pairs the engine is sure of (probability ≥ 0.99), leaving the rest for review; returns
/// the links proposed and confirmed.
pub async fn reconcile_and_confirm(
    app: &App,
    reviewer: &Actor,
    pairs: &[(i64, i64)],
) -> Result<(usize, usize), Error> {
    let mut proposed = 0;
    for &(request, holding) in pairs {
        let input = ReconcileInput {
            request,
            holding,
            lower: None,
            upper: None,
        };
        proposed += app.reconcile(reviewer, &input).await?.proposed;
    }
    let queue = LinkQuery {
        decision: Some("candidate".into()),
        ..Default::default()
    };
    let accept = DecisionInput {
        decision: "accept".into(),
    };
    let mut confirmed = 0;
    for l in app
        .links(reviewer, &queue)
        .await?
        .iter()
        .filter(|l| l.probability >= 0.99)
    {
        app.decide_link(reviewer, l.id, &accept).await?;
        confirmed += 1;
    }
    Ok((proposed, confirmed))
}

/// Plans the exchange commitment of the round as `negotiator`, in stages of `stage_size`
/// each way on the dates the round agreed, with the extra tranche; records what the plan
/// made in `run` and returns the commitment's id.
pub async fn plan_exchange(
    app: &App,
    negotiator: &Actor,
    stage_size: u32,
    run: &mut ExchangeRun,
) -> Result<i64, Error> {
    let pow = app
        .commitments(negotiator, None)
        .await?
        .into_iter()
        .find(|c| c.terms.kind() == CommitmentKind::PowExchange)
        .ok_or_else(|| Error::NotFound("the demo's exchange commitment".to_owned()))?;
    let params = PlanParams {
        stage_size,
        stage_dates: vec![
            "2025-06-09".into(),
            "2025-06-10".into(),
            "2025-06-12".into(),
        ],
        include_extra: true,
    };
    let report = app.make_plan(negotiator, pow.id, &params).await?;
    run.plan = report.plan;
    run.stages = report.stages;
    run.each_way = report.from_a.min(report.from_b);
    Ok(pow.id)
}

/// Runs the exchange on a freshly seeded demo store, as the demo's users: each step goes
/// through the same use cases, under the same access rule, as a person at the pages would.
/// `stage_size` is the number of people each way in a stage (400 for the full demo).
pub async fn run_exchange(
    app: &App,
    seeded: &Seeded,
    stage_size: u32,
) -> Result<ExchangeRun, Error> {
    let reviewer = user(app, seeded, "UA", Role::Reviewer).await?;
    let negotiator = user(app, seeded, "UA", Role::Negotiator).await?;
    let mediator = user(app, seeded, "TR", Role::Negotiator).await?;
    let ua_op = user(app, seeded, "UA", Role::Operator).await?;
    let ru_op = user(app, seeded, "RU", Role::Operator).await?;
    let lists = app.lists(&reviewer).await?;
    let find = |kind: &str, issuer: &str| {
        lists
            .iter()
            .find(|l| l.kind == kind && l.issuer == issuer && l.category.as_deref() == Some("pow"))
            .map(|l| l.id)
            .ok_or_else(|| Error::NotFound(format!("the demo's {kind} list of {issuer}")))
    };
    let mut run = ExchangeRun::default();
    // Our people in their custody, and their people in ours that they asked for.
    let pairs = [
        (find("request", "UA")?, find("holding", "RU")?),
        (find("holding", "UA")?, find("request", "RU")?),
    ];
    (run.proposed, run.confirmed) = reconcile_and_confirm(app, &reviewer, &pairs).await?;
    let pow = plan_exchange(app, &negotiator, stage_size, &mut run).await?;
    let plan = app.plan_of(&negotiator, pow).await?;
    let operator = |party: &str| if party == "UA" { &ua_op } else { &ru_op };
    let moved = |person: i64, movement: &str, reason: Option<&str>| MovementInput {
        person,
        movement: movement.to_owned(),
        reason: reason.map(str::to_owned),
    };
    for stage in plan.stages.iter().take(2) {
        for (i, p) in stage.persons.iter().enumerate() {
            // One man of the second stage refuses repatriation (GC III art. 109 leaves him
            // the choice); he is withdrawn before the handover.
            if stage.seq == 2 && i == 0 {
                let why = Some("refused repatriation, interviewed by the ICRC");
                app.move_person(
                    operator(&p.from),
                    stage.id,
                    &moved(p.person_id, "withdrawn", why),
                )
                .await?;
                continue;
            }
            app.move_person(
                operator(&p.from),
                stage.id,
                &moved(p.person_id, "handed_over", None),
            )
            .await?;
            app.move_person(
                operator(&p.to),
                stage.id,
                &moved(p.person_id, "received", None),
            )
            .await?;
        }
        if stage.seq == 2 {
            let note = ParityNote {
                note: "one man refused repatriation; the other side's extra place moves to stage 3"
                    .into(),
            };
            app.note_parity(&negotiator, stage.id, &note).await?;
        }
        app.close_stage(&mediator, stage.id).await?;
    }
    Ok(run)
}
