//! Talks rounds and commitments: read, recorded and changed.

use super::{Context, print_json};
use clap::{Args, Subcommand};
use homeward_app::{CommitmentChange, CommitmentInput};

/// The arguments of `homeward rounds`.
#[derive(Debug, Args)]
pub struct Rounds {
    #[command(flatten)]
    pub ctx: Context,
}

/// The arguments of `homeward commitments`.
#[derive(Debug, Args)]
pub struct Commitments {
    #[command(flatten)]
    pub ctx: Context,
}

#[derive(Debug, clap::Args)]
pub struct RoundArgs {
    /// E.g. "Istanbul, second round".
    #[arg(long)]
    title: String,
    /// Date, YYYY-MM-DD.
    #[arg(long)]
    held_on: String,
    /// Building or place.
    #[arg(long, default_value = "")]
    venue: String,
    /// City.
    #[arg(long, default_value = "")]
    city: String,
    /// The mediating party.
    #[arg(long)]
    mediator: Option<String>,
    /// A delegation, `PARTY:head of delegation`; repeat for each.
    #[arg(long = "delegation")]
    delegations: Vec<String>,
    /// Free notes.
    #[arg(long, default_value = "")]
    notes: String,
}

impl RoundArgs {
    fn round(&self) -> anyhow::Result<homeward_store::NewRound> {
        let delegations = self
            .delegations
            .iter()
            .map(|d| {
                let (party, head) = d.split_once(':').ok_or_else(|| {
                    homeward_core::Error::invalid(
                        "--delegation",
                        format!("{d:?}: write PARTY:head of delegation"),
                    )
                })?;
                Ok(homeward_core::talks::Delegation {
                    party: party.trim().parse()?,
                    head: head.trim().to_owned(),
                    size: None,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(homeward_store::NewRound {
            title: self.title.clone(),
            held_on: self.held_on.clone(),
            venue: self.venue.clone(),
            city: self.city.clone(),
            mediator: self.mediator.as_deref().map(str::parse).transpose()?,
            notes: self.notes.clone(),
            delegations,
        })
    }
}

/// Rounds.
#[derive(Debug, Subcommand)]
pub enum RoundCommand {
    /// Record a round the token's party took part in or mediated; prints its id.
    Add {
        #[command(flatten)]
        ctx: Context,
        #[command(flatten)]
        round: RoundArgs,
    },
    /// Change a round the token's party recorded.
    Edit {
        #[command(flatten)]
        ctx: Context,
        /// The round.
        #[arg(long = "id")]
        id: i64,
        #[command(flatten)]
        round: RoundArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum CommitmentCommand {
    /// Record a commitment of a round; prints its id.
    Add {
        #[command(flatten)]
        ctx: Context,
        /// The round.
        #[arg(long)]
        round: i64,
        /// The title, as the communiqué words it.
        #[arg(long)]
        title: String,
        /// The two sides, e.g. UA,RU.
        #[arg(long, value_delimiter = ',', required = true)]
        sides: Vec<String>,
        /// The terms as JSON, e.g. '{"kind":"local_truce","min_days":2,"max_days":3,"purpose":"…","sector":null,"start":null}'.
        #[arg(long)]
        terms: String,
    },
    /// Change a commitment's title and terms (its kind and sides stay).
    /// Propose to amend a commitment's title and terms; they change when the other side
    /// accepts. Prints the amendment's id.
    Amend {
        #[command(flatten)]
        ctx: Context,
        /// The commitment.
        #[arg(long = "id")]
        id: i64,
        /// The title.
        #[arg(long)]
        title: String,
        /// The terms as JSON, of the same kind.
        #[arg(long)]
        terms: String,
    },
    /// Answer an amendment: accept or decline (the other side), withdraw (the proposer).
    Answer {
        #[command(flatten)]
        ctx: Context,
        /// The amendment.
        #[arg(long)]
        amendment: i64,
        /// accept, decline or withdraw.
        #[arg(long = "as")]
        answer: String,
    },
    /// List a commitment's amendments, newest first, as JSON.
    Amendments {
        #[command(flatten)]
        ctx: Context,
        /// The commitment.
        #[arg(long = "id")]
        id: i64,
    },
}

/// Runs `homeward rounds`.
pub async fn rounds(args: Rounds) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    print_json(&app.rounds(&actor).await?)
}

/// Runs `homeward commitments`.
pub async fn commitments(args: Commitments) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    print_json(&app.commitments(&actor, None).await?)
}

/// Runs `homeward round add|edit`.
pub async fn round(command: RoundCommand) -> anyhow::Result<()> {
    match command {
        RoundCommand::Add { ctx, round } => {
            let (app, actor) = ctx.open().await?;
            out!("{}", app.add_round(&actor, &round.round()?).await?);
        }
        RoundCommand::Edit { ctx, id, round } => {
            let (app, actor) = ctx.open().await?;
            app.update_round(&actor, id, &round.round()?).await?;
            out!("round {id} changed");
        }
    }
    Ok(())
}

fn terms(text: &str) -> anyhow::Result<homeward_core::talks::Terms> {
    serde_json::from_str(text)
        .map_err(|e| homeward_core::Error::invalid("--terms", e.to_string()).into())
}

/// Runs `homeward commitment add|edit`.
pub async fn commitment(command: CommitmentCommand) -> anyhow::Result<()> {
    match command {
        CommitmentCommand::Add {
            ctx,
            round,
            title,
            sides,
            terms: text,
        } => {
            let (app, actor) = ctx.open().await?;
            let [a, b] = sides.as_slice() else {
                return Err(homeward_core::Error::invalid(
                    "--sides",
                    "takes two party codes, e.g. UA,RU",
                )
                .into());
            };
            let input = CommitmentInput {
                title,
                sides: [a.parse()?, b.parse()?],
                terms: terms(&text)?,
            };
            out!("{}", app.add_commitment(&actor, round, &input).await?);
        }
        CommitmentCommand::Amend {
            ctx,
            id,
            title,
            terms: text,
        } => {
            let (app, actor) = ctx.open().await?;
            let change = CommitmentChange {
                title,
                terms: terms(&text)?,
            };
            out!("{}", app.propose_amendment(&actor, id, &change).await?);
        }
        CommitmentCommand::Answer {
            ctx,
            amendment,
            answer,
        } => {
            let (app, actor) = ctx.open().await?;
            let answered = app
                .answer_amendment(&actor, amendment, answer.parse()?)
                .await?;
            out!(
                "amendment {amendment} of commitment {}: {}",
                answered.commitment_id,
                answered.state
            );
        }
        CommitmentCommand::Amendments { ctx, id } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.amendments(&actor, id).await?)?;
        }
    }
    Ok(())
}
