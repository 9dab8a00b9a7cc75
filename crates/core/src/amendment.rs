//! Amending a commitment's terms. The terms bind two sides, so neither changes them alone:
//! one side proposes an amendment, the other accepts or declines it, the proposer may
//! withdraw it while it is open. Until it is accepted both sides see the agreed terms and the
//! open amendment beside them.

use crate::party::PartyCode;
use serde::{Deserialize, Serialize};

/// Where an amendment stands.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentState {
    /// Proposed, not yet answered.
    Open,
    /// Accepted by the other side: its terms are the commitment's terms.
    Accepted,
    /// Declined by the other side: the terms stay as they were.
    Declined,
    /// Withdrawn by the side that proposed it.
    Withdrawn,
}

crate::text_enum!(AmendmentState {
    Open = "open",
    Accepted = "accepted",
    Declined = "declined",
    Withdrawn = "withdrawn",
});

/// What a side does with an amendment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentAnswer {
    /// The other side agrees: the terms change.
    Accept,
    /// The other side does not agree: the terms stay.
    Decline,
    /// The proposing side takes it back.
    Withdraw,
}

crate::text_enum!(AmendmentAnswer {
    Accept = "accept",
    Decline = "decline",
    Withdraw = "withdraw",
});

impl AmendmentAnswer {
    /// The state the answer leaves the amendment in.
    pub fn state(self) -> AmendmentState {
        match self {
            AmendmentAnswer::Accept => AmendmentState::Accepted,
            AmendmentAnswer::Decline => AmendmentState::Declined,
            AmendmentAnswer::Withdraw => AmendmentState::Withdrawn,
        }
    }
}

/// Checks that `actor`, of a round's party, may propose an amendment of a commitment
/// binding `sides`: only a bound side may, and only when no other amendment is open.
pub fn check_proposal(
    actor: &PartyCode,
    sides: &[PartyCode; 2],
    open: Option<&PartyCode>,
) -> Result<(), crate::Error> {
    if !sides.contains(actor) {
        return Err(crate::Error::invalid(
            "commitment",
            format!(
                "only {} or {}, which the commitment binds, may propose to amend it",
                sides[0], sides[1]
            ),
        ));
    }
    if let Some(by) = open {
        return Err(crate::Error::Conflict(format!(
            "an amendment proposed by {by} is open: it is answered or withdrawn before another is proposed"
        )));
    }
    Ok(())
}

/// Checks that `actor` may give `answer` to an amendment `proposer` made of a commitment
/// binding `sides`, which stands at `state`: the other side accepts or declines, the
/// proposer withdraws, and only an open amendment is answered.
pub fn check_answer(
    answer: AmendmentAnswer,
    state: AmendmentState,
    actor: &PartyCode,
    proposer: &PartyCode,
    sides: &[PartyCode; 2],
) -> Result<(), crate::Error> {
    if state != AmendmentState::Open {
        return Err(crate::Error::Conflict(format!(
            "the amendment is {}; only an open one is answered",
            state.as_str()
        )));
    }
    let refuse = |why: String| Err(crate::Error::invalid("answer", why));
    match answer {
        AmendmentAnswer::Withdraw if actor == proposer => Ok(()),
        AmendmentAnswer::Withdraw => refuse(format!(
            "only {proposer}, which proposed the amendment, may withdraw it"
        )),
        AmendmentAnswer::Accept | AmendmentAnswer::Decline if actor == proposer => refuse(format!(
            "{proposer} proposed the amendment: the other side answers it"
        )),
        AmendmentAnswer::Accept | AmendmentAnswer::Decline if sides.contains(actor) => Ok(()),
        AmendmentAnswer::Accept | AmendmentAnswer::Decline => refuse(format!(
            "only the side the commitment binds besides {proposer} answers the amendment"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> PartyCode {
        s.parse().unwrap()
    }

    #[test]
    fn neither_side_changes_the_terms_alone() {
        let (ua, ru, tr) = (code("UA"), code("RU"), code("TR"));
        let sides = [ua.clone(), ru.clone()];
        assert!(check_proposal(&ru, &sides, None).is_ok());
        assert!(
            check_proposal(&tr, &sides, None).is_err(),
            "the mediator is not bound"
        );
        assert!(matches!(
            check_proposal(&ua, &sides, Some(&ru)),
            Err(crate::Error::Conflict(_))
        ));
        let open = AmendmentState::Open;
        use AmendmentAnswer::*;
        assert!(
            check_answer(Accept, open, &ru, &ru, &sides).is_err(),
            "not its own"
        );
        assert!(check_answer(Accept, open, &ua, &ru, &sides).is_ok());
        assert!(check_answer(Decline, open, &ua, &ru, &sides).is_ok());
        assert!(check_answer(Accept, open, &tr, &ru, &sides).is_err());
        assert!(check_answer(Withdraw, open, &ru, &ru, &sides).is_ok());
        assert!(check_answer(Withdraw, open, &ua, &ru, &sides).is_err());
        for done in [
            AmendmentState::Accepted,
            AmendmentState::Declined,
            AmendmentState::Withdrawn,
        ] {
            assert!(matches!(
                check_answer(Accept, done, &ua, &ru, &sides),
                Err(crate::Error::Conflict(_))
            ));
        }
        assert_eq!(Accept.state(), AmendmentState::Accepted);
    }
}
