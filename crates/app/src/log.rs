//! The event log for its auditors: the chain recomputed, the latest events, the signed
//! tree heads and signed lists checked; and the offline check of an exported row proof or
//! list bundle against its issuer's key.

use crate::{App, Error, grant};
use homeward_core::access::{Actor, Audit, ReadTalks};
use homeward_ledger::bundle::{BUNDLE_FORMAT, Bundle};
use homeward_ledger::rows::RowProof;
use serde::{Deserialize, Serialize};

/// The outcome of walking the event log.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct LogVerification {
    /// Events whose hash and link held.
    pub verified: i64,
    /// Hash of the last event that held.
    pub head: String,
    /// Whether the whole log held.
    pub intact: bool,
    /// The first event that did not hold.
    pub first_break_seq: Option<i64>,
    /// What was wrong with it.
    pub first_break_reason: Option<String>,
}

/// One event of the log as auditors read it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// Position in the log.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch (UTC).
    pub at_ms: i64,
    /// The party on whose behalf it was written.
    pub party: String,
    /// Who acted.
    pub actor: String,
    /// What happened.
    pub kind: String,
    /// Details: ids, counts and hashes, never personal data.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: serde_json::Value,
    /// The hash of the event before it, which this one's hash covers.
    pub prev_hash: String,
    /// SHA-256 of the event's canonical entry.
    pub hash: String,
}

/// The signed tree heads of the log and whether they hold.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct TreeHeads {
    /// Every head, by size.
    pub heads: Vec<homeward_store::TreeHead>,
    /// What checking them found.
    pub check: homeward_store::TreeHeadReport,
    /// What checking the signed lists and their counter-signatures found.
    pub lists: homeward_store::SignedListsReport,
}

/// A proof to check, as JSON however it is spelled.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Deserialize)]
pub struct ProofCheck {
    /// The proof, as `homeward prove` wrote it, or a bundle as `homeward bundle export` did.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub proof: serde_json::Value,
    /// The issuer's public key, 64 hex digits.
    pub key: String,
}

/// What checking a proof found.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct ProofResult {
    /// Whether the row was on the list the key signed.
    pub valid: bool,
    /// What was proven, or what failed.
    pub detail: String,
}

impl App {
    /// Recomputes every hash of the event log (auditors). The log holds no personal data.
    pub async fn verify_log(&self, actor: &Actor) -> Result<LogVerification, Error> {
        grant::<Audit>(actor)?;
        self.log_verification().await
    }

    /// The log's verification, for whoever holds the store (`homeward verify`).
    pub async fn log_verification(&self) -> Result<LogVerification, Error> {
        let report = self.store.verify_log().await?;
        Ok(LogVerification {
            verified: report.verified,
            head: report.head,
            intact: report.first_break.is_none(),
            first_break_seq: report.first_break.as_ref().map(|b| b.seq),
            first_break_reason: report.first_break.map(|b| b.reason),
        })
    }

    /// The latest `limit` events written on behalf of the actor's party (auditors).
    pub async fn events(&self, actor: &Actor, limit: i64) -> Result<Vec<EventView>, Error> {
        let grant = grant::<Audit>(actor)?;
        let events = self.store.events_of_party(&grant, limit).await?;
        Ok(events
            .into_iter()
            .map(|e| EventView {
                seq: e.seq,
                at_ms: e.draft.at_ms,
                party: e.draft.party,
                actor: e.draft.actor,
                kind: e.draft.kind,
                payload: e.draft.payload,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect())
    }

    /// The log's signed tree heads, each checked, and the signed lists checked (auditors).
    pub async fn tree_heads(&self, actor: &Actor) -> Result<TreeHeads, Error> {
        grant::<Audit>(actor)?;
        self.tree_head_report().await
    }

    /// The tree heads and signed lists checked, for whoever holds the store.
    pub async fn tree_head_report(&self) -> Result<TreeHeads, Error> {
        Ok(TreeHeads {
            heads: self.store.tree_heads().await?,
            check: self.store.verify_tree_heads().await?,
            lists: self.store.verify_signed_lists().await?,
        })
    }

    /// Checks a pasted or posted proof (or bundle) against the issuer's key; nothing is
    /// stored. Anyone who follows the talks may check.
    pub fn verify_proof(&self, actor: &Actor, check: ProofCheck) -> Result<ProofResult, Error> {
        grant::<ReadTalks>(actor)?;
        Ok(check_proof(check.proof, &check.key))
    }

    /// Checks an uploaded proof or bundle file, byte for byte as written.
    pub fn verify_document(
        &self,
        actor: &Actor,
        bytes: &[u8],
        key: &str,
    ) -> Result<ProofResult, Error> {
        grant::<ReadTalks>(actor)?;
        Ok(check_document(bytes, key))
    }
}

/// Checks a proof that one row was on a signed list, or a whole list bundle, against the
/// issuer's public key, as JSON however it is spelled. No other row is needed.
pub fn check_proof(proof: serde_json::Value, key: &str) -> ProofResult {
    if proof.get("format").and_then(|f| f.as_str()) == Some(BUNDLE_FORMAT) {
        return serde_json::from_value(proof)
            .map_err(|e| format!("not a list bundle: {e}"))
            .map_or_else(ProofResult::refused, |b| bundle_result(&b, key));
    }
    if !proof.is_object() {
        return ProofResult::refused(
            "not a row proof: a JSON object as `homeward prove` writes it is expected".into(),
        );
    }
    serde_json::from_value(proof)
        .map_err(|e| format!("not a row proof: {e}"))
        .map_or_else(ProofResult::refused, |p| row_result(&p, key))
}

/// Checks an exported file — a list bundle or a row proof, byte for byte as homeward wrote
/// it (any other spelling is refused) — against the issuer's public key.
pub fn check_document(bytes: &[u8], key: &str) -> ProofResult {
    let format = serde_json::from_slice::<serde_json::Value>(bytes)
        .map(|v| v["format"].clone())
        .unwrap_or_default();
    if format == BUNDLE_FORMAT {
        return Bundle::from_file(bytes)
            .map_or_else(ProofResult::refused, |b| bundle_result(&b, key));
    }
    RowProof::from_file(bytes).map_or_else(ProofResult::refused, |p| row_result(&p, key))
}

impl ProofResult {
    fn refused(detail: String) -> Self {
        ProofResult {
            valid: false,
            detail,
        }
    }
}

/// A whole bundle checked: original, rows, signatures, the issuing event's inclusion.
fn bundle_result(b: &Bundle, key: &str) -> ProofResult {
    match b.check(key) {
        Err(why) => ProofResult::refused(why),
        Ok(()) => ProofResult {
            valid: true,
            detail: format!(
                "the bundle of {}'s list {} ({} rows) holds: signed by {}, and its issuing is event {} of a signed log of {} events{}",
                b.issuer,
                b.sha256,
                b.rows.len(),
                b.public_key,
                b.event_seq,
                b.tree_head.size,
                if b.countersignatures.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; counter-signed by {}",
                        b.countersignatures
                            .iter()
                            .map(|c| c.0.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            ),
        },
    }
}

/// A proof of one row checked against the list's signature.
fn row_result(p: &RowProof, key: &str) -> ProofResult {
    match p.verify(key) {
        Err(why) => ProofResult::refused(why),
        Ok(()) => ProofResult {
            valid: true,
            detail: format!(
                "line {} was on the list {} issued by {} ({} rows), signed by {}",
                p.line, p.list_sha256, p.issuer, p.rows, p.public_key
            ),
        },
    }
}
