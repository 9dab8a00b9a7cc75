//! Children's cases and truce windows.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{FollowChildCases, Grant, ReadRegister, ReadTalks, WriteTalks};
use homeward_core::cases::{ChildCaseState, TruceConflict, TruceWindow, truce_conflicts};
use homeward_core::record::PartialDate;
use homeward_core::talks::Terms;
use serde::Serialize;
use sqlx::Row;

/// A child's case as the party that asked for the child sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChildCaseView {
    /// The child's record.
    pub person_id: i64,
    /// The name as written.
    pub name: String,
    /// Where the case stands.
    pub state: ChildCaseState,
    /// Among the children the other side agreed to work on.
    pub agreed: bool,
    /// The last note.
    pub note: Option<String>,
    /// Who moved it last.
    pub updated_by: String,
    /// The child's sex where the record has one and the reader is cleared to see the
    /// child's record (the words of a step agree with it).
    pub sex: Option<homeward_core::record::Sex>,
}

/// A truce window with what falls under it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TruceView {
    /// The commitment.
    pub commitment: i64,
    /// Its title.
    pub title: String,
    /// The sector, when agreed.
    pub sector: Option<String>,
    /// The first day, when agreed.
    pub start: Option<String>,
    /// Shortest and longest duration in days.
    pub days: (i32, i32),
    /// Remains in the grant's register recovered in this sector within the window.
    pub remains_recovered: Vec<i64>,
}

/// The truces the grant's party sees, and what is wrong between them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TruceReport {
    /// Each truce.
    pub truces: Vec<TruceView>,
    /// Overlapping or contradictory windows in the same sector.
    pub conflicts: Vec<TruceConflict>,
}

impl Store {
    /// Opens one case per child on `list` (a children list of the grant's party) for a
    /// child-return commitment, marking the `agreed` ones; children who already have a case
    /// keep it. One event; returns how many cases were opened.
    pub async fn open_child_cases(
        &self,
        grant: &Grant<WriteTalks>,
        commitment_id: i64,
        list_id: i64,
        agreed: &[i64],
        now_ms: i64,
    ) -> Result<usize, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let (_, terms) =
            crate::talks::visible_commitment(&mut tx, grant.party(), commitment_id).await?;
        let Terms::ChildReturn {
            agreed: n_agreed, ..
        } = terms
        else {
            return Err(Error::invalid(
                "commitment",
                format!("commitment {commitment_id} is not a return of children"),
            ));
        };
        let children: Vec<i64> = sqlx::query_scalar(
            "SELECT r.person_id FROM list_rows r JOIN lists l ON l.id = r.list_id \
             JOIN persons p ON p.id = r.person_id \
             WHERE r.list_id = $1 AND l.issuer = $2 AND p.category = 'child' ORDER BY r.row_no",
        )
        .bind(list_id)
        .bind(me)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("reading the children of the list"))?;
        if children.is_empty() {
            return Err(Error::invalid(
                "list",
                format!("list {list_id} holds no children of {me}'s register"),
            ));
        }
        if let Some(stranger) = agreed.iter().find(|a| !children.contains(a)) {
            return Err(Error::invalid(
                "agreed",
                format!("person {stranger} is not a child on list {list_id}"),
            ));
        }
        if agreed.len() > n_agreed as usize {
            return Err(Error::invalid(
                "agreed",
                format!(
                    "{} marked, but the commitment names {n_agreed}",
                    agreed.len()
                ),
            ));
        }
        let mut opened = 0;
        for child in &children {
            let done = sqlx::query(
                "INSERT INTO child_cases (person_id, party, commitment_id, list_id, state, agreed, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4, 'requested', $5, $6, $7) ON CONFLICT (person_id) DO NOTHING",
            )
            .bind(child)
            .bind(me)
            .bind(commitment_id)
            .bind(list_id)
            .bind(i64::from(agreed.contains(child)))
            .bind(grant.actor())
            .bind(now_ms)
            .execute(&mut *tx)
            .await
            .map_err(db("opening a case"))?
            .rows_affected();
            opened += done as usize;
        }
        for child in agreed {
            sqlx::query("UPDATE child_cases SET agreed = 1 WHERE person_id = $1 AND party = $2")
                .bind(child)
                .bind(me)
                .execute(&mut *tx)
                .await
                .map_err(db("marking an agreed case"))?;
        }
        let payload = serde_json::json!({
            "commitment": commitment_id,
            "list": list_id,
            "opened": opened,
            "agreed": agreed.len(),
        });
        commit_with_event(tx, grant, "child_cases.opened", payload, now_ms).await?;
        Ok(opened)
    }

    /// The grant's party's children's cases of a commitment, agreed ones first.
    pub async fn child_cases(
        &self,
        grant: &Grant<ReadRegister>,
        commitment_id: i64,
    ) -> Result<Vec<ChildCaseView>, Error> {
        let rows = sqlx::query(
            "SELECT c.person_id, c.state, c.agreed, c.note, c.updated_by, p.surname, p.given_names, p.patronymic, p.category, p.sensitivity, p.sex \
             FROM child_cases c JOIN persons p ON p.id = c.person_id \
             WHERE c.commitment_id = $1 AND c.party = $2 ORDER BY c.agreed DESC, c.person_id",
        )
        .bind(commitment_id)
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the cases"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a case");
                let agreed: i64 = r.try_get("agreed").map_err(&get)?;
                let full = matches!(
                    grant.clearance(),
                    homeward_core::protection::Clearance::Full
                );
                Ok(ChildCaseView {
                    person_id: r.try_get("person_id").map_err(&get)?,
                    name: crate::persons::shown_name(r, grant.clearance())?,
                    state: r.try_get::<String, _>("state").map_err(&get)?.parse()?,
                    agreed: agreed != 0,
                    // A child's case note is as sensitive as the child's record.
                    note: match grant.clearance() {
                        homeward_core::protection::Clearance::Full => {
                            r.try_get("note").map_err(&get)?
                        }
                        homeward_core::protection::Clearance::Masked => None,
                    },
                    updated_by: r.try_get("updated_by").map_err(&get)?,
                    sex: match r.try_get::<Option<String>, _>("sex").map_err(&get)? {
                        Some(s) if full => s.parse().ok(),
                        _ => None,
                    },
                })
            })
            .collect()
    }

    /// Moves a child's case a step (see [`ChildCaseState::check_step`]); one event. A
    /// returned child's record becomes `returned`.
    pub async fn step_child_case(
        &self,
        grant: &Grant<FollowChildCases>,
        person_id: i64,
        next: ChildCaseState,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let state: String =
            sqlx::query_scalar("SELECT state FROM child_cases WHERE person_id = $1 AND party = $2")
                .bind(person_id)
                .bind(me)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("reading the case"))?
                .ok_or_else(|| Error::NotFound(format!("a case for person {person_id}")))?;
        let now: ChildCaseState = state.parse()?;
        now.check_step(next, note)
            .map_err(|e| e.about(format_args!("the case of person {person_id}")))?;
        sqlx::query(
            "UPDATE child_cases SET state = $1, note = $2, updated_by = $3, updated_at = $4 WHERE person_id = $5 AND party = $6",
        )
        .bind(next.as_str())
        .bind(note.map(str::trim))
        .bind(grant.actor())
        .bind(now_ms)
        .bind(person_id)
        .bind(me)
        .execute(&mut *tx)
        .await
        .map_err(db("moving the case"))?;
        if next.is_returned() != now.is_returned() {
            let status = if next.is_returned() {
                homeward_core::record::Status::Returned
            } else {
                homeward_core::record::Status::InCustody
            };
            crate::persons::set_status(&mut tx, me, grant.actor(), person_id, status, now_ms)
                .await?;
        }
        let payload = serde_json::json!({
            "person": person_id,
            "from": now.as_str(),
            "to": next.as_str(),
            "noted": note.is_some(),
        });
        commit_with_event(tx, grant, "child_case.moved", payload, now_ms).await
    }

    /// Children of agreed cases returned, per child-return commitment of the grant's party.
    pub(crate) async fn children_returned(&self, commitment_id: i64) -> Result<u32, Error> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM child_cases WHERE commitment_id = $1 AND agreed = 1 AND state IN ('returned', 'reunited')",
        )
        .bind(commitment_id)
        .fetch_one(&self.pool)
        .await
        .map_err(db("counting returned children"))?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// The local truces the grant's party sees, what is wrong between their windows, and
    /// which remains of its register were recovered under each.
    pub async fn truces(
        &self,
        grant: &Grant<ReadTalks>,
        register: Option<&Grant<ReadRegister>>,
    ) -> Result<TruceReport, Error> {
        let mut truces = Vec::new();
        let mut windows = Vec::new();
        for c in self.commitments(grant).await? {
            let Terms::LocalTruce {
                sector,
                min_days,
                max_days,
                start,
                ..
            } = &c.terms
            else {
                continue;
            };
            if let (Some(sector), Some(start)) = (
                sector,
                start.as_deref().and_then(|s| s.parse::<PartialDate>().ok()),
            ) {
                windows.push(TruceWindow {
                    commitment: c.id,
                    sector: sector.clone(),
                    start,
                    days: (*min_days, *max_days),
                });
            }
            truces.push(TruceView {
                commitment: c.id,
                title: c.title.clone(),
                sector: sector.clone(),
                start: start.clone(),
                days: (*min_days, *max_days),
                remains_recovered: Vec::new(),
            });
        }
        if let Some(read) = register {
            let rows = sqlx::query(
                "SELECT id, recovery_date, recovery_site FROM persons WHERE party = $1 AND category = 'remains' \
                 AND recovery_date IS NOT NULL AND recovery_site IS NOT NULL ORDER BY id",
            )
            .bind(read.party().as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading recovered remains"))?;
            for r in rows {
                let get = db("reading recovered remains");
                let id: i64 = r.try_get("id").map_err(&get)?;
                let (Some(on), site) = (
                    r.try_get::<String, _>("recovery_date")
                        .map_err(&get)?
                        .parse::<PartialDate>()
                        .ok(),
                    r.try_get::<String, _>("recovery_site").map_err(&get)?,
                ) else {
                    continue;
                };
                for w in windows.iter().filter(|w| w.covers(&on, &site)) {
                    if let Some(t) = truces.iter_mut().find(|t| t.commitment == w.commitment) {
                        t.remains_recovered.push(id);
                    }
                }
            }
        }
        Ok(TruceReport {
            conflicts: truce_conflicts(&windows),
            truces,
        })
    }
}
