//! A person's story as the register knows it: the list the record came from, the lists of
//! the party that carried its row to others, the links a reviewer proposed or decided, and
//! every plan and stage the person was placed in with where they stand.

use crate::{Store, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadRegister};
use serde::Serialize;
use sqlx::Row;

/// The list a record came from, or one that carried it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoryList {
    /// The list in this store.
    pub list: i64,
    /// Its title.
    pub title: String,
    /// Its kind: request, holding, …
    pub kind: String,
    /// The party that issued it.
    pub issuer: String,
    /// The record's row on it.
    pub row: i64,
    /// Whether its issuer signed it.
    pub signed: bool,
    /// The parties it was addressed to.
    pub addressees: Vec<String>,
}

/// A link of the record to another record or a list row.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoryLink {
    /// The link.
    pub link: i64,
    /// The other record of this register, when it is one.
    pub other_person: Option<i64>,
    /// The other list and row, when it is a list row.
    pub other_list: Option<i64>,
    /// The row on it.
    pub other_row: Option<i64>,
    /// The engine's probability.
    pub probability: f64,
    /// candidate, confirmed or rejected.
    pub decision: String,
    /// Who decided (a user name), when someone did.
    pub decided_by: Option<String>,
    /// When.
    pub decided_at: Option<i64>,
}

/// A place of the person in an exchange plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StoryStage {
    /// The commitment.
    pub commitment: i64,
    /// Its title.
    pub commitment_title: String,
    /// The plan.
    pub plan: i64,
    /// The stage's number.
    pub seq: i64,
    /// Its date.
    pub planned_on: Option<String>,
    /// Handing over and receiving.
    pub from: String,
    /// The receiving party.
    pub to: String,
    /// Where the person stands: planned, handed_over, received or withdrawn.
    pub movement: String,
    /// Why withdrawn.
    pub reason: Option<String>,
    /// Who moved the person last (a user name, or a user of another party's server).
    pub moved_by: Option<String>,
    /// When.
    pub moved_at: Option<i64>,
}

/// Everything the register knows of where a person has been.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonStory {
    /// The list the record came from, if it came from one.
    pub source: Option<StoryList>,
    /// Links to other records and rows.
    pub links: Vec<StoryLink>,
    /// Places in exchange plans, the current plan's last.
    pub stages: Vec<StoryStage>,
}

impl Store {
    /// The story of record `person_id` of the grant's party's own register (the caller has
    /// opened the record, with its audit, first).
    pub async fn person_story(
        &self,
        grant: &Grant<ReadRegister>,
        person_id: i64,
    ) -> Result<PersonStory, Error> {
        let me = grant.party().as_str();
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        let get = db("reading the person's story");
        let source = sqlx::query(
            "SELECT l.id, l.title, l.kind, l.issuer, p.source_row, l.signature FROM persons p \
             JOIN lists l ON l.id = p.source_list WHERE p.id = $1 AND p.party = $2",
        )
        .bind(person_id)
        .bind(me)
        .fetch_optional(&mut *conn)
        .await
        .map_err(&get)?;
        let source = match source {
            Some(r) => {
                let list: i64 = r.try_get("id").map_err(&get)?;
                let addressees: Vec<String> = sqlx::query_scalar(
                    "SELECT party FROM list_addressees WHERE list_id = $1 ORDER BY party",
                )
                .bind(list)
                .fetch_all(&mut *conn)
                .await
                .map_err(&get)?;
                Some(StoryList {
                    list,
                    title: r.try_get("title").map_err(&get)?,
                    kind: r.try_get("kind").map_err(&get)?,
                    issuer: r.try_get("issuer").map_err(&get)?,
                    row: r
                        .try_get::<Option<i64>, _>("source_row")
                        .map_err(&get)?
                        .unwrap_or_default(),
                    signed: r
                        .try_get::<Option<String>, _>("signature")
                        .map_err(&get)?
                        .is_some(),
                    addressees,
                })
            }
            None => None,
        };
        let links = sqlx::query(
            "SELECT k.id, k.person_id, k.other_person, k.other_list, k.other_row, k.probability, k.decision, \
             COALESCE(u.name, k.decided_by) AS decided_by, k.decided_at FROM links k \
             LEFT JOIN users u ON k.decided_by = 'user:' || CAST(u.id AS TEXT) \
             WHERE k.party = $2 AND (k.person_id = $1 OR k.other_person = $1) ORDER BY k.id",
        )
        .bind(person_id)
        .bind(me)
        .fetch_all(&mut *conn)
        .await
        .map_err(&get)?
        .iter()
        .map(|r| {
            let one: i64 = r.try_get("person_id").map_err(&get)?;
            let other: Option<i64> = r.try_get("other_person").map_err(&get)?;
            Ok(StoryLink {
                link: r.try_get("id").map_err(&get)?,
                // Seen from this record, the other side is the one that is not it.
                other_person: if one == person_id { other } else { Some(one) },
                other_list: r.try_get("other_list").map_err(&get)?,
                other_row: r.try_get("other_row").map_err(&get)?,
                probability: r.try_get("probability").map_err(&get)?,
                decision: r.try_get("decision").map_err(&get)?,
                decided_by: r.try_get("decided_by").map_err(&get)?,
                decided_at: r.try_get("decided_at").map_err(&get)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
        let stages = sqlx::query(
            "SELECT c.id AS commitment, c.title, s.plan_id, s.seq, s.planned_on, sp.from_party, sp.to_party, \
             sp.movement, sp.reason, COALESCE(u.name, sp.moved_by) AS moved_by, sp.moved_at \
             FROM stage_persons sp JOIN stages s ON s.id = sp.stage_id JOIN plans pl ON pl.id = s.plan_id \
             JOIN commitments c ON c.id = pl.commitment_id JOIN persons p ON p.id = sp.person_id \
             LEFT JOIN users u ON sp.moved_by = 'user:' || CAST(u.id AS TEXT) \
             WHERE sp.person_id = $1 AND p.party = $2 ORDER BY s.plan_id, s.seq",
        )
        .bind(person_id)
        .bind(me)
        .fetch_all(&mut *conn)
        .await
        .map_err(&get)?
        .iter()
        .map(|r| {
            Ok(StoryStage {
                commitment: r.try_get("commitment").map_err(&get)?,
                commitment_title: r.try_get("title").map_err(&get)?,
                plan: r.try_get("plan_id").map_err(&get)?,
                seq: r.try_get("seq").map_err(&get)?,
                planned_on: r.try_get("planned_on").map_err(&get)?,
                from: r.try_get("from_party").map_err(&get)?,
                to: r.try_get("to_party").map_err(&get)?,
                movement: r.try_get("movement").map_err(&get)?,
                reason: r.try_get("reason").map_err(&get)?,
                moved_by: r.try_get("moved_by").map_err(&get)?,
                moved_at: r.try_get("moved_at").map_err(&get)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
        Ok(PersonStory {
            source,
            links,
            stages,
        })
    }
}
