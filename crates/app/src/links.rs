//! Links between records: reconciliation of a party's request list against a holding list
//! it received, through the linkage engine and its assignment, duplicates inside a
//! register, and the reviewers' decisions. A reconciliation proposes the assignment's pairs:
//! a holding row to one requested person at most (both rows when the holder registered him
//! twice), those at or above the sure probability marked as likely matches, still to be
//! confirmed by a person (a wrong match sends the wrong man home), those down to the review
//! probability for a reviewer's look; a pair that lost to a better one is not proposed and
//! the report says why. Pairs a reviewer already decided are never proposed again: a
//! confirmed pair holds its two records against every rival, a rejected one is no rival.

use crate::query::{LinkQuery, parse_choice};
use crate::{App, Error, grant};
use homeward_core::access::{Actor, ReadRegister, ReviewLinks};
use homeward_import::ColumnMap;
use homeward_link::{Decision, Field, LostBecause, OperatingPoint, Proposal, RawPerson, explain};
use homeward_store::{
    DecisionOutcome, LinkCounts, LinkScope, LinkTarget, LinkView, Person, PersonFilter,
    ProposedLink, StoredRow,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// What to reconcile.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct ReconcileInput {
    /// The party's own request list.
    pub request: i64,
    /// The holding list it issued or received.
    pub holding: i64,
    /// Pairs whose probability (against their records' other candidates) is below this are
    /// not proposed (default 0.05, the engine's review probability).
    pub lower: Option<f64>,
    /// Pairs at or above this probability are sure: marked likely, still to be confirmed
    /// (default 0.5: more likely the same person than not).
    pub upper: Option<f64>,
}

/// Where to look for duplicates.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DuplicatesInput {
    /// Only this category (all when absent).
    pub category: Option<String>,
    /// Pairs below this probability are dropped (default 0.5).
    pub lower: Option<f64>,
    /// Pairs at or above this probability are marked likely (default 0.95).
    pub upper: Option<f64>,
}

/// A reviewer's decision.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct DecisionInput {
    /// accept, reject, unsure, or undo (an earlier decision withdrawn: back to the queue).
    pub decision: String,
}

/// The default lower and upper thresholds of a search for duplicates (a reconciliation's
/// are the engine's operating point, [`OperatingPoint::default`]).
const LOWER: f64 = 0.5;
const UPPER: f64 = 0.95;

/// What a reconciliation did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ReconcileReport {
    /// The request list.
    pub request: i64,
    /// The holding list.
    pub holding: i64,
    /// Pairs the engine compared.
    pub compared: usize,
    /// Links proposed for review.
    pub proposed: usize,
    /// Of those, sure (at or above the upper threshold).
    pub likely: usize,
    /// Pairs left out because a reviewer had already decided them.
    pub already_decided: usize,
    /// Pairs not proposed because one of their records went to a better pair, with why.
    pub lost: Vec<LostPair>,
    /// Records of the request list left out of matching, each with why (the purposes its
    /// family agreed to).
    pub left_out: Vec<LeftOut>,
}

/// A pair that lost to a better one, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct LostPair {
    /// The register record.
    pub person: i64,
    /// The holding list's row.
    pub row: i64,
    /// Its probability against its records' other candidates.
    pub probability: f64,
    /// Why: which of its two records went to whom.
    pub why: String,
}

/// A record left out of matching, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct LeftOut {
    /// The register record.
    pub person: i64,
    /// Its row on the request list.
    pub row: i64,
    /// Why.
    pub why: String,
}

/// Rows of a stored list as people to link, with the register record of each (if any).
fn people(rows: &[StoredRow]) -> (Vec<RawPerson>, Vec<(i64, Option<i64>)>) {
    let headers = StoredRow::headers(&[], rows);
    let map = ColumnMap::from_headers(&headers, &[]).unwrap_or_default();
    let mut raw = Vec::new();
    let mut origin = Vec::new();
    for r in rows.iter().filter(|r| r.accepted) {
        let cells = r.cells(&headers);
        let (person, _) =
            RawPerson::from_row(r.row_no.to_string(), &|role| map.value(role, &cells));
        raw.push(person);
        origin.push((r.row_no, r.person_id));
    }
    (raw, origin)
}

impl App {
    /// Reconciles `request` (the party's own list) with `holding` (a list it issued or
    /// received) and stores the proposed links.
    pub async fn reconcile(
        &self,
        actor: &Actor,
        input: &ReconcileInput,
    ) -> Result<ReconcileReport, Error> {
        let review = &grant::<ReviewLinks>(actor)?;
        let read = &grant::<ReadRegister>(actor)?;
        let store = &self.store;
        let (request, holding) = (input.request, input.holding);
        let point = OperatingPoint {
            sure: input.upper.unwrap_or(OperatingPoint::default().sure),
            review: input.lower.unwrap_or(OperatingPoint::default().review),
        };
        check_thresholds(point.review, point.sure)?;
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
        let scope = LinkScope::List(holding);
        let decided = store.decided_pairs(review, scope).await?;
        let confirmed = store.confirmed_pairs(review, scope).await?;
        // (register record, holding row) of a pair, when its request row has a record.
        let pair_of = |l: u32, r: u32| -> Option<(i64, i64)> {
            let (_, person) = *left_origin.get(l as usize)?;
            let (row, _) = *right_origin.get(r as usize)?;
            Some((person?, row))
        };
        // Pairs far below the review band are kept for the assignment: they are the other
        // candidates each pair competes with.
        let floor = (point.review / 10.0).min(0.01);
        let mut linkage = homeward_link::link(&left, Some(&right), floor, &mut |_| {});
        let mut already_decided = 0;
        // A reviewer's decision is surer than the model: a confirmed pair holds its records
        // against every rival, a rejected one is nobody's rival.
        linkage.scored.retain_mut(|s| {
            let Some(pair) = pair_of(s.left, s.right) else {
                return true;
            };
            if confirmed.contains(&pair) {
                s.probability = CONFIRMED;
                return true;
            }
            if decided.contains(&pair) {
                already_decided += usize::from(s.probability >= point.review);
                return false;
            }
            true
        });
        let proposals = homeward_link::assign(&linkage, point);
        let mut proposed = Vec::new();
        let mut lost = Vec::new();
        for p in &proposals.pairs {
            let Some((person_id, other_row)) = pair_of(p.left, p.right) else {
                continue;
            };
            if confirmed.contains(&(person_id, other_row)) {
                already_decided += 1;
                continue;
            }
            if p.decision == Decision::Lost {
                lost.push(LostPair {
                    person: person_id,
                    row: other_row,
                    probability: p.probability,
                    why: lost_because(p, &left_origin, &right_origin, holding),
                });
                continue;
            }
            proposed.push(ProposedLink {
                person_id,
                other: LinkTarget::Row {
                    list: holding,
                    row: other_row,
                },
                probability: p.probability,
                evidence: proposal_evidence(p, &right_origin),
            });
        }
        let likely = proposals
            .sure()
            .filter(|p| pair_of(p.left, p.right).is_some_and(|k| !confirmed.contains(&k)))
            .count();
        store
            .propose_links(review, scope, &proposed, self.now())
            .await?;
        Ok(ReconcileReport {
            request,
            holding,
            compared: linkage.candidates,
            proposed: proposed.len(),
            likely,
            already_decided,
            lost,
            left_out,
        })
    }
}

/// The probability a confirmed pair enters the assignment with: a person said so.
const CONFIRMED: f64 = 1.0 - 1e-9;

/// Why a pair lost, in the lists' words: which record went to whom.
fn lost_because(
    p: &Proposal,
    left_origin: &[(i64, Option<i64>)],
    right_origin: &[(i64, Option<i64>)],
    holding: i64,
) -> String {
    let record = |l: u32| match left_origin.get(l as usize) {
        Some((_, Some(person))) => format!("record {person}"),
        Some((row, None)) => format!("request row {row}"),
        None => "?".to_owned(),
    };
    let line = |r: u32| {
        right_origin
            .get(r as usize)
            .map_or("?".to_owned(), |(row, _)| {
                format!("list {holding}, line {row}")
            })
    };
    match p.lost_to {
        Some(LostBecause::RightTaken { to, probability }) => format!(
            "{} goes to {} (p = {probability:.3})",
            line(p.right),
            record(to)
        ),
        Some(LostBecause::LeftTaken { to, probability }) => format!(
            "{} goes to {} (p = {probability:.3})",
            record(p.left),
            line(to)
        ),
        None => String::new(),
    }
}

/// An assigned pair's per-field evidence as JSON text, for the review page, with the
/// holder's second registration of the same person when there is one.
fn proposal_evidence(p: &Proposal, right_origin: &[(i64, Option<i64>)]) -> String {
    let mut fields: serde_json::Map<String, serde_json::Value> = Field::ALL
        .iter()
        .enumerate()
        .map(|(f, field)| {
            let text = homeward_link::explain_levels(&p.vector, &p.field_weights, f);
            (field.as_str().to_owned(), text.into())
        })
        .collect();
    if let Some((row, _)) = p.duplicate_of.and_then(|r| right_origin.get(r as usize)) {
        fields.insert(
            "registered twice".to_owned(),
            format!("the same person also on line {row}").into(),
        );
    }
    serde_json::Value::Object(fields).to_string()
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
        note: None,
    }
}

/// What a search for duplicates inside a register did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
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

impl App {
    /// The actor's party's links, most probable first.
    pub async fn links(&self, actor: &Actor, query: &LinkQuery) -> Result<Vec<LinkView>, Error> {
        self.store
            .links(&grant::<ReviewLinks>(actor)?, query.filter())
            .await
    }

    /// How many of the actor's party's links wait for a decision and how many were decided.
    pub async fn link_counts(&self, actor: &Actor) -> Result<LinkCounts, Error> {
        self.store.link_counts(&grant::<ReviewLinks>(actor)?).await
    }

    /// Records a reviewer's decision on one of the party's links; a confirmation moves
    /// the sought person's status, an undo puts it back.
    pub async fn decide_link(
        &self,
        actor: &Actor,
        link: i64,
        input: &DecisionInput,
    ) -> Result<DecisionOutcome, Error> {
        let review = grant::<ReviewLinks>(actor)?;
        self.store
            .decide_link(&review, link, input.decision.parse()?, self.now())
            .await
    }

    /// Finds people entered twice in the grant's register (of one category, or all) and
    /// suggests each pair for review. Nothing is merged: a reviewer's confirmation only links
    /// the two records.
    pub async fn find_duplicates(
        &self,
        actor: &Actor,
        input: &DuplicatesInput,
    ) -> Result<DuplicatesReport, Error> {
        let review = &grant::<ReviewLinks>(actor)?;
        let read = &grant::<ReadRegister>(actor)?;
        let store = &self.store;
        let filter = &PersonFilter {
            category: parse_choice(&input.category)?,
            ..PersonFilter::default()
        };
        let (lower, upper) = (input.lower.unwrap_or(LOWER), input.upper.unwrap_or(UPPER));
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
                let (Some(a), Some(b)) =
                    (people.get(s.left as usize), people.get(s.right as usize))
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
            .propose_links(review, LinkScope::Register, &proposed, self.now())
            .await?;
        Ok(DuplicatesReport {
            records: register.len(),
            compared,
            proposed: proposed.len(),
            likely,
            already_decided,
        })
    }
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
    /// Whether either side is a protected record shown unmasked to this reader.
    pub protected_shown: bool,
    /// The register record as read (masked where the reader is not cleared), for the
    /// faces to show field by field.
    pub person_record: Option<homeward_core::record::PersonRecord>,
    /// The other record, when it is one of the register.
    pub other_record: Option<homeward_core::record::PersonRecord>,
    /// The other list row's cells that hold something, each under the list's own column
    /// name, when the other side is a row.
    pub other_cells: Vec<(String, String)>,
}

impl App {
    /// The two sides of each link as the actor may read them (masked where the actor is
    /// not cleared); the listing is audited for `purpose` as one entry, like a page of the
    /// register.
    pub async fn link_sides(
        &self,
        actor: &Actor,
        links: &[LinkView],
        purpose: &str,
    ) -> Result<Vec<LinkSides>, Error> {
        let read = grant::<ReadRegister>(actor)?;
        let people = self
            .store
            .list_persons(&read, &linked_people(links), purpose, self.now())
            .await?;
        let rows = linked_rows(&self.store, &read, links).await?;
        Ok(sides_of(links, &people, &rows))
    }
}

/// Every register record a set of links names, once.
pub(crate) fn linked_people(links: &[LinkView]) -> Vec<i64> {
    let mut ids: Vec<i64> = links
        .iter()
        .flat_map(|l| std::iter::once(l.person_id).chain(l.other_person))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// The rows of every list a set of links points into, and each list's columns in the
/// file's order (a row's cells are kept by name, so their order is the list's, not theirs).
#[derive(Debug, Default)]
pub(crate) struct LinkedRows {
    rows: HashMap<i64, Vec<StoredRow>>,
    headers: HashMap<i64, Vec<String>>,
}

/// The rows of every list a set of links points into, by list.
pub(crate) async fn linked_rows(
    store: &homeward_store::Store,
    read: &homeward_core::access::Grant<ReadRegister>,
    links: &[LinkView],
) -> Result<LinkedRows, Error> {
    let mut linked = LinkedRows::default();
    for list in links.iter().filter_map(|l| l.other_row.and(l.other_list)) {
        if let std::collections::hash_map::Entry::Vacant(slot) = linked.rows.entry(list) {
            slot.insert(store.list_rows(read, list).await?);
        }
    }
    if !linked.rows.is_empty() {
        linked.headers = store
            .lists(read)
            .await?
            .into_iter()
            .filter(|l| linked.rows.contains_key(&l.id))
            .map(|l| (l.id, l.headers))
            .collect();
    }
    Ok(linked)
}

/// The row a link points to, when it points into a list.
fn row_of<'a>(l: &LinkView, linked: &'a LinkedRows) -> Option<&'a StoredRow> {
    let (list, row) = (l.other_list?, l.other_row?);
    linked.rows.get(&list)?.iter().find(|r| r.row_no == row)
}

/// A row's cells that hold something, under the list's column names, in the file's order
/// (cells of columns the list does not name, last).
fn cells_in_order(row: &StoredRow, headers: Option<&Vec<String>>) -> Vec<(String, String)> {
    let mut cells: Vec<(String, String)> = row
        .fields
        .iter()
        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.trim().to_owned())))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let place = |k: &str| {
        headers
            .and_then(|h| h.iter().position(|x| x == k))
            .unwrap_or(usize::MAX)
    };
    cells.sort_by_key(|(k, _)| place(k));
    cells
}

/// How many records and rows among these links are protected and shown unmasked.
pub(crate) fn protected_shown(
    links: &[LinkView],
    person: &dyn Fn(i64) -> bool,
    rows: &LinkedRows,
) -> usize {
    links
        .iter()
        .filter(|l| {
            person(l.person_id)
                || l.other_person.is_some_and(person)
                || row_of(l, rows).is_some_and(|r| r.protected && !r.masked)
        })
        .count()
}

/// Both sides of each link, from the records and rows read.
pub(crate) fn sides_of(
    links: &[LinkView],
    people: &HashMap<i64, Person>,
    rows: &LinkedRows,
) -> Vec<LinkSides> {
    let name = |id: i64| {
        people
            .get(&id)
            .map(|p| (p.record.display_name(), p.protected() && !p.masked))
            .unwrap_or_default()
    };
    let record = |id: i64| people.get(&id).map(|p| p.record.clone());
    links
        .iter()
        .map(|l| {
            let (person, person_shown) = name(l.person_id);
            let (other, other_place, other_shown) = match (l.other_person, row_of(l, rows)) {
                (Some(other), _) => {
                    let (n, shown) = name(other);
                    (n, format!("register record {other}"), shown)
                }
                (None, Some(r)) => (
                    cells_in_order(r, l.other_list.and_then(|x| rows.headers.get(&x)))
                        .into_iter()
                        .map(|(_, v)| v)
                        .collect::<Vec<_>>()
                        .join(" · "),
                    format!(
                        "list {}, line {}",
                        l.other_list.unwrap_or_default(),
                        r.row_no
                    ),
                    r.protected && !r.masked,
                ),
                (None, None) => (String::new(), String::new(), false),
            };
            let other_cells = row_of(l, rows)
                .filter(|_| l.other_person.is_none())
                .map(|r| cells_in_order(r, l.other_list.and_then(|x| rows.headers.get(&x))))
                .unwrap_or_default();
            LinkSides {
                person_latin: homeward_names::romanise_as_written(&person),
                person,
                other_latin: homeward_names::romanise_as_written(&other),
                other,
                other_place,
                protected_shown: person_shown || other_shown,
                person_record: record(l.person_id),
                other_record: l.other_person.and_then(record),
                other_cells,
            }
        })
        .collect()
}
