//! Each role's start: the places a face offers a user, decided by the access rule itself
//! (`access::may`, the rule `authorize` applies), and the start page's sections for what the
//! user's roles work on — the talks, the children's cases, the pairs waiting for review, the
//! latest lists, what a mediator must do, what an auditor checks.

use crate::{App, Error, LogVerification, grant};
use homeward_core::access::{
    Actor, AnswerFamilies, Audit, ReadRegister, ReadTalks, ReviewLinks, SeeSensitive,
    WriteRegister, WriteTalks, may,
};
use homeward_core::cases::ChildCaseState;
use homeward_core::protection::ReadFlag;
use homeward_core::talks::{StageParity, Terms};
use homeward_store::{
    ChildCaseView, CommitmentView, Countersignature, KeyView, LinkCounts, ListSummary, RoundView,
};

/// A page a face may offer in its navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The start page: the talks and what the roles work on.
    Start,
    /// The register (`App::persons`, `App::search`).
    Register,
    /// The lists (`App::lists`).
    Lists,
    /// Review of links (`App::links`).
    Review,
    /// Signed lists, keys and counter-signatures (`App::lists`, `App::keys`).
    Signed,
    /// Deliveries to and from the other parties' servers (`App::relay_view`).
    Relay,
    /// Families' enquiries (`App::enquiries`).
    Enquiries,
    /// The event log (`App::verify_log`).
    Log,
    /// The reads of records (`App::audit_view`).
    Reads,
}

impl Place {
    /// Every place, in the order a navigation lists them.
    pub const ALL: [Place; 9] = [
        Place::Start,
        Place::Enquiries,
        Place::Register,
        Place::Lists,
        Place::Review,
        Place::Signed,
        Place::Relay,
        Place::Log,
        Place::Reads,
    ];

    /// The place's name in code (the faces' words say it: `nav-<code>`).
    pub fn code(self) -> &'static str {
        match self {
            Place::Start => "start",
            Place::Register => "register",
            Place::Lists => "lists",
            Place::Review => "review",
            Place::Signed => "signed",
            Place::Relay => "relay",
            Place::Enquiries => "enquiries",
            Place::Log => "log",
            Place::Reads => "reads",
        }
    }

    /// Whether `actor` may open the place: the command the place's use case asks for, by
    /// the same rule.
    pub fn open_to(self, actor: &Actor) -> bool {
        match self {
            // Every role has something of its own on the start page.
            Place::Start => true,
            Place::Register | Place::Lists | Place::Relay => may::<ReadRegister>(actor),
            Place::Review => may::<ReviewLinks>(actor),
            Place::Enquiries => may::<AnswerFamilies>(actor),
            // Lists' signatures for those who read the register, keys and
            // counter-signatures for those who audit.
            Place::Signed => may::<ReadRegister>(actor) || may::<Audit>(actor),
            Place::Log | Place::Reads => may::<Audit>(actor),
        }
    }
}

/// The places `actor` may open, in the navigation's order.
pub fn places(actor: &Actor) -> Vec<Place> {
    Place::ALL
        .into_iter()
        .filter(|p| p.open_to(actor))
        .collect()
}

/// The cases of one child-return commitment, as the start page shows them.
#[derive(Debug, Clone)]
pub struct ChildrenDesk {
    /// The commitment.
    pub commitment: i64,
    /// Its title.
    pub title: String,
    /// Cases per step, in the steps' order.
    pub counts: Vec<(ChildCaseState, usize)>,
    /// Every case.
    pub cases: Vec<ChildCaseView>,
}

/// An open stage of a plan under a round the actor's party mediates.
#[derive(Debug, Clone)]
pub struct StageToClose {
    /// The commitment.
    pub commitment: i64,
    /// Its title.
    pub title: String,
    /// The stage.
    pub stage: i64,
    /// Its number.
    pub seq: i64,
    /// Received each way and still in between.
    pub parity: StageParity,
    /// Whether it may be closed now (`StageParity::check_close`).
    pub ready: bool,
}

/// What the mediator's start page shows.
#[derive(Debug, Clone, Default)]
pub struct Mediation {
    /// The rounds the party mediates.
    pub rounds: Vec<i64>,
    /// Lists other parties issued that the party holds (addressed to it), when the
    /// reader may read the register.
    pub addressed: Vec<ListSummary>,
    /// Open stages of the mediated rounds' plans.
    pub to_close: Vec<StageToClose>,
    /// Whether the reader may close a stage.
    pub may_close: bool,
}

/// What an auditor's start page shows.
#[derive(Debug, Clone)]
pub struct AuditDesk {
    /// The event log recomputed.
    pub log: LogVerification,
    /// Signed tree heads of the log.
    pub tree_heads: usize,
    /// Unusual reading of the last week.
    pub flags: Vec<ReadFlag>,
    /// The parties' keys.
    pub keys: Vec<KeyView>,
    /// Counter-signatures held.
    pub countersignatures: Vec<Countersignature>,
}

/// The start page: each section present only for the roles that work on it.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    /// The rounds the party takes part in or mediates.
    pub rounds: Vec<RoundView>,
    /// Their commitments, with fulfilment.
    pub commitments: Vec<CommitmentView>,
    /// The children's cases, for those who see protected records in full.
    pub children: Vec<ChildrenDesk>,
    /// What the party's mediation asks of it.
    pub mediation: Option<Mediation>,
    /// What an auditor checks.
    pub audit: Option<AuditDesk>,
    /// Families' enquiries, for those who answer them: open, and to call back.
    pub enquiries: Option<(usize, usize)>,
    /// The pairs waiting for a reviewer and those decided, for those who review links.
    pub review: Option<LinkCounts>,
    /// The latest lists the party holds, newest first, for those who import them; and how
    /// many it holds in all.
    pub lists: Option<(Vec<ListSummary>, usize)>,
    /// Whether the actor records rounds and commitments and answers amendments (the page
    /// offers those forms only then).
    pub records_talks: bool,
}

/// How many of the latest lists the start page shows; the lists page has them all.
const LISTS_SHOWN: usize = 5;

/// How far back the start page looks for unusual reading.
const FLAGS_SINCE_MS: i64 = 7 * 24 * 3600 * 1000;

impl App {
    /// The actor's start page: the talks for those who follow them, the children's cases
    /// for those who see them unmasked, the stages and lists of a round the party
    /// mediates, the log, reads and signatures for those who audit.
    pub async fn desk(&self, actor: &Actor) -> Result<Desk, Error> {
        let mut desk = Desk {
            records_talks: may::<WriteTalks>(actor),
            ..Desk::default()
        };
        if let Ok(talks) = grant::<ReadTalks>(actor) {
            desk.rounds = self.store.rounds(&talks).await?;
            desk.commitments = self.commitments(actor, None).await?;
        }
        if may::<SeeSensitive>(actor) {
            for c in &desk.commitments {
                if !matches!(c.terms, Terms::ChildReturn { .. }) {
                    continue;
                }
                let cases = self.child_cases(actor, c.id).await?;
                if cases.is_empty() {
                    continue;
                }
                let counts = ChildCaseState::ALL
                    .iter()
                    .map(|s| (*s, cases.iter().filter(|k| k.state == *s).count()))
                    .collect();
                desk.children.push(ChildrenDesk {
                    commitment: c.id,
                    title: c.title.clone(),
                    counts,
                    cases,
                });
            }
        }
        let me = actor.party.as_str();
        let mediated: Vec<i64> = desk
            .rounds
            .iter()
            .filter(|r| r.mediator.as_deref() == Some(me))
            .map(|r| r.id)
            .collect();
        if !mediated.is_empty() {
            desk.mediation = Some(self.mediation(actor, &desk, mediated).await?);
        }
        if let Ok(answer) = grant::<AnswerFamilies>(actor) {
            let open = self.store.enquiries(&answer, true, None).await?;
            let to_answer = open.iter().filter(|e| e.to_answer()).count();
            desk.enquiries = Some((open.len(), to_answer));
        }
        if let Ok(review) = grant::<ReviewLinks>(actor) {
            desk.review = Some(self.store.link_counts(&review).await?);
        }
        if may::<WriteRegister>(actor) {
            let read = grant::<ReadRegister>(actor)?;
            let mut lists = self.store.lists(&read).await?;
            let all = lists.len();
            lists.sort_by_key(|l| std::cmp::Reverse(l.id));
            lists.truncate(LISTS_SHOWN);
            desk.lists = Some((lists, all));
        }
        if let Ok(audit) = grant::<Audit>(actor) {
            desk.audit = Some(AuditDesk {
                log: self.log_verification().await?,
                tree_heads: self.tree_head_report().await?.heads.len(),
                flags: self
                    .store
                    .read_flags(&audit, self.now() - FLAGS_SINCE_MS)
                    .await?,
                keys: self.store.keys(&audit).await?,
                countersignatures: self.store.countersignatures(&audit).await?,
            });
        }
        Ok(desk)
    }

    async fn mediation(
        &self,
        actor: &Actor,
        desk: &Desk,
        rounds: Vec<i64>,
    ) -> Result<Mediation, Error> {
        let mut m = Mediation {
            may_close: may::<WriteTalks>(actor),
            ..Mediation::default()
        };
        let talks = grant::<ReadTalks>(actor)?;
        for c in desk
            .commitments
            .iter()
            .filter(|c| rounds.contains(&c.round_id))
        {
            let Terms::PowExchange { parity, .. } = c.terms else {
                continue;
            };
            let plan = match self.store.plan_of(&talks, c.id).await {
                Ok(p) => p,
                Err(Error::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            for s in plan.stages.iter().filter(|s| s.state == "open") {
                m.to_close.push(StageToClose {
                    commitment: c.id,
                    title: c.title.clone(),
                    stage: s.id,
                    seq: s.seq,
                    parity: s.parity.clone(),
                    ready: s
                        .parity
                        .check_close(parity, s.parity_note.as_deref())
                        .is_ok(),
                });
            }
        }
        if let Ok(read) = grant::<ReadRegister>(actor) {
            m.addressed = self
                .store
                .lists(&read)
                .await?
                .into_iter()
                .filter(|l| l.issuer != actor.party.as_str())
                .collect();
        }
        m.rounds = rounds;
        Ok(m)
    }
}
