//! Finding a person in a register from whatever spelling a family gives, in any script.
//!
//! The query is read by the names crate into canonical keys; every word is tried as a
//! surname and as a given name, so word order does not matter. Records come from the
//! key indexes of the caller's own register only, and are ranked by how many parts agree.

use crate::persons::{COLUMNS, name_keys, person_from_row};
use crate::{Store, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadRegister};
use homeward_core::record::PartialDate;
use homeward_names::{NameDictionary, key, surname_stem_key};
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// A name in any order, script and spelling.
    pub text: String,
    /// Only people born then (a year, a month or a day).
    pub born: Option<PartialDate>,
    /// Most hits to return (1–200).
    pub limit: i64,
}

/// One record found, with how well it agrees.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchHit {
    /// The record.
    pub person: crate::Person,
    /// Agreement: 3 for the surname, 2 for the given name, 1 for the patronymic, 1 for
    /// the birth date when one was asked.
    pub score: u32,
    /// Which parts agreed, e.g. `surname given`.
    pub agreed: String,
}

/// Rows fetched per lookup beyond the hits asked for: room for ranking by patronymic and
/// birth date without decoding every namesake of a common name.
const LOOKUP_MARGIN: i64 = 30;

impl Store {
    /// Searches the grant's own register.
    pub async fn search(
        &self,
        grant: &Grant<ReadRegister>,
        query: &SearchQuery,
    ) -> Result<Vec<SearchHit>, Error> {
        let dict = NameDictionary::embedded();
        let words: Vec<&str> = query
            .text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        if words.is_empty() {
            return Err(Error::invalid("q", "give a name to search for"));
        }
        let mut surnames = BTreeSet::new();
        let mut given = BTreeSet::new();
        for w in &words {
            if let Ok(k) = surname_stem_key(w) {
                surnames.insert(k);
            }
            match dict.given(w).first() {
                Some(class) => {
                    given.insert(class.class_key());
                }
                None => {
                    if let Ok(k) = key(w) {
                        given.insert(k);
                    }
                }
            }
            if let Some((class, _)) = dict.patronymic(w).first() {
                given.insert(format!("patronymic {}", class.class_key()));
            }
        }
        if surnames.is_empty() && given.is_empty() {
            return Err(Error::invalid(
                "q",
                format!("{:?} holds no name", query.text),
            ));
        }
        // Surname and given name together first (one index lookup per ordering of the
        // words); one part alone only when that finds too little.
        let given_keys: Vec<&String> = given
            .iter()
            .filter(|k| !k.starts_with("patronymic "))
            .collect();
        let party = grant.party().as_str();
        let per_lookup = query.limit.clamp(1, 200) + LOOKUP_MARGIN;
        let mut rows = Vec::new();
        for s in &surnames {
            for g in &given_keys {
                let found = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM persons WHERE party = $1 AND surname_key = $2 AND given_key = $3 \
                     AND ($4 IS NULL OR birth_year = $4) ORDER BY id LIMIT $5"
                )))
                .bind(party)
                .bind(s)
                .bind(*g)
                .bind(query.born.map(|b| i64::from(b.year)))
                .bind(per_lookup)
                .fetch_all(&self.pool)
                .await
                .map_err(db("searching the register"))?;
                rows.extend(found);
            }
        }
        if rows.len() < query.limit.clamp(1, 200) as usize && words.len() == 1 {
            for (column, keys) in [
                ("surname_key", surnames.iter().collect::<Vec<_>>()),
                ("given_key", given_keys.clone()),
            ] {
                for k in keys {
                    let found = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {COLUMNS} FROM persons WHERE party = $1 AND {column} = $2 ORDER BY id LIMIT $3"
                    )))
                    .bind(party)
                    .bind(k)
                    .bind(per_lookup)
                    .fetch_all(&self.pool)
                    .await
                    .map_err(db("searching the register"))?;
                    rows.extend(found);
                }
            }
        }
        let patronymics: BTreeSet<String> = given
            .iter()
            .filter_map(|g| g.strip_prefix("patronymic ").map(str::to_owned))
            .collect();
        let mut best: HashMap<i64, SearchHit> = HashMap::new();
        let cleared = grant.clearance() == homeward_core::protection::Clearance::Full;
        for row in &rows {
            let person = person_from_row(row)?;
            // A protected record does not come up for a reader who may not see its name:
            // a masked hit would still say that someone of that name is held.
            if best.contains_key(&person.id) || (!cleared && person.protected()) {
                continue;
            }
            let keys = name_keys(&person.record);
            let mut score = 0;
            let mut agreed = Vec::new();
            if keys.surname.as_ref().is_some_and(|s| surnames.contains(s)) {
                score += 3;
                agreed.push("surname");
            }
            if keys.given.as_ref().is_some_and(|g| given.contains(g)) {
                score += 2;
                agreed.push("given");
            }
            if keys
                .patronymic
                .as_ref()
                .is_some_and(|p| patronymics.contains(p))
            {
                score += 1;
                agreed.push("patronymic");
            }
            if let Some(born) = query.born {
                let Some(b) = person.record.birth_date else {
                    continue;
                };
                let agrees = b.year == born.year
                    && born.month.is_none_or(|m| b.month.is_none_or(|x| x == m))
                    && born.day.is_none_or(|d| b.day.is_none_or(|x| x == d));
                if !agrees {
                    continue;
                }
                score += 1;
                agreed.push("birth");
            }
            // With several words, one agreeing part is not a hit.
            if words.len() > 1 && agreed.iter().filter(|a| **a != "birth").count() < 2 {
                continue;
            }
            best.insert(
                person.id,
                SearchHit {
                    person,
                    score,
                    agreed: agreed.join(" "),
                },
            );
        }
        let mut hits: Vec<SearchHit> = best.into_values().collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.person.id.cmp(&b.person.id)));
        hits.truncate(query.limit.clamp(1, 200) as usize);
        Ok(hits)
    }

    /// Fills the name keys of records written before the keys existed, and computes every
    /// record's keys again when the names crate's keys changed since the store last did
    /// (`homeward_names::KEY_VERSION`), so that a record stays findable after a better
    /// reading of names. Derived data, like the folded name: no event, the record's content
    /// is unchanged.
    pub(crate) async fn backfill_name_keys(&self) -> Result<(), Error> {
        const VERSION_KEY: &str = "name_key_version";
        let version = homeward_names::KEY_VERSION.to_string();
        if self.meta(VERSION_KEY).await?.as_deref() != Some(version.as_str()) {
            let mut tx = self.begin().await?;
            sqlx::query(
                "UPDATE persons SET surname_key = NULL, given_key = NULL, patronymic_key = NULL",
            )
            .execute(&mut *tx)
            .await
            .map_err(db("clearing name keys of an earlier version"))?;
            sqlx::query("DELETE FROM store_meta WHERE key = $1")
                .bind(VERSION_KEY)
                .execute(&mut *tx)
                .await
                .map_err(db("writing store metadata"))?;
            sqlx::query("INSERT INTO store_meta (key, value) VALUES ($1, $2)")
                .bind(VERSION_KEY)
                .bind(&version)
                .execute(&mut *tx)
                .await
                .map_err(db("writing store metadata"))?;
            tx.commit().await.map_err(db("clearing name keys"))?;
        }
        let mut after = 0_i64;
        loop {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM persons WHERE id > $1 AND surname_key IS NULL AND given_key IS NULL \
                 AND (surname IS NOT NULL OR given_names IS NOT NULL) ORDER BY id LIMIT 1000"
            )))
            .bind(after)
            .fetch_all(&self.pool)
            .await
            .map_err(db("reading records without name keys"))?;
            if rows.is_empty() {
                return Ok(());
            }
            let mut tx = self.begin().await?;
            for row in &rows {
                let p = person_from_row(row)?;
                after = p.id;
                let k = name_keys(&p.record);
                sqlx::query("UPDATE persons SET surname_key = $1, given_key = $2, patronymic_key = $3 WHERE id = $4")
                    .bind(k.surname)
                    .bind(k.given)
                    .bind(k.patronymic)
                    .bind(p.id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db("filling name keys"))?;
            }
            tx.commit().await.map_err(db("filling name keys"))?;
        }
    }
}
