//! Remains: batches handed over with their manifests, received into the receiving party's
//! register as unidentified remains, identified step by step against a missing person's
//! record, whose family is then told.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadTalks, RecordMovements, WriteRegister};
use homeward_core::party::PartyCode;
use homeward_core::record::{Category, Identification, PersonRecord, Relation, Status};
use homeward_core::talks::Terms;
use homeward_ledger::keys::PartyKey;
use serde::Serialize;
use sqlx::Row;

/// A batch of remains and its manifest.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BatchView {
    /// Id in this store.
    pub id: i64,
    /// The commitment it fulfils.
    pub commitment_id: i64,
    /// The party that handed it over.
    pub from: String,
    /// The party receiving it.
    pub to: String,
    /// The day of the handover.
    pub handed_over_on: String,
    /// Bodies on the manifest.
    pub bodies: i64,
    /// Tag numbers on the manifest.
    pub tags: Vec<String>,
    /// Bodies the receiving party counted, once received.
    pub received_bodies: Option<i64>,
    /// Who recorded the receipt.
    pub received_by: Option<String>,
}

impl Store {
    /// The handing party records a batch of remains for a remains-return commitment it is a
    /// side of: the day, the number of bodies and the tags on the manifest; one event.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_batch(
        &self,
        grant: &Grant<RecordMovements>,
        commitment_id: i64,
        handed_over_on: &str,
        bodies: i64,
        tags: &[String],
        signer: Option<&PartyKey>,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let me = grant.party();
        handed_over_on
            .parse::<homeward_core::record::PartialDate>()
            .map_err(|e| Error::invalid("handed_over_on", format!("{handed_over_on:?}: {e}")))?;
        if bodies < 1 {
            return Err(Error::invalid("bodies", "a batch holds at least one body"));
        }
        if tags.len() as i64 > bodies {
            return Err(Error::invalid(
                "tags",
                format!("{} tags for {bodies} bodies", tags.len()),
            ));
        }
        let mut tx = self.begin().await?;
        let (sides, terms) = crate::talks::visible_commitment(&mut tx, me, commitment_id).await?;
        if !matches!(terms, Terms::RemainsReturn { .. }) {
            return Err(Error::invalid(
                "commitment",
                format!("commitment {commitment_id} is not a return of remains"),
            ));
        }
        let to = match sides.iter().position(|s| s == me) {
            Some(0) => &sides[1],
            Some(_) => &sides[0],
            None => {
                return Err(Error::invalid(
                    "commitment",
                    format!(
                        "only {} or {} hand over remains under it",
                        sides[0], sides[1]
                    ),
                ));
            }
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO remains_batches (commitment_id, from_party, to_party, handed_over_on, bodies, tags, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(commitment_id)
        .bind(me.as_str())
        .bind(to.as_str())
        .bind(handed_over_on)
        .bind(bodies)
        .bind(serde_json::Value::from(tags.to_vec()).to_string())
        .bind(grant.actor())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("recording the batch"))?;
        // With the party's key, the batch is stated to the other side and the mediator.
        if let Some(key) = signer {
            crate::stated_plans::state_handover(
                &mut tx,
                grant,
                key,
                commitment_id,
                id,
                (handed_over_on, bodies, tags),
                now_ms,
            )
            .await?;
        }
        let payload = serde_json::json!({
            "batch": id,
            "commitment": commitment_id,
            "to": to,
            "bodies": bodies,
            "tags_sha256": homeward_ledger::sha256_hex(serde_json::Value::from(tags.to_vec()).to_string().as_bytes()),
        });
        commit_with_event(tx, grant, "remains.batch_handed_over", payload, now_ms).await?;
        Ok(id)
    }

    /// The receiving party records the bodies it counted; each tag on the manifest becomes
    /// an unidentified remains record of its register (its own fallen, returned). One event.
    pub async fn receive_batch(
        &self,
        grant: &Grant<RecordMovements>,
        batch_id: i64,
        bodies: i64,
        synthetic: bool,
        signer: Option<&PartyKey>,
        now_ms: i64,
    ) -> Result<usize, Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT commitment_id, to_party, from_party, tags, received_by FROM remains_batches WHERE id = $1",
        )
        .bind(batch_id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the batch"))?
        .ok_or_else(|| Error::NotFound(format!("batch {batch_id}")))?;
        let get = db("reading the batch");
        let (to, from): (String, String) = (
            row.try_get("to_party").map_err(&get)?,
            row.try_get("from_party").map_err(&get)?,
        );
        if to != me {
            return Err(if from == me {
                Error::invalid(
                    "batch",
                    format!("only {to}, which receives batch {batch_id}, records its receipt"),
                )
            } else {
                Error::NotFound(format!("batch {batch_id}"))
            });
        }
        if row
            .try_get::<Option<String>, _>("received_by")
            .map_err(&get)?
            .is_some()
        {
            return Err(Error::invalid(
                "batch",
                format!("batch {batch_id} was already received"),
            ));
        }
        if bodies < 0 {
            return Err(Error::invalid(
                "bodies",
                "a count of bodies is not negative",
            ));
        }
        let tags: Vec<String> =
            serde_json::from_str(&row.try_get::<String, _>("tags").map_err(&get)?)
                .map_err(|e| Error::Storage(format!("batch {batch_id}: {e}")))?;
        sqlx::query(
            "UPDATE remains_batches SET received_bodies = $1, received_by = $2, received_at = $3 WHERE id = $4",
        )
        .bind(bodies)
        .bind(grant.actor())
        .bind(now_ms)
        .bind(batch_id)
        .execute(&mut *tx)
        .await
        .map_err(db("recording the receipt"))?;
        for tag in &tags {
            let record = PersonRecord {
                category: Some(Category::Remains),
                relation: Some(Relation::Sought),
                status: Some(Status::Returned),
                tag_number: Some(tag.clone()),
                identification: Some(Identification::Unidentified),
                synthetic,
                ..Default::default()
            };
            let (id, _) = crate::persons::insert_one(&mut tx, me, &record, None, now_ms).await?;
            sqlx::query("UPDATE persons SET received_in_batch = $1 WHERE id = $2")
                .bind(batch_id)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db("linking the remains to the batch"))?;
        }
        // A batch taken from the handing side's server is counted back to it and the mediator.
        if let Some(handover) = crate::stated_plans::taken_handover(&mut tx, me, batch_id).await? {
            let key = signer.ok_or_else(|| {
                Error::Conflict(format!(
                    "batch {batch_id} came from {from}'s server: its count is stated back signed by {me}, and this server holds no key of {me} (start it with --key)"
                ))
            })?;
            let commitment: i64 = row.try_get("commitment_id").map_err(&get)?;
            crate::stated_plans::state_receipt(
                &mut tx,
                grant,
                key,
                (batch_id, &handover),
                commitment,
                bodies,
                now_ms,
            )
            .await?;
        }
        let payload =
            serde_json::json!({ "batch": batch_id, "bodies": bodies, "records": tags.len() });
        commit_with_event(tx, grant, "remains.batch_received", payload, now_ms).await?;
        Ok(tags.len())
    }

    /// The batches of a commitment the grant's party takes part in or mediates.
    pub async fn batches(
        &self,
        grant: &Grant<ReadTalks>,
        commitment_id: i64,
    ) -> Result<Vec<BatchView>, Error> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT b.id, b.commitment_id, b.from_party, b.to_party, b.handed_over_on, b.bodies, b.tags, \
             b.received_bodies, b.received_by FROM remains_batches b JOIN commitments c ON c.id = b.commitment_id \
             JOIN rounds r ON r.id = c.round_id WHERE b.commitment_id = $2 AND {} ORDER BY b.id",
            crate::talks::VISIBLE_ROUND
        )))
        .bind(grant.party().as_str())
        .bind(commitment_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading batches"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading a batch");
                Ok(BatchView {
                    id: r.try_get("id").map_err(&get)?,
                    commitment_id: r.try_get("commitment_id").map_err(&get)?,
                    from: r.try_get("from_party").map_err(&get)?,
                    to: r.try_get("to_party").map_err(&get)?,
                    handed_over_on: r.try_get("handed_over_on").map_err(&get)?,
                    bodies: r.try_get("bodies").map_err(&get)?,
                    tags: serde_json::from_str(&r.try_get::<String, _>("tags").map_err(&get)?)
                        .unwrap_or_default(),
                    received_bodies: r.try_get("received_bodies").map_err(&get)?,
                    received_by: r.try_get("received_by").map_err(&get)?,
                })
            })
            .collect()
    }

    /// Bodies received each way under a commitment: (from, to, bodies).
    /// The grant's party's remains received back, counted by step of identification
    /// (`unidentified`, `presumptive`, `dna_confirmed`), every step named even when empty.
    pub async fn identification_counts(
        &self,
        grant: &Grant<homeward_core::access::ReadRegister>,
    ) -> Result<Vec<(Identification, i64)>, Error> {
        let rows = sqlx::query(
            "SELECT identification, COUNT(*) AS n FROM persons WHERE party = $1 AND category = 'remains' \
             AND status = 'returned' AND identification IS NOT NULL GROUP BY identification",
        )
        .bind(grant.party().as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(db("counting remains by identification"))?;
        let mut counts: Vec<(Identification, i64)> =
            Identification::ALL.iter().map(|i| (*i, 0)).collect();
        for r in rows {
            let get = db("counting remains by identification");
            let step: Identification = r
                .try_get::<String, _>("identification")
                .map_err(&get)?
                .parse()?;
            let n: i64 = r.try_get("n").map_err(&get)?;
            if let Some(slot) = counts.iter_mut().find(|(i, _)| *i == step) {
                slot.1 = n;
            }
        }
        Ok(counts)
    }

    pub(crate) async fn bodies_received(
        &self,
        commitment_id: i64,
    ) -> Result<Vec<(PartyCode, PartyCode, u32)>, Error> {
        let rows = sqlx::query(
            "SELECT from_party, to_party, CAST(SUM(received_bodies) AS BIGINT) AS n FROM remains_batches \
             WHERE commitment_id = $1 AND received_bodies IS NOT NULL GROUP BY from_party, to_party",
        )
        .bind(commitment_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db("counting bodies received"))?;
        rows.iter()
            .map(|r| {
                let get = db("counting bodies received");
                let n: i64 = r.try_get("n").map_err(&get)?;
                Ok((
                    r.try_get::<String, _>("from_party")
                        .map_err(&get)?
                        .parse()?,
                    r.try_get::<String, _>("to_party").map_err(&get)?.parse()?,
                    u32::try_from(n).unwrap_or(u32::MAX),
                ))
            })
            .collect()
    }

    /// A step of identification of remains in the grant's register; when DNA confirms it,
    /// the missing person's record becomes `deceased` and the family is to be told. One
    /// event, which names the records, never their contents.
    pub async fn identify_remains(
        &self,
        grant: &Grant<WriteRegister>,
        remains_id: i64,
        next: Identification,
        identified_as: Option<i64>,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT category, identification, identified_as FROM persons WHERE id = $1 AND party = $2",
        )
        .bind(remains_id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the remains"))?
        .ok_or_else(|| Error::NotFound(format!("person {remains_id}")))?;
        let get = db("reading the remains");
        if row.try_get::<String, _>("category").map_err(&get)? != "remains" {
            return Err(Error::invalid(
                "person",
                format!("record {remains_id} is not of remains"),
            ));
        }
        let now: Identification = row
            .try_get::<Option<String>, _>("identification")
            .map_err(&get)?
            .as_deref()
            .unwrap_or("unidentified")
            .parse()?;
        let current_as: Option<i64> = row.try_get("identified_as").map_err(&get)?;
        let target = match next {
            Identification::Unidentified => None,
            Identification::Presumptive => identified_as,
            Identification::DnaConfirmed => identified_as.or(current_as),
        };
        now.check_step(next, target)
            .map_err(|e| e.about(format_args!("remains {remains_id}")))?;
        if let Some(missing) = target {
            let found: Option<String> = sqlx::query_scalar(
                "SELECT category FROM persons WHERE id = $1 AND party = $2 AND relation = 'sought' AND category <> 'remains'",
            )
            .bind(missing)
            .bind(me)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db("reading the missing person"))?;
            if found.is_none() {
                return Err(Error::invalid(
                    "identified_as",
                    format!("record {missing} is not one of {me}'s missing people"),
                ));
            }
        }
        sqlx::query("UPDATE persons SET identification = $1, identified_as = $2, updated_at = $3 WHERE id = $4")
            .bind(next.as_str())
            .bind(target)
            .bind(now_ms)
            .bind(remains_id)
            .execute(&mut *tx)
            .await
            .map_err(db("recording the identification"))?;
        if next == Identification::DnaConfirmed
            && let Some(missing) = target
        {
            // The death is proposed; a second person confirms it (restricted status).
            crate::persons::set_status(
                &mut tx,
                me,
                grant.actor(),
                missing,
                Status::Deceased,
                now_ms,
            )
            .await?;
            sqlx::query("UPDATE persons SET family_notification = 'pending' WHERE id = $1")
                .bind(missing)
                .execute(&mut *tx)
                .await
                .map_err(db("opening the family notification"))?;
        }
        let payload = serde_json::json!({
            "remains": remains_id,
            "from": now.as_str(),
            "to": next.as_str(),
            "identified_as": target,
        });
        commit_with_event(tx, grant, "remains.identified", payload, now_ms).await
    }

    /// Records that the family of a person identified as dead was told; one event.
    pub async fn family_notified(
        &self,
        grant: &Grant<WriteRegister>,
        person_id: i64,
        now_ms: i64,
    ) -> Result<(), Error> {
        let mut tx = self.begin().await?;
        let mine: Option<i64> =
            sqlx::query_scalar("SELECT id FROM persons WHERE id = $1 AND party = $2")
                .bind(person_id)
                .bind(grant.party().as_str())
                .fetch_optional(&mut *tx)
                .await
                .map_err(db("reading the person"))?;
        if mine.is_none() {
            return Err(Error::NotFound(format!("person {person_id}")));
        }
        let changed = sqlx::query(
            "UPDATE persons SET family_notification = 'notified', notified_at = $1 \
             WHERE id = $2 AND party = $3 AND family_notification = 'pending'",
        )
        .bind(now_ms)
        .bind(person_id)
        .bind(grant.party().as_str())
        .execute(&mut *tx)
        .await
        .map_err(db("recording the notification"))?
        .rows_affected();
        if changed == 0 {
            return Err(Error::invalid(
                "person",
                format!(
                    "person {person_id} has no family waiting to be told (no DNA-confirmed identification)"
                ),
            ));
        }
        let payload = serde_json::json!({ "person": person_id });
        commit_with_event(tx, grant, "family.notified", payload, now_ms).await
    }
}
