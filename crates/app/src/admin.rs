//! The party's own administration: parties, users and API tokens. Done by an admin of the
//! party, or as a local act of whoever holds the store (the first party and user of a new
//! store have nobody to sign in as), recorded as such in the event.

use crate::{Acting, App, Error};
use homeward_core::access::{Administer, Role};
use homeward_core::party::Party;

impl App {
    /// Registers a party in the store.
    pub async fn add_party(&self, acting: &Acting<'_>, party: &Party) -> Result<(), Error> {
        let grant = acting.grant::<Administer>()?;
        self.store.add_party(&grant, party, self.now()).await
    }

    /// Creates a user of the acting party with `roles` and, when given, an Argon2id
    /// password hash; returns the user's id.
    pub async fn create_user(
        &self,
        acting: &Acting<'_>,
        name: &str,
        roles: &[Role],
        password_hash: Option<&str>,
    ) -> Result<i64, Error> {
        let grant = acting.grant::<Administer>()?;
        self.store
            .create_user(&grant, name, roles, password_hash, self.now())
            .await
    }

    /// A new API token for the user `name` of the acting party holding `role`, creating
    /// the user when there is none; the token is stored only as its hash.
    pub async fn create_token(
        &self,
        acting: &Acting<'_>,
        name: &str,
        role: Role,
    ) -> Result<String, Error> {
        let grant = acting.grant::<Administer>()?;
        let party = grant.party().clone();
        let now = self.now();
        let user_id = match self.store.user_login(&party, name).await? {
            Some(existing) if existing.actor.roles.contains(&role) => existing.actor.user_id,
            Some(_) => {
                return Err(Error::invalid(
                    "user",
                    format!(
                        "user {name} of {party} does not hold the role {role}; name another user with --user"
                    ),
                ));
            }
            None => {
                self.store
                    .create_user(&grant, name, &[role], None, now)
                    .await?
            }
        };
        self.store.create_token(&grant, user_id, now).await
    }
}
