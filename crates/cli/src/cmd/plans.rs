//! Exchange plans and the execution of their stages.

use super::{Context, print_json};
use clap::{Args, Subcommand};
use homeward_app::plans::{MovementInput, ParityNote, PlanParams};
use std::path::PathBuf;

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
        /// The party's secret key file (or HOMEWARD_KEY): a plan shared with the other side
        /// states each move to it and the mediator, signed.
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Move everyone of the stage who can take one step: hand over all planned people the
    /// party holds (--to handed_over), or confirm receipt of all handed over to it (--to
    /// received).
    Batch {
        #[command(flatten)]
        ctx: Context,
        /// The stage.
        #[arg(long)]
        stage: i64,
        /// The stage's commitment.
        #[arg(long)]
        commitment: i64,
        /// handed_over or received.
        #[arg(long = "to")]
        movement: String,
        /// The party's secret key file (or HOMEWARD_KEY), for a shared plan.
        #[arg(long)]
        key: Option<PathBuf>,
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
        /// The party's secret key file (or HOMEWARD_KEY), for a shared plan.
        #[arg(long)]
        key: Option<PathBuf>,
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

/// `homeward shared-plan`: a plan agreed between the sides' own servers, each step a
/// signed statement through the mediator.
#[derive(Debug, Subcommand)]
pub enum SharedPlanCommand {
    /// Propose the party's plan to the other side and the mediator (a negotiator of the
    /// side that made it).
    Propose {
        #[command(flatten)]
        ctx: Context,
        /// The plan, as `homeward plan --show` shows it.
        #[arg(long)]
        plan: i64,
        /// The party's secret key file (or HOMEWARD_KEY).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Accept the other side's proposed plan (the party's copy of it).
    Accept {
        #[command(flatten)]
        ctx: Context,
        /// The party's copy of the plan.
        #[arg(long)]
        plan: i64,
        /// The party's secret key file (or HOMEWARD_KEY).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Co-sign an accepted plan (the mediator).
    Cosign {
        #[command(flatten)]
        ctx: Context,
        /// The plan's proposal, by its SHA-256.
        #[arg(long)]
        proposal: String,
        /// The party's secret key file (or HOMEWARD_KEY).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// Close a stage of a shared plan, counted from what the sides stated (the mediator).
    Close {
        #[command(flatten)]
        ctx: Context,
        /// The plan's proposal, by its SHA-256.
        #[arg(long)]
        proposal: String,
        /// The stage's number.
        #[arg(long)]
        stage: i64,
        /// The party's secret key file (or HOMEWARD_KEY).
        #[arg(long)]
        key: Option<PathBuf>,
    },
    /// The shared plans the party holds, as their statements say, with each side's count
    /// of every closed stage (JSON).
    Show {
        #[command(flatten)]
        ctx: Context,
    },
}

/// Runs `homeward shared-plan propose|accept|cosign|close|show`.
pub async fn shared_plan(command: SharedPlanCommand) -> anyhow::Result<()> {
    match command {
        SharedPlanCommand::Propose { ctx, plan, key } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
            let sha = app.propose_plan(&actor, plan).await?;
            out!("plan {plan} proposed: statement {sha}");
        }
        SharedPlanCommand::Accept { ctx, plan, key } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
            let sha = app.accept_plan(&actor, plan).await?;
            out!("plan {plan} accepted: statement {sha}");
        }
        SharedPlanCommand::Cosign { ctx, proposal, key } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
            let sha = app.cosign_plan(&actor, &proposal).await?;
            out!("plan {proposal} co-signed: statement {sha}");
        }
        SharedPlanCommand::Close {
            ctx,
            proposal,
            stage,
            key,
        } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
            print_json(&app.close_stated_stage(&actor, &proposal, stage).await?)?;
        }
        SharedPlanCommand::Show { ctx } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.stated_plans(&actor).await?)?;
        }
    }
    Ok(())
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
            key,
        } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
            let input = MovementInput {
                person,
                movement: movement.clone(),
                reason,
            };
            app.move_person(&actor, stage, &input).await?;
            out!("stage {stage}: person {person} {movement}");
        }
        StageCommand::Batch {
            ctx,
            stage,
            commitment,
            movement,
            key,
        } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
            let batch = homeward_app::sheet::StageBatch {
                commitment,
                movement: movement.clone(),
            };
            let moved = app.move_stage(&actor, stage, &batch).await?;
            out!("stage {stage}: {} people {movement}", moved.moved);
        }
        StageCommand::Note {
            ctx,
            stage,
            note,
            key,
        } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
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
