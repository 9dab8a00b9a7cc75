//! Public keys and signed tree heads. The store keeps public keys only; a secret key is
//! handed to [`Store::sign_tree_head`] for one signature and never written.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Administer, Audit, Grant};
use homeward_core::party::PartyCode;
use homeward_ledger::keys::{PartyKey, public_key, rotation_statement, verify_hex};
use homeward_ledger::merkle::{self, Hash};
use homeward_ledger::relay::KeyRotation;
use serde::Serialize;
use sqlx::Row;

/// A public key as the store holds it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct KeyView {
    /// The party the key belongs to.
    pub party: String,
    /// The key, 64 hex digits.
    pub public_key: String,
    /// When it was registered or pinned.
    pub added_at: i64,
    /// When it was retired by a rotation.
    pub retired_at: Option<i64>,
}

/// A signed tree head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreeHead {
    /// The signing party.
    pub party: String,
    /// Events in the log at the checkpoint.
    pub size: i64,
    /// The RFC 9162 root over their entries, hex.
    pub root: String,
    /// When it was signed.
    pub at_ms: i64,
    /// The key that signed it.
    pub public_key: String,
    /// The signature over [`tree_head_statement`].
    pub signature: String,
}

pub use homeward_ledger::bundle::tree_head_statement;

/// What checking the tree heads found.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TreeHeadReport {
    /// Tree heads checked.
    pub checked: usize,
    /// The first problem, if any: a bad signature, an unknown key, a root that the log does
    /// not give, a fork (two heads of one size with different roots) or a rollback.
    pub problem: Option<String>,
}

impl Store {
    /// The public keys the grant's party holds: its own and those it pinned.
    pub async fn keys(&self, grant: &Grant<Audit>) -> Result<Vec<KeyView>, Error> {
        sqlx::query_as(
            "SELECT party, public_key, added_at, retired_at FROM party_keys WHERE holder = $1 ORDER BY party, added_at",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading keys"))
    }

    /// Registers `public_hex` as a key of `party` held by the grant's party: its own key
    /// when `party` is itself, a pinned key of another party otherwise. One event.
    pub async fn add_key(
        &self,
        grant: &Grant<Administer>,
        party: &PartyCode,
        public_hex: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        public_key(public_hex).map_err(|e| Error::invalid("public_key", e.to_string()))?;
        let mut tx = self.begin().await?;
        let known: Option<String> = sqlx::query_scalar("SELECT code FROM parties WHERE code = $1")
            .bind(party.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("finding the party"))?;
        if known.is_none() {
            return Err(Error::NotFound(format!("party {party}")));
        }
        sqlx::query(
            "INSERT INTO party_keys (holder, party, public_key, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (holder, party, public_key) DO NOTHING",
        )
        .bind(grant.party().as_str())
        .bind(party.as_str())
        .bind(public_hex.trim())
        .bind(now_ms)
        .execute(&mut *tx)
        .await
        .map_err(db("recording the key"))?;
        let kind = if party == grant.party() {
            "key.registered"
        } else {
            "key.pinned"
        };
        let payload =
            serde_json::json!({ "party": party.as_str(), "public_key": public_hex.trim() });
        commit_with_event(tx, grant, kind, payload, now_ms).await
    }

    /// Rotates the grant's party's key: the old key vouches for the new one by signing the
    /// rotation statement; the old key is retired, the new one registered. One event, which
    /// carries the statement's signature so that others can follow the rotation.
    pub async fn rotate_key(
        &self,
        grant: &Grant<Administer>,
        old: &PartyKey,
        new_public: &str,
        now_ms: i64,
    ) -> Result<(), Error> {
        public_key(new_public).map_err(|e| Error::invalid("public_key", e.to_string()))?;
        let me = grant.party().as_str();
        let old_public = old.public_hex();
        let mut tx = self.begin().await?;
        current_key(
            &mut tx,
            me,
            &old_public,
            "only the current key can vouch for its successor",
        )
        .await?;
        let statement = rotation_statement(me, &old_public, new_public.trim(), now_ms);
        let signature = old.sign_hex(&statement);
        replace_key(&mut tx, me, me, &old_public, new_public.trim(), now_ms).await?;
        // Every peer learns the new key from the old one's signature, in the same transaction.
        let rotation = KeyRotation::new(me, &old_public, new_public, now_ms, &signature)
            .to_file()
            .map_err(|e| Error::Storage(format!("encoding the rotation: {e}")))?;
        let told = crate::relay::queue_rotation(&mut tx, me, &rotation, now_ms).await?;
        let payload = serde_json::json!({
            "old": old_public,
            "new": new_public.trim(),
            "at": now_ms,
            "signature_by_old": signature,
            "relayed_to": told,
        });
        commit_with_event(tx, grant, "key.rotated", payload, now_ms).await
    }

    /// Every event's canonical entry, in order: what the log's Merkle leaves hash.
    pub(crate) async fn log_entries(&self) -> Result<Vec<Vec<u8>>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM events ORDER BY seq",
            crate::events::EVENT_COLUMNS
        )))
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading the event log"))?;
        rows.iter()
            .map(|r| {
                let event = crate::events::event_from_row(r)?
                    .map_err(|b| Error::Storage(format!("event {}: {}", b.seq, b.reason)))?;
                event
                    .draft
                    .entry_bytes(event.seq, &event.prev_hash)
                    .map_err(|e| Error::Storage(format!("event {}: {e}", event.seq)))
            })
            .collect()
    }

    /// The leaf hashes of the whole log, in order.
    async fn log_leaves(&self) -> Result<Vec<Hash>, Error> {
        Ok(self
            .log_entries()
            .await?
            .iter()
            .map(|e| merkle::leaf_hash(e))
            .collect())
    }

    /// Signs a tree head of the log as it stands with the grant's party's current key; one
    /// event (after the head: the next head covers it).
    pub async fn sign_tree_head(
        &self,
        grant: &Grant<Administer>,
        key: &PartyKey,
        now_ms: i64,
    ) -> Result<TreeHead, Error> {
        let me = grant.party().as_str();
        let public = key.public_hex();
        let mut conn = self.pool.acquire().await.map_err(db("connecting"))?;
        current_key(
            &mut conn,
            me,
            &public,
            "register it first (homeward key register)",
        )
        .await?;
        drop(conn);
        let leaves = self.log_leaves().await?;
        let size = leaves.len() as i64;
        let root = hex::encode(merkle::root(&leaves));
        let head = TreeHead {
            party: me.to_owned(),
            size,
            signature: key.sign_hex(&tree_head_statement(me, size, &root, now_ms)),
            root,
            at_ms: now_ms,
            public_key: public,
        };
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO tree_heads (party, size, root, at_ms, public_key, signature) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (party, size) DO NOTHING",
        )
        .bind(me)
        .bind(size)
        .bind(&head.root)
        .bind(now_ms)
        .bind(&head.public_key)
        .bind(&head.signature)
        .execute(&mut *tx)
        .await
        .map_err(db("storing the tree head"))?;
        let payload = serde_json::json!({ "size": size, "root": head.root });
        commit_with_event(tx, grant, "tree_head.signed", payload, now_ms).await?;
        Ok(head)
    }

    /// Every tree head in the store, by size.
    pub async fn tree_heads(&self) -> Result<Vec<TreeHead>, Error> {
        sqlx::query_as("SELECT party, size, root, at_ms, public_key, signature FROM tree_heads ORDER BY size, party")
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading tree heads"))
    }

    /// Checks every tree head: signed by a key its party registered, its root the one the
    /// log gives at its size, no two heads of one size with different roots (a fork), and
    /// each head consistent with the one before (RFC 9162 consistency proof).
    pub async fn verify_tree_heads(&self) -> Result<TreeHeadReport, Error> {
        let heads = self.tree_heads().await?;
        let leaves = self.log_leaves().await?;
        let registered: Vec<(String, String, String)> =
            sqlx::query("SELECT holder, party, public_key FROM party_keys")
                .fetch_all(&self.pool)
                .await
                .map_err(db("reading keys"))?
                .iter()
                .map(|r| {
                    let get = db("reading a key");
                    Ok((
                        r.try_get("holder").map_err(&get)?,
                        r.try_get("party").map_err(&get)?,
                        r.try_get("public_key").map_err(&get)?,
                    ))
                })
                .collect::<Result<_, Error>>()?;
        let report = |checked: usize, problem: String| TreeHeadReport {
            checked,
            problem: Some(problem),
        };
        let mut previous: Option<&TreeHead> = None;
        for (i, h) in heads.iter().enumerate() {
            // A head of this log is signed by a key its party registered here; a head of
            // another party's log, received in a bundle, by a key pinned for that party.
            let own = registered
                .iter()
                .any(|(holder, p, k)| holder == p && p == &h.party && k == &h.public_key);
            let pinned = registered
                .iter()
                .any(|(holder, p, k)| holder != p && p == &h.party && k == &h.public_key);
            if !own && !pinned {
                return Ok(report(
                    i,
                    format!(
                        "the tree head of size {} is signed by {}, not a key registered or pinned for {}",
                        h.size, h.public_key, h.party
                    ),
                ));
            }
            let good = verify_hex(
                &h.public_key,
                &tree_head_statement(&h.party, h.size, &h.root, h.at_ms),
                &h.signature,
            )
            .unwrap_or(false);
            if !good {
                return Ok(report(
                    i,
                    format!(
                        "the signature of the tree head of size {} does not verify",
                        h.size
                    ),
                ));
            }
            if !own {
                continue;
            }
            let size = usize::try_from(h.size).unwrap_or(usize::MAX);
            if size > leaves.len() {
                return Ok(report(
                    i,
                    format!(
                        "a tree head of size {} but the log holds {} events: events were removed (rollback)",
                        h.size,
                        leaves.len()
                    ),
                ));
            }
            let root = hex::encode(merkle::root(&leaves[..size]));
            if root != h.root {
                return Ok(report(
                    i,
                    format!(
                        "the log's root at size {} is {root}, the signed head says {}: the log was changed",
                        h.size, h.root
                    ),
                ));
            }
            if let Some(p) = previous {
                if p.size == h.size && p.root != h.root {
                    return Ok(report(
                        i,
                        format!(
                            "two tree heads of size {} with different roots: evidence of a forked log",
                            h.size
                        ),
                    ));
                }
                let (old, new) = (usize::try_from(p.size).unwrap_or(0), size);
                let proof = merkle::consistency_proof(old, &leaves[..new]).unwrap_or_default();
                let (r1, r2) = (merkle::root(&leaves[..old]), merkle::root(&leaves[..new]));
                if !merkle::verify_consistency(old as u64, new as u64, &r1, &r2, &proof) {
                    return Ok(report(
                        i,
                        format!(
                            "the tree head of size {} is not consistent with the one of size {}",
                            h.size, p.size
                        ),
                    ));
                }
            }
            previous = Some(h);
        }
        Ok(TreeHeadReport {
            checked: heads.len(),
            problem: None,
        })
    }
}

impl Store {
    /// The party whose current own key is `public`: the party a server signing with that key
    /// serves.
    pub async fn party_of_key(&self, public: &str) -> Result<Option<PartyCode>, Error> {
        let code: Option<String> = sqlx::query_scalar(
            "SELECT party FROM party_keys WHERE holder = party AND public_key = $1 AND retired_at IS NULL",
        )
        .bind(public)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("finding the key's party"))?;
        code.map(|c| c.parse()).transpose()
    }

    /// The issuer signs one of its lists: the original's SHA-256, the row count and the root
    /// of the rows' Merkle tree, with its current key; one event. Returns the row root.
    pub async fn sign_list(
        &self,
        grant: &Grant<Administer>,
        list_id: i64,
        key: &PartyKey,
        now_ms: i64,
    ) -> Result<String, Error> {
        let me = grant.party().as_str();
        let public = key.public_hex();
        let mut tx = self.begin().await?;
        current_key(
            &mut tx,
            me,
            &public,
            "register it first (homeward key register)",
        )
        .await?;
        let sha: Option<String> =
            sqlx::query_scalar("SELECT sha256 FROM lists WHERE id = $1 AND issuer = $2")
                .bind(list_id)
                .bind(me)
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("finding the list"))?;
        let sha = sha.ok_or_else(|| Error::NotFound(format!("list {list_id} issued by {me}")))?;
        let leaves = row_leaves(&mut tx, list_id).await?;
        let root = hex::encode(merkle::root(
            &leaves.iter().map(|(_, h)| *h).collect::<Vec<_>>(),
        ));
        let signature = key.sign_hex(&homeward_ledger::rows::list_statement(
            me,
            &sha,
            leaves.len() as u64,
            &root,
        ));
        sqlx::query(
            "UPDATE lists SET signature = $1, signature_key = $2, row_root = $3 WHERE id = $4",
        )
        .bind(&signature)
        .bind(&public)
        .bind(&root)
        .bind(list_id)
        .execute(&mut *tx)
        .await
        .map_err(db("storing the signature"))?;
        // A signed list addressed to a mediator that is a peer is due to it from now on.
        let relayed_to =
            crate::relay::queue_signed_list(&mut tx, me, list_id, &sha, now_ms).await?;
        let payload = serde_json::json!({ "list": list_id, "sha256": sha, "rows": leaves.len(), "row_root": root, "public_key": public, "relayed_to": relayed_to });
        commit_with_event(tx, grant, "list.signed", payload, now_ms).await?;
        Ok(root)
    }

    /// The proof that the row at `line` was on a signed list the grant's party issued or
    /// received; it reveals no other row.
    /// The proof is a read of the person's record, and audited as one.
    pub async fn prove_row(
        &self,
        grant: &Grant<homeward_core::access::ReadRegister>,
        list_id: i64,
        line: i64,
        now_ms: i64,
    ) -> Result<homeward_ledger::rows::RowProof, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT l.issuer, l.sha256, l.signature, l.signature_key, l.row_root FROM lists l WHERE l.id = $1 AND \
             (l.issuer = $2 OR EXISTS (SELECT 1 FROM list_addressees a WHERE a.list_id = l.id AND a.party = $2))",
        )
        .bind(list_id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("finding the list"))?
        .ok_or_else(|| Error::NotFound(format!("list {list_id}")))?;
        let get = db("reading the list");
        let (signature, public_key, row_root) = list_signature(&row, list_id)?;
        let leaves = row_leaves(&mut tx, list_id).await?;
        let index = leaves
            .iter()
            .position(|(l, _)| l.0 == line)
            .ok_or_else(|| {
                Error::invalid("row", format!("list {list_id} has no row at line {line}"))
            })?;
        let hashes: Vec<Hash> = leaves.iter().map(|(_, h)| *h).collect();
        let path = merkle::inclusion_proof(index, &hashes).unwrap_or_default();
        let kept = homeward_ledger::rows::row_leaf(line, &leaves[index].0.1)
            .is_ok_and(|leaf| leaf == hashes[index]);
        if !kept {
            return Err(Error::invalid(
                "row",
                format!(
                    "line {line} of list {list_id} was erased; its content can no longer be proven"
                ),
            ));
        }
        let cell = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT CASE WHEN l.issuer = $3 THEN r.person_id END AS person_id, \
             {} AS protected FROM {} WHERE r.list_id = $1 AND r.row_no = $2",
            crate::lists::ROW_PROTECTED,
            crate::lists::ROW_WITH_LIST_AND_RECORD
        )))
        .bind(list_id)
        .bind(line)
        .bind(me)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("reading the row"))?;
        let person: Option<i64> = cell.try_get("person_id").map_err(&get)?;
        let protected: i64 = cell.try_get("protected").map_err(&get)?;
        tx.commit().await.map_err(db("finishing the read"))?;
        // A proof carries the row's cells: a protected row's only for a reader cleared for it.
        if protected != 0 && grant.clearance() == homeward_core::protection::Clearance::Masked {
            if let Some(p) = person {
                self.refused(grant, p, "a proof of a protected row", now_ms)
                    .await?;
            }
            return Err(Error::invalid(
                "row",
                format!(
                    "line {line} of list {list_id} is a protected record's; only the roles protection and admin may prove it"
                ),
            ));
        }
        let persons: Vec<i64> = person.into_iter().collect();
        let read = crate::ReadOf {
            action: homeward_core::protection::ReadAction::Proof,
            persons: &persons,
            list: Some(list_id),
            purpose: "proof",
            detail: Some(&format!("line {line}")),
        };
        self.record_reads(grant, read, now_ms).await?;
        Ok(homeward_ledger::rows::RowProof {
            format: homeward_ledger::rows::ROW_PROOF_FORMAT.to_owned(),
            issuer: row.try_get("issuer").map_err(&get)?,
            list_sha256: row.try_get("sha256").map_err(&get)?,
            rows: leaves.len() as u64,
            row_root,
            public_key,
            signature,
            index: index as u64,
            line,
            fields: leaves[index].0.1.clone(),
            path: path.iter().map(hex::encode).collect(),
        })
    }
}

/// Refuses a key that is not a current (registered, not retired) key of `party`; `then` says
/// what to do about it.
pub(crate) async fn current_key(
    conn: &mut sqlx::AnyConnection,
    party: &str,
    public: &str,
    then: &str,
) -> Result<(), Error> {
    let current: Option<i64> = sqlx::query_scalar(
        "SELECT added_at FROM party_keys WHERE holder = $1 AND party = $1 AND public_key = $2 AND retired_at IS NULL",
    )
    .bind(party)
    .bind(public)
    .fetch_optional(conn)
    .await
    .map_err(db("finding the key"))?;
    match current {
        Some(_) => Ok(()),
        None => Err(Error::invalid(
            "key",
            format!("{public} is not a current key of {party}; {then}"),
        )),
    }
}

/// A list's signature, signing key and row root; a list its issuer has not signed is refused.
pub(crate) fn list_signature(
    row: &sqlx::any::AnyRow,
    list_id: i64,
) -> Result<(String, String, String), Error> {
    let get = db("reading the list");
    match (
        row.try_get::<Option<String>, _>("signature")
            .map_err(&get)?,
        row.try_get::<Option<String>, _>("signature_key")
            .map_err(&get)?,
        row.try_get::<Option<String>, _>("row_root").map_err(&get)?,
    ) {
        (Some(signature), Some(key), Some(root)) => Ok((signature, key, root)),
        _ => Err(Error::invalid(
            "list",
            format!("list {list_id} is not signed; its issuer signs it first (homeward sign-list)"),
        )),
    }
}

/// A list's rows in order, each as (line, cells) with its leaf hash.
pub(crate) async fn row_leaves(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    list_id: i64,
) -> Result<Vec<((i64, serde_json::Value), Hash)>, Error> {
    let rows = sqlx::query(
        "SELECT row_no, fields, erased_leaf FROM list_rows WHERE list_id = $1 ORDER BY row_no",
    )
    .bind(list_id)
    .fetch_all(&mut **tx)
    .await
    .map_err(db("reading the rows"))?;
    rows.iter()
        .map(|r| {
            let get = db("reading a row");
            let line: i64 = r.try_get("row_no").map_err(&get)?;
            let fields: serde_json::Value =
                serde_json::from_str(&r.try_get::<String, _>("fields").map_err(&get)?)
                    .map_err(|e| Error::Storage(format!("row {line}: {e}")))?;
            // An erased row keeps the leaf hash it had, so the signed root still holds.
            let erased: Option<String> = r.try_get("erased_leaf").map_err(&get)?;
            let leaf = match erased.as_deref().and_then(|h| hex::decode(h).ok()) {
                Some(bytes) => bytes.try_into().map_err(|_| {
                    Error::Storage(format!("row {line}: its kept leaf hash is damaged"))
                })?,
                None => homeward_ledger::rows::row_leaf(line, &fields)
                    .map_err(|e| Error::Storage(format!("row {line}: {e}")))?,
            };
            Ok(((line, fields), leaf))
        })
        .collect()
}

/// Retires `old` as `party`'s key in `holder`'s store and holds `new` in its place: the
/// party's own rotation, or another party's followed.
pub(crate) async fn replace_key(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    holder: &str,
    party: &str,
    old: &str,
    new: &str,
    now_ms: i64,
) -> Result<(), Error> {
    sqlx::query(
        "UPDATE party_keys SET retired_at = $1 WHERE holder = $2 AND party = $3 AND LOWER(public_key) = $4",
    )
    .bind(now_ms)
    .bind(holder)
    .bind(party)
    .bind(old.trim().to_ascii_lowercase())
    .execute(&mut **tx)
    .await
    .map_err(db("retiring the old key"))?;
    sqlx::query(
        "INSERT INTO party_keys (holder, party, public_key, added_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(holder)
    .bind(party)
    .bind(new)
    .bind(now_ms)
    .execute(&mut **tx)
    .await
    .map_err(db("holding the new key"))?;
    Ok(())
}

/// Whether `holder` holds `key` as a current key of `party` (its own or pinned; a key retired
/// by a rotation signs nothing new).
pub(crate) async fn key_held(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    holder: &str,
    party: &str,
    key: &str,
) -> Result<bool, Error> {
    key_found(tx, holder, party, key, true).await
}

/// Whether `holder` holds or once held `key` for `party` (a retired key still verifies what
/// it signed while it was current).
pub(crate) async fn key_ever_held(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    holder: &str,
    party: &str,
    key: &str,
) -> Result<bool, Error> {
    key_found(tx, holder, party, key, false).await
}

async fn key_found(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    holder: &str,
    party: &str,
    key: &str,
    current: bool,
) -> Result<bool, Error> {
    const HELD: &str = "SELECT added_at FROM party_keys WHERE holder = $1 AND party = $2 AND LOWER(public_key) = $3";
    let sql = if current {
        format!("{HELD} AND retired_at IS NULL")
    } else {
        HELD.to_owned()
    };
    let found: Option<i64> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(holder)
        .bind(party)
        .bind(key.trim().to_ascii_lowercase())
        .fetch_optional(&mut **tx)
        .await
        .map_err(db("reading pinned keys"))?;
    Ok(found.is_some())
}
