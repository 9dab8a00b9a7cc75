//! Families' enquiries: taken on a call, listed (those to answer first), answered.

use super::records::{Why, fields};
use super::{Context, print_json};
use anyhow::bail;
use clap::Subcommand;
use homeward_app::{EnquiryInput, RecordEntry};
use homeward_core::enquiry::{Answer, NewEnquiry};
use homeward_core::protection::Purpose;

/// Families' enquiries.
#[derive(Debug, Subcommand)]
pub enum EnquiryCommand {
    /// Record a family's enquiry about a sought record (--person), or about someone the
    /// register does not hold yet (--set FIELD=VALUE …, with --reason and --source).
    Add {
        #[command(flatten)]
        ctx: Context,
        /// The sought record the family asks about.
        #[arg(long)]
        person: Option<i64>,
        /// Who asked, as they gave their name.
        #[arg(long)]
        asked_by: String,
        /// How to reach them.
        #[arg(long)]
        contact: String,
        /// Their kinship: parent, spouse, child, sibling, other_relative or other.
        #[arg(long)]
        kinship: String,
        /// What they agree the request may be used for: search, share_mediator,
        /// share_other_party, comma-separated; `none` when they agree to nothing.
        #[arg(long)]
        consent: String,
        /// Anything else they said.
        #[arg(long)]
        note: Option<String>,
        /// For a new record: a field and its value, FIELD=VALUE (repeated; category= is
        /// needed).
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
        /// For a new record: mark it as made up for a demonstration or a test.
        #[arg(long)]
        synthetic: bool,
        /// For a new record: why it is entered.
        #[arg(long)]
        reason: Option<String>,
        /// For a new record: what it rests on (usually call).
        #[arg(long)]
        source: Option<String>,
    },
    /// The enquiries (JSON), those with news the family has not been told first.
    List {
        #[command(flatten)]
        ctx: Context,
        /// Closed ones too.
        #[arg(long)]
        all: bool,
    },
    /// One enquiry with the record it is about (JSON; the opening is audited).
    Show {
        #[command(flatten)]
        ctx: Context,
        /// The enquiry.
        id: i64,
    },
    /// Record what the family was told.
    Answer {
        #[command(flatten)]
        ctx: Context,
        /// The enquiry.
        id: i64,
        /// What they were told.
        #[arg(long)]
        told: String,
        /// Close the enquiry with this answer.
        #[arg(long)]
        close: bool,
    },
}

fn consent_of(text: &str) -> anyhow::Result<Vec<Purpose>> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    Ok(text
        .split(',')
        .filter(|p| !p.trim().is_empty())
        .map(str::parse)
        .collect::<Result<_, _>>()?)
}

/// Runs `homeward enquiry …`.
pub async fn enquiry(command: EnquiryCommand) -> anyhow::Result<()> {
    match command {
        EnquiryCommand::Add {
            ctx,
            person,
            asked_by,
            contact,
            kinship,
            consent,
            note,
            set,
            synthetic,
            reason,
            source,
        } => {
            let (app, actor) = ctx.open().await?;
            let new_person = match (person, set.is_empty()) {
                (Some(_), true) => None,
                (None, false) => {
                    let why = Why {
                        reason: reason.unwrap_or_default(),
                        source: source.unwrap_or_else(|| "call".to_owned()),
                        reference: None,
                    };
                    Some(RecordEntry {
                        relation: homeward_core::record::Relation::Sought,
                        status: None,
                        synthetic,
                        fields: fields(&set)?,
                        provenance: why.provenance()?,
                    })
                }
                _ => {
                    bail!("name the record (--person ID) or describe a new one (--set …), not both")
                }
            };
            let input = EnquiryInput {
                person,
                new_person,
                enquiry: NewEnquiry {
                    asked_by,
                    contact,
                    kinship: kinship.parse()?,
                    consent: Some(consent_of(&consent)?),
                    note,
                },
            };
            let done = app.record_enquiry(&actor, &input).await?;
            out!(
                "enquiry {} recorded about record {}",
                done.enquiry,
                done.person
            );
            Ok(())
        }
        EnquiryCommand::List { ctx, all } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.enquiries(&actor, !all, None).await?)
        }
        EnquiryCommand::Show { ctx, id } => {
            let (app, actor) = ctx.open().await?;
            let (enquiry, person) = app.enquiry(&actor, id).await?;
            print_json(&serde_json::json!({ "enquiry": enquiry, "person": person }))
        }
        EnquiryCommand::Answer {
            ctx,
            id,
            told,
            close,
        } => {
            let (app, actor) = ctx.open().await?;
            app.answer_enquiry(
                &actor,
                id,
                &Answer {
                    told,
                    closes: close,
                },
            )
            .await?;
            out!(
                "enquiry {id}: answer recorded{}",
                if close { ", closed" } else { "" }
            );
            Ok(())
        }
    }
}
