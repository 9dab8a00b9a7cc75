//! List bundles between parties' servers: export of a signed list, import on the
//! addressee's server, counter-signature by a mediator, and the record each holds of a list
//! and of who counter-signed it. Everything a bundle says is checked by
//! [`homeward_ledger::bundle::Bundle::check`]; what only a store can know (the keys it
//! pinned, the heads it has seen, the lists it already holds) is checked here.

use crate::keys::{current_key, key_held, list_signature, row_leaves};
use crate::{Pending, Store, db};
use homeward_core::Error;
use homeward_core::access::{Administer, Audit, Grant, ReadRegister, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_ledger::bundle::Bundle;
use homeward_ledger::keys::PartyKey;
use homeward_ledger::merkle::{self, Hash};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// A counter-signature of a list: a mediator's statement that it saw the list as signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Countersignature {
    /// The list's issuer.
    pub issuer: String,
    /// The SHA-256 of the list's original file.
    pub sha256: String,
    /// The counter-signing party.
    pub party: String,
    /// Its key, hex.
    pub public_key: String,
    /// The signature over the list statement, hex.
    pub signature: String,
    /// When the holder recorded it.
    pub at_ms: i64,
}

/// What a party's store holds of a signed list: enough to compare with what another party,
/// or the mediator, holds of the same list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedListRecord {
    /// The list's id in this store.
    pub list: i64,
    /// Its issuer.
    pub issuer: String,
    /// The SHA-256 of its original file.
    pub sha256: String,
    /// Its rows.
    pub rows: i64,
    /// The root of its rows' Merkle tree (absent while unsigned).
    pub row_root: Option<String>,
    /// The issuer's signature (absent while unsigned).
    pub signature: Option<String>,
    /// The key that signed.
    pub public_key: Option<String>,
    /// Counter-signatures this store holds for the list.
    pub countersignatures: Vec<Countersignature>,
}

impl Store {
    /// The bundle of a list the grant's party issued and signed, with the latest tree head
    /// of its own that covers the list's event and the inclusion proof of that event.
    pub async fn export_bundle(
        &self,
        grant: &Grant<ReadRegister>,
        list_id: i64,
    ) -> Result<Bundle, Error> {
        let me = grant.party().as_str();
        let row = sqlx::query(
            "SELECT kind, category, title, file_name, original, original_erased_at, sha256, headers, signature, signature_key, row_root \
             FROM lists WHERE id = $1 AND issuer = $2",
        )
        .bind(list_id)
        .bind(me)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading the list"))?
        .ok_or_else(|| Error::NotFound(format!("list {list_id} issued by {me}")))?;
        let get = db("reading the list");
        let (signature, public_key, row_root) = list_signature(&row, list_id)?;
        if row
            .try_get::<Option<i64>, _>("original_erased_at")
            .map_err(&get)?
            .is_some()
        {
            return Err(Error::invalid(
                "list",
                format!(
                    "list {list_id} held a person whose data was erased: its original file is no longer kept, so it cannot travel as a bundle"
                ),
            ));
        }
        let sha: String = row.try_get("sha256").map_err(&get)?;
        // The list's event: the issuing of this list by this party.
        let events = sqlx::query("SELECT seq, payload FROM events WHERE kind = 'list.issued' AND party = $1 ORDER BY seq")
            .bind(me)
            .fetch_all(&self.pool)
            .await
            .map_err(db("finding the list's event"))?;
        // The addressees as the issuing event records them (the log is what the head signs).
        let mut seq = None;
        let mut addressees: Vec<String> = Vec::new();
        for e in &events {
            let payload: serde_json::Value =
                serde_json::from_str(&e.try_get::<String, _>("payload").map_err(&get)?)
                    .unwrap_or_default();
            if payload["list"] == list_id {
                seq = Some(e.try_get::<i64, _>("seq").map_err(&get)?);
                addressees = payload["to"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| p.as_str().map(str::to_owned))
                            .collect()
                    })
                    .unwrap_or_default();
            }
        }

        let seq = seq.ok_or_else(|| {
            Error::Storage(format!(
                "the issuing event of list {list_id} is missing from the log"
            ))
        })?;
        // Refusals first: the log's leaves are read only for a list that may leave.
        self.check_may_leave(grant, list_id, &addressees).await?;
        let head = self
            .tree_heads()
            .await?
            .into_iter()
            .filter(|h| h.party == me && h.size >= seq && h.public_key == public_key)
            .max_by_key(|h| h.size)
            .ok_or_else(|| {
                Error::invalid(
                    "tree_head",
                    format!("no signed tree head of {me} covers list {list_id} yet; sign one first (homeward checkpoint)"),
                )
            })?;
        let entries = self.log_entries().await?;
        let leaves: Vec<Hash> = entries.iter().map(|e| merkle::leaf_hash(e)).collect();
        let size = usize::try_from(head.size)
            .unwrap_or(usize::MAX)
            .min(leaves.len());
        let index = usize::try_from(seq - 1).unwrap_or(0);
        let inclusion = merkle::inclusion_proof(index, &leaves[..size]).unwrap_or_default();
        let entry = entries
            .get(index)
            .cloned()
            .ok_or_else(|| Error::Storage(format!("event {seq} is missing from the log")))?;
        let mut tx = self.begin().await?;
        let rows = row_leaves(&mut tx, list_id).await?;
        tx.commit().await.map_err(db("finishing the read"))?;
        let headers: Option<String> = row.try_get("headers").map_err(&get)?;
        Ok(homeward_ledger::bundle::Bundle {
            format: homeward_ledger::bundle::BUNDLE_FORMAT.to_owned(),
            issuer: me.to_owned(),
            public_key,
            kind: row.try_get("kind").map_err(&get)?,
            category: row.try_get("category").map_err(&get)?,
            title: row.try_get("title").map_err(&get)?,
            file_name: row.try_get("file_name").map_err(&get)?,
            original_hex: hex::encode(
                crate::lists::list_file(
                    &self.pool,
                    list_id,
                    row.try_get::<Vec<u8>, _>("original").map_err(&get)?,
                )
                .await?,
            ),
            sha256: sha,
            headers: headers
                .and_then(|h| serde_json::from_str(&h).ok())
                .unwrap_or_default(),
            addressees,
            rows: rows
                .into_iter()
                .map(|((line, fields), _)| homeward_ledger::bundle::BundleRow { line, fields })
                .collect(),
            row_root,
            signature,
            event_seq: seq,
            event_entry: String::from_utf8(entry)
                .map_err(|e| Error::Storage(format!("event {seq}: {e}")))?,
            tree_head: homeward_ledger::bundle::BundleHead {
                size: head.size,
                root: head.root,
                at_ms: head.at_ms,
                signature: head.signature,
            },
            inclusion: inclusion.iter().map(hex::encode).collect(),
            countersignatures: Vec::new(),
        })
    }

    /// Imports a bundle checked against the key the grant's party pinned for its issuer.
    /// A list of another party must be addressed to the importer; it is stored as the
    /// issuer's, with its rows, and the issuer's tree head is kept. A bundle of the party's
    /// own list (sent back by a mediator) adds the counter-signatures it carries. A replay
    /// (nothing new), a rollback, a fork, an unpinned key or counter-signer is refused,
    /// naming what failed. One event; returns the list's id.
    pub async fn import_bundle(
        &self,
        grant: &Grant<WriteRegister>,
        bundle: &Bundle,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let tx = self.begin().await?;
        import_bundle_in(tx, grant, bundle, now_ms)
            .await?
            .commit(grant, now_ms)
            .await
    }

    /// A mediator counter-signs a bundle it received: checked like an import against the key
    /// it pinned for the issuer and the heads it has seen, then signed with the mediator's
    /// current key. The mediator keeps the counter-signature and the issuer's tree head, not
    /// the list's rows. One event; returns the bundle with the counter-signature added.
    pub async fn countersign_bundle(
        &self,
        grant: &Grant<Administer>,
        bundle: &Bundle,
        key: &PartyKey,
        now_ms: i64,
    ) -> Result<Bundle, Error> {
        let tx = self.begin().await?;
        countersign_in(tx, grant, bundle, key, now_ms)
            .await?
            .commit(grant, now_ms)
            .await
    }

    /// What the grant's party holds of a list it issued or received: its signature and the
    /// counter-signatures it was given.
    pub async fn signed_list(
        &self,
        grant: &Grant<ReadRegister>,
        list_id: i64,
    ) -> Result<SignedListRecord, Error> {
        let me = grant.party().as_str();
        let row = sqlx::query(
            "SELECT l.issuer, l.sha256, l.signature, l.signature_key, l.row_root, \
             (SELECT COUNT(*) FROM list_rows r WHERE r.list_id = l.id) AS rows FROM lists l WHERE l.id = $1 AND \
             (l.issuer = $2 OR EXISTS (SELECT 1 FROM list_addressees a WHERE a.list_id = l.id AND a.party = $2))",
        )
        .bind(list_id)
        .bind(me)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("finding the list"))?
        .ok_or_else(|| Error::NotFound(format!("list {list_id}")))?;
        let get = db("reading the list");
        let issuer: String = row.try_get("issuer").map_err(&get)?;
        let sha256: String = row.try_get("sha256").map_err(&get)?;
        let countersignatures = self
            .countersignatures_held(me, Some((&issuer, &sha256)))
            .await?;
        Ok(SignedListRecord {
            list: list_id,
            issuer,
            sha256,
            rows: row.try_get("rows").map_err(&get)?,
            row_root: row.try_get("row_root").map_err(&get)?,
            signature: row.try_get("signature").map_err(&get)?,
            public_key: row.try_get("signature_key").map_err(&get)?,
            countersignatures,
        })
    }

    /// Every counter-signature the grant's party holds: for a mediator, its record of the
    /// lists it saw; for a party, those it received.
    pub async fn countersignatures(
        &self,
        grant: &Grant<Audit>,
    ) -> Result<Vec<Countersignature>, Error> {
        self.countersignatures_held(grant.party().as_str(), None)
            .await
    }

    async fn countersignatures_held(
        &self,
        holder: &str,
        list: Option<(&str, &str)>,
    ) -> Result<Vec<Countersignature>, Error> {
        let (issuer, sha) = list.unwrap_or(("", ""));
        sqlx::query_as(
            "SELECT issuer, sha256, party, public_key, signature, at_ms FROM countersignatures \
             WHERE holder = $1 AND ($2 = '' OR (issuer = $2 AND sha256 = $3)) ORDER BY at_ms, issuer, sha256, party",
        )
        .bind(holder)
        .bind(issuer)
        .bind(sha)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading counter-signatures"))
    }
}

impl Store {
    /// Refuses to let a list leave the party while it holds a record whose family did not
    /// agree to sharing it with an addressee (the other party, or the mediator), or whose
    /// confirmed restricted status no negotiator released; names the rows and why.
    async fn check_may_leave(
        &self,
        grant: &Grant<ReadRegister>,
        list_id: i64,
        addressees: &[String],
    ) -> Result<(), Error> {
        use homeward_core::protection::{Clearance, Purpose, consents, left_out_because};
        let rows = self.list_rows(grant, list_id).await?;
        // A bundle carries the rows whole: one with protected rows only leaves through a
        // reader cleared to see them.
        let protected = rows.iter().filter(|r| r.protected).count();
        if protected > 0 && grant.clearance() == Clearance::Masked {
            return Err(Error::invalid(
                "list",
                format!(
                    "list {list_id} holds {protected} protected rows, which a bundle carries whole; only the roles protection and admin may send it"
                ),
            ));
        }
        let rows: Vec<(i64, i64)> = rows
            .iter()
            .filter_map(|r| r.person_id.map(|p| (r.row_no, p)))
            .collect();
        let kinds: Vec<(String, String)> = sqlx::query("SELECT code, kind FROM parties")
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading parties"))?
            .iter()
            .map(|r| {
                let get = db("reading a party");
                Ok((
                    r.try_get("code").map_err(&get)?,
                    r.try_get("kind").map_err(&get)?,
                ))
            })
            .collect::<Result<_, Error>>()?;
        let needed: Vec<Purpose> = addressees
            .iter()
            .map(|a| {
                if kinds.iter().any(|(c, k)| c == a && k == "mediator") {
                    Purpose::ShareMediator
                } else {
                    Purpose::ShareOtherParty
                }
            })
            .collect();
        let ids: Vec<i64> = rows.iter().map(|(_, p)| *p).collect();
        let given = self.consents(grant, &ids).await?;
        let withheld = self.withheld_from_lists(grant.party().as_str()).await?;
        let mut problems = Vec::new();
        for (line, person) in &rows {
            if withheld.binary_search(person).is_ok() {
                problems.push(format!(
                    "line {line}: its record has a restricted status no negotiator released"
                ));
            }
            if let Some(c) = given.get(person)
                && let Some(p) = needed.iter().find(|p| !consents(Some(c), **p))
            {
                problems.push(format!("line {line}: {}", left_out_because(c, *p)));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::invalid(
                "list",
                format!(
                    "list {list_id} may not leave {}: {}",
                    grant.party(),
                    problems.join("; ")
                ),
            ))
        }
    }
}

/// What checking the signed lists found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedListsReport {
    /// Signatures checked: issuers' list signatures and counter-signatures of held lists,
    /// and those of the statements held.
    pub checked: usize,
    /// The first that did not hold, naming the list.
    pub problem: Option<String>,
}

impl Store {
    /// Checks every signed list the store holds, offline: the original's SHA-256, the rows'
    /// root recomputed from the stored rows, the issuer's signature over them, and every
    /// counter-signature of the list. Returns the first failure, naming the list.
    pub async fn verify_signed_lists(&self) -> Result<SignedListsReport, Error> {
        let lists = sqlx::query(
            "SELECT id, issuer, original, original_erased_at, sha256, signature, signature_key, row_root FROM lists \
             WHERE signature IS NOT NULL AND row_root IS NOT NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the signed lists"))?;
        let mut checked = 0;
        let report = |checked, problem: String| SignedListsReport {
            checked,
            problem: Some(problem),
        };
        let mut tx = self.begin().await?;
        for l in &lists {
            let get = db("reading a signed list");
            let id: i64 = l.try_get("id").map_err(&get)?;
            let issuer: String = l.try_get("issuer").map_err(&get)?;
            let sha: String = l.try_get("sha256").map_err(&get)?;
            let original = crate::lists::list_file(
                &self.pool,
                id,
                l.try_get::<Vec<u8>, _>("original").map_err(&get)?,
            )
            .await?;
            let (signature, key, root) = list_signature(l, id)?;
            // After an erasure the original is no longer held; its SHA-256 stands as signed.
            let withheld: Option<i64> = l.try_get("original_erased_at").map_err(&get)?;
            if withheld.is_none() && homeward_ledger::sha256_hex(&original) != sha {
                return Ok(report(
                    checked,
                    format!("list {id}: its original file does not have its recorded SHA-256"),
                ));
            }
            let leaves = row_leaves(&mut tx, id).await?;
            let hashes: Vec<Hash> = leaves.iter().map(|(_, h)| *h).collect();
            if hex::encode(merkle::root(&hashes)) != root {
                return Ok(report(
                    checked,
                    format!("list {id}: its rows are not the rows its issuer signed"),
                ));
            }
            let statement =
                homeward_ledger::rows::list_statement(&issuer, &sha, leaves.len() as u64, &root);
            if !homeward_ledger::keys::verify_hex(&key, &statement, &signature).unwrap_or(false) {
                return Ok(report(
                    checked,
                    format!("list {id}: the signature of {issuer} does not verify"),
                ));
            }
            checked += 1;
            let counter = sqlx::query(
                "SELECT party, public_key, signature FROM countersignatures WHERE issuer = $1 AND sha256 = $2",
            )
            .bind(&issuer)
            .bind(&sha)
            .fetch_all(&mut *tx)
            .await
            .map_err(db("reading counter-signatures"))?;
            for c in &counter {
                let party: String = c.try_get("party").map_err(&get)?;
                let message = homeward_ledger::rows::countersign_statement(&party, &statement);
                let good = homeward_ledger::keys::verify_hex(
                    &c.try_get::<String, _>("public_key").map_err(&get)?,
                    &message,
                    &c.try_get::<String, _>("signature").map_err(&get)?,
                )
                .unwrap_or(false);
                if !good {
                    return Ok(report(
                        checked,
                        format!("list {id}: the counter-signature of {party} does not verify"),
                    ));
                }
                checked += 1;
            }
        }
        let (statements, problem) = crate::statements::verify_statements(&mut tx).await?;
        tx.commit().await.map_err(db("finishing the read"))?;
        Ok(SignedListsReport {
            checked: checked + statements,
            problem,
        })
    }
}

/// What a receiving store checks of a bundle beyond the bundle itself: that its issuer's key
/// and every counter-signer's key are keys `me` pinned (or its own), that the list is not a
/// different list under an already known signature, and that its tree head neither forks
/// from nor rolls back the issuer's heads `me` has seen.
async fn check_received(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    bundle: &Bundle,
) -> Result<(), Error> {
    let issuer: PartyCode = bundle.issuer.parse()?;
    if !key_held(tx, me, issuer.as_str(), &bundle.public_key).await? {
        return Err(Error::invalid(
            "bundle",
            format!(
                "the bundle is signed by {}, which is not a key {me} pinned for {issuer}",
                bundle.public_key
            ),
        ));
    }
    bundle
        .check(&bundle.public_key)
        .map_err(|why| Error::invalid("bundle", why))?;
    for (party, key, _) in &bundle.countersignatures {
        if !key_held(tx, me, party, key).await? {
            return Err(Error::invalid(
                "bundle",
                format!(
                    "it is counter-signed by {party} with {key}, which is not a key {me} pinned for {party}"
                ),
            ));
        }
    }
    let h = &bundle.tree_head;
    let seen: Vec<(i64, String)> =
        sqlx::query("SELECT size, root FROM tree_heads WHERE party = $1")
            .bind(issuer.as_str())
            .fetch_all(&mut **tx)
            .await
            .map_err(db("reading the heads seen"))?
            .iter()
            .map(|r| {
                Ok((
                    r.try_get("size").map_err(db("reading a head"))?,
                    r.try_get("root").map_err(db("reading a head"))?,
                ))
            })
            .collect::<Result<_, Error>>()?;
    if let Some((_, root)) = seen
        .iter()
        .find(|(size, root)| *size == h.size && root != &h.root)
    {
        return Err(Error::invalid(
            "bundle",
            format!(
                "{issuer}'s log of {} events has root {} here and {} in the bundle: evidence of a forked log",
                h.size, root, h.root
            ),
        ));
    }
    // A party's own list comes back with one of its own heads, which may be older than its
    // latest: only a head it never signed would be wrong, and that is a fork or a forgery.
    if issuer.as_str() == me {
        if !seen.iter().any(|(size, _)| *size == h.size) {
            return Err(Error::invalid(
                "bundle",
                format!("{me} never signed a tree head of {} events", h.size),
            ));
        }
        return Ok(());
    }
    if let Some(max) = seen
        .iter()
        .map(|(size, _)| *size)
        .max()
        .filter(|max| *max > h.size)
    {
        return Err(Error::invalid(
            "bundle",
            format!(
                "rollback: the bundle's tree head has {} events, but a head of {max} events of {issuer} was already seen",
                h.size
            ),
        ));
    }
    Ok(())
}

/// Keeps the issuer's signed tree head that came with a bundle.
async fn keep_head(tx: &mut Transaction<'static, Any>, bundle: &Bundle) -> Result<(), Error> {
    let h = &bundle.tree_head;
    sqlx::query(
        "INSERT INTO tree_heads (party, size, root, at_ms, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (party, size) DO NOTHING",
    )
    .bind(&bundle.issuer)
    .bind(h.size)
    .bind(&h.root)
    .bind(h.at_ms)
    .bind(&bundle.public_key)
    .bind(&h.signature)
    .execute(&mut **tx)
    .await
    .map_err(db("keeping the issuer's tree head"))?;
    Ok(())
}

/// Keeps the bundle's counter-signatures `holder` did not hold yet; returns how many.
async fn keep_countersignatures(
    tx: &mut Transaction<'static, Any>,
    holder: &str,
    bundle: &Bundle,
    now_ms: i64,
) -> Result<u64, Error> {
    let mut added = 0;
    for (party, key, signature) in &bundle.countersignatures {
        added += sqlx::query(
            "INSERT INTO countersignatures (holder, issuer, sha256, party, public_key, signature, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (holder, issuer, sha256, party, public_key) DO NOTHING",
        )
        .bind(holder)
        .bind(&bundle.issuer)
        .bind(&bundle.sha256)
        .bind(party)
        .bind(key.to_ascii_lowercase())
        .bind(signature)
        .bind(now_ms)
        .execute(&mut **tx)
        .await
        .map_err(db("keeping a counter-signature"))?
        .rows_affected();
    }
    Ok(added)
}

/// The issuer's own list sent back with counter-signatures: the list must be the one it
/// signed; the new counter-signatures are kept; none new is a replay.
async fn keep_own_countersignatures<C: homeward_core::access::Command>(
    mut tx: Transaction<'static, Any>,
    grant: &Grant<C>,
    bundle: &Bundle,
    now_ms: i64,
) -> Result<Pending<i64>, Error> {
    let me = grant.party().as_str();
    let list_id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM lists WHERE issuer = $1 AND sha256 = $2 AND signature = $3 AND row_root = $4",
    )
    .bind(me)
    .bind(&bundle.sha256)
    .bind(&bundle.signature)
    .bind(&bundle.row_root)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db("finding the list"))?;
    let list_id = list_id.ok_or_else(|| {
        Error::invalid(
            "bundle",
            format!("{me} holds no list it signed as this bundle states"),
        )
    })?;
    let added = keep_countersignatures(&mut tx, me, bundle, now_ms).await?;
    if added == 0 {
        return Err(Error::Conflict(format!(
            "list {list_id} already holds every counter-signature of this bundle: a replayed bundle changes nothing"
        )));
    }
    let payload = serde_json::json!({
        "list": list_id,
        "sha256": bundle.sha256,
        "countersigned_by": bundle.countersignatures.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
    });
    Ok(Pending {
        tx,
        kind: "bundle.countersignatures_kept",
        payload,
        value: list_id,
    })
}

/// The import of a bundle, checked and written in `tx`, with its event still to append:
/// what [`Store::import_bundle`] commits alone and a delivery commits with its receipt.
pub(crate) async fn import_bundle_in<C: homeward_core::access::Command>(
    mut tx: Transaction<'static, Any>,
    grant: &Grant<C>,
    bundle: &Bundle,
    now_ms: i64,
) -> Result<Pending<i64>, Error> {
    let me = grant.party().as_str();
    check_received(&mut tx, me, bundle).await?;
    if bundle.issuer == me {
        return keep_own_countersignatures(tx, grant, bundle, now_ms).await;
    }
    if !bundle.addressees.iter().any(|a| a == me) {
        return Err(Error::invalid(
            "bundle",
            format!("the list is not addressed to {me}"),
        ));
    }
    let issuer = bundle.issuer.as_str();
    let existing: Option<i64> =
        sqlx::query_scalar("SELECT id FROM lists WHERE issuer = $1 AND sha256 = $2")
            .bind(issuer)
            .bind(&bundle.sha256)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("checking for a replay"))?;
    if let Some(id) = existing {
        return Err(Error::Conflict(format!(
            "this list of {issuer} (SHA-256 {}) was already imported as list {id}: a replayed bundle changes nothing",
            bundle.sha256
        )));
    }
    let original = hex::decode(&bundle.original_hex)
        .map_err(|_| Error::invalid("bundle", "the original is not hex"))?;
    let list_id: i64 = sqlx::query_scalar(
        "INSERT INTO lists (issuer, kind, category, title, file_name, original, sha256, supersedes, created_by, created_at, headers, signature, signature_key, row_root) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(issuer)
    .bind(&bundle.kind)
    .bind(bundle.category.as_deref())
    .bind(&bundle.title)
    .bind(&bundle.file_name)
    .bind(original.as_slice())
    .bind(&bundle.sha256)
    .bind(grant.actor())
    .bind(now_ms)
    .bind(serde_json::Value::from(bundle.headers.clone()).to_string())
    .bind(&bundle.signature)
    .bind(&bundle.public_key)
    .bind(&bundle.row_root)
    .fetch_one(&mut *tx)
    .await
    .map_err(db("storing the list"))?;
    for party in &bundle.addressees {
        sqlx::query("INSERT INTO list_addressees (list_id, party) VALUES ($1, $2)")
            .bind(list_id)
            .bind(party)
            .execute(&mut *tx)
            .await
            .map_err(db("addressing the list"))?;
    }
    for r in &bundle.rows {
        let fields = homeward_ledger::canonical_json(&r.fields)
            .map_err(|e| Error::invalid(format!("row {}", r.line), e.to_string()))?;
        sqlx::query(
            "INSERT INTO list_rows (list_id, row_no, accepted, fields, problems, person_id) VALUES ($1, $2, 1, $3, '[]', NULL)",
        )
        .bind(list_id)
        .bind(r.line)
        .bind(fields)
        .execute(&mut *tx)
        .await
        .map_err(db("storing a row"))?;
    }
    keep_head(&mut tx, bundle).await?;
    keep_countersignatures(&mut tx, me, bundle, now_ms).await?;
    let h = &bundle.tree_head;
    let payload = serde_json::json!({
        "list": list_id,
        "issuer": issuer,
        "sha256": bundle.sha256,
        "rows": bundle.rows.len(),
        "tree_head": { "size": h.size, "root": h.root },
        "countersigned_by": bundle.countersignatures.iter().map(|c| c.0.clone()).collect::<Vec<_>>(),
    });
    Ok(Pending {
        tx,
        kind: "bundle.imported",
        payload,
        value: list_id,
    })
}

/// A mediator's counter-signature of a bundle, checked and written in `tx`, with its event
/// still to append.
pub(crate) async fn countersign_in(
    mut tx: Transaction<'static, Any>,
    grant: &Grant<Administer>,
    bundle: &Bundle,
    key: &PartyKey,
    now_ms: i64,
) -> Result<Pending<Bundle>, Error> {
    let me = grant.party().as_str();
    let public = key.public_hex();
    if bundle.issuer == me {
        return Err(Error::invalid(
            "bundle",
            "a party does not counter-sign its own list; the mediator that received it does",
        ));
    }
    current_key(
        &mut tx,
        me,
        &public,
        "register it first (homeward key register)",
    )
    .await?;
    check_received(&mut tx, me, bundle).await?;
    let done: Option<i64> = sqlx::query_scalar(
        "SELECT at_ms FROM countersignatures WHERE holder = $1 AND issuer = $2 AND sha256 = $3 AND party = $1",
    )
    .bind(me)
    .bind(&bundle.issuer)
    .bind(&bundle.sha256)
    .fetch_optional(&mut *tx)
    .await
    .map_err(db("checking for a replay"))?;
    if done.is_some() {
        return Err(Error::Conflict(format!(
            "{me} already counter-signed this list of {} (SHA-256 {}): a replayed bundle changes nothing",
            bundle.issuer, bundle.sha256
        )));
    }
    let mut signed = bundle.clone();
    signed.countersignatures.push((
        me.to_owned(),
        public.clone(),
        key.sign_hex(&bundle.countersign_statement(me)),
    ));
    keep_head(&mut tx, bundle).await?;
    keep_countersignatures(&mut tx, me, &signed, now_ms).await?;
    let h = &bundle.tree_head;
    let payload = serde_json::json!({
        "issuer": bundle.issuer,
        "sha256": bundle.sha256,
        "rows": bundle.rows.len(),
        "row_root": bundle.row_root,
        "to": bundle.addressees,
        "tree_head": { "size": h.size, "root": h.root },
        "public_key": public,
    });
    Ok(Pending {
        tx,
        kind: "bundle.countersigned",
        payload,
        value: signed,
    })
}
