//! Children's cases, truces, and remains: their pages and forms.

use super::{Posted, Who, given, render, said};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::{App, BatchInput, CaseStep, IdentificationStep, Receipt};
use homeward_core::Error;
use homeward_core::cases::ChildCaseState;
use homeward_store::{BatchView, TruceReport};
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/commitments/{commitment}/children", get(children_page)),
        ("/children/{person}/state", post(child_step)),
        ("/truces", get(truces_page)),
        ("/commitments/{commitment}/remains", get(remains_page)),
        ("/commitments/{commitment}/batches", post(batch_add)),
        ("/batches/{batch}/receipt", post(batch_receive)),
        ("/remains/{person}/identification", post(remains_identify)),
        ("/persons/{id}/family-notified", post(family_told)),
    ]
}

/// A child's case as the page shows it, with the steps its reader may move it to.
struct CaseRow {
    person_id: i64,
    name: String,
    agreed: bool,
    state: String,
    note: String,
    updated_by: String,
    /// The next step's code and word, when the case has one.
    next: Option<(&'static str, String)>,
    /// The step it may go back to, with a note.
    back: Option<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "children.html")]
struct ChildrenPage {
    who: Who,
    commitment: i64,
    title: String,
    summary: String,
    cases: Vec<CaseRow>,
    /// Whether the reader may move the cases (the forms are offered only then).
    steps: bool,
    /// What the last step did.
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChildrenQuery {
    /// The child whose case was just moved.
    stepped: Option<i64>,
}

async fn children_page(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Query(q): Query<ChildrenQuery>,
) -> Result<Html<String>, PageError> {
    let c = app.commitment(&caller.actor, commitment).await?;
    let who = Who::from(&caller);
    let step = |s: Option<ChildCaseState>| s.map(|s| (s.as_str(), who.code("child", s.as_str())));
    let cases: Vec<CaseRow> = app
        .child_cases(&caller.actor, commitment)
        .await?
        .into_iter()
        .map(|c| CaseRow {
            person_id: c.person_id,
            name: super::shown_name(&c.name),
            agreed: c.agreed,
            state: who.tw(
                &format!("child-{}", c.state.as_str()),
                &[("sex", c.sex.map_or("", |s| s.as_str()).into())],
            ),
            note: c.note.unwrap_or_default(),
            updated_by: c.updated_by,
            next: step(c.state.next()),
            back: step(c.state.back()),
        })
        .collect();
    let notice = q
        .stepped
        .and_then(|p| cases.iter().find(|c| c.person_id == p))
        .map(|c| {
            who.tw(
                "children-stepped",
                &[
                    ("child", c.name.clone().into()),
                    ("state", c.state.clone().into()),
                ],
            )
        });
    render(&ChildrenPage {
        summary: super::terms::summary(&who, &c.terms),
        steps: app.may_follow_child_cases(&caller.actor),
        who,
        commitment,
        title: c.title,
        cases,
        notice,
    })
}

#[derive(Deserialize)]
struct CaseForm {
    commitment: i64,
    state: String,
    #[serde(default)]
    note: String,
}

async fn child_step(
    State(app): State<App>,
    caller: PageCaller,
    Path(person): Path<i64>,
    Posted(form): Posted<CaseForm>,
) -> Result<Response, PageError> {
    let step = CaseStep {
        state: form.state,
        note: given(&form.note),
    };
    app.step_child_case(&caller.actor, person, &step).await?;
    Ok(Redirect::to(&format!(
        "/commitments/{}/children?stepped={person}#case-{person}",
        form.commitment
    ))
    .into_response())
}

#[derive(Template)]
#[template(path = "truces.html")]
struct TrucesPage {
    who: Who,
    report: TruceReport,
}

async fn truces_page(
    State(app): State<App>,
    caller: PageCaller,
) -> Result<Html<String>, PageError> {
    render(&TrucesPage {
        who: Who::from(&caller),
        report: app.truces(&caller.actor).await?,
    })
}

struct RemainsRow {
    id: i64,
    tag: String,
    identification: String,
}

struct FamilyRow {
    id: i64,
    name: String,
    state: String,
}

#[derive(Template)]
#[template(path = "remains.html")]
struct RemainsPage {
    who: Who,
    commitment: i64,
    title: String,
    summary: String,
    batches: Vec<BatchView>,
    returned: Vec<RemainsRow>,
    returned_total: i64,
    families: Vec<FamilyRow>,
    families_total: usize,
    /// Bodies received over time, drawn.
    over_time: String,
    /// The party's remains received back by step of identification, and the families
    /// still to be told: each step with its count, and drawn.
    steps: Vec<(String, i64)>,
    steps_chart: String,
    families_pending: usize,
}

async fn remains_page(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
) -> Result<Html<String>, PageError> {
    let view = app.remains_view(&caller.actor, commitment).await?;
    let who = Who::from(&caller);
    let progress = app.progress(&caller.actor, commitment).await?;
    let steps: Vec<(String, i64)> = view
        .identification
        .iter()
        .map(|(step, n)| (who.code("identification", step.as_str()), *n))
        .collect();
    render(&RemainsPage {
        over_time: super::charts::over_time("remains-over-time", &progress, &who),
        steps_chart: super::charts::counts("remains-steps", &who.t("remains-steps"), &steps, &who),
        steps,
        families_pending: view.families_pending,
        summary: super::terms::summary(&who, &view.commitment.terms),
        who,
        commitment,
        title: view.commitment.title,
        batches: view.batches,
        returned: view
            .returned
            .iter()
            .map(|p| RemainsRow {
                id: p.id,
                tag: p.record.tag_number.clone().unwrap_or_default(),
                identification: said("identification", &p.record.identification),
            })
            .collect(),
        returned_total: view.returned_total,
        families: view
            .families
            .iter()
            .map(|p| FamilyRow {
                id: p.id,
                name: super::shown_name(&p.record.display_name()),
                state: p.family_notification.clone().unwrap_or_default(),
            })
            .collect(),
        families_total: view.families_total,
    })
}

/// The forms of the remains page, which share their fields.
#[derive(Deserialize)]
struct BatchForm {
    #[serde(default)]
    commitment: i64,
    #[serde(default)]
    handed_over_on: String,
    #[serde(default)]
    bodies: i64,
    /// Tags, separated by commas, spaces or lines.
    #[serde(default)]
    tags: String,
    #[serde(default)]
    identification: String,
    #[serde(default)]
    identified_as: String,
}

fn back_to_remains(commitment: i64) -> Response {
    Redirect::to(&format!("/commitments/{commitment}/remains")).into_response()
}

async fn batch_add(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Posted(form): Posted<BatchForm>,
) -> Result<Response, PageError> {
    let batch = BatchInput {
        handed_over_on: form.handed_over_on.trim().to_owned(),
        bodies: form.bodies,
        tags: form
            .tags
            .split([',', ' ', '\n', '\r'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    app.record_batch(&caller.actor, commitment, &batch).await?;
    Ok(back_to_remains(commitment))
}

async fn batch_receive(
    State(app): State<App>,
    caller: PageCaller,
    Path(batch): Path<i64>,
    Posted(form): Posted<BatchForm>,
) -> Result<Response, PageError> {
    let receipt = Receipt {
        bodies: form.bodies,
    };
    app.receive_batch(&caller.actor, batch, &receipt).await?;
    Ok(back_to_remains(form.commitment))
}

async fn remains_identify(
    State(app): State<App>,
    caller: PageCaller,
    Path(person): Path<i64>,
    Posted(form): Posted<BatchForm>,
) -> Result<Response, PageError> {
    let identified_as = match form.identified_as.trim() {
        "" => None,
        v => Some(v.parse::<i64>().map_err(|_| {
            Error::refused(
                "identified_as",
                format!("{v:?} is not a record number"),
                homeward_core::Reason::NotANumber {
                    value: v.to_owned(),
                },
            )
        })?),
    };
    let step = IdentificationStep {
        identification: form.identification,
        identified_as,
    };
    app.identify_remains(&caller.actor, person, &step).await?;
    Ok(back_to_remains(form.commitment))
}

async fn family_told(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Posted(form): Posted<BatchForm>,
) -> Result<Response, PageError> {
    app.family_notified(&caller.actor, id).await?;
    Ok(back_to_remains(form.commitment))
}
