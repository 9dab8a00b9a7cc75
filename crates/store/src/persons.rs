//! Person records of a party's register.

use crate::{Store, commit_with_event, db};
use homeward_core::Error;
use homeward_core::access::{Grant, ReadRegister, WriteRegister};
use homeward_core::record::{Category, PartialDate, PersonRecord};
use homeward_ledger::{canonical_json, sha256_hex};
use serde::Serialize;
use sqlx::Row;

/// A stored person record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// Id in this store.
    pub id: i64,
    /// The party whose register holds it.
    pub party: String,
    /// The record's content, names as written.
    #[serde(flatten)]
    pub record: PersonRecord,
    /// The list the record came from, if imported.
    pub source_list: Option<i64>,
    /// The row of that list.
    pub source_row: Option<i64>,
    /// SHA-256 of the record's canonical form: what the event log holds instead of the data.
    pub record_sha256: String,
    /// When the record was created, in milliseconds since 1970.
    pub created_at: i64,
    /// When it last changed.
    pub updated_at: i64,
    /// For a missing person identified among remains: `pending` until the family is told,
    /// then `notified`.
    pub family_notification: Option<String>,
    /// Why the record is protected, when it was marked so (a child's record is protected
    /// without a mark).
    pub sensitivity: Option<homeward_core::protection::Sensitivity>,
    /// The purposes the family agreed to, for a family's tracing request.
    pub consent: Option<Vec<homeward_core::protection::Purpose>>,
    /// Whether the sensitive fields were masked for this reader.
    pub masked: bool,
    /// When the record's personal data was erased.
    pub erased_at: Option<i64>,
}

impl Person {
    /// Whether the record is protected.
    pub fn protected(&self) -> bool {
        homeward_core::protection::is_protected(&self.record, self.sensitivity)
    }
}

/// Which records of the register to read.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Only this category.
    pub category: Option<Category>,
    /// Only this status.
    pub status: Option<homeward_core::record::Status>,
    /// Only records imported from this list.
    pub source_list: Option<i64>,
    /// Only people born in this year. A protected record's birth date is not read for a
    /// reader who may not see it, so it never matches for them.
    pub born_year: Option<i32>,
    /// The order of the records.
    pub order: PersonOrder,
    /// Page number, from 1.
    pub page: i64,
    /// Records per page (1–500).
    pub per_page: i64,
}

/// The order of a page of records. Orders by a field masked for the reader put the
/// protected records last, in id order, so that their place says nothing of what is
/// hidden.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PersonOrder {
    /// As entered.
    #[default]
    Id,
    /// By name as written (folded).
    Name,
    /// By birth date, the unknown last.
    Born,
    /// By status.
    Status,
}

impl PersonOrder {
    /// Every order, by its name.
    pub const ALL: [(&'static str, PersonOrder); 4] = [
        ("id", PersonOrder::Id),
        ("name", PersonOrder::Name),
        ("born", PersonOrder::Born),
        ("status", PersonOrder::Status),
    ];

    /// The SQL ordering; `$6` is the reader's clearance (`full` or `masked`).
    fn sql(self) -> &'static str {
        match self {
            PersonOrder::Id => "id",
            PersonOrder::Name => concat!(
                "CASE WHEN $6 <> 'full' AND (sensitivity IS NOT NULL OR category = 'child') ",
                "THEN 1 ELSE 0 END, name_folded, id"
            ),
            PersonOrder::Born => concat!(
                "CASE WHEN $6 <> 'full' AND (sensitivity IS NOT NULL OR category = 'child') THEN 2 ",
                "WHEN birth_date IS NULL THEN 1 ELSE 0 END, birth_date, id"
            ),
            PersonOrder::Status => "status, id",
        }
    }
}

/// One page of records.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct PersonPage {
    /// Records matching the filter in all pages.
    pub total: i64,
    /// This page's number.
    pub page: i64,
    /// Records per page.
    pub per_page: i64,
    /// The records on this page.
    pub items: Vec<Person>,
}

pub(crate) const COLUMNS: &str = "id, party, category, relation, status, surname, given_names, patronymic, father_name, \
    birth_date, birth_place, sex, citizenship, rank, unit, service_number, capture_date, capture_place, health, \
    deportation_date, deportation_place, family_contact, last_known_location, recovery_site, recovery_date, \
    tag_number, identification, synthetic, source_list, source_row, record_sha256, created_at, updated_at, family_notification, \
    sensitivity, consent, erased_at, unreadable";

/// The condition of [`PersonFilter`], binding party, category, status and source list as
/// $1–$4, the birth year as $5 (text) and the reader's clearance as $6 (`full` or `masked`).
/// A record is protected as core's `protection::is_protected` says: marked, or a child's.
const FILTERED: &str = "party = $1 AND ($2 IS NULL OR category = $2) AND ($3 IS NULL OR status = $3) \
    AND ($4 IS NULL OR source_list = $4) \
    AND ($5 IS NULL OR (substr(birth_date, 1, 4) = $5 \
        AND ($6 = 'full' OR NOT (sensitivity IS NOT NULL OR category = 'child'))))";

/// The clearance as the queries bind it.
fn clearance_sql(c: homeward_core::protection::Clearance) -> &'static str {
    match c {
        homeward_core::protection::Clearance::Full => "full",
        homeward_core::protection::Clearance::Masked => "masked",
    }
}

/// The canonical keys of a record's name parts; a part that is not a name has none (the
/// record is kept all the same, its name as written).
pub(crate) fn name_keys(r: &PersonRecord) -> homeward_names::NameKey {
    homeward_names::NameKey::of_parts(
        r.surname.as_deref(),
        r.given_names.as_deref(),
        r.patronymic.as_deref(),
    )
    .or_else(|_| homeward_names::NameKey::of_parts(r.surname.as_deref(), None, None))
    .unwrap_or(homeward_names::NameKey {
        surname: None,
        given: None,
        patronymic: None,
    })
}

/// The hash that stands for a record in the event log.
pub(crate) fn record_hash(record: &PersonRecord) -> Result<String, Error> {
    let value = serde_json::to_value(record)
        .map_err(|e| Error::Storage(format!("encoding a record: {e}")))?;
    let text =
        canonical_json(&value).map_err(|e| Error::Storage(format!("encoding a record: {e}")))?;
    Ok(sha256_hex(text.as_bytes()))
}

fn opt_parse<T: std::str::FromStr<Err = Error>>(v: Option<String>) -> Result<Option<T>, Error> {
    v.map(|s| s.parse()).transpose()
}

pub(crate) fn person_from_row(row: &sqlx::any::AnyRow) -> Result<Person, Error> {
    let get = db("reading a person record");
    let text = |name: &str| -> Result<Option<String>, Error> { row.try_get(name).map_err(&get) };
    let date = |name: &str| -> Result<Option<PartialDate>, Error> { opt_parse(text(name)?) };
    let synthetic: i64 = row.try_get("synthetic").map_err(&get)?;
    let record = PersonRecord {
        category: opt_parse(text("category")?)?,
        relation: opt_parse(text("relation")?)?,
        status: opt_parse(text("status")?)?,
        surname: text("surname")?,
        given_names: text("given_names")?,
        patronymic: text("patronymic")?,
        father_name: text("father_name")?,
        birth_date: date("birth_date")?,
        birth_place: text("birth_place")?,
        sex: opt_parse(text("sex")?)?,
        citizenship: text("citizenship")?,
        rank: text("rank")?,
        unit: text("unit")?,
        service_number: text("service_number")?,
        capture_date: date("capture_date")?,
        capture_place: text("capture_place")?,
        health: opt_parse(text("health")?)?,
        deportation_date: date("deportation_date")?,
        deportation_place: text("deportation_place")?,
        family_contact: text("family_contact")?,
        last_known_location: text("last_known_location")?,
        recovery_site: text("recovery_site")?,
        recovery_date: date("recovery_date")?,
        tag_number: text("tag_number")?,
        identification: opt_parse(text("identification")?)?,
        synthetic: synthetic != 0,
        unreadable: text("unreadable")?
            .map(|u| {
                serde_json::from_str(&u).map_err(|e| {
                    Error::Storage(format!("a record's values as written are unreadable: {e}"))
                })
            })
            .transpose()?
            .unwrap_or_default(),
    };
    Ok(Person {
        id: row.try_get("id").map_err(&get)?,
        party: row.try_get("party").map_err(&get)?,
        record,
        source_list: row.try_get("source_list").map_err(&get)?,
        source_row: row.try_get("source_row").map_err(&get)?,
        record_sha256: row.try_get("record_sha256").map_err(&get)?,
        created_at: row.try_get("created_at").map_err(&get)?,
        updated_at: row.try_get("updated_at").map_err(&get)?,
        family_notification: row.try_get("family_notification").map_err(&get)?,
        sensitivity: opt_parse(text("sensitivity")?)?,
        consent: text("consent")?
            .map(|c| {
                serde_json::from_str(&c)
                    .map_err(|e| Error::Storage(format!("a record's consent is unreadable: {e}")))
            })
            .transpose()?,
        masked: false,
        erased_at: row.try_get("erased_at").map_err(&get)?,
    })
}

/// The name a reader with `clearance` may see of the person in `row` (columns surname,
/// given_names, patronymic, category, sensitivity, and tag_number when selected): masked for
/// a protected record, by core's rule.
pub(crate) fn shown_name(
    row: &sqlx::any::AnyRow,
    clearance: homeward_core::protection::Clearance,
) -> Result<String, Error> {
    let get = db("reading a name");
    let text = |name: &str| -> Result<Option<String>, Error> { row.try_get(name).map_err(&get) };
    let sensitivity: Option<homeward_core::protection::Sensitivity> =
        opt_parse(text("sensitivity")?)?;
    let mut record = PersonRecord {
        category: opt_parse(text("category")?)?,
        surname: text("surname")?,
        given_names: text("given_names")?,
        patronymic: text("patronymic")?,
        tag_number: row.try_get("tag_number").ok().flatten(),
        ..Default::default()
    };
    let protected = homeward_core::protection::is_protected(&record, sensitivity);
    homeward_core::protection::disclose(&mut record, protected, clearance);
    Ok(record.display_name())
}

/// A record as a reader with `clearance` may see it: the sensitive fields of a protected
/// record masked for a reader not cleared for them (the rule is core's).
pub(crate) fn disclosed(
    row: &sqlx::any::AnyRow,
    clearance: homeward_core::protection::Clearance,
) -> Result<Person, Error> {
    let mut p = person_from_row(row)?;
    let protected = p.protected();
    p.masked = homeward_core::protection::disclose(&mut p.record, protected, clearance);
    Ok(p)
}

/// The columns a new record is inserted with, in the order of [`record_values`].
pub(crate) const INSERT_COLUMNS: &str = "party, category, relation, status, surname, given_names, patronymic, name_folded, \
    name_script, father_name, birth_date, birth_year, birth_place, sex, citizenship, rank, unit, service_number, \
    capture_date, capture_place, health, deportation_date, deportation_place, family_contact, \
    last_known_location, recovery_site, recovery_date, tag_number, identification, synthetic, source_list, \
    source_row, record_sha256, created_at, updated_at, surname_key, given_key, patronymic_key, unreadable";

/// How many values [`INSERT_COLUMNS`] takes for one record.
pub(crate) const INSERT_WIDTH: usize = 39;

/// One value bound to an insert: text or an integer, either possibly empty. Both keep their
/// own type because PostgreSQL refuses a text NULL for an integer column.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
}

impl Value {
    /// Binds this value as the query's next parameter.
    pub(crate) fn bind<'q>(
        self,
        query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
        match self {
            Value::Text(v) => query.bind(v),
            Value::Int(v) => query.bind(v),
        }
    }
}

/// `($n, …), (…)`: placeholders for `rows` rows of `width` values each, numbered from 1 —
/// on SQLite plain `?` in order, because SQLite looks a numbered parameter's name up by
/// walking all of them, once per value bound: a 780-value insert spent most of an
/// import's time there.
pub(crate) fn placeholders(backend: crate::Backend, rows: usize, width: usize) -> String {
    let numbered = backend == crate::Backend::Postgres;
    let mut out = String::with_capacity(rows * width * 5);
    for r in 0..rows {
        if r > 0 {
            out.push_str(", ");
        }
        out.push('(');
        for c in 0..width {
            if c > 0 {
                out.push_str(", ");
            }
            if numbered {
                out.push('$');
                out.push_str(&(r * width + c + 1).to_string());
            } else {
                out.push('?');
            }
        }
        out.push(')');
    }
    out
}

/// A validated record's values in the order of [`INSERT_COLUMNS`], and its hash. Pure (no
/// database), so that a list's records are prepared in parallel: the name keys, the folded
/// name and the hash are most of an import's work.
pub(crate) fn record_values(
    party: &str,
    r: &PersonRecord,
    source: Option<(i64, i64)>,
    now_ms: i64,
) -> Result<(Vec<Value>, String), Error> {
    r.validate()?;
    let hash = record_hash(r)?;
    let full = r.full_name();
    let keys = name_keys(r);
    let s = |v: &Option<String>| {
        Value::Text(
            v.as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        )
    };
    let d = |v: &Option<PartialDate>| Value::Text(v.map(|d| d.to_string()));
    let e = |v: Option<&'static str>| Value::Text(v.map(str::to_owned));
    let t = |v: &str| Value::Text(Some(v.to_owned()));
    let unreadable = if r.unreadable.is_empty() {
        None
    } else {
        Some(
            serde_json::to_string(&r.unreadable)
                .map_err(|e| Error::Storage(format!("encoding values as written: {e}")))?,
        )
    };
    let values = vec![
        t(party),
        e(r.category.map(Category::as_str)),
        e(r.relation.map(|v| v.as_str())),
        t(r.status.map_or("missing", |v| v.as_str())),
        s(&r.surname),
        s(&r.given_names),
        s(&r.patronymic),
        t(&homeward_names::fold(&full)),
        t(homeward_names::script_of(&full).as_str()),
        s(&r.father_name),
        d(&r.birth_date),
        Value::Int(r.birth_date.map(|b| i64::from(b.year))),
        s(&r.birth_place),
        e(r.sex.map(|v| v.as_str())),
        s(&r.citizenship),
        s(&r.rank),
        s(&r.unit),
        s(&r.service_number),
        d(&r.capture_date),
        s(&r.capture_place),
        t(r.health.map_or("unknown", |v| v.as_str())),
        d(&r.deportation_date),
        s(&r.deportation_place),
        s(&r.family_contact),
        s(&r.last_known_location),
        s(&r.recovery_site),
        d(&r.recovery_date),
        s(&r.tag_number),
        e(r.identification.map(|v| v.as_str())),
        Value::Int(Some(i64::from(r.synthetic))),
        Value::Int(source.map(|s| s.0)),
        Value::Int(source.map(|s| s.1)),
        t(&hash),
        Value::Int(Some(now_ms)),
        Value::Int(Some(now_ms)),
        Value::Text(keys.surname),
        Value::Text(keys.given),
        Value::Text(keys.patronymic),
        Value::Text(unreadable),
    ];
    debug_assert_eq!(values.len(), INSERT_WIDTH);
    Ok((values, hash))
}

/// Inserts one validated record inside `tx`; returns its id and hash.
pub(crate) async fn insert_one(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    r: &PersonRecord,
    source: Option<(i64, i64)>,
    now_ms: i64,
) -> Result<(i64, String), Error> {
    let (values, hash) = record_values(party, r, source, now_ms)?;
    // Numbered placeholders, which both databases take; one row costs little to bind.
    let sql = format!(
        "INSERT INTO persons ({INSERT_COLUMNS}) VALUES {} RETURNING id",
        placeholders(crate::Backend::Postgres, 1, INSERT_WIDTH)
    );
    let query = values
        .into_iter()
        .fold(sqlx::query(sqlx::AssertSqlSafe(sql)), |q, v| v.bind(q));
    let id: i64 = query
        .fetch_one(&mut **tx)
        .await
        .map_err(db("storing a person record"))?
        .try_get("id")
        .map_err(db("storing a person record"))?;
    Ok((id, hash))
}

/// What a use case asks of a record before acting on it: its category and relation, and
/// whether its personal data was erased. Another party's record is not found.
pub(crate) async fn standing(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    id: i64,
) -> Result<(Category, homeward_core::record::Relation, bool), Error> {
    let row = sqlx::query(
        "SELECT category, relation, erased_at FROM persons WHERE id = $1 AND party = $2",
    )
    .bind(id)
    .bind(party)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("reading a person record"))?
    .ok_or_else(|| Error::NotFound(format!("person {id}")))?;
    let get = db("reading a person record");
    Ok((
        row.try_get::<String, _>("category")
            .map_err(&get)?
            .parse()?,
        row.try_get::<String, _>("relation")
            .map_err(&get)?
            .parse()?,
        row.try_get::<Option<i64>, _>("erased_at")
            .map_err(&get)?
            .is_some(),
    ))
}

/// Moves a record's status inside `tx` on behalf of `actor`. A restricted status (a death)
/// is not set but proposed, for a second person to confirm (core's two-person rule);
/// returns the record's hash afterwards and the proposal, if one was made.
pub(crate) async fn set_status(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    actor: &str,
    id: i64,
    status: homeward_core::record::Status,
    now_ms: i64,
) -> Result<(String, Option<i64>), Error> {
    if let Some(kind) = homeward_core::protection::Restriction::of_status(Some(status)) {
        let proposal = crate::protection::propose(tx, party, actor, id, kind, now_ms).await?;
        let hash: String =
            sqlx::query_scalar("SELECT record_sha256 FROM persons WHERE id = $1 AND party = $2")
                .bind(id)
                .bind(party)
                .fetch_one(&mut **tx)
                .await
                .map_err(db("reading a person record"))?;
        return Ok((hash, Some(proposal)));
    }
    Ok((write_status(tx, party, id, status, now_ms).await?, None))
}

/// Sets a record's status inside `tx` and recomputes its hash; returns the new hash. Only
/// for a status already decided: a confirmed restriction, or one restored by an undo.
pub(crate) async fn write_status(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    party: &str,
    id: i64,
    status: homeward_core::record::Status,
    now_ms: i64,
) -> Result<String, Error> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM persons WHERE id = $1 AND party = $2"
    )))
    .bind(id)
    .bind(party)
    .fetch_optional(&mut **tx)
    .await
    .map_err(db("reading a person record"))?
    .ok_or_else(|| Error::NotFound(format!("person {id}")))?;
    let mut person = person_from_row(&row)?;
    person.record.status = Some(status);
    let hash = record_hash(&person.record)?;
    sqlx::query(
        "UPDATE persons SET status = $1, record_sha256 = $2, updated_at = $3 WHERE id = $4 AND party = $5",
    )
    .bind(status.as_str())
    .bind(&hash)
    .bind(now_ms)
    .bind(id)
    .bind(party)
    .execute(&mut **tx)
    .await
    .map_err(db("updating a status"))?;
    Ok(hash)
}

impl Store {
    /// Adds records to the grant's register in one transaction with one event; returns
    /// their ids in order. The event carries the records' hashes, never their content.
    pub async fn add_persons(
        &self,
        grant: &Grant<WriteRegister>,
        records: &[PersonRecord],
        now_ms: i64,
    ) -> Result<Vec<i64>, Error> {
        let mut tx = self.begin().await?;
        let mut ids = Vec::with_capacity(records.len());
        let mut hashes = String::with_capacity(records.len() * 64);
        for (i, r) in records.iter().enumerate() {
            let (id, hash) = insert_one(&mut tx, grant.party().as_str(), r, None, now_ms)
                .await
                .map_err(|e| match e {
                    Error::Invalid {
                        field,
                        reason,
                        code,
                    } => Error::Invalid {
                        field: format!("record {}: {field}", i + 1),
                        reason,
                        code,
                    },
                    other => other,
                })?;
            ids.push(id);
            hashes.push_str(&hash);
        }
        let payload = serde_json::json!({
            "count": ids.len(),
            "first_id": ids.first(),
            "last_id": ids.last(),
            "records_sha256": sha256_hex(hashes.as_bytes()),
        });
        commit_with_event(tx, grant, "persons.added", payload, now_ms).await?;
        Ok(ids)
    }

    /// A page of the grant's own register.
    pub async fn persons(
        &self,
        grant: &Grant<ReadRegister>,
        filter: &PersonFilter,
    ) -> Result<PersonPage, Error> {
        let per_page = filter.per_page.clamp(1, 500);
        let page = filter.page.max(1);
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM persons WHERE {FILTERED}"
        )))
        .bind(grant.party().as_str())
        .bind(filter.category.map(Category::as_str))
        .bind(filter.status.map(|s| s.as_str()))
        .bind(filter.source_list)
        .bind(filter.born_year.map(|y| format!("{y:04}")))
        .bind(clearance_sql(grant.clearance()))
        .fetch_one(&self.pool)
        .await
        .map_err(db("counting person records"))?;
        let items = self
            .filtered(grant, filter, Some((per_page, (page - 1) * per_page)))
            .await?;
        Ok(PersonPage {
            total,
            page,
            per_page,
            items,
        })
    }

    /// Every record of the grant's own register that passes the filter (its page fields
    /// ignored), in id order: for exports and for finding duplicates.
    pub async fn register(
        &self,
        grant: &Grant<ReadRegister>,
        filter: &PersonFilter,
    ) -> Result<Vec<Person>, Error> {
        self.filtered(grant, filter, None).await
    }

    async fn filtered(
        &self,
        grant: &Grant<ReadRegister>,
        filter: &PersonFilter,
        window: Option<(i64, i64)>,
    ) -> Result<Vec<Person>, Error> {
        let (limit, offset) = window.unwrap_or((i64::MAX, 0));
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM persons WHERE {FILTERED} ORDER BY {} LIMIT $7 OFFSET $8",
            filter.order.sql()
        )))
        .bind(grant.party().as_str())
        .bind(filter.category.map(Category::as_str))
        .bind(filter.status.map(|s| s.as_str()))
        .bind(filter.source_list)
        .bind(filter.born_year.map(|y| format!("{y:04}")))
        .bind(clearance_sql(grant.clearance()))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .map_err(db("reading person records"))?;
        rows.iter()
            .map(|r| disclosed(r, grant.clearance()))
            .collect()
    }

    /// One record of the grant's own register. A record of another party is reported as
    /// not found, so that its existence is not revealed.
    pub(crate) async fn person(
        &self,
        grant: &Grant<ReadRegister>,
        id: i64,
    ) -> Result<Person, Error> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM persons WHERE id = $1 AND party = $2"
        )))
        .bind(id)
        .bind(grant.party().as_str())
        .fetch_optional(&self.pool)
        .await
        .map_err(db("reading a person record"))?;
        match row {
            Some(row) => disclosed(&row, grant.clearance()),
            None => Err(Error::NotFound(format!("person {id}"))),
        }
    }
}
