//! One record at a time on the pages: the form that enters a record by hand, a record's
//! history of changes with the values its list row gave, and the form that corrects it.
//! A refused entry or correction shows the form again with what was typed and why, the
//! field named in the page's language.

use super::{Posted, Who, code_word, lang, render, utc};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{MethodRouter, get, post};
use homeward_app::{App, RecordCorrection, RecordEntry};
use homeward_core::Error;
use homeward_core::correction::{FIELDS, Provenance, SourceKind, shown_value};
use homeward_core::protection::SENSITIVE_FIELDS;
use homeward_core::record::{Category, Health, Relation, Sex, UNREADABLE_MARK};
use homeward_store::RecordHistory;
use serde::Deserialize;
use std::collections::BTreeMap;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/persons/new", get(new_record).post(enter)),
        ("/persons/{id}/history", get(history)),
        ("/persons/{id}/correction", post(correct)),
    ]
}

/// The words of a record's field (the same labels as the record's page).
pub(super) fn field_label(field: &str) -> &'static str {
    match field {
        "category" => "field-category",
        "surname" => "field-surname",
        "given_names" => "field-given-names",
        "patronymic" => "field-patronymic",
        "father_name" => "field-father-name",
        "birth_date" => "field-birth-date",
        "birth_place" => "field-birth-place",
        "sex" => "field-sex",
        "citizenship" => "field-citizenship",
        "rank" => "field-rank",
        "unit" => "field-unit",
        "service_number" => "field-service-number",
        "capture_date" => "field-captured",
        "capture_place" => "field-place",
        "health" => "field-health",
        "deportation_date" => "field-deported",
        "deportation_place" => "field-deported-from",
        "family_contact" => "field-family-contact",
        "last_known_location" => "field-last-known-location",
        "recovery_site" => "field-recovery-site",
        "recovery_date" => "field-recovered",
        "tag_number" => "field-tag-number",
        "relation" => "field-relation",
        "status" => "field-status",
        "reason" => "record-reason",
        "source" => "record-source",
        "reference" => "record-reference",
        "asked_by" => "enquiry-asked-by",
        "contact" => "enquiry-contact",
        "kinship" => "enquiry-kinship",
        "consent" => "enquiry-consent",
        "note" => "enquiry-note",
        _ => "record-field-other",
    }
}

/// A stored value as a reader of the page's language reads it: domain codes as words,
/// dates in the language's order, the mark of a value kept as written in its words.
fn value_in_words(field: &str, value: Option<&str>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let mark = format!(" ({UNREADABLE_MARK})");
    if let Some(raw) = value.strip_suffix(&mark) {
        return format!("{raw} ({})", lang().t("unreadable"));
    }
    match field {
        "category" | "sex" | "health" => code_word(field, value),
        f if f.ends_with("_date") => lang().date(value),
        _ => value.to_owned(),
    }
}

/// How one field is asked for on a form: a choice among codes, a date, or text.
enum Input {
    Choice(Vec<(&'static str, String)>),
    Date,
    Text,
}

fn input_of(field: &str) -> Input {
    let words = |kind: &str, codes: &[&'static str]| {
        codes
            .iter()
            .map(|c| (*c, code_word(kind, c)))
            .collect::<Vec<_>>()
    };
    match field {
        "category" => Input::Choice(words(
            "category",
            &Category::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        )),
        "sex" => Input::Choice(words(
            "sex",
            &Sex::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        )),
        "health" => Input::Choice(words(
            "health",
            &Health::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        )),
        f if f.ends_with("_date") => Input::Date,
        _ => Input::Text,
    }
}

/// One field of a form: its name, label, how it is asked, its value, and whether the reader
/// may change it (a protected record's sensitive field, masked, may not).
struct FormField {
    name: &'static str,
    label: &'static str,
    choices: Vec<(&'static str, String)>,
    date: bool,
    value: String,
    /// The value the record holds, sent back so that only what was changed is corrected.
    was: String,
    locked: bool,
}

impl FormField {
    fn new(name: &'static str, value: String, was: String, locked: bool) -> Self {
        let (choices, date) = match input_of(name) {
            Input::Choice(c) => (c, false),
            Input::Date => (Vec::new(), true),
            Input::Text => (Vec::new(), false),
        };
        FormField {
            name,
            label: field_label(name),
            choices,
            date,
            value,
            was,
            locked,
        }
    }
}

/// Each source's code and words.
fn sources() -> Vec<(&'static str, String)> {
    SourceKind::ALL
        .iter()
        .map(|s| (s.as_str(), code_word("source", s.as_str())))
        .collect()
}

/// A refusal as the form shows it: the field in the page's words, and the reason.
pub(super) fn refusal(e: &Error) -> Option<String> {
    match e {
        Error::Invalid { field, reason, .. } => super::reasons::said(e)
            .or_else(|| Some(format!("{}: {reason}", lang().t(field_label(field))))),
        _ => None,
    }
}

#[derive(Template)]
#[template(path = "record_new.html")]
struct NewRecordPage {
    who: Who,
    fields: Vec<FormField>,
    relation: String,
    relations: Vec<(&'static str, String)>,
    reason: String,
    source: String,
    reference: String,
    sources: Vec<(&'static str, String)>,
    error: Option<String>,
}

/// The entry form as posted: `f.<field>` per field, the relation and the provenance.
type Form = BTreeMap<String, String>;

fn form_value<'a>(form: &'a Form, key: &str) -> &'a str {
    form.get(key).map_or("", |v| v.as_str())
}

fn new_page(caller: &PageCaller, form: &Form, error: Option<String>) -> NewRecordPage {
    NewRecordPage {
        who: Who::from(caller),
        fields: FIELDS
            .iter()
            .map(|f| {
                let value = form_value(form, &format!("f.{f}")).to_owned();
                FormField::new(f, value, String::new(), false)
            })
            .collect(),
        relation: form_value(form, "relation").to_owned(),
        relations: Relation::ALL
            .iter()
            .map(|r| (r.as_str(), code_word("relation", r.as_str())))
            .collect(),
        reason: form_value(form, "reason").to_owned(),
        source: form_value(form, "source").to_owned(),
        reference: form_value(form, "reference").to_owned(),
        sources: sources(),
        error,
    }
}

async fn new_record(State(app): State<App>, caller: PageCaller) -> Result<Html<String>, PageError> {
    app.may_change_records(&caller.actor)?;
    render(&new_page(&caller, &Form::new(), None))
}

/// The provenance a form gives; a source not chosen is refused by name.
fn provenance_of(form: &Form) -> Result<Provenance, Error> {
    Ok(Provenance {
        reason: form_value(form, "reason").to_owned(),
        source: match form_value(form, "source") {
            "" => Err(homeward_core::record::missing(
                "source",
                "choose what the change rests on",
            )),
            v => v.parse().map_err(|e: Error| e.in_field("source")),
        }?,
        reference: Some(form_value(form, "reference").trim().to_owned()).filter(|r| !r.is_empty()),
    })
}

/// The record's fields a form filled in (`f.<field>`), blank ones left out.
pub(super) fn fields_of(form: &Form) -> BTreeMap<String, Option<String>> {
    form.iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("f.")?.to_owned(), v)))
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k, Some(v.clone())))
        .collect()
}

fn entry_of(form: &Form) -> Result<RecordEntry, Error> {
    let relation: Relation = match form_value(form, "relation") {
        "" => Err(homeward_core::record::missing(
            "relation",
            "choose sought or held",
        )),
        v => v.parse().map_err(|e: Error| e.in_field("relation")),
    }?;
    Ok(RecordEntry {
        relation,
        status: None,
        synthetic: form.contains_key("synthetic"),
        fields: fields_of(form),
        provenance: provenance_of(form)?,
    })
}

async fn enter(
    State(app): State<App>,
    caller: PageCaller,
    Posted(form): Posted<Form>,
) -> Result<Response, PageError> {
    let entered = match entry_of(&form) {
        Ok(entry) => app.enter_record(&caller.actor, &entry).await,
        Err(e) => Err(e),
    };
    match entered {
        Ok(id) => Ok(Redirect::to(&format!("/persons/{id}/history?entered=1")).into_response()),
        Err(e) => match refusal(&e) {
            Some(why) => Ok(render(&new_page(&caller, &form, Some(why)))?.into_response()),
            None => Err(e.into()),
        },
    }
}

/// One row of the history table.
struct HistoryRow {
    change_no: i64,
    label: &'static str,
    before: String,
    after: String,
    reason: String,
    source: String,
    reference: String,
    actor: String,
    at: String,
    masked: bool,
}

#[derive(Template)]
#[template(path = "record_history.html")]
struct HistoryPage {
    who: Who,
    id: i64,
    name: String,
    source_list: Option<i64>,
    source_row: Option<i64>,
    rows: Vec<HistoryRow>,
    /// Each corrected field of an imported record and the value its list row gave.
    list_values: Vec<(&'static str, String)>,
    may_correct: bool,
    erased: bool,
    fields: Vec<FormField>,
    reason: String,
    source: String,
    reference: String,
    sources: Vec<(&'static str, String)>,
    notice: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct HistoryQuery {
    entered: Option<String>,
    changed: Option<String>,
    back: Option<String>,
}

fn history_rows(h: &RecordHistory) -> Vec<HistoryRow> {
    h.changes
        .iter()
        .map(|c| HistoryRow {
            change_no: c.change_no,
            label: field_label(&c.field),
            before: value_in_words(&c.field, c.before.as_deref()),
            after: value_in_words(&c.field, c.after.as_deref()),
            reason: c.reason.clone().unwrap_or_default(),
            source: code_word("source", c.source.as_str()),
            reference: c.reference.clone().unwrap_or_default(),
            actor: c.actor.clone(),
            at: utc(c.at_ms),
            masked: c.masked,
        })
        .collect()
}

/// Shows the record's history and, to those who may, the correction form; `form` holds
/// what a refused correction typed, `error` why it was refused.
async fn history_page(
    app: &App,
    caller: &PageCaller,
    id: i64,
    form: Option<&Form>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<Html<String>, PageError> {
    let p = app.person(&caller.actor, id, Some("history")).await?;
    let h = app
        .record_history(&caller.actor, id, Some("history"))
        .await?;
    let may_correct = app.may_change_records(&caller.actor).is_ok() && p.erased_at.is_none();
    let fields = FIELDS
        .iter()
        .map(|f| {
            let was = shown_value(&p.record, f).unwrap_or_default();
            let locked = p.masked && SENSITIVE_FIELDS.contains(f);
            let value = match form {
                Some(form) => form_value(form, &format!("f.{f}")).to_owned(),
                None if locked => String::new(),
                None => was.clone(),
            };
            FormField::new(f, value, if locked { String::new() } else { was }, locked)
        })
        .collect();
    let list_values = h
        .list_values()
        .into_iter()
        .map(|(f, v)| (field_label(f), value_in_words(f, v)))
        .collect();
    let value = |k: &str| {
        form.map(|f| form_value(f, k).to_owned())
            .unwrap_or_default()
    };
    render(&HistoryPage {
        who: Who::from(caller),
        id,
        name: super::shown_name(&p.record.display_name()),
        source_list: h.source_list,
        source_row: h.source_row,
        rows: history_rows(&h),
        list_values,
        may_correct,
        erased: p.erased_at.is_some(),
        fields,
        reason: value("reason"),
        source: value("source"),
        reference: value("reference"),
        sources: sources(),
        notice,
        error,
    })
}

async fn history(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> Result<Html<String>, PageError> {
    let notice = if q.entered.is_some() {
        Some(lang().t("record-entered"))
    } else {
        q.changed.map(|n| {
            let back = q.back.unwrap_or_default();
            let count: i64 = n.parse().unwrap_or(0);
            let mut words = lang().t_with("record-corrected", &[("count", count.into())]);
            if !back.is_empty() {
                words.push(' ');
                words.push_str(&lang().t_with("record-links-back", &[("links", back.into())]));
            }
            words
        })
    };
    history_page(&app, &caller, id, None, notice, None).await
}

/// The correction a form gives: each field whose value differs from the one the record held
/// when the form was shown (a locked field is never sent).
fn correction_of(form: &Form) -> Result<RecordCorrection, Error> {
    let set = form
        .iter()
        .filter_map(|(k, v)| {
            let field = k.strip_prefix("f.")?;
            let was = form_value(form, &format!("was.{field}"));
            (v.trim() != was.trim()).then(|| {
                let value = Some(v.trim().to_owned()).filter(|v| !v.is_empty());
                (field.to_owned(), value)
            })
        })
        .collect();
    Ok(RecordCorrection {
        set,
        provenance: provenance_of(form)?,
    })
}

async fn correct(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Posted(form): Posted<Form>,
) -> Result<Response, PageError> {
    let corrected = match correction_of(&form) {
        Ok(c) => app.correct_record(&caller.actor, id, &c).await,
        Err(e) => Err(e),
    };
    match corrected {
        Ok(outcome) => {
            let back = outcome
                .links_back_to_review
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",");
            Ok(Redirect::to(&format!(
                "/persons/{id}/history?changed={}&back={back}",
                outcome.changed.len()
            ))
            .into_response())
        }
        Err(e) => match refusal(&e) {
            Some(why) => Ok(
                history_page(&app, &caller, id, Some(&form), None, Some(why))
                    .await?
                    .into_response(),
            ),
            None => Err(e.into()),
        },
    }
}
