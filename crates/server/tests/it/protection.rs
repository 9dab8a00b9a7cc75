//! Protection over HTTP: a viewer asking for a child's record through every route that
//! shows people gets it masked or not at all, and each such read is audited; a restricted
//! status needs the permission and a second person; the auditors' page shows the reads.
//! Synthetic people only.

use crate::common::{client, each_backend, upload_as};
use homeward_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread")]
async fn a_childs_record_is_masked_for_a_viewer_through_every_route() {
    each_backend(
        "a_childs_record_is_masked_for_a_viewer_through_every_route",
        async |r| {
            let c = client();
            let get = async |path: &str, role: Role| -> (StatusCode, String) {
                let resp = c
                    .get(r.url(path))
                    .bearer_auth(r.token("UA", role))
                    .send()
                    .await
                    .unwrap();
                (resp.status(), resp.text().await.unwrap())
            };
            // The protection officer sees a child of UA's children list, by name.
            let (_, page) = get(
                "/api/v1/persons?category=child&per_page=1",
                Role::Protection,
            )
            .await;
            let page: Value = serde_json::from_str(&page).unwrap();
            let child = &page["items"][0];
            let (id, surname, given) = (
                child["id"].as_i64().unwrap(),
                child["surname"].as_str().unwrap().to_owned(),
                child["given_names"].as_str().unwrap().to_owned(),
            );
            let list = child["source_list"].as_i64().unwrap();
            let (_, found) = get(
                &format!("/api/v1/search?q={surname}%20{given}"),
                Role::Protection,
            )
            .await;
            assert!(
                found.contains(&surname),
                "the officer finds the child: {found}"
            );
            let (_, commitments) = get("/api/v1/commitments", Role::Viewer).await;
            let commitments: Value = serde_json::from_str(&commitments).unwrap();
            let children = commitments
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["terms"]["kind"] == "child_return")
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            let (_, cases) = get(
                &format!("/api/v1/commitments/{children}/children"),
                Role::Protection,
            )
            .await;
            let (cased, cased_name) = {
                let cases: Value = serde_json::from_str(&cases).unwrap();
                (
                    cases[0]["person_id"].as_i64().unwrap(),
                    cases[0]["name"].as_str().unwrap().to_owned(),
                )
            };
            assert!(
                !cased_name.contains("[protected]"),
                "the officer sees the child's name"
            );
            let (_, shown) = get(
                &format!("/api/v1/commitments/{children}/children"),
                Role::Viewer,
            )
            .await;
            assert!(
                !shown.contains(&cased_name) && shown.contains("[protected]"),
                "{shown}"
            );
            let (_, page) = get(&format!("/commitments/{children}/children"), Role::Viewer).await;
            assert!(
                !page.contains(&cased_name),
                "the children page masks the name of child {cased}"
            );
            // Every route that shows people, as a viewer: the child's name appears nowhere.
            let routes = [
                format!("/api/v1/persons/{id}?purpose=hotline%20call"),
                "/api/v1/persons?category=child&per_page=500".to_owned(),
                format!("/api/v1/search?q={surname}%20{given}"),
                format!("/api/v1/lists/{list}/rows"),
                format!("/api/v1/lists/{list}/export?format=csv"),
                format!("/api/v1/lists/{list}/export?format=json"),
                "/api/v1/register/export?format=csv&category=child".to_owned(),
                "/api/v1/register/export?format=pfif&category=child".to_owned(),
                format!("/persons/{id}"),
                "/persons?category=child".to_owned(),
                format!("/search?q={surname}%20{given}"),
                format!("/lists/{list}/export?format=print"),
                "/register/export?format=json&category=child".to_owned(),
            ];
            for route in &routes {
                let (status, body) = get(route, Role::Viewer).await;
                assert!(
                    [StatusCode::OK, StatusCode::FORBIDDEN].contains(&status),
                    "{} {route}: {status}",
                    r.backend
                );
                // The search page shows back what was typed: there, no hit may lead to the
                // child.
                let shown = if route.starts_with("/search") {
                    body.contains(&format!("/persons/{id}\""))
                } else {
                    body.contains(&surname)
                };
                assert!(!shown, "{} {route} shows the child to a viewer", r.backend);
            }
            let (_, record) = get(&format!("/api/v1/persons/{id}"), Role::Viewer).await;
            let record: Value = serde_json::from_str(&record).unwrap();
            assert_eq!(
                (record["masked"].as_bool(), record["surname"].as_str()),
                (Some(true), Some("[protected]"))
            );
            let (_, page) = get(&format!("/persons/{id}"), Role::Viewer).await;
            assert!(
                page.contains("id=\"masked\""),
                "the page says the record is protected"
            );
            // The auditors see the masked reads, with their purpose.
            let (status, reads) = get(
                &format!("/api/v1/audit/reads?person={id}&action=refused"),
                Role::Auditor,
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{reads}");
            let reads: Value = serde_json::from_str(&reads).unwrap();
            assert!(reads.as_array().unwrap().len() >= 2, "{reads}");
            assert!(
                reads
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["purpose"] == "hotline call"),
                "{reads}"
            );
            let (_, exports) = get(
                "/api/v1/audit/reads?action=export&limit=5000",
                Role::Auditor,
            )
            .await;
            assert!(
                exports.contains(&format!("\"person_id\":{id}")),
                "the viewer's export of the child is audited"
            );
            let (status, audit_page) = get(&format!("/audit?person={id}"), Role::Auditor).await;
            assert_eq!(status, StatusCode::OK);
            assert!(audit_page.contains("hotline call"), "{audit_page}");
            assert_eq!(get("/audit", Role::Viewer).await.0, StatusCode::FORBIDDEN);

            // The officer sees the children unmasked: an unencrypted export of them is refused
            // (and audited), unless an admin allows that one export; encrypted to the
            // recipient's age key it is written, and only that key opens it.
            let export = "/api/v1/register/export?format=csv&category=child";
            let (status, refused) = get(export, Role::Protection).await;
            assert!(
                status == StatusCode::BAD_REQUEST && refused.contains("encrypt it"),
                "{refused}"
            );
            let (_, audit) = get(
                "/api/v1/audit/reads?action=refused&limit=5000",
                Role::Auditor,
            )
            .await;
            assert!(
                audit.contains("an unprotected export of protected records was refused"),
                "{audit}"
            );
            let allowed = format!("{export}&allow_unprotected=true");
            assert_eq!(
                get(&allowed, Role::Protection).await.0,
                StatusCode::FORBIDDEN,
                "only an admin allows it"
            );
            let (status, plain) = get(&allowed, Role::Admin).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                plain.starts_with("\"CLASSIFICATION: PERSONAL DATA") && plain.contains(&surname)
            );
            let (_, events) = get("/api/v1/log/events?limit=5", Role::Auditor).await;
            assert!(
                events.contains("allowed by user:"),
                "the event says the admin allowed it: {events}"
            );
            let identity = age::x25519::Identity::generate();
            let recipient = identity.to_public().to_string();
            let resp = c
                .get(r.url(&format!("{export}&recipient={recipient}")))
                .bearer_auth(r.token("UA", Role::Protection))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let disposition = resp.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .to_owned();
            assert!(disposition.contains(".csv.age"), "{disposition}");
            let sealed = resp.bytes().await.unwrap().to_vec();
            assert!(
                !sealed
                    .windows(surname.len())
                    .any(|w| w == surname.as_bytes())
            );
            let decryptor = age::Decryptor::new(sealed.as_slice()).unwrap();
            let mut reader = decryptor
                .decrypt(std::iter::once(&identity as &dyn age::Identity))
                .unwrap();
            let mut opened = String::new();
            std::io::Read::read_to_string(&mut reader, &mut opened).unwrap();
            assert!(opened.contains(&surname) && opened.starts_with("\"CLASSIFICATION"));
            let other = age::x25519::Identity::generate();
            let decryptor = age::Decryptor::new(sealed.as_slice()).unwrap();
            assert!(
                decryptor
                    .decrypt(std::iter::once(&other as &dyn age::Identity))
                    .is_err()
            );
            // The register page's export form asks the same of the page route.
            let resp = c
                .get(r.url(&format!(
                    "/register/export?format=csv&category=child&recipient={recipient}"
                )))
                .bearer_auth(r.token("UA", Role::Protection))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            assert!(
                resp.headers()["content-disposition"]
                    .to_str()
                    .unwrap()
                    .contains(".age")
            );
            let (_, form) = get("/persons?category=child", Role::Protection).await;
            assert!(
                form.contains("name=\"recipient\""),
                "the export form asks for a recipient"
            );
            let (status, bad) =
                get(&format!("{export}&recipient=age1notakey"), Role::Protection).await;
            assert!(
                status == StatusCode::BAD_REQUEST && bad.contains("not an age public key"),
                "{bad}"
            );

            // A restricted status through the API: not by a viewer, not confirmed by its proposer.
            let post = async |path: &str, role: Role, body: Value| -> (StatusCode, String) {
                let resp = c
                    .post(r.url(path))
                    .bearer_auth(r.token("UA", role))
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                (resp.status(), resp.text().await.unwrap())
            };
            let restrict = format!("/api/v1/persons/{id}/restrictions");
            assert_eq!(
                post(
                    &restrict,
                    Role::Viewer,
                    json!({"kind": "harmful_information"})
                )
                .await
                .0,
                StatusCode::FORBIDDEN
            );
            let (status, proposal) = post(
                &restrict,
                Role::Reviewer,
                json!({"kind": "harmful_information"}),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{proposal}");
            let confirm = format!("/api/v1/restrictions/{proposal}/confirmation");
            let (status, same) = post(&confirm, Role::Reviewer, json!({})).await;
            assert!(
                status == StatusCode::BAD_REQUEST && same.contains("second person"),
                "{same}"
            );
            let (status, done) = post(&confirm, Role::Protection, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{done}");
            let (status, again) = post(&confirm, Role::Protection, json!({})).await;
            assert_eq!(status, StatusCode::CONFLICT, "{again}");
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn matching_leaves_out_a_request_its_family_did_not_agree_to_search() {
    each_backend(
        "matching_leaves_out_a_request_its_family_did_not_agree_to_search",
        async |r| {
            let c = client();
            let request = upload_as(
                r,
                "UA",
                "прізвище,ім'я,дата народження\nҐудзенко,Любомир,03.04.1993\n"
                    .as_bytes()
                    .to_vec(),
                "consent-request.csv",
                "request",
                &[],
            )
            .await["list"]
                .as_i64()
                .unwrap();
            let holding = upload_as(
                r,
                "UA",
                "фамилия,имя,дата рождения\nГудзенко,Любомир,03.04.1993\n"
                    .as_bytes()
                    .to_vec(),
                "consent-holding.csv",
                "holding",
                &[("from", "RU")],
            )
            .await["list"]
                .as_i64()
                .unwrap();
            let rows: Value = c
                .get(r.url(&format!("/api/v1/lists/{request}/rows")))
                .bearer_auth(r.token("UA", Role::Operator))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let person = rows[0]["person_id"].as_i64().unwrap();
            let resp = c
                .post(r.url(&format!("/api/v1/persons/{person}/consent")))
                .bearer_auth(r.token("UA", Role::Operator))
                .json(&json!({"purposes": ["share_other_party"]}))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::NO_CONTENT);
            let report: Value = c
                .post(r.url("/api/v1/reconcile"))
                .bearer_auth(r.token("UA", Role::Reviewer))
                .json(&json!({"request": request, "holding": holding}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(report["proposed"], 0, "{report}");
            assert_eq!(report["left_out"][0]["person"], person, "{report}");
            assert_eq!(
                report["left_out"][0]["why"],
                "the family agreed to share_other_party, not to search"
            );
            let page = c
                .post(r.url("/review/reconcile"))
                .bearer_auth(r.token("UA", Role::Reviewer))
                .form(&[
                    ("csrf", String::new()),
                    ("request", request.to_string()),
                    ("holding", holding.to_string()),
                ])
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                page.contains(
                    "was left out: the family agreed to share_other_party, not to search"
                ),
                "{page}"
            );
            // With search agreed, the same pair is proposed.
            c.post(r.url(&format!("/api/v1/persons/{person}/consent")))
                .bearer_auth(r.token("UA", Role::Operator))
                .json(&json!({"purposes": ["search"]}))
                .send()
                .await
                .unwrap();
            let report: Value = c
                .post(r.url("/api/v1/reconcile"))
                .bearer_auth(r.token("UA", Role::Reviewer))
                .json(&json!({"request": request, "holding": holding}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(report["proposed"], 1, "{report}");
        },
    )
    .await;
}
