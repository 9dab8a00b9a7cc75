//! The register: a page of records, and search by any spelling.

use super::{Context, print_json};
use clap::Args;
use homeward_app::query::{PersonQuery, SearchParams};

/// The arguments of `homeward persons`.
#[derive(Debug, Args)]
pub struct Persons {
    #[command(flatten)]
    pub ctx: Context,
    /// Only this category: pow, civilian, child or remains.
    #[arg(long)]
    pub category: Option<String>,
    /// Only this status: missing, in_custody, held, returned or deceased.
    #[arg(long)]
    pub status: Option<String>,
    /// Only records imported from this list.
    #[arg(long)]
    pub list: Option<i64>,
    /// Page number, from 1.
    #[arg(long, default_value_t = 1)]
    pub page: i64,
    /// Records per page (1–500).
    #[arg(long, default_value_t = 50)]
    pub per_page: i64,
}

/// The arguments of `homeward search`.
#[derive(Debug, Args)]
pub struct Search {
    #[command(flatten)]
    pub ctx: Context,
    /// A name in any order, script and spelling.
    pub text: String,
    /// Only people born then (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    pub born: Option<String>,
    /// Most hits.
    #[arg(long, default_value_t = 20)]
    pub limit: i64,
    /// Why the search is made (kept in the read audit with every hit).
    #[arg(long)]
    pub purpose: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs `homeward persons`.
pub async fn persons(args: Persons) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let query = PersonQuery {
        category: args.category,
        status: args.status,
        list: args.list,
        page: Some(args.page),
        per_page: Some(args.per_page),
        ..PersonQuery::default()
    };
    print_json(&app.persons(&actor, &query).await?)
}

/// Runs `homeward search`: every hit shown is audited with the purpose given.
pub async fn search(args: Search) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let params = SearchParams {
        q: args.text,
        born: args.born,
        limit: Some(args.limit),
        purpose: args.purpose,
    };
    let hits = app.search(&actor, &params).await?;
    if args.json {
        return print_json(&hits);
    }
    for h in &hits {
        let r = &h.person.record;
        let born = r.shown("birth_date", r.birth_date.map(|d| d.to_string()));
        out!(
            "{}\t{}\t{born}\t{}\t{}",
            h.person.id,
            r.full_name(),
            h.score,
            h.agreed
        );
    }
    if hits.is_empty() {
        eprintln!("no one found");
    }
    Ok(())
}
