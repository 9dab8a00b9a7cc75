//! One record at a time: entered by hand (a family's call, a capture, remains found) and
//! corrected field by field, each change with who, when, why and on what source; the
//! record's history read back. The rules of what may change are core's
//! (`homeward_core::correction`).

use crate::query::purpose_or;
use crate::{App, Error, day_of, grant};
use homeward_core::access::{Actor, ReadRegister, WriteRegister};
use homeward_core::correction::{Provenance, changes_of, record_from_fields};
use homeward_core::record::{Relation, Status};
use homeward_store::{CorrectionOutcome, RecordHistory};
use serde::Deserialize;
use std::collections::BTreeMap;

/// A record to enter: whose person it is, its fields as written, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct RecordEntry {
    /// `sought` (one of the party's own people) or `held` (a person the party holds).
    pub relation: Relation,
    /// Where the person stands, when not the relation's own (missing for the sought, held
    /// for the held); a death is recorded only through a restricted status.
    #[serde(default)]
    pub status: Option<Status>,
    /// Marks a record made up for demonstration or testing.
    #[serde(default)]
    pub synthetic: bool,
    /// The fields, by name (`category` is required): text as written, dates as YYYY,
    /// YYYY-MM or YYYY-MM-DD, sex m or f, health serious, wounded_or_sick, fit or unknown.
    pub fields: BTreeMap<String, Option<String>>,
    /// Why the record is entered and on what.
    #[serde(flatten)]
    pub provenance: Provenance,
}

/// Fields of a record to correct, and why.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct RecordCorrection {
    /// The fields to set (a value) or to empty (`null`), by name.
    pub set: BTreeMap<String, Option<String>>,
    /// Why and on what.
    #[serde(flatten)]
    pub provenance: Provenance,
}

impl App {
    /// Whether the actor may enter and correct records (the forms are shown only then).
    pub fn may_change_records(&self, actor: &Actor) -> Result<(), Error> {
        grant::<WriteRegister>(actor).map(|_| ())
    }

    /// Enters one record in the actor's register by hand; returns its id.
    pub async fn enter_record(&self, actor: &Actor, entry: &RecordEntry) -> Result<i64, Error> {
        let grant = grant::<WriteRegister>(actor)?;
        let now = self.now();
        let fields = changes_of(&entry.fields);
        let record = record_from_fields(
            entry.relation,
            entry.status,
            entry.synthetic,
            &fields,
            day_of(now),
        )?;
        self.store
            .enter_person(&grant, &record, &entry.provenance, day_of(now), now)
            .await
    }

    /// Corrects fields of one record of the actor's register; a correction of what a
    /// confirmed link was decided on puts the link back for review.
    pub async fn correct_record(
        &self,
        actor: &Actor,
        id: i64,
        correction: &RecordCorrection,
    ) -> Result<CorrectionOutcome, Error> {
        let grant = grant::<WriteRegister>(actor)?;
        let now = self.now();
        self.store
            .correct_person(
                &grant,
                id,
                &changes_of(&correction.set),
                &correction.provenance,
                day_of(now),
                now,
            )
            .await
    }

    /// A record's history of changes by hand, opened for `purpose` and audited like the
    /// record.
    pub async fn record_history(
        &self,
        actor: &Actor,
        id: i64,
        purpose: Option<&str>,
    ) -> Result<RecordHistory, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        let purpose = purpose_or(purpose, "history");
        self.store
            .record_history(&grant, id, &purpose, self.now())
            .await
    }
}
