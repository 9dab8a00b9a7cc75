//! Families' enquiries: taken on a call against a sought record (or with a new one), answered
//! when there is news, each answer kept; the family's consent set on the record. The hotline
//! sees first the enquiries it must answer.

use crate::records::RecordEntry;
use crate::{App, Error, day_of, grant};
use homeward_core::access::{Actor, AnswerFamilies, ReadRegister};
use homeward_core::correction::{changes_of, record_from_fields};
use homeward_core::enquiry::{Answer, NewEnquiry};
use homeward_store::{EnquiryAbout, EnquiryView, Person};
use serde::{Deserialize, Serialize};

/// An enquiry to record: about a record of the register, or with a new sought record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct EnquiryInput {
    /// The sought record the family asks about.
    #[serde(default)]
    pub person: Option<i64>,
    /// Or the person as the family described him, when the register has nobody (its
    /// relation must be `sought`).
    #[serde(default)]
    pub new_person: Option<RecordEntry>,
    /// Who asked, how to reach them, their kinship and consent.
    #[serde(flatten)]
    pub enquiry: NewEnquiry,
}

/// An enquiry recorded.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct EnquiryRecorded {
    /// The enquiry.
    pub enquiry: i64,
    /// The record it is about.
    pub person: i64,
}

/// An enquiry with the name of the person it is about, as the reader may see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct EnquiryLine {
    /// The enquiry.
    #[serde(flatten)]
    pub enquiry: EnquiryView,
    /// The person's name (masked for a protected record and a reader not cleared).
    pub person_name: String,
    /// Whether the family must be called back: news they have not been told.
    pub to_answer: bool,
}

impl App {
    /// Whether the actor may take and answer families' enquiries.
    pub fn may_answer_families(&self, actor: &Actor) -> Result<(), Error> {
        grant::<AnswerFamilies>(actor).map(|_| ())
    }

    /// Records a family's enquiry.
    pub async fn record_enquiry(
        &self,
        actor: &Actor,
        input: &EnquiryInput,
    ) -> Result<EnquiryRecorded, Error> {
        let grant = grant::<AnswerFamilies>(actor)?;
        let now = self.now();
        let about = match (input.person, &input.new_person) {
            (Some(id), None) => EnquiryAbout::Person(id),
            (None, Some(entry)) => EnquiryAbout::New {
                record: Box::new(record_from_fields(
                    entry.relation,
                    entry.status,
                    entry.synthetic,
                    &changes_of(&entry.fields),
                    day_of(now),
                )?),
                provenance: entry.provenance.clone(),
                today: day_of(now),
            },
            _ => {
                return Err(Error::invalid(
                    "person",
                    "name the sought record the family asks about, or describe a new one (new_person), not both",
                ));
            }
        };
        let (enquiry, person) = self
            .store
            .record_enquiry(&grant, &about, &input.enquiry, now)
            .await?;
        Ok(EnquiryRecorded { enquiry, person })
    }

    /// Records what a family was told.
    pub async fn answer_enquiry(
        &self,
        actor: &Actor,
        enquiry: i64,
        answer: &Answer,
    ) -> Result<(), Error> {
        let grant = grant::<AnswerFamilies>(actor)?;
        self.store
            .answer_enquiry(&grant, enquiry, answer, self.now())
            .await
    }

    /// The party's enquiries (the open ones, or all), those to answer first; the persons'
    /// names listed are one entry of the read audit.
    pub async fn enquiries(
        &self,
        actor: &Actor,
        open_only: bool,
        person: Option<i64>,
    ) -> Result<Vec<EnquiryLine>, Error> {
        let read = grant::<ReadRegister>(actor)?;
        let answer = grant::<AnswerFamilies>(actor)?;
        let enquiries = self.store.enquiries(&answer, open_only, person).await?;
        let ids: Vec<i64> = enquiries.iter().map(|e| e.person_id).collect();
        let persons = if ids.is_empty() {
            Default::default()
        } else {
            self.store
                .list_persons(&read, &ids, "enquiries", self.now())
                .await?
        };
        let mut lines: Vec<EnquiryLine> = enquiries
            .into_iter()
            .map(|e| EnquiryLine {
                person_name: persons
                    .get(&e.person_id)
                    .map(|p| p.record.display_name())
                    .unwrap_or_default(),
                to_answer: e.to_answer(),
                enquiry: e,
            })
            .collect();
        lines.sort_by_key(|l| !l.to_answer);
        Ok(lines)
    }

    /// One enquiry with the record it is about, opened for the family (audited).
    pub async fn enquiry(&self, actor: &Actor, id: i64) -> Result<(EnquiryView, Person), Error> {
        let read = grant::<ReadRegister>(actor)?;
        let answer = grant::<AnswerFamilies>(actor)?;
        let enquiry = self.store.enquiry(&answer, id).await?;
        let person = self
            .store
            .open_person(&read, enquiry.person_id, "family enquiry", self.now())
            .await?;
        Ok((enquiry, person))
    }
}
