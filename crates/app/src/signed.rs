//! The signed record between the parties: the party's keys and those it pinned, lists
//! signed with the application's key, checkpoints of the log, one row proven alone, and
//! bundles exported, imported and counter-signed. What a bundle says is checked by the
//! ledger crate, what only a store knows by the store.

use crate::{App, Error, grant};
use homeward_core::access::{Actor, Administer, Audit, ReadRegister, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_ledger::bundle::Bundle;
use homeward_ledger::keys::PartyKey;
use homeward_ledger::rows::RowProof;
use homeward_store::{Countersignature, KeyView, SignedListRecord, StatementView, TreeHead};
use serde::{Deserialize, Serialize};

/// A public key to hold.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct KeyToHold {
    /// Whose key: the actor's own party registers its key, any other party's is pinned.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub party: PartyCode,
    /// The key, 64 hex digits, as `homeward key show` prints it.
    pub public_key: String,
}

/// What an import did.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct BundleImported {
    /// The list's id in this store.
    pub list: i64,
    /// What the store now holds of it.
    pub record: SignedListRecord,
}

impl App {
    /// The signed statements the actor's party holds — its own and those other parties
    /// addressed to it (a medical commission's findings, …) — of `kind` when given, newest
    /// first.
    pub async fn statements(
        &self,
        actor: &Actor,
        kind: Option<&str>,
    ) -> Result<Vec<StatementView>, Error> {
        self.store
            .statements(&grant::<ReadRegister>(actor)?, kind)
            .await
    }

    /// What the actor's party holds of a list it issued or received: the issuer's signature
    /// and the counter-signatures.
    pub async fn signed_list(&self, actor: &Actor, list: i64) -> Result<SignedListRecord, Error> {
        self.store
            .signed_list(&grant::<ReadRegister>(actor)?, list)
            .await
    }

    /// Signs a list the actor's party issued with the application's key (admins). A list
    /// the party cannot see is not found before the key is asked for, so a missing key
    /// reveals nothing.
    pub async fn sign_list(&self, actor: &Actor, list: i64) -> Result<SignedListRecord, Error> {
        let admin = grant::<Administer>(actor)?;
        let read = grant::<ReadRegister>(actor)?;
        self.store.signed_list(&read, list).await?;
        self.store
            .sign_list(&admin, list, self.signing_key()?, self.now())
            .await?;
        self.store.signed_list(&read, list).await
    }

    /// Signs a tree head of the log as it stands with the application's key (admins).
    pub async fn checkpoint(&self, actor: &Actor) -> Result<TreeHead, Error> {
        let admin = grant::<Administer>(actor)?;
        self.store
            .sign_tree_head(&admin, self.signing_key()?, self.now())
            .await
    }

    /// One row of a signed list proven alone, with its sibling hashes and the signature;
    /// the read is audited.
    pub async fn prove_row(&self, actor: &Actor, list: i64, row: i64) -> Result<RowProof, Error> {
        let read = grant::<ReadRegister>(actor)?;
        self.store.prove_row(&read, list, row, self.now()).await
    }

    /// The bundle of a list the actor's party issued and signed, covered by a signed tree
    /// head; refused when a row may not leave (consent, restricted status, protection).
    pub async fn export_bundle(&self, actor: &Actor, list: i64) -> Result<Bundle, Error> {
        self.store
            .export_bundle(&grant::<ReadRegister>(actor)?, list)
            .await
    }

    /// Whether the actor may import a bundle at all: asked before an upload is read.
    pub fn may_import_bundle(&self, actor: &Actor) -> Result<(), Error> {
        grant::<WriteRegister>(actor)?;
        grant::<ReadRegister>(actor).map(|_| ())
    }

    /// Imports a bundle checked against the pinned keys: another party's list addressed to
    /// the actor's, or the party's own list back with a mediator's counter-signature.
    pub async fn import_bundle(
        &self,
        actor: &Actor,
        bundle: &Bundle,
    ) -> Result<BundleImported, Error> {
        let write = grant::<WriteRegister>(actor)?;
        let read = grant::<ReadRegister>(actor)?;
        let list = self.store.import_bundle(&write, bundle, self.now()).await?;
        Ok(BundleImported {
            list,
            record: self.store.signed_list(&read, list).await?,
        })
    }

    /// Whether the actor may counter-sign at all: asked before an upload is read.
    pub fn may_countersign(&self, actor: &Actor) -> Result<(), Error> {
        grant::<Administer>(actor).map(|_| ())
    }

    /// A mediator counter-signs a bundle it checked, with the application's key (admins).
    pub async fn countersign(&self, actor: &Actor, bundle: &Bundle) -> Result<Bundle, Error> {
        let admin = grant::<Administer>(actor)?;
        self.store
            .countersign_bundle(&admin, bundle, self.signing_key()?, self.now())
            .await
    }

    /// The counter-signatures the actor's party holds (auditors).
    pub async fn countersignatures(&self, actor: &Actor) -> Result<Vec<Countersignature>, Error> {
        self.store.countersignatures(&grant::<Audit>(actor)?).await
    }

    /// The public keys the actor's party holds: its own and those it pinned (auditors).
    pub async fn keys(&self, actor: &Actor) -> Result<Vec<KeyView>, Error> {
        self.store.keys(&grant::<Audit>(actor)?).await
    }

    /// Registers the party's own public key, or pins another party's (admins).
    pub async fn hold_key(&self, actor: &Actor, key: &KeyToHold) -> Result<(), Error> {
        let admin = grant::<Administer>(actor)?;
        self.store
            .add_key(&admin, &key.party, &key.public_key, self.now())
            .await
    }

    /// Pins another party's key (admins); the party's own key is registered instead.
    pub async fn pin_key(&self, actor: &Actor, key: &KeyToHold) -> Result<(), Error> {
        // Access before the input's check, so a refusal does not depend on what was sent.
        grant::<Administer>(actor)?;
        if key.party == actor.party {
            return Err(Error::invalid(
                "party",
                format!(
                    "{} is this party: register its own key with `homeward key register`",
                    key.party
                ),
            ));
        }
        self.hold_key(actor, key).await
    }

    /// Replaces the party's key: `old` signs the rotation to `new_public` (admins).
    pub async fn rotate_key(
        &self,
        actor: &Actor,
        old: &PartyKey,
        new_public: &str,
    ) -> Result<(), Error> {
        let admin = grant::<Administer>(actor)?;
        self.store
            .rotate_key(&admin, old, new_public, self.now())
            .await
    }
}
