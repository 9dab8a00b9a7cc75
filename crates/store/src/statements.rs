//! Signed statements a party's store holds: its own, each numbered after the last and naming
//! its hash, queued to the mediator (or straight to the addressees that are peers when the
//! round has none) in the transaction that made them; and other parties', taken only in
//! their issuer's order, so a rolled-back or forked history is refused with the statement
//! it contradicts. What a statement says is checked by [`homeward_ledger::statement`].

use crate::keys::{key_ever_held, key_held};
use crate::relay::{Outgoing, is_mediator_kind, is_peer, party_kind, queue};
use crate::{Pending, Store, db};
use homeward_core::Error;
use homeward_core::access::{Administer, Grant, ReadRegister};
use homeward_ledger::keys::PartyKey;
use homeward_ledger::relay::Carried;
use homeward_ledger::statement::{ChainPlace, Statement, StatementDraft, chain_place};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

/// A statement as the party's pages show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatementView {
    /// The party that stated it.
    pub issuer: String,
    /// Its number among the issuer's statements.
    pub seq: i64,
    /// What the issuer signed, hashed.
    pub sha256: String,
    /// Its kind (`commission.finding`).
    pub kind: String,
    /// When the issuer stated it.
    pub at_ms: i64,
    /// Whom it is for.
    pub addressees: Vec<String>,
    /// What it states.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: serde_json::Value,
    /// Those who counter-signed it, as held here.
    pub countersigned_by: Vec<String>,
    /// When this store received it (none for the party's own).
    pub received_at: Option<i64>,
}

fn view_of(row: &sqlx::any::AnyRow) -> Result<StatementView, Error> {
    let get = db("reading a statement");
    let file: String = row.try_get("file").map_err(&get)?;
    let s = Statement::from_file(&file)
        .map_err(|e| Error::Storage(format!("a kept statement is unreadable: {e}")))?;
    Ok(StatementView {
        sha256: row.try_get("sha256").map_err(&get)?,
        received_at: row.try_get("received_at").map_err(&get)?,
        countersigned_by: s.countersignatures.iter().map(|c| c.by.clone()).collect(),
        issuer: s.issuer,
        seq: s.seq,
        kind: s.kind,
        at_ms: s.at_ms,
        addressees: s.addressees,
        body: s.body,
    })
}

fn file_of(s: &Statement) -> Result<String, Error> {
    s.to_file()
        .map_err(|e| Error::Storage(format!("encoding a statement: {e}")))
}

fn sha_of(s: &Statement) -> Result<String, Error> {
    s.sha256()
        .map_err(|e| Error::invalid("statement", format!("it cannot be hashed: {e}")))
}

/// The hash of the issuer's statement `seq` this store holds, and its last statement's
/// number and hash.
async fn held_chain(
    tx: &mut Transaction<'static, Any>,
    holder: &str,
    issuer: &str,
    seq: i64,
) -> Result<(Option<String>, Option<(i64, String)>), Error> {
    let at: Option<String> = sqlx::query_scalar(
        "SELECT sha256 FROM statements WHERE holder = $1 AND issuer = $2 AND seq = $3",
    )
    .bind(holder)
    .bind(issuer)
    .bind(seq)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("reading statements"))?;
    let last = sqlx::query(
        "SELECT seq, sha256 FROM statements WHERE holder = $1 AND issuer = $2 ORDER BY seq DESC LIMIT 1",
    )
    .bind(holder)
    .bind(issuer)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("reading statements"))?
    .map(|r| -> Result<(i64, String), Error> {
        let get = db("reading statements");
        Ok((
            r.try_get("seq").map_err(&get)?,
            r.try_get("sha256").map_err(&get)?,
        ))
    })
    .transpose()?;
    Ok((at, last))
}

async fn keep(
    tx: &mut Transaction<'static, Any>,
    holder: &str,
    s: &Statement,
    sha: &str,
    received_at: Option<i64>,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO statements (holder, issuer, seq, sha256, prev_sha256, kind, at_ms, file, received_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(holder)
    .bind(&s.issuer)
    .bind(s.seq)
    .bind(sha)
    .bind(&s.prev_sha256)
    .bind(&s.kind)
    .bind(s.at_ms)
    .bind(file_of(s)?)
    .bind(received_at)
    .execute(&mut **tx)
    .await
    .map_err(db("keeping a statement"))?;
    Ok(())
}

/// Queues `file` (statement `sha` of `issuer`) to each of `to` that is a peer of `me`;
/// returns those queued.
async fn queue_to(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    issuer: &str,
    sha: &str,
    file: &str,
    to: impl IntoIterator<Item = String>,
    now_ms: i64,
) -> Result<Vec<String>, Error> {
    let mut queued = Vec::new();
    for party in to {
        if is_peer(tx, me, &party).await? {
            queue(
                tx,
                me,
                Outgoing {
                    to: &party,
                    carries: Carried::Statement,
                    list: None,
                    list_of: Some((issuer, sha)),
                    document: Some(file),
                },
                now_ms,
            )
            .await?;
            queued.push(party);
        }
    }
    Ok(queued)
}

/// States `body` as the party's next statement of `kind` to `addressees`, signed by `key`
/// (the party's current key), kept and queued in `tx`: to the mediators among the addressees
/// that are peers, or, when none is, to each addressee that is. Returns the statement's
/// SHA-256 and its event payload; the caller appends it (`statement.issued`) with its own
/// change.
pub(crate) async fn issue_in(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    key: &PartyKey,
    kind: &str,
    addressees: &[String],
    body: serde_json::Value,
    now_ms: i64,
) -> Result<(String, serde_json::Value), Error> {
    let public = key.public_hex();
    crate::keys::current_key(tx, me, &public, "register it first (homeward key register)").await?;
    let (_, last) = held_chain(tx, me, me, 0).await?;
    let (seq, prev) = match last {
        Some((n, sha)) => (n + 1, Some(sha)),
        None => (1, None),
    };
    let statement = Statement::new(
        StatementDraft {
            issuer: me.to_owned(),
            seq,
            prev_sha256: prev,
            addressees: addressees.to_vec(),
            at_ms: now_ms,
            kind: kind.to_owned(),
            body,
        },
        public,
        |m| key.sign_hex(m),
    )
    .map_err(|e| Error::invalid("statement", e))?;
    let sha = sha_of(&statement)?;
    keep(tx, me, &statement, &sha, None).await?;
    let mut mediators = Vec::new();
    for a in addressees {
        if is_mediator_kind(party_kind(tx, a).await?) {
            mediators.push(a.clone());
        }
    }
    let route = if mediators.is_empty() {
        addressees.to_vec()
    } else {
        mediators
    };
    let file = file_of(&statement)?;
    let queued = queue_to(tx, me, me, &sha, &file, route, now_ms).await?;
    let payload = serde_json::json!({
        "seq": seq,
        "kind": kind,
        "sha256": sha,
        "signature": statement.signature,
        "to": addressees,
        "queued_to": queued,
    });
    Ok((sha, payload))
}

/// Takes a statement delivered by `from`: the issuer's signature and every counter-signature
/// checked against pinned keys, its place in the issuer's chain checked; a mediator
/// counter-signs it and queues it on to the other addressees and back to the issuer; an
/// addressee keeps it; the issuer keeps the counter-signatures it came back with. A
/// statement ahead of the chain waits (the sender tries again); one that rewrites it is
/// refused with the statement it contradicts. Returns the change and what was done.
pub(crate) async fn take_in(
    mut tx: Transaction<'static, Any>,
    relay: &Grant<Administer>,
    key: &PartyKey,
    statement: &Statement,
    now_ms: i64,
) -> Result<(Pending<i64>, (String, String), String), Error> {
    let me = relay.party().as_str();
    let issuer = statement.issuer.as_str();
    if !key_held(&mut tx, me, issuer, &statement.public_key).await? {
        return Err(Error::invalid(
            "statement",
            format!(
                "it is signed by {}, which is not a key {me} pins for {issuer}",
                statement.public_key
            ),
        ));
    }
    statement
        .check(&statement.public_key)
        .map_err(|why| Error::invalid("statement", why))?;
    for c in &statement.countersignatures {
        if !key_held(&mut tx, me, &c.by, &c.public_key).await? {
            return Err(Error::invalid(
                "statement",
                format!(
                    "it is counter-signed by {}, which is not a key {me} pins for {}",
                    c.public_key, c.by
                ),
            ));
        }
        statement
            .check_countersignature(c, &c.public_key)
            .map_err(|why| Error::invalid("statement", why))?;
    }
    if issuer != me && !statement.addressees.iter().any(|a| a == me) {
        return Err(Error::invalid(
            "statement",
            format!(
                "{issuer}'s statement {} is for {}, not for {me}",
                statement.seq,
                statement.addressees.join(", ")
            ),
        ));
    }
    let sha = sha_of(statement)?;
    let (at, last) = held_chain(&mut tx, me, issuer, statement.seq).await?;
    let place = chain_place(
        statement,
        &sha,
        at.as_deref(),
        last.as_ref().map(|(n, s)| (*n, s.as_str())),
    );
    let mediator = is_mediator_kind(party_kind(&mut tx, me).await?);
    let next = matches!(place, ChainPlace::Next);
    let outcome = match place {
        ChainPlace::Forked(why) => return Err(Error::invalid("statement", why)),
        ChainPlace::Early { expected } => {
            return Err(Error::Unavailable(format!(
                "{issuer}'s statement {} came before its statement {expected}; it is taken once that one has arrived",
                statement.seq
            )));
        }
        ChainPlace::Held if issuer == me => {
            let merged = merge_countersignatures(&mut tx, me, statement, &sha).await?;
            format!(
                "counter-signatures kept on statement {} ({})",
                statement.seq,
                merged.join(", ")
            )
        }
        ChainPlace::Held => {
            merge_countersignatures(&mut tx, me, statement, &sha).await?;
            format!("{issuer}'s statement {} was already held", statement.seq)
        }
        ChainPlace::Next if issuer == me => {
            return Err(Error::invalid(
                "statement",
                format!(
                    "{me} never issued a statement {} with this content",
                    statement.seq
                ),
            ));
        }
        ChainPlace::Next if mediator => {
            let signed = statement
                .clone()
                .countersigned(me, now_ms, key.public_hex(), |m| key.sign_hex(m))
                .map_err(|e| Error::invalid("statement", e))?;
            keep(&mut tx, me, &signed, &sha, Some(now_ms)).await?;
            let file = file_of(&signed)?;
            let mut onward: Vec<String> = Vec::new();
            for a in &statement.addressees {
                if a != me && a != issuer {
                    onward.push(a.clone());
                }
            }
            onward.push(issuer.to_owned());
            let on = queue_to(&mut tx, me, issuer, &sha, &file, onward, now_ms).await?;
            let mut outcome = format!("counter-signed by {me}");
            if !on.is_empty() {
                outcome.push_str(&format!("; passed on to {}", on.join(", ")));
            }
            outcome
        }
        ChainPlace::Next => {
            keep(&mut tx, me, statement, &sha, Some(now_ms)).await?;
            format!("{issuer}'s statement {} kept", statement.seq)
        }
    };
    // What the statement says is followed in the same transaction as its keeping.
    let followed = if !next {
        None
    } else if let Some(done) =
        crate::stated_plans::follow_in(&mut tx, relay, key, statement, &sha, now_ms).await?
    {
        Some(done)
    } else {
        crate::stated_plans::follow_remains(&mut tx, me, statement, &sha).await?
    };
    let outcome = match &followed {
        Some(done) => format!("{outcome}; {done}"),
        None => outcome,
    };
    let payload = serde_json::json!({
        "issuer": issuer,
        "seq": statement.seq,
        "kind": statement.kind,
        "sha256": sha,
        "countersigned_by": statement.countersignatures.iter().map(|c| c.by.as_str()).collect::<Vec<_>>(),
        "followed": followed,
    });
    Ok((
        Pending {
            tx,
            kind: "statement.received",
            payload,
            value: 0,
        },
        (issuer.to_owned(), sha),
        outcome,
    ))
}

/// Adds to the held copy of a statement the counter-signatures `statement` brings that it
/// lacks; returns every counter-signer now held.
async fn merge_countersignatures(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    statement: &Statement,
    sha: &str,
) -> Result<Vec<String>, Error> {
    let file: String =
        sqlx::query_scalar("SELECT file FROM statements WHERE holder = $1 AND sha256 = $2")
            .bind(me)
            .bind(sha)
            .fetch_one(&mut **tx)
            .await
            .map_err(db("reading a statement"))?;
    let mut held = Statement::from_file(&file)
        .map_err(|e| Error::Storage(format!("a kept statement is unreadable: {e}")))?;
    for c in &statement.countersignatures {
        if !held.countersignatures.iter().any(|h| h.by == c.by) {
            held.countersignatures.push(c.clone());
        }
    }
    sqlx::query("UPDATE statements SET file = $1 WHERE holder = $2 AND sha256 = $3")
        .bind(file_of(&held)?)
        .bind(me)
        .bind(sha)
        .execute(&mut **tx)
        .await
        .map_err(db("keeping counter-signatures"))?;
    Ok(held.countersignatures.into_iter().map(|c| c.by).collect())
}

/// What checking the statements found: signatures checked and the first failure.
pub(crate) async fn verify_statements(
    tx: &mut Transaction<'static, Any>,
) -> Result<(usize, Option<String>), Error> {
    let rows = sqlx::query(
        "SELECT holder, issuer, seq, sha256, prev_sha256, file FROM statements ORDER BY holder, issuer, seq",
    )
    .fetch_all(&mut **tx)
    .await
    .map_err(db("reading statements"))?;
    let mut checked = 0;
    let mut before: Option<(String, String, i64, String)> = None;
    for r in &rows {
        let get = db("reading a statement");
        let holder: String = r.try_get("holder").map_err(&get)?;
        let issuer: String = r.try_get("issuer").map_err(&get)?;
        let seq: i64 = r.try_get("seq").map_err(&get)?;
        let sha: String = r.try_get("sha256").map_err(&get)?;
        let prev: Option<String> = r.try_get("prev_sha256").map_err(&get)?;
        let file: String = r.try_get("file").map_err(&get)?;
        let name = format!("{issuer}'s statement {seq} (held by {holder})");
        let s = match Statement::from_file(&file) {
            Ok(s) => s,
            Err(e) => return Ok((checked, Some(format!("{name}: {e}")))),
        };
        if s.sha256().ok().as_deref() != Some(sha.as_str()) || s.seq != seq || s.issuer != issuer {
            return Ok((
                checked,
                Some(format!("{name}: it is not the statement recorded")),
            ));
        }
        if let Err(why) = s.check(&s.public_key) {
            return Ok((checked, Some(format!("{name}: {why}"))));
        }
        if !key_ever_held(tx, &holder, &issuer, &s.public_key).await? {
            return Ok((
                checked,
                Some(format!(
                    "{name}: signed by a key {holder} never held for {issuer}"
                )),
            ));
        }
        checked += 1;
        // Statements are taken only in order, so the held chain has no hole.
        let follows = match &before {
            Some((h, i, n, last)) if *h == holder && *i == issuer => {
                seq == n + 1 && prev.as_deref() == Some(last.as_str())
            }
            _ => seq == 1 && prev.is_none(),
        };
        if !follows {
            return Ok((
                checked,
                Some(format!(
                    "{name}: it does not follow the statement before it"
                )),
            ));
        }
        for c in &s.countersignatures {
            if let Err(why) = s.check_countersignature(c, &c.public_key) {
                return Ok((checked, Some(format!("{name}: {why}"))));
            }
            checked += 1;
        }
        before = Some((holder, issuer, seq, sha));
    }
    Ok((checked, None))
}

impl Store {
    /// The statements the grant's party holds, its own and those it received, of `kind`
    /// when given; newest first.
    pub async fn statements(
        &self,
        grant: &Grant<ReadRegister>,
        kind: Option<&str>,
    ) -> Result<Vec<StatementView>, Error> {
        const COLUMNS: &str = "SELECT sha256, received_at, file FROM statements WHERE holder = $1";
        const ORDER: &str = "ORDER BY at_ms DESC, issuer, seq DESC";
        let query = match kind {
            Some(_) => format!("{COLUMNS} AND kind = $2 {ORDER}"),
            None => format!("{COLUMNS} {ORDER}"),
        };
        let mut q = sqlx::query(sqlx::AssertSqlSafe(query)).bind(grant.party().as_str());
        if let Some(kind) = kind {
            q = q.bind(kind);
        }
        let rows = q
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading statements"))?;
        rows.iter().map(view_of).collect()
    }

    /// The statement file the grant's party holds for `issuer`'s statement `seq`.
    pub async fn statement_file(
        &self,
        grant: &Grant<Administer>,
        issuer: &str,
        seq: i64,
    ) -> Result<String, Error> {
        sqlx::query_scalar(
            "SELECT file FROM statements WHERE holder = $1 AND issuer = $2 AND seq = $3",
        )
        .bind(grant.party().as_str())
        .bind(issuer)
        .bind(seq)
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a statement"))?
        .ok_or_else(|| Error::NotFound(format!("{issuer}'s statement {seq}")))
    }
}
