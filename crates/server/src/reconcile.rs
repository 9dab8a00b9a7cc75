//! Reconciliation: a party's request list against a holding list it received, through the
//! linkage engine. Pairs at or above the lower threshold are proposed as links for review
//! (those above the upper one are marked as likely matches, still to be confirmed by a
//! person: a wrong match sends the wrong man home); pairs a reviewer already decided are
//! never proposed again.

use homeward_core::Error;
use homeward_core::access::{Grant, ReadRegister, ReviewLinks};
use homeward_import::{ColumnMap, Role, parse_date};
use homeward_link::{Field, RawPerson, explain};
use homeward_store::{LinkScope, LinkTarget, Person, PersonFilter, ProposedLink, Store, StoredRow};
use serde::Serialize;

/// What a reconciliation did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReconcileReport {
    /// The request list.
    pub request: i64,
    /// The holding list.
    pub holding: i64,
    /// Pairs the engine compared.
    pub compared: usize,
    /// Links proposed for review.
    pub proposed: usize,
    /// Of those, at or above the upper threshold.
    pub likely: usize,
    /// Pairs left out because a reviewer had already decided them.
    pub already_decided: usize,
    /// Records of the request list left out of matching, each with why (the purposes its
    /// family agreed to).
    pub left_out: Vec<LeftOut>,
}

/// A record left out of matching, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeftOut {
    /// The register record.
    pub person: i64,
    /// Its row on the request list.
    pub row: i64,
    /// Why.
    pub why: String,
}

/// A row's values, by role, as a person to link. An unreadable birth date is kept as
/// written (compared digit by digit) and its reason returned for the report.
pub fn raw_person(
    id: String,
    value: &dyn Fn(Role) -> Option<String>,
) -> (RawPerson, Option<String>) {
    let birth = value(Role::BirthDate);
    let (birth_date, birth_text, problem) = match birth.as_deref().map(parse_date) {
        Some(Ok(d)) => (d, None, None),
        Some(Err(why)) => (None, birth.clone(), Some(why)),
        None => (None, None, None),
    };
    let person = RawPerson {
        id,
        full_name: value(Role::FullName),
        surname: value(Role::Surname),
        given_name: value(Role::GivenName),
        patronymic: value(Role::Patronymic),
        birth_date,
        birth_text,
        sex: value(Role::Sex),
        unit: value(Role::Unit),
        service_number: value(Role::ServiceNumber),
        document_number: value(Role::DocumentNumber),
        address: value(Role::Address),
        locality: value(Role::Locality),
        postcode: value(Role::Postcode),
        region: value(Role::Region),
        birth_place: value(Role::BirthPlace),
    };
    (person, problem)
}

/// Rows of a stored list as people to link, with the register record of each (if any).
fn people(rows: &[StoredRow]) -> (Vec<RawPerson>, Vec<(i64, Option<i64>)>) {
    let headers = StoredRow::headers(&[], rows);
    let map = ColumnMap::from_headers(&headers, &[]).unwrap_or_default();
    let mut raw = Vec::new();
    let mut origin = Vec::new();
    for r in rows.iter().filter(|r| r.accepted) {
        let cells = r.cells(&headers);
        let (person, _) = raw_person(r.row_no.to_string(), &|role| map.value(role, &cells));
        raw.push(person);
        origin.push((r.row_no, r.person_id));
    }
    (raw, origin)
}

/// Reconciles `request` (the party's own list) with `holding` (a list it issued or
/// received) and stores the proposed links.
#[allow(clippy::too_many_arguments)]
pub async fn reconcile(
    store: &Store,
    read: &Grant<ReadRegister>,
    review: &Grant<ReviewLinks>,
    request: i64,
    holding: i64,
    lower: f64,
    upper: f64,
    now_ms: i64,
) -> Result<ReconcileReport, Error> {
    check_thresholds(lower, upper)?;
    // Matching is a search: a family's request not agreed to be searched is left out, and
    // the report says so.
    let mut own_rows = store.list_rows(read, request).await?;
    let ids: Vec<i64> = own_rows.iter().filter_map(|r| r.person_id).collect();
    let consents = store.consents(read, &ids).await?;
    let mut left_out = Vec::new();
    own_rows.retain(|r| {
        let Some(consent) = r.person_id.and_then(|p| consents.get(&p)) else {
            return true;
        };
        let purpose = homeward_core::protection::Purpose::Search;
        if homeward_core::protection::consents(Some(consent), purpose) {
            return true;
        }
        left_out.push(LeftOut {
            person: r.person_id.unwrap_or_default(),
            row: r.row_no,
            why: homeward_core::protection::left_out_because(consent, purpose),
        });
        false
    });
    let (left, left_origin) = people(&own_rows);
    let (right, right_origin) = people(&store.list_rows(read, holding).await?);
    if ids.is_empty() {
        return Err(Error::invalid(
            "request",
            format!("list {request} gave no records of this party's register"),
        ));
    }
    let decided = store
        .decided_pairs(review, LinkScope::List(holding))
        .await?;
    let linkage = homeward_link::link(&left, Some(&right), lower, &mut |_| {});
    let mut proposed = Vec::new();
    let mut already_decided = 0;
    for s in &linkage.scored {
        let (Some(&(_, Some(person_id))), Some(&(other_row, _))) = (
            left_origin.get(s.left as usize),
            right_origin.get(s.right as usize),
        ) else {
            continue;
        };
        if decided.contains(&(person_id, other_row)) {
            already_decided += 1;
            continue;
        }
        proposed.push(ProposedLink {
            person_id,
            other: LinkTarget::Row {
                list: holding,
                row: other_row,
            },
            probability: s.probability,
            evidence: evidence(s),
        });
    }
    let likely = proposed.iter().filter(|p| p.probability >= upper).count();
    store
        .propose_links(review, LinkScope::List(holding), &proposed, now_ms)
        .await?;
    Ok(ReconcileReport {
        request,
        holding,
        compared: linkage.candidates,
        proposed: proposed.len(),
        likely,
        already_decided,
        left_out,
    })
}

/// A scored pair's per-field evidence as JSON text, for the review page.
fn evidence(s: &homeward_link::Scored) -> String {
    let fields: serde_json::Map<String, serde_json::Value> = Field::ALL
        .iter()
        .enumerate()
        .map(|(f, field)| (field.as_str().to_owned(), explain(s, f).into()))
        .collect();
    serde_json::Value::Object(fields).to_string()
}

/// A register record as a person to link.
fn register_person(p: &Person) -> RawPerson {
    let r = &p.record;
    RawPerson {
        id: p.id.to_string(),
        full_name: None,
        surname: r.surname.clone(),
        given_name: r.given_names.clone(),
        patronymic: r.patronymic.clone(),
        birth_date: r.birth_date,
        birth_text: None,
        sex: r.sex.map(|s| s.as_str().to_owned()),
        unit: r.unit.clone(),
        service_number: r.service_number.clone(),
        document_number: None,
        address: None,
        locality: r.last_known_location.clone(),
        postcode: None,
        region: None,
        birth_place: r.birth_place.clone(),
    }
}

/// What a search for duplicates inside a register did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DuplicatesReport {
    /// Records examined.
    pub records: usize,
    /// Pairs the engine compared.
    pub compared: usize,
    /// Pairs suggested for review.
    pub proposed: usize,
    /// Of those, at or above the upper threshold.
    pub likely: usize,
    /// Pairs left out because a reviewer had already decided them.
    pub already_decided: usize,
}

/// Finds people entered twice in the grant's register (of one category, or all) and
/// suggests each pair for review. Nothing is merged: a reviewer's confirmation only links
/// the two records.
pub async fn find_duplicates(
    store: &Store,
    read: &Grant<ReadRegister>,
    review: &Grant<ReviewLinks>,
    filter: &PersonFilter,
    lower: f64,
    upper: f64,
    now_ms: i64,
) -> Result<DuplicatesReport, Error> {
    check_thresholds(lower, upper)?;
    let register = store.register(read, filter).await?;
    // Records of different categories or relations are never the same entry twice.
    let mut groups: std::collections::BTreeMap<(Option<&str>, Option<&str>), Vec<&Person>> =
        std::collections::BTreeMap::new();
    for p in &register {
        let key = (
            p.record.category.map(|c| c.as_str()),
            p.record.relation.map(|r| r.as_str()),
        );
        groups.entry(key).or_default().push(p);
    }
    let decided = store.decided_pairs(review, LinkScope::Register).await?;
    let (mut proposed, mut compared, mut already_decided) = (Vec::new(), 0, 0);
    for people in groups.values() {
        let raw: Vec<RawPerson> = people.iter().map(|p| register_person(p)).collect();
        let linkage = homeward_link::link(&raw, None, lower, &mut |_| {});
        compared += linkage.candidates;
        for s in &linkage.scored {
            let (Some(a), Some(b)) = (people.get(s.left as usize), people.get(s.right as usize))
            else {
                continue;
            };
            let (a, b) = (a.id.min(b.id), a.id.max(b.id));
            if a == b {
                continue;
            }
            if decided.contains(&(a, b)) {
                already_decided += 1;
                continue;
            }
            proposed.push(ProposedLink {
                person_id: a,
                other: LinkTarget::Person(b),
                probability: s.probability,
                evidence: evidence(s),
            });
        }
    }
    let likely = proposed.iter().filter(|p| p.probability >= upper).count();
    store
        .propose_links(review, LinkScope::Register, &proposed, now_ms)
        .await?;
    Ok(DuplicatesReport {
        records: register.len(),
        compared,
        proposed: proposed.len(),
        likely,
        already_decided,
    })
}

fn check_thresholds(lower: f64, upper: f64) -> Result<(), Error> {
    if !(0.0..=1.0).contains(&lower) || !(lower..=1.0).contains(&upper) {
        return Err(Error::invalid("thresholds", "need 0 ≤ lower ≤ upper ≤ 1"));
    }
    Ok(())
}

/// The two records of a link as a reviewer reads them: names as written with their
/// romanisation, and where the other record is.
#[derive(Debug, Clone, Default)]
pub struct LinkSides {
    /// The register record's name.
    pub person: String,
    /// Its romanisation.
    pub person_latin: String,
    /// The other record: a register record's name, or a list row's values.
    pub other: String,
    /// Its romanisation.
    pub other_latin: String,
    /// Where it is: "list 3, line 7" or "register record 12".
    pub other_place: String,
    /// The page that shows it.
    pub other_href: String,
}

/// The two sides of each link, read through the caller's own grant.
pub async fn link_sides(
    store: &Store,
    read: &Grant<ReadRegister>,
    links: &[homeward_store::LinkView],
) -> Result<Vec<LinkSides>, Error> {
    let mut rows_of: std::collections::HashMap<i64, Vec<StoredRow>> =
        std::collections::HashMap::new();
    let mut out = Vec::with_capacity(links.len());
    for l in links {
        let person = store.person(read, l.person_id).await?.record.display_name();
        let (other, other_place, other_href) = match (l.other_person, l.other_list, l.other_row) {
            (Some(other), _, _) => (
                store.person(read, other).await?.record.display_name(),
                format!("register record {other}"),
                format!("/persons/{other}"),
            ),
            (None, Some(list), Some(row)) => {
                if let std::collections::hash_map::Entry::Vacant(slot) = rows_of.entry(list) {
                    slot.insert(store.list_rows(read, list).await?);
                }
                let text = rows_of
                    .get(&list)
                    .and_then(|rows| rows.iter().find(|r| r.row_no == row))
                    .map(|r| {
                        r.fields
                            .values()
                            .filter_map(|v| v.as_str())
                            .filter(|v| !v.trim().is_empty())
                            .collect::<Vec<_>>()
                            .join(" · ")
                    })
                    .unwrap_or_default();
                (
                    text,
                    format!("list {list}, line {row}"),
                    format!("/lists/{list}/export?format=print#line-{row}"),
                )
            }
            _ => (String::new(), String::new(), String::new()),
        };
        out.push(LinkSides {
            person_latin: homeward_names::romanise_as_written(&person),
            person,
            other_latin: homeward_names::romanise_as_written(&other),
            other,
            other_place,
            other_href,
        });
    }
    Ok(out)
}
