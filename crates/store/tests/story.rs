//! The conformance story: the same sequence of operations and expectations, run on SQLite
//! always and on PostgreSQL when `HOMEWARD_TEST_POSTGRES_URL` is set.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use homeward_core::Error;
use homeward_core::access::{
    Actor, Administer, Grant, ReadRegister, ReadTalks, Role, WriteRegister, WriteTalks, authorize,
};
use homeward_core::party::{Party, PartyKind};
use homeward_core::record::{Category, PersonRecord, Relation, Status};
use homeward_core::talks::{Delegation, Movement, Terms};
use homeward_store::testkit::{self, TestStore};
use homeward_store::{
    Backend, Location, NewList, NewListRow, NewRound, OpenMode, PersonFilter, StageEntry, Store,
};
use homeward_store::{ListDocument, Person, ReadFilter, SearchQuery};

#[path = "story/enquiries.rs"]
mod enquiries;
#[path = "story/records.rs"]
mod records;

const T0: i64 = 1_748_822_400_000; // 2025-06-02, the day of the round

async fn each_backend(test: &str, f: impl AsyncFn(TestStore)) {
    f(testkit::sqlite().await.unwrap()).await;
    if let Some(pg) = testkit::postgres(test).await.unwrap() {
        f(pg).await;
    }
}

fn admin(code: &str) -> Grant<Administer> {
    Grant::system(code.parse().unwrap(), "test")
}

async fn with_parties(store: &Store) {
    for (code, name, kind) in [
        ("UA", "Ukraine", PartyKind::Belligerent),
        ("RU", "Russia", PartyKind::Belligerent),
        ("TR", "Türkiye", PartyKind::Mediator),
    ] {
        let party = Party {
            code: code.parse().unwrap(),
            name: name.into(),
            kind,
        };
        store.add_party(&admin(code), &party, T0).await.unwrap();
    }
}

fn pow(surname: &str, given: &str, relation: Relation) -> PersonRecord {
    PersonRecord {
        category: Some(Category::Pow),
        relation: Some(relation),
        status: Some(Status::InCustody),
        surname: Some(surname.into()),
        given_names: Some(given.into()),
        birth_date: Some("2001-03".parse().unwrap()),
        synthetic: true,
        ..Default::default()
    }
}

async fn actor(store: &Store, party: &str, role: Role) -> Actor {
    let uid = store
        .create_user(&admin(party), &format!("{party}-{role}"), &[role], None, T0)
        .await
        .unwrap();
    let token = store.create_token(&admin(party), uid, T0).await.unwrap();
    store.actor_by_token(&token).await.unwrap().unwrap()
}

#[tokio::test]
async fn registers_are_kept_apart() {
    each_backend("registers_are_kept_apart", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let ua = actor(store, "UA", Role::Operator).await;
        let ru = actor(store, "RU", Role::Operator).await;
        let ua_w = authorize::<WriteRegister>(&ua).unwrap();
        let ids = store
            .add_persons(
                &ua_w,
                &[
                    pow("Олійник", "Олександр", Relation::Sought),
                    pow("Коваленко", "Ігор", Relation::Held),
                ],
                T0,
            )
            .await
            .unwrap();
        assert_eq!(ids.len(), 2);

        let ua_r = authorize::<ReadRegister>(&ua).unwrap();
        let ru_r = authorize::<ReadRegister>(&ru).unwrap();
        let page = store
            .persons(
                &ua_r,
                &PersonFilter {
                    page: 1,
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(page.total, 2);
        assert_eq!(page.items[0].record.surname.as_deref(), Some("Олійник"));
        assert_eq!(
            page.items[0].record.birth_date.unwrap().to_string(),
            "2001-03"
        );
        let theirs = store
            .persons(
                &ru_r,
                &PersonFilter {
                    page: 1,
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(theirs.total, 0);
        assert!(matches!(
            store.open_person(&ru_r, ids[0], "story check", 0).await,
            Err(Error::NotFound(_))
        ));
        assert!(
            store
                .open_person(&ua_r, ids[0], "story check", 0)
                .await
                .is_ok()
        );
        let only_children = store
            .persons(
                &ua_r,
                &PersonFilter {
                    category: Some(Category::Child),
                    page: 1,
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(only_children.total, 0);
    })
    .await;
}

#[tokio::test]
async fn a_failed_change_leaves_nothing_behind() {
    each_backend("a_failed_change_leaves_nothing_behind", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let before = store.verify_log().await.unwrap().verified;
        let grant = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
        let nameless = PersonRecord {
            category: Some(Category::Pow),
            relation: Some(Relation::Sought),
            ..Default::default()
        };
        let err = store
            .add_persons(
                &grant,
                &[pow("Бойко", "Андрій", Relation::Sought), nameless],
                T0,
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("record 2: surname"), "{err}");
        let ua = actor(store, "UA", Role::Viewer).await;
        let page = store
            .persons(
                &authorize::<ReadRegister>(&ua).unwrap(),
                &PersonFilter {
                    page: 1,
                    per_page: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            page.total, 0,
            "the valid first record must not have been kept"
        );
        // user + token events only
        assert_eq!(store.verify_log().await.unwrap().verified, before + 2);
    })
    .await;
}

#[tokio::test]
async fn lists_keep_their_bytes_and_refuse_the_same_file_twice() {
    each_backend(
        "lists_keep_their_bytes_and_refuse_the_same_file_twice",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let grant = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
            let mut fields = serde_json::Map::new();
            fields.insert("прізвище".into(), "Шевчук".into());
            let list = NewList {
                kind: "children".into(),
                category: Some(Category::Child),
                title: "Deported children (synthetic)".into(),
                file_name: "children.csv".into(),
                original: "прізвище\r\nШевчук\r\n".as_bytes().to_vec(),
                addressees: vec!["RU".parse().unwrap(), "TR".parse().unwrap()],
                supersedes: None,
                headers: vec!["прізвище".into()],
                rows: vec![NewListRow {
                    row_no: 2,
                    fields,
                    record: Some(PersonRecord {
                        category: Some(Category::Child),
                        relation: Some(Relation::Sought),
                        surname: Some("Шевчук".into()),
                        synthetic: true,
                        ..Default::default()
                    }),
                    problems: vec![],
                }],
            };
            let id = store.add_list(&grant, &list, T0).await.unwrap();
            let again = store.add_list(&grant, &list, T0).await.unwrap_err();
            assert!(
                matches!(&again, Error::Collides { message: m, .. } if m.contains(&format!("list {id}"))),
                "{again}"
            );
            let ua = actor(store, "UA", Role::Viewer).await;
            let page = store
                .persons(
                    &authorize::<ReadRegister>(&ua).unwrap(),
                    &PersonFilter {
                        page: 1,
                        per_page: 5,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(page.items[0].source_list, Some(id));
            assert_eq!(page.items[0].source_row, Some(2));
        },
    )
    .await;
}

/// The rows of a large list: every seventh has no name and gives no record.
fn large_list_rows(count: i64) -> Vec<NewListRow> {
    const SURNAMES: [&str; 5] = ["Олійник", "Шевчук", "Коваленко", "Бойко", "Ткачук"];
    const GIVEN: [&str; 4] = ["Олександр", "Іван", "Петро", "Ігор"];
    (0..count)
        .map(|i| {
            let row_no = i + 2;
            let (surname, given) = (SURNAMES[i as usize % 5], GIVEN[i as usize % 4]);
            let birth = format!("19{:02}-{:02}-{:02}", 60 + i % 40, 1 + i % 12, 1 + i % 28);
            let mut fields = serde_json::Map::new();
            fields.insert("дата народження".into(), birth.clone().into());
            if i % 7 == 3 {
                return NewListRow {
                    row_no,
                    fields,
                    record: None,
                    problems: vec!["no surname or given name".into()],
                };
            }
            fields.insert("прізвище".into(), surname.into());
            fields.insert("ім'я".into(), given.into());
            NewListRow {
                row_no,
                fields,
                record: Some(PersonRecord {
                    surname: Some(surname.into()),
                    given_names: Some(given.into()),
                    birth_date: Some(birth.parse().unwrap()),
                    ..pow(surname, given, Relation::Held)
                }),
                problems: vec![],
            }
        })
        .collect()
}

/// The staging files beside a SQLite store (none on PostgreSQL).
fn staging_files(t: &TestStore) -> Vec<std::path::PathBuf> {
    let Location::Sqlite(path) = &t.location else {
        return Vec::new();
    };
    std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().ends_with(".staging"))
        .collect()
}

#[tokio::test]
async fn a_large_list_is_written_all_or_nothing_and_keeps_nobody_waiting() {
    each_backend("a_large_list_is_written_all_or_nothing_and_keeps_nobody_waiting", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let pool = store.raw_pool_for_tests();
        let count = |table: &'static str| async move {
            sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(pool)
                .await
                .unwrap()
        };
        let grant = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
        let headers = vec!["прізвище".to_owned(), "ім'я".to_owned(), "дата народження".to_owned()];
        let to = vec!["RU".parse().unwrap()];
        let document = |original: &'static [u8]| ListDocument {
            kind: "holding",
            category: Some(Category::Pow),
            title: "holding (synthetic)",
            file_name: "holding.csv",
            original,
            addressees: &to,
            supersedes: None,
            headers: &headers,
        };
        let rows = large_list_rows(3_000);
        // A file larger than the parts files are kept in (1 MiB), with a byte in each part.
        let same: &'static [u8] = Box::leak((0..2_500_000u32).map(|i| (i % 251) as u8).collect::<Vec<u8>>().into_boxed_slice());
        let before = (count("lists").await, count("list_rows").await, count("persons").await, count("events").await);

        // A writer dropped before it finishes leaves nothing: no document, row, record or event.
        let mut unfinished = store.begin_list(&grant, &document(same), T0).await.unwrap();
        unfinished.add_rows(&rows[..1_000]).await.unwrap();
        unfinished.add_rows(&rows[1_000..2_000]).await.unwrap();
        assert_eq!(unfinished.rows(), 2_000);
        drop(unfinished);
        let after_drop = (count("lists").await, count("list_rows").await, count("persons").await, count("events").await);
        assert_eq!(after_drop, before);
        assert_eq!(staging_files(&t), Vec::<std::path::PathBuf>::new(), "a dropped list leaves no staging file");

        // The same file then stores, in three batches, with one event.
        let mut writer = store.begin_list(&grant, &document(same), T0).await.unwrap();
        // Another party's list begun now is stored too: on SQLite it waits for its turn and is
        // published after this one; on PostgreSQL it is written beside it.
        let ru = Grant::<WriteRegister>::system("RU".parse().unwrap(), "test");
        let other = NewList {
            kind: "request".into(),
            category: Some(Category::Pow),
            title: "request (synthetic)".into(),
            file_name: "request.csv".into(),
            original: b"written while UA's list was".to_vec(),
            addressees: vec![],
            supersedes: None,
            headers: headers.clone(),
            rows: rows[..10].to_vec(),
        };
        let waiting = tokio::spawn({
            let store = store.clone();
            async move { store.add_list(&ru, &other, T0).await }
        });
        // Another process's import of the same file, at the same time (on PostgreSQL it would
        // wait on the first's unique key until that commits).
        let elsewhere = match store.backend() {
            Backend::Sqlite => Some(Store::open(&t.location, OpenMode::MustExist).await.unwrap()),
            Backend::Postgres => None,
        };
        let mut twin = match &elsewhere {
            Some(e) => Some(e.begin_list(&grant, &document(same), T0).await.unwrap()),
            None => None,
        };
        if let Some(twin) = &mut twin {
            twin.add_rows(&rows[..10]).await.unwrap();
        }
        for batch in rows.chunks(1_000) {
            writer.add_rows(batch).await.unwrap();
            // While it is written, the store takes other changes. On SQLite a list held in
            // its transaction would keep them waiting for the write lock until they failed
            // as busy.
            if batch[0].row_no == 2 {
                store.create_user(&admin("UA"), "UA-late", &[Role::Viewer], None, T0).await.unwrap();
            }
        }
        let list = writer.finish().await.unwrap();
        // The same file begun twice at once is stored once: the second is refused when it is
        // published, naming the first.
        if let Some(twin) = twin {
            let late = twin.finish().await.unwrap_err();
            assert!(matches!(&late, Error::Collides { message: m, .. } if m.contains(&format!("list {list}"))), "{late}");
        }
        let ru_list = waiting.await.unwrap().unwrap();
        assert!(ru_list > list, "the list begun later has the later id");
        let accepted = rows.iter().filter(|r| r.record.is_some()).count() as i64;
        assert_eq!(accepted, 3_000 - 429);
        let accepted_ru = rows[..10].iter().filter(|r| r.record.is_some()).count() as i64;
        assert_eq!(
            (count("lists").await, count("list_rows").await, count("persons").await, count("events").await),
            (before.0 + 2, before.1 + 3_010, before.2 + accepted + accepted_ru, before.3 + 3)
        );
        assert_eq!(staging_files(&t), Vec::<std::path::PathBuf>::new(), "a published list leaves no staging file");
        let parts: Vec<Vec<u8>> = sqlx::query_scalar("SELECT bytes FROM list_file_parts WHERE list_id = $1 ORDER BY part")
            .bind(list)
            .fetch_all(pool)
            .await
            .unwrap();
        assert_eq!(parts.iter().map(Vec::len).collect::<Vec<_>>(), [1 << 20, 1 << 20, 2_500_000 - (2 << 20)]);
        assert!(parts.concat() == same, "the file is kept byte for byte");
        let events: Vec<String> = sqlx::query_scalar("SELECT payload FROM events WHERE kind = 'list.issued'")
            .fetch_all(pool)
            .await
            .unwrap();
        let mut events = events.iter().map(|e| serde_json::from_str::<serde_json::Value>(e).unwrap());
        let event = events.find(|e| e["list"].as_i64() == Some(list)).unwrap();
        assert_eq!((event["list"].as_i64(), event["rows"].as_i64(), event["accepted"].as_i64()), (Some(list), Some(3_000), Some(accepted)));

        // Each accepted row has its own record, the one its cells give; a rejected row none.
        use sqlx::Row;
        let stored = sqlx::query(
            "SELECT r.row_no, r.accepted, r.fields, p.id, p.source_list, p.source_row, p.surname, p.given_names, p.birth_date, p.surname_key \
             FROM list_rows r LEFT JOIN persons p ON p.id = r.person_id WHERE r.list_id = $1 ORDER BY r.row_no",
        )
        .bind(list)
        .fetch_all(pool)
        .await
        .unwrap();
        assert_eq!(stored.len(), 3_000);
        let mut people = std::collections::BTreeSet::new();
        for (r, row) in stored.iter().zip(&rows) {
            let row_no: i64 = r.get("row_no");
            assert_eq!(row_no, row.row_no);
            let person: Option<i64> = r.get("id");
            let accepted: i64 = r.get("accepted");
            assert_eq!((accepted == 1, person.is_some()), (row.record.is_some(), row.record.is_some()), "row {row_no}");
            let Some(person) = person else { continue };
            assert!(people.insert(person), "row {row_no} shares record {person}");
            let source: (Option<i64>, Option<i64>) = (r.get("source_list"), r.get("source_row"));
            assert_eq!(source, (Some(list), Some(row_no)));
            let fields: serde_json::Value = serde_json::from_str(&r.get::<String, _>("fields")).unwrap();
            let names: (Option<String>, Option<String>, Option<String>) = (r.get("surname"), r.get("given_names"), r.get("birth_date"));
            assert_eq!(
                names,
                (
                    fields["прізвище"].as_str().map(str::to_owned),
                    fields["ім'я"].as_str().map(str::to_owned),
                    fields["дата народження"].as_str().map(str::to_owned)
                ),
                "row {row_no}"
            );
            assert!(r.get::<Option<String>, _>("surname_key").is_some(), "row {row_no} has its name key");
        }
        assert_eq!(people.len() as i64, accepted);
        let again = store.begin_list(&grant, &document(same), T0).await.err().unwrap();
        assert!(matches!(&again, Error::Collides { message: m, .. } if m.contains(&format!("list {list}"))), "{again}");
        assert_eq!(store.verify_log().await.unwrap().first_break, None);
    })
    .await;
}

/// A staging file an interrupted import left is removed when the store is next opened, once
/// nobody holds it and it has not been written for an hour; a fresh one, or one still held
/// by its writer, stays.
#[tokio::test]
async fn an_abandoned_staging_file_is_removed_at_open_and_a_live_one_kept() {
    let t = testkit::sqlite().await.unwrap();
    with_parties(&t.store).await;
    let Location::Sqlite(path) = &t.location else {
        unreachable!()
    };
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let beside = |tag: &str| path.with_file_name(format!(".{name}-{tag}.staging"));
    let (old, fresh) = (beside("old"), beside("fresh"));
    for f in [&old, &fresh] {
        std::fs::write(f, b"").unwrap();
    }
    let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    std::fs::File::options()
        .write(true)
        .open(&old)
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();
    // A list being written holds its own staging file, however old it looks.
    let grant = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
    let headers = vec!["прізвище".to_owned()];
    let document = ListDocument {
        kind: "holding",
        category: Some(Category::Pow),
        title: "holding (synthetic)",
        file_name: "holding.csv",
        original: b"held while the store is opened again",
        addressees: &[],
        supersedes: None,
        headers: &headers,
    };
    let mut writer = t.store.begin_list(&grant, &document, T0).await.unwrap();
    writer.add_rows(&large_list_rows(20)).await.unwrap();
    let live: Vec<_> = staging_files(&t)
        .into_iter()
        .filter(|f| *f != old && *f != fresh)
        .collect();
    assert_eq!(live.len(), 1, "{live:?}");
    std::fs::File::options()
        .write(true)
        .open(&live[0])
        .unwrap()
        .set_modified(two_hours_ago)
        .unwrap();

    let again = Store::open(&t.location, OpenMode::MustExist).await.unwrap();
    assert!(!old.exists(), "the abandoned staging file is removed");
    assert!(
        fresh.exists() && live[0].exists(),
        "a recent or held staging file is kept"
    );
    let list = writer.finish().await.unwrap();
    assert_eq!(
        again
            .lists(&Grant::<ReadRegister>::system(
                "UA".parse().unwrap(),
                "test"
            ))
            .await
            .unwrap()
            .iter()
            .filter(|l| l.id == list)
            .count(),
        1
    );
}

/// On SQLite the read audit has a file of its own: a read is audited while another
/// connection holds the store's write lock, and reads the store audited in its own file
/// before are carried over once, under their ids.
#[tokio::test]
async fn reads_are_audited_while_the_store_is_being_written() {
    let t = testkit::sqlite().await.unwrap();
    let store = &t.store;
    with_parties(store).await;
    let ids = store
        .add_persons(
            &Grant::<WriteRegister>::system("UA".parse().unwrap(), "test"),
            &[pow("Бойко", "Іван", Relation::Held)],
            T0,
        )
        .await
        .unwrap();
    // A read the store audited in its own file, as an earlier homeward did.
    sqlx::query(
        "INSERT INTO read_audit (id, party, actor, at_ms, action, person_id, purpose) \
         VALUES (7, 'UA', 'user:1', 1, 'view', $1, 'an earlier read')",
    )
    .bind(ids[0])
    .execute(store.raw_pool_for_tests())
    .await
    .unwrap();
    let store = Store::open(&t.location, OpenMode::MustExist).await.unwrap();
    let reader = Grant::<ReadRegister>::system("UA".parse().unwrap(), "test");
    let mut writing = store.raw_pool_for_tests().acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *writing)
        .await
        .unwrap();
    let seen = store
        .open_person(&reader, ids[0], "while writing", T0)
        .await
        .unwrap();
    assert_eq!(seen.record.surname.as_deref(), Some("Бойко"));
    sqlx::query("ROLLBACK")
        .execute(&mut *writing)
        .await
        .unwrap();
    drop(writing);
    let store = Store::open(&t.location, OpenMode::MustExist).await.unwrap();
    let audit = Grant::<homeward_core::access::Audit>::system("UA".parse().unwrap(), "test");
    let reads = store
        .reads(
            &audit,
            &ReadFilter {
                limit: 100,
                ..ReadFilter::default()
            },
        )
        .await
        .unwrap();
    let purposes: Vec<&str> = reads.iter().map(|r| r.purpose.as_str()).collect();
    assert_eq!(
        purposes,
        ["while writing", "an earlier read"],
        "newest first, the earlier one once"
    );
}

#[tokio::test]
async fn rounds_commitments_and_fulfilment() {
    each_backend("rounds_commitments_and_fulfilment", async |t| {
        let store = &t.store;
        with_parties(store).await;
        store
            .add_party(
                &admin("XX"),
                &Party {
                    code: "XX".parse().unwrap(),
                    name: "Elsewhere".into(),
                    kind: PartyKind::Observer,
                },
                T0,
            )
            .await
            .unwrap();
        let ua_neg = actor(store, "UA", Role::Negotiator).await;
        let ru_neg = actor(store, "RU", Role::Negotiator).await;
        let round = NewRound {
            title: "Istanbul".into(),
            held_on: "2025-06-02".into(),
            venue: "Çırağan Palace".into(),
            city: "Istanbul".into(),
            mediator: Some("TR".parse().unwrap()),
            notes: String::new(),
            delegations: vec![
                Delegation {
                    party: "UA".parse().unwrap(),
                    head: "Head A (synthetic)".into(),
                    size: Some(12),
                },
                Delegation {
                    party: "RU".parse().unwrap(),
                    head: "Head B (synthetic)".into(),
                    size: Some(12),
                },
            ],
        };
        let ua_w = authorize::<WriteTalks>(&ua_neg).unwrap();
        let round_id = store.add_round(&ua_w, &round, T0).await.unwrap();
        let sides = ["UA".parse().unwrap(), "RU".parse().unwrap()];
        // An exchange of prisoners: its fulfilment is counted from the plan's movements.
        let terms = Terms::PowExchange {
            quantity_each_way: 1000,
            extra_tranche: None,
            parity: homeward_core::talks::Parity::PerStage,
            parity_by_category: false,
            priorities: vec![],
            categories: vec![Category::Pow],
            deadline: None,
        };
        let c = store
            .add_commitment(&ua_w, round_id, "Exchange", &sides, &terms, T0)
            .await
            .unwrap();

        // RU hands over two of the people it holds; one is received.
        let ru_ids = store
            .add_persons(
                &Grant::system("RU".parse().unwrap(), "test"),
                &[
                    pow("Мельник", "Петро", Relation::Held),
                    pow("Ткачук", "Іван", Relation::Held),
                ],
                T0,
            )
            .await
            .unwrap();
        let ru_w = authorize::<WriteTalks>(&ru_neg).unwrap();
        let plan = store.add_plan(&ru_w, c, T0).await.unwrap();
        let stage = store
            .add_stage(&ru_w, plan, 1, Some("2025-06-11"), T0)
            .await
            .unwrap();
        let entry = |id, movement| StageEntry {
            person_id: id,
            to: "UA".parse().unwrap(),
            movement,
            reason: None,
        };
        store
            .add_stage_entries(
                &ru_w,
                stage,
                &[
                    entry(ru_ids[0], Movement::Received),
                    entry(ru_ids[1], Movement::HandedOver),
                ],
                T0,
            )
            .await
            .unwrap();
        // UA cannot place RU's people in a stage.
        assert!(matches!(
            store
                .add_stage_entries(&ua_w, stage, &[entry(ru_ids[0], Movement::Planned)], T0)
                .await,
            Err(Error::NotFound(_))
        ));

        let views = store
            .commitments(&authorize::<ReadTalks>(&ua_neg).unwrap())
            .await
            .unwrap();
        assert_eq!(views.len(), 1);
        let ru_to_ua = views[0]
            .fulfilment
            .flows
            .iter()
            .find(|f| f.from.as_str() == "RU")
            .unwrap();
        assert_eq!(
            (
                ru_to_ua.agreed,
                ru_to_ua.planned,
                ru_to_ua.handed_over,
                ru_to_ua.received
            ),
            (1000, 2, 1, 1)
        );

        // The mediator sees the round; a party not in it does not.
        let tr = actor(store, "TR", Role::Viewer).await;
        assert_eq!(
            store
                .rounds(&authorize::<ReadTalks>(&tr).unwrap())
                .await
                .unwrap()
                .len(),
            1
        );
        let xx = actor(store, "XX", Role::Negotiator).await;
        assert!(
            store
                .rounds(&authorize::<ReadTalks>(&xx).unwrap())
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            store
                .commitments(&authorize::<ReadTalks>(&xx).unwrap())
                .await
                .unwrap()
                .is_empty()
        );
        let xx_w = authorize::<WriteTalks>(&xx).unwrap();
        assert!(matches!(
            store
                .add_commitment(&xx_w, round_id, "x", &sides, &terms, T0)
                .await,
            Err(Error::NotFound(_))
        ));
        assert!(matches!(
            store.add_plan(&xx_w, c, T0).await,
            Err(Error::NotFound(_))
        ));
    })
    .await;
}

#[tokio::test]
async fn the_log_finds_the_event_altered_in_the_database() {
    each_backend("the_log_finds_the_event_altered_in_the_database", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let report = store.verify_log().await.unwrap();
        assert_eq!((report.verified, report.first_break.clone()), (3, None));

        // The log refuses updates and deletes through SQL.
        let pool = store.raw_pool_for_tests();
        assert!(sqlx::query("UPDATE events SET kind = 'x' WHERE seq = 2").execute(pool).await.is_err());
        assert!(sqlx::query("DELETE FROM events WHERE seq = 3").execute(pool).await.is_err());

        // Someone with database access removes the guard and alters event 2.
        let drop_guard = match store.backend() {
            Backend::Sqlite => "DROP TRIGGER events_no_update",
            Backend::Postgres => "DROP TRIGGER events_no_update ON events",
        };
        sqlx::query(drop_guard).execute(pool).await.unwrap();
        sqlx::query("UPDATE events SET payload = '{\"code\":\"RU\",\"kind\":\"mediator\",\"name\":\"Russia\"}' WHERE seq = 2")
            .execute(pool)
            .await
            .unwrap();
        let report = store.verify_log().await.unwrap();
        assert_eq!(report.verified, 1);
        let broken = report.first_break.unwrap();
        assert_eq!(broken.seq, 2);
        assert!(broken.reason.contains("altered"), "{}", broken.reason);
    })
    .await;
}

/// Any single byte of any stored event, changed at random, is found by `verify_log`, and
/// the log verifies again once it is put back (so every round really checked something).
/// The seed is printed; set HOMEWARD_FLIP_SEED to replay one.
#[tokio::test]
async fn every_flipped_byte_of_a_stored_event_is_found() {
    use rand::{RngExt as _, SeedableRng as _};
    each_backend("every_flipped_byte_of_a_stored_event_is_found", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let system = Grant::system("UA".parse().unwrap(), "test");
        for (i, name) in ["Олійник", "Шевчук", "Kovalenko"].iter().enumerate() {
            store
                .add_persons(&system, &[pow(name, "Тарас", Relation::Sought)], T0 + i as i64)
                .await
                .unwrap();
        }
        let pool = store.raw_pool_for_tests();
        let drop = match store.backend() {
            Backend::Sqlite => "DROP TRIGGER events_no_update",
            Backend::Postgres => "DROP TRIGGER events_no_update ON events",
        };
        sqlx::query(drop).execute(pool).await.unwrap();
        let events: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events").fetch_one(pool).await.unwrap();
        assert!(events >= 6);
        let seed = std::env::var("HOMEWARD_FLIP_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64);
        eprintln!("every_flipped_byte_of_a_stored_event_is_found: HOMEWARD_FLIP_SEED={seed}");
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let text_columns = ["party", "actor", "kind", "payload", "prev_hash", "hash"];
        let mut rounds = 0;
        while rounds < 150 {
            let seq = rng.random_range(1..=events);
            if rng.random_range(0..8) == 0 {
                // A number: one bit of the time.
                let bit = rng.random_range(0..40);
                sqlx::query("UPDATE events SET at_ms = at_ms + $1 WHERE seq = $2")
                    .bind(1_i64 << bit).bind(seq).execute(pool).await.unwrap();
                let report = store.verify_log().await.unwrap();
                assert!(report.first_break.is_some(), "seed {seed}: at_ms of event {seq} changed by 2^{bit} went unnoticed");
                sqlx::query("UPDATE events SET at_ms = at_ms - $1 WHERE seq = $2")
                    .bind(1_i64 << bit).bind(seq).execute(pool).await.unwrap();
            } else {
                let column = text_columns[rng.random_range(0..text_columns.len())];
                let read = format!("SELECT {column} FROM events WHERE seq = $1");
                let original: String = sqlx::query_scalar(sqlx::AssertSqlSafe(read)).bind(seq).fetch_one(pool).await.unwrap();
                let mut bytes = original.clone().into_bytes();
                // A byte of ASCII text flipped to another byte of ASCII text (the columns are
                // text; an invalid or NUL byte would be refused by the database itself).
                let ascii: Vec<usize> = (0..bytes.len()).filter(|&i| bytes[i].is_ascii()).collect();
                if ascii.is_empty() {
                    continue;
                }
                let at = ascii[rng.random_range(0..ascii.len())];
                let flipped = loop {
                    let b = bytes[at] ^ rng.random_range(1..=0x7F_u8);
                    if b != 0 {
                        break b;
                    }
                };
                bytes[at] = flipped;
                let changed = String::from_utf8(bytes).unwrap();
                let write = format!("UPDATE events SET {column} = $1 WHERE seq = $2");
                sqlx::query(sqlx::AssertSqlSafe(write.clone())).bind(&changed).bind(seq).execute(pool).await.unwrap();
                let report = store.verify_log().await.unwrap();
                assert!(
                    report.first_break.is_some(),
                    "seed {seed}: {column} of event {seq} changed from {original:?} to {changed:?} went unnoticed"
                );
                sqlx::query(sqlx::AssertSqlSafe(write)).bind(&original).bind(seq).execute(pool).await.unwrap();
            }
            let report = store.verify_log().await.unwrap();
            assert_eq!(report.first_break, None, "seed {seed}: the log holds again once restored");
            rounds += 1;
        }
    })
    .await;
}

#[tokio::test]
async fn a_store_from_a_newer_homeward_is_refused_untouched() {
    each_backend("a_store_from_a_newer_homeward_is_refused_untouched", async |t| {
        let store = &t.store;
        sqlx::query(
            "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
             VALUES (9999, 'from the future', TRUE, $1, 0)",
        )
        .bind(vec![0_u8; 48])
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
        store.close().await;
        let err = Store::open(&t.location, OpenMode::MustExist).await.unwrap_err();
        assert!(err.to_string().contains("newer"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn a_missing_sqlite_file_is_not_created_when_it_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("absent.db");
    let err = Store::open(&Location::Sqlite(path.clone()), OpenMode::MustExist)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no store at"), "{err}");
    assert!(!path.exists());
}

#[tokio::test]
async fn an_unreachable_postgres_is_one_clear_error() {
    let loc: Location = "postgres://nobody@127.0.0.1:1/none".parse().unwrap();
    let err = Store::open(&loc, OpenMode::CreateIfMissing)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("cannot connect to PostgreSQL"),
        "{err}"
    );
}

#[test]
fn both_dialects_have_the_same_migration_versions() {
    let names = |d: &str| {
        let mut v: Vec<String> =
            std::fs::read_dir(format!("{}/migrations/{d}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn both_dialects_have_the_same_tables_and_columns() {
    let Some(pg) = testkit::postgres("both_dialects_have_the_same_tables_and_columns")
        .await
        .unwrap()
    else {
        return;
    };
    let sqlite = testkit::sqlite().await.unwrap();
    let lite: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' ORDER BY 1, 2",
    )
    .fetch_all(sqlite.store.raw_pool_for_tests())
    .await
    .unwrap();
    let post: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations' ORDER BY 1, 2",
    )
    .fetch_all(pg.store.raw_pool_for_tests())
    .await
    .unwrap();
    assert_eq!(lite, post);
}

#[tokio::test]
async fn search_finds_a_person_from_any_spelling_within_the_register() {
    each_backend(
        "search_finds_a_person_from_any_spelling_within_the_register",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let mut target = pow("Олійник", "Олександр", Relation::Sought);
            target.patronymic = Some("Петрович".into());
            target.birth_date = Some("1990-03-04".parse().unwrap());
            let mut namesake = pow("Олійник", "Олександр", Relation::Sought);
            namesake.birth_date = Some("1971".parse().unwrap());
            let other = pow("Коваленко", "Олександр", Relation::Sought);
            let grant = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
            let ids = store
                .add_persons(&grant, &[target, namesake, other], T0)
                .await
                .unwrap();
            let ua = authorize::<ReadRegister>(&actor(store, "UA", Role::Viewer).await).unwrap();
            let q = |text: &str, born: Option<&str>| homeward_store::SearchQuery {
                text: text.into(),
                born: born.map(|b| b.parse().unwrap()),
                limit: 10,
            };
            for spelling in [
                "Oleksandr Oliinyk",
                "OLEINIK ALEKSANDR",
                "Олейник Александр Петрович",
                "олійник",
            ] {
                let hits = store.search(&ua, &q(spelling, None)).await.unwrap();
                let found: Vec<i64> = hits.iter().map(|h| h.person.id).collect();
                assert!(
                    found.starts_with(&[ids[0]]) || found.starts_with(&[ids[1]]),
                    "{spelling}: {found:?}"
                );
                assert!(
                    !found.contains(&ids[2]) || spelling == "олійник",
                    "{spelling}: {found:?}"
                );
            }
            let born = store
                .search(&ua, &q("Oleksandr Oliinyk", Some("1990")))
                .await
                .unwrap();
            assert_eq!(
                born.iter().map(|h| h.person.id).collect::<Vec<_>>(),
                [ids[0]]
            );
            // Another party's search never reaches UA's register.
            let ru = authorize::<ReadRegister>(&actor(store, "RU", Role::Viewer).await).unwrap();
            assert!(
                store
                    .search(&ru, &q("Oleksandr Oliinyk", None))
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert!(store.search(&ua, &q("  ", None)).await.is_err());
        },
    )
    .await;
}

#[tokio::test]
async fn decisions_move_statuses_can_be_undone_and_rejections_hold_until_a_record_changes() {
    each_backend(
        "decisions_move_statuses_can_be_undone_and_rejections_hold_until_a_record_changes",
        async |t| {
            use homeward_store::{Decision, LinkFilter, LinkScope, LinkTarget, ProposedLink};
            let store = &t.store;
            with_parties(store).await;
            let write = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
            let read = Grant::<ReadRegister>::system("UA".parse().unwrap(), "test");
            let review = authorize::<homeward_core::access::ReviewLinks>(
                &actor(store, "UA", Role::Reviewer).await,
            )
            .unwrap();
            let mut sought = pow("Олійник", "Олександр", Relation::Sought);
            sought.status = Some(Status::Missing);
            let ids = store
                .add_persons(
                    &write,
                    &[
                        sought.clone(),
                        sought.clone(),
                        pow("Коваленко", "Ігор", Relation::Sought),
                    ],
                    T0,
                )
                .await
                .unwrap();
            // A holding list received from RU (its rows are not needed for the rule).
            let mut fields = serde_json::Map::new();
            fields.insert("ФИО".into(), "Олейник Александр".into());
            let holding = store
                .add_list(
                    &write,
                    &NewList {
                        kind: "holding".into(),
                        category: Some(Category::Pow),
                        title: "held by RU (synthetic)".into(),
                        file_name: "held.csv".into(),
                        original: b"synthetic holding list".to_vec(),
                        addressees: vec![],
                        supersedes: None,
                        headers: vec!["ФИО".into()],
                        rows: vec![NewListRow {
                            row_no: 2,
                            fields,
                            record: None,
                            problems: vec![],
                        }],
                    },
                    T0,
                )
                .await
                .unwrap();
            let to_row = ProposedLink {
                person_id: ids[0],
                other: LinkTarget::Row {
                    list: holding,
                    row: 2,
                },
                probability: 0.9,
                evidence: "{}".into(),
            };
            let twin = ProposedLink {
                person_id: ids[0],
                other: LinkTarget::Person(ids[1]),
                probability: 0.99,
                evidence: "{}".into(),
            };
            // A link must stay in the scope it is proposed for.
            assert!(
                store
                    .propose_links(
                        &review,
                        LinkScope::Register,
                        std::slice::from_ref(&to_row),
                        T0
                    )
                    .await
                    .is_err()
            );
            store
                .propose_links(
                    &review,
                    LinkScope::List(holding),
                    std::slice::from_ref(&to_row),
                    T0,
                )
                .await
                .unwrap();
            store
                .propose_links(
                    &review,
                    LinkScope::Register,
                    std::slice::from_ref(&twin),
                    T0,
                )
                .await
                .unwrap();
            let queue = store.links(&review, LinkFilter::default()).await.unwrap();
            assert_eq!(queue.len(), 2);
            let row_link = queue.iter().find(|l| l.other_list.is_some()).unwrap().id;
            let dup_link = queue.iter().find(|l| l.other_person.is_some()).unwrap().id;
            let status = async |id| {
                store
                    .open_person(&read, id, "story check", 0)
                    .await
                    .unwrap()
                    .record
                    .status
            };

            // Confirmed against a holding list: the missing man is in custody.
            let out = store
                .decide_link(&review, row_link, Decision::Confirmed, T0 + 1)
                .await
                .unwrap();
            assert_eq!(
                out.status_change,
                Some((ids[0], "missing".into(), "in_custody".into()))
            );
            assert_eq!(status(ids[0]).await, Some(Status::InCustody));
            let confirmed = store
                .links(
                    &review,
                    LinkFilter {
                        decision: Some("confirmed"),
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            // Read back under the reviewer's user name, not the store's id for them.
            assert_eq!(review.actor(), "user:1");
            assert_eq!(confirmed[0].decided_by.as_deref(), Some("UA-reviewer"));
            assert_eq!(confirmed[0].decided_at, Some(T0 + 1));
            // Undone: the status it replaced comes back, and the pair is in the queue again.
            let out = store
                .decide_link(&review, row_link, Decision::Unsure, T0 + 2)
                .await
                .unwrap();
            assert_eq!(out.was, "confirmed");
            assert_eq!(status(ids[0]).await, Some(Status::Missing));
            assert!(
                store
                    .decided_pairs(&review, LinkScope::List(holding))
                    .await
                    .unwrap()
                    .is_empty()
            );

            // A rejection holds while both records stay as they are ...
            store
                .decide_link(&review, dup_link, Decision::Rejected, T0 + 3)
                .await
                .unwrap();
            let pair = (ids[0].min(ids[1]), ids[0].max(ids[1]));
            assert!(
                store
                    .decided_pairs(&review, LinkScope::Register)
                    .await
                    .unwrap()
                    .contains(&pair)
            );
            // ... and lapses when one of them changes (here: its status, by a confirmation).
            store
                .decide_link(&review, row_link, Decision::Confirmed, T0 + 4)
                .await
                .unwrap();
            assert!(
                !store
                    .decided_pairs(&review, LinkScope::Register)
                    .await
                    .unwrap()
                    .contains(&pair)
            );
            // A decided pair is not decided again without an undo.
            let again = store
                .decide_link(&review, dup_link, Decision::Confirmed, T0 + 5)
                .await
                .unwrap_err();
            assert!(
                matches!(again.reason(), Some(homeward_core::Reason::AlreadyDecided { link, .. }) if *link == dup_link),
                "{again}"
            );
            store
                .decide_link(&review, dup_link, Decision::Unsure, T0 + 5)
                .await
                .unwrap();
            // A confirmed duplicate merges nothing: both records stay whole.
            store
                .decide_link(&review, dup_link, Decision::Confirmed, T0 + 5)
                .await
                .unwrap();
            let (a, b) = (
                store
                    .open_person(&read, ids[0], "story check", 0)
                    .await
                    .unwrap(),
                store
                    .open_person(&read, ids[1], "story check", 0)
                    .await
                    .unwrap(),
            );
            assert_eq!(a.record.surname, b.record.surname);
            assert_eq!(b.record.status, Some(Status::Missing));
            assert!(store.verify_log().await.unwrap().first_break.is_none());
            // Another party's reviewer cannot see or decide these links.
            let ru = authorize::<homeward_core::access::ReviewLinks>(
                &actor(store, "RU", Role::Reviewer).await,
            )
            .unwrap();
            assert!(
                store
                    .links(&ru, LinkFilter::default())
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert!(matches!(
                store
                    .decide_link(&ru, dup_link, Decision::Rejected, T0)
                    .await,
                Err(Error::NotFound(_))
            ));
        },
    )
    .await;
}

#[tokio::test]
async fn signed_tree_heads_verify_and_find_a_changed_log() {
    each_backend(
        "signed_tree_heads_verify_and_find_a_changed_log",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let admin = authorize::<Administer>(&actor(store, "UA", Role::Admin).await).unwrap();
            let key = homeward_ledger::keys::PartyKey::from_seed([42; 32]);
            // An unregistered key signs nothing.
            assert!(store.sign_tree_head(&admin, &key, T0).await.is_err());
            store
                .add_key(&admin, &"UA".parse().unwrap(), &key.public_hex(), T0)
                .await
                .unwrap();
            let first = store.sign_tree_head(&admin, &key, T0 + 1).await.unwrap();
            store
                .add_persons(
                    &Grant::system("UA".parse().unwrap(), "test"),
                    &[pow("Олійник", "Олександр", Relation::Sought)],
                    T0 + 2,
                )
                .await
                .unwrap();
            // A signed list proves one row alone.
            let mut fields = serde_json::Map::new();
            fields.insert("прізвище".into(), "Шевчук".into());
            let list = store
                .add_list(
                    &Grant::<WriteRegister>::system("UA".parse().unwrap(), "test"),
                    &NewList {
                        kind: "request".into(),
                        category: Some(Category::Pow),
                        title: "request (synthetic)".into(),
                        file_name: "r.csv".into(),
                        original: b"synthetic list for a row proof".to_vec(),
                        addressees: vec![],
                        supersedes: None,
                        headers: vec!["прізвище".into()],
                        rows: vec![NewListRow {
                            row_no: 2,
                            fields,
                            record: None,
                            problems: vec![],
                        }],
                    },
                    T0 + 2,
                )
                .await
                .unwrap();
            store.sign_list(&admin, list, &key, T0 + 2).await.unwrap();
            let read = Grant::<ReadRegister>::system("UA".parse().unwrap(), "test");
            let proof = store.prove_row(&read, list, 2, T0).await.unwrap();
            assert_eq!(proof.verify(&key.public_hex()), Ok(()));
            assert!(store.prove_row(&read, list, 3, T0).await.is_err());
            let second = store.sign_tree_head(&admin, &key, T0 + 3).await.unwrap();
            assert!(second.size > first.size);
            let report = store.verify_tree_heads().await.unwrap();
            assert_eq!((report.checked, report.problem), (2, None));
            assert!(
                homeward_ledger::keys::verify_hex(
                    &first.public_key,
                    &homeward_store::tree_head_statement(
                        &first.party,
                        first.size,
                        &first.root,
                        first.at_ms
                    ),
                    &first.signature
                )
                .unwrap()
            );
            // An event rewritten behind the triggers' back: the signed root no longer matches.
            let pool = store.raw_pool_for_tests();
            let drop = match store.backend() {
                Backend::Sqlite => "DROP TRIGGER events_no_update",
                Backend::Postgres => "DROP TRIGGER events_no_update ON events",
            };
            sqlx::query(drop).execute(pool).await.unwrap();
            sqlx::query("UPDATE events SET actor = 'user:999' WHERE seq = 2")
                .execute(pool)
                .await
                .unwrap();
            let report = store.verify_tree_heads().await.unwrap();
            assert!(report.problem.unwrap().contains("the log was changed"));
            // A signed list's row changed in the database: its signature no longer covers it.
            let signed = store.verify_signed_lists().await.unwrap();
            assert_eq!((signed.checked, signed.problem), (1, None));
            sqlx::query("UPDATE list_rows SET fields = $1 WHERE list_id = $2")
                .bind(r#"{"прізвище":"Шевчик"}"#)
                .bind(list)
                .execute(pool)
                .await
                .unwrap();
            let signed = store.verify_signed_lists().await.unwrap();
            assert!(
                signed
                    .problem
                    .as_deref()
                    .is_some_and(|p| p.contains("not the rows its issuer signed")),
                "{signed:?}"
            );
        },
    )
    .await;
}

/// UA's store exports a signed list as a bundle; RU's own store imports it against the key
/// it pinned — on two SQLite files, and on two PostgreSQL databases when available.
#[tokio::test]
async fn a_bundle_moves_a_list_between_two_stores() {
    let pairs = [
        Some((
            testkit::sqlite().await.unwrap(),
            testkit::sqlite().await.unwrap(),
        )),
        match (
            testkit::postgres("bundle_from_ua").await.unwrap(),
            testkit::postgres("bundle_to_ru").await.unwrap(),
        ) {
            (Some(a), Some(b)) => Some((a, b)),
            _ => None,
        },
    ];
    for (ua_store, ru_store) in pairs.into_iter().flatten() {
        let (ua_s, ru_s) = (&ua_store.store, &ru_store.store);
        with_parties(ua_s).await;
        with_parties(ru_s).await;
        let ua: homeward_core::party::PartyCode = "UA".parse().unwrap();
        let ru: homeward_core::party::PartyCode = "RU".parse().unwrap();
        let key = homeward_ledger::keys::PartyKey::from_seed([11; 32]);
        ua_s.add_key(&admin("UA"), &ua, &key.public_hex(), T0)
            .await
            .unwrap();
        let mut fields = serde_json::Map::new();
        fields.insert("прізвище".into(), "Довгалюк".into());
        let list = ua_s
            .add_list(
                &Grant::<WriteRegister>::system(ua.clone(), "test"),
                &NewList {
                    kind: "request".into(),
                    category: Some(Category::Pow),
                    title: "request (synthetic)".into(),
                    file_name: "r.csv".into(),
                    original: "прізвище\nДовгалюк\n".as_bytes().to_vec(),
                    addressees: vec![ru.clone()],
                    supersedes: None,
                    headers: vec!["прізвище".into()],
                    rows: vec![NewListRow {
                        row_no: 2,
                        fields,
                        record: None,
                        problems: vec![],
                    }],
                },
                T0,
            )
            .await
            .unwrap();
        ua_s.sign_list(&admin("UA"), list, &key, T0).await.unwrap();
        ua_s.sign_tree_head(&admin("UA"), &key, T0 + 1)
            .await
            .unwrap();
        let read = Grant::<ReadRegister>::system(ua.clone(), "test");
        let bundle = ua_s.export_bundle(&read, list).await.unwrap();
        let ru_write = Grant::<WriteRegister>::system(ru.clone(), "test");
        assert!(
            ru_s.import_bundle(&ru_write, &bundle, T0 + 2)
                .await
                .is_err(),
            "not pinned yet"
        );
        ru_s.add_key(&admin("RU"), &ua, &key.public_hex(), T0)
            .await
            .unwrap();
        let id = ru_s
            .import_bundle(&ru_write, &bundle, T0 + 2)
            .await
            .unwrap();
        let rows = ru_s
            .list_rows(&Grant::<ReadRegister>::system(ru.clone(), "test"), id)
            .await
            .unwrap();
        assert_eq!(rows[0].fields["прізвище"], "Довгалюк");
        assert!(matches!(
            ru_s.import_bundle(&ru_write, &bundle, T0 + 3).await,
            Err(Error::Conflict(_))
        ));
        let report = ru_s.verify_tree_heads().await.unwrap();
        assert_eq!((report.checked, report.problem), (1, None));
        assert!(ru_s.verify_log().await.unwrap().first_break.is_none());
    }
}

/// Two logs of UA signed with the same key that disagree at the same size: the second bundle
/// is refused as evidence of a forked log.
#[tokio::test]
async fn a_forked_issuer_log_is_refused_as_evidence() {
    let (a, b, ru) = (
        testkit::sqlite().await.unwrap(),
        testkit::sqlite().await.unwrap(),
        testkit::sqlite().await.unwrap(),
    );
    let ua: homeward_core::party::PartyCode = "UA".parse().unwrap();
    let ru_code: homeward_core::party::PartyCode = "RU".parse().unwrap();
    let key = homeward_ledger::keys::PartyKey::from_seed([12; 32]);
    let mut bundles = Vec::new();
    for (store, name) in [(&a.store, "Довгалюк"), (&b.store, "Заболотний")] {
        with_parties(store).await;
        store
            .add_key(&admin("UA"), &ua, &key.public_hex(), T0)
            .await
            .unwrap();
        let mut fields = serde_json::Map::new();
        fields.insert("прізвище".into(), name.into());
        let list = store
            .add_list(
                &Grant::<WriteRegister>::system(ua.clone(), "test"),
                &NewList {
                    kind: "request".into(),
                    category: Some(Category::Pow),
                    title: "request (synthetic)".into(),
                    file_name: "r.csv".into(),
                    original: format!("прізвище\n{name}\n").into_bytes(),
                    addressees: vec![ru_code.clone()],
                    supersedes: None,
                    headers: vec!["прізвище".into()],
                    rows: vec![NewListRow {
                        row_no: 2,
                        fields,
                        record: None,
                        problems: vec![],
                    }],
                },
                T0,
            )
            .await
            .unwrap();
        store.sign_list(&admin("UA"), list, &key, T0).await.unwrap();
        store
            .sign_tree_head(&admin("UA"), &key, T0 + 1)
            .await
            .unwrap();
        bundles.push(
            store
                .export_bundle(&Grant::<ReadRegister>::system(ua.clone(), "test"), list)
                .await
                .unwrap(),
        );
    }
    assert_eq!(bundles[0].tree_head.size, bundles[1].tree_head.size);
    assert_ne!(bundles[0].tree_head.root, bundles[1].tree_head.root);
    let ru_s = &ru.store;
    with_parties(ru_s).await;
    ru_s.add_key(&admin("RU"), &ua, &key.public_hex(), T0)
        .await
        .unwrap();
    let write = Grant::<WriteRegister>::system(ru_code, "test");
    ru_s.import_bundle(&write, &bundles[0], T0 + 2)
        .await
        .unwrap();
    let forked = ru_s
        .import_bundle(&write, &bundles[1], T0 + 3)
        .await
        .unwrap_err();
    assert!(forked.to_string().contains("forked log"), "{forked}");
}

/// Every value of every column of every table, as text (a blob's bytes as they are, and in
/// hex), for looking for personal data that should be gone.
async fn everything_stored(store: &Store) -> String {
    let pool = store.raw_pool_for_tests();
    let tables: Vec<String> = match store.backend() {
        Backend::Sqlite => sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
            .fetch_all(pool)
            .await
            .unwrap(),
        Backend::Postgres => sqlx::query_scalar(
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = current_schema()",
        )
        .fetch_all(pool)
        .await
        .unwrap(),
    };
    let mut all = String::new();
    for table in tables {
        let columns: Vec<String> = match store.backend() {
            Backend::Sqlite => sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT name FROM pragma_table_info('{table}')"
            )))
            .fetch_all(pool)
            .await
            .unwrap(),
            Backend::Postgres => sqlx::query_scalar(
                "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_name = $1",
            )
            .bind(&table)
            .fetch_all(pool)
            .await
            .unwrap(),
        };
        for column in columns {
            let expr = match store.backend() {
                Backend::Sqlite => format!("hex(\"{column}\")"),
                Backend::Postgres => format!("CAST(\"{column}\" AS TEXT)"),
            };
            let values: Vec<Option<String>> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT {expr} FROM \"{table}\""
            )))
            .fetch_all(pool)
            .await
            .unwrap();
            for v in values.into_iter().flatten() {
                // SQLite gives every value in hex: kept as hex and as text.
                if store.backend() == Backend::Sqlite
                    && let Ok(bytes) = hex::decode(&v)
                {
                    all.push_str(&String::from_utf8_lossy(&bytes));
                    all.push(' ');
                }
                all.push_str(&v);
                all.push('\n');
            }
        }
    }
    all
}

/// The sensitive fields of a child's record are masked for a viewer everywhere a record is
/// read, and it does not come up in the viewer's search; every read is audited; a death is
/// recorded only with the permission and a second person's confirmation, and stays out of
/// lists until a negotiator releases it; an erasure needs two people, removes the person's
/// data from every table (and, on SQLite, from the file), and leaves the log, the tree heads
/// and the list's signature verifying.
#[tokio::test]
async fn people_in_the_register_are_protected() {
    use homeward_core::access::{Audit, Erase, RecordRestricted, ReleaseRestricted};
    use homeward_core::protection::{MASK, ReadAction, Restriction};
    each_backend("people_in_the_register_are_protected", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let viewer = actor(store, "UA", Role::Viewer).await;
        let officer = actor(store, "UA", Role::Protection).await;
        let second = store
            .create_user(&admin("UA"), "UA-protection-2", &[Role::Protection], None, T0)
            .await
            .unwrap();
        let second = store
            .actor_by_token(&store.create_token(&admin("UA"), second, T0).await.unwrap())
            .await
            .unwrap()
            .unwrap();
        let negotiator = actor(store, "UA", Role::Negotiator).await;
        let ua_admin = actor(store, "UA", Role::Admin).await;
        let auditor = actor(store, "UA", Role::Auditor).await;
        // A request list of UA giving two records: a child and a soldier (synthetic).
        let child = PersonRecord {
            category: Some(Category::Child),
            relation: Some(Relation::Sought),
            status: Some(Status::Missing),
            surname: Some("Ящишина".into()),
            given_names: Some("Зоряна".into()),
            birth_date: Some("2014-03-09".parse().unwrap()),
            family_contact: Some("synthetic contact 0001".into()),
            synthetic: true,
            ..Default::default()
        };
        let soldier = PersonRecord {
            surname: Some("Щербакевич".into()),
            given_names: Some("Остап".into()),
            birth_date: Some("1996-11-23".parse().unwrap()),
            ..pow("Щербакевич", "Остап", Relation::Sought)
        };
        let row = |n: i64, r: &PersonRecord| {
            let mut fields = serde_json::Map::new();
            fields.insert("прізвище".into(), r.surname.clone().unwrap().into());
            fields.insert("ім'я".into(), r.given_names.clone().unwrap().into());
            fields.insert("дата народження".into(), r.birth_date.unwrap().to_string().into());
            NewListRow { row_no: n, fields, record: Some(r.clone()), problems: vec![] }
        };
        let list = store
            .add_list(
                &Grant::<WriteRegister>::system("UA".parse().unwrap(), "test"),
                &NewList {
                    kind: "request".into(),
                    category: Some(Category::Pow),
                    title: "request (synthetic)".into(),
                    file_name: "request.csv".into(),
                    original: "прізвище,ім'я,дата народження\nЯщишина,Зоряна,2014-03-09\nЩербакевич,Остап,1996-11-23\n"
                        .as_bytes()
                        .to_vec(),
                    addressees: vec![],
                    supersedes: None,
                    headers: vec!["прізвище".into(), "ім'я".into(), "дата народження".into()],
                    rows: vec![row(2, &child), row(3, &soldier)],
                },
                T0,
            )
            .await
            .unwrap();
        let read_as = |a: &Actor| authorize::<ReadRegister>(a).unwrap();
        let rows = store.list_rows(&read_as(&officer), list).await.unwrap();
        let (child_id, soldier_id) = (rows[0].person_id.unwrap(), rows[1].person_id.unwrap());

        // Masked for the viewer in the record, the list's rows and search; shown to the officer.
        let seen = store.open_person(&read_as(&viewer), child_id, "hotline call", T0 + 1).await.unwrap();
        assert!(seen.masked);
        assert_eq!(seen.record.surname.as_deref(), Some(MASK));
        assert_eq!((seen.record.birth_date, seen.record.family_contact), (None, None));
        let rows = store.list_rows(&read_as(&viewer), list).await.unwrap();
        assert!(rows[0].masked && !rows[1].masked);
        assert!(!serde_json::to_string(&rows).unwrap().contains("Ящишина"));
        let query = SearchQuery { text: "Ящишина Зоряна".into(), born: None, limit: 10 };
        assert!(store.find(&read_as(&viewer), &query, "hotline call", T0 + 1).await.unwrap().is_empty());
        let hits = store.find(&read_as(&officer), &query, "tracing", T0 + 2).await.unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].person.record.surname.as_deref(), Some("Ящишина"));
        let everyone = store.register(&read_as(&viewer), &PersonFilter::default()).await.unwrap();
        assert!(!serde_json::to_string(&everyone).unwrap().contains("Ящишина"));

        // Every read is audited; the masked one as a refusal that says why.
        let audit = authorize::<Audit>(&auditor).unwrap();
        let reads = store.reads(&audit, &ReadFilter { limit: 100, ..ReadFilter::default() }).await.unwrap();
        let refused = reads.iter().find(|r| r.action == ReadAction::Refused).unwrap();
        assert_eq!((refused.person_id, refused.purpose.as_str()), (Some(child_id), "hotline call"));
        assert!(refused.detail.as_deref().unwrap().contains("masked"));
        assert!(reads.iter().any(|r| r.action == ReadAction::SearchHit && r.person_id == Some(child_id) && r.actor == officer.log_name()));
        let mine = store
            .reads(&audit, &ReadFilter { actor: Some(viewer.log_name()), limit: 100, ..ReadFilter::default() })
            .await
            .unwrap();
        assert!(mine.iter().all(|r| r.actor == viewer.log_name()) && !mine.is_empty());

        // A death needs the permission and a second person.
        assert!(authorize::<RecordRestricted>(&viewer).is_err());
        let proposal = store
            .propose_restriction(&authorize::<RecordRestricted>(&officer).unwrap(), soldier_id, Restriction::Deceased, T0 + 3)
            .await
            .unwrap();
        let same = store
            .confirm_restriction(&authorize::<RecordRestricted>(&officer).unwrap(), proposal, T0 + 4)
            .await
            .unwrap_err();
        assert!(same.to_string().contains("second person"), "{same}");
        let status = |p: Person| p.record.status;
        assert_eq!(status(store.open_person(&read_as(&officer), soldier_id, "story check", 0).await.unwrap()), Some(Status::InCustody));
        store
            .confirm_restriction(&authorize::<RecordRestricted>(&second).unwrap(), proposal, T0 + 5)
            .await
            .unwrap();
        assert_eq!(status(store.open_person(&read_as(&officer), soldier_id, "story check", 0).await.unwrap()), Some(Status::Deceased));
        assert_eq!(store.withheld_from_lists("UA").await.unwrap(), vec![soldier_id]);
        store
            .release_restriction(&authorize::<ReleaseRestricted>(&negotiator).unwrap(), proposal, T0 + 6)
            .await
            .unwrap();
        assert!(store.withheld_from_lists("UA").await.unwrap().is_empty());

        // The list is signed and checkpointed before the erasure.
        let key = homeward_ledger::keys::PartyKey::from_seed([77; 32]);
        let admin_grant = authorize::<Administer>(&ua_admin).unwrap();
        store.add_key(&admin_grant, &"UA".parse().unwrap(), &key.public_hex(), T0 + 7).await.unwrap();
        store.sign_list(&admin_grant, list, &key, T0 + 7).await.unwrap();
        store.sign_tree_head(&admin_grant, &key, T0 + 8).await.unwrap();

        // A bundle carries the rows whole: the viewer may not send the list with the child.
        let refused = store.export_bundle(&read_as(&viewer), list).await.unwrap_err().to_string();
        assert!(refused.contains("protected rows"), "{refused}");
        assert!(store.export_bundle(&read_as(&officer), list).await.is_ok());
        // Nor prove the child's row, which would show its cells; the officer may.
        let refused = store.prove_row(&read_as(&viewer), list, 2, T0 + 8).await.unwrap_err().to_string();
        assert!(refused.contains("protected record"), "{refused}");
        assert!(store.prove_row(&read_as(&officer), list, 2, T0 + 8).await.is_ok());
        // An erasure asked by one person is carried out only by a second.
        let erase = authorize::<Erase>(&officer).unwrap();
        assert!(store.request_erasure(&erase, soldier_id, "  ", T0 + 9).await.is_err());
        let request = store
            .request_erasure(&erase, soldier_id, "the family asked, and the law allows it", T0 + 9)
            .await
            .unwrap();
        let alone = store.confirm_erasure(&erase, request, T0 + 10).await.unwrap_err();
        assert!(alone.to_string().contains("second person"), "{alone}");
        assert!(everything_stored(store).await.contains("Щербакевич"), "the test looks in the right place");
        store
            .confirm_erasure(&authorize::<Erase>(&ua_admin).unwrap(), request, T0 + 11)
            .await
            .unwrap();
        let stored = everything_stored(store).await;
        let hex_name = hex::encode("Щербакевич".as_bytes()).to_uppercase();
        for trace in ["Щербакевич", "1996-11-23", hex_name.as_str()] {
            assert!(!stored.contains(trace), "{:?} still holds {trace}", store.backend());
        }
        // The child's record, not erased, is still there.
        assert!(stored.contains("Ящишина"));
        if let Location::Sqlite(path) = &t.location {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(store.raw_pool_for_tests()).await.unwrap();
            let bytes = std::fs::read(path).unwrap();
            let needle = "Щербакевич".as_bytes();
            assert!(!bytes.windows(needle.len()).any(|w| w == needle), "the SQLite file still holds the name");
        }
        let query = SearchQuery { text: "Щербакевич Остап".into(), born: None, limit: 10 };
        assert!(store.find(&read_as(&officer), &query, "tracing", T0 + 12).await.unwrap().is_empty());
        let erased = store.open_person(&read_as(&officer), soldier_id, "story check", 0).await.unwrap();
        assert_eq!((erased.record.surname, erased.erased_at), (None, Some(T0 + 11)));
        assert_eq!(erased.record.status, Some(Status::Deceased));
        // Every hash, signature and proof still holds.
        assert_eq!(store.verify_log().await.unwrap().first_break, None);
        assert_eq!(store.verify_tree_heads().await.unwrap().problem, None);
        let signed = store.verify_signed_lists().await.unwrap();
        assert_eq!(signed.problem, None, "{signed:?}");
        let proof = store.prove_row(&read_as(&officer), list, 2, T0 + 13).await.unwrap();
        assert_eq!(proof.verify(&key.public_hex()), Ok(()));
        let gone = store.prove_row(&read_as(&officer), list, 3, T0 + 13).await.unwrap_err();
        assert!(gone.to_string().contains("erased"), "{gone}");
    })
    .await;
}

/// A family's consent decides whether its request is searched and whether it may leave the
/// party inside a list to the other party or the mediator; a list holding a record with an
/// unreleased restricted status does not leave either.
#[tokio::test]
async fn a_familys_consent_gates_search_and_lists_that_leave() {
    use homeward_core::access::{RecordRestricted, ReleaseRestricted};
    use homeward_core::protection::{Purpose, Restriction};
    each_backend(
        "a_familys_consent_gates_search_and_lists_that_leave",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let operator = actor(store, "UA", Role::Operator).await;
            let ua_admin = actor(store, "UA", Role::Admin).await;
            let write = authorize::<WriteRegister>(&operator).unwrap();
            let read = authorize::<ReadRegister>(&operator).unwrap();
            let sought = pow("Ґудзенко", "Любомир", Relation::Sought);
            let mut fields = serde_json::Map::new();
            fields.insert("прізвище".into(), "Ґудзенко".into());
            fields.insert("ім'я".into(), "Любомир".into());
            let list = store
                .add_list(
                    &write,
                    &NewList {
                        kind: "request".into(),
                        category: Some(Category::Pow),
                        title: "request (synthetic)".into(),
                        file_name: "request.csv".into(),
                        original: "прізвище,ім'я\nҐудзенко,Любомир\n".as_bytes().to_vec(),
                        addressees: vec!["RU".parse().unwrap(), "TR".parse().unwrap()],
                        supersedes: None,
                        headers: vec!["прізвище".into(), "ім'я".into()],
                        rows: vec![NewListRow {
                            row_no: 2,
                            fields,
                            record: Some(sought),
                            problems: vec![],
                        }],
                    },
                    T0,
                )
                .await
                .unwrap();
            let person = store.list_rows(&read, list).await.unwrap()[0]
                .person_id
                .unwrap();
            let key = homeward_ledger::keys::PartyKey::from_seed([78; 32]);
            let admin_grant = authorize::<Administer>(&ua_admin).unwrap();
            store
                .add_key(&admin_grant, &"UA".parse().unwrap(), &key.public_hex(), T0)
                .await
                .unwrap();
            store
                .sign_list(&admin_grant, list, &key, T0 + 1)
                .await
                .unwrap();
            store
                .sign_tree_head(&admin_grant, &key, T0 + 2)
                .await
                .unwrap();
            let query = SearchQuery {
                text: "Ґудзенко Любомир".into(),
                born: None,
                limit: 5,
            };
            let found = async || {
                store
                    .find(&read, &query, "tracing", T0 + 3)
                    .await
                    .unwrap()
                    .len()
            };
            // No consent recorded: a register entry of the party's own, not gated.
            assert_eq!(found().await, 1);
            assert!(store.export_bundle(&read, list).await.is_ok());
            // The family agreed to search only: found, but the list may not leave.
            store
                .set_consent(&write, person, &[Purpose::Search], T0 + 4)
                .await
                .unwrap();
            assert_eq!(found().await, 1);
            let refused = store
                .export_bundle(&read, list)
                .await
                .unwrap_err()
                .to_string();
            assert!(
                refused.contains("line 2: the family agreed to search, not to share_other_party"),
                "{refused}"
            );
            // Sharing with the other party but not the mediator: the list is addressed to both.
            store
                .set_consent(
                    &write,
                    person,
                    &[Purpose::Search, Purpose::ShareOtherParty],
                    T0 + 5,
                )
                .await
                .unwrap();
            let refused = store
                .export_bundle(&read, list)
                .await
                .unwrap_err()
                .to_string();
            assert!(refused.contains("not to share_mediator"), "{refused}");
            store
                .set_consent(
                    &write,
                    person,
                    &[Purpose::ShareMediator, Purpose::ShareOtherParty],
                    T0 + 6,
                )
                .await
                .unwrap();
            assert!(store.export_bundle(&read, list).await.is_ok());
            // Not agreed to be searched: it does not come up.
            assert_eq!(found().await, 0);
            // A confirmed restricted status keeps the list home until a negotiator releases it.
            let officer = actor(store, "UA", Role::Protection).await;
            let reviewer = actor(store, "UA", Role::Reviewer).await;
            let id = store
                .propose_restriction(
                    &authorize::<RecordRestricted>(&officer).unwrap(),
                    person,
                    Restriction::HarmfulInformation,
                    T0 + 7,
                )
                .await
                .unwrap();
            assert!(
                store.export_bundle(&read, list).await.is_ok(),
                "only proposed"
            );
            store
                .confirm_restriction(
                    &authorize::<RecordRestricted>(&reviewer).unwrap(),
                    id,
                    T0 + 8,
                )
                .await
                .unwrap();
            let refused = store
                .export_bundle(&read, list)
                .await
                .unwrap_err()
                .to_string();
            assert!(
                refused.contains("restricted status no negotiator released"),
                "{refused}"
            );
            let negotiator = actor(store, "UA", Role::Negotiator).await;
            store
                .release_restriction(
                    &authorize::<ReleaseRestricted>(&negotiator).unwrap(),
                    id,
                    T0 + 9,
                )
                .await
                .unwrap();
            assert!(store.export_bundle(&read, list).await.is_ok());
            assert_eq!(store.verify_log().await.unwrap().first_break, None);
        },
    )
    .await;
}

/// A record past its retention period leaves search; the most specific rule decides.
#[tokio::test]
async fn records_past_their_retention_leave_search() {
    use homeward_core::protection::RetentionRule;
    each_backend("records_past_their_retention_leave_search", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let ua_admin = actor(store, "UA", Role::Admin).await;
        let read = authorize::<ReadRegister>(&ua_admin).unwrap();
        let returned = PersonRecord {
            status: Some(Status::Returned),
            ..pow("Дмитрук", "Орест", Relation::Sought)
        };
        let missing = PersonRecord {
            status: Some(Status::Missing),
            ..pow("Дмитрук", "Орест", Relation::Sought)
        };
        store
            .add_persons(
                &Grant::system("UA".parse().unwrap(), "test"),
                &[returned, missing],
                T0,
            )
            .await
            .unwrap();
        let day = 86_400_000;
        let admin_grant = authorize::<Administer>(&ua_admin).unwrap();
        for (status, days) in [(Some(Status::Returned), 30), (None, 3650)] {
            let rule = RetentionRule {
                category: Category::Pow,
                status,
                days,
            };
            store.set_retention(&admin_grant, &rule, T0).await.unwrap();
        }
        let bad = RetentionRule {
            category: Category::Pow,
            status: None,
            days: 0,
        };
        assert!(store.set_retention(&admin_grant, &bad, T0).await.is_err());
        assert_eq!(store.retention_rules(&read).await.unwrap().len(), 2);
        let query = SearchQuery {
            text: "Дмитрук Орест".into(),
            born: None,
            limit: 10,
        };
        let statuses = async |now: i64| -> Vec<Option<Status>> {
            store
                .find(&read, &query, "tracing", now)
                .await
                .unwrap()
                .iter()
                .map(|h| h.person.record.status)
                .collect()
        };
        assert_eq!(statuses(T0 + 10 * day).await.len(), 2);
        assert_eq!(
            statuses(T0 + 31 * day).await,
            vec![Some(Status::Missing)],
            "the returned man's record expired"
        );
        assert!(statuses(T0 + 3651 * day).await.is_empty());
    })
    .await;
}

/// One user opening a hundred records within a minute, and an export at night, are flagged
/// for the auditors; another user's slow reading is not.
#[tokio::test]
async fn unusual_reading_is_flagged_for_the_auditors() {
    use homeward_core::access::Audit;
    use homeward_core::protection::ReadAction;
    use homeward_store::ReadOf;
    each_backend("unusual_reading_is_flagged_for_the_auditors", async |t| {
        let store = &t.store;
        with_parties(store).await;
        let hurried = authorize::<ReadRegister>(&actor(store, "UA", Role::Viewer).await).unwrap();
        let careful = authorize::<ReadRegister>(&actor(store, "UA", Role::Operator).await).unwrap();
        let auditor = authorize::<Audit>(&actor(store, "UA", Role::Auditor).await).unwrap();
        let noon = T0 + 12 * 3_600_000;
        fn view(persons: &[i64]) -> ReadOf<'_> {
            ReadOf {
                action: ReadAction::View,
                persons,
                list: None,
                purpose: "view",
                detail: None,
            }
        }
        for i in 0..110_i64 {
            let ids = [i + 1];
            store
                .record_reads(&hurried, view(&ids), noon + i * 300)
                .await
                .unwrap();
            store
                .record_reads(&careful, view(&ids), noon + i * 61_000)
                .await
                .unwrap();
        }
        let night = T0 + 23 * 3_600_000;
        let export = ReadOf {
            action: ReadAction::Export,
            persons: &[1, 2],
            list: None,
            purpose: "export",
            detail: Some("csv"),
        };
        store.record_reads(&careful, export, night).await.unwrap();
        let flags = store.read_flags(&auditor, 0).await.unwrap();
        assert_eq!(flags.len(), 2, "{flags:?}");
        assert!(
            flags
                .iter()
                .any(|f| f.actor == hurried.actor() && f.why.contains("within a minute"))
        );
        assert!(
            flags.iter().any(|f| f.actor == careful.actor()
                && f.why.contains("(2 records)")
                && f.why.contains("at night")),
            "one flag for the export at night: {flags:?}"
        );
        assert!(
            flags
                .iter()
                .all(|f| f.actor == hurried.actor() || f.why.contains("night"))
        );
        // The audit cannot be rewritten.
        let pool = store.raw_read_audit_pool_for_tests();
        assert!(
            sqlx::query("UPDATE read_audit SET actor = 'user:0'")
                .execute(pool)
                .await
                .is_err()
        );
        assert!(
            sqlx::query("DELETE FROM read_audit")
                .execute(pool)
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn name_keys_of_an_earlier_version_are_computed_again_when_the_store_opens() {
    each_backend(
        "name_keys_of_an_earlier_version_are_computed_again",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let ua = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
            store
                .add_persons(&ua, &[pow("Максименко", "Оксана", Relation::Held)], T0)
                .await
                .unwrap();
            // A store whose keys an older reading of names wrote: keys that no longer match.
            sqlx::query("UPDATE persons SET surname_key = 'stale', given_key = 'stale'")
                .execute(store.raw_pool_for_tests())
                .await
                .unwrap();
            sqlx::query("UPDATE store_meta SET value = '1' WHERE key = 'name_key_version'")
                .execute(store.raw_pool_for_tests())
                .await
                .unwrap();
            let read = Grant::<ReadRegister>::system("UA".parse().unwrap(), "test");
            let query = SearchQuery {
                text: "Oxana Maximenko".into(),
                born: None,
                limit: 5,
            };
            assert!(store.search(&read, &query).await.unwrap().is_empty());
            store.close().await;
            let store = Store::open(&t.location, OpenMode::MustExist).await.unwrap();
            let hits = store.search(&read, &query).await.unwrap();
            assert_eq!(
                hits.len(),
                1,
                "found again by a spelling with x after the keys were recomputed"
            );
            store.close().await;
        },
    )
    .await;
}

#[tokio::test]
async fn a_write_that_waits_too_long_for_another_is_unavailable_not_a_failure() {
    // SQLite only: another writer holds the file's write lock past the busy timeout.
    let t = testkit::sqlite().await.unwrap();
    let mut holder = t.store.raw_pool_for_tests().acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let party = Party {
        code: "UA".parse().unwrap(),
        name: "Ukraine".into(),
        kind: PartyKind::Belligerent,
    };
    let err = t
        .store
        .add_party(&admin("UA"), &party, T0)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Unavailable(m) if m.contains("try again")),
        "{err:?}"
    );
    sqlx::query("ROLLBACK").execute(&mut *holder).await.unwrap();
    drop(holder);
    // Once the other writer is done, the same write goes through.
    t.store.add_party(&admin("UA"), &party, T0).await.unwrap();
}

/// A value that could not be read (a birth date of 31 February, a sex written "?") is kept
/// as written beside the empty typed field: it survives storing and every read, is masked
/// with the other sensitive fields of a protected record, and an erasure removes it.
#[tokio::test]
async fn an_unreadable_value_is_kept_as_written_and_erased_with_the_record() {
    use homeward_core::access::Erase;
    each_backend(
        "an_unreadable_value_is_kept_as_written_and_erased_with_the_record",
        async |t| {
            let store = &t.store;
            with_parties(store).await;
            let viewer = actor(store, "UA", Role::Viewer).await;
            let officer = actor(store, "UA", Role::Protection).await;
            let ua_admin = actor(store, "UA", Role::Admin).await;
            let mut soldier = PersonRecord {
                birth_date: None,
                health: Some(homeward_core::record::Health::Unknown),
                ..pow("Щербакевич", "Остап", Relation::Sought)
            };
            soldier
                .unreadable
                .insert("birth_date".into(), "31.02.1996".into());
            soldier.unreadable.insert("sex".into(), "?".into());
            let mut child = PersonRecord {
                category: Some(Category::Child),
                birth_date: None,
                ..pow("Ящишина", "Зоряна", Relation::Sought)
            };
            child
                .unreadable
                .insert("birth_date".into(), "30.02.2014".into());
            let grant = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
            let ids = store
                .add_persons(&grant, &[soldier.clone(), child.clone()], T0)
                .await
                .unwrap();
            let (soldier_id, child_id) = (ids[0], ids[1]);
            let read_as = |a: &Actor| authorize::<ReadRegister>(a).unwrap();

            let read = store
                .open_person(&read_as(&viewer), soldier_id, "story check", T0 + 1)
                .await
                .unwrap();
            assert_eq!(
                read.record, soldier,
                "the record reads back as it was stored"
            );
            assert_eq!(read.record.as_written("birth_date"), Some("31.02.1996"));
            let json = serde_json::to_value(&read).unwrap();
            assert_eq!(json["unreadable"]["birth_date"], "31.02.1996", "{json}");
            // Masked with the other sensitive fields of a protected record for a reader not cleared.
            let masked = store
                .open_person(&read_as(&viewer), child_id, "story check", T0 + 1)
                .await
                .unwrap();
            assert!(
                masked.masked && masked.record.unreadable.is_empty(),
                "{masked:?}"
            );
            let shown = store
                .open_person(&read_as(&officer), child_id, "story check", T0 + 1)
                .await
                .unwrap();
            assert_eq!(shown.record.as_written("birth_date"), Some("30.02.2014"));

            let erase = authorize::<Erase>(&officer).unwrap();
            let request = store
                .request_erasure(
                    &erase,
                    soldier_id,
                    "the family asked, and the law allows it",
                    T0 + 2,
                )
                .await
                .unwrap();
            assert!(
                everything_stored(store).await.contains("31.02.1996"),
                "the test looks in the right place"
            );
            store
                .confirm_erasure(&authorize::<Erase>(&ua_admin).unwrap(), request, T0 + 3)
                .await
                .unwrap();
            let stored = everything_stored(store).await;
            assert!(
                !stored.contains("31.02.1996"),
                "{:?} still holds the date as written",
                store.backend()
            );
            assert!(
                stored.contains("30.02.2014"),
                "the child's record is untouched"
            );
            let erased = store
                .open_person(&read_as(&officer), soldier_id, "story check", 0)
                .await
                .unwrap();
            assert!(erased.record.unreadable.is_empty());
            assert_eq!(store.verify_log().await.unwrap().first_break, None);
        },
    )
    .await;
}

/// A new SQLite store and its journals are readable by their owner only, after a real open
/// and write; a store file opened up to others afterwards is reported, never changed back.
#[cfg(unix)]
#[tokio::test]
async fn a_new_store_and_its_journals_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let t = testkit::sqlite().await.unwrap();
    with_parties(&t.store).await;
    let Location::Sqlite(path) = &t.location else {
        unreachable!()
    };
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let files = homeward_store::store_files(path);
    for f in &files {
        assert!(
            f.exists(),
            "{} exists after a write in WAL mode",
            f.display()
        );
        assert_eq!(mode(f), 0o600, "{}", f.display());
    }
    assert_eq!(homeward_store::open_to_others(path), Vec::<String>::new());
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::set_permissions(&files[1], std::fs::Permissions::from_mode(0o640)).unwrap();
    let said = homeward_store::open_to_others(path);
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said[0].starts_with(&format!("{} has mode 0644: others", path.display())),
        "{said:?}"
    );
    assert!(said[1].contains("-wal has mode 0640"), "{said:?}");
    // Opening it again reports and changes nothing.
    let again = Store::open(&t.location, OpenMode::MustExist).await.unwrap();
    assert_eq!(again.verify_log().await.unwrap().first_break, None);
    assert_eq!(mode(path), 0o644);
}
