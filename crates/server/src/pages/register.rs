//! The register: its pages of records, one record with its protection panel, and the
//! hotline's search.

use super::{Who, render, word};
use crate::PageError;
use crate::auth::PageCaller;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Html;
use axum::routing::{MethodRouter, get};
use homeward_app::App;
use homeward_app::query::{PersonQuery, PurposeQuery, SearchParams};
use homeward_core::protection::{Restriction, Sensitivity};
use homeward_core::record::{Category, PersonRecord, Status};
use homeward_store::{ErasureView, Person, RestrictionView};
use serde::Deserialize;

pub(super) fn routes() -> Vec<(&'static str, MethodRouter<App>)> {
    vec![
        ("/persons", get(persons)),
        ("/persons/{id}", get(person)),
        ("/search", get(search)),
    ]
}

struct PersonRow {
    id: i64,
    name: String,
    category: String,
    relation: String,
    status: String,
    born: String,
    unit: String,
    health: String,
    synthetic: bool,
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    who: Who,
    categories: Vec<&'static str>,
    category: String,
    statuses: Vec<&'static str>,
    status: String,
    total: i64,
    page: i64,
    pages: i64,
    rows: Vec<PersonRow>,
}

async fn persons(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<PersonQuery>,
) -> Result<Html<String>, PageError> {
    let page = app.persons(&caller.actor, &q).await?;
    let filter = q.filter()?;
    render(&PersonsPage {
        who: Who::from(&caller),
        categories: Category::ALL.iter().map(|c| c.as_str()).collect(),
        category: filter
            .category
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
        status: filter
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        total: page.total,
        page: page.page,
        pages: ((page.total + page.per_page - 1) / page.per_page).max(1),
        rows: page
            .items
            .iter()
            .map(|p| PersonRow {
                id: p.id,
                name: PersonRecord::display_name(&p.record),
                category: word(&p.record.category),
                relation: word(&p.record.relation),
                status: word(&p.record.status),
                born: typed(&p.record, "birth_date", &p.record.birth_date),
                unit: word(&p.record.unit),
                health: word(&p.record.health),
                synthetic: p.record.synthetic,
            })
            .collect(),
    })
}

/// What the record's page shows of its protection, filled for the reader's roles.
struct ProtectionPanel {
    protected: bool,
    masked: bool,
    sensitivity: String,
    consent: String,
    restrictions: Vec<RestrictionView>,
    erasures: Vec<ErasureView>,
    erased: bool,
    sensitivities: Vec<&'static str>,
    kinds: Vec<&'static str>,
}

#[derive(Template)]
#[template(path = "person.html")]
struct PersonPage {
    who: Who,
    id: i64,
    name: String,
    synthetic: bool,
    fields: Vec<(&'static str, String)>,
    panel: ProtectionPanel,
}

fn fields(p: &Person) -> Vec<(&'static str, String)> {
    let r = &p.record;
    vec![
        ("Surname", word(&r.surname)),
        ("Given names", word(&r.given_names)),
        ("Patronymic", word(&r.patronymic)),
        ("Father's name", word(&r.father_name)),
        ("Birth date", typed(r, "birth_date", &r.birth_date)),
        ("Birth place", word(&r.birth_place)),
        ("Sex", typed(r, "sex", &r.sex)),
        ("Citizenship", word(&r.citizenship)),
        ("Category", word(&r.category)),
        ("Relation", word(&r.relation)),
        ("Status", word(&r.status)),
        ("Rank", word(&r.rank)),
        ("Unit", word(&r.unit)),
        ("Service number", word(&r.service_number)),
        (
            "Captured or detained",
            typed(r, "capture_date", &r.capture_date),
        ),
        ("Place", word(&r.capture_place)),
        ("Health", word(&r.health)),
        (
            "Deported",
            typed(r, "deportation_date", &r.deportation_date),
        ),
        ("Deported from", word(&r.deportation_place)),
        ("Family contact", word(&r.family_contact)),
        ("Last known location", word(&r.last_known_location)),
        ("Recovery site", word(&r.recovery_site)),
        ("Recovered", typed(r, "recovery_date", &r.recovery_date)),
        ("Tag number", word(&r.tag_number)),
        ("Identification", word(&r.identification)),
        ("Source list", word(&p.source_list)),
        ("Source row", word(&p.source_row)),
        ("Record hash (SHA-256)", p.record_sha256.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

/// A typed field as the record's page shows it: its value, or what was written when it
/// could not be read, marked so (core's wording).
fn typed<T: std::fmt::Display>(r: &PersonRecord, field: &str, v: &Option<T>) -> String {
    r.shown(field, v.as_ref().map(ToString::to_string))
}

async fn person(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Query(q): Query<PurposeQuery>,
) -> Result<Html<String>, PageError> {
    let p = app.person(&caller.actor, id, q.purpose.as_deref()).await?;
    let protection = app.protection_of(&caller.actor, &p).await?;
    let panel = ProtectionPanel {
        protected: p.protected(),
        masked: p.masked,
        sensitivity: p
            .sensitivity
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        consent: p
            .consent
            .as_ref()
            .map(|c| c.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        restrictions: protection.restrictions,
        erasures: protection.erasures,
        erased: p.erased_at.is_some(),
        sensitivities: Sensitivity::ALL.iter().map(|s| s.as_str()).collect(),
        kinds: Restriction::ALL.iter().map(|k| k.as_str()).collect(),
    };
    render(&PersonPage {
        who: Who::from(&caller),
        id: p.id,
        name: p.record.display_name(),
        synthetic: p.record.synthetic,
        fields: fields(&p),
        panel,
    })
}

struct HitRow {
    id: i64,
    name: String,
    born: String,
    category: String,
    status: String,
    agreed: String,
    synthetic: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    who: Who,
    q: String,
    born: String,
    hits: Vec<HitRow>,
    searched: bool,
}

#[derive(Deserialize)]
struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    born: String,
}

async fn search(
    State(app): State<App>,
    caller: PageCaller,
    Query(form): Query<SearchForm>,
) -> Result<Html<String>, PageError> {
    let searched = !form.q.trim().is_empty();
    // The empty form too is shown only to those who may search.
    app.may_search(&caller.actor)?;
    let hits = if searched {
        let params = SearchParams {
            q: form.q.clone(),
            born: Some(form.born.clone()),
            limit: Some(50),
            purpose: None,
        };
        app.search(&caller.actor, &params)
            .await?
            .into_iter()
            .map(|h| HitRow {
                id: h.person.id,
                name: PersonRecord::display_name(&h.person.record),
                born: word(&h.person.record.birth_date),
                category: word(&h.person.record.category),
                status: word(&h.person.record.status),
                agreed: h.agreed,
                synthetic: h.person.record.synthetic,
            })
            .collect()
    } else {
        Vec::new()
    };
    render(&SearchPage {
        who: Who::from(&caller),
        q: form.q,
        born: form.born,
        hits,
        searched,
    })
}
