//! The plan page of an exchange commitment: the current plan's stages, people and parity,
//! the negotiators' form that makes a plan, and the forms that move a stage on.

use super::{Posted, Who, given, render};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::App;
use homeward_app::plans::{LeftOut, MovementInput, ParityNote, PlanParams, Unavailable};
use homeward_app::sheet::{PRIORITIES, PlanQuery, PlanSummary, Powers, StageBatch};
use homeward_core::stated_plan::{StatedPlan, StatedStage};
use homeward_core::talks::{Movement, StageParity};
use homeward_words::Arg;
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        (
            "/commitments/{commitment}/plan",
            get(plan_page).post(plan_make),
        ),
        ("/stages/{stage}/movements", post(stage_move)),
        ("/stages/{stage}/batch", post(stage_batch)),
        ("/stages/{stage}/parity-note", post(stage_note)),
        ("/stages/{stage}/close", post(stage_close)),
        ("/plans/{plan}/proposal", post(plan_propose)),
        ("/plans/{plan}/acceptance", post(plan_accept)),
        ("/shared-plans/{proposal}/cosignature", post(plan_cosign)),
        (
            "/shared-plans/{proposal}/stages/{seq}/close",
            post(shared_stage_close),
        ),
    ]
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    who: Who,
    commitment: i64,
    title: String,
    summary: String,
    plan: Option<PlanSummary>,
    /// Everyone left out, of whom the page lists the first [`LEFT_OUT_SHOWN`].
    left_out_total: usize,
    powers: Powers,
    query: PlanQuery,
    /// The filters' choices: code and word.
    movements: Vec<(&'static str, String)>,
    priorities: Vec<(&'static str, String)>,
    message: Option<String>,
    /// The plan as stated between the sides' own servers.
    shared: Option<StatedPlan>,
    /// Fulfilment over time and each stage's progress, drawn.
    over_time: String,
    stages_chart: String,
}

/// How many of those left out the page lists; the count is always given.
const LEFT_OUT_SHOWN: usize = 100;

impl PlanPage {
    /// The page's address with the same filters, at another page of people.
    fn at_page(&self, page: usize) -> String {
        let q = &self.query;
        let mut parts = vec![format!("page={page}")];
        if let Some(s) = q.stage {
            parts.push(format!("stage={s}"));
        }
        for (k, v) in [("movement", &q.movement), ("priority", &q.priority)] {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                parts.push(format!("{k}={v}"));
            }
        }
        if let Some(n) = q.per_page {
            parts.push(format!("per_page={n}"));
        }
        format!("/commitments/{}/plan?{}", self.commitment, parts.join("&"))
    }

    /// Whether the reader may act on a stage at all (else the column is left out).
    fn acts(&self) -> bool {
        let p = &self.powers;
        p.move_people || p.close_stages || p.note_parity
    }

    /// Where the plan stands between the parties, in words.
    fn sharing(&self) -> String {
        let Some(p) = &self.plan else {
            return String::new();
        };
        let other = p
            .sides
            .iter()
            .find(|s| **s != p.created_by)
            .cloned()
            .unwrap_or_default();
        let mediator = self
            .shared
            .as_ref()
            .and_then(|s| s.mediator.clone())
            .unwrap_or_default();
        let sha = p
            .proposal
            .as_deref()
            .map(|s| s.get(..12).unwrap_or(s).to_owned())
            .unwrap_or_default();
        let args = [
            ("by", p.created_by.clone().into()),
            ("other", other.into()),
            ("mediator", mediator.into()),
            ("sha", sha.into()),
        ];
        let key = match (&p.proposal, &p.accepted, p.state.as_str()) {
            (None, _, _) => "plan-shared-draft",
            (Some(_), _, "signed") => "plan-shared-signed",
            (Some(_), Some(_), _) => "plan-shared-accepted",
            (Some(_), None, _) => "plan-shared-proposed",
        };
        self.who.tw(key, &args)
    }

    fn stated_state(&self, p: &StatedPlan) -> String {
        let key = if p.cosigned {
            "stated-signed"
        } else if p.accepted.is_some() {
            "stated-accepted"
        } else {
            "stated-proposed"
        };
        self.who.t(key)
    }

    fn other(&self, p: &StatedPlan, side: &str) -> String {
        p.sides
            .iter()
            .find(|s| *s != side)
            .cloned()
            .unwrap_or_default()
    }

    /// Received of placed, from `side`, as stated.
    fn stated_flow(&self, s: &StatedStage, side: &str) -> String {
        let of = s.persons.iter().filter(|p| p.from == side);
        let placed = of
            .clone()
            .filter(|p| p.movement != Movement::Withdrawn)
            .count();
        let received = of.filter(|p| p.movement == Movement::Received).count();
        format!("{} / {}", self.who.n(received), self.who.n(placed))
    }

    fn stated_open(&self, p: &StatedPlan, s: &StatedStage) -> u32 {
        s.parity(&p.sides).open
    }

    fn count(&self, c: &StageParity) -> String {
        format!(
            "{} · {} · {}",
            self.who.n(c.from_a),
            self.who.n(c.from_b),
            self.who.n(c.open)
        )
    }

    /// A side's own count of a closed stage, and whether it agrees with the closure.
    fn side_count(&self, s: &StatedStage, side: &str) -> String {
        match (s.counted.get(side), &s.closed) {
            (Some(c), Some(closed)) => {
                let agrees = if c == closed {
                    self.who.t("stated-agrees")
                } else {
                    self.who.t("stated-differs")
                };
                format!("{} — {agrees}", self.count(c))
            }
            _ => self.who.t("stated-not-counted"),
        }
    }

    fn stage_chosen(&self, seq: &i64) -> bool {
        self.query.stage == Some(*seq)
    }

    fn chosen(&self, kind: &str, code: &str) -> bool {
        match kind {
            "movement" => self.query.movement.as_deref() == Some(code),
            _ => self.query.priority.as_deref() == Some(code),
        }
    }
}

async fn render_plan(
    app: &App,
    caller: &PageCaller,
    commitment: i64,
    query: PlanQuery,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    let sheet = app.plan_sheet(&caller.actor, commitment, &query).await?;
    let who = Who::from(caller);
    let progress = app.progress(&caller.actor, commitment).await?;
    let over_time = super::charts::over_time("plan-over-time", &progress, &who);
    let stages_chart = sheet
        .plan
        .as_ref()
        .map(|p| super::charts::stages("plan-stages-chart", &p.stages, &who))
        .unwrap_or_default();
    let left_out_total = sheet.plan.as_ref().map_or(0, |p| p.left_out.len());
    let plan = sheet.plan.map(|mut p| {
        for r in &mut p.rows {
            r.person.name = super::shown_name(&r.person.name);
        }
        p.left_out.truncate(LEFT_OUT_SHOWN);
        for x in &mut p.left_out {
            x.name = super::shown_name(&x.name);
            if let Some(why) = &x.why {
                x.reason = left_out_because(&who, why);
            }
        }
        p
    });
    render(&PlanPage {
        summary: super::terms::summary(&who, &sheet.commitment.terms),
        movements: Movement::ALL
            .iter()
            .map(|m| (m.as_str(), who.code("movement", m.as_str())))
            .collect(),
        priorities: PRIORITIES
            .iter()
            .map(|p| (*p, who.code("priority", p)))
            .collect(),
        who,
        commitment,
        title: sheet.commitment.title,
        plan,
        left_out_total,
        powers: sheet.powers,
        query,
        message,
        shared: sheet.shared,
        over_time,
        stages_chart,
    })
}

async fn plan_page(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Query(query): Query<PlanQuery>,
) -> Result<Html<String>, PageError> {
    render_plan(&app, &caller, commitment, query, None).await
}

#[derive(Deserialize)]
struct PlanForm {
    stage_size: u32,
    #[serde(default)]
    stage_dates: String,
    #[serde(default)]
    include_extra: Option<String>,
}

async fn plan_make(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Posted(form): Posted<PlanForm>,
) -> Result<Html<String>, PageError> {
    let params = PlanParams {
        stage_size: form.stage_size,
        stage_dates: form
            .stage_dates
            .split([',', ' ', '\n'])
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .collect(),
        include_extra: form.include_extra.is_some(),
    };
    let r = app.make_plan(&caller.actor, commitment, &params).await?;
    let lang = super::lang();
    let left: Vec<String> = r
        .left_out
        .iter()
        .map(|(code, n)| {
            format!(
                "{}: {}",
                lang.code_word("left-out", code),
                lang.number(i64::try_from(*n).unwrap_or(i64::MAX))
            )
        })
        .collect();
    let message = lang.t_with(
        "plan-made",
        &[
            ("plan", r.plan.to_string().into()),
            ("stages", r.stages.into()),
            ("a", r.from_a.into()),
            ("b", r.from_b.into()),
            (
                "left",
                if left.is_empty() {
                    lang.t("plan-left-nobody")
                } else {
                    left.join(", ")
                }
                .into(),
            ),
        ],
    );
    render_plan(
        &app,
        &caller,
        commitment,
        PlanQuery::default(),
        Some(message),
    )
    .await
}

/// Back to the stage on its commitment's plan page.
fn back_to_stage(commitment: i64, stage: i64) -> Response {
    Redirect::to(&format!("/commitments/{commitment}/plan#stage-{stage}")).into_response()
}

#[derive(Deserialize)]
struct MoveForm {
    commitment: i64,
    person: i64,
    movement: String,
    #[serde(default)]
    reason: String,
}

async fn stage_move(
    State(app): State<App>,
    caller: PageCaller,
    Path(stage): Path<i64>,
    Posted(form): Posted<MoveForm>,
) -> Result<Response, PageError> {
    let input = MovementInput {
        person: form.person,
        movement: form.movement,
        reason: given(&form.reason),
    };
    app.move_person(&caller.actor, stage, &input).await?;
    Ok(back_to_stage(form.commitment, stage))
}

#[derive(Deserialize)]
struct BatchForm {
    commitment: i64,
    movement: String,
}

async fn stage_batch(
    State(app): State<App>,
    caller: PageCaller,
    Path(stage): Path<i64>,
    Posted(form): Posted<BatchForm>,
) -> Result<Response, PageError> {
    let batch = StageBatch {
        commitment: form.commitment,
        movement: form.movement,
    };
    app.move_stage(&caller.actor, stage, &batch).await?;
    Ok(back_to_stage(form.commitment, stage))
}

#[derive(Deserialize)]
struct StageForm {
    commitment: i64,
    #[serde(default)]
    note: String,
}

async fn stage_note(
    State(app): State<App>,
    caller: PageCaller,
    Path(stage): Path<i64>,
    Posted(form): Posted<StageForm>,
) -> Result<Response, PageError> {
    let note = ParityNote { note: form.note };
    app.note_parity(&caller.actor, stage, &note).await?;
    Ok(back_to_stage(form.commitment, stage))
}

async fn stage_close(
    State(app): State<App>,
    caller: PageCaller,
    Path(stage): Path<i64>,
    Posted(form): Posted<StageForm>,
) -> Result<Response, PageError> {
    app.close_stage(&caller.actor, stage).await?;
    Ok(back_to_stage(form.commitment, stage))
}

#[derive(Deserialize)]
struct SharedForm {
    commitment: i64,
}

/// Back to the commitment's plan page, at the plan's standing between the parties.
fn back_to_plan(commitment: i64) -> Response {
    Redirect::to(&format!("/commitments/{commitment}/plan#plan-summary")).into_response()
}

async fn plan_propose(
    State(app): State<App>,
    caller: PageCaller,
    Path(plan): Path<i64>,
    Posted(form): Posted<SharedForm>,
) -> Result<Response, PageError> {
    app.propose_plan(&caller.actor, plan).await?;
    Ok(back_to_plan(form.commitment))
}

async fn plan_accept(
    State(app): State<App>,
    caller: PageCaller,
    Path(plan): Path<i64>,
    Posted(form): Posted<SharedForm>,
) -> Result<Response, PageError> {
    app.accept_plan(&caller.actor, plan).await?;
    Ok(back_to_plan(form.commitment))
}

async fn plan_cosign(
    State(app): State<App>,
    caller: PageCaller,
    Path(proposal): Path<String>,
    Posted(form): Posted<SharedForm>,
) -> Result<Response, PageError> {
    app.cosign_plan(&caller.actor, &proposal).await?;
    Ok(Redirect::to(&format!(
        "/commitments/{}/plan#plan-stated",
        form.commitment
    ))
    .into_response())
}

async fn shared_stage_close(
    State(app): State<App>,
    caller: PageCaller,
    Path((proposal, seq)): Path<(String, i64)>,
    Posted(form): Posted<SharedForm>,
) -> Result<Response, PageError> {
    app.close_stated_stage(&caller.actor, &proposal, seq)
        .await?;
    Ok(Redirect::to(&format!(
        "/commitments/{}/plan#stated-stage-{seq}",
        form.commitment
    ))
    .into_response())
}

/// Why a person was left out of a plan, in the page's words, from the planner's code and
/// values.
fn left_out_because(who: &Who, why: &LeftOut) -> String {
    match why {
        LeftOut::NotConfirmed => who.t("left-out-why-not_confirmed"),
        LeftOut::Unavailable { detail } => match detail {
            Unavailable::Returned => who.t("left-out-why-returned"),
            Unavailable::Deceased => who.t("left-out-why-deceased"),
            Unavailable::InAnotherPlan { commitment } => {
                who.t1("left-out-why-in_another_plan", "commitment", *commitment)
            }
        },
        LeftOut::CategoryNotCovered { category } => who.t1(
            "left-out-why-category_not_covered",
            "category",
            who.code("category", category.as_str()),
        ),
        LeftOut::BeyondQuantity { rank, quantity } => who.tw(
            "left-out-why-beyond_quantity",
            &[("rank", (*rank).into()), ("quantity", (*quantity).into())],
        ),
        LeftOut::NoCounterpart {
            rank,
            category,
            this_side,
            other_side,
        } => {
            let counts = [
                ("rank", Arg::from(*rank)),
                ("this", (*this_side).into()),
                ("other", (*other_side).into()),
            ];
            match category {
                None => who.tw("left-out-why-no_counterpart", &counts),
                Some(c) => {
                    let mut args = counts.to_vec();
                    args.push(("category", who.code("category", c.as_str()).into()));
                    who.tw("left-out-why-no_counterpart-in", &args)
                }
            }
        }
    }
}
