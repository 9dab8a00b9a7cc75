//! Children's cases, remains and truces.

use super::{Context, print_json};
use clap::{Args, Subcommand};
use homeward_app::{BatchInput, CaseStep, IdentificationStep, OpenCases, Receipt};

/// The arguments of `homeward truces`.
#[derive(Debug, Args)]
pub struct Truces {
    #[command(flatten)]
    pub ctx: Context,
}

#[derive(Debug, Subcommand)]
pub enum RemainsCommand {
    /// The batches of a remains-return commitment (JSON).
    Batches {
        #[command(flatten)]
        ctx: Context,
        /// The commitment.
        #[arg(long)]
        commitment: i64,
    },
    /// Record a batch handed over by the token's party, with its manifest; prints its id.
    Batch {
        #[command(flatten)]
        ctx: Context,
        /// The commitment.
        #[arg(long)]
        commitment: i64,
        /// The day of the handover, YYYY-MM-DD.
        #[arg(long)]
        on: String,
        /// Bodies in the batch.
        #[arg(long)]
        bodies: i64,
        /// Tags on the manifest, comma-separated.
        #[arg(long, value_delimiter = ',')]
        tags: Vec<String>,
    },
    /// Record a batch received (the receiving party), with the bodies counted.
    Receive {
        #[command(flatten)]
        ctx: Context,
        /// The batch.
        #[arg(long)]
        batch: i64,
        /// Bodies counted.
        #[arg(long)]
        bodies: i64,
    },
    /// A step of identification: presumptive (with --missing), dna_confirmed, unidentified.
    Identify {
        #[command(flatten)]
        ctx: Context,
        /// The remains' record.
        #[arg(long)]
        person: i64,
        /// presumptive, dna_confirmed or unidentified.
        #[arg(long = "as")]
        identification: String,
        /// The missing person's record they are identified as.
        #[arg(long)]
        missing: Option<i64>,
    },
    /// Record that the family of a person identified as dead was told.
    Notified {
        #[command(flatten)]
        ctx: Context,
        /// The missing person's record.
        #[arg(long)]
        person: i64,
    },
}

/// Children's cases.
#[derive(Debug, Subcommand)]
pub enum ChildrenCommand {
    /// Open one case per child on a children list (negotiators), marking the ones the other
    /// side agreed to work on.
    Open {
        #[command(flatten)]
        ctx: Context,
        /// The child-return commitment.
        #[arg(long)]
        commitment: i64,
        /// The party's children list.
        #[arg(long)]
        list: i64,
        /// The agreed children's records, comma-separated.
        #[arg(long, value_delimiter = ',')]
        agreed: Vec<i64>,
    },
    /// The cases of a commitment (JSON).
    List {
        #[command(flatten)]
        ctx: Context,
        /// The child-return commitment.
        #[arg(long)]
        commitment: i64,
    },
    /// Move a case one step (or back one, with --note).
    Step {
        #[command(flatten)]
        ctx: Context,
        /// The child's record.
        #[arg(long)]
        person: i64,
        /// located, verified, return_agreed, returned or reunited.
        #[arg(long = "to")]
        state: String,
        /// Why (needed to go back).
        #[arg(long)]
        note: Option<String>,
    },
}

/// Runs `homeward truces`.
pub async fn truces(args: Truces) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    print_json(&app.truces(&actor).await?)
}

/// Runs `homeward children open|list|step`.
pub async fn children(command: ChildrenCommand) -> anyhow::Result<()> {
    match command {
        ChildrenCommand::Open {
            ctx,
            commitment,
            list,
            agreed,
        } => {
            let (app, actor) = ctx.open().await?;
            let n = app
                .open_child_cases(&actor, commitment, &OpenCases { list, agreed })
                .await?;
            out!("{n} cases opened");
        }
        ChildrenCommand::List { ctx, commitment } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.child_cases(&actor, commitment).await?)?;
        }
        ChildrenCommand::Step {
            ctx,
            person,
            state,
            note,
        } => {
            let (app, actor) = ctx.open().await?;
            let step = CaseStep {
                state: state.clone(),
                note,
            };
            app.step_child_case(&actor, person, &step).await?;
            out!("person {person}: {state}");
        }
    }
    Ok(())
}

/// Runs `homeward remains batches|batch|receive|identify|notified`.
pub async fn remains(command: RemainsCommand) -> anyhow::Result<()> {
    match command {
        RemainsCommand::Batches { ctx, commitment } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.batches(&actor, commitment).await?)?;
        }
        RemainsCommand::Batch {
            ctx,
            commitment,
            on,
            bodies,
            tags,
        } => {
            let (app, actor) = ctx.open().await?;
            let batch = BatchInput {
                handed_over_on: on,
                bodies,
                tags,
            };
            out!("{}", app.record_batch(&actor, commitment, &batch).await?);
        }
        RemainsCommand::Receive { ctx, batch, bodies } => {
            let (app, actor) = ctx.open().await?;
            let n = app
                .receive_batch(&actor, batch, &Receipt { bodies })
                .await?;
            out!("batch {batch}: {bodies} bodies counted, {n} remains registered");
        }
        RemainsCommand::Identify {
            ctx,
            person,
            identification,
            missing,
        } => {
            let (app, actor) = ctx.open().await?;
            let step = IdentificationStep {
                identification: identification.clone(),
                identified_as: missing,
            };
            app.identify_remains(&actor, person, &step).await?;
            out!("remains {person}: {identification}");
        }
        RemainsCommand::Notified { ctx, person } => {
            let (app, actor) = ctx.open().await?;
            app.family_notified(&actor, person).await?;
            out!("person {person}: family told");
        }
    }
    Ok(())
}
