//! The review page: links waiting for a person's decision, or decided, between lists or
//! inside the register, with both records side by side; and the forms that reconcile two
//! lists, look for duplicates and decide.

use super::{Posted, Who, render, utc};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::App;
use homeward_app::links::{DecisionInput, DuplicatesInput, LinkSides, ReconcileInput};
use homeward_app::query::LinkQuery;
use homeward_store::{LinkView, ListSummary};
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/review", get(review_page)),
        ("/review/{link}", post(review_decide)),
        ("/review/reconcile", post(review_reconcile)),
        ("/review/duplicates", post(review_duplicates)),
    ]
}

/// Links shown on one page at most.
const SHOWN: usize = 200;

struct ReviewItem {
    id: i64,
    probability: String,
    person_id: i64,
    sides: LinkSides,
    other_href: String,
    evidence: Vec<(String, String)>,
    decided: String,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewPage {
    who: Who,
    show: String,
    scope: String,
    items: Vec<ReviewItem>,
    lists: Vec<ListSummary>,
    decisions: [(&'static str, &'static str); 3],
    shows: [(&'static str, &'static str); 3],
    scopes: [(&'static str, &'static str); 3],
    message: Option<String>,
}

#[derive(Deserialize, Default)]
struct ReviewQuery {
    /// candidate, confirmed or rejected.
    #[serde(default)]
    show: String,
    /// all, lists or duplicates.
    #[serde(default)]
    scope: String,
}

async fn review_page(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<ReviewQuery>,
) -> Result<Html<String>, PageError> {
    render_review(&app, &caller, q, None).await
}

/// Where the other side of a link is shown.
fn other_href(l: &LinkView) -> String {
    match (l.other_person, l.other_list, l.other_row) {
        (Some(other), _, _) => format!("/persons/{other}"),
        (None, Some(list), Some(row)) => format!("/lists/{list}/export?format=print#line-{row}"),
        _ => String::new(),
    }
}

async fn render_review(
    app: &App,
    caller: &PageCaller,
    q: ReviewQuery,
    message: Option<String>,
) -> Result<Html<String>, PageError> {
    let show = match q.show.as_str() {
        "confirmed" | "rejected" => q.show.clone(),
        _ => "candidate".to_owned(),
    };
    let scope = match q.scope.as_str() {
        "lists" | "duplicates" => q.scope.clone(),
        _ => "all".to_owned(),
    };
    let query = LinkQuery {
        decision: Some(show.clone()),
        person: None,
        duplicates: match scope.as_str() {
            "lists" => Some(false),
            "duplicates" => Some(true),
            _ => None,
        },
    };
    let links: Vec<LinkView> = app
        .links(&caller.actor, &query)
        .await?
        .into_iter()
        .take(SHOWN)
        .collect();
    let sides = app.link_sides(&caller.actor, &links, "review").await?;
    let items = links
        .into_iter()
        .zip(sides)
        .map(|(l, sides)| ReviewItem {
            id: l.id,
            probability: format!("{:.3}", l.probability),
            person_id: l.person_id,
            other_href: other_href(&l),
            sides,
            evidence: l
                .evidence
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, v)| v.as_str() != Some("missing"))
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_owned()))
                        .collect()
                })
                .unwrap_or_default(),
            decided: match (&l.decided_by, l.decided_at) {
                (Some(by), Some(at)) => format!("{show} by {by} at {}", utc(at)),
                _ => String::new(),
            },
        })
        .collect();
    render(&ReviewPage {
        who: Who::from(caller),
        show,
        scope,
        items,
        lists: app.lists(&caller.actor).await?,
        decisions: [
            ("accept", "Same person"),
            ("reject", "Not the same"),
            ("unsure", "Unsure"),
        ],
        shows: [
            ("candidate", "Waiting"),
            ("confirmed", "Confirmed"),
            ("rejected", "Rejected"),
        ],
        scopes: [
            ("all", "All"),
            ("lists", "Between lists"),
            ("duplicates", "Duplicates in the register"),
        ],
        message,
    })
}

#[derive(Deserialize)]
struct ReconcileForm {
    request: i64,
    holding: i64,
}

async fn review_reconcile(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<ReconcileForm>,
) -> Result<Html<String>, PageError> {
    let input = ReconcileInput {
        request: form.request,
        holding: form.holding,
        lower: None,
        upper: None,
    };
    let r = app.reconcile(&caller.actor, &input).await?;
    let mut message = format!(
        "Lists {} and {}: {} pairs compared, {} proposed ({} likely), {} already decided.",
        r.request, r.holding, r.compared, r.proposed, r.likely, r.already_decided
    );
    for l in &r.left_out {
        message.push_str(&format!(
            " Record {} (row {}) was left out: {}.",
            l.person, l.row, l.why
        ));
    }
    render_review(&app, &caller, ReviewQuery::default(), Some(message)).await
}

#[derive(Deserialize)]
struct DuplicatesForm {
    #[serde(default)]
    category: Option<String>,
}

async fn review_duplicates(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<DuplicatesForm>,
) -> Result<Html<String>, PageError> {
    let input = DuplicatesInput {
        category: form.category,
        ..Default::default()
    };
    let r = app.find_duplicates(&caller.actor, &input).await?;
    let message = format!(
        "{} records examined: {} pairs compared, {} suggested as duplicates ({} likely), {} already decided. Nothing was merged.",
        r.records, r.compared, r.proposed, r.likely, r.already_decided
    );
    let q = ReviewQuery {
        show: String::new(),
        scope: "duplicates".to_owned(),
    };
    render_review(&app, &caller, q, Some(message)).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    /// The view to go back to.
    #[serde(default)]
    back: String,
}

async fn review_decide(
    State(app): State<App>,
    caller: PageCaller,
    Path(link): Path<i64>,
    Posted(form): Posted<DecisionForm>,
) -> Result<Response, PageError> {
    let input = DecisionInput {
        decision: form.decision,
    };
    app.decide_link(&caller.actor, link, &input).await?;
    let back = match form.back.as_str() {
        "confirmed" | "rejected" => format!("/review?show={}", form.back),
        _ => "/review".to_owned(),
    };
    Ok(Redirect::to(&back).into_response())
}
