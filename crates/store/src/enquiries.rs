//! Families' enquiries after the party's own people: recorded against a sought record (or
//! with a new one made from the call), the family's consent set on the record in the same
//! transaction, what they were told kept answer by answer, and the news since they were last
//! told found from the store — a link confirmed, a move in a stage, a death once a second
//! person confirmed it.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{AnswerFamilies, Grant};
use homeward_core::correction::Provenance;
use homeward_core::enquiry::{Answer, Kinship, NewEnquiry, News};
use homeward_core::protection::Purpose;
use homeward_core::record::{PartialDate, PersonRecord, Relation};
use serde::Serialize;
use sqlx::Row;

/// Whom an enquiry is about.
#[derive(Debug, Clone)]
pub enum EnquiryAbout {
    /// A sought record of the register.
    Person(i64),
    /// Nobody yet: a sought record made from the call, with its provenance.
    New {
        /// The record as the family described the person.
        record: Box<PersonRecord>,
        /// Why and on what (the call).
        provenance: Provenance,
        /// Today, for the record's dates.
        today: PartialDate,
    },
}

/// What the family was told once.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerView {
    /// What they were told (`None` once the record was erased).
    pub told: Option<String>,
    /// Who told them.
    pub told_by: String,
    /// When.
    pub told_at_ms: i64,
}

/// An enquiry as the hotline sees it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnquiryView {
    /// Id in this store.
    pub id: i64,
    /// The sought record it is about.
    pub person_id: i64,
    /// Who asked (`None` once the record was erased).
    pub asked_by: Option<String>,
    /// How to reach them.
    pub contact: Option<String>,
    /// Their kinship to the person.
    pub kinship: Kinship,
    /// What they agreed the request may be used for.
    pub consent: Vec<Purpose>,
    /// Anything else they said.
    pub note: Option<String>,
    /// Who took the call.
    pub received_by: String,
    /// When.
    pub received_at_ms: i64,
    /// When they were last told something, if ever.
    pub told_at_ms: Option<i64>,
    /// When the enquiry was closed.
    pub closed_at_ms: Option<i64>,
    /// Every answer, oldest first.
    pub answers: Vec<AnswerView>,
    /// What happened since they were last told (since they asked, if never), oldest first.
    pub news: Vec<News>,
}

impl EnquiryView {
    /// Whether the family must be called back: open, with news they have not been told.
    pub fn to_answer(&self) -> bool {
        self.closed_at_ms.is_none() && !self.news.is_empty()
    }
}

const ENQUIRY_COLUMNS: &str = "id, person_id, asked_by, contact, kinship, consent, note, received_by, \
    received_at, told_at, closed_at";

impl Store {
    /// Records a family's enquiry about one of the party's own people, or about a new sought
    /// record made from the call; the family's consent becomes the record's. One transaction,
    /// one event (`enquiry.recorded`; `person.entered` before it for a new record). Refused,
    /// nothing changed: no consent recorded, a record that is not the party's (not found), a
    /// record of someone the party holds, an erased one.
    pub async fn record_enquiry(
        &self,
        grant: &Grant<AnswerFamilies>,
        about: &EnquiryAbout,
        enquiry: &NewEnquiry,
        now_ms: i64,
    ) -> Result<(i64, i64), Error> {
        let consent = enquiry.validate()?;
        let party = grant.party().as_str();
        let mut tx = self.begin().await?;
        let person = match about {
            EnquiryAbout::Person(id) => {
                let (_, relation, erased) = crate::persons::standing(&mut tx, party, *id).await?;
                if relation != Relation::Sought {
                    return Err(Error::invalid(
                        "person",
                        format!(
                            "record {id} is of someone the party holds; a family's enquiry is after one of the party's own people"
                        ),
                    ));
                }
                if erased {
                    return Err(Error::invalid(
                        "person",
                        format!("record {id}'s personal data was erased"),
                    ));
                }
                *id
            }
            EnquiryAbout::New {
                record,
                provenance,
                today,
            } => {
                if record.relation != Some(Relation::Sought) {
                    return Err(Error::invalid(
                        "relation",
                        "a family's enquiry is after one of the party's own people: sought",
                    ));
                }
                let (id, payload) = crate::changes::enter_in(
                    &mut tx,
                    party,
                    grant.actor(),
                    record,
                    provenance,
                    *today,
                    now_ms,
                )
                .await?;
                crate::append_event(&mut tx, grant, "person.entered", payload, now_ms).await?;
                id
            }
        };
        let consent_text = serde_json::to_string(&consent)
            .map_err(|e| Error::Storage(format!("encoding consent: {e}")))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO enquiries (party, person_id, asked_by, contact, kinship, consent, note, received_by, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(party)
        .bind(person)
        .bind(enquiry.asked_by.trim())
        .bind(enquiry.contact.trim())
        .bind(enquiry.kinship.as_str())
        .bind(&consent_text)
        .bind(enquiry.note.as_deref().map(str::trim).filter(|n| !n.is_empty()))
        .bind(grant.actor())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("recording an enquiry"))?;
        sqlx::query(
            "UPDATE persons SET consent = $1, updated_at = $2 WHERE id = $3 AND party = $4",
        )
        .bind(&consent_text)
        .bind(now_ms)
        .bind(person)
        .bind(party)
        .execute(&mut *tx)
        .await
        .map_err(db("recording the family's consent"))?;
        let payload = serde_json::json!({
            "enquiry": id,
            "person": person,
            "kinship": enquiry.kinship.as_str(),
            "purposes": consent,
        });
        commit_with_event(tx, grant, "enquiry.recorded", payload, now_ms).await?;
        Ok((id, person))
    }

    /// Records what the family was told (and closes the enquiry when the answer says so).
    /// One event. Refused: an empty answer, a closed enquiry, another party's (not found).
    pub async fn answer_enquiry(
        &self,
        grant: &Grant<AnswerFamilies>,
        enquiry: i64,
        answer: &Answer,
        now_ms: i64,
    ) -> Result<(), Error> {
        let party = grant.party().as_str();
        let mut tx = self.begin().await?;
        let closed: Option<i64> =
            sqlx::query_scalar("SELECT closed_at FROM enquiries WHERE id = $1 AND party = $2")
                .bind(enquiry)
                .bind(party)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("reading an enquiry"))?
                .ok_or_else(|| Error::NotFound(format!("enquiry {enquiry}")))?;
        if closed.is_some() {
            return Err(Error::Conflict(format!(
                "enquiry {enquiry} is closed; record a new enquiry if the family calls again"
            )));
        }
        // Checked once the enquiry is known to be the party's, so that another party's id is
        // not found whatever is sent.
        answer.validate()?;
        sqlx::query(
            "INSERT INTO enquiry_answers (enquiry_id, told, told_by, told_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(enquiry)
        .bind(answer.told.trim())
        .bind(grant.actor())
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(db("recording an answer"))?;
        sqlx::query(
            "UPDATE enquiries SET told_at = $1, closed_at = CASE WHEN $2 = 1 THEN $1 ELSE NULL END \
             WHERE id = $3 AND party = $4",
        )
        .bind(now_ms)
        .bind(i64::from(answer.closes))
        .bind(enquiry)
        .bind(party)
        .execute(&mut *tx)
        .await
        .map_err(db("recording an answer"))?;
        let payload = serde_json::json!({ "enquiry": enquiry, "closes": answer.closes });
        commit_with_event(tx, grant, "enquiry.answered", payload, now_ms).await
    }

    /// The party's enquiries (only the open ones when `open_only`), newest first, each with
    /// its answers and its news.
    pub async fn enquiries(
        &self,
        grant: &Grant<AnswerFamilies>,
        open_only: bool,
        person: Option<i64>,
    ) -> Result<Vec<EnquiryView>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENQUIRY_COLUMNS} FROM enquiries WHERE party = $1 AND ($2 = 0 OR closed_at IS NULL) \
             AND ($3 IS NULL OR person_id = $3) ORDER BY id DESC"
        )))
        .bind(grant.party().as_str())
        .bind(i64::from(open_only))
        .bind(person)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading enquiries"))?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(self.enquiry_of(grant, row).await?);
        }
        Ok(out)
    }

    /// One enquiry of the party's.
    pub async fn enquiry(
        &self,
        grant: &Grant<AnswerFamilies>,
        id: i64,
    ) -> Result<EnquiryView, Error> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ENQUIRY_COLUMNS} FROM enquiries WHERE id = $1 AND party = $2"
        )))
        .bind(id)
        .bind(grant.party().as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading an enquiry"))?
        .ok_or_else(|| Error::NotFound(format!("enquiry {id}")))?;
        self.enquiry_of(grant, &row).await
    }

    async fn enquiry_of(
        &self,
        grant: &Grant<AnswerFamilies>,
        row: &sqlx::any::AnyRow,
    ) -> Result<EnquiryView, Error> {
        let get = db("reading an enquiry");
        let id: i64 = row.try_get("id").map_err(&get)?;
        let person_id: i64 = row.try_get("person_id").map_err(&get)?;
        let received_at_ms: i64 = row.try_get("received_at").map_err(&get)?;
        let told_at_ms: Option<i64> = row.try_get("told_at").map_err(&get)?;
        let consent: Vec<Purpose> =
            serde_json::from_str(&row.try_get::<String, _>("consent").map_err(&get)?)
                .map_err(|e| Error::Storage(format!("an enquiry's consent is unreadable: {e}")))?;
        let answers = sqlx::query(
            "SELECT told, told_by, told_at FROM enquiry_answers WHERE enquiry_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
        .map_err(&get)?
        .iter()
        .map(|a| {
            Ok(AnswerView {
                told: a.try_get("told").map_err(&get)?,
                told_by: a.try_get("told_by").map_err(&get)?,
                told_at_ms: a.try_get("told_at").map_err(&get)?,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
        let news = self
            .news_since(grant, person_id, told_at_ms.unwrap_or(received_at_ms))
            .await?;
        Ok(EnquiryView {
            id,
            person_id,
            asked_by: row.try_get("asked_by").map_err(&get)?,
            contact: row.try_get("contact").map_err(&get)?,
            kinship: row.try_get::<String, _>("kinship").map_err(&get)?.parse()?,
            consent,
            note: row.try_get("note").map_err(&get)?,
            received_by: row.try_get("received_by").map_err(&get)?,
            received_at_ms,
            told_at_ms,
            closed_at_ms: row.try_get("closed_at").map_err(&get)?,
            answers,
            news,
        })
    }

    /// What happened to the party's record `person` after `since`: links a reviewer
    /// confirmed, moves in exchange stages, a death a second person confirmed.
    async fn news_since(
        &self,
        grant: &Grant<AnswerFamilies>,
        person: i64,
        since: i64,
    ) -> Result<Vec<News>, Error> {
        let party = grant.party().as_str();
        let get = db("finding what happened since the family was told");
        let mut news = Vec::new();
        for r in sqlx::query(
            "SELECT l.decided_at, li.kind FROM links l JOIN lists li ON li.id = l.other_list \
             WHERE l.party = $1 AND l.person_id = $2 AND l.decision = 'confirmed' AND l.decided_at > $3",
        )
        .bind(party)
        .bind(person)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(&get)?
        {
            news.push(News::LinkConfirmed {
                list_kind: r.try_get("kind").map_err(&get)?,
                at_ms: r.try_get("decided_at").map_err(&get)?,
            });
        }
        for r in sqlx::query(
            "SELECT sp.movement, sp.moved_at FROM stage_persons sp JOIN persons p ON p.id = sp.person_id \
             WHERE p.party = $1 AND sp.person_id = $2 AND sp.movement <> 'planned' AND sp.moved_at > $3",
        )
        .bind(party)
        .bind(person)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(&get)?
        {
            news.push(News::Moved {
                movement: r.try_get("movement").map_err(&get)?,
                at_ms: r.try_get("moved_at").map_err(&get)?,
            });
        }
        for r in sqlx::query(
            "SELECT confirmed_at FROM restrictions WHERE party = $1 AND person_id = $2 \
             AND kind = 'deceased' AND confirmed_at IS NOT NULL AND confirmed_at > $3",
        )
        .bind(party)
        .bind(person)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .map_err(&get)?
        {
            news.push(News::DeathConfirmed {
                at_ms: r.try_get("confirmed_at").map_err(&get)?,
            });
        }
        news.sort_by_key(News::at_ms);
        Ok(news)
    }
}
