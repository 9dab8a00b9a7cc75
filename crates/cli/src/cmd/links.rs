//! Links: reconciliation, the review queue and its decisions, duplicates.

use super::{Context, print_json};
use clap::Args;
use homeward_app::links::{DecisionInput, DuplicatesInput, ReconcileInput};
use homeward_app::query::LinkQuery;

/// The arguments of `homeward reconcile`.
#[derive(Debug, Args)]
pub struct Reconcile {
    #[command(flatten)]
    pub ctx: Context,
    /// The party's own request list.
    #[arg(long)]
    pub request: i64,
    /// The holding list it received.
    #[arg(long)]
    pub holding: i64,
    /// Pairs below this probability (against their records' other candidates) are not
    /// proposed [default: 0.05, the engine's review probability].
    #[arg(long)]
    pub lower: Option<f64>,
    /// Pairs at or above this probability are sure, marked likely (still to be
    /// confirmed) [default: 0.5].
    #[arg(long)]
    pub upper: Option<f64>,
}

/// The arguments of `homeward review`.
#[derive(Debug, Args)]
pub struct Review {
    #[command(flatten)]
    pub ctx: Context,
    /// The link to decide.
    #[arg(long, requires = "decision")]
    pub decide: Option<i64>,
    /// accept, reject, unsure, or undo (withdraw the decision: back to the queue).
    #[arg(long = "as")]
    pub decision: Option<String>,
    /// Which links to list: candidate, confirmed or rejected.
    #[arg(long, default_value = "candidate")]
    pub show: String,
    /// Only duplicates inside the register.
    #[arg(long)]
    pub duplicates: bool,
}

/// The arguments of `homeward duplicates`.
#[derive(Debug, Args)]
pub struct Duplicates {
    #[command(flatten)]
    pub ctx: Context,
    /// Only this category: pow, civilian, child or remains.
    #[arg(long)]
    pub category: Option<String>,
    /// Pairs below this probability are dropped.
    #[arg(long, default_value_t = 0.5)]
    pub lower: f64,
    /// Pairs at or above this probability are marked likely (still to be confirmed).
    #[arg(long, default_value_t = 0.95)]
    pub upper: f64,
}

/// Runs `homeward reconcile`.
pub async fn reconcile(args: Reconcile) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let input = ReconcileInput {
        request: args.request,
        holding: args.holding,
        lower: args.lower,
        upper: args.upper,
    };
    print_json(&app.reconcile(&actor, &input).await?)
}

/// Runs `homeward review`: a decision with `--decide`, else the links shown, one a line,
/// with both records read (and audited) as on the review page.
pub async fn review(args: Review) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    if let (Some(link), Some(decision)) = (args.decide, args.decision) {
        let outcome = app
            .decide_link(&actor, link, &DecisionInput { decision })
            .await?;
        return print_json(&outcome);
    }
    let query = LinkQuery {
        decision: Some(args.show),
        person: None,
        duplicates: args.duplicates.then_some(true),
    };
    let links = app.links(&actor, &query).await?;
    let sides = app.link_sides(&actor, &links, "review").await?;
    // One link a line, tab-separated: id, probability, the register record (as written,
    // romanised), the other record (as written, romanised, where it is), the evidence.
    for (l, s) in links.iter().zip(&sides) {
        out!(
            "{}\t{:.3}\t{} ({})\t{} ({})\t{}\t{}",
            l.id,
            l.probability,
            s.person,
            s.person_latin,
            s.other,
            s.other_latin,
            s.other_place,
            l.evidence
        );
    }
    Ok(())
}

/// Runs `homeward duplicates`.
pub async fn duplicates(args: Duplicates) -> anyhow::Result<()> {
    let (app, actor) = args.ctx.open().await?;
    let input = DuplicatesInput {
        category: args.category,
        lower: Some(args.lower),
        upper: Some(args.upper),
    };
    print_json(&app.find_duplicates(&actor, &input).await?)
}
