//! Key files: the one place a party's secret key touches the disk. A key file is created
//! readable by its owner only, and refused when anyone else could read it.

use anyhow::{Context as _, bail};
use homeward_ledger::keys::PartyKey;
use std::path::Path;

/// The environment variable that may hold a secret key's text instead of a file.
pub const KEY_ENV: &str = "HOMEWARD_KEY";

/// Creates a new key in a new file (never over an existing one), mode 0600.
pub fn create(path: &Path) -> anyhow::Result<PartyKey> {
    use rand::RngExt as _;
    let key = PartyKey::from_seed(rand::rng().random());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path).with_context(|| {
        format!(
            "cannot create the key file {} (an existing file is never overwritten)",
            path.display()
        )
    })?;
    std::io::Write::write_all(&mut file, key.to_text().as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(key)
}

/// Reads the key from `path`, or from the environment when no path is given.
pub fn load(path: Option<&Path>) -> anyhow::Result<PartyKey> {
    load_if_given(path)?.ok_or_else(|| {
        homeward_core::Error::invalid(
            "--key",
            format!("give --key FILE or set {KEY_ENV} to the key's text"),
        )
        .into()
    })
}

/// Opens the store as the token's user, with the party's key when one is given (or in
/// HOMEWARD_KEY): the steps that state something to other parties sign with it.
pub async fn open_with_key(
    ctx: super::Context,
    key: Option<&Path>,
) -> anyhow::Result<(homeward_app::App, homeward_core::access::Actor)> {
    let (app, actor) = ctx.open().await?;
    let app = match load_if_given(key)? {
        Some(key) => app.with_key(key),
        None => app,
    };
    Ok((app, actor))
}

/// Reads the key from `path`, or from the environment when no path is given; none when
/// neither gives one.
pub fn load_if_given(path: Option<&Path>) -> anyhow::Result<Option<PartyKey>> {
    let Some(path) = path else {
        return match std::env::var(KEY_ENV) {
            Ok(text) => PartyKey::from_text(&text).context(KEY_ENV).map(Some),
            Err(_) => Ok(None),
        };
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("cannot read the key file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "the key file {} can be read by others (mode {:o}); nothing was signed. Run: chmod 600 {}",
                path.display(),
                mode & 0o777,
                path.display()
            );
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the key file {}", path.display()))?;
    PartyKey::from_text(&text)
        .with_context(|| format!("{}", path.display()))
        .map(Some)
}
