//! Exchange plans and the execution of their stages.

use super::{Context, print_json};
use clap::{Args, Subcommand};
use homeward_app::plans::{MovementInput, ParityNote, PlanParams};

/// The arguments of `homeward plan`.
#[derive(Debug, Args)]
pub struct Plan {
    #[command(flatten)]
    pub ctx: Context,
    /// The commitment.
    #[arg(long)]
    pub commitment: i64,
    /// People each way in one stage.
    #[arg(long, required_unless_present = "show")]
    pub stage_size: Option<u32>,
    /// Stage dates in order, comma-separated (YYYY-MM-DD).
    #[arg(long, value_delimiter = ',')]
    pub dates: Vec<String>,
    /// Plan the extra tranche too.
    #[arg(long)]
    pub extra: bool,
    /// Print the current plan instead of making one.
    #[arg(long)]
    pub show: bool,
}

#[derive(Debug, Subcommand)]
pub enum StageCommand {
    /// Move a person of the stage on: handed_over (the holding party), received (the
    /// receiving party) or withdrawn with --reason (either).
    Move {
        #[command(flatten)]
        ctx: Context,
        /// The stage.
        #[arg(long)]
        stage: i64,
        /// The person's record, as the plan shows it.
        #[arg(long)]
        person: i64,
        /// handed_over, received or withdrawn.
        #[arg(long = "to")]
        movement: String,
        /// Why withdrawn.
        #[arg(long)]
        reason: Option<String>,
    },
    /// Record why the stage's parity is broken (a negotiator of a side).
    Note {
        #[command(flatten)]
        ctx: Context,
        /// The stage.
        #[arg(long)]
        stage: i64,
        /// The reason.
        #[arg(long)]
        note: String,
    },
    /// Co-confirm and close the stage (the mediator).
    Close {
        #[command(flatten)]
        ctx: Context,
        /// The stage.
        #[arg(long)]
        stage: i64,
    },
}

/// Runs `homeward plan`: makes a plan, or with `--show` prints the current one.
pub async fn plan(args: Plan) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    if args.show {
        return print_json(&app.plan_of(&actor, args.commitment).await?);
    }
    let params = PlanParams {
        stage_size: args.stage_size.unwrap_or(0),
        stage_dates: args.dates,
        include_extra: args.extra,
    };
    print_json(&app.make_plan(&actor, args.commitment, &params).await?)
}

/// Runs `homeward stage move|note|close`.
pub async fn stage(command: StageCommand) -> anyhow::Result<()> {
    match command {
        StageCommand::Move {
            ctx,
            stage,
            person,
            movement,
            reason,
        } => {
            let (app, actor) = ctx.open().await?;
            let input = MovementInput {
                person,
                movement: movement.clone(),
                reason,
            };
            app.move_person(&actor, stage, &input).await?;
            out!("stage {stage}: person {person} {movement}");
        }
        StageCommand::Note { ctx, stage, note } => {
            let (app, actor) = ctx.open().await?;
            app.note_parity(&actor, stage, &ParityNote { note }).await?;
            out!("stage {stage}: parity note recorded");
        }
        StageCommand::Close { ctx, stage } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.close_stage(&actor, stage).await?)?;
        }
    }
    Ok(())
}
