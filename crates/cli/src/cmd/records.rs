//! One record at a time: entered by hand, corrected field by field with its provenance, and
//! its history.

use super::{Context, print_json};
use anyhow::bail;
use clap::Args;
use homeward_app::{RecordCorrection, RecordEntry};
use homeward_core::correction::{Provenance, SourceKind};
use std::collections::BTreeMap;

/// Why a record is entered or changed, and on what.
#[derive(Debug, Args)]
pub struct Why {
    /// Why, in your words (kept in the record's history).
    #[arg(long)]
    pub reason: String,
    /// What the change rests on: document, call, list_row, commission or observation.
    #[arg(long)]
    pub source: String,
    /// Which document, call or row (a number, a date).
    #[arg(long)]
    pub reference: Option<String>,
}

impl Why {
    /// The provenance these arguments give.
    pub fn provenance(&self) -> anyhow::Result<Provenance> {
        Ok(Provenance {
            reason: self.reason.clone(),
            source: self.source.parse::<SourceKind>()?,
            reference: self.reference.clone(),
        })
    }
}

/// The arguments of `homeward enter`.
#[derive(Debug, Args)]
pub struct Enter {
    #[command(flatten)]
    pub ctx: Context,
    /// sought (one of the party's own people) or held (a person the party holds).
    #[arg(long)]
    pub relation: String,
    /// The status, when not the relation's own (missing for the sought, held for the held).
    #[arg(long)]
    pub status: Option<String>,
    /// A field and its value, FIELD=VALUE (repeated): category=pow surname=Ткачук
    /// birth_date=1999-04-02 … (`homeward enter --help` lists nothing more: the fields are
    /// those of a record's JSON).
    #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
    pub set: Vec<String>,
    /// Mark the record as made up for demonstration or testing.
    #[arg(long)]
    pub synthetic: bool,
    #[command(flatten)]
    pub why: Why,
}

/// The arguments of `homeward correct`.
#[derive(Debug, Args)]
pub struct Correct {
    #[command(flatten)]
    pub ctx: Context,
    /// The record.
    pub id: i64,
    /// A field and its new value, FIELD=VALUE (repeated); FIELD= empties it.
    #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
    pub set: Vec<String>,
    #[command(flatten)]
    pub why: Why,
}

/// The arguments of `homeward history`.
#[derive(Debug, Args)]
pub struct History {
    #[command(flatten)]
    pub ctx: Context,
    /// The record.
    pub id: i64,
    /// Why it is opened (kept in the read audit).
    #[arg(long)]
    pub purpose: Option<String>,
}

/// `FIELD=VALUE` pairs as a map; an empty value empties the field.
pub fn fields(pairs: &[String]) -> anyhow::Result<BTreeMap<String, Option<String>>> {
    let mut map = BTreeMap::new();
    for pair in pairs {
        let Some((field, value)) = pair.split_once('=') else {
            bail!("--set {pair:?}: write FIELD=VALUE, e.g. --set surname=Ткачук");
        };
        let value = (!value.trim().is_empty()).then(|| value.to_owned());
        if map.insert(field.trim().to_owned(), value).is_some() {
            bail!("--set {field}: the field is named twice");
        }
    }
    Ok(map)
}

/// Runs `homeward enter`: prints the new record's id.
pub async fn enter(args: Enter) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let entry = RecordEntry {
        relation: args.relation.parse()?,
        status: args.status.as_deref().map(str::parse).transpose()?,
        synthetic: args.synthetic,
        fields: fields(&args.set)?,
        provenance: args.why.provenance()?,
    };
    let id = app.enter_record(&actor, &entry).await?;
    out!("record {id} entered");
    Ok(())
}

/// Runs `homeward correct`: prints each field changed, before and after.
pub async fn correct(args: Correct) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let correction = RecordCorrection {
        set: fields(&args.set)?,
        provenance: args.why.provenance()?,
    };
    let outcome = app.correct_record(&actor, args.id, &correction).await?;
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "(empty)".to_owned());
    for c in &outcome.changed {
        out!("{}: {} → {}", c.field, shown(&c.before), shown(&c.after));
    }
    for link in &outcome.links_back_to_review {
        out!("link {link}: its evidence changed; back for review");
    }
    Ok(())
}

/// Runs `homeward story`: where a record's person has been (JSON; audited).
pub async fn story(args: History) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let (_, story) = app
        .person_story(&actor, args.id, args.purpose.as_deref())
        .await?;
    print_json(&story)
}

/// Runs `homeward history` (JSON).
pub async fn history(args: History) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    print_json(
        &app.record_history(&actor, args.id, args.purpose.as_deref())
            .await?,
    )
}
