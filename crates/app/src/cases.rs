//! Remains handed over in batches and identified, children's cases from requested to
//! reunited, and the local truces under which the dead are recovered. The rules of each
//! step are core's; the counts come from the store.

use crate::{App, Error, grant};
use homeward_core::access::{
    Actor, FollowChildCases, ReadRegister, ReadTalks, RecordMovements, WriteRegister, WriteTalks,
};
use homeward_store::{BatchView, ChildCaseView, TruceReport};
use serde::Deserialize;

/// Which children to follow.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct OpenCases {
    /// The party's children list.
    pub list: i64,
    /// The children the other side agreed to work on (their records).
    #[serde(default)]
    pub agreed: Vec<i64>,
}

/// A child's case moves.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct CaseStep {
    /// located, verified, return_agreed, returned or reunited (or the step before, with a
    /// note).
    pub state: String,
    /// Why, when going back.
    pub note: Option<String>,
}

/// A batch's manifest.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct BatchInput {
    /// The day of the handover, `YYYY-MM-DD`.
    pub handed_over_on: String,
    /// Bodies in the batch.
    pub bodies: i64,
    /// Tag numbers on the manifest.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Bodies counted on receipt.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct Receipt {
    /// Bodies the receiving party counted.
    pub bodies: i64,
}

/// A step of identification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct IdentificationStep {
    /// presumptive, dna_confirmed, or unidentified (a presumption dropped).
    pub identification: String,
    /// The missing person's record, for a presumptive identification.
    pub identified_as: Option<i64>,
}

impl App {
    /// The actor's party's cases of the children of a child-return commitment.
    pub async fn child_cases(
        &self,
        actor: &Actor,
        commitment: i64,
    ) -> Result<Vec<ChildCaseView>, Error> {
        let grant = grant::<ReadRegister>(actor)?;
        self.store.child_cases(&grant, commitment).await
    }

    /// Opens one case per child on a children list; returns how many were opened now.
    pub async fn open_child_cases(
        &self,
        actor: &Actor,
        commitment: i64,
        input: &OpenCases,
    ) -> Result<usize, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .open_child_cases(&grant, commitment, input.list, &input.agreed, self.now())
            .await
    }

    /// Whether the actor may move children's cases (the page offers the steps only then).
    pub fn may_follow_child_cases(&self, actor: &Actor) -> bool {
        grant::<FollowChildCases>(actor).is_ok()
    }

    /// Moves a child's case one step (forward, or back with a note).
    pub async fn step_child_case(
        &self,
        actor: &Actor,
        person: i64,
        step: &CaseStep,
    ) -> Result<(), Error> {
        let grant = grant::<FollowChildCases>(actor)?;
        self.store
            .step_child_case(
                &grant,
                person,
                step.state.parse()?,
                step.note.as_deref(),
                self.now(),
            )
            .await
    }

    /// The truces the actor's party sees, the windows that clash, and the remains of its
    /// register (when it may read it) recovered under each.
    pub async fn truces(&self, actor: &Actor) -> Result<TruceReport, Error> {
        let talks = grant::<ReadTalks>(actor)?;
        let register = grant::<ReadRegister>(actor).ok();
        self.store.truces(&talks, register.as_ref()).await
    }

    /// The batches of remains handed over under a commitment, with their manifests.
    pub async fn batches(&self, actor: &Actor, commitment: i64) -> Result<Vec<BatchView>, Error> {
        let grant = grant::<ReadTalks>(actor)?;
        self.store.batches(&grant, commitment).await
    }

    /// The handing party records a batch and its manifest; returns its id.
    pub async fn record_batch(
        &self,
        actor: &Actor,
        commitment: i64,
        batch: &BatchInput,
    ) -> Result<i64, Error> {
        let grant = grant::<RecordMovements>(actor)?;
        self.store
            .record_batch(
                &grant,
                commitment,
                &batch.handed_over_on,
                batch.bodies,
                &batch.tags,
                self.key.as_deref(),
                self.now(),
            )
            .await
    }

    /// The receiving party records a batch received; each tag becomes an unidentified
    /// remains record. Returns the records opened.
    pub async fn receive_batch(
        &self,
        actor: &Actor,
        batch: i64,
        receipt: &Receipt,
    ) -> Result<usize, Error> {
        let grant = grant::<RecordMovements>(actor)?;
        // The remains a demo store registers are synthetic, as everyone in it is.
        let synthetic = self.store.meta("purpose").await?.as_deref() == Some("demo");
        self.store
            .receive_batch(
                &grant,
                batch,
                receipt.bodies,
                synthetic,
                self.key.as_deref(),
                self.now(),
            )
            .await
    }

    /// A step of identification of remains; DNA confirmation proposes the missing person's
    /// death (a second person confirms it) and opens the family's notification.
    pub async fn identify_remains(
        &self,
        actor: &Actor,
        remains: i64,
        step: &IdentificationStep,
    ) -> Result<(), Error> {
        let grant = grant::<WriteRegister>(actor)?;
        self.store
            .identify_remains(
                &grant,
                remains,
                step.identification.parse()?,
                step.identified_as,
                self.now(),
            )
            .await
    }

    /// Records that the family of a person identified as dead was told.
    pub async fn family_notified(&self, actor: &Actor, person: i64) -> Result<(), Error> {
        let grant = grant::<WriteRegister>(actor)?;
        self.store.family_notified(&grant, person, self.now()).await
    }
}

/// What the remains page of a commitment shows: the batches, and for a party that may read
/// its register the remains it received and the families to be told.
#[derive(Debug, Clone)]
pub struct RemainsView {
    /// The commitment with its fulfilment.
    pub commitment: homeward_store::CommitmentView,
    /// Its batches.
    pub batches: Vec<BatchView>,
    /// Remains records received, the first [`RemainsView::SHOWN`] in id order.
    pub returned: Vec<homeward_store::Person>,
    /// How many remains records were received in all.
    pub returned_total: i64,
    /// People identified as dead whose family is to be told (first) or was told, at most
    /// [`RemainsView::SHOWN`].
    pub families: Vec<homeward_store::Person>,
    /// How many families are to be told or were told, in all.
    pub families_total: usize,
    /// The party's remains received back, by step of identification.
    pub identification: Vec<(homeward_core::record::Identification, i64)>,
    /// Families still to be told, of [`RemainsView::families_total`].
    pub families_pending: usize,
}

impl RemainsView {
    /// How many rows of each table the view holds.
    pub const SHOWN: usize = 300;
}

impl App {
    /// The remains of a commitment as its page shows them.
    pub async fn remains_view(&self, actor: &Actor, commitment: i64) -> Result<RemainsView, Error> {
        use homeward_core::record::{Category, Status};
        use homeward_store::PersonFilter;
        let commitment = self.commitment(actor, commitment).await?;
        let batches = self.batches(actor, commitment.id).await?;
        let (mut returned, mut returned_total) = (Vec::new(), 0);
        let (mut pending, mut told, mut families_total) = (Vec::new(), Vec::new(), 0);
        let (mut identification, mut families_pending) = (Vec::new(), 0);
        if let Ok(read) = grant::<ReadRegister>(actor) {
            let received = PersonFilter {
                category: Some(Category::Remains),
                status: Some(Status::Returned),
                page: 1,
                per_page: RemainsView::SHOWN as i64,
                ..Default::default()
            };
            let page = self.store.persons(&read, &received).await?;
            (returned, returned_total) = (page.items, page.total);
            identification = self.store.identification_counts(&read).await?;
            // The dead are read a page at a time, so the view's memory does not grow with
            // the register; the families still to be told come first.
            let mut deceased = PersonFilter {
                status: Some(Status::Deceased),
                page: 1,
                per_page: 500,
                ..Default::default()
            };
            loop {
                let page = self.store.persons(&read, &deceased).await?;
                let read_all = page.page * page.per_page >= page.total;
                for p in page.items {
                    let Some(state) = &p.family_notification else {
                        continue;
                    };
                    families_total += 1;
                    if state == "pending" {
                        families_pending += 1;
                        if pending.len() < RemainsView::SHOWN {
                            pending.push(p);
                        }
                    } else if told.len() < RemainsView::SHOWN {
                        told.push(p);
                    }
                }
                if read_all {
                    break;
                }
                deceased.page += 1;
            }
        }
        let mut families = pending;
        let room = RemainsView::SHOWN.saturating_sub(families.len());
        families.extend(told.into_iter().take(room));
        Ok(RemainsView {
            commitment,
            batches,
            returned,
            returned_total,
            families,
            families_total,
            identification,
            families_pending,
        })
    }
}
