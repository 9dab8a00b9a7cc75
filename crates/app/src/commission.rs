//! The mixed medical commission's work as the detaining party records it: examinations of
//! the prisoners it holds and the commission's decisions, which set their health for the
//! exchange plan.

use crate::{App, Error, day_of, grant};
use homeward_core::access::{Actor, ReadRegister, WriteRegister};
use homeward_core::commission::{NewExamination, NewFinding, Verdict};
use homeward_store::ExaminationView;
use serde::Serialize;

/// An examination with the prisoner's name as the reader may see it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ExaminationLine {
    /// The examination.
    #[serde(flatten)]
    pub examination: ExaminationView,
    /// The prisoner's name (masked for a protected record and a reader not cleared).
    pub person_name: String,
}

impl App {
    /// Records the commission's examination of a prisoner the actor's party holds.
    pub async fn record_examination(
        &self,
        actor: &Actor,
        commitment: i64,
        examination: &NewExamination,
    ) -> Result<i64, Error> {
        let grant = grant::<WriteRegister>(actor)?;
        let now = self.now();
        self.store
            .record_examination(&grant, commitment, examination, day_of(now), now)
            .await
    }

    /// Records the commission's decision on an examination; returns the majority's verdict.
    /// A server with the party's key states the finding, signed, to the other side and the
    /// mediator (it travels through the relay like a list).
    pub async fn record_finding(
        &self,
        actor: &Actor,
        examination: i64,
        finding: &NewFinding,
    ) -> Result<Verdict, Error> {
        let grant = grant::<WriteRegister>(actor)?;
        let now = self.now();
        self.store
            .record_finding(
                &grant,
                examination,
                finding,
                self.key.as_deref(),
                day_of(now),
                now,
            )
            .await
    }

    /// The commission's examinations the actor's party recorded, newest first; the
    /// prisoners' names listed are one entry of the read audit.
    pub async fn examinations(
        &self,
        actor: &Actor,
        commitment: i64,
    ) -> Result<Vec<ExaminationLine>, Error> {
        let read = grant::<ReadRegister>(actor)?;
        let exams = self.store.examinations(&read, commitment).await?;
        let ids: Vec<i64> = exams.iter().map(|e| e.person_id).collect();
        let names = if ids.is_empty() {
            Default::default()
        } else {
            self.store
                .list_persons(&read, &ids, "medical commission", self.now())
                .await?
        };
        Ok(exams
            .into_iter()
            .map(|e| ExaminationLine {
                person_name: names
                    .get(&e.person_id)
                    .map(|p| p.record.display_name())
                    .unwrap_or_default(),
                examination: e,
            })
            .collect())
    }
}
