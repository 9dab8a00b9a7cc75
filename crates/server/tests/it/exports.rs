//! Lists out and links reviewed, over HTTP: exports that import back unchanged, the print
//! view, PFIF, and decisions that move a status and can be undone. Synthetic people only.

use crate::common::{Running, client, each_backend, upload_as};
use homeward_core::access::Role;
use reqwest::StatusCode;
use serde_json::Value;

/// Uploads `bytes` as a list of UA's; returns the import report.
async fn upload(r: &Running, bytes: Vec<u8>, name: &str, kind: &str, from: Option<&str>) -> Value {
    let from: Vec<(&str, &str)> = from.map(|f| ("from", f)).into_iter().collect();
    upload_as(r, "UA", bytes, name, kind, &from).await
}

async fn get(r: &Running, path: &str, role: Role) -> reqwest::Response {
    client()
        .get(r.url(path))
        .bearer_auth(r.token("UA", role))
        .send()
        .await
        .unwrap()
}

async fn json(r: &Running, path: &str, role: Role) -> Value {
    get(r, path, role).await.json().await.unwrap()
}

/// A list's rows as (line, accepted, fields), for comparing two imports.
async fn rows(r: &Running, list: i64) -> Vec<(bool, Value)> {
    json(r, &format!("/api/v1/lists/{list}/rows"), Role::Viewer)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["accepted"].as_bool().unwrap(), row["fields"].clone()))
        .collect()
}

const REQUEST: &str = "прізвище,ім'я,по батькові,дата народження,примітка\r\n\
Довгалюк,Тарас,Ігорович,12.05.1999,=HYPERLINK(\"http://example.invalid\")\r\n\
Заболотний,Роман,Петрович,01.01.1988,-\r\n\
Кравець,Ірина,Олегівна,1990,@sum\r\n\
,,,31.02.1990,рядок без імені\r\n";

#[tokio::test(flavor = "multi_thread")]
async fn lists_and_registers_export_and_import_back_unchanged() {
    each_backend(
        "lists_and_registers_export_and_import_back_unchanged",
        async |r| {
            let first = upload(
                r,
                REQUEST.as_bytes().to_vec(),
                "request.csv",
                "request",
                None,
            )
            .await;
            let list = first["list"].as_i64().unwrap();
            assert_eq!(
                (
                    first["accepted"].as_i64(),
                    first["rejected"].as_array().unwrap().len()
                ),
                (Some(3), 1),
                "{first}"
            );
            let original = rows(r, list).await;
            for format in ["csv", "xlsx"] {
                let resp = get(
                    r,
                    &format!("/api/v1/lists/{list}/export?format={format}"),
                    Role::Viewer,
                )
                .await;
                assert_eq!(resp.status(), StatusCode::OK);
                let sha = resp.headers()["x-content-sha256"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                let bytes = resp.bytes().await.unwrap().to_vec();
                if format == "csv" {
                    let text = String::from_utf8(bytes.clone()).unwrap();
                    assert!(
                        text.contains("'=HYPERLINK")
                            && text.contains(",'-")
                            && text.contains("'@sum"),
                        "{text}"
                    );
                    // The classification line, then the columns as the clerk laid them out.
                    let (classification, rest) = text.split_once('\n').unwrap();
                    assert!(
                        classification.contains("CLASSIFICATION: PERSONAL DATA"),
                        "{text}"
                    );
                    assert!(
                        rest.starts_with("прізвище,ім'я,по батькові,дата народження,примітка\n"),
                        "the columns as the clerk laid them out: {text}"
                    );
                }
                let again = upload(r, bytes, &format!("again.{format}"), "request", None).await;
                let copy = again["list"].as_i64().unwrap();
                assert_eq!(
                    rows(r, copy).await,
                    original,
                    "{} {format}: the rows came back changed",
                    r.backend
                );
                assert_eq!(
                    (
                        again["accepted"].clone(),
                        again["rejected"].as_array().unwrap().len()
                    ),
                    (first["accepted"].clone(), 1)
                );
                // The export is in the log, by its hash.
                let events = json(r, "/api/v1/log/events", Role::Auditor).await;
                assert!(
                    events.to_string().contains(&sha),
                    "{}: no event for the {format} export",
                    r.backend
                );
            }
            // A repeated header and a blank one: every cell is kept and goes out again.
            let odd = upload(
                r,
                "прізвище,примітка,,примітка\nОлійник,перша,без заголовка,друга\n"
                    .as_bytes()
                    .to_vec(),
                "odd.csv",
                "register",
                None,
            )
            .await;
            let text = get(
                r,
                &format!("/api/v1/lists/{}/export?format=csv", odd["list"]),
                Role::Viewer,
            )
            .await
            .text()
            .await
            .unwrap();
            for cell in [
                "перша",
                "без заголовка",
                "друга",
                "примітка (2)",
                "column 3",
            ] {
                assert!(text.contains(cell), "{cell} lost: {text}");
            }
            // The register, filtered to the records of that list, goes out and comes back.
            let csv = get(
                r,
                &format!("/api/v1/register/export?list={list}&format=csv"),
                Role::Viewer,
            )
            .await
            .bytes()
            .await
            .unwrap()
            .to_vec();
            let back = upload(r, csv, "register.csv", "register", None).await;
            assert_eq!(back["accepted"].as_i64(), Some(3), "{back}");
            let names = |page: &Value| -> Vec<(Value, Value, Value, Value)> {
                let mut v: Vec<_> = page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        (
                            p["surname"].clone(),
                            p["given_names"].clone(),
                            p["patronymic"].clone(),
                            p["birth_date"].clone(),
                        )
                    })
                    .collect();
                v.sort_by_key(|t| t.0.to_string());
                v
            };
            let before = json(r, &format!("/api/v1/persons?list={list}"), Role::Viewer).await;
            let after = json(
                r,
                &format!("/api/v1/persons?list={}", back["list"]),
                Role::Viewer,
            )
            .await;
            assert_eq!(
                names(&after),
                names(&before),
                "{}: the register came back changed",
                r.backend
            );
            // PFIF: one person per record, the name as written and its romanisation.
            let xml = get(
                r,
                &format!("/api/v1/register/export?list={list}&format=pfif"),
                Role::Viewer,
            )
            .await
            .text()
            .await
            .unwrap();
            let mut reader = quick_xml::Reader::from_str(&xml);
            let (mut persons, mut notes, mut depth_ok) = (0, 0, true);
            loop {
                match reader.read_event() {
                    Ok(quick_xml::events::Event::Start(e)) => {
                        let name = e.name();
                        if name.as_ref() == "pfif:person" {
                            persons += 1;
                        } else if name.as_ref() == "pfif:note" {
                            notes += 1;
                        }
                    }
                    Ok(quick_xml::events::Event::Eof) => break,
                    Err(e) => {
                        depth_ok = false;
                        eprintln!("{e}");
                        break;
                    }
                    _ => {}
                }
            }
            assert!(depth_ok, "PFIF is well-formed XML");
            assert_eq!((persons, notes), (3, 3));
            assert!(
                xml.contains("xmlns:pfif=\"http://zesty.ca/pfif/1.4\"")
                    && xml.contains("Dovhaliuk Taras Ihorovych"),
                "{xml}"
            );
            assert!(
                xml.contains("<pfif:status>believed_missing</pfif:status>"),
                "an own request list is missing people"
            );
            // PFIF describes records, not lists; an unknown format is named.
            assert_eq!(
                get(
                    r,
                    &format!("/api/v1/lists/{list}/export?format=pfif"),
                    Role::Viewer
                )
                .await
                .status(),
                StatusCode::BAD_REQUEST
            );
            let bad = get(
                r,
                &format!("/api/v1/lists/{list}/export?format=docx"),
                Role::Viewer,
            )
            .await;
            assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
            assert!(bad.text().await.unwrap().contains("docx"));
            // The print view: the hash, every row with its line, its own tight policy.
            let print = get(
                r,
                &format!("/lists/{list}/export?format=print"),
                Role::Viewer,
            )
            .await;
            assert!(
                print.headers()["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .starts_with("default-src 'none'")
            );
            let html = print.text().await.unwrap();
            let sha = json(r, "/api/v1/lists", Role::Viewer)
                .await
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["id"] == list)
                .unwrap()["sha256"]
                .as_str()
                .unwrap()
                .to_owned();
            assert_eq!(
                html.matches(&sha).count(),
                2,
                "in the header and in the footer printed on every page"
            );
            assert!(
                html.contains("id=\"line-5\"") && html.contains("HYPERLINK"),
                "every row, the rejected one too"
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_confirmation_moves_the_status_and_undo_puts_it_back() {
    each_backend(
        "a_confirmation_moves_the_status_and_undo_puts_it_back",
        async |r| {
            let request = upload(
                r,
                REQUEST.as_bytes().to_vec(),
                "request.csv",
                "request",
                None,
            )
            .await["list"]
                .as_i64()
                .unwrap();
            let holding = upload(
                r,
                "ФИО,дата рождения\nДовгалюк Тарас Игоревич,12.05.1999\n"
                    .as_bytes()
                    .to_vec(),
                "held.csv",
                "holding",
                Some("RU"),
            )
            .await["list"]
                .as_i64()
                .unwrap();
            let reviewer = r.token("UA", Role::Reviewer);
            let c = client();
            let report: Value = c
                .post(r.url("/api/v1/reconcile"))
                .bearer_auth(&reviewer)
                .json(&serde_json::json!({"request": request, "holding": holding}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(report["proposed"], 1, "{report}");
            let queue = json(
                r,
                "/api/v1/links?decision=candidate&duplicates=false",
                Role::Reviewer,
            )
            .await;
            let link = queue
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["other_list"] == holding)
                .unwrap();
            let (id, person) = (
                link["id"].as_i64().unwrap(),
                link["person_id"].as_i64().unwrap(),
            );
            let status = async || {
                json(r, &format!("/api/v1/persons/{person}"), Role::Viewer).await["status"].clone()
            };
            assert_eq!(status().await, "missing");
            let decide = async |decision: &str| -> Value {
                c.post(r.url(&format!("/api/v1/links/{id}/decision")))
                    .bearer_auth(&reviewer)
                    .json(&serde_json::json!({"decision": decision}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap()
            };
            let out = decide("accept").await;
            assert_eq!(
                out["status_change"],
                serde_json::json!([person, "missing", "in_custody"]),
                "{out}"
            );
            assert_eq!(status().await, "in_custody");
            // The confirmed view offers undo; undo restores the status and requeues the pair.
            let page = get(r, "/review?show=confirmed", Role::Reviewer)
                .await
                .text()
                .await
                .unwrap();
            assert!(
                page.contains(&format!("id=\"link-{id}\"")) && page.contains("value=\"undo\""),
                "{page}"
            );
            let out = decide("undo").await;
            assert_eq!(out["was"], "confirmed");
            assert_eq!(status().await, "missing");
            assert!(
                json(r, "/api/v1/links?decision=candidate", Role::Reviewer)
                    .await
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["id"] == id),
                "undone: back in the queue"
            );

            // The same request list imported again by mistake (a corrected copy) leaves
            // duplicates in the register: suggested, never merged.
            let copy = REQUEST.replace("Заболотний", "Заболотній");
            upload(r, copy.into_bytes(), "request-copy.csv", "request", None).await;
            let found: Value = c
                .post(r.url("/api/v1/duplicates"))
                .bearer_auth(&reviewer)
                .json(&serde_json::json!({"category": "pow"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(found["proposed"].as_i64().unwrap() >= 3, "{found}");
            let dups = json(
                r,
                "/api/v1/links?decision=candidate&duplicates=true",
                Role::Reviewer,
            )
            .await;
            let dup = dups
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["other_person"].is_i64())
                .unwrap()
                .clone();
            let (a, b) = (
                dup["person_id"].as_i64().unwrap(),
                dup["other_person"].as_i64().unwrap(),
            );
            let before = (
                json(r, &format!("/api/v1/persons/{a}"), Role::Viewer).await,
                json(r, &format!("/api/v1/persons/{b}"), Role::Viewer).await,
            );
            let out: Value = c
                .post(r.url(&format!("/api/v1/links/{}/decision", dup["id"])))
                .bearer_auth(&reviewer)
                .json(&serde_json::json!({"decision": "accept"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(out["now"], "confirmed");
            let after = (
                json(r, &format!("/api/v1/persons/{a}"), Role::Viewer).await,
                json(r, &format!("/api/v1/persons/{b}"), Role::Viewer).await,
            );
            assert_eq!(
                after, before,
                "a confirmed duplicate changes neither record"
            );
            // Looking again proposes nothing already decided.
            let again: Value = c
                .post(r.url("/api/v1/duplicates"))
                .bearer_auth(&reviewer)
                .json(&serde_json::json!({"category": "pow"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(again["already_decided"].as_i64().unwrap() >= 1, "{again}");
            // Viewers may not decide.
            let refused = c
                .post(r.url(&format!("/api/v1/links/{id}/decision")))
                .bearer_auth(r.token("UA", Role::Viewer))
                .json(&serde_json::json!({"decision": "accept"}))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        },
    )
    .await;
}
