//! The party's administration: parties, users, tokens — local acts of whoever holds the store, recorded as such.

use super::Db;
use clap::Subcommand;
use homeward_app::{Acting, App, HashCost, ThrottleScope, hash_password, wait_message};
use homeward_core::access::Role;
use homeward_core::party::{Party, PartyCode, PartyKind};
use homeward_store::OpenMode;

#[derive(Debug, Subcommand)]
pub enum PartyCommand {
    /// Register a party (creates the store if it does not exist).
    Add {
        #[command(flatten)]
        db: Db,
        /// Short code, e.g. UA.
        #[arg(long)]
        code: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// belligerent, mediator or observer.
        #[arg(long, default_value = "belligerent")]
        kind: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user of a party. The password, if any, is read from the environment
    /// variable HOMEWARD_PASSWORD so that it stays out of the shell history.
    Create {
        #[command(flatten)]
        db: Db,
        /// The user's party.
        #[arg(long)]
        party: String,
        /// Login name.
        #[arg(long)]
        name: String,
        /// Roles, comma-separated: viewer, operator, reviewer, negotiator, auditor, admin.
        #[arg(long, value_delimiter = ',', required = true)]
        role: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a new API token for a user of PARTY with ROLE (the user PARTY-ROLE is created
    /// if it does not exist).
    Create {
        #[command(flatten)]
        db: Db,
        /// The party.
        #[arg(long)]
        party: String,
        /// The role the token's user holds.
        #[arg(long)]
        role: String,
        /// The user to issue it to (default: the party code and role, e.g. ua-operator).
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SignInCommand {
    /// List the sign-in locks in force: the party's user names and the addresses locked
    /// after too many failed sign-ins (JSON with --json).
    Locks {
        #[command(flatten)]
        db: Db,
        /// The party whose locks to show.
        #[arg(long)]
        party: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lift the lock of one of the party's user names, or of an address.
    Unlock {
        #[command(flatten)]
        db: Db,
        /// The party acting.
        #[arg(long)]
        party: String,
        /// The user name whose lock to lift.
        #[arg(long, required_unless_present = "address", conflicts_with = "address")]
        user: Option<String>,
        /// The address whose lock to lift.
        #[arg(long)]
        address: Option<String>,
    },
}

/// Runs `homeward sign-in locks|unlock`.
pub async fn sign_in(command: SignInCommand) -> anyhow::Result<()> {
    match command {
        SignInCommand::Locks { db, party, json } => {
            let app = db.app().await?;
            let locks = app.sign_in_locks(&local(&party.parse()?)).await?;
            if json {
                return super::print_json(&locks);
            }
            for l in &locks {
                let scope = match l.scope {
                    ThrottleScope::User => "user",
                    ThrottleScope::Address => "address",
                };
                out!(
                    "{scope}\t{}\t{} failures\t{}",
                    l.subject,
                    l.failures,
                    wait_message(l.locked_until, true)
                );
            }
            if locks.is_empty() {
                eprintln!("no sign-in lock in force");
            }
            Ok(())
        }
        SignInCommand::Unlock {
            db,
            party,
            user,
            address,
        } => {
            let app = db.app().await?;
            let (scope, subject) = match (user, address) {
                (Some(u), _) => (ThrottleScope::User, u),
                (None, Some(a)) => (ThrottleScope::Address, a),
                (None, None) => {
                    return Err(homeward_core::Error::invalid(
                        "--user",
                        "name the lock to lift: --user NAME or --address IP",
                    )
                    .into());
                }
            };
            app.lift_sign_in_lock(&local(&party.parse()?), scope, &subject)
                .await?;
            out!("sign-in lock of {subject} lifted");
            Ok(())
        }
    }
}

/// A local administrative act for `party`, as its events name it.
fn local(party: &PartyCode) -> Acting<'static> {
    Acting::Local {
        party: party.clone(),
        purpose: "cli",
    }
}

/// Runs `homeward party add`.
pub async fn party(command: PartyCommand) -> anyhow::Result<()> {
    let PartyCommand::Add {
        db,
        code,
        name,
        kind,
    } = command;
    let app = App::new(db.open(OpenMode::CreateIfMissing).await?);
    let code: PartyCode = code.parse()?;
    let kind: PartyKind = kind.parse()?;
    let party = Party {
        code: code.clone(),
        name,
        kind,
    };
    app.add_party(&local(&code), &party).await?;
    out!("party {code} added");
    Ok(())
}

/// Runs `homeward user create`; the password comes from HOMEWARD_PASSWORD.
pub async fn user(command: UserCommand) -> anyhow::Result<()> {
    let UserCommand::Create {
        db,
        party,
        name,
        role,
    } = command;
    let app = db.app().await?;
    let roles = role
        .iter()
        .map(|r| r.parse())
        .collect::<Result<Vec<Role>, _>>()?;
    let password = std::env::var("HOMEWARD_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    if password.as_deref().is_some_and(|p| p.chars().count() < 12) {
        return Err(homeward_core::Error::invalid(
            "HOMEWARD_PASSWORD",
            "shorter than 12 characters; choose a longer passphrase",
        )
        .into());
    }
    let hash = password
        .as_deref()
        .map(|p| hash_password(p, HashCost::Standard))
        .transpose()?;
    let code: PartyCode = party.parse()?;
    let id = app
        .create_user(&local(&code), &name, &roles, hash.as_deref())
        .await?;
    out!(
        "user {name} of {party} created (id {id}{})",
        if hash.is_some() {
            ", with a password"
        } else {
            ""
        }
    );
    Ok(())
}

/// Runs `homeward token create`.
pub async fn token(command: TokenCommand) -> anyhow::Result<()> {
    let TokenCommand::Create {
        db,
        party,
        role,
        user,
    } = command;
    let app = db.app().await?;
    let party: PartyCode = party.parse()?;
    let role: Role = role.parse()?;
    let name = user.unwrap_or_else(|| format!("{}-{role}", party.as_str().to_lowercase()));
    out!("{}", app.create_token(&local(&party), &name, role).await?);
    Ok(())
}
