//! Families' enquiries on the pages: the hotline's list (those with news the family has not
//! been told first), a call taken — search with the family's spelling, choose the record or
//! describe someone new, who asked and what they agree to — and one enquiry with its news,
//! its answers and the form to record what the family was told.

use super::{Posted, Who, code_word, dated, lang, render, said, shown_name, utc};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::query::SearchParams;
use homeward_app::{App, EnquiryInput, RecordEntry};
use homeward_core::Error;
use homeward_core::correction::{Provenance, SourceKind};
use homeward_core::enquiry::{Answer, Kinship, NewEnquiry, News};
use homeward_core::protection::Purpose;
use homeward_core::record::{Category, Relation};
use serde::Deserialize;
use std::collections::BTreeMap;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/enquiries", get(list)),
        ("/enquiries/new", get(new_enquiry).post(take)),
        ("/enquiries/{id}", get(one)),
        ("/enquiries/{id}/answers", post(answer)),
    ]
}

/// A piece of news in the page's words, with when.
fn news_words(n: &News) -> String {
    let detail = match n {
        News::LinkConfirmed { list_kind, .. } => code_word("listkind", list_kind),
        News::Moved { movement, .. } => code_word("movement", movement),
        News::DeathConfirmed { .. } => String::new(),
    };
    let what = lang().t(&format!("news-{}", n.code()));
    let when = utc(n.at_ms());
    if detail.is_empty() {
        format!("{what} ({when})")
    } else {
        format!("{what}: {detail} ({when})")
    }
}

struct Line {
    id: i64,
    person: String,
    asked_by: String,
    kinship: String,
    received: String,
    told: String,
    news: Vec<String>,
    to_answer: bool,
    closed: bool,
}

#[derive(Template)]
#[template(path = "enquiries.html")]
struct ListPage {
    who: Who,
    lines: Vec<Line>,
    to_answer: usize,
    all: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ListQuery {
    all: Option<String>,
}

async fn list(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    let all = q.all.is_some();
    let lines: Vec<Line> = app
        .enquiries(&caller.actor, !all, None)
        .await?
        .into_iter()
        .map(|l| Line {
            id: l.enquiry.id,
            person: shown_name(&l.person_name),
            asked_by: l.enquiry.asked_by.clone().unwrap_or_default(),
            kinship: code_word("kinship", l.enquiry.kinship.as_str()),
            received: utc(l.enquiry.received_at_ms),
            told: l.enquiry.told_at_ms.map(utc).unwrap_or_default(),
            news: l.enquiry.news.iter().map(news_words).collect(),
            to_answer: l.to_answer,
            closed: l.enquiry.closed_at_ms.is_some(),
        })
        .collect();
    render(&ListPage {
        who: Who::from(&caller),
        to_answer: lines.iter().filter(|l| l.to_answer).count(),
        lines,
        all,
    })
}

struct Hit {
    id: i64,
    name: String,
    born: String,
    status: String,
    agreed: String,
}

#[derive(Template)]
#[template(path = "enquiry_new.html")]
struct NewPage {
    who: Who,
    q: String,
    searched: bool,
    hits: Vec<Hit>,
    /// The record chosen, with its name.
    chosen: Option<(i64, String)>,
    /// Describing someone the register does not hold.
    unknown: bool,
    form: BTreeMap<String, String>,
    kinships: Vec<(&'static str, String)>,
    purposes: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    error: Option<String>,
}

impl NewPage {
    fn value(&self, key: &str) -> &str {
        self.form.get(key).map_or("", |v| v.as_str())
    }

    fn checked(&self, key: &str) -> bool {
        self.form.contains_key(key)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct NewQuery {
    q: Option<String>,
    person: Option<i64>,
    unknown: Option<String>,
}

fn words_of(kind: &str, codes: impl Iterator<Item = &'static str>) -> Vec<(&'static str, String)> {
    codes.map(|c| (c, code_word(kind, c))).collect()
}

/// The call's page: search, then the form for the record chosen or someone new.
async fn new_page(
    app: &App,
    caller: &PageCaller,
    q: &NewQuery,
    form: BTreeMap<String, String>,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    app.may_answer_families(&caller.actor)?;
    let text = q.q.clone().unwrap_or_default();
    let mut hits = Vec::new();
    if !text.trim().is_empty() {
        let params = SearchParams {
            q: text.clone(),
            born: None,
            limit: Some(20),
            purpose: Some("family enquiry".to_owned()),
        };
        for h in app.search(&caller.actor, &params).await? {
            let r = &h.person.record;
            if r.relation != Some(Relation::Sought) {
                continue;
            }
            hits.push(Hit {
                id: h.person.id,
                name: shown_name(&r.display_name()),
                born: dated(&r.birth_date),
                status: said("status", &r.status),
                agreed: h.agreed.clone(),
            });
        }
    }
    let chosen = match q.person {
        Some(id) => {
            let p = app
                .person(&caller.actor, id, Some("family enquiry"))
                .await?;
            Some((id, shown_name(&p.record.display_name())))
        }
        None => None,
    };
    render(&NewPage {
        who: Who::from(caller),
        searched: !text.trim().is_empty(),
        q: text,
        hits,
        chosen,
        unknown: q.unknown.is_some(),
        form,
        kinships: words_of("kinship", Kinship::ALL.iter().map(|k| k.as_str())),
        purposes: words_of("purpose", Purpose::ALL.iter().map(|p| p.as_str())),
        categories: words_of("category", Category::ALL.iter().map(|c| c.as_str())),
        error,
    })
}

async fn new_enquiry(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<NewQuery>,
) -> Result<Html<String>, PageError> {
    new_page(&app, &caller, &q, BTreeMap::new(), None).await
}

fn input_of(form: &BTreeMap<String, String>) -> Result<EnquiryInput, Error> {
    let value = |k: &str| form.get(k).map(|v| v.trim().to_owned()).unwrap_or_default();
    let person = match value("person") {
        p if p.is_empty() => None,
        p => Some(p.parse().map_err(|_| {
            Error::refused(
                "person",
                "not a record's number",
                homeward_core::Reason::NotANumber { value: p.clone() },
            )
        })?),
    };
    let new_person = if person.is_none() {
        Some(RecordEntry {
            relation: Relation::Sought,
            status: None,
            synthetic: form.contains_key("synthetic"),
            fields: super::records::fields_of(form),
            provenance: Provenance {
                reason: lang().t("enquiry-new-record-reason"),
                source: SourceKind::Call,
                reference: None,
            },
        })
    } else {
        None
    };
    let consent = if form.contains_key("consent_asked") {
        Some(
            Purpose::ALL
                .iter()
                .copied()
                .filter(|p| form.contains_key(&format!("consent.{}", p.as_str())))
                .collect(),
        )
    } else {
        None
    };
    Ok(EnquiryInput {
        person,
        new_person,
        enquiry: NewEnquiry {
            asked_by: value("asked_by"),
            contact: value("contact"),
            kinship: value("kinship")
                .parse()
                .map_err(|_| Error::invalid("kinship", "choose how they are related"))?,
            consent,
            note: Some(value("note")).filter(|n| !n.is_empty()),
        },
    })
}

async fn take(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<BTreeMap<String, String>>,
) -> Result<Response, PageError> {
    let taken = match input_of(&form) {
        Ok(input) => app.record_enquiry(&caller.actor, &input).await,
        Err(e) => Err(e),
    };
    match taken {
        Ok(done) => {
            Ok(Redirect::to(&format!("/enquiries/{}?taken=1", done.enquiry)).into_response())
        }
        Err(e) => match super::records::refusal(&e) {
            Some(why) => {
                let q = NewQuery {
                    q: None,
                    person: form.get("person").and_then(|p| p.parse().ok()),
                    unknown: form
                        .get("person")
                        .filter(|p| !p.is_empty())
                        .is_none()
                        .then(String::new),
                };
                Ok(new_page(&app, &caller, &q, form, Some(why))
                    .await?
                    .into_response())
            }
            None => Err(e.into()),
        },
    }
}

struct Told {
    told: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "enquiry.html")]
struct OnePage {
    who: Who,
    id: i64,
    person_id: i64,
    person: String,
    status: String,
    asked_by: String,
    contact: String,
    kinship: String,
    consent: String,
    note: String,
    received: String,
    received_by: String,
    closed: bool,
    news: Vec<String>,
    answers: Vec<Told>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct OneQuery {
    taken: Option<String>,
    answered: Option<String>,
}

async fn one(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Query(q): Query<OneQuery>,
) -> Result<Html<String>, PageError> {
    let (e, p) = app.enquiry(&caller.actor, id).await?;
    let notice = if q.taken.is_some() {
        Some(lang().t("enquiry-taken"))
    } else {
        q.answered.map(|_| lang().t("enquiry-answered"))
    };
    render(&OnePage {
        who: Who::from(&caller),
        id,
        person_id: p.id,
        person: shown_name(&p.record.display_name()),
        status: said("status", &p.record.status),
        asked_by: e.asked_by.clone().unwrap_or_default(),
        contact: e.contact.clone().unwrap_or_default(),
        kinship: code_word("kinship", e.kinship.as_str()),
        consent: if e.consent.is_empty() {
            lang().t("enquiry-consent-none")
        } else {
            e.consent
                .iter()
                .map(|p| code_word("purpose", p.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        },
        note: e.note.clone().unwrap_or_default(),
        received: utc(e.received_at_ms),
        received_by: e.received_by.clone(),
        closed: e.closed_at_ms.is_some(),
        news: e.news.iter().map(news_words).collect(),
        answers: e
            .answers
            .iter()
            .map(|a| Told {
                told: a.told.clone().unwrap_or_default(),
                by: a.told_by.clone(),
                at: utc(a.told_at_ms),
            })
            .collect(),
        notice,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AnswerForm {
    told: String,
    closes: Option<String>,
}

async fn answer(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Posted(form): Posted<AnswerForm>,
) -> Result<Redirect, PageError> {
    let answer = Answer {
        told: form.told,
        closes: form.closes.is_some(),
    };
    app.answer_enquiry(&caller.actor, id, &answer).await?;
    Ok(Redirect::to(&format!("/enquiries/{id}?answered=1")))
}
