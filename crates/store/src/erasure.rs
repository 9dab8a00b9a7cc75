//! Erasure under the two-person rule: a request, its confirmation by a second person, and
//! the emptying of every column that holds personal data.

use crate::protection::own_record;
use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Erase, Grant};
use homeward_core::protection::check_second_person;
use serde::Serialize;
use sqlx::Row;
/// An erasure request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureView {
    /// Its id.
    pub id: i64,
    /// The record.
    pub person_id: i64,
    /// Why.
    pub reason: String,
    /// Who asked.
    pub requested_by: String,
    /// When.
    pub requested_at: i64,
    /// The second person who confirmed it; the data is gone from then on.
    pub confirmed_by: Option<String>,
    /// When.
    pub confirmed_at: Option<i64>,
}

/// The columns a record's personal data lives in; erasure empties them all.
const PERSONAL_COLUMNS: [&str; 20] = [
    "surname",
    "given_names",
    "patronymic",
    "father_name",
    "birth_date",
    "birth_year",
    "birth_place",
    "citizenship",
    "rank",
    "unit",
    "service_number",
    "capture_place",
    "deportation_place",
    "family_contact",
    "last_known_location",
    "recovery_site",
    "tag_number",
    "surname_key",
    "given_key",
    "patronymic_key",
];

impl Store {
    /// Asks for the erasure of a record's personal data; a second person confirms it. One
    /// event.
    pub async fn request_erasure(
        &self,
        grant: &Grant<Erase>,
        person: i64,
        reason: &str,
        now_ms: i64,
    ) -> Result<i64, Error> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::invalid(
                "reason",
                "say why the record's data is erased",
            ));
        }
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        own_record(&mut tx, me, person).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO erasures (party, person_id, reason, requested_by, requested_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(me)
        .bind(person)
        .bind(reason)
        .bind(grant.actor())
        .bind(now_ms)
        .fetch_one(&mut *tx)
        .await
        .map_err(db("requesting the erasure"))?;
        let payload = serde_json::json!({ "erasure": id, "person": person });
        commit_with_event(tx, grant, "erasure.requested", payload, now_ms).await?;
        Ok(id)
    }

    /// The erasure requests of the grant's party, of one record when given.
    pub async fn erasures(
        &self,
        grant: &Grant<Erase>,
        person: Option<i64>,
    ) -> Result<Vec<ErasureView>, Error> {
        let rows = sqlx::query(
            "SELECT id, person_id, reason, requested_by, requested_at, confirmed_by, confirmed_at FROM erasures \
             WHERE party = $1 AND ($2 IS NULL OR person_id = $2) ORDER BY id",
        )
        .bind(grant.party().as_str())
        .bind(person)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading erasures"))?;
        rows.iter()
            .map(|r| {
                let get = db("reading an erasure");
                Ok(ErasureView {
                    id: r.try_get("id").map_err(&get)?,
                    person_id: r.try_get("person_id").map_err(&get)?,
                    reason: r.try_get("reason").map_err(&get)?,
                    requested_by: r.try_get("requested_by").map_err(&get)?,
                    requested_at: r.try_get("requested_at").map_err(&get)?,
                    confirmed_by: r.try_get("confirmed_by").map_err(&get)?,
                    confirmed_at: r.try_get("confirmed_at").map_err(&get)?,
                })
            })
            .collect()
    }

    /// A second person confirms an erasure, and the record's personal data is removed from
    /// every table: the record keeps its id, category, relation, status, dates and the hash
    /// the log holds; the rows of lists that held the person keep their leaf hashes (so the
    /// lists' signatures and every proof of their other rows hold) and those lists' original
    /// files are no longer kept; links lose their evidence. One event.
    pub async fn confirm_erasure(
        &self,
        grant: &Grant<Erase>,
        id: i64,
        now_ms: i64,
    ) -> Result<(), Error> {
        let me = grant.party().as_str();
        let mut tx = self.begin().await?;
        let row = sqlx::query(
            "SELECT person_id, requested_by, confirmed_at FROM erasures WHERE id = $1 AND party = $2",
        )
        .bind(id)
        .bind(me)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db("reading the erasure"))?
        .ok_or_else(|| Error::NotFound(format!("erasure {id}")))?;
        let get = db("reading the erasure");
        let person: i64 = row.try_get("person_id").map_err(&get)?;
        let requested_by: String = row.try_get("requested_by").map_err(&get)?;
        if row
            .try_get::<Option<i64>, _>("confirmed_at")
            .map_err(&get)?
            .is_some()
        {
            return Err(Error::Conflict(format!(
                "erasure {id} was already carried out"
            )));
        }
        if let Err(refusal) = check_second_person(
            &requested_by,
            grant.actor(),
            &format!("the erasure of record {person}"),
        ) {
            drop(tx);
            self.refused(
                grant,
                person,
                "an erasure confirmed by the one who asked for it",
                now_ms,
            )
            .await?;
            return Err(refusal);
        }
        let blank = PERSONAL_COLUMNS
            .iter()
            .map(|c| format!("{c} = NULL"))
            .collect::<Vec<_>>()
            .join(", ");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE persons SET {blank}, name_folded = '', name_script = '', consent = NULL, erased_at = $1 WHERE id = $2 AND party = $3"
        )))
        .bind(now_ms)
        .bind(person)
        .bind(me)
        .execute(&mut *tx)
        .await
        .map_err(db("erasing the record"))?;
        // The list rows that held the person: the party's own (the row gave the record) and
        // the rows of received lists a reviewer confirmed as the same person.
        let rows = sqlx::query(
            "SELECT list_id, row_no, fields FROM list_rows WHERE person_id = $1 \
             UNION SELECT r.list_id, r.row_no, r.fields FROM list_rows r JOIN links k \
             ON k.other_list = r.list_id AND k.other_row = r.row_no WHERE k.party = $2 AND k.person_id = $1",
        )
        .bind(person)
        .bind(me)
        .fetch_all(&mut *tx)
        .await
        .map_err(db("finding the person's rows"))?;
        let mut lists = std::collections::BTreeSet::new();
        for r in &rows {
            let list: i64 = r.try_get("list_id").map_err(&get)?;
            let line: i64 = r.try_get("row_no").map_err(&get)?;
            let fields: serde_json::Value =
                serde_json::from_str(&r.try_get::<String, _>("fields").map_err(&get)?)
                    .map_err(|e| Error::Storage(format!("row {line}: {e}")))?;
            let leaf = homeward_ledger::rows::row_leaf(line, &fields)
                .map_err(|e| Error::Storage(format!("row {line}: {e}")))?;
            sqlx::query(
                "UPDATE list_rows SET fields = '{}', problems = '[]', erased_leaf = COALESCE(erased_leaf, $1) \
                 WHERE list_id = $2 AND row_no = $3",
            )
            .bind(hex::encode(leaf))
            .bind(list)
            .bind(line)
            .execute(&mut *tx)
            .await
            .map_err(db("erasing a list row"))?;
            lists.insert(list);
        }
        for list in &lists {
            sqlx::query("UPDATE lists SET original = $1, original_erased_at = $2 WHERE id = $3")
                .bind(Vec::<u8>::new())
                .bind(now_ms)
                .bind(list)
                .execute(&mut *tx)
                .await
                .map_err(db("withholding a list's original"))?;
            sqlx::query("DELETE FROM list_file_parts WHERE list_id = $1")
                .bind(list)
                .execute(&mut *tx)
                .await
                .map_err(db("withholding a list's original"))?;
        }
        sqlx::query(
            "UPDATE links SET evidence = '{}' WHERE party = $1 AND (person_id = $2 OR other_person = $2)",
        )
        .bind(me)
        .bind(person)
        .execute(&mut *tx)
        .await
        .map_err(db("erasing link evidence"))?;
        sqlx::query("UPDATE child_cases SET note = NULL WHERE person_id = $1")
            .bind(person)
            .execute(&mut *tx)
            .await
            .map_err(db("erasing a child's case note"))?;
        sqlx::query("UPDATE erasures SET confirmed_by = $1, confirmed_at = $2 WHERE id = $3")
            .bind(grant.actor())
            .bind(now_ms)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db("closing the erasure"))?;
        let payload = serde_json::json!({
            "erasure": id,
            "person": person,
            "list_rows": rows.len(),
            "lists_withheld": lists.len(),
        });
        commit_with_event(tx, grant, "erasure.confirmed", payload, now_ms).await?;
        // PostgreSQL keeps the old row versions (and their index entries) until a vacuum;
        // SQLite overwrites them at once (secure_delete).
        if self.backend() == crate::Backend::Postgres {
            sqlx::query("VACUUM persons, list_rows, lists, links, child_cases")
                .execute(&self.pool)
                .await
                .map_err(db("vacuuming after the erasure"))?;
        }
        Ok(())
    }
}
