//! The `homeward` command as a user runs it: real processes, real files, real servers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use homeward_store::testkit;
use std::path::Path;
use std::process::{Command, Output};

fn homeward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(args)
        .env_remove("HOMEWARD_DB")
        .env_remove("HOMEWARD_TOKEN")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A failure is one line on stderr that says what to do, and a non-zero exit.
fn assert_one_line_error(o: &Output, needle: &str) {
    assert!(!o.status.success(), "expected a failure: {}", stdout(o));
    let err = stderr(o);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected, got: {err}");
    assert!(
        lines[0].starts_with("error: ") && lines[0].contains(needle),
        "{err}"
    );
}

fn demo_store(dir: &Path) -> String {
    let db = dir.join("demo.db").to_string_lossy().into_owned();
    let o = homeward(&[
        "demo",
        "--single",
        "--db",
        &db,
        "--scale",
        "0.01",
        "--no-serve",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    db
}

fn token_of(demo_output: &str, party: &str, role: &str) -> String {
    demo_output
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|w| w.len() >= 3 && w[0] == party && w[1] == role && w[2].starts_with("hwt_"))
        .map(|w| w[2].to_owned())
        .unwrap()
}

/// Creates the store at `db` (if need be) holding the party UA.
fn add_ukraine(db: &str) {
    let o = homeward(&[
        "party", "add", "--db", db, "--code", "UA", "--name", "Ukraine",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// A new token of a UA viewer of the store at `db`.
fn viewer_token(db: &str) -> String {
    stdout(&homeward(&[
        "token", "create", "--db", db, "--party", "UA", "--role", "viewer",
    ]))
    .trim()
    .to_owned()
}

#[test]
fn bad_database_locations_are_one_line_errors_that_write_nothing() {
    assert_one_line_error(
        &homeward(&["verify", "--db", "mysql://root@localhost/x"]),
        "not supported",
    );
    assert_one_line_error(
        &homeward(&["verify", "--db", "postgres://"]),
        "names no server",
    );
    assert_one_line_error(
        &homeward(&["verify", "--db", "postgres://nobody@127.0.0.1:1/none"]),
        "cannot connect to PostgreSQL",
    );
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("absent.db");
    assert_one_line_error(
        &homeward(&["verify", "--db", absent.to_str().unwrap()]),
        "no store at",
    );
    assert!(!absent.exists());
}

#[test]
fn an_occupied_port_is_refused_before_anything_is_written() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("d.db");
    let o = homeward(&[
        "demo",
        "--single",
        "--db",
        db.to_str().unwrap(),
        "--addr",
        &addr,
        "--scale",
        "0.01",
    ]);
    assert_one_line_error(&o, "already in use");
    assert!(
        !db.exists(),
        "the demo must not seed a store it cannot serve"
    );

    let store = demo_store(dir.path());
    assert_one_line_error(
        &homeward(&["serve", "--db", &store, "--addr", &addr]),
        "already in use",
    );
}

#[test]
fn the_demo_never_overwrites_a_file_that_is_not_a_demo_store() {
    let dir = tempfile::tempdir().unwrap();
    let precious = dir.path().join("register.db");
    std::fs::write(&precious, b"a party's only copy of something").unwrap();
    let o = homeward(&[
        "demo",
        "--single",
        "--db",
        precious.to_str().unwrap(),
        "--no-serve",
        "--scale",
        "0.01",
    ]);
    assert_one_line_error(&o, "not a homeward demo store");
    assert_eq!(
        std::fs::read(&precious).unwrap(),
        b"a party's only copy of something"
    );
    // A demo store is replaced.
    let db = demo_store(dir.path());
    let again = homeward(&[
        "demo",
        "--single",
        "--db",
        &db,
        "--no-serve",
        "--scale",
        "0.01",
    ]);
    assert!(again.status.success(), "{}", stderr(&again));
}

#[tokio::test]
async fn verify_finds_an_event_altered_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = demo_store(dir.path());
    let ok = homeward(&["verify", "--db", &db]);
    assert!(
        ok.status.success() && stdout(&ok).starts_with("ok: "),
        "{}",
        stderr(&ok)
    );

    let store =
        homeward_store::Store::open(&db.parse().unwrap(), homeward_store::OpenMode::MustExist)
            .await
            .unwrap();
    let pool = store.raw_pool_for_tests();
    sqlx::query("DROP TRIGGER events_no_update")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE events SET actor = 'user:999' WHERE seq = 40")
        .execute(pool)
        .await
        .unwrap();
    store.close().await;
    assert_one_line_error(&homeward(&["verify", "--db", &db]), "event 40");
}

/// An admin lists the sign-in locks (the party's user names and the addresses) and lifts
/// one; the lift is an event, and a lock not in force is not found.
#[tokio::test]
async fn an_admin_lists_and_lifts_sign_in_locks() {
    use homeward_store::ThrottleScope;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").to_string_lossy().into_owned();
    for (code, name) in [("UA", "Ukraine"), ("RU", "Russia")] {
        assert!(
            homeward(&["party", "add", "--db", &db, "--code", code, "--name", name])
                .status
                .success()
        );
    }
    assert!(
        stderr(&homeward(&[
            "sign-in", "locks", "--db", &db, "--party", "UA"
        ]))
        .contains("no sign-in lock in force")
    );
    // Locks as the sign-in use case leaves them (its own tests count the failures).
    let store =
        homeward_store::Store::open(&db.parse().unwrap(), homeward_store::OpenMode::MustExist)
            .await
            .unwrap();
    let now = homeward_app::now_ms();
    let until = now + homeward_app::LOCK_MS;
    for (scope, subject, party) in [
        (ThrottleScope::User, "UA/olena", Some("UA")),
        (ThrottleScope::User, "RU/ivan", Some("RU")),
        (ThrottleScope::Address, "192.0.2.7", None),
    ] {
        store
            .count_sign_in_failure(scope, subject, party, now, now)
            .await
            .unwrap();
        store.lock_sign_in(scope, subject, until).await.unwrap();
    }
    store.close().await;
    let listed = stdout(&homeward(&[
        "sign-in", "locks", "--db", &db, "--party", "UA",
    ]));
    let lines: Vec<&str> = listed.lines().collect();
    assert_eq!(
        lines.len(),
        2,
        "UA's user and the address, not RU's user: {listed}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "user\tUA/olena\t1 failures\tSign-in is locked after too many failed attempts, until "
        )),
        "{listed}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with("address\t192.0.2.7\t")),
        "{listed}"
    );
    let o = homeward(&[
        "sign-in", "unlock", "--db", &db, "--party", "UA", "--user", "olena",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).trim(), "sign-in lock of olena lifted");
    assert_one_line_error(
        &homeward(&[
            "sign-in", "unlock", "--db", &db, "--party", "UA", "--user", "ivan",
        ]),
        "no sign-in lock in force for the user UA/ivan",
    );
    assert!(
        homeward(&[
            "sign-in",
            "unlock",
            "--db",
            &db,
            "--party",
            "UA",
            "--address",
            "192.0.2.7"
        ])
        .status
        .success()
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "sign-in", "locks", "--db", &db, "--party", "UA", "--json",
    ])))
    .unwrap();
    assert_eq!(json, serde_json::json!([]));
    assert!(
        stdout(&homeward(&[
            "events",
            "--db",
            &db,
            "--token",
            stdout(&homeward(&[
                "token", "create", "--db", &db, "--party", "UA", "--role", "auditor"
            ]))
            .trim()
        ]))
        .contains("sign_in.unlocked")
    );
}

#[tokio::test]
async fn a_store_from_a_newer_homeward_is_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let db = db.to_str().unwrap();
    assert!(
        homeward(&[
            "party", "add", "--db", db, "--code", "UA", "--name", "Ukraine"
        ])
        .status
        .success()
    );
    let store =
        homeward_store::Store::open(&db.parse().unwrap(), homeward_store::OpenMode::MustExist)
            .await
            .unwrap();
    sqlx::query("INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99, 'future', TRUE, x'00', 0)")
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    store.close().await;
    let before = std::fs::read(db).unwrap();
    assert_one_line_error(&homeward(&["verify", "--db", db]), "upgrade homeward");
    assert_eq!(std::fs::read(db).unwrap(), before);
}

#[test]
fn read_commands_obey_the_access_rule() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").to_string_lossy().into_owned();
    let seeded = homeward(&[
        "demo",
        "--single",
        "--db",
        &db,
        "--scale",
        "0.01",
        "--no-serve",
    ]);
    let out = stdout(&seeded);
    let ua = token_of(&out, "UA", "viewer");
    let ru = token_of(&out, "RU", "viewer");
    let ua_page: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "persons",
        "--db",
        &db,
        "--token",
        &ua,
        "--per-page",
        "500",
    ])))
    .unwrap();
    let ru_page: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "persons",
        "--db",
        &db,
        "--token",
        &ru,
        "--per-page",
        "500",
    ])))
    .unwrap();
    assert!(ua_page["total"].as_i64().unwrap() > 0 && ru_page["total"].as_i64().unwrap() > 0);
    assert!(
        ua_page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["party"] == "UA")
    );
    assert!(
        ru_page["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["party"] == "RU")
    );
    let auditor = token_of(&out, "UA", "auditor");
    assert_one_line_error(
        &homeward(&["persons", "--db", &db, "--token", &auditor]),
        "may not read the register",
    );
    assert_one_line_error(
        &homeward(&["persons", "--db", &db, "--token", "hwt_nope"]),
        "not known",
    );
    let commitments: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "commitments",
        "--db",
        &db,
        "--token",
        &ru,
    ])))
    .unwrap();
    assert_eq!(commitments.as_array().unwrap().len(), 8);
}

#[tokio::test]
async fn tokens_and_verification_work_on_postgresql_too() {
    let Some(pg) = testkit::postgres("tokens_and_verification_work_on_postgresql_too")
        .await
        .unwrap()
    else {
        return;
    };
    pg.store.close().await;
    let url = pg.location.to_string();
    assert!(
        homeward(&[
            "party", "add", "--db", &url, "--code", "RU", "--name", "Russia"
        ])
        .status
        .success()
    );
    let token = homeward(&[
        "token", "create", "--db", &url, "--party", "RU", "--role", "auditor",
    ]);
    assert!(token.status.success(), "{}", stderr(&token));
    let token = stdout(&token).trim().to_owned();
    assert!(token.starts_with("hwt_"));
    let events = homeward(&["events", "--db", &url, "--token", &token]);
    assert_eq!(
        stdout(&events).lines().count(),
        3,
        "party, user and token events: {}",
        stderr(&events)
    );
    let ok = homeward(&["verify", "--db", &url]);
    assert!(stdout(&ok).starts_with("ok: 3 events"), "{}", stderr(&ok));
}

#[test]
fn names_key_gives_one_key_for_every_spelling_of_the_first_paragraph() {
    let spellings = [
        "Олійник Олександр Петрович",
        "Олейник Александр Петрович",
        "Oliinyk Oleksandr",
        "OLEINIK ALEKSANDR",
        "Oleynik Alexandre",
        "Олiйник Олександр",
    ];
    let mut args = vec!["names", "key", "--json"];
    args.extend(spellings);
    let o = homeward(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let keys: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let first = &keys[0];
    for k in keys.as_array().unwrap() {
        assert_eq!(k["surname"], first["surname"], "{k}");
        assert_eq!(k["given"], first["given"], "{k}");
    }
    let o = homeward(&["names", "key", "Гаврилюк", "Гаврилко"]);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_ne!(lines[0].split('\t').nth(1), lines[1].split('\t').nth(1));
    assert_one_line_error(&homeward(&["names", "key", "12345"]), "not a name");
}

#[test]
fn translit_follows_the_standards_and_reads_back() {
    let o = homeward(&["translit", "Згурський Юрій", "Юлия Щеглова"]);
    assert_eq!(stdout(&o), "Zghurskyi Yurii\nIuliia Shcheglova\n");
    let o = homeward(&["translit", "--standard", "bgn", "Наталья"]);
    assert_eq!(stdout(&o), "Natal’ya\n");
    let o = homeward(&["translit", "--to-cyrillic", "--json", "Kowalenko"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["readings"][0]["text"], "Коваленко");
    assert_one_line_error(
        &homeward(&["translit", "--standard", "iso", "x"]),
        "unknown --standard",
    );
}

/// The rows of a CSV file, headers first; an export's classification line above the
/// headers is left out.
fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    r.records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .map(str::to_owned)
                .collect::<Vec<String>>()
        })
        .filter(|rec| !(rec.len() == 1 && rec[0].starts_with("CLASSIFICATION:")))
        .collect()
}

#[test]
fn link_finds_the_same_people_across_scripts_without_any_map() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    assert!(
        homeward(&[
            "synth",
            "--persons",
            "400",
            "--right-persons",
            "500",
            "--seed",
            "2",
            "--out",
            d
        ])
        .status
        .success()
    );
    // The holding list arrives in Windows-1251 with semicolons, as exported from a Russian Excel.
    let right = std::fs::read_to_string(dir.path().join("right.csv"))
        .unwrap()
        .replace(',', ";");
    let (legacy, _, _) = encoding_rs::WINDOWS_1251.encode(&right);
    std::fs::write(dir.path().join("right-1251.csv"), &legacy).unwrap();
    let pairs = dir.path().join("pairs.csv");
    let o = homeward(&[
        "link",
        dir.path().join("left.csv").to_str().unwrap(),
        dir.path().join("right-1251.csv").to_str().unwrap(),
        "--out",
        pairs.to_str().unwrap(),
        "--explain",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let found = read_csv(&pairs);
    assert_eq!(
        &found[0][..4],
        ["left_id", "right_id", "probability", "match_weight"]
    );
    assert!(found[0].len() > 4, "--explain adds evidence columns");
    let truth: std::collections::HashSet<(String, String)> =
        read_csv(&dir.path().join("truth.csv"))
            .into_iter()
            .skip(1)
            .map(|r| (r[0].clone(), r[1].clone()))
            .collect();
    let got: std::collections::HashSet<(String, String)> = found
        .into_iter()
        .skip(1)
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let tp = got.intersection(&truth).count() as f64;
    let (precision, recall) = (tp / got.len() as f64, tp / truth.len() as f64);
    assert!(
        precision > 0.97 && recall > 0.95,
        "precision {precision:.3}, recall {recall:.3}"
    );
}

#[test]
fn link_says_what_is_wrong_with_a_list() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "id,surname,given_name\n1,Коваленко,Ігор\n").unwrap();
    let out = dir.path().join("p.csv");
    let link = |left: &Path| {
        homeward(&[
            "link",
            left.to_str().unwrap(),
            good.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };

    let no_names = dir.path().join("no-names.csv");
    std::fs::write(&no_names, "код,примітка\n1,x\n").unwrap();
    let o = link(&no_names);
    assert_one_line_error(&o, "no column holds names");
    assert!(stderr(&o).contains("код, примітка") && stderr(&o).contains("--map"));

    let empty = dir.path().join("empty.csv");
    std::fs::write(&empty, "").unwrap();
    assert_one_line_error(&link(&empty), "empty");

    let gaps = dir.path().join("gaps.csv");
    std::fs::write(&gaps, "id;прізвище;ім'я;дата народження\n;Шевчук;Іван;01.02.1990\n7;Бойко;Петро;31.02.1990\n7;Бойко;Петро;1990\n").unwrap();
    let o = link(&gaps);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("line 2: no id"), "{err}");
    assert!(err.contains("line 3, column \"дата народження\""), "{err}");
    assert!(
        err.contains("line 4: id \"7\" was already used on line 3"),
        "{err}"
    );

    let mapped = dir.path().join("mapped.csv");
    std::fs::write(&mapped, "n,who\n1,Коваленко Ігор\n").unwrap();
    let o = homeward(&[
        "link",
        mapped.to_str().unwrap(),
        good.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--map",
        "left.full_name=who",
        "--map",
        "left.id=n",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(read_csv(&out).len(), 2, "the one person is found");
}

#[test]
fn dedupe_groups_the_same_person_entered_twice() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.csv");
    std::fs::write(
        &list,
        "id,ПІБ,дата народження\n1,Олійник Олександр Петрович,04.03.1990\n2,Шевчук Іван Андрійович,11.11.1985\n3,ОЛІЙНИК Олександр Петрович,1990\n4,Бондар Марія Іванівна,02.02.1979\n",
    )
    .unwrap();
    let out = dir.path().join("clusters.csv");
    let o = homeward(&[
        "dedupe",
        list.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&out);
    assert_eq!(rows[0], ["id", "cluster_id"]);
    let cluster = |id: &str| {
        rows.iter()
            .find(|r| r[0] == id)
            .map(|r| r[1].clone())
            .unwrap()
    };
    assert_eq!(cluster("1"), cluster("3"));
    assert_ne!(cluster("1"), cluster("2"));
    assert_ne!(cluster("4"), cluster("2"));
}

#[test]
fn import_reports_every_row_and_refuses_the_same_file_twice() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").to_string_lossy().into_owned();
    for (code, name) in [("UA", "Ukraine"), ("RU", "Russia")] {
        assert!(
            homeward(&["party", "add", "--db", &db, "--code", code, "--name", name])
                .status
                .success()
        );
    }
    let file = dir.path().join("request.csv");
    std::fs::write(
        &file,
        "id;прізвище;ім'я;по батькові;дата народження;примітка\r\n1;Олійник;Олександр;Петрович;04.03.1990;\r\n2;Шевчук;Іван;;31.02.1990;\r\n\r\n3;;;;1990;\r\n4;Бойко;Петро;;;=SUM(A1)\r\n5;ОЛІЙНИК;Олександр;Петрович;04.03.1990;\r\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let o = homeward(&[
        "import",
        f,
        "--db",
        &db,
        "--party",
        "UA",
        "--kind",
        "request",
        "--category",
        "pow",
        "--to",
        "RU",
        "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (report["rows"].as_i64(), report["accepted"].as_i64()),
        (Some(5), Some(4))
    );
    let rejected: Vec<String> = report["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    // Шевчук's birth date cannot be read: he is kept with the date as written.
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(
        rejected[0].starts_with("request.csv, line 5: no surname"),
        "{rejected:?}"
    );
    assert!(
        report["warnings"].as_array().unwrap().iter().any(|w| w
            .as_str()
            .unwrap()
            .starts_with("request.csv, line 3, column \"дата народження\", value \"31.02.1990\": \"31.02.1990\" has no such day or month")
            && w.as_str().unwrap().ends_with("the person is kept with the value as written, unreadable")),
        "{}",
        report["warnings"]
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("line 6")
            && warnings.contains("formula")
            && warnings.contains("line 7")
            && warnings.contains("line 2"),
        "{warnings}"
    );
    let again = homeward(&[
        "import",
        f,
        "--db",
        &db,
        "--party",
        "UA",
        "--kind",
        "request",
        "--category",
        "pow",
    ]);
    assert_one_line_error(&again, "already imported as list 1");
    let token = viewer_token(&db);
    let found = stdout(&homeward(&[
        "search",
        "Oleksandr Oliinyk",
        "--db",
        &db,
        "--token",
        &token,
    ]));
    assert_eq!(
        found.lines().count(),
        2,
        "both entries of the man are found: {found}"
    );
    assert!(homeward(&["verify", "--db", &db]).status.success());
}

/// `homeward import` prints the report a clerk reads: the people kept with a value as
/// written, a value refused for its length, and a row without any name rejected, each by
/// file, line and column; the 1,000,000-character name cell is never a surname.
#[test]
fn import_keeps_people_with_unreadable_values_and_prints_where() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").to_string_lossy().into_owned();
    add_ukraine(&db);
    let file = dir.path().join("held.csv");
    let huge = "Ж".repeat(1_000_000);
    std::fs::write(
        &file,
        format!("прізвище,ім'я,дата народження,стать\nКоваль,Андрій,1999-02-29,ч\nМельник,Ігор,завтра,?\n{huge},Тарас,1990,ч\n{huge},,1990,ч\n"),
    )
    .unwrap();
    let o = homeward(&[
        "import",
        file.to_str().unwrap(),
        "--db",
        &db,
        "--party",
        "UA",
        "--kind",
        "holding",
        "--category",
        "pow",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.len() < 10_000,
        "the report does not repeat the cell: {} bytes",
        out.len()
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        "list 1 imported from held.csv (csv, UTF-8, delimiter ','): 4 rows, 3 accepted, 1 rejected, 4 warnings",
        "{out}"
    );
    for expected in [
        "rejected: held.csv, line 5, column \"прізвище\", value \"ЖЖЖ",
        "warning: held.csv, line 2, column \"дата народження\", value \"1999-02-29\": ",
        "warning: held.csv, line 3, column \"дата народження\", value \"завтра\": \"завтра\" is not a date",
        "warning: held.csv, line 3, column \"стать\", value \"?\": \"?\" is not a sex",
        "warning: held.csv, line 4, column \"прізвище\", value \"ЖЖЖ",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "{expected:?} not in {out}"
        );
    }
    assert!(
        out.contains("is 1000000 characters long, over the limit of 300 for surname"),
        "{out}"
    );
    let token = viewer_token(&db);
    let persons: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "persons", "--db", &db, "--token", &token,
    ])))
    .unwrap();
    assert_eq!(persons["total"], 3, "{persons}");
    let items = persons["items"].as_array().unwrap();
    assert_eq!(items[0]["unreadable"]["birth_date"], "1999-02-29");
    assert_eq!(
        items[1]["unreadable"],
        serde_json::json!({"birth_date": "завтра", "sex": "?"})
    );
    assert_eq!(
        (items[2]["surname"].clone(), items[2]["given_names"].clone()),
        (serde_json::Value::Null, "Тарас".into())
    );
    assert!(homeward(&["verify", "--db", &db]).status.success());
}

/// Every file the tool creates is its owner's alone: the store, an export (also one written
/// over a file others could read), a key; a store others may read is reported by name and
/// mode when it is opened, and left as it is.
#[cfg(unix)]
#[test]
fn files_the_tool_creates_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("s.db");
    let db = db_path.to_string_lossy().into_owned();
    add_ukraine(&db);
    assert_eq!(mode(&db_path), 0o600);
    let token = stdout(&homeward(&[
        "token", "create", "--db", &db, "--party", "UA", "--role", "admin",
    ]))
    .trim()
    .to_owned();
    let export = dir.path().join("register.csv");
    std::fs::write(&export, "old").unwrap();
    std::fs::set_permissions(&export, std::fs::Permissions::from_mode(0o644)).unwrap();
    let pairs = dir.path().join("pairs");
    for (args, file) in [
        (
            vec![
                "export",
                "--db",
                &db,
                "--token",
                &token,
                "--register",
                "--format",
                "csv",
                "--out",
                export.to_str().unwrap(),
            ],
            export.clone(),
        ),
        (
            vec![
                "key",
                "create",
                "--out",
                dir.path().join("ua.key").to_str().unwrap(),
            ],
            dir.path().join("ua.key"),
        ),
        (
            vec!["synth", "--persons", "20", "--out", pairs.to_str().unwrap()],
            pairs.clone(),
        ),
    ] {
        let o = homeward(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        let want = if file.is_dir() { 0o700 } else { 0o600 };
        assert_eq!(mode(&file), want, "{}", file.display());
    }
    for entry in std::fs::read_dir(&pairs).unwrap() {
        let path = entry.unwrap().path();
        assert_eq!(mode(&path), 0o600, "{}", path.display());
    }
    assert!(!stderr(&homeward(&["verify", "--db", &db])).contains("has mode"));
    std::fs::set_permissions(&db_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = homeward(&["verify", "--db", &db]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!(
            "{db} has mode 0644: others on this machine may read or change the register"
        )),
        "{}",
        stderr(&o)
    );
    assert_eq!(mode(&db_path), 0o644, "reported, not changed");
}

/// The bad-file corpus: each file in tests/data/lists with the report or error it must give.
#[test]
fn every_file_of_the_bad_list_corpus_gives_its_report() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lists");
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").to_string_lossy().into_owned();
    add_ukraine(&db);
    // (file, rows, accepted, texts the report must hold) or (file, error)
    let reports: [(&str, i64, i64, &[&str]); 7] = [
        ("blank-lines.csv", 2, 2, &[]),
        ("bom.csv", 1, 1, &[]),
        (
            "dates.csv",
            4,
            4,
            &[
                "dates.csv, line 3, column \"дата народження\", value \"31.02.1990\": \"31.02.1990\" has no such day or month",
                "the person is kept with the value as written, unreadable",
                "line 2, column \"дата народження\", value \"03/04/1990\": read day first as 1990-04-03; a month-first reading would give 1990-03-04",
                "line 5, column \"дата народження\", value \"2031\": an implausible birth date",
            ],
        ),
        (
            "formulas.csv",
            2,
            2,
            &[
                "line 2, column \"примітка\", value \"=HYPERLINK",
                "line 3, column \"прізвище\", value \"@SUM(1+1)\": looks like a spreadsheet formula",
            ],
        ),
        ("good.xlsx", 2, 2, &[]),
        (
            "koi8.csv",
            2,
            2,
            &["line 2: column 1 is not UTF-8; read as KOI8"],
        ),
        (
            "title-rows.csv",
            1,
            1,
            &["line 1: read as a title above the header, not as data"],
        ),
    ];
    for (file, rows, accepted, texts) in reports {
        let path = data.join(file);
        let o = homeward(&[
            "import",
            path.to_str().unwrap(),
            "--db",
            &db,
            "--party",
            "UA",
            "--kind",
            "register",
            "--category",
            "pow",
            "--json",
        ]);
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(
            (report["rows"].as_i64(), report["accepted"].as_i64()),
            (Some(rows), Some(accepted)),
            "{file}: {report}"
        );
        let all = format!("{}{}", report["rejected"], report["warnings"]).replace("\\\"", "\"");
        for t in texts {
            assert!(all.contains(t), "{file}: expected {t:?} in {all}");
        }
    }
    for (file, error) in [
        ("junk.csv", "this is a binary file, not a list"),
        (
            "no-names.csv",
            "no column holds names; the headers are: код, примітка",
        ),
        ("truncated.xlsx", "not readable as a spreadsheet"),
    ] {
        let path = data.join(file);
        let o = homeward(&[
            "import",
            path.to_str().unwrap(),
            "--db",
            &db,
            "--party",
            "UA",
            "--kind",
            "register",
            "--category",
            "pow",
        ]);
        assert_one_line_error(&o, error);
    }
    // Nothing was half-written: seven lists, and a log that verifies.
    assert!(stdout(&homeward(&["verify", "--db", &db])).starts_with("ok: "));
}

#[test]
fn a_list_exported_and_imported_again_gives_the_same_people() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db").to_string_lossy().into_owned();
    add_ukraine(&db);
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/lists/formulas.csv");
    let first = homeward(&[
        "import",
        data.to_str().unwrap(),
        "--db",
        &db,
        "--party",
        "UA",
        "--kind",
        "register",
        "--category",
        "pow",
        "--json",
    ]);
    assert!(first.status.success(), "{}", stderr(&first));
    let token = viewer_token(&db);
    let out = dir.path().join("export.csv");
    let o = homeward(&[
        "export",
        "--db",
        &db,
        "--token",
        &token,
        "--list",
        "1",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(
        exported.contains("'=HYPERLINK") && exported.contains("'@SUM(1+1)"),
        "formulas neutralised: {exported}"
    );
    assert!(
        !exported
            .lines()
            .any(|l| l.split(',').any(|c| c.starts_with('=')))
    );
    let second = homeward(&[
        "import",
        out.to_str().unwrap(),
        "--db",
        &db,
        "--party",
        "UA",
        "--kind",
        "register",
        "--category",
        "pow",
        "--json",
    ]);
    assert!(second.status.success(), "{}", stderr(&second));
    let (a, b): (serde_json::Value, serde_json::Value) = (
        serde_json::from_str(&stdout(&first)).unwrap(),
        serde_json::from_str(&stdout(&second)).unwrap(),
    );
    assert_eq!(
        (a["rows"].clone(), a["accepted"].clone()),
        (b["rows"].clone(), b["accepted"].clone())
    );
    let people: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "persons",
        "--db",
        &db,
        "--token",
        &token,
        "--per-page",
        "10",
    ])))
    .unwrap();
    let names: Vec<String> = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("{} {}", p["surname"], p["given_names"]))
        .collect();
    assert_eq!(
        (&names[0], &names[1]),
        (&names[2], &names[3]),
        "the same people from both imports"
    );
    // The export's classification line is read back as a title above the header.
    let warnings = |r: &serde_json::Value| {
        r["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| {
                !w.as_str()
                    .unwrap_or_default()
                    .contains("title above the header")
            })
            .count()
    };
    assert_eq!(warnings(&a), warnings(&b), "the same report");
    assert_eq!(names.len(), 4);
}

#[test]
fn a_request_list_is_reconciled_with_a_received_holding_list_and_reviewed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("s.db").to_string_lossy().into_owned();
    for code in ["UA", "RU"] {
        assert!(
            homeward(&["party", "add", "--db", &db, "--code", code, "--name", code])
                .status
                .success()
        );
    }
    assert!(
        homeward(&[
            "synth",
            "--persons",
            "60",
            "--right-persons",
            "80",
            "--seed",
            "4",
            "--out",
            d.to_str().unwrap()
        ])
        .status
        .success()
    );
    let import = |file: &str, kind: &str, extra: &[&str]| {
        let path = d.join(file);
        let mut args = vec![
            "import",
            path.to_str().unwrap(),
            "--db",
            &db,
            "--party",
            "UA",
            "--kind",
            kind,
            "--category",
            "pow",
        ];
        args.extend(extra);
        let o = homeward(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    import("left.csv", "request", &["--to", "RU"]);
    import("right.csv", "holding", &["--from", "RU"]);
    let viewer = viewer_token(&db);
    assert_one_line_error(
        &homeward(&[
            "reconcile",
            "--db",
            &db,
            "--token",
            &viewer,
            "--request",
            "1",
            "--holding",
            "2",
        ]),
        "review links",
    );
    let reviewer = stdout(&homeward(&[
        "token", "create", "--db", &db, "--party", "UA", "--role", "reviewer",
    ]))
    .trim()
    .to_owned();
    let o = homeward(&[
        "reconcile",
        "--db",
        &db,
        "--token",
        &reviewer,
        "--request",
        "1",
        "--holding",
        "2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let proposed = report["proposed"].as_i64().unwrap();
    assert!(proposed >= 35, "{report}");
    let queue = stdout(&homeward(&["review", "--db", &db, "--token", &reviewer]));
    assert_eq!(queue.lines().count() as i64, proposed);
    // Each line shows both records, as written and romanised, and where the other is.
    let fields: Vec<&str> = queue.lines().next().unwrap().split('\t').collect();
    assert_eq!(fields.len(), 6, "{queue}");
    assert!(
        fields[2].ends_with(')') && fields[3].ends_with(')'),
        "{queue}"
    );
    assert!(fields[4].contains("list 2"), "{queue}");
    // The assignment: a holding row is proposed for one requested person only, unless the
    // holder registered him twice (then the evidence says so); a pair that lost is in the
    // report, with why.
    let mut people_of_row: std::collections::HashMap<&str, Vec<&str>> = Default::default();
    for line in queue.lines() {
        let cells: Vec<&str> = line.split('\t').collect();
        if !cells[5].contains("registered twice") {
            people_of_row.entry(cells[4]).or_default().push(cells[2]);
        }
    }
    assert!(
        people_of_row.values().all(|people| people.len() == 1),
        "{people_of_row:?}"
    );
    for lost in report["lost"].as_array().unwrap() {
        assert!(
            lost["why"].as_str().unwrap().contains(" goes to "),
            "{lost}"
        );
    }
    let first = queue
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    assert!(
        homeward(&[
            "review", "--db", &db, "--token", &reviewer, "--decide", &first, "--as", "reject"
        ])
        .status
        .success()
    );
    // Reconciling again never proposes the rejected pair.
    let again: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "reconcile",
        "--db",
        &db,
        "--token",
        &reviewer,
        "--request",
        "1",
        "--holding",
        "2",
    ])))
    .unwrap();
    assert_eq!(
        (
            again["proposed"].as_i64(),
            again["already_decided"].as_i64()
        ),
        (Some(proposed - 1), Some(1))
    );
    // Confirm the next pair, export the confirmed links, then undo the confirmation.
    let queue = stdout(&homeward(&["review", "--db", &db, "--token", &reviewer]));
    let second = queue
        .lines()
        .next()
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_owned();
    let o = homeward(&[
        "review", "--db", &db, "--token", &reviewer, "--decide", &second, "--as", "accept",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let outcome: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(outcome["now"], "confirmed", "{outcome}");
    assert_eq!(outcome["status_change"][2], "in_custody", "{outcome}");
    let out = d.join("confirmed.csv");
    let o = homeward(&[
        "export",
        "--db",
        &db,
        "--token",
        &reviewer,
        "--links",
        "confirmed",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = read_csv(&out);
    assert_eq!(
        rows.len(),
        2,
        "a header and the one confirmed link: {rows:?}"
    );
    assert_eq!(rows[1][0], second);
    assert_eq!(
        rows[1][3], "ua-reviewer",
        "who decided, by user name: {rows:?}"
    );
    let o = homeward(&[
        "review", "--db", &db, "--token", &reviewer, "--decide", &second, "--as", "undo",
    ]);
    let outcome: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (outcome["was"].as_str(), outcome["now"].as_str()),
        (Some("confirmed"), Some("candidate"))
    );
    assert_eq!(outcome["status_change"][2], "missing", "{outcome}");
    // Duplicates inside the register: the holding list's rows became records of our own
    // people too, so the same men stand twice; they are suggested, never merged.
    let o = homeward(&[
        "duplicates",
        "--db",
        &db,
        "--token",
        &reviewer,
        "--category",
        "pow",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let found: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(found["proposed"].as_i64().unwrap() > 0, "{found}");
    let dups = stdout(&homeward(&[
        "review",
        "--db",
        &db,
        "--token",
        &reviewer,
        "--duplicates",
    ]));
    assert!(
        dups.lines().all(|l| l.contains("register record")),
        "{dups}"
    );
    // The register goes out as PFIF 1.4.
    let pfif = d.join("register.xml");
    let o = homeward(&[
        "export",
        "--db",
        &db,
        "--token",
        &viewer,
        "--register",
        "--format",
        "pfif",
        "--out",
        pfif.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let xml = std::fs::read_to_string(&pfif).unwrap();
    assert!(
        xml.contains("<pfif:person_record_id>ua.homeward.invalid/person.1</pfif:person_record_id>"),
        "{}",
        &xml[..500.min(xml.len())]
    );
    // A viewer may not export links.
    assert_one_line_error(
        &homeward(&[
            "export",
            "--db",
            &db,
            "--token",
            &viewer,
            "--links",
            "confirmed",
            "--out",
            out.to_str().unwrap(),
        ]),
        "review links",
    );
    assert!(stdout(&homeward(&["verify", "--db", &db])).starts_with("ok: "));
}

#[test]
fn output_cut_short_by_the_reader_is_not_a_panic() {
    use std::io::BufRead as _;
    let words = vec!["Олійник"; 20_000];
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .arg("translit")
        .args(&words)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert_eq!(first, "Oliinyk\n");
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A 50 MB list of synthetic people: wide rows (a long note each), as registers with
/// free-text columns are.
fn write_fifty_megabytes(path: &Path) -> usize {
    use std::io::Write as _;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(f, "прізвище,ім'я,по батькові,дата народження,примітка").unwrap();
    let (surnames, given) = (
        ["Олійник", "Коваленко", "Шевчук", "Довгалюк", "Заболотний"],
        ["Олександр", "Тарас", "Роман", "Ігор"],
    );
    let note = "синтетичний запис, не справжня людина; ".repeat(14);
    let (mut size, mut rows) = (0usize, 0usize);
    while size < 50 * 1024 * 1024 {
        let line = format!(
            "{},{},Петрович,{:02}.{:02}.{},{note}{rows}\n",
            surnames[rows % 5],
            given[rows % 4],
            rows % 28 + 1,
            rows % 12 + 1,
            1960 + rows % 45
        );
        f.write_all(line.as_bytes()).unwrap();
        size += line.len();
        rows += 1;
    }
    rows
}

#[test]
fn an_import_killed_half_way_leaves_nothing_and_the_same_file_imports_after() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("s.db");
    let db = db_path.to_string_lossy().into_owned();
    add_ukraine(&db);
    let big = dir.path().join("fifty-megabytes.csv");
    let rows = write_fifty_megabytes(&big);
    assert!(std::fs::metadata(&big).unwrap().len() >= 50 * 1024 * 1024);
    let args = [
        "import",
        big.to_str().unwrap(),
        "--db",
        &db,
        "--party",
        "UA",
        "--kind",
        "register",
        "--category",
        "pow",
        "--json",
    ];
    // Killed while its one transaction is being written (the write-ahead log grows).
    let mut child = Command::new(env!("CARGO_BIN_EXE_homeward"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let wal = dir.path().join("s.db-wal");
    let mut killed_writing = false;
    for _ in 0..6000 {
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() > 8 * 1024 * 1024) {
            killed_writing = true;
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        killed_writing,
        "the import ended before it could be killed half-way"
    );
    let token = viewer_token(&db);
    let persons: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "persons", "--db", &db, "--token", &token,
    ])))
    .unwrap();
    assert_eq!(persons["total"], 0, "no record of the killed import");
    assert!(stdout(&homeward(&["verify", "--db", &db])).starts_with("ok: "));
    // The same bytes are not refused as already imported: nothing of them was kept.
    let o = homeward(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (report["rows"].as_u64(), report["accepted"].as_u64()),
        (Some(rows as u64), Some(rows as u64)),
        "{}",
        report["warnings"].as_array().map_or(0, Vec::len)
    );
}

#[test]
fn the_demo_exchange_is_shown_and_executed_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").to_string_lossy().into_owned();
    let o = homeward(&[
        "demo",
        "--single",
        "--db",
        &db,
        "--scale",
        "0.02",
        "--no-serve",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("exchange plan") && out.contains("stages 1 and 2 executed"),
        "{out}"
    );
    let (viewer, ru_op, ua_op, ua_neg, tr_neg) = (
        token_of(&out, "UA", "viewer"),
        token_of(&out, "RU", "operator"),
        token_of(&out, "UA", "operator"),
        token_of(&out, "UA", "negotiator"),
        token_of(&out, "TR", "negotiator"),
    );
    let commitments: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "commitments",
        "--db",
        &db,
        "--token",
        &viewer,
    ])))
    .unwrap();
    let pow = commitments
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["terms"]["kind"] == "pow_exchange")
        .unwrap()["id"]
        .to_string();
    let plan: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "plan",
        "--db",
        &db,
        "--token",
        &viewer,
        "--commitment",
        &pow,
        "--show",
    ])))
    .unwrap();
    let stage = &plan["stages"][2];
    let (stage_id, held_by_ru) = (
        stage["id"].to_string(),
        stage["persons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["from"] == "RU")
            .unwrap()["person_id"]
            .to_string(),
    );
    // The wrong party: one line that names the rule and the record.
    assert_one_line_error(
        &homeward(&[
            "stage",
            "move",
            "--db",
            &db,
            "--token",
            &ua_op,
            "--stage",
            &stage_id,
            "--person",
            &held_by_ru,
            "--to",
            "handed_over",
        ]),
        "only RU, which holds the person, records the handover",
    );
    let o = homeward(&[
        "stage",
        "move",
        "--db",
        &db,
        "--token",
        &ru_op,
        "--stage",
        &stage_id,
        "--person",
        &held_by_ru,
        "--to",
        "withdrawn",
        "--reason",
        "died in custody before the handover",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    // A plan being executed is not replaced.
    assert_one_line_error(
        &homeward(&[
            "plan",
            "--db",
            &db,
            "--token",
            &ua_neg,
            "--commitment",
            &pow,
            "--stage-size",
            "5",
        ]),
        "being executed",
    );
    // The mediator cannot close a stage with people still planned.
    assert_one_line_error(
        &homeward(&[
            "stage", "close", "--db", &db, "--token", &tr_neg, "--stage", &stage_id,
        ]),
        "still planned or handed over",
    );
    assert!(stdout(&homeward(&["verify", "--db", &db])).starts_with("ok: "));
}

#[test]
fn rounds_and_commitments_are_recorded_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").to_string_lossy().into_owned();
    let o = homeward(&[
        "demo",
        "--single",
        "--db",
        &db,
        "--scale",
        "0.01",
        "--no-serve",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let neg = token_of(&stdout(&o), "UA", "negotiator");
    let ru_neg = token_of(&stdout(&o), "RU", "negotiator");
    let auditors = [
        token_of(&stdout(&o), "UA", "auditor"),
        token_of(&stdout(&o), "RU", "auditor"),
    ];
    let o = homeward(&[
        "round",
        "add",
        "--db",
        &db,
        "--token",
        &neg,
        "--title",
        "Istanbul, third round (synthetic)",
        "--held-on",
        "2025-07-23",
        "--city",
        "Istanbul",
        "--mediator",
        "TR",
        "--delegation",
        "UA:head of the UA delegation",
        "--delegation",
        "RU:head of the RU delegation",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let round = stdout(&o).trim().to_owned();
    assert_one_line_error(
        &homeward(&[
            "round",
            "add",
            "--db",
            &db,
            "--token",
            &neg,
            "--title",
            "x",
            "--held-on",
            "2025-02-30",
            "--delegation",
            "UA:a",
            "--delegation",
            "RU:b",
        ]),
        "held_on",
    );
    assert_one_line_error(
        &homeward(&[
            "commitment",
            "add",
            "--db",
            &db,
            "--token",
            &neg,
            "--round",
            &round,
            "--title",
            "Local truce",
            "--sides",
            "UA,RU",
            "--terms",
            r#"{"kind":"local_truce","sector":null,"min_days":-2,"max_days":3,"purpose":"recover the fallen","start":null}"#,
        ]),
        "min_days",
    );
    let o = homeward(&[
        "commitment",
        "add",
        "--db",
        &db,
        "--token",
        &neg,
        "--round",
        &round,
        "--title",
        "Return of remains (synthetic)",
        "--sides",
        "UA,RU",
        "--terms",
        r#"{"kind":"remains_return","quantity_each_way":3000}"#,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let id = stdout(&o).trim().to_owned();
    // One side proposes an amendment; the terms change only when the other accepts.
    let amend = |token: &str, quantity: u32| {
        homeward(&[
            "commitment",
            "amend",
            "--db",
            &db,
            "--token",
            token,
            "--id",
            &id,
            "--title",
            "Return of remains, amended (synthetic)",
            "--terms",
            &format!(r#"{{"kind":"remains_return","quantity_each_way":{quantity}}}"#),
        ])
    };
    let o = amend(&ru_neg, 5);
    assert!(o.status.success(), "{}", stderr(&o));
    let amendment = stdout(&o).trim().to_owned();
    let shown = |token: &str| -> serde_json::Value {
        serde_json::from_str(&stdout(&homeward(&[
            "commitments",
            "--db",
            &db,
            "--token",
            token,
        ])))
        .unwrap()
    };
    let ours = |all: serde_json::Value| {
        all.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"].as_i64() == id.parse().ok())
            .unwrap()
            .clone()
    };
    let c = ours(shown(&neg));
    assert_eq!(
        c["terms"]["quantity_each_way"], 3000,
        "the agreed terms stay: {c}"
    );
    assert_eq!(c["amendment"]["terms"]["quantity_each_way"], 5, "{c}");
    // A second proposal waits for the first; the proposer cannot accept its own.
    assert_eq!(
        amend(&neg, 7).status.code(),
        Some(3),
        "an amendment is open"
    );
    let answer = |token: &str, answer: &str| {
        homeward(&[
            "commitment",
            "answer",
            "--db",
            &db,
            "--token",
            token,
            "--amendment",
            &amendment,
            "--as",
            answer,
        ])
    };
    assert_one_line_error(&answer(&ru_neg, "accept"), "the other side answers it");
    let o = answer(&neg, "decline");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("declined"), "{}", stdout(&o));
    assert_eq!(ours(shown(&ru_neg))["terms"]["quantity_each_way"], 3000);
    let o = amend(&ru_neg, 3500);
    let amendment = stdout(&o).trim().to_owned();
    let o = homeward(&[
        "commitment",
        "answer",
        "--db",
        &db,
        "--token",
        &neg,
        "--amendment",
        &amendment,
        "--as",
        "accept",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let c = ours(shown(&ru_neg));
    assert_eq!(c["terms"]["quantity_each_way"], 3500, "{c}");
    assert!(c["amendment"].is_null(), "{c}");
    // Every step is in both sides' logs.
    for token in &auditors {
        let log = stdout(&homeward(&["events", "--db", &db, "--token", token]));
        for kind in [
            "commitment.amendment_proposed",
            "commitment.amendment_declined",
            "commitment.amendment_accepted",
        ] {
            assert!(log.contains(kind), "{kind} missing from the log:\n{log}");
        }
    }
    assert!(stdout(&homeward(&["verify", "--db", &db])).starts_with("ok: "));
}

#[test]
fn children_remains_and_truces_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db").to_string_lossy().into_owned();
    let o = homeward(&[
        "demo",
        "--single",
        "--db",
        &db,
        "--scale",
        "0.01",
        "--no-serve",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    let (viewer, ua_op, ru_op) = (
        token_of(&out, "UA", "viewer"),
        token_of(&out, "UA", "operator"),
        token_of(&out, "RU", "operator"),
    );
    let commitments: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "commitments",
        "--db",
        &db,
        "--token",
        &viewer,
    ])))
    .unwrap();
    let of = |kind: &str| {
        commitments
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["terms"]["kind"] == kind)
            .unwrap()["id"]
            .to_string()
    };
    // A child's case moves one step at a time.
    let cases: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "children",
        "list",
        "--db",
        &db,
        "--token",
        &viewer,
        "--commitment",
        &of("child_return"),
    ])))
    .unwrap();
    let waiting = cases
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "requested")
        .unwrap()["person_id"]
        .to_string();
    assert_one_line_error(
        &homeward(&[
            "children", "step", "--db", &db, "--token", &ua_op, "--person", &waiting, "--to",
            "verified",
        ]),
        "to located",
    );
    assert!(
        homeward(&[
            "children", "step", "--db", &db, "--token", &ua_op, "--person", &waiting, "--to",
            "located",
        ])
        .status
        .success()
    );
    // A batch of remains: handed over by RU, received by UA.
    let o = homeward(&[
        "remains",
        "batch",
        "--db",
        &db,
        "--token",
        &ru_op,
        "--commitment",
        &of("remains_return"),
        "--on",
        "2025-06-25",
        "--bodies",
        "2",
        "--tags",
        "RU-X-1,RU-X-2",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let batch = stdout(&o).trim().to_owned();
    assert_one_line_error(
        &homeward(&[
            "remains", "receive", "--db", &db, "--token", &ru_op, "--batch", &batch, "--bodies",
            "2",
        ]),
        "only UA",
    );
    let o = homeward(&[
        "remains", "receive", "--db", &db, "--token", &ua_op, "--batch", &batch, "--bodies", "2",
    ]);
    assert!(
        stdout(&o).contains("2 remains registered"),
        "{}",
        stderr(&o)
    );
    let truces: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "truces", "--db", &db, "--token", &viewer,
    ])))
    .unwrap();
    assert!(
        truces["truces"].as_array().unwrap().len() == 1
            && truces["conflicts"].as_array().unwrap().is_empty()
    );
    assert!(stdout(&homeward(&["verify", "--db", &db])).starts_with("ok: "));
}

#[tokio::test]
async fn keys_sign_tree_heads_that_verify_rotate_and_refuse_a_readable_key_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("s.db").to_string_lossy().into_owned();
    add_ukraine(&db);
    assert!(
        homeward(&[
            "party", "add", "--db", &db, "--code", "RU", "--name", "Russia"
        ])
        .status
        .success()
    );
    let admin = stdout(&homeward(&[
        "token", "create", "--db", &db, "--party", "UA", "--role", "admin",
    ]))
    .trim()
    .to_owned();
    let key = d.join("ua.key");
    let key_s = key.to_str().unwrap();
    let o = homeward(&["key", "create", "--out", key_s]);
    assert!(o.status.success(), "{}", stderr(&o));
    let public = stdout(&o).trim().to_owned();
    assert_eq!(public.len(), 64);
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(
        stdout(&homeward(&["key", "show", "--key", key_s])).trim(),
        public
    );
    // The secret is in the file only: not in the store.
    assert!(
        homeward(&[
            "key", "register", "--db", &db, "--token", &admin, "--key", key_s
        ])
        .status
        .success()
    );
    let secret = std::fs::read_to_string(&key).unwrap();
    let secret_hex = secret.split_whitespace().last().unwrap();
    assert!(
        !std::fs::read(d.join("s.db"))
            .unwrap()
            .windows(secret_hex.len())
            .any(|w| w == secret_hex.as_bytes())
    );
    // A key file others can read is refused, and nothing is signed.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_one_line_error(
        &homeward(&["checkpoint", "--db", &db, "--token", &admin, "--key", key_s]),
        "can be read by others (mode 644)",
    );
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    for _ in 0..2 {
        let o = homeward(&["checkpoint", "--db", &db, "--token", &admin, "--key", key_s]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    assert!(stdout(&homeward(&["verify", "--db", &db])).contains("2 signed tree heads"));
    // Rotation: the old key vouches for the new one and is retired.
    let new = d.join("ua-2.key");
    let o = homeward(&[
        "key",
        "rotate",
        "--db",
        &db,
        "--token",
        &admin,
        "--key",
        key_s,
        "--out",
        new.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_one_line_error(
        &homeward(&["checkpoint", "--db", &db, "--token", &admin, "--key", key_s]),
        "not a current key of UA",
    );
    assert!(
        homeward(&[
            "checkpoint",
            "--db",
            &db,
            "--token",
            &admin,
            "--key",
            new.to_str().unwrap()
        ])
        .status
        .success()
    );
    // RU's public key pinned.
    let ru = d.join("ru.key");
    let ru_public = stdout(&homeward(&["key", "create", "--out", ru.to_str().unwrap()]))
        .trim()
        .to_owned();
    assert!(
        homeward(&[
            "key", "pin", "--db", &db, "--token", &admin, "--party", "RU", "--public", &ru_public
        ])
        .status
        .success()
    );
    let auditor = stdout(&homeward(&[
        "token", "create", "--db", &db, "--party", "UA", "--role", "auditor",
    ]))
    .trim()
    .to_owned();
    let keys: serde_json::Value = serde_json::from_str(&stdout(&homeward(&[
        "key", "list", "--db", &db, "--token", &auditor,
    ])))
    .unwrap();
    assert_eq!(keys.as_array().unwrap().len(), 3);
    assert!(stdout(&homeward(&["verify", "--db", &db])).contains("3 signed tree heads"));
    // A signed root altered behind the store's back is found.
    let store =
        homeward_store::Store::open(&db.parse().unwrap(), homeward_store::OpenMode::MustExist)
            .await
            .unwrap();
    sqlx::query("UPDATE tree_heads SET root = (CASE WHEN substr(root, 1, 2) = '00' THEN 'ff' ELSE '00' END) || substr(root, 3) WHERE size = (SELECT MIN(size) FROM tree_heads)")
        .execute(store.raw_pool_for_tests())
        .await
        .unwrap();
    store.close().await;
    assert_one_line_error(&homeward(&["verify", "--db", &db]), "does not verify");
}

#[test]
fn one_row_of_a_signed_list_is_proven_offline_and_a_changed_byte_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("s.db").to_string_lossy().into_owned();
    add_ukraine(&db);
    let admin = stdout(&homeward(&[
        "token", "create", "--db", &db, "--party", "UA", "--role", "admin",
    ]))
    .trim()
    .to_owned();
    let viewer = viewer_token(&db);
    let list = d.join("request.csv");
    std::fs::write(&list, "прізвище,ім'я,дата народження\nДовгалюк,Тарас,12.05.1999\nЗаболотний,Роман,01.01.1988\nКравець,Ірина,1990\n").unwrap();
    assert!(
        homeward(&[
            "import",
            list.to_str().unwrap(),
            "--db",
            &db,
            "--party",
            "UA",
            "--kind",
            "request",
            "--category",
            "pow"
        ])
        .status
        .success()
    );
    let key = d.join("ua.key");
    let public = stdout(&homeward(&[
        "key",
        "create",
        "--out",
        key.to_str().unwrap(),
    ]))
    .trim()
    .to_owned();
    // Unsigned lists prove nothing; an unregistered key signs nothing.
    let proof = d.join("proof.json");
    assert_one_line_error(
        &homeward(&[
            "prove",
            "--db",
            &db,
            "--token",
            &viewer,
            "--list",
            "1",
            "--row",
            "3",
            "--out",
            proof.to_str().unwrap(),
        ]),
        "not signed",
    );
    assert_one_line_error(
        &homeward(&[
            "sign-list",
            "--db",
            &db,
            "--token",
            &admin,
            "--list",
            "1",
            "--key",
            key.to_str().unwrap(),
        ]),
        "register it first",
    );
    assert!(
        homeward(&[
            "key",
            "register",
            "--db",
            &db,
            "--token",
            &admin,
            "--key",
            key.to_str().unwrap()
        ])
        .status
        .success()
    );
    let o = homeward(&[
        "sign-list",
        "--db",
        &db,
        "--token",
        &admin,
        "--list",
        "1",
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = homeward(&[
        "prove",
        "--db",
        &db,
        "--token",
        &viewer,
        "--list",
        "1",
        "--row",
        "3",
        "--out",
        proof.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&proof).unwrap();
    assert!(
        text.contains("Заболотний") && !text.contains("Довгалюк") && !text.contains("Кравець"),
        "{text}"
    );
    let o = homeward(&["verify-proof", proof.to_str().unwrap(), "--key", &public]);
    assert!(stdout(&o).starts_with("ok: line 3"), "{}", stderr(&o));
    // Another key, a changed name, a row not on the list: refused, naming what failed.
    let other = stdout(&homeward(&[
        "key",
        "create",
        "--out",
        d.join("x.key").to_str().unwrap(),
    ]))
    .trim()
    .to_owned();
    assert_one_line_error(
        &homeward(&["verify-proof", proof.to_str().unwrap(), "--key", &other]),
        "not by the key given",
    );
    let forged = d.join("forged.json");
    std::fs::write(&forged, text.replace("Заболотний", "Заболотна")).unwrap();
    assert_one_line_error(
        &homeward(&["verify-proof", forged.to_str().unwrap(), "--key", &public]),
        "is not on the signed list",
    );
    assert_one_line_error(
        &homeward(&[
            "prove",
            "--db",
            &db,
            "--token",
            &viewer,
            "--list",
            "1",
            "--row",
            "9",
            "--out",
            proof.to_str().unwrap(),
        ]),
        "no row at line 9",
    );
}

#[test]
fn a_signed_list_travels_as_a_bundle_and_anything_altered_replayed_or_rolled_back_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (ua_db, ru_db, tr_db) = (
        d.join("ua.db").to_string_lossy().into_owned(),
        d.join("ru.db").to_string_lossy().into_owned(),
        d.join("tr.db").to_string_lossy().into_owned(),
    );
    for db in [&ua_db, &ru_db, &tr_db] {
        for (code, name) in [("UA", "Ukraine"), ("RU", "Russia"), ("TR", "Türkiye")] {
            assert!(
                homeward(&["party", "add", "--db", db, "--code", code, "--name", name])
                    .status
                    .success()
            );
        }
    }
    let token = |db: &str, party: &str, role: &str| {
        stdout(&homeward(&[
            "token", "create", "--db", db, "--party", party, "--role", role,
        ]))
        .trim()
        .to_owned()
    };
    let (ua_admin, ua_op) = (
        token(&ua_db, "UA", "admin"),
        token(&ua_db, "UA", "operator"),
    );
    let (ru_admin, ru_op) = (
        token(&ru_db, "RU", "admin"),
        token(&ru_db, "RU", "operator"),
    );
    let ua_key = d.join("ua.key");
    let ua_public = stdout(&homeward(&[
        "key",
        "create",
        "--out",
        ua_key.to_str().unwrap(),
    ]))
    .trim()
    .to_owned();
    assert!(
        homeward(&[
            "key",
            "register",
            "--db",
            &ua_db,
            "--token",
            &ua_admin,
            "--key",
            ua_key.to_str().unwrap()
        ])
        .status
        .success()
    );
    // UA's request list to RU and TR, signed and checkpointed, exported as a bundle.
    let export = |n: usize, csv: &str| {
        let file = d.join(format!("request-{n}.csv"));
        std::fs::write(&file, csv).unwrap();
        let o = homeward(&[
            "import",
            file.to_str().unwrap(),
            "--db",
            &ua_db,
            "--party",
            "UA",
            "--kind",
            "request",
            "--category",
            "pow",
            "--to",
            "RU,TR",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let list = n.to_string();
        assert!(
            homeward(&[
                "sign-list",
                "--db",
                &ua_db,
                "--token",
                &ua_admin,
                "--list",
                &list,
                "--key",
                ua_key.to_str().unwrap()
            ])
            .status
            .success()
        );
        assert!(
            homeward(&[
                "checkpoint",
                "--db",
                &ua_db,
                "--token",
                &ua_admin,
                "--key",
                ua_key.to_str().unwrap()
            ])
            .status
            .success()
        );
        let out = d.join(format!("bundle-{n}.json"));
        let o = homeward(&[
            "bundle",
            "export",
            "--db",
            &ua_db,
            "--token",
            &ua_op,
            "--list",
            &list,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let first = export(
        1,
        "прізвище,ім'я,дата народження\nДовгалюк,Тарас,12.05.1999\nЗаболотний,Роман,01.01.1988\n",
    );
    let second = export(2, "прізвище,ім'я,дата народження\nКравець,Ірина,1990\n");
    let import = |file: &std::path::Path| {
        homeward(&[
            "bundle",
            "import",
            "--db",
            &ru_db,
            "--token",
            &ru_op,
            file.to_str().unwrap(),
        ])
    };
    // Not pinned yet: refused.
    assert_one_line_error(&import(&first), "not a key RU pinned for UA");
    assert!(
        homeward(&[
            "key", "pin", "--db", &ru_db, "--token", &ru_admin, "--party", "UA", "--public",
            &ua_public
        ])
        .status
        .success()
    );
    // One byte changed anywhere in the rows: refused, naming what failed.
    let text = std::fs::read_to_string(&first).unwrap();
    let altered = d.join("altered.json");
    std::fs::write(&altered, text.replacen("Довгалюк", "Довгалюх", 1)).unwrap();
    assert_one_line_error(&import(&altered), "not the rows the issuer signed");
    // The second bundle (a later tree head) first, then the first: a rollback.
    let o = import(&second);
    assert!(
        stdout(&o).contains("imported, verified against its pinned key"),
        "{}",
        stderr(&o)
    );
    assert_one_line_error(&import(&first), "rollback");
    // The same bundle again: a replay.
    assert_one_line_error(&import(&second), "already imported");
    // RU sees the list as UA's, addressed to it; its store still verifies.
    let viewer = token(&ru_db, "RU", "viewer");
    let o = homeward(&[
        "export",
        "--db",
        &ru_db,
        "--token",
        &viewer,
        "--list",
        "1",
        "--format",
        "json",
        "--out",
        d.join("x.json").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        std::fs::read_to_string(d.join("x.json"))
            .unwrap()
            .contains("Кравець")
    );
    assert!(
        stdout(&homeward(&["verify", "--db", &ru_db])).contains("1 signed tree heads"),
        "{}",
        stderr(&homeward(&["verify", "--db", &ru_db]))
    );
    // The mediator counter-signs what it saw (with its registered key, after checking the
    // bundle against the key it pinned for UA); a bundle whose counter-signature was altered
    // is refused.
    let tr_admin = token(&tr_db, "TR", "admin");
    let tr_key = d.join("tr.key");
    let tr_public = stdout(&homeward(&[
        "key",
        "create",
        "--out",
        tr_key.to_str().unwrap(),
    ]))
    .trim()
    .to_owned();
    let tr_key_arg = ["--key", tr_key.to_str().unwrap()];
    let countersign = |file: &std::path::Path, out: &std::path::Path| {
        homeward(&[
            "bundle",
            "countersign",
            "--db",
            &tr_db,
            "--token",
            &tr_admin,
            file.to_str().unwrap(),
            tr_key_arg[0],
            tr_key_arg[1],
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let countersigned = d.join("countersigned.json");
    assert_one_line_error(
        &countersign(&first, &countersigned),
        "not a current key of TR",
    );
    for (party, public) in [("TR", &tr_public), ("UA", &ua_public)] {
        let verb = if party == "TR" { "register" } else { "pin" };
        let mut args = vec!["key", verb, "--db", &tr_db, "--token", &tr_admin];
        if party == "TR" {
            args.extend(["--key", tr_key.to_str().unwrap()]);
        } else {
            args.extend(["--party", party, "--public", public.as_str()]);
        }
        let o = homeward(&args);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let o = countersign(&first, &countersigned);
    assert!(
        stdout(&o).contains("counter-signed by TR"),
        "{}",
        stderr(&o)
    );
    assert_one_line_error(
        &countersign(&first, &d.join("again.json")),
        "already counter-signed",
    );
    let mut cs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&countersigned).unwrap()).unwrap();
    assert_eq!(cs["countersignatures"][0][0], "TR");
    // UA keeps the counter-signature on its own list once it pinned TR's key.
    let keep = || {
        homeward(&[
            "bundle",
            "import",
            "--db",
            &ua_db,
            "--token",
            &ua_op,
            countersigned.to_str().unwrap(),
        ])
    };
    assert_one_line_error(&keep(), "not a key UA pinned for TR");
    let o = homeward(&[
        "key", "pin", "--db", &ua_db, "--token", &ua_admin, "--party", "TR", "--public", &tr_public,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = keep();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_one_line_error(&keep(), "already holds every counter-signature");
    // The counter-signed file checks offline; UA's store verifies with the signature and the
    // counter-signature it now holds.
    let o = homeward(&[
        "verify",
        "--file",
        countersigned.to_str().unwrap(),
        "--key",
        &ua_public,
    ]);
    assert!(
        stdout(&o).contains("counter-signed by TR"),
        "{}",
        stderr(&o)
    );
    let o = homeward(&["verify", "--db", &ua_db]);
    assert!(
        stdout(&o).contains("list signatures and counter-signatures"),
        "{}",
        stderr(&o)
    );
    assert!(!stdout(&o).contains(" 0 list signatures"), "{}", stdout(&o));
    cs["countersignatures"][0][2] = serde_json::Value::from("00".repeat(64));
    std::fs::write(&countersigned, cs.to_string()).unwrap();
    assert_one_line_error(&keep(), "counter-signature of TR does not verify");
}

/// Protection from the command line: a child's record opened by a viewer is masked and the
/// read audited; a restricted status or an erasure needs the permission and a second
/// person; the auditors see every read. Synthetic people only.
#[test]
fn protected_records_restricted_statuses_and_erasures_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = d.join("ua.db").to_string_lossy().into_owned();
    for (code, name) in [("UA", "Ukraine"), ("RU", "Russia")] {
        assert!(
            homeward(&["party", "add", "--db", &db, "--code", code, "--name", name])
                .status
                .success()
        );
    }
    let token = |role: &str, user: &str| {
        stdout(&homeward(&[
            "token", "create", "--db", &db, "--party", "UA", "--role", role, "--user", user,
        ]))
        .trim()
        .to_owned()
    };
    let (viewer, officer, officer2, admin, auditor) = (
        token("viewer", "hotline-1"),
        token("protection", "protection-1"),
        token("protection", "protection-2"),
        token("admin", "admin-1"),
        token("auditor", "auditor-1"),
    );
    let file = d.join("children.csv");
    std::fs::write(
        &file,
        "прізвище,ім'я,дата народження\nЯщишина,Зоряна,09.03.2014\nЩербакевич,Остап,23.11.2012\n",
    )
    .unwrap();
    let o = homeward(&[
        "import",
        file.to_str().unwrap(),
        "--db",
        &db,
        "--party",
        "UA",
        "--kind",
        "children",
        "--category",
        "child",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let run = |token: &str, args: &[&str]| {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--db", &db, "--token", token]);
        homeward(&all)
    };
    // The viewer sees the record masked, and is told so; the officer sees the name.
    let o = run(&viewer, &["person", "1", "--purpose", "hotline call"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stdout(&o).contains("Ящишина") && stdout(&o).contains("[protected]"),
        "{}",
        stdout(&o)
    );
    assert!(stderr(&o).contains("masked"), "{}", stderr(&o));
    assert!(stdout(&run(&officer, &["person", "1"])).contains("Ящишина"));
    // The viewer's search does not find the child.
    let o = run(&viewer, &["search", "Ящишина Зоряна", "--json"]);
    assert_eq!(stdout(&o).trim(), "[]", "{}", stderr(&o));
    // The officer's export shows the children: refused unencrypted, written with a
    // passphrase from the environment, and opened with it.
    let out = d.join("children-export.csv.age");
    let export = |extra: &[&str]| {
        let mut args = vec![
            "export",
            "--register",
            "--category",
            "child",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        args.extend(["--db", db.as_str(), "--token", officer.as_str()]);
        std::process::Command::new(env!("CARGO_BIN_EXE_homeward"))
            .args(&args)
            .env(
                "HOMEWARD_TEST_PASSPHRASE",
                "correct horse battery staple (synthetic)",
            )
            .output()
            .unwrap()
    };
    assert_one_line_error(&export(&[]), "encrypt it");
    assert_one_line_error(
        &export(&["--passphrase-env", "NOT_SET_ANYWHERE"]),
        "is not set",
    );
    let o = export(&["--passphrase-env", "HOMEWARD_TEST_PASSPHRASE"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sealed = std::fs::read(&out).unwrap();
    let decryptor = age::Decryptor::new(sealed.as_slice()).unwrap();
    let identity = age::scrypt::Identity::new(age::secrecy::SecretString::from(
        "correct horse battery staple (synthetic)".to_owned(),
    ));
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap();
    let mut opened = String::new();
    std::io::Read::read_to_string(&mut reader, &mut opened).unwrap();
    assert!(
        opened.contains("Ящишина") && opened.contains("CLASSIFICATION"),
        "{opened}"
    );
    // A restricted status: not by a viewer; proposed by one officer, not confirmed by them.
    assert_one_line_error(
        &run(
            &viewer,
            &[
                "restrict",
                "propose",
                "--person",
                "2",
                "--as",
                "refused_repatriation",
            ],
        ),
        "record restricted statuses",
    );
    let o = run(
        &officer,
        &[
            "restrict",
            "propose",
            "--person",
            "2",
            "--as",
            "refused_repatriation",
        ],
    );
    assert!(stdout(&o).contains("proposal 1"), "{}", stderr(&o));
    assert_one_line_error(
        &run(&officer, &["restrict", "confirm", "1"]),
        "a second person must confirm",
    );
    let o = run(&officer2, &["restrict", "confirm", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // An erasure: asked by one, refused to the same, carried out by a second.
    assert_one_line_error(
        &run(
            &viewer,
            &[
                "erase",
                "request",
                "--person",
                "2",
                "--reason",
                "family asked",
            ],
        ),
        "erase personal data",
    );
    // The short form the issue names: homeward erase --person ID --reason ….
    let o = run(
        &officer,
        &["erase", "--person", "2", "--reason", "family asked"],
    );
    assert!(
        stdout(&o).contains("erasure 1 of record 2 asked"),
        "{}",
        stderr(&o)
    );
    assert_one_line_error(
        &run(&officer, &["erase", "confirm", "1"]),
        "a second person must confirm",
    );
    let o = run(&admin, &["erase", "confirm", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&run(&officer, &["person", "2"])).contains("Щербакевич"));
    let o = run(&officer, &["search", "Щербакевич Остап", "--json"]);
    assert_eq!(stdout(&o).trim(), "[]", "{}", stderr(&o));
    let o = homeward(&["verify", "--db", &db]);
    assert!(stdout(&o).starts_with("ok:"), "{}", stderr(&o));
    // The auditor sees the viewer's masked read with its purpose.
    let o = run(
        &auditor,
        &["audit", "reads", "--action", "refused", "--actor", "user:1"],
    );
    let reads: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let reads = reads.as_array().unwrap();
    assert!(
        reads
            .iter()
            .any(|r| r["purpose"] == "hotline call" && r["person_id"] == 1),
        "{reads:?}"
    );
    // The viewer's refused attempts, and the officers' confirmations of their own
    // proposals, are in the audit too.
    for (actor, what) in [
        ("user:1", "refused: record restricted statuses"),
        ("user:1", "refused: erase personal data"),
        ("user:2", "a restricted status confirmed by its proposer"),
        ("user:2", "an erasure confirmed by the one who asked for it"),
    ] {
        let o = run(
            &auditor,
            &["audit", "reads", "--action", "refused", "--actor", actor],
        );
        assert!(stdout(&o).contains(what), "{actor} {what}: {}", stdout(&o));
    }
    let o = run(
        &auditor,
        &["audit", "reads", "--action", "refused", "--actor", "user:2"],
    );
    assert!(stdout(&o).contains("an unprotected export of protected records was refused"));
    assert_one_line_error(&run(&viewer, &["audit", "reads"]), "audit the event log");
    let o = run(&auditor, &["audit", "flags"]);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// `homeward demo` on three servers, small, seeding `folder` and stopping.
fn relayed_demo(folder: &Path) -> Output {
    homeward(&[
        "demo",
        "--dir",
        folder.to_str().unwrap(),
        "--scale",
        "0.01",
        "--no-serve",
    ])
}

#[tokio::test]
async fn the_demo_runs_three_servers_and_relays_each_list_through_the_mediator() {
    use homeward_core::access::{Grant, ReadRegister};
    use homeward_store::{Location, OpenMode, Store};
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("demo");
    let o = relayed_demo(&folder);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    for party in ["UA", "RU", "TR"] {
        assert!(
            text.contains(&format!("  {party}  http://127.0.0.1:")),
            "{text}"
        );
        assert!(!token_of(&text, party, "admin").is_empty());
        let db = folder.join(format!("{}.db", party.to_lowercase()));
        let v = homeward(&["verify", "--db", db.to_str().unwrap()]);
        assert!(v.status.success(), "{party}: {}", stderr(&v));
    }
    assert!(
        text.contains("signed by RU, counter-signed by TR, delivered"),
        "{text}"
    );
    let ru_key = homeward(&[
        "key",
        "show",
        "--key",
        folder.join("ru.key").to_str().unwrap(),
    ]);
    let ru_key = String::from_utf8_lossy(&ru_key.stdout).trim().to_owned();
    // On UA's own store: RU's holding list, signed by RU's key and counter-signed by TR.
    let ua = Store::open(&Location::Sqlite(folder.join("ua.db")), OpenMode::MustExist)
        .await
        .unwrap();
    let read = Grant::<ReadRegister>::system("UA".parse().unwrap(), "test");
    let lists = ua.lists(&read).await.unwrap();
    let holding = lists
        .iter()
        .find(|l| l.issuer == "RU" && l.kind == "holding")
        .expect("RU's holding list on UA's server");
    let signed = ua.signed_list(&read, holding.id).await.unwrap();
    assert!(signed.signature.is_some());
    assert_eq!(signed.public_key.as_deref(), Some(ru_key.as_str()));
    assert_eq!(
        signed
            .countersignatures
            .iter()
            .map(|c| c.party.as_str())
            .collect::<Vec<_>>(),
        ["TR"]
    );
    // Nobody else's register travelled: UA's store holds no list RU did not address to it.
    assert!(
        lists
            .iter()
            .all(|l| l.issuer != "RU" || l.kind != "register")
    );
    // The relay on UA's side: nothing waiting, every list of UA's acknowledged.
    let status = homeward(&[
        "relay",
        "status",
        "--db",
        folder.join("ua.db").to_str().unwrap(),
        "--token",
        &token_of(&text, "UA", "viewer"),
    ]);
    assert!(status.status.success(), "{}", stderr(&status));
    let view: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    let sent = view["sent"].as_array().unwrap();
    assert!(!sent.is_empty());
    assert!(sent.iter().all(|d| d["state"] == "delivered"), "{view}");
    // UA's commission's finding reached RU as UA's signed statement, counter-signed by TR,
    // naming the row of UA's signed holding list that carried the prisoner.
    let stated = homeward(&[
        "relay",
        "statements",
        "--kind",
        "commission.finding",
        "--db",
        folder.join("ru.db").to_str().unwrap(),
        "--token",
        &token_of(&text, "RU", "viewer"),
    ]);
    assert!(stated.status.success(), "{}", stderr(&stated));
    let stated: serde_json::Value = serde_json::from_slice(&stated.stdout).unwrap();
    assert_eq!(stated.as_array().map(Vec::len), Some(1), "{stated}");
    let finding = &stated[0];
    assert_eq!(finding["issuer"], "UA", "{finding}");
    assert_eq!(
        finding["countersigned_by"],
        serde_json::json!(["TR"]),
        "{finding}"
    );
    assert_eq!(finding["body"]["verdict"], "repatriate", "{finding}");
    assert_eq!(
        finding["body"]["prisoner"]["list"]["issuer"], "UA",
        "{finding}"
    );
    // The plan UA made was proposed, accepted by RU and co-signed by TR; its first two
    // stages ran on each side's own server. Each store counts the exchange from its own
    // records, and the three counts are the same.
    let mut flows = Vec::new();
    for party in ["UA", "RU", "TR"] {
        let db = folder.join(format!("{}.db", party.to_lowercase()));
        let store = Store::open(&Location::Sqlite(db), OpenMode::MustExist)
            .await
            .unwrap();
        let talks =
            Grant::<homeward_core::access::ReadTalks>::system(party.parse().unwrap(), "test");
        let exchange = store
            .commitments(&talks)
            .await
            .unwrap()
            .into_iter()
            .find(|c| c.terms.kind() == homeward_core::talks::CommitmentKind::PowExchange)
            .unwrap();
        let counted: Vec<_> = exchange
            .fulfilment
            .flows
            .iter()
            .map(|f| (f.from.to_string(), f.planned, f.handed_over, f.received))
            .collect();
        assert!(counted.iter().all(|c| c.3 > 0), "{party}: {counted:?}");
        flows.push(counted);
        let stated = store.stated_plans(&talks).await.unwrap();
        assert_eq!(stated.len(), 1, "{party}: {stated:?}");
        let plan = &stated[0];
        assert!(
            plan.cosigned && plan.unfollowed.is_empty(),
            "{party}: {plan:?}"
        );
        for seq in [1, 2] {
            let stage = plan.stage(seq).unwrap();
            assert!(stage.closed.is_some(), "{party}: stage {seq}");
            assert_eq!(stage.counted.len(), 2, "{party}: stage {seq}");
            assert!(stage.disagreements().is_empty(), "{party}: stage {seq}");
        }
        if party != "TR" {
            let own = store.plan_of(&talks, exchange.id).await.unwrap();
            assert_eq!(own.state, "signed", "{party}");
            assert_eq!(own.created_by, "UA", "{party}");
        }
    }
    assert_eq!(flows[0], flows[1], "UA and RU count the exchange alike");
    assert_eq!(flows[0], flows[2], "UA and TR count the exchange alike");
    // Run again: the demo's own stores and keys are replaced.
    let again = relayed_demo(&folder);
    assert!(again.status.success(), "{}", stderr(&again));
}
