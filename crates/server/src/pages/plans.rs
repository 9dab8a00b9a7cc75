//! The plan page of an exchange commitment: the current plan's stages, people and parity,
//! the negotiators' form that makes a plan, and the forms that move a stage on.

use super::{Posted, Who, given, render};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::App;
use homeward_app::plans::{MovementInput, ParityNote, PlanParams};
use homeward_core::Error;
use homeward_store::PlanView;
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        (
            "/commitments/{commitment}/plan",
            get(plan_page).post(plan_make),
        ),
        ("/stages/{stage}/movements", post(stage_move)),
        ("/stages/{stage}/parity-note", post(stage_note)),
        ("/stages/{stage}/close", post(stage_close)),
    ]
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    who: Who,
    commitment: i64,
    title: String,
    summary: String,
    plan: Option<PlanView>,
    message: Option<String>,
}

async fn render_plan(
    app: &App,
    caller: &PageCaller,
    commitment: i64,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    let c = app.commitment(&caller.actor, commitment).await?;
    let plan = match app.plan_of(&caller.actor, commitment).await {
        Ok(p) => Some(p),
        Err(Error::NotFound(_)) => None,
        Err(e) => return Err(e.into()),
    };
    let who = Who::from(caller);
    render(&PlanPage {
        summary: super::terms::summary(&who, &c.terms),
        who,
        commitment,
        title: c.title,
        plan,
        message,
    })
}

async fn plan_page(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
) -> Result<Html<String>, PageError> {
    render_plan(&app, &caller, commitment, None).await
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
    let left: Vec<String> = r.left_out.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let lang = super::lang();
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
    render_plan(&app, &caller, commitment, Some(message)).await
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
