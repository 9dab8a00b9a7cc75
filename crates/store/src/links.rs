//! Links between a register record and another record: a row of a list (proposed by
//! reconciliation) or another record of the same register (a suggested duplicate). A
//! reviewer decides each; a decision is an event with the reviewer and the time and can be
//! undone. A pair a reviewer rejected is proposed again only when one of its records has
//! changed since; a confirmed pair never. A confirmed duplicate merges nothing: both
//! records stay as they were, the link says they are one person.

use crate::persons::placeholders;
use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReviewLinks};
use homeward_core::record::{Relation, Status};
use serde::Serialize;
use sqlx::Row;
use std::collections::HashSet;

/// What a link's other record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTarget {
    /// A row of a list.
    Row {
        /// The list.
        list: i64,
        /// The row's line number.
        row: i64,
    },
    /// Another record of the same register.
    Person(i64),
}

/// Which links a reconciliation replaces and checks against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkScope {
    /// Links to rows of this list.
    List(i64),
    /// Links between records of the register (duplicates).
    Register,
}

/// A link to propose.
#[derive(Debug, Clone)]
pub struct ProposedLink {
    /// The register record (of the reviewing party).
    pub person_id: i64,
    /// The other record.
    pub other: LinkTarget,
    /// Match probability.
    pub probability: f64,
    /// Per-field evidence, as JSON text.
    pub evidence: String,
}

/// How many ids or values a statement of [`Store::propose_links`] takes at most (under
/// SQLite's 32,766 and PostgreSQL's 65,535 bound values).
const PROPOSED_AT_ONCE: usize = 8_000;

/// A link as reviewers see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkView {
    /// Id in this store.
    pub id: i64,
    /// The register record.
    pub person_id: i64,
    /// The other register record, for a suggested duplicate.
    pub other_person: Option<i64>,
    /// The list of the other record.
    pub other_list: Option<i64>,
    /// Its row.
    pub other_row: Option<i64>,
    /// Match probability.
    pub probability: f64,
    /// Per-field evidence.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub evidence: serde_json::Value,
    /// candidate, confirmed or rejected.
    pub decision: String,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When, in milliseconds since 1970.
    pub decided_at: Option<i64>,
    /// The status the confirmation replaced (restored if it is undone).
    pub status_before: Option<String>,
}

/// Which links to read.
#[derive(Debug, Clone, Copy, Default)]
pub struct LinkFilter<'a> {
    /// Only this decision: candidate, confirmed or rejected.
    pub decision: Option<&'a str>,
    /// Only links of this record (on either side).
    pub person: Option<i64>,
    /// Only duplicates inside the register (`Some(true)`) or only links to list rows
    /// (`Some(false)`).
    pub duplicates: Option<bool>,
}

/// A reviewer's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The same person.
    Confirmed,
    /// Not the same person; not proposed again while both records stay as they are.
    Rejected,
    /// Not sure, or an earlier decision withdrawn: back to the queue.
    Unsure,
}

impl std::str::FromStr for Decision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "accept" | "confirmed" | "confirm" => Ok(Decision::Confirmed),
            "reject" | "rejected" => Ok(Decision::Rejected),
            "unsure" | "undo" => Ok(Decision::Unsure),
            other => Err(Error::invalid(
                "decision",
                format!("{other:?}: use accept, reject, unsure or undo"),
            )),
        }
    }
}

/// What a decision changed, for the caller to report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionOutcome {
    /// The link.
    pub link: i64,
    /// Its decision before.
    pub was: String,
    /// Its decision now.
    pub now: String,
    /// The register record whose status changed, with the old and new status.
    pub status_change: Option<(i64, String, String)>,
    /// The register record of the link (its sought side).
    pub person: i64,
    /// That record's status after the decision.
    pub status: String,
}

/// How many of a party's links wait for a decision and how many were decided each way.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LinkCounts {
    /// Waiting for a reviewer (candidates).
    pub waiting: i64,
    /// Confirmed.
    pub confirmed: i64,
    /// Rejected.
    pub rejected: i64,
}

fn link_from_row(r: &sqlx::any::AnyRow) -> Result<LinkView, Error> {
    let get = db("reading a link");
    let evidence: String = r.try_get("evidence").map_err(&get)?;
    Ok(LinkView {
        id: r.try_get("id").map_err(&get)?,
        person_id: r.try_get("person_id").map_err(&get)?,
        other_person: r.try_get("other_person").map_err(&get)?,
        other_list: r.try_get("other_list").map_err(&get)?,
        other_row: r.try_get("other_row").map_err(&get)?,
        probability: r.try_get("probability").map_err(&get)?,
        evidence: serde_json::from_str(&evidence).unwrap_or(serde_json::Value::Null),
        decision: r.try_get("decision").map_err(&get)?,
        decided_by: r.try_get("decided_by").map_err(&get)?,
        decided_at: r.try_get("decided_at").map_err(&get)?,
        status_before: r.try_get("status_before").map_err(&get)?,
    })
}

/// `decided_by` reads as the user's name when the decision was made in this store.
const LINK_COLUMNS: &str = "id, person_id, other_person, other_list, other_row, probability, evidence, decision, \
     COALESCE((SELECT u.name FROM users u WHERE links.decided_by = 'user:' || CAST(u.id AS TEXT)), decided_by) AS decided_by, \
     decided_at, status_before";

impl Store {
    /// Pairs in `scope` a reviewer of the grant's party has decided and that must not be
    /// proposed again: every confirmed pair, and every rejected pair whose records are
    /// unchanged since the rejection. A list pair is (record, row); a register pair is
    /// (smaller id, larger id).
    pub async fn decided_pairs(
        &self,
        grant: &Grant<ReviewLinks>,
        scope: LinkScope,
    ) -> Result<HashSet<(i64, i64)>, Error> {
        self.pairs_decided(grant, scope, false).await
    }

    /// The confirmed pairs in `scope`, as [`Store::decided_pairs`] gives them: a
    /// reconciliation holds their records against every rival.
    pub async fn confirmed_pairs(
        &self,
        grant: &Grant<ReviewLinks>,
        scope: LinkScope,
    ) -> Result<HashSet<(i64, i64)>, Error> {
        self.pairs_decided(grant, scope, true).await
    }

    async fn pairs_decided(
        &self,
        grant: &Grant<ReviewLinks>,
        scope: LinkScope,
        only_confirmed: bool,
    ) -> Result<HashSet<(i64, i64)>, Error> {
        let party = grant.party().as_str();
        let only_confirmed = i64::from(only_confirmed);
        let rows = match scope {
            LinkScope::List(list) => sqlx::query(
                "SELECT l.person_id AS a, l.other_row AS b FROM links l JOIN persons p ON p.id = l.person_id \
                 WHERE l.party = $1 AND l.other_list = $2 AND (l.decision = 'confirmed' OR ($3 = 0 AND l.decision = 'rejected' \
                 AND COALESCE(l.person_sha256, p.record_sha256) = p.record_sha256))",
            )
            .bind(party)
            .bind(list)
            .bind(only_confirmed),
            LinkScope::Register => sqlx::query(
                "SELECT l.person_id AS a, l.other_person AS b FROM links l JOIN persons p ON p.id = l.person_id \
                 JOIN persons q ON q.id = l.other_person WHERE l.party = $1 AND (l.decision = 'confirmed' OR \
                 ($2 = 0 AND l.decision = 'rejected' AND COALESCE(l.person_sha256, p.record_sha256) = p.record_sha256 \
                 AND COALESCE(l.other_sha256, q.record_sha256) = q.record_sha256))",
            )
            .bind(party)
            .bind(only_confirmed),
        }
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading decided links"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a link");
                let (a, b): (i64, i64) =
                    (r.try_get("a").map_err(&get)?, r.try_get("b").map_err(&get)?);
                Ok(match scope {
                    LinkScope::List(_) => (a, b),
                    LinkScope::Register => (a.min(b), a.max(b)),
                })
            })
            .collect()
    }

    /// Stores proposed links, replacing the undecided ones in `scope`, in one transaction
    /// with one event; returns how many were stored.
    pub async fn propose_links(
        &self,
        grant: &Grant<ReviewLinks>,
        scope: LinkScope,
        links: &[ProposedLink],
        now_ms: i64,
    ) -> Result<usize, Error> {
        let party = grant.party().as_str();
        let mut tx = self.begin().await?;
        match scope {
            LinkScope::List(list) => sqlx::query(
                "DELETE FROM links WHERE party = $1 AND other_list = $2 AND decision = 'candidate'",
            )
            .bind(party)
            .bind(list),
            LinkScope::Register => sqlx::query(
                "DELETE FROM links WHERE party = $1 AND other_person IS NOT NULL AND decision = 'candidate'",
            )
            .bind(party),
        }
        .execute(&mut *tx)
        .await
        .map_err(db("clearing undecided links"))?;
        let mut ids = HashSet::new();
        for l in links {
            let in_scope = match (scope, l.other) {
                (LinkScope::List(a), LinkTarget::Row { list, .. }) => a == list,
                (LinkScope::Register, LinkTarget::Person(_)) => true,
                _ => false,
            };
            if !in_scope {
                return Err(Error::invalid(
                    "link",
                    format!("a link to {:?} is outside {scope:?}", l.other),
                ));
            }
            ids.insert(l.person_id);
            if let LinkTarget::Person(other) = l.other {
                ids.insert(other);
            }
        }
        // Checked and written many at a time: a reconciliation proposes thousands of links,
        // and on SQLite every other change waits while they are written.
        let ids: Vec<i64> = ids.into_iter().collect();
        for chunk in ids.chunks(PROPOSED_AT_ONCE) {
            let sql = format!(
                "SELECT id, party FROM persons WHERE id IN {}",
                placeholders(self.backend, 1, chunk.len())
            );
            let found = chunk
                .iter()
                .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, id| q.bind(*id))
                .fetch_all(&mut *tx)
                .await
                .map_err(db("finding the record"))?;
            let mut mine = HashSet::new();
            for r in &found {
                let get = db("finding the record");
                if r.try_get::<String, _>("party").map_err(&get)? == party {
                    mine.insert(r.try_get::<i64, _>("id").map_err(&get)?);
                }
            }
            if let Some(id) = chunk.iter().find(|id| !mine.contains(id)) {
                return Err(Error::NotFound(format!("person {id}")));
            }
        }
        for chunk in links.chunks(PROPOSED_AT_ONCE / 8) {
            let sql = format!(
                "INSERT INTO links (party, person_id, other_person, other_list, other_row, probability, evidence, decision) VALUES {}",
                placeholders(self.backend, chunk.len(), 8)
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for l in chunk {
                let (other_person, other_list, other_row) = match l.other {
                    LinkTarget::Row { list, row } => (None, Some(list), Some(row)),
                    LinkTarget::Person(p) => (Some(p), None, None),
                };
                query = query
                    .bind(party)
                    .bind(l.person_id)
                    .bind(other_person)
                    .bind(other_list)
                    .bind(other_row)
                    .bind(l.probability)
                    .bind(l.evidence.as_str())
                    .bind("candidate");
            }
            query
                .execute(&mut *tx)
                .await
                .map_err(db("storing a proposed link"))?;
        }
        let payload = match scope {
            LinkScope::List(list) => serde_json::json!({ "list": list, "proposed": links.len() }),
            LinkScope::Register => {
                serde_json::json!({ "duplicates": true, "proposed": links.len() })
            }
        };
        commit_with_event(tx, grant, "links.proposed", payload, now_ms).await?;
        Ok(links.len())
    }

    /// The grant's party's links, most probable first.
    pub async fn links(
        &self,
        grant: &Grant<ReviewLinks>,
        filter: LinkFilter<'_>,
    ) -> Result<Vec<LinkView>, Error> {
        let duplicates = filter.duplicates.map(i64::from);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM links WHERE party = $1 AND ($2 IS NULL OR decision = $2) \
             AND ($3 IS NULL OR person_id = $3 OR other_person = $3) \
             AND ($4 IS NULL OR (other_person IS NOT NULL) = ($4 = 1)) ORDER BY probability DESC, id"
        )))
        .bind(grant.party().as_str())
        .bind(filter.decision)
        .bind(filter.person)
        .bind(duplicates)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading links"))?;
        rows.iter().map(link_from_row).collect()
    }

    /// How many of the grant's party's links wait and how many were decided each way.
    pub async fn link_counts(&self, grant: &Grant<ReviewLinks>) -> Result<LinkCounts, Error> {
        let rows = sqlx::query(
            "SELECT decision, CAST(COUNT(*) AS BIGINT) AS n FROM links WHERE party = $1 \
             GROUP BY decision",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("counting links"))?;
        let get = db("counting links");
        let mut counts = LinkCounts::default();
        for r in &rows {
            let n: i64 = r.try_get("n").map_err(&get)?;
            match r.try_get::<String, _>("decision").map_err(&get)?.as_str() {
                "confirmed" => counts.confirmed += n,
                "rejected" => counts.rejected += n,
                _ => counts.waiting += n,
            }
        }
        Ok(counts)
    }

    /// One link of the grant's party.
    pub async fn link(&self, grant: &Grant<ReviewLinks>, id: i64) -> Result<LinkView, Error> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {LINK_COLUMNS} FROM links WHERE id = $1 AND party = $2"
        )))
        .bind(id)
        .bind(grant.party().as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a link"))?;
        match row {
            Some(r) => link_from_row(&r),
            None => Err(Error::NotFound(format!("link {id}"))),
        }
    }

    /// Records a reviewer's decision on a link of the grant's party, with its event. A
    /// confirmation moves the record's status as the other list says
    /// ([`Status::after_confirmed_link`]); withdrawing it puts the old status back, unless
    /// the status has been changed again since (then it is left, and the event says so).
    pub async fn decide_link(
        &self,
        grant: &Grant<ReviewLinks>,
        link_id: i64,
        decision: Decision,
        now_ms: i64,
    ) -> Result<DecisionOutcome, Error> {
        let mut tx = self.begin().await?;
        let (outcome, kind, payload) = decide_in(
            &mut tx,
            grant.party().as_str(),
            grant.actor(),
            link_id,
            decision,
            now_ms,
        )
        .await?;
        commit_with_event(tx, grant, kind, payload, now_ms).await?;
        Ok(outcome)
    }
}

/// Records `actor`'s decision on a link inside `tx`, moving (or restoring) the sought
/// record's status as the decision implies; returns the outcome and the event to write
/// (its kind and payload), so that a decision made as part of another change (a correction
/// that puts a link back for review) is the same decision.
pub(crate) async fn decide_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    actor: &str,
    link_id: i64,
    decision: Decision,
    now_ms: i64,
) -> Result<(DecisionOutcome, &'static str, serde_json::Value), Error> {
    let link = sqlx::query(
            "SELECT l.person_id, l.other_person, l.other_list, l.decision, l.status_before, \
             p.status, p.relation, p.record_sha256, q.record_sha256 AS other_sha256, li.kind \
             FROM links l JOIN persons p ON p.id = l.person_id \
             LEFT JOIN persons q ON q.id = l.other_person LEFT JOIN lists li ON li.id = l.other_list \
             WHERE l.id = $1 AND l.party = $2",
        )
        .bind(link_id)
        .bind(party)
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading the link"))?
        .ok_or_else(|| Error::NotFound(format!("link {link_id}")))?;
    let get = db("reading the link");
    let person_id: i64 = link.try_get("person_id").map_err(&get)?;
    let was: String = link.try_get("decision").map_err(&get)?;
    let status_before: Option<String> = link.try_get("status_before").map_err(&get)?;
    let status: Status = link.try_get::<String, _>("status").map_err(&get)?.parse()?;
    let relation: Relation = link
        .try_get::<String, _>("relation")
        .map_err(&get)?
        .parse()?;
    let kind: Option<String> = link.try_get("kind").map_err(&get)?;
    let mut person_sha: String = link.try_get("record_sha256").map_err(&get)?;
    let other_sha: Option<String> = link.try_get("other_sha256").map_err(&get)?;

    // A decided pair is undone before it is decided again: a second reviewer's stale page
    // does not overturn the first one's decision.
    if decision != Decision::Unsure && was != "candidate" {
        return Err(Error::collides(
            format!("link {link_id} was already {was}; undo that decision first"),
            homeward_core::Reason::AlreadyDecided {
                link: link_id,
                decision: was,
            },
        ));
    }
    // Withdraw what an earlier confirmation did to the status.
    let mut status_change = None;
    let mut current = status;
    if was == "confirmed" {
        let before = status_before
            .as_deref()
            .map(str::parse::<Status>)
            .transpose()?;
        let set_by_it = before.and_then(|b| {
            kind.as_deref()
                .and_then(|k| b.after_confirmed_link(relation, k))
        });
        // A death the decision only proposed is withdrawn with it.
        if let Some(kind) = homeward_core::protection::Restriction::of_status(set_by_it)
            && set_by_it != Some(current)
        {
            crate::protection::withdraw_proposals(tx, party, person_id, kind).await?;
        }
        if let (Some(before), Some(set)) = (before, set_by_it)
            && set == current
        {
            person_sha = crate::persons::write_status(tx, party, person_id, before, now_ms).await?;
            status_change = Some((
                person_id,
                current.as_str().to_owned(),
                before.as_str().to_owned(),
            ));
            current = before;
        }
    }
    let (text, by, at) = match decision {
        Decision::Confirmed => ("confirmed", Some(actor), Some(now_ms)),
        Decision::Rejected => ("rejected", Some(actor), Some(now_ms)),
        Decision::Unsure => ("candidate", None, None),
    };
    let mut new_before = None;
    if decision == Decision::Confirmed
        && let Some(next) = kind
            .as_deref()
            .and_then(|k| current.after_confirmed_link(relation, k))
    {
        new_before = Some(current.as_str());
        let (sha, proposed) =
            crate::persons::set_status(tx, party, actor, person_id, next, now_ms).await?;
        person_sha = sha;
        // A death is only proposed: the status moves when a second person confirms it.
        if proposed.is_none() {
            let from = status_change
                .take()
                .map_or_else(|| current.as_str().to_owned(), |(_, from, _)| from);
            status_change = Some((person_id, from, next.as_str().to_owned()));
            current = next;
        }
    }
    // Withdrawn and made again: no change in the end.
    if status_change
        .as_ref()
        .is_some_and(|(_, from, to)| from == to)
    {
        status_change = None;
    }
    sqlx::query(
        "UPDATE links SET decision = $1, decided_by = $2, decided_at = $3, status_before = $4, \
             person_sha256 = $5, other_sha256 = $6 WHERE id = $7 AND party = $8",
    )
    .bind(text)
    .bind(by)
    .bind(at)
    .bind(new_before)
    .bind(&person_sha)
    .bind(&other_sha)
    .bind(link_id)
    .bind(party)
    .execute(&mut **tx)
    .await
    .map_err(db("recording the decision"))?;
    let payload = serde_json::json!({
        "link": link_id,
        "was": was,
        "decision": text,
        "person_sha256": person_sha,
        "status": status_change.as_ref().map(|(_, from, to)| serde_json::json!({ "from": from, "to": to })),
    });
    let kind = if decision == Decision::Unsure && was != "candidate" {
        "link.undone"
    } else {
        "link.decided"
    };
    Ok((
        DecisionOutcome {
            link: link_id,
            was,
            now: text.to_owned(),
            status_change,
            person: person_id,
            status: current.as_str().to_owned(),
        },
        kind,
        payload,
    ))
}
