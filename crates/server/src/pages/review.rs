//! The review page: links waiting for a person's decision, or decided, between lists or
//! inside the register, with both records side by side; and the forms that reconcile two
//! lists, look for duplicates and decide.

use super::{Posted, Who, code_word, lang, render, utc};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::App;
use homeward_app::links::{DecisionInput, DuplicatesInput, LinkSides, ReconcileInput};
use homeward_app::query::LinkQuery;
use homeward_store::{DecisionOutcome, LinkCounts, LinkView, ListSummary};
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
    /// Where the other record is, in the page's language.
    other_place: String,
    /// Both sides field by field, each value under its label: the register's fields in the
    /// page's language, a list row's under the list's own column names.
    ours: Vec<(String, String)>,
    theirs: Vec<(String, String)>,
    /// Each field the engine compared: its name, the evidence in words, and the weight it
    /// gave, drawn as a bar to the right (for) or left (against).
    evidence: Vec<(String, String, String)>,
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
    decisions: Vec<(&'static str, String)>,
    shows: Vec<(&'static str, String)>,
    scopes: Vec<(&'static str, String)>,
    message: Option<String>,
    /// How many pairs wait and how many were decided, in words.
    counts: String,
    /// How many pairs the filter holds, and which of its pages this is.
    total: usize,
    page: usize,
    pages: usize,
}

impl ReviewPage {
    fn at_page(&self, page: usize) -> String {
        format!(
            "/review?show={}&scope={}&page={page}",
            self.show, self.scope
        )
    }
}

#[derive(Deserialize, Default)]
struct ReviewQuery {
    /// candidate, confirmed or rejected.
    #[serde(default)]
    show: String,
    /// all, lists or duplicates.
    #[serde(default)]
    scope: String,
    /// Which page of [`SHOWN`] pairs, from 1.
    #[serde(default)]
    page: Option<i64>,
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
    let all = app.links(&caller.actor, &query).await?;
    let total = all.len();
    let pages = total.div_ceil(SHOWN).max(1);
    // A page past the last shows the last: the arithmetic is on counts, never wrapped.
    let page = usize::try_from(q.page.unwrap_or(1).max(1)).map_or(pages, |p| p.min(pages));
    let links: Vec<LinkView> = all
        .into_iter()
        .skip((page - 1) * SHOWN)
        .take(SHOWN)
        .collect();
    let sides = app.link_sides(&caller.actor, &links, "review").await?;
    let items = links
        .into_iter()
        .zip(sides)
        .map(|(l, sides)| ReviewItem {
            id: l.id,
            probability: lang().percent(l.probability),
            person_id: l.person_id,
            other_href: other_href(&l),
            ours: sides
                .person_record
                .as_ref()
                .map(labelled)
                .unwrap_or_default(),
            theirs: match &sides.other_record {
                Some(r) => labelled(r),
                None => sides.other_cells.clone(),
            },
            other_place: match (l.other_person, l.other_list, l.other_row) {
                (Some(record), _, _) => lang().t_with(
                    "review-place-record",
                    &[("record", record.to_string().into())],
                ),
                (None, Some(list), Some(row)) => lang().t_with(
                    "review-place-row",
                    &[
                        ("list", list.to_string().into()),
                        ("row", row.to_string().into()),
                    ],
                ),
                _ => String::new(),
            },
            sides,
            evidence: l
                .evidence
                .as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, v)| v.as_str() != Some("missing"))
                        .map(|(k, v)| {
                            let text = v.as_str().unwrap_or("");
                            (
                                code_word("evidence", k),
                                evidence_words(text),
                                super::charts::weight_bar(weight_of(text)),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default(),
            decided: match (&l.decided_by, l.decided_at) {
                (Some(by), Some(at)) => lang().t_with(
                    "review-decided",
                    &[
                        ("decision", code_word("link", &show).into()),
                        ("by", by.into()),
                        ("at", utc(at).into()),
                    ],
                ),
                _ => String::new(),
            },
        })
        .collect();
    render(&ReviewPage {
        who: Who::from(caller),
        total,
        page,
        pages,
        show,
        scope,
        items,
        lists: app.lists(&caller.actor).await?,
        decisions: ["accept", "reject", "unsure"]
            .into_iter()
            .map(|d| (d, code_word("decide", d)))
            .collect(),
        shows: ["candidate", "confirmed", "rejected"]
            .into_iter()
            .map(|d| (d, code_word("link", d)))
            .collect(),
        scopes: ["all", "lists", "duplicates"]
            .into_iter()
            .map(|d| (d, code_word("scope", d)))
            .collect(),
        message,
        counts: counts_words(&app.link_counts(&caller.actor).await?),
    })
}

fn counts_words(c: &LinkCounts) -> String {
    lang().t_with(
        "review-counts",
        &[
            ("waiting", c.waiting.into()),
            ("confirmed", c.confirmed.into()),
            ("rejected", c.rejected.into()),
        ],
    )
}

/// The engine's evidence for one field (`same key (+7.9)`) in the page's language: the
/// level as a word, the weight as it is.
fn evidence_words(evidence: &str) -> String {
    let (level, weight) = match evidence.rsplit_once(" (") {
        Some((level, weight)) => (level, format!(" ({weight}")),
        None => (evidence, String::new()),
    };
    let id = level.replace([' ', '\''], "_").replace('±', "plus_minus_");
    format!("{}{weight}", code_word("level", &id))
}

/// What tells one person from another besides the name, each under its label in the
/// page's language; empty fields left out.
fn labelled(r: &homeward_core::record::PersonRecord) -> Vec<(String, String)> {
    use super::{dated, or_as_written, word};
    let lang = lang();
    [
        (
            "field-birth-date",
            or_as_written(r, "birth_date", dated(&r.birth_date)),
        ),
        ("field-birth-place", word(&r.birth_place)),
        ("field-rank", word(&r.rank)),
        ("field-unit", word(&r.unit)),
        ("field-service-number", word(&r.service_number)),
        ("field-place", word(&r.capture_place)),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(id, v)| (lang.t(id), v))
    .collect()
}

/// The weight in the engine's evidence for one field (`same key (+7.9)` gives 7.9).
fn weight_of(evidence: &str) -> Option<f64> {
    let (_, weight) = evidence.rsplit_once(" (")?;
    weight.trim_end_matches(')').trim().parse().ok()
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
    let lang = lang();
    let mut message = lang.t_with(
        "review-reconciled",
        &[
            ("request", r.request.to_string().into()),
            ("holding", r.holding.to_string().into()),
            ("compared", r.compared.into()),
            ("proposed", r.proposed.into()),
            ("likely", r.likely.into()),
            ("decided", r.already_decided.into()),
        ],
    );
    for l in &r.left_out {
        message.push(' ');
        message.push_str(&lang.t_with(
            "review-left-out",
            &[
                ("person", l.person.to_string().into()),
                ("row", l.row.to_string().into()),
                ("why", l.why.as_str().into()),
            ],
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
    let message = lang().t_with(
        "review-duplicates-found",
        &[
            ("records", r.records.into()),
            ("compared", r.compared.into()),
            ("proposed", r.proposed.into()),
            ("likely", r.likely.into()),
            ("decided", r.already_decided.into()),
        ],
    );
    let q = ReviewQuery {
        show: String::new(),
        scope: "duplicates".to_owned(),
        page: None,
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
    let done = app.decide_link(&caller.actor, link, &input).await?;
    let q = ReviewQuery {
        show: form.back,
        scope: String::new(),
        page: None,
    };
    Ok(render_review(&app, &caller, q, Some(decided_words(&done)))
        .await?
        .into_response())
}

/// What a decision did, in the page's language: the pair, what became of it, and the
/// record's status now.
fn decided_words(done: &DecisionOutcome) -> String {
    let what = match (done.was.as_str(), done.now.as_str()) {
        (_, "confirmed") => "confirmed",
        (_, "rejected") => "rejected",
        ("candidate", _) => "unsure",
        _ => "undone",
    };
    let mut words = lang().t_with(
        "review-done",
        &[
            ("what", what.into()),
            ("link", done.link.to_string().into()),
            ("record", done.person.to_string().into()),
            ("status", code_word("status", &done.status).into()),
        ],
    );
    if let Some((_, from, _)) = &done.status_change {
        words.push(' ');
        words.push_str(&lang().t_with(
            "review-status-was",
            &[("from", code_word("status", from).into())],
        ));
    }
    words
}
