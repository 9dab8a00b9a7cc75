//! The start page's sections for what the user's roles work on, above the talks: the
//! children's cases (protection officers), the pairs waiting for review (reviewers), the
//! latest lists (operators), what a round's mediator must do, what an auditor checks.
//! Which sections there are is the application's decision (`App::desk`).

use super::{Who, shown_name, utc};
use homeward_app::desk::Desk;
use homeward_store::{ChildCaseView, LinkCounts, ListSummary};

/// How many cases the start page lists per commitment; the children's page has them all.
const CASES_SHOWN: usize = 50;

pub(super) struct ChildrenSection {
    pub(super) commitment: i64,
    pub(super) title: String,
    pub(super) total: usize,
    /// Each step's word and count.
    pub(super) counts: Vec<(String, usize)>,
    pub(super) cases: Vec<ChildCaseView>,
}

pub(super) struct StageRow {
    pub(super) commitment: i64,
    pub(super) title: String,
    pub(super) stage: i64,
    pub(super) seq: i64,
    pub(super) from_a: u32,
    pub(super) from_b: u32,
    pub(super) open: u32,
    pub(super) ready: bool,
}

pub(super) struct ListRow {
    pub(super) id: i64,
    pub(super) title: String,
    pub(super) issuer: String,
    pub(super) kind: String,
    pub(super) rows: i64,
}

pub(super) struct MediationSection {
    pub(super) rounds: Vec<i64>,
    pub(super) to_close: Vec<StageRow>,
    pub(super) addressed: Vec<ListRow>,
    pub(super) may_close: bool,
}

pub(super) struct AuditSection {
    pub(super) intact: bool,
    pub(super) verified: i64,
    pub(super) head: String,
    pub(super) first_break: Option<i64>,
    pub(super) tree_heads: usize,
    /// When, who, what.
    pub(super) flags: Vec<(String, String, String)>,
    /// Party, key, since.
    pub(super) keys: Vec<(String, String, String)>,
    pub(super) countersignatures: usize,
}

/// The sections above the talks.
#[derive(Default)]
pub(super) struct Sections {
    pub(super) children: Vec<ChildrenSection>,
    pub(super) mediation: Option<MediationSection>,
    pub(super) audit: Option<AuditSection>,
    /// Families' enquiries: open, and to call back.
    pub(super) enquiries: Option<(usize, usize)>,
    /// Pairs waiting for a reviewer, confirmed, rejected.
    pub(super) review: Option<LinkCounts>,
    /// The latest lists, and how many there are in all.
    pub(super) lists: Option<(Vec<ListRow>, usize)>,
}

fn list_row(who: &Who, l: &ListSummary) -> ListRow {
    ListRow {
        id: l.id,
        title: l.title.clone(),
        issuer: l.issuer.clone(),
        kind: who.code("listkind", &l.kind),
        rows: l.rows,
    }
}

pub(super) fn sections(who: &Who, desk: &Desk) -> Sections {
    Sections {
        enquiries: desk.enquiries,
        review: desk.review,
        lists: desk
            .lists
            .as_ref()
            .map(|(lists, all)| (lists.iter().map(|l| list_row(who, l)).collect(), *all)),
        children: desk
            .children
            .iter()
            .map(|c| ChildrenSection {
                commitment: c.commitment,
                title: c.title.clone(),
                total: c.cases.len(),
                counts: c
                    .counts
                    .iter()
                    .map(|(s, n)| (who.code("child", s.as_str()), *n))
                    .collect(),
                cases: c
                    .cases
                    .iter()
                    .take(CASES_SHOWN)
                    .cloned()
                    .map(|mut k| {
                        k.name = shown_name(&k.name);
                        k
                    })
                    .collect(),
            })
            .collect(),
        mediation: desk.mediation.as_ref().map(|m| MediationSection {
            rounds: m.rounds.clone(),
            to_close: m
                .to_close
                .iter()
                .map(|s| StageRow {
                    commitment: s.commitment,
                    title: s.title.clone(),
                    stage: s.stage,
                    seq: s.seq,
                    from_a: s.parity.from_a,
                    from_b: s.parity.from_b,
                    open: s.parity.open,
                    ready: s.ready,
                })
                .collect(),
            addressed: m.addressed.iter().map(|l| list_row(who, l)).collect(),
            may_close: m.may_close,
        }),
        audit: desk.audit.as_ref().map(|a| AuditSection {
            intact: a.log.intact,
            verified: a.log.verified,
            head: a.log.head.clone(),
            first_break: a.log.first_break_seq,
            tree_heads: a.tree_heads,
            flags: a
                .flags
                .iter()
                .map(|f| (utc(f.at_ms), f.actor.clone(), super::protection::unusual(f)))
                .collect(),
            keys: a
                .keys
                .iter()
                .map(|k| (k.party.clone(), k.public_key.clone(), utc(k.added_at)))
                .collect(),
            countersignatures: a.countersignatures.len(),
        }),
    }
}
