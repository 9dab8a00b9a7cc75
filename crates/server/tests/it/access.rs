//! The access rule, route by route: a party never sees another party's register.

use crate::common::{client, each_backend};
use homeward_core::access::Role;
use reqwest::StatusCode;
use std::collections::BTreeSet;

/// Everything that identifies UA's records: ids and record hashes, read as UA.
async fn ua_markers(r: &crate::common::Running) -> (Vec<i64>, BTreeSet<String>, String) {
    let c = client();
    let mut ids = Vec::new();
    let mut hashes = BTreeSet::new();
    let mut a_name = String::new();
    let mut page = 1;
    loop {
        let body: serde_json::Value = c
            .get(r.url(&format!("/api/v1/persons?per_page=500&page={page}")))
            .bearer_auth(r.token("UA", Role::Viewer))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let items = body["items"].as_array().unwrap().clone();
        for p in &items {
            if a_name.is_empty() {
                a_name = format!(
                    "{} {}",
                    p["surname"].as_str().unwrap_or(""),
                    p["given_names"].as_str().unwrap_or("")
                );
            }
            ids.push(p["id"].as_i64().unwrap());
            hashes.insert(p["record_sha256"].as_str().unwrap().to_owned());
        }
        if items.len() < 500 {
            break;
        }
        page += 1;
    }
    assert!(
        ids.len() > 300,
        "the seeded UA register should not be empty"
    );
    (ids, hashes, a_name)
}

#[tokio::test(flavor = "multi_thread")]
async fn no_route_shows_one_party_the_register_of_another() {
    each_backend(
        "no_route_shows_one_party_the_register_of_another",
        async |r| {
            let (ua_ids, ua_hashes, ua_name) = ua_markers(r).await;
            // The UA person's name really is found by UA: the search below is a real one.
            let own = client()
                .get(r.url("/api/v1/search"))
                .query(&[("q", &ua_name)])
                .bearer_auth(r.token("UA", Role::Viewer))
                .send()
                .await
                .unwrap();
            assert!(
                own.text().await.unwrap().contains("record_sha256"),
                "UA finds its own {ua_name}"
            );
            let c = client();
            // A list of UA's own register, addressed to no one.
            let lists: serde_json::Value = c
                .get(r.url("/api/v1/lists"))
                .bearer_auth(r.token("UA", Role::Viewer))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let ua_list = lists
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["kind"] == "register" && l["issuer"] == "UA")
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            // The exchange commitment and a stage of its plan: shared by the sides and the
            // mediator, so seen by RU and TR too — but never UA's deliberation about who was
            // left out, and never a record hash.
            let commitments: serde_json::Value = c
                .get(r.url("/api/v1/commitments"))
                .bearer_auth(r.token("UA", Role::Viewer))
                .send().await.unwrap().json().await.unwrap();
            let pow = commitments.as_array().unwrap().iter()
                .find(|c| c["terms"]["kind"] == "pow_exchange").unwrap()["id"].as_i64().unwrap();
            let plan: serde_json::Value = c
                .get(r.url(&format!("/api/v1/commitments/{pow}/plan")))
                .bearer_auth(r.token("UA", Role::Viewer))
                .send().await.unwrap().json().await.unwrap();
            assert!(!plan["left_out"].as_array().unwrap().is_empty(), "UA sees what it left out");
            let stage = plan["stages"][2]["id"].as_i64().unwrap();
            let round = commitments[0]["round_id"].as_i64().unwrap();
            let mut checked = 0;
            for path in homeward_server::route_paths() {
                if path == "/logout" || path == "/login" {
                    continue; // forms without data; covered in pages.rs
                }
                let concrete = path
                    .replace("{id}", &ua_ids[0].to_string())
                    .replace("{list}", &ua_list.to_string()).replace("{link}", "1")
                    .replace("{commitment}", &pow.to_string()).replace("{stage}", &stage.to_string())
                    .replace("{round}", &round.to_string()).replace("{person}", &ua_ids[0].to_string());
                let shared = path.contains("{commitment}") || path.contains("{stage}") || path.contains("{round}");
                for party in ["RU", "TR"] {
                    for role in Role::ALL {
                        let mut request = c.get(r.url(&concrete)).bearer_auth(r.token(party, role));
                        if path.ends_with("/search") {
                            // A real search for a UA person's name.
                            request = request.query(&[("q", &ua_name)]);
                        }
                        let mut resp = request.send().await.unwrap();
                        if resp.status() == StatusCode::METHOD_NOT_ALLOWED {
                            // A route that only takes POST: the same caller posts to it.
                            let post = c.post(r.url(&concrete)).bearer_auth(r.token(party, role));
                            let post = if path.starts_with("/api/") {
                                post.json(&serde_json::json!({"request": ua_list, "holding": ua_list, "decision": "accept", "stage_size": 1, "person": ua_ids[0], "movement": "received", "note": "", "state": "located",
                                    "identification": "unidentified", "bodies": 1, "handed_over_on": "2025-01-01",
                                    "proof": {}, "key": ""}))
                            } else {
                                let list = ua_list.to_string();
                                let (pow, person) = (pow.to_string(), ua_ids[0].to_string());
                                post.form(&[("csrf", ""), ("decision", "accept"), ("request", list.as_str()), ("holding", list.as_str()),
                                    ("commitment", pow.as_str()), ("person", person.as_str()), ("movement", "received"), ("note", ""),
                                    ("title", "x"), ("held_on", "2025-01-01"), ("terms", "{}"), ("state", "located")])
                            };
                            resp = post.send().await.unwrap();
                            // Looking for duplicates works on the caller's own register only.
                            // These act on the caller's own register or on what the caller sends.
                            let own_register = path.ends_with("/duplicates") || path.ends_with("/log/proof") || path.ends_with("/proofs/verify");
                            assert!(own_register || !resp.status().is_success(), "{} POST {concrete} as {party} {role} succeeded", r.backend);
                        }
                        let status = resp.status();
                        let body = resp.text().await.unwrap();
                        assert!(
                            [StatusCode::OK, StatusCode::FORBIDDEN, StatusCode::NOT_FOUND, StatusCode::BAD_REQUEST]
                                .contains(&status),
                            "{} {concrete} as {party} {role}: unexpected {status}",
                            r.backend
                        );
                        if shared && status == StatusCode::OK && path.ends_with("/plan") {
                            let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
                            assert!(
                                v["left_out"].as_array().is_none_or(|l| l.is_empty()) && !body.contains("left-out"),
                                "{} {concrete} as {party} {role} shows UA's left-out people",
                                r.backend
                            );
                        }
                        if !shared && (path.contains("{id}") || path.contains("{list}") || path.contains("{link}")) {
                            assert!(
                                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                                "{} {concrete} as {party} {role} must be refused, got {status}",
                                r.backend
                            );
                        }
                        for h in &ua_hashes {
                            assert!(
                                !body.contains(h.as_str()),
                                "{} {concrete} as {party} {role} leaked a UA record",
                                r.backend
                            );
                        }
                        checked += 1;
                    }
                }
            }
            assert!(
                checked >= 12 * 12,
                "every route was checked for both foreign parties and all roles"
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_documented_route_is_routed_and_checked() {
    each_backend("every_documented_route_is_routed_and_checked", async |r| {
        let c = client();
        let doc: serde_json::Value = c
            .get(r.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let documented = doc["paths"].as_object().unwrap();
        assert!(
            documented.len() >= 40,
            "{} paths documented",
            documented.len()
        );
        let mut operations = 0;
        for (path, item) in documented {
            let concrete = path
                .replace("{id}", "1")
                .replace("{list}", "1")
                .replace("{link}", "1")
                .replace("{commitment}", "1")
                .replace("{stage}", "1")
                .replace("{round}", "1")
                .replace("{person}", "1");
            for method in ["get", "post", "put", "delete", "patch"] {
                let Some(operation) = item.get(method) else {
                    continue;
                };
                operations += 1;
                // The live router answers the documented method: a route it does not
                // have would be 404 or 405, not the refusal of a caller without a token.
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let resp = c
                    .request(method.clone(), r.url(&concrete))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    resp.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} without a token"
                );
                let body: serde_json::Value = resp.json().await.unwrap();
                assert_eq!(
                    body["status"], 401,
                    "{method} {path}: the documented error body"
                );
                let responses = operation["responses"].as_object().unwrap();
                for status in ["400", "401", "403", "500"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} documents {status}"
                    );
                }
                for (status, response) in responses {
                    assert!(
                        !response["description"]
                            .as_str()
                            .unwrap_or_default()
                            .is_empty(),
                        "{method} {path} {status} has a description"
                    );
                }
            }
        }
        assert!(operations > documented.len(), "{operations} operations");
        // The other way needs no test: a route is added only through utoipa-axum's
        // `routes!`, which documents it (the architecture test keeps `.route(` out of api/).
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_credentials_nothing_is_served() {
    each_backend("without_credentials_nothing_is_served", async |r| {
        let c = client();
        for path in homeward_server::route_paths() {
            if ["/login", "/static/app.css", "/api/v1/openapi.json"].contains(&path.as_str()) {
                continue; // public: no data
            }
            let concrete = path
                .replace("{id}", "1")
                .replace("{list}", "1")
                .replace("{link}", "1");
            let no_token = if path == "/logout" {
                c.post(r.url(&concrete))
            } else {
                c.get(r.url(&concrete))
            };
            let mut status = no_token.send().await.unwrap().status();
            if status == StatusCode::METHOD_NOT_ALLOWED {
                status = c
                    .post(r.url(&concrete))
                    .json(&serde_json::json!({}))
                    .send()
                    .await
                    .unwrap()
                    .status();
            }
            if path.starts_with("/api/") {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{concrete}");
            } else {
                assert_eq!(
                    status,
                    StatusCode::SEE_OTHER,
                    "{concrete} should send to sign-in"
                );
            }
            let bad = c
                .get(r.url(&concrete))
                .bearer_auth("hwt_not-a-token")
                .send()
                .await
                .unwrap()
                .status();
            assert!(
                bad == StatusCode::UNAUTHORIZED
                    || bad == StatusCode::SEE_OTHER
                    || bad == StatusCode::METHOD_NOT_ALLOWED,
                "{concrete}: {bad}"
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn roles_decide_within_a_party() {
    each_backend("roles_decide_within_a_party", async |r| {
        let c = client();
        let get = async |path: &str, role| {
            c.get(r.url(path))
                .bearer_auth(r.token("UA", role))
                .send()
                .await
                .unwrap()
                .status()
        };
        assert_eq!(
            get("/api/v1/persons", Role::Auditor).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get("/api/v1/log/verify", Role::Viewer).await,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            get("/api/v1/log/verify", Role::Auditor).await,
            StatusCode::OK
        );
        assert_eq!(get("/api/v1/persons", Role::Viewer).await, StatusCode::OK);
        let body: serde_json::Value = c
            .get(r.url("/api/v1/persons?category=bogus"))
            .bearer_auth(r.token("UA", Role::Viewer))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["status"], 400);
        assert!(
            body["error"].as_str().unwrap().contains("Category"),
            "{body}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn input_errors_come_back_in_the_documented_shape() {
    each_backend(
        "input_errors_come_back_in_the_documented_shape",
        async |r| {
            let c = client();
            let token = r.token("UA", Role::Reviewer);
            let answer = async |request: reqwest::RequestBuilder| {
                let resp = request.send().await.unwrap();
                let status = resp.status();
                let body: serde_json::Value = resp.json().await.expect("a JSON error body");
                assert_eq!(body["status"], status.as_u16(), "{body}");
                (status, body["error"].as_str().unwrap().to_owned())
            };
            // A query value that does not fit names its parameter.
            let (status, error) =
                answer(c.get(r.url("/api/v1/persons?page=abc")).bearer_auth(&token)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(error.contains("page"), "{error}");
            // A page past what can be counted is refused, not wrapped round.
            let (status, error) = answer(
                c.get(r.url("/api/v1/persons?page=288230376151711746"))
                    .bearer_auth(&token),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(error.contains("page"), "{error}");
            // A body field that does not fit names its place.
            let (status, error) = answer(
                c.post(r.url("/api/v1/reconcile"))
                    .bearer_auth(&token)
                    .json(&serde_json::json!({"request": "one", "holding": 2})),
            )
            .await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            assert!(error.contains("request"), "{error}");
            // A body that is not JSON is 415; one over the limit is 413 with the limit.
            let (status, _) = answer(
                c.post(r.url("/api/v1/reconcile"))
                    .bearer_auth(&token)
                    .header("content-type", "text/plain")
                    .body("request=1"),
            )
            .await;
            assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
            let (status, error) = answer(
                c.post(r.url("/api/v1/reconcile"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(vec![b' '; 3 * 1024 * 1024]),
            )
            .await;
            assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
            assert!(error.contains("2 MiB"), "{error}");
        },
    )
    .await;
}
