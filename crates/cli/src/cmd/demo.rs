//! `homeward demo`: a fresh demo store, seeded with the synthetic Istanbul round and served.

use anyhow::{Context as _, bail};
use clap::Args;
use homeward_app::App;
use homeward_store::{Location, OpenMode, Store};
use std::net::SocketAddr;

/// The arguments of `homeward demo`.
#[derive(Debug, Args)]
pub struct Demo {
    /// The SQLite file to create (an existing demo store there is replaced).
    #[arg(long, default_value = "homeward-demo.db")]
    pub db: String,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Size of the synthetic registers relative to the full demo (1.0 ≈ 8,700 records).
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,
    /// Seed the store and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// Runs `homeward demo`: replaces an earlier demo store (and nothing else), seeds it, plays
/// the exchange, prints the tokens and, unless `--no-serve`, serves it.
pub async fn run(args: Demo) -> anyhow::Result<()> {
    let location: Location = args.db.parse()?;
    let Location::Sqlite(path) = &location else {
        return Err(homeward_core::Error::invalid(
            "--db",
            "the demo runs on an embedded SQLite file; give --db a file path",
        )
        .into());
    };
    if !(0.001..=10.0).contains(&args.scale) {
        return Err(
            homeward_core::Error::invalid("--scale", "must be between 0.001 and 10").into(),
        );
    }
    if path.exists() {
        if Store::peek_sqlite_meta(path, "purpose").await.as_deref() != Some("demo") {
            bail!(
                "{} exists and is not a homeward demo store; it was left untouched. Choose another --db or move the file away",
                path.display()
            );
        }
        for suffix in ["", "-wal", "-shm"] {
            let file = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
            if file.exists() {
                std::fs::remove_file(&file)
                    .with_context(|| format!("removing the old demo store {}", file.display()))?;
            }
        }
    }
    // Take the address before spending time on seeding; a demo that will not serve needs
    // none, so that it runs beside another demo serving on the same address.
    let listener = if args.no_serve {
        None
    } else {
        Some(std::net::TcpListener::bind(args.addr).map_err(|e| {
            anyhow::anyhow!(
                "the address {} cannot be used ({e}); stop the program using it or choose another with --addr",
                args.addr
            )
        })?)
    };
    let app = App::new(Store::open(&location, OpenMode::CreateIfMissing).await?);
    eprintln!(
        "seeding the synthetic Istanbul scenario into {} …",
        path.display()
    );
    let demo = homeward_demo::play(&app, homeward_demo::Scale(args.scale)).await?;
    out!("homeward demo — every person in this store is synthetic");
    for (party, n) in &demo.seeded.records {
        out!("  register of {party}: {n} records");
    }
    out!(
        "  UA reconciled its lists with RU's: {} links, {} confirmed by its reviewers, the rest waiting on the review page",
        demo.exchange.proposed,
        demo.exchange.confirmed
    );
    out!(
        "  exchange plan {}: {} stages, {} people each way; stages 1 and 2 executed",
        demo.exchange.plan,
        demo.exchange.stages,
        demo.exchange.each_way
    );
    out!(
        "API tokens (sign in on the web page with any of them, or send `Authorization: Bearer TOKEN`):"
    );
    for (party, role, token) in &demo.seeded.tokens {
        out!("  {:<3} {:<10} {token}", party.as_str(), role.as_str());
    }
    let Some(listener) = listener else {
        return Ok(());
    };
    // Released just before serving binds it again.
    drop(listener);
    homeward_server::serve(app, args.addr, |bound| {
        out!("open http://{bound}/ (Ctrl-C to stop)");
    })
    .await?;
    Ok(())
}
