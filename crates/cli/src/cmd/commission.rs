//! The mixed medical commission: examinations and the commission's decisions.

use super::{Context, print_json};
use anyhow::bail;
use clap::Subcommand;
use homeward_core::commission::{NewExamination, NewFinding};

/// The mixed medical commission.
#[derive(Debug, Subcommand)]
pub enum CommissionCommand {
    /// Record the commission's examination of a prisoner of war the party holds.
    Examine {
        #[command(flatten)]
        ctx: Context,
        /// The commission's commitment.
        #[arg(long)]
        commitment: i64,
        /// The prisoner's record.
        #[arg(long)]
        person: i64,
        /// The day (YYYY-MM-DD).
        #[arg(long)]
        on: String,
        /// Where.
        #[arg(long)]
        place: String,
        /// A member present (repeated), as the commitment names them.
        #[arg(long = "present", required = true)]
        present: Vec<String>,
        /// Who proposed him (GC III art. 113): camp_doctor, compatriot_doctor,
        /// prisoners_representative, own_power or own_application.
        #[arg(long)]
        proposed_by: String,
    },
    /// Record the commission's decision on an examination: each present member's vote.
    Decide {
        #[command(flatten)]
        ctx: Context,
        /// The examination.
        examination: i64,
        /// A member's vote, MEMBER=VERDICT (repeated): repatriate, accommodate_neutral,
        /// reject or re_examine.
        #[arg(long = "vote", value_name = "MEMBER=VERDICT", required = true)]
        votes: Vec<String>,
        /// The Annex I category the decision rests on.
        #[arg(long)]
        grounds: Option<String>,
        /// The day of the decision (YYYY-MM-DD).
        #[arg(long)]
        on: String,
        /// The party's secret key file (or HOMEWARD_KEY): with it the finding is also stated,
        /// signed, to the other side and the mediator, and goes out with the relay.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
    },
    /// The examinations recorded under a commission (JSON).
    List {
        #[command(flatten)]
        ctx: Context,
        /// The commission's commitment.
        #[arg(long)]
        commitment: i64,
    },
}

/// Runs `homeward commission …`.
pub async fn commission(command: CommissionCommand) -> anyhow::Result<()> {
    match command {
        CommissionCommand::Examine {
            ctx,
            commitment,
            person,
            on,
            place,
            present,
            proposed_by,
        } => {
            let (app, actor) = ctx.open().await?;
            let examination = NewExamination {
                person,
                examined_on: on.parse()?,
                place,
                present,
                proposed_by: proposed_by.parse()?,
            };
            let id = app
                .record_examination(&actor, commitment, &examination)
                .await?;
            out!("examination {id} recorded");
            Ok(())
        }
        CommissionCommand::Decide {
            ctx,
            examination,
            votes,
            grounds,
            on,
            key,
        } => {
            let (app, actor) = super::keys::open_with_key(ctx, key.as_deref()).await?;
            let mut map = std::collections::BTreeMap::new();
            for v in &votes {
                let Some((member, verdict)) = v.rsplit_once('=') else {
                    bail!("--vote {v:?}: write MEMBER=VERDICT");
                };
                map.insert(member.trim().to_owned(), verdict.parse()?);
            }
            let finding = NewFinding {
                votes: map,
                grounds,
                decided_on: on.parse()?,
            };
            let verdict = app.record_finding(&actor, examination, &finding).await?;
            out!("examination {examination}: the commission decided by majority: {verdict}");
            Ok(())
        }
        CommissionCommand::List { ctx, commitment } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.examinations(&actor, commitment).await?)
        }
    }
}
