//! `homeward demo`: the synthetic Istanbul round on three parties' own servers, its lists
//! relayed through the mediator's; or, with `--single`, in one store served by one server.

use super::keys;
use anyhow::{Context as _, bail};
use clap::Args;
use homeward_app::App;
use homeward_demo::relayed::{self, OwnServer};
use homeward_store::{Location, OpenMode, Store};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

/// The arguments of `homeward demo`.
#[derive(Debug, Args)]
pub struct Demo {
    /// One store holding all three parties, served by one server, with the whole exchange
    /// played in it (stages executed, remains handed over), instead of three servers.
    #[arg(long)]
    pub single: bool,
    /// The folder of the three servers' stores and keys (earlier demo stores and keys in it
    /// are replaced, nothing else).
    #[arg(long, default_value = "homeward-demo", conflicts_with = "db")]
    pub dir: std::path::PathBuf,
    /// With --single: the SQLite file to create (an existing demo store there is replaced).
    #[arg(long, default_value = "homeward-demo.db", requires = "single")]
    pub db: String,
    /// Where to listen: UA's server on this port, RU's on the next, TR's on the one after
    /// (with --single, the one server).
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
    if !(0.001..=10.0).contains(&args.scale) {
        return Err(
            homeward_core::Error::invalid("--scale", "must be between 0.001 and 10").into(),
        );
    }
    if args.single {
        single(args).await
    } else {
        three_servers(args).await
    }
}

/// Replaces the demo store at `path` (and its journals), refusing a file that is not one.
async fn replace_demo_store(path: &Path) -> anyhow::Result<()> {
    if !path.exists() {
        return Ok(());
    }
    if Store::peek_sqlite_meta(path, "purpose").await.as_deref() != Some("demo") {
        bail!(
            "{} exists and is not a homeward demo store; it was left untouched. Choose another place or move the file away",
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
    Ok(())
}

/// Takes `addr` before any time is spent on seeding.
fn take(addr: SocketAddr) -> anyhow::Result<std::net::TcpListener> {
    std::net::TcpListener::bind(addr).map_err(|e| {
        anyhow::anyhow!(
            "the address {addr} cannot be used ({e}); stop the program using it or choose another with --addr"
        )
    })
}

/// A listener taken early, handed to the server's runtime.
fn tokio_listener(listener: std::net::TcpListener) -> anyhow::Result<tokio::net::TcpListener> {
    listener.set_nonblocking(true)?;
    Ok(tokio::net::TcpListener::from_std(listener)?)
}

/// The parties of the three-server demo, in the order of their ports.
const PARTIES: [&str; 3] = ["UA", "RU", "TR"];

/// `homeward demo`: Ukraine's, Russia's and Türkiye's own servers, each over its own store
/// with its own key; the lists are signed and relayed through the mediator's server.
async fn three_servers(args: Demo) -> anyhow::Result<()> {
    let dir = &args.dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("creating the demo folder {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("making {} its owner's only", dir.display()))?;
    }
    let file = |party: &str, ext: &str| dir.join(format!("{}.{ext}", party.to_lowercase()));
    // Every old store is checked before anything is removed.
    for party in PARTIES {
        let db = file(party, "db");
        if db.exists() && Store::peek_sqlite_meta(&db, "purpose").await.as_deref() != Some("demo") {
            bail!(
                "{} exists and is not a homeward demo store; nothing was changed. Choose another --dir or move the file away",
                db.display()
            );
        }
    }
    let mut listeners = Vec::new();
    for (i, _) in PARTIES.iter().enumerate() {
        // Port 0 (and --no-serve) lets the system choose each server's port.
        let addr = if args.no_serve || args.addr.port() == 0 {
            SocketAddr::new(args.addr.ip(), 0)
        } else {
            let port = args.addr.port().checked_add(i as u16).ok_or_else(|| {
                homeward_core::Error::invalid("--addr", "the three ports must fit below 65536")
            })?;
            SocketAddr::new(args.addr.ip(), port)
        };
        listeners.push(take(addr)?);
    }
    let mut servers = Vec::new();
    let mut serving = Vec::new();
    for (party, listener) in PARTIES.into_iter().zip(listeners) {
        let db = file(party, "db");
        replace_demo_store(&db).await?;
        let key_file = file(party, "key");
        if key_file.exists() {
            std::fs::remove_file(&key_file)
                .with_context(|| format!("removing the old demo key {}", key_file.display()))?;
        }
        let key = keys::create(&key_file)?;
        let public_key = key.public_hex();
        let location = Location::Sqlite(db.clone());
        let app = App::new(Store::open(&location, OpenMode::CreateIfMissing).await?).with_key(key);
        let bound = listener.local_addr()?;
        let listener = tokio_listener(listener)?;
        serving.push(tokio::spawn(homeward_server::serve_on(
            app.clone(),
            listener,
        )));
        servers.push(OwnServer {
            party: party.parse()?,
            app,
            base_url: format!("http://{bound}"),
            public_key,
        });
    }
    eprintln!(
        "seeding each party's own store in {} and relaying the lists through TR …",
        dir.display()
    );
    let run = relayed::play_relayed(
        &servers,
        homeward_demo::Scale(args.scale),
        Duration::from_secs(300),
    )
    .await?;
    out!("homeward demo — three parties' own servers; every person in their stores is synthetic");
    for s in &servers {
        out!(
            "  {}  {}/  store {}, key {}",
            s.party,
            s.base_url,
            file(s.party.as_str(), "db").display(),
            file(s.party.as_str(), "key").display()
        );
    }
    for (party, seeded) in &run.seeded {
        for (_, n) in &seeded.records {
            out!("  register of {party}, on its own server: {n} records");
        }
    }
    for (party, title) in &run.signed {
        out!("  signed by {party}, counter-signed by TR, delivered: {title}");
    }
    out!(
        "  {} deliveries, each acknowledged by a signed receipt",
        run.deliveries
    );
    out!(
        "  UA reconciled on its own store: {} links, {} confirmed, the rest waiting on its review page",
        run.ua.proposed,
        run.ua.confirmed
    );
    out!(
        "  RU reconciled on its own store: {} links, {} confirmed",
        run.ru.proposed,
        run.ru.confirmed
    );
    out!(
        "  UA's exchange plan {}: {} stages, {} people each way; proposed to RU, accepted by RU, co-signed by TR (proposal {})",
        run.ua.plan,
        run.ua.stages,
        run.ua.each_way,
        run.shared.proposal.get(..12).unwrap_or_default()
    );
    out!(
        "  {} stages executed on each side's own server and closed by TR; every step a signed statement through TR",
        run.shared.closed
    );
    for (from, to, bodies) in &run.shared.bodies {
        out!(
            "  remains: {from} handed {bodies} bodies over to {to} with their manifest; {to} counted them on its own server"
        );
    }
    out!(
        "API tokens (each works on its own party's server; sign in on its page, or send `Authorization: Bearer TOKEN`):"
    );
    for (s, (_, seeded)) in servers.iter().zip(&run.seeded) {
        for (party, role, token) in &seeded.tokens {
            out!(
                "  {:<3} {:<10} {token}  {}/",
                party.as_str(),
                role.as_str(),
                s.base_url
            );
        }
    }
    if args.no_serve {
        for task in &serving {
            task.abort();
        }
        return Ok(());
    }
    out!(
        "open {}/ (UA), {}/ (RU), {}/ (TR); Ctrl-C stops all three",
        servers[0].base_url,
        servers[1].base_url,
        servers[2].base_url
    );
    for task in serving {
        task.await.context("a demo server stopped")??;
    }
    Ok(())
}

/// `homeward demo --single`: one store holding all three parties, served by one server.
async fn single(args: Demo) -> anyhow::Result<()> {
    let location: Location = args.db.parse()?;
    let Location::Sqlite(path) = &location else {
        return Err(homeward_core::Error::invalid(
            "--db",
            "the demo runs on an embedded SQLite file; give --db a file path",
        )
        .into());
    };
    replace_demo_store(path).await?;
    // Take the address before spending time on seeding; a demo that will not serve needs
    // none, so that it runs beside another demo serving on the same address.
    let listener = if args.no_serve {
        None
    } else {
        Some(take(args.addr)?)
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
    out!("open http://{}/ (Ctrl-C to stop)", listener.local_addr()?);
    homeward_server::serve_on(app, tokio_listener(listener)?).await?;
    Ok(())
}
