//! The dashboard: the rounds the party takes part in or mediates, their commitments with
//! fulfilment, and the negotiators' forms to record and change them.

use super::{Posted, Who, render};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, post};
use homeward_app::query::parse_choice;
use homeward_app::{App, CommitmentChange, CommitmentInput};
use homeward_core::Error;
use homeward_core::talks::{Delegation, Flow, Terms};
use homeward_store::NewRound;
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/rounds", post(round_add)),
        ("/rounds/{round}/commitments", post(commitment_add)),
        (
            "/commitments/{commitment}/amendments",
            post(amendment_propose),
        ),
        ("/amendments/{amendment}/answer", post(amendment_answer)),
    ]
}

struct FlowBar {
    from: String,
    to: String,
    agreed: u32,
    received: u32,
    extra: u32,
    handed_over: u32,
    percent_done: u32,
    planned: u32,
}

impl From<&Flow> for FlowBar {
    fn from(f: &Flow) -> Self {
        FlowBar {
            from: f.from.to_string(),
            to: f.to.to_string(),
            agreed: f.agreed,
            received: f.received.min(f.agreed),
            extra: f.extra,
            handed_over: f.handed_over,
            percent_done: f.percent_done(),
            planned: f.planned,
        }
    }
}

struct CommitmentCard {
    id: i64,
    title: String,
    kind: &'static str,
    kind_word: String,
    summary: String,
    flows: Vec<FlowBar>,
    /// The terms as JSON, for the form that proposes to amend them.
    terms_json: String,
    /// Whether the viewer's party is bound by it (and so may propose and answer).
    bound: bool,
    /// The amendment one side proposed and the other has not answered.
    amendment: Option<AmendmentCard>,
}

struct AmendmentCard {
    id: i64,
    proposed_by: String,
    title: String,
    /// The proposed terms in words, as the agreed ones are summarised.
    summary: String,
    terms_json: String,
    /// Whether the viewer's party proposed it (it may withdraw it, not answer it).
    ours: bool,
}

struct RoundCard {
    id: i64,
    title: String,
    held_on: String,
    venue: String,
    city: String,
    mediator: Option<String>,
    notes: String,
    delegations: Vec<Delegation>,
    commitments: Vec<CommitmentCard>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    who: Who,
    sections: super::desk::Sections,
    rounds: Vec<RoundCard>,
    /// Whether the reader records talks (the forms are offered only then).
    talks: bool,
}

pub(super) async fn dashboard(
    State(app): State<App>,
    caller: PageCaller,
) -> Result<Html<String>, PageError> {
    let desk = app.desk(&caller.actor).await?;
    let who = Who::from(&caller);
    let sections = super::desk::sections(&who, &desk);
    let talks = desk.records_talks;
    let commitments = desk.commitments;
    let cards = desk
        .rounds
        .into_iter()
        .map(|r| RoundCard {
            commitments: commitments
                .iter()
                .filter(|c| c.round_id == r.id)
                .map(|c| CommitmentCard {
                    id: c.id,
                    title: c.title.clone(),
                    kind: c.terms.kind().as_str(),
                    kind_word: who.code("commitment", c.terms.kind().as_str()),
                    summary: super::terms::summary(&who, &c.terms),
                    flows: c.fulfilment.flows.iter().map(FlowBar::from).collect(),
                    terms_json: serde_json::to_string_pretty(&c.terms).unwrap_or_default(),
                    bound: c.sides.contains(&caller.actor.party),
                    amendment: c.amendment.as_ref().map(|a| AmendmentCard {
                        id: a.id,
                        proposed_by: a.proposed_by.to_string(),
                        title: a.title.clone(),
                        summary: super::terms::summary(&who, &a.terms),
                        terms_json: serde_json::to_string_pretty(&a.terms).unwrap_or_default(),
                        ours: a.proposed_by == caller.actor.party,
                    }),
                })
                .collect(),
            id: r.id,
            title: r.title,
            held_on: who.date(&r.held_on),
            venue: r.venue,
            city: r.city,
            mediator: r.mediator,
            notes: r.notes,
            delegations: r.delegations,
        })
        .collect();
    render(&Dashboard {
        who,
        sections,
        rounds: cards,
        talks,
    })
}

#[derive(Deserialize)]
struct RoundForm {
    title: String,
    held_on: String,
    #[serde(default)]
    venue: String,
    #[serde(default)]
    city: String,
    #[serde(default)]
    mediator: String,
    /// One delegation per line: `UA: head of delegation`.
    #[serde(default)]
    delegations: String,
    #[serde(default)]
    notes: String,
}

impl RoundForm {
    fn round(self) -> Result<NewRound, Error> {
        let delegations = self
            .delegations
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let (party, head) = l.split_once(':').ok_or_else(|| {
                    Error::invalid(
                        "delegations",
                        format!("{l:?}: write PARTY: head of delegation"),
                    )
                })?;
                Ok(Delegation {
                    party: party.trim().parse()?,
                    head: head.trim().to_owned(),
                    size: None,
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        Ok(NewRound {
            title: self.title.trim().to_owned(),
            held_on: self.held_on.trim().to_owned(),
            venue: self.venue.trim().to_owned(),
            city: self.city.trim().to_owned(),
            mediator: parse_choice(&Some(self.mediator))?,
            notes: self.notes.trim().to_owned(),
            delegations,
        })
    }
}

async fn round_add(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<RoundForm>,
) -> Result<Response, PageError> {
    let id = app.add_round(&caller.actor, &form.round()?).await?;
    Ok(Redirect::to(&format!("/#round-{id}")).into_response())
}

#[derive(Deserialize)]
struct CommitmentForm {
    title: String,
    #[serde(default)]
    side_a: String,
    #[serde(default)]
    side_b: String,
    /// The terms as JSON, `kind` first.
    terms: String,
}

fn terms_of(text: &str) -> Result<Terms, Error> {
    serde_json::from_str(text).map_err(|e| {
        Error::invalid(
            "terms",
            format!("{e} (line {}, column {})", e.line(), e.column()),
        )
    })
}

async fn commitment_add(
    State(app): State<App>,
    caller: PageCaller,
    Path(round): Path<i64>,
    Posted(form): Posted<CommitmentForm>,
) -> Result<Response, PageError> {
    let input = CommitmentInput {
        title: form.title.trim().to_owned(),
        sides: [form.side_a.trim().parse()?, form.side_b.trim().parse()?],
        terms: terms_of(&form.terms)?,
    };
    let id = app.add_commitment(&caller.actor, round, &input).await?;
    Ok(Redirect::to(&format!("/#commitment-{id}")).into_response())
}

async fn amendment_propose(
    State(app): State<App>,
    caller: PageCaller,
    Path(commitment): Path<i64>,
    Posted(form): Posted<CommitmentForm>,
) -> Result<Response, PageError> {
    let change = CommitmentChange {
        title: form.title,
        terms: terms_of(&form.terms)?,
    };
    app.propose_amendment(&caller.actor, commitment, &change)
        .await?;
    Ok(Redirect::to(&format!("/#commitment-{commitment}")).into_response())
}

#[derive(Deserialize)]
struct AnswerForm {
    answer: String,
}

async fn amendment_answer(
    State(app): State<App>,
    caller: PageCaller,
    Path(amendment): Path<i64>,
    Posted(form): Posted<AnswerForm>,
) -> Result<Response, PageError> {
    let answered = app
        .answer_amendment(&caller.actor, amendment, form.answer.parse()?)
        .await?;
    Ok(Redirect::to(&format!("/#commitment-{}", answered.commitment_id)).into_response())
}
