//! Batches of remains between the sides' own servers: the handing side states the batch and
//! its manifest to the other side and the mediator, who each keep it as a batch of their
//! store; the receiving side states the bodies it counted back to both. A batch carries no
//! person of anyone's register, so the mediator keeps it as the sides do and every store
//! counts the commitment's bodies from its own batches.

use super::{commitment_ref, find_commitment, short, signer_name, state_to, to_value};
use crate::db;
use homeward_core::Error;
use homeward_core::access::{Command, Grant};
use homeward_core::stated_plan::{
    REMAINS_HANDED_OVER, REMAINS_RECEIVED, RemainsHandover, RemainsReceipt,
};
use homeward_ledger::keys::PartyKey;
use homeward_ledger::statement::Statement;
use sqlx::{Any, Transaction};

/// States batch `batch_id` of commitment `commitment_id`, just recorded by the grant's
/// party, to the other side and the mediator; keeps the statement's hash on the batch.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn state_handover<C: Command>(
    tx: &mut Transaction<'static, Any>,
    grant: &Grant<C>,
    key: &PartyKey,
    commitment_id: i64,
    batch_id: i64,
    (handed_over_on, bodies, tags): (&str, i64, &[String]),
    now_ms: i64,
) -> Result<String, Error> {
    let commitment = commitment_ref(tx, commitment_id).await?;
    let to = commitment.addressees(grant.party().as_str());
    let body = RemainsHandover {
        commitment,
        handed_over_on: handed_over_on.to_owned(),
        bodies,
        tags: tags.to_vec(),
        by: signer_name(tx, grant).await?,
    };
    let sha = state_to(
        tx,
        grant,
        key,
        &to,
        REMAINS_HANDED_OVER,
        to_value(&body)?,
        now_ms,
    )
    .await?;
    sqlx::query("UPDATE remains_batches SET handover_sha256 = $1 WHERE id = $2")
        .bind(&sha)
        .bind(batch_id)
        .execute(&mut **tx)
        .await
        .map_err(db("naming the batch"))?;
    Ok(sha)
}

/// The handover statement of batch `batch_id` when `me` took it from the handing side's
/// server: then `me`'s count of it is stated back.
pub(crate) async fn taken_handover(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    batch_id: i64,
) -> Result<Option<String>, Error> {
    sqlx::query_scalar(
        "SELECT b.handover_sha256 FROM remains_batches b JOIN statements s \
         ON s.sha256 = b.handover_sha256 AND s.holder = $1 AND s.issuer <> $1 WHERE b.id = $2",
    )
    .bind(me)
    .bind(batch_id)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("reading the batch's handover"))
}

/// States the bodies the grant's party counted in batch `batch_id` (handed over as
/// `handover`) back to the handing side and the mediator.
pub(crate) async fn state_receipt<C: Command>(
    tx: &mut Transaction<'static, Any>,
    grant: &Grant<C>,
    key: &PartyKey,
    (batch_id, handover): (i64, &str),
    commitment_id: i64,
    bodies: i64,
    now_ms: i64,
) -> Result<String, Error> {
    let commitment = commitment_ref(tx, commitment_id).await?;
    let to = commitment.addressees(grant.party().as_str());
    let body = RemainsReceipt {
        batch: handover.to_owned(),
        bodies,
        by: signer_name(tx, grant).await?,
    };
    let sha = state_to(
        tx,
        grant,
        key,
        &to,
        REMAINS_RECEIVED,
        to_value(&body)?,
        now_ms,
    )
    .await?;
    sqlx::query("UPDATE remains_batches SET receipt_sha256 = $1 WHERE id = $2")
        .bind(&sha)
        .bind(batch_id)
        .execute(&mut **tx)
        .await
        .map_err(db("naming the batch's receipt"))?;
    Ok(sha)
}

/// Follows a statement about a batch of remains that `me` has just taken: the other side's
/// handover becomes a batch of `me`'s store (the mediator's too), the receiving side's count
/// is kept on the batch. Returns what was done; `None` for other kinds.
pub(crate) async fn follow_remains(
    tx: &mut Transaction<'static, Any>,
    me: &str,
    statement: &Statement,
    sha: &str,
) -> Result<Option<String>, Error> {
    let issuer = statement.issuer.as_str();
    let not = |why: String| Ok(Some(format!("not followed: {why}")));
    match statement.kind.as_str() {
        REMAINS_HANDED_OVER => {
            let Ok(h) = serde_json::from_value::<RemainsHandover>(statement.body.clone()) else {
                return not("it is not a batch of remains".to_owned());
            };
            let Some(commitment) = find_commitment(tx, &h.commitment).await? else {
                return not(format!(
                    "{me} holds no commitment \"{}\" of the round \"{}\"",
                    h.commitment.title, h.commitment.round
                ));
            };
            let Some(to) = h.commitment.sides.iter().find(|s| s.as_str() != issuer) else {
                return not(format!("{issuer} is not a side of the commitment"));
            };
            if !h.commitment.sides.iter().any(|s| s == issuer) {
                return not(format!("{issuer} is not a side of the commitment"));
            }
            if h.bodies < 1 || h.tags.len() as i64 > h.bodies {
                return not(format!(
                    "{} bodies with {} tags is not a manifest",
                    h.bodies,
                    h.tags.len()
                ));
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO remains_batches (commitment_id, from_party, to_party, handed_over_on, bodies, tags, recorded_by, recorded_at, handover_sha256) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(commitment)
            .bind(issuer)
            .bind(to.as_str())
            .bind(&h.handed_over_on)
            .bind(h.bodies)
            .bind(serde_json::Value::from(h.tags.clone()).to_string())
            .bind(format!("{} ({issuer})", h.by))
            .bind(statement.at_ms)
            .bind(sha)
            .fetch_one(&mut **tx)
            .await
            .map_err(db("keeping the batch"))?;
            Ok(Some(format!(
                "kept as batch {id}: {} bodies from {issuer} to {to}",
                h.bodies
            )))
        }
        REMAINS_RECEIVED => {
            let Ok(r) = serde_json::from_value::<RemainsReceipt>(statement.body.clone()) else {
                return not("it is not a count of a batch".to_owned());
            };
            let batch: Option<(i64, String)> = sqlx::query_as(
                "SELECT id, to_party FROM remains_batches WHERE handover_sha256 = $1",
            )
            .bind(&r.batch)
            .fetch_optional(&mut **tx)
            .await
            .map_err(db("finding the batch"))?;
            let Some((id, to)) = batch else {
                return not(format!(
                    "{me} holds no batch handed over as {}",
                    short(&r.batch)
                ));
            };
            if to != issuer {
                return not(format!("only {to}, which receives batch {id}, counts it"));
            }
            sqlx::query(
                "UPDATE remains_batches SET received_bodies = $1, received_by = $2, received_at = $3, receipt_sha256 = $4 \
                 WHERE id = $5 AND received_by IS NULL",
            )
            .bind(r.bodies)
            .bind(format!("{} ({issuer})", r.by))
            .bind(statement.at_ms)
            .bind(sha)
            .bind(id)
            .execute(&mut **tx)
            .await
            .map_err(db("keeping the count of the batch"))?;
            Ok(Some(format!(
                "batch {id}: {} bodies counted by {issuer}",
                r.bodies
            )))
        }
        _ => Ok(None),
    }
}
