//! Protecting the people in the register: a record marked protected, a family's consent,
//! restricted statuses (proposed, confirmed by a second person, released by a negotiator),
//! erasure under the two-person rule, retention periods, and the auditors' view of every
//! read with its flags. The rules are core's and the state is the store's; a refused act on
//! a record is audited here, whichever face asked.

use crate::{App, Error, grant};
use homeward_core::access::{
    Actor, Administer, Audit, Command, Erase, Grant, ReadRegister, RecordRestricted,
    ReleaseRestricted, WriteRegister, authorize,
};
use homeward_core::protection::{
    Purpose, ReadAction, ReadFlag, Restriction, RetentionRule, Sensitivity,
};
use homeward_store::{ErasureView, Person, ReadEntry, ReadFilter, RestrictionView};
use serde::Deserialize;

/// A protection mark to set: why the record is protected, or none to lift the mark.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProtectionMark {
    /// `child`, `relatives_under_pressure`, `refused_repatriation`, `other`, or empty.
    pub sensitivity: Option<String>,
}

/// The purposes a family agreed to.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ConsentInput {
    /// Any of `search`, `share_mediator`, `share_other_party`.
    pub purposes: Vec<String>,
}

/// A restricted status to propose.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RestrictionInput {
    /// `deceased`, `refused_repatriation` or `harmful_information`.
    pub kind: String,
}

/// Why a record's data is to be erased.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ErasureInput {
    /// The reason, kept with the request.
    pub reason: String,
}

/// A retention period to set.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RetentionInput {
    /// pow, civilian, child or remains.
    pub category: String,
    /// A status, or empty for every status of the category.
    pub status: Option<String>,
    /// Days kept after the record's last change.
    pub days: i64,
}

impl RetentionInput {
    fn rule(&self) -> Result<RetentionRule, Error> {
        Ok(RetentionRule {
            category: self.category.trim().parse()?,
            status: self
                .status
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::parse)
                .transpose()?,
            days: self.days,
        })
    }
}

/// Which audited reads to list.
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReadQuery {
    /// Only this reader, `user:N`.
    pub actor: Option<String>,
    /// Only reads of this record.
    pub person: Option<i64>,
    /// Only `view`, `search_hit`, `export`, `proof` or `refused`.
    pub action: Option<String>,
    /// From this time on, milliseconds since 1970.
    pub since: Option<i64>,
    /// At most this many (default 500).
    pub limit: Option<i64>,
}

impl ReadQuery {
    fn filter(&self) -> Result<ReadFilter, Error> {
        Ok(ReadFilter {
            actor: self.actor.clone().filter(|a| !a.trim().is_empty()),
            person: self.person,
            action: self
                .action
                .as_deref()
                .filter(|a| !a.trim().is_empty())
                .map(str::parse::<ReadAction>)
                .transpose()?,
            since_ms: self.since,
            limit: self.limit.unwrap_or(500),
        })
    }
}

/// What the auditors read: the reads, the flags, the erasures waiting (for those who may
/// erase) and the retention periods.
#[derive(Debug, Clone)]
pub struct AuditView {
    /// Reads, newest first.
    pub reads: Vec<ReadEntry>,
    /// Unusual patterns.
    pub flags: Vec<ReadFlag>,
    /// Erasure requests, when the reader may erase.
    pub erasures: Vec<ErasureView>,
    /// Retention periods.
    pub retention: Vec<RetentionRule>,
}

/// What a record's page shows of its protection, for the reader's roles.
#[derive(Debug, Clone)]
pub struct ProtectionView {
    /// Its restricted statuses.
    pub restrictions: Vec<RestrictionView>,
    /// Its erasure requests (for those who may erase; empty otherwise).
    pub erasures: Vec<ErasureView>,
    /// Whether the actor may propose and confirm restricted statuses and mark the record
    /// protected, so that a page offers only what the actor may do.
    pub may_restrict: bool,
    /// Whether the actor may release a restricted status to lists.
    pub may_release: bool,
    /// Whether the actor may record the family's consent.
    pub may_record_consent: bool,
    /// Whether the actor may ask for and confirm an erasure.
    pub may_erase: bool,
}

fn sensitivity(text: Option<&str>) -> Result<Option<Sensitivity>, Error> {
    match text.map(str::trim) {
        None | Some("") | Some("none") => Ok(None),
        Some(s) => s.parse().map(Some),
    }
}

fn purposes(texts: &[String]) -> Result<Vec<Purpose>, Error> {
    texts
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .map(str::parse)
        .collect()
}

impl App {
    /// Decides `C` for a protection act on record `id`; a refusal is audited (as the
    /// actor's refused act on the record, when the record is the party's) before it is
    /// returned.
    async fn decide_on<C: Command>(&self, actor: &Actor, id: i64) -> Result<Grant<C>, Error> {
        match authorize::<C>(actor) {
            Ok(grant) => Ok(grant),
            Err(denied) => {
                if let Ok(read) = authorize::<ReadRegister>(actor)
                    && self.store.holds_person(&read, id).await?
                {
                    let what = format!("refused: {}", C::NAME);
                    self.store.refused(&read, id, &what, self.now()).await?;
                }
                Err(denied.into())
            }
        }
    }

    /// Refuses, as not found, a record the actor's party does not hold — before anything
    /// the request carries is read, so a foreign record's existence is never hinted at.
    async fn held(&self, actor: &Actor, id: i64) -> Result<(), Error> {
        let read = grant::<ReadRegister>(actor)?;
        if self.store.holds_person(&read, id).await? {
            Ok(())
        } else {
            Err(Error::NotFound(format!("person {id}")))
        }
    }

    /// Marks a record protected, or lifts the mark (protection officers, reviewers).
    pub async fn mark_protected(
        &self,
        actor: &Actor,
        id: i64,
        mark: &ProtectionMark,
    ) -> Result<(), Error> {
        let grant = self.decide_on::<RecordRestricted>(actor, id).await?;
        self.held(actor, id).await?;
        self.store
            .mark_protected(
                &grant,
                id,
                sensitivity(mark.sensitivity.as_deref())?,
                self.now(),
            )
            .await
    }

    /// Records the purposes a family agreed its tracing request may serve (operators).
    pub async fn set_consent(
        &self,
        actor: &Actor,
        id: i64,
        input: &ConsentInput,
    ) -> Result<(), Error> {
        let grant = grant::<WriteRegister>(actor)?;
        self.held(actor, id).await?;
        self.store
            .set_consent(&grant, id, &purposes(&input.purposes)?, self.now())
            .await
    }

    /// The restricted statuses of a record (of every record when `person` is none).
    pub async fn restrictions(
        &self,
        actor: &Actor,
        person: Option<i64>,
    ) -> Result<Vec<RestrictionView>, Error> {
        let read = grant::<ReadRegister>(actor)?;
        self.store.restrictions(&read, person).await
    }

    /// Proposes a restricted status for a record; a second person confirms it. Returns the
    /// proposal's id.
    pub async fn propose_restriction(
        &self,
        actor: &Actor,
        id: i64,
        input: &RestrictionInput,
    ) -> Result<i64, Error> {
        let grant = self.decide_on::<RecordRestricted>(actor, id).await?;
        self.held(actor, id).await?;
        let kind: Restriction = input.kind.parse()?;
        self.store
            .propose_restriction(&grant, id, kind, self.now())
            .await
    }

    /// A second person confirms a proposed restricted status; its proposer cannot.
    pub async fn confirm_restriction(
        &self,
        actor: &Actor,
        id: i64,
    ) -> Result<RestrictionView, Error> {
        let grant = grant::<RecordRestricted>(actor)?;
        self.store.confirm_restriction(&grant, id, self.now()).await
    }

    /// A negotiator lets a confirmed restricted status leave the party inside lists.
    pub async fn release_restriction(&self, actor: &Actor, id: i64) -> Result<(), Error> {
        let grant = grant::<ReleaseRestricted>(actor)?;
        self.store.release_restriction(&grant, id, self.now()).await
    }

    /// Asks for the erasure of a record's personal data; returns the request's id.
    pub async fn request_erasure(
        &self,
        actor: &Actor,
        id: i64,
        input: &ErasureInput,
    ) -> Result<i64, Error> {
        let grant = self.decide_on::<Erase>(actor, id).await?;
        self.held(actor, id).await?;
        self.store
            .request_erasure(&grant, id, &input.reason, self.now())
            .await
    }

    /// The party's erasure requests (of one record when given).
    pub async fn erasures(
        &self,
        actor: &Actor,
        person: Option<i64>,
    ) -> Result<Vec<ErasureView>, Error> {
        let grant = grant::<Erase>(actor)?;
        self.store.erasures(&grant, person).await
    }

    /// A second person confirms an erasure; the record's personal data is removed.
    pub async fn confirm_erasure(&self, actor: &Actor, id: i64) -> Result<(), Error> {
        let grant = grant::<Erase>(actor)?;
        self.store.confirm_erasure(&grant, id, self.now()).await
    }

    /// Every audited read of the party's records, newest first (auditors).
    pub async fn reads(&self, actor: &Actor, query: &ReadQuery) -> Result<Vec<ReadEntry>, Error> {
        let grant = grant::<Audit>(actor)?;
        self.store.reads(&grant, &query.filter()?).await
    }

    /// Unusual patterns of reading since a time (auditors).
    pub async fn read_flags(&self, actor: &Actor, since_ms: i64) -> Result<Vec<ReadFlag>, Error> {
        let grant = grant::<Audit>(actor)?;
        self.store.read_flags(&grant, since_ms).await
    }

    /// The auditors' page at once: reads, flags, erasures waiting, retention periods.
    pub async fn audit_view(&self, actor: &Actor, query: &ReadQuery) -> Result<AuditView, Error> {
        let grant = grant::<Audit>(actor)?;
        let erasures = match authorize::<Erase>(actor) {
            Ok(g) => self.store.erasures(&g, None).await?,
            Err(_) => Vec::new(),
        };
        Ok(AuditView {
            reads: self.store.reads(&grant, &query.filter()?).await?,
            flags: self
                .store
                .read_flags(&grant, query.since.unwrap_or(0))
                .await?,
            erasures,
            retention: self.store.retention_rules(&grant).await?,
        })
    }

    /// What of a record's protection the actor may see on its page.
    pub async fn protection_of(
        &self,
        actor: &Actor,
        person: &Person,
    ) -> Result<ProtectionView, Error> {
        let read = grant::<ReadRegister>(actor)?;
        let erasures = match authorize::<Erase>(actor) {
            Ok(g) => self.store.erasures(&g, Some(person.id)).await?,
            Err(_) => Vec::new(),
        };
        Ok(ProtectionView {
            restrictions: self.store.restrictions(&read, Some(person.id)).await?,
            erasures,
            may_restrict: homeward_core::access::may::<RecordRestricted>(actor),
            may_release: homeward_core::access::may::<ReleaseRestricted>(actor),
            may_record_consent: homeward_core::access::may::<WriteRegister>(actor),
            may_erase: homeward_core::access::may::<Erase>(actor),
        })
    }

    /// The party's retention periods: records past theirs leave search.
    pub async fn retention(&self, actor: &Actor) -> Result<Vec<RetentionRule>, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        self.store.retention_rules(&grant).await
    }

    /// Whether the actor may set how long records are kept (the page offers the form only
    /// then).
    pub fn may_set_retention(&self, actor: &Actor) -> bool {
        grant::<Administer>(actor).is_ok()
    }

    /// Sets a retention period for a category, and a status when given (admins).
    pub async fn set_retention(&self, actor: &Actor, input: &RetentionInput) -> Result<(), Error> {
        let grant = grant::<Administer>(actor)?;
        self.store
            .set_retention(&grant, &input.rule()?, self.now())
            .await
    }
}
