//! `homeward serve`: the web pages and the JSON API over a store.

use super::Db;
use clap::Args;
use homeward_store::OpenMode;
use std::net::SocketAddr;

/// The arguments of `homeward serve`.
#[derive(Debug, Args)]
pub struct Serve {
    #[command(flatten)]
    pub db: Db,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The party's secret key file, for signing lists, tree heads and counter-signatures
    /// from the API and the pages; or set HOMEWARD_KEY. Without one the server signs
    /// nothing.
    #[arg(long)]
    pub key: Option<std::path::PathBuf>,
}

/// Runs `homeward serve`.
pub async fn run(args: Serve) -> anyhow::Result<()> {
    let key = super::keys::load_if_given(args.key.as_deref())?;
    let store = args.db.open(OpenMode::MustExist).await?;
    let location = args.db.location()?;
    let app = homeward_app::App::new(store);
    let app = match key {
        Some(key) => app.with_key(key),
        None => app,
    };
    homeward_server::serve(app, args.addr, |bound| {
        out!("homeward serving {location} at http://{bound}/");
    })
    .await?;
    Ok(())
}
