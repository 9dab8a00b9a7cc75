//! Talks rounds and the commitments made in them: read by every role that follows the
//! talks, recorded by negotiators; a commitment's terms change only by an amendment one
//! side proposes and the other accepts. Fulfilment is computed by the store, never typed in.

use crate::{App, Error, grant};
use homeward_core::access::{Actor, ReadTalks, WriteTalks};
use homeward_core::amendment::AmendmentAnswer;
use homeward_core::party::PartyCode;
use homeward_core::talks::Terms;
use homeward_store::{AmendmentView, CommitmentView, NewRound, RoundView};
use serde::Deserialize;

/// A commitment to record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct CommitmentInput {
    /// A title, as the communiqué words it.
    pub title: String,
    /// The two sides, e.g. `["UA", "RU"]`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub sides: [PartyCode; 2],
    /// The terms; `kind` says which shape.
    pub terms: Terms,
}

/// A commitment's proposed new wording: its kind and sides stay.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct CommitmentChange {
    /// The title.
    pub title: String,
    /// The terms, of the same kind.
    pub terms: Terms,
}

impl App {
    /// The rounds the actor's party took part in or mediated.
    pub async fn rounds(&self, actor: &Actor) -> Result<Vec<RoundView>, Error> {
        self.store.rounds(&grant::<ReadTalks>(actor)?).await
    }

    /// One of those rounds.
    pub async fn round(&self, actor: &Actor, round: i64) -> Result<RoundView, Error> {
        self.rounds(actor)
            .await?
            .into_iter()
            .find(|r| r.id == round)
            .ok_or_else(|| Error::NotFound(format!("round {round}")))
    }

    /// Records a round; returns its id.
    pub async fn add_round(&self, actor: &Actor, round: &NewRound) -> Result<i64, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store.add_round(&grant, round, self.now()).await
    }

    /// Changes a round the actor's party recorded.
    pub async fn update_round(
        &self,
        actor: &Actor,
        id: i64,
        round: &NewRound,
    ) -> Result<(), Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store.update_round(&grant, id, round, self.now()).await
    }

    /// The commitments of the rounds the actor's party sees (of one round when given),
    /// each with its fulfilment.
    pub async fn commitments(
        &self,
        actor: &Actor,
        round: Option<i64>,
    ) -> Result<Vec<CommitmentView>, Error> {
        let all = self.store.commitments(&grant::<ReadTalks>(actor)?).await?;
        Ok(all
            .into_iter()
            .filter(|c| round.is_none_or(|r| c.round_id == r))
            .collect())
    }

    /// One commitment with its fulfilment.
    pub async fn commitment(&self, actor: &Actor, id: i64) -> Result<CommitmentView, Error> {
        self.commitments(actor, None)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::NotFound(format!("commitment {id}")))
    }

    /// Records a commitment made in `round`; returns its id.
    pub async fn add_commitment(
        &self,
        actor: &Actor,
        round: i64,
        input: &CommitmentInput,
    ) -> Result<i64, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .add_commitment(
                &grant,
                round,
                &input.title,
                &input.sides,
                &input.terms,
                self.now(),
            )
            .await
    }

    /// Proposes to change a commitment's title and terms (negotiators of a bound side);
    /// the terms change only when the other side accepts. Returns the amendment's id.
    pub async fn propose_amendment(
        &self,
        actor: &Actor,
        commitment: i64,
        change: &CommitmentChange,
    ) -> Result<i64, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .propose_amendment(&grant, commitment, &change.title, &change.terms, self.now())
            .await
    }

    /// Answers an amendment: the other side accepts or declines it, the proposing side
    /// withdraws it (negotiators).
    pub async fn answer_amendment(
        &self,
        actor: &Actor,
        amendment: i64,
        answer: AmendmentAnswer,
    ) -> Result<AmendmentView, Error> {
        let grant = grant::<WriteTalks>(actor)?;
        self.store
            .answer_amendment(&grant, amendment, answer, self.now())
            .await
    }

    /// The amendments of a commitment, newest first.
    pub async fn amendments(
        &self,
        actor: &Actor,
        commitment: i64,
    ) -> Result<Vec<AmendmentView>, Error> {
        let grant = grant::<ReadTalks>(actor)?;
        self.store.amendments(&grant, commitment).await
    }
}

/// An answer to an amendment.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct AmendmentAnswerInput {
    /// accept or decline (the other side), withdraw (the proposing side).
    pub answer: AmendmentAnswer,
}
