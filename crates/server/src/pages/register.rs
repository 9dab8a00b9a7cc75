//! The register: its pages of records, one record with its protection panel, and the
//! hotline's search.

use super::{Who, code_word, dated, or_as_written, render, said, shown_name, word};
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
use homeward_store::{ErasureView, Person, PersonOrder, RestrictionView};
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

impl PersonsPage {
    /// The register's address with the same filters and order, at another page.
    fn at_page(&self, page: i64) -> String {
        let mut parts = vec![format!("page={page}")];
        for (k, v) in [
            ("category", &self.category),
            ("status", &self.status),
            ("born", &self.born),
            ("sort", &self.sort),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}={v}"));
            }
        }
        if let Some(l) = self.list {
            parts.push(format!("list={l}"));
        }
        format!("/persons?{}", parts.join("&"))
    }

    fn list_chosen(&self, id: &i64) -> bool {
        self.list == Some(*id)
    }
}

#[derive(Template)]
#[template(path = "persons.html")]
struct PersonsPage {
    who: Who,
    /// Each category's code and word.
    categories: Vec<(&'static str, String)>,
    category: String,
    /// Each status's code and word.
    statuses: Vec<(&'static str, String)>,
    status: String,
    /// The lists records came from: id and title.
    lists: Vec<(i64, String)>,
    list: Option<i64>,
    born: String,
    /// Each order's name and word.
    orders: Vec<(&'static str, String)>,
    sort: String,
    count_line: String,
    page: i64,
    pages: i64,
    rows: Vec<PersonRow>,
    may_enter: bool,
}

async fn persons(
    State(app): State<App>,
    caller: PageCaller,
    Query(q): Query<PersonQuery>,
) -> Result<Html<String>, PageError> {
    let page = app.persons(&caller.actor, &q).await?;
    let filter = q.filter()?;
    let lists = app
        .lists(&caller.actor)
        .await?
        .into_iter()
        .map(|l| (l.id, l.title))
        .collect();
    let who = Who::from(&caller);
    let pages = ((page.total + page.per_page - 1) / page.per_page).max(1);
    render(&PersonsPage {
        may_enter: app.may_change_records(&caller.actor).is_ok(),
        count_line: who.tw(
            "register-count",
            &[
                ("total", page.total.into()),
                ("page", page.page.into()),
                ("pages", pages.into()),
            ],
        ),
        categories: Category::ALL
            .iter()
            .map(|c| (c.as_str(), code_word("category", c.as_str())))
            .collect(),
        category: filter
            .category
            .map(|c| c.as_str().to_owned())
            .unwrap_or_default(),
        statuses: Status::ALL
            .iter()
            .map(|s| (s.as_str(), code_word("status", s.as_str())))
            .collect(),
        status: filter
            .status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        lists,
        list: filter.source_list,
        born: filter.born_year.map(|y| y.to_string()).unwrap_or_default(),
        orders: PersonOrder::ALL
            .iter()
            .map(|(name, _)| (*name, who.t(&format!("register-sort-{name}"))))
            .collect(),
        who,
        sort: q.sort.clone().unwrap_or_default(),
        page: page.page,
        pages,
        rows: page
            .items
            .iter()
            .map(|p| PersonRow {
                id: p.id,
                name: shown_name(&PersonRecord::display_name(&p.record)),
                category: said("category", &p.record.category),
                relation: said("relation", &p.record.relation),
                status: said("status", &p.record.status),
                born: or_as_written(&p.record, "birth_date", dated(&p.record.birth_date)),
                unit: word(&p.record.unit),
                health: said("health", &p.record.health),
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
    sensitivity_word: String,
    consent: String,
    restrictions: Vec<RestrictionView>,
    erasures: Vec<ErasureView>,
    erased: bool,
    /// Each sensitivity's code and word.
    sensitivities: Vec<(&'static str, String)>,
    /// Each restricted status's code and word.
    kinds: Vec<(&'static str, String)>,
    may_restrict: bool,
    may_release: bool,
    may_record_consent: bool,
    may_erase: bool,
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
    may_correct: bool,
    /// Where the person has been: lists, links, plans and stages.
    story: homeward_store::PersonStory,
}

impl PersonPage {
    /// A clock reading as the page shows times.
    fn at(&self, ms: &Option<i64>) -> String {
        ms.map(super::utc).unwrap_or_default()
    }
}

fn fields(p: &Person) -> Vec<(&'static str, String)> {
    let r = &p.record;
    vec![
        ("field-surname", word(&r.surname)),
        ("field-given-names", word(&r.given_names)),
        ("field-patronymic", word(&r.patronymic)),
        ("field-father-name", word(&r.father_name)),
        (
            "field-birth-date",
            or_as_written(r, "birth_date", dated(&r.birth_date)),
        ),
        ("field-birth-place", word(&r.birth_place)),
        ("field-sex", or_as_written(r, "sex", said("sex", &r.sex))),
        ("field-citizenship", word(&r.citizenship)),
        ("field-category", said("category", &r.category)),
        ("field-relation", said("relation", &r.relation)),
        ("field-status", said("status", &r.status)),
        ("field-rank", word(&r.rank)),
        ("field-unit", word(&r.unit)),
        ("field-service-number", word(&r.service_number)),
        (
            "field-captured",
            or_as_written(r, "capture_date", dated(&r.capture_date)),
        ),
        ("field-place", word(&r.capture_place)),
        ("field-health", said("health", &r.health)),
        (
            "field-deported",
            or_as_written(r, "deportation_date", dated(&r.deportation_date)),
        ),
        ("field-deported-from", word(&r.deportation_place)),
        ("field-family-contact", word(&r.family_contact)),
        ("field-last-known-location", word(&r.last_known_location)),
        ("field-recovery-site", word(&r.recovery_site)),
        (
            "field-recovered",
            or_as_written(r, "recovery_date", dated(&r.recovery_date)),
        ),
        ("field-tag-number", word(&r.tag_number)),
        (
            "field-identification",
            said("identification", &r.identification),
        ),
        ("field-source-list", word(&p.source_list)),
        ("field-source-row", word(&p.source_row)),
        ("field-record-hash", p.record_sha256.clone()),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect()
}

async fn person(
    State(app): State<App>,
    caller: PageCaller,
    Path(id): Path<i64>,
    Query(q): Query<PurposeQuery>,
) -> Result<Html<String>, PageError> {
    let (p, story) = app
        .person_story(&caller.actor, id, q.purpose.as_deref())
        .await?;
    let protection = app.protection_of(&caller.actor, &p).await?;
    let panel = ProtectionPanel {
        protected: p.protected(),
        masked: p.masked,
        sensitivity: p
            .sensitivity
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        sensitivity_word: p
            .sensitivity
            .map(|s| code_word("sensitivity", s.as_str()))
            .unwrap_or_default(),
        consent: p
            .consent
            .as_ref()
            .map(|c| {
                c.iter()
                    .map(|p| code_word("purpose", p.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        may_restrict: protection.may_restrict,
        may_release: protection.may_release,
        may_record_consent: protection.may_record_consent,
        may_erase: protection.may_erase,
        restrictions: protection.restrictions,
        erasures: protection.erasures,
        erased: p.erased_at.is_some(),
        sensitivities: Sensitivity::ALL
            .iter()
            .map(|s| (s.as_str(), code_word("sensitivity", s.as_str())))
            .collect(),
        kinds: Restriction::ALL
            .iter()
            .map(|k| (k.as_str(), code_word("restriction", k.as_str())))
            .collect(),
    };
    render(&PersonPage {
        who: Who::from(&caller),
        id: p.id,
        name: shown_name(&p.record.display_name()),
        synthetic: p.record.synthetic,
        fields: fields(&p),
        panel,
        may_correct: app.may_change_records(&caller.actor).is_ok() && p.erased_at.is_none(),
        story,
    })
}

struct HitRow {
    id: i64,
    name: String,
    /// The name in Latin letters, to tell spellings apart.
    latin: String,
    /// Unit and place, to tell namesakes apart.
    unit: String,
    place: String,
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
                name: shown_name(&PersonRecord::display_name(&h.person.record)),
                latin: if h.person.masked {
                    String::new()
                } else {
                    homeward_app::romanise_as_written(&PersonRecord::display_name(&h.person.record))
                },
                unit: h.person.record.unit.clone().unwrap_or_default(),
                place: h
                    .person
                    .record
                    .capture_place
                    .clone()
                    .or_else(|| h.person.record.last_known_location.clone())
                    .unwrap_or_default(),
                born: or_as_written(
                    &h.person.record,
                    "birth_date",
                    dated(&h.person.record.birth_date),
                ),
                category: said("category", &h.person.record.category),
                status: said("status", &h.person.record.status),
                agreed: h
                    .agreed
                    .split_whitespace()
                    .map(|f| code_word("agrees", f))
                    .collect::<Vec<_>>()
                    .join(", "),
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
