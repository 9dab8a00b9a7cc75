//! Peers and the relay: the other parties' servers, and what went to them and came back.

use super::{Context, print_json};
use clap::Subcommand;
use homeward_app::relay::{PeerInput, RelayPace};
use homeward_server::relay::HttpCourier;
use std::time::Duration;

/// Peers.
#[derive(Debug, Subcommand)]
pub enum PeerCommand {
    /// Add another party's server as a peer, or move it (admins). Its key must be pinned
    /// first (`homeward key pin`): a delivery's signature is the only credential a peer
    /// presents.
    Add {
        #[command(flatten)]
        ctx: Context,
        /// The other party.
        #[arg(long)]
        party: String,
        /// Where its server answers from this machine: http://127.0.0.1:PORT, the near end
        /// of a TLS tunnel to it.
        #[arg(long)]
        url: String,
    },
    /// The peers (JSON).
    List {
        #[command(flatten)]
        ctx: Context,
    },
}

/// The relay.
#[derive(Debug, Subcommand)]
pub enum RelayCommand {
    /// What the relay holds (JSON): every delivery sent — waiting with its last error and
    /// next try, delivered with what the receiver did, refused with why — and every one
    /// received.
    Status {
        #[command(flatten)]
        ctx: Context,
    },
    /// The signed receipts the party holds (JSON).
    Receipts {
        #[command(flatten)]
        ctx: Context,
    },
    /// The signed statements the party holds (JSON): its own and those addressed to it,
    /// newest first, each with who counter-signed it.
    Statements {
        #[command(flatten)]
        ctx: Context,
        /// Only this kind (`commission.finding`).
        #[arg(long)]
        kind: Option<String>,
    },
    /// Push the deliveries that are due now, as a running server's courier does on its own
    /// (admins; the server's key signs them).
    Push {
        #[command(flatten)]
        ctx: Context,
        /// The party's secret key file; or set HOMEWARD_KEY.
        #[arg(long)]
        key: Option<std::path::PathBuf>,
        /// Seconds a peer has to answer.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
    },
}

/// Runs `homeward peer add|list`.
pub async fn peer(command: PeerCommand) -> anyhow::Result<()> {
    match command {
        PeerCommand::Add { ctx, party, url } => {
            let (app, actor) = ctx.open().await?;
            let peer = PeerInput {
                party: party.parse()?,
                base_url: url,
            };
            app.add_peer(&actor, &peer).await?;
            out!("{party}: peer at {}", peer.base_url.trim());
        }
        PeerCommand::List { ctx } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.relay_view(&actor).await?.peers)?;
        }
    }
    Ok(())
}

/// Runs `homeward relay status|receipts|statements|push`.
pub async fn relay(command: RelayCommand) -> anyhow::Result<()> {
    match command {
        RelayCommand::Status { ctx } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.relay_view(&actor).await?)?;
        }
        RelayCommand::Receipts { ctx } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.receipts(&actor).await?)?;
        }
        RelayCommand::Statements { ctx, kind } => {
            let (app, actor) = ctx.open().await?;
            print_json(&app.statements(&actor, kind.as_deref()).await?)?;
        }
        RelayCommand::Push { ctx, key, timeout } => {
            let key = super::keys::load(key.as_deref())?;
            let (app, actor) = ctx.open().await?;
            let courier = HttpCourier::new(Duration::from_secs(timeout))?;
            let round = app
                .with_key(key)
                .push_deliveries(&actor, &courier, RelayPace::default())
                .await?;
            out!(
                "{} delivered, {} waiting, {} refused",
                round.delivered,
                round.waiting,
                round.refused
            );
        }
    }
    Ok(())
}
