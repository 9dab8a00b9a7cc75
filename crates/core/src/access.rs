//! The access rule, decided before any storage is touched.
//!
//! A party sees its own register in full and nothing of another party's register. Every
//! operation on a store takes a [`Grant`] for a typed [`Command`]; the only way to obtain
//! one is [`authorize`], and the party inside a grant is always the actor's own party. A
//! query scoped by a grant therefore cannot reach another party's rows, whatever the
//! request asked for.

use crate::party::PartyCode;
use serde::{Deserialize, Serialize};
use std::marker::PhantomData;

/// What a user may do inside their party.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads the register and the talks (hotline staff, for instance).
    Viewer,
    /// Keeps the register: imports lists, edits records.
    Operator,
    /// Decides uncertain matches between lists.
    Reviewer,
    /// Records talks rounds and commitments; builds and signs exchange plans.
    Negotiator,
    /// Reads and verifies the event log.
    Auditor,
    /// Manages the party's users and tokens.
    Admin,
    /// Protection officer: sees the sensitive fields of protected records, records and
    /// confirms restricted statuses, confirms erasures.
    Protection,
    /// Answers the families' calls: reads the register, records their enquiries and what
    /// they were told.
    Hotline,
}

impl Role {
    /// Every role, in the order they are listed to users.
    pub const ALL: [Role; 8] = [
        Role::Viewer,
        Role::Operator,
        Role::Reviewer,
        Role::Negotiator,
        Role::Auditor,
        Role::Admin,
        Role::Protection,
        Role::Hotline,
    ];

    /// The lower-case name used in storage, on the command line and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Operator => "operator",
            Role::Reviewer => "reviewer",
            Role::Negotiator => "negotiator",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
            Role::Protection => "protection",
            Role::Hotline => "hotline",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                crate::Error::invalid(
                    "role",
                    format!(
                        "unknown role {s:?}; use one of {}",
                        Role::ALL.map(Role::as_str).join(", ")
                    ),
                )
            })
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authenticated user acting for their party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    /// The user's id in the store.
    pub user_id: i64,
    /// The user's login name.
    pub user_name: String,
    /// The party the user belongs to; the only register they can ever see.
    pub party: PartyCode,
    /// The roles the user holds.
    pub roles: Vec<Role>,
}

impl Actor {
    /// How the actor is named in the event log.
    pub fn log_name(&self) -> String {
        ActorCode::User(self.user_id).to_string()
    }

    fn has_any(&self, roles: &[Role]) -> bool {
        self.roles.iter().any(|r| roles.contains(r))
    }
}

/// What an actor code, as events, reads and cases record it, names: the reverse of
/// [`Actor::log_name`] and of [`Grant::system`], so that pages can say who in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorCode<'a> {
    /// A user of the party, by id (`user:7`).
    User(i64),
    /// The tool itself acting in a user's name (`system:user:ua-operator`, the demo's
    /// seeding): the user's login name.
    ToolFor(&'a str),
    /// The tool itself, for a purpose (`system:demo`, `system:relay`).
    Tool(&'a str),
    /// A code of no known shape, shown as written.
    Other(&'a str),
}

impl std::fmt::Display for ActorCode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ActorCode::User(id) => write!(f, "user:{id}"),
            ActorCode::ToolFor(name) => write!(f, "system:user:{name}"),
            ActorCode::Tool(purpose) => write!(f, "system:{purpose}"),
            ActorCode::Other(code) => f.write_str(code),
        }
    }
}

impl<'a> ActorCode<'a> {
    /// Reads an actor code.
    pub fn read(code: &'a str) -> Self {
        if let Some(purpose) = code.strip_prefix("system:") {
            return match purpose.strip_prefix("user:") {
                Some(name) if !name.is_empty() => ActorCode::ToolFor(name),
                _ => ActorCode::Tool(purpose),
            };
        }
        match code.strip_prefix("user:").map(str::parse::<i64>) {
            Some(Ok(id)) => ActorCode::User(id),
            _ => ActorCode::Other(code),
        }
    }
}

/// A kind of operation that needs a decision under the access rule.
pub trait Command {
    /// Name used in denials and in the API's error bodies.
    const NAME: &'static str;
    /// The command's name in code, by which the faces say it in words (`command-<CODE>`).
    const CODE: &'static str;
    /// Roles any one of which allows the command inside the actor's own party.
    const ROLES: &'static [Role];
}

macro_rules! commands {
    ($($(#[$doc:meta])* $name:ident = $label:literal: [$($role:ident),+];)+) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl Command for $name {
            const NAME: &'static str = $label;
            const CODE: &'static str = stringify!($name);
            const ROLES: &'static [Role] = &[$(Role::$role),+];
        }
    )+
        /// Every command's code, for the faces' words and their tests.
        pub const COMMAND_CODES: &[&str] = &[$(stringify!($name)),+];
        /// Every command's code with its name in denials (`("Erase", "erase personal data")`),
        /// so that a stored name is said again in words.
        pub const COMMAND_NAMES: &[(&str, &str)] = &[$((stringify!($name), $label)),+];
    };
}

commands! {
    /// Read the party's own register: person records and lists it holds.
    ReadRegister = "read the register": [Viewer, Operator, Reviewer, Negotiator, Admin, Protection, Hotline];
    /// Change the party's own register.
    WriteRegister = "change the register": [Operator, Admin];
    /// Read the talks rounds the party takes part in or mediates, with their commitments.
    /// The protection officer reads them too: the children's cases it works belong to a
    /// commitment; and the hotline, which tells families about exchanges.
    ReadTalks = "read talks rounds": [Viewer, Operator, Reviewer, Negotiator, Auditor, Admin, Protection, Hotline];
    /// Record rounds, commitments and exchange plans.
    WriteTalks = "record talks and plans": [Negotiator];
    /// Manage the party's users and API tokens.
    Administer = "manage users and tokens": [Admin];
    /// Read and verify the party's part of the event log.
    Audit = "audit the event log": [Auditor, Admin];
    /// Reconcile lists and decide who is who.
    ReviewLinks = "review links between lists": [Reviewer, Admin];
    /// Record that people of an exchange stage were handed over, received or withdrawn.
    RecordMovements = "record handovers and receipts": [Operator, Negotiator];
    /// Move a deported child's case on a step (located, verified, return agreed, returned,
    /// reunited) or back with a note: the protection officers who follow the children, and
    /// the operators who record the handover.
    FollowChildCases = "move children's cases": [Protection, Operator];
    /// See the sensitive fields (names, birth, places, family contact) of protected records.
    SeeSensitive = "see the sensitive fields of protected records": [Protection, Admin];
    /// Propose or confirm a restricted status (death, refusal of repatriation, information
    /// that could harm the person) or mark a record as protected.
    RecordRestricted = "record restricted statuses and protection": [Protection, Reviewer];
    /// Let a restricted status leave the party inside a list.
    ReleaseRestricted = "release a restricted status to another party": [Negotiator];
    /// Request or confirm the erasure of a record's personal data.
    Erase = "erase personal data": [Protection, Admin];
    /// Record a family's enquiry after one of the party's own people (and the sought record
    /// it asks about, when the register has none), and what the family was told.
    AnswerFamilies = "record and answer families' enquiries": [Hotline, Operator, Admin];
    /// Allow one export of protected records without encryption.
    AllowUnprotectedExport = "allow an unprotected export of protected records": [Admin];
}

/// Proof that an actor may perform command `C` within `party`. Only [`authorize`]
/// creates one, so holding it means the decision was made.
#[derive(Debug, Clone)]
pub struct Grant<C: Command> {
    party: PartyCode,
    actor: String,
    clearance: crate::protection::Clearance,
    _command: PhantomData<C>,
}

impl<C: Command> Grant<C> {
    /// The party whose data the grant covers: always the actor's own.
    pub fn party(&self) -> &PartyCode {
        &self.party
    }

    /// How the actor is named in events written under this grant.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Whether what is read under this grant shows the sensitive fields of protected
    /// records: decided with the grant, from the actor's roles.
    pub fn clearance(&self) -> crate::protection::Clearance {
        self.clearance
    }

    /// A grant for the tool itself acting for `party` (the demo seeder, the local
    /// command line run by whoever holds the database file). Named so that every use
    /// stands out in review.
    pub fn system(party: PartyCode, purpose: &str) -> Self {
        Grant {
            party,
            actor: format!("system:{purpose}"),
            clearance: crate::protection::Clearance::Full,
            _command: PhantomData,
        }
    }
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{user} of {party} may not {command}: it needs one of the roles {needed}")]
pub struct Denied {
    /// The user who asked.
    pub user: String,
    /// Their party.
    pub party: String,
    /// What they asked to do.
    pub command: &'static str,
    /// The command's code ([`Command::CODE`]), for saying it in the reader's language.
    pub code: &'static str,
    /// The roles that would have allowed it.
    pub needed: String,
}

/// Whether `actor` may perform `C` in their own party: the one rule [`authorize`] applies,
/// asked without making a grant (what a face offers is decided by it too).
pub fn may<C: Command>(actor: &Actor) -> bool {
    actor.has_any(C::ROLES)
}

/// Decides whether `actor` may perform `C` in their own party.
pub fn authorize<C: Command>(actor: &Actor) -> Result<Grant<C>, Denied> {
    if may::<C>(actor) {
        Ok(Grant {
            party: actor.party.clone(),
            actor: actor.log_name(),
            clearance: if actor.has_any(SeeSensitive::ROLES) {
                crate::protection::Clearance::Full
            } else {
                crate::protection::Clearance::Masked
            },
            _command: PhantomData,
        })
    } else {
        Err(Denied {
            user: actor.user_name.clone(),
            party: actor.party.to_string(),
            command: C::NAME,
            code: C::CODE,
            needed: C::ROLES
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(roles: &[Role]) -> Actor {
        Actor {
            user_id: 7,
            user_name: "ua-operator".into(),
            party: "UA".parse().unwrap(),
            roles: roles.to_vec(),
        }
    }

    #[test]
    fn a_grant_is_always_for_the_actors_own_party() {
        let g = authorize::<ReadRegister>(&actor(&[Role::Viewer])).unwrap();
        assert_eq!(g.party().as_str(), "UA");
        assert_eq!(g.actor(), "user:7");
    }

    #[test]
    fn an_actor_code_reads_back_as_who_wrote_it() {
        let user = actor(&[Role::Viewer]);
        assert_eq!(
            ActorCode::read(&user.log_name()),
            ActorCode::User(user.user_id)
        );
        let party: PartyCode = "UA".parse().unwrap();
        let tool = Grant::<ReadRegister>::system(party.clone(), "demo");
        assert_eq!(ActorCode::read(tool.actor()), ActorCode::Tool("demo"));
        let for_user = Grant::<ReadRegister>::system(party, "user:ua-operator");
        assert_eq!(
            ActorCode::read(for_user.actor()),
            ActorCode::ToolFor("ua-operator")
        );
        assert_eq!(
            ActorCode::read("user:seven"),
            ActorCode::Other("user:seven")
        );
        assert_eq!(ActorCode::read("mediator"), ActorCode::Other("mediator"));
    }

    #[test]
    fn roles_decide_commands() {
        let viewer = actor(&[Role::Viewer]);
        assert!(authorize::<WriteRegister>(&viewer).is_err());
        assert!(authorize::<WriteTalks>(&viewer).is_err());
        assert!(authorize::<Administer>(&viewer).is_err());
        let auditor = actor(&[Role::Auditor]);
        assert!(authorize::<ReadRegister>(&auditor).is_err());
        assert!(authorize::<Audit>(&auditor).is_ok());
        let err = authorize::<WriteTalks>(&actor(&[Role::Operator])).unwrap_err();
        assert_eq!(err.needed, "negotiator");
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        assert_eq!("reviewer".parse::<Role>().unwrap(), Role::Reviewer);
        assert!("root".parse::<Role>().is_err());
    }
}
