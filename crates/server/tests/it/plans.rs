//! Exchange plans over HTTP on the seeded demo, whose exchange the scenario planned and
//! half executed: the plan's order and parity, execution by the right parties only, the
//! mediator's co-confirmation, and every misuse refused with nothing changed.

use crate::common::{Running, client, each_backend};
use homeward_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn get(r: &Running, path: &str, party: &str, role: Role) -> Value {
    client()
        .get(r.url(path))
        .bearer_auth(r.token(party, role))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn post(
    r: &Running,
    path: &str,
    party: &str,
    role: Role,
    body: Value,
) -> (StatusCode, String) {
    let resp = client()
        .post(r.url(path))
        .bearer_auth(r.token(party, role))
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status(), resp.text().await.unwrap())
}

async fn pow_commitment(r: &Running) -> i64 {
    get(r, "/api/v1/commitments", "UA", Role::Viewer)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["terms"]["kind"] == "pow_exchange")
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_keeps_order_and_parity_and_only_the_right_party_moves_a_person() {
    each_backend(
        "the_plan_keeps_order_and_parity_and_only_the_right_party_moves_a_person",
        async |r| {
            let pow = pow_commitment(r).await;
            let path = format!("/api/v1/commitments/{pow}/plan");
            let plan = get(r, &path, "UA", Role::Viewer).await;
            let stages = plan["stages"].as_array().unwrap();
            assert!(stages.len() >= 3, "{plan}");
            for s in stages {
                let from = |side: &str| {
                    s["persons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|p| p["from"] == side)
                        .count()
                };
                assert_eq!(
                    from("UA"),
                    from("RU"),
                    "{}: stage {} is planned in parity",
                    r.backend,
                    s["seq"]
                );
                // Within a side, ranks rise through the stage.
                for side in ["UA", "RU"] {
                    let ranks: Vec<i64> = s["persons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|p| p["from"] == side)
                        .map(|p| p["rank"].as_i64().unwrap())
                        .collect();
                    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{ranks:?}");
                }
            }
            assert_eq!(
                (
                    stages[0]["state"].as_str(),
                    stages[1]["state"].as_str(),
                    stages[2]["state"].as_str()
                ),
                (Some("closed"), Some("closed"), Some("open"))
            );
            assert!(
                stages[1]["parity_note"]
                    .as_str()
                    .unwrap()
                    .contains("refused repatriation")
            );
            assert_eq!(stages[0]["parity"]["from_a"], stages[0]["parity"]["from_b"]);
            assert!(
                stages[0]["persons"][0]["why"]
                    .as_str()
                    .unwrap()
                    .starts_with("rank 1 of")
            );
            assert!(
                !plan["left_out"].as_array().unwrap().is_empty(),
                "UA sees who it left out and why"
            );
            // The other side and the mediator see the plan, not UA's deliberation.
            for party in ["RU", "TR"] {
                let theirs = get(r, &path, party, Role::Viewer).await;
                assert_eq!(theirs["stages"].as_array().unwrap().len(), stages.len());
                assert!(
                    theirs["left_out"].as_array().unwrap().is_empty(),
                    "{party} sees UA's left-out people"
                );
            }
            let stage3 = &stages[2];
            let stage = stage3["id"].as_i64().unwrap();
            let person = |from: &str| {
                stage3["persons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|p| p["from"] == from)
                    .unwrap()["person_id"]
                    .as_i64()
                    .unwrap()
            };
            let held_by_ru = person("RU");
            let moves = format!("/api/v1/stages/{stage}/movements");
            let refusals = [
                // UA cannot hand over a man RU holds.
                (
                    "UA",
                    Role::Operator,
                    json!({"person": held_by_ru, "movement": "handed_over"}),
                    "only RU",
                ),
                // Nobody receives a man not yet handed over.
                (
                    "UA",
                    Role::Operator,
                    json!({"person": held_by_ru, "movement": "received"}),
                    "handed over",
                ),
                // A withdrawal needs its reason.
                (
                    "RU",
                    Role::Operator,
                    json!({"person": held_by_ru, "movement": "withdrawn"}),
                    "reason",
                ),
                // The mediator does not move people.
                (
                    "TR",
                    Role::Negotiator,
                    json!({"person": held_by_ru, "movement": "withdrawn", "reason": "x"}),
                    "can withdraw",
                ),
                // A person not in the stage.
                (
                    "RU",
                    Role::Operator,
                    json!({"person": 999_999, "movement": "handed_over"}),
                    "not in stage",
                ),
            ];
            for (party, role, body, expected) in refusals {
                let (status, text) = post(r, &moves, party, role, body.clone()).await;
                assert!(
                    status == StatusCode::BAD_REQUEST && text.contains(expected),
                    "{}: {party} {body}: {status} {text}",
                    r.backend
                );
            }
            // A viewer may not move anyone at all.
            let (status, _) = post(
                r,
                &moves,
                "RU",
                Role::Viewer,
                json!({"person": held_by_ru, "movement": "handed_over"}),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            // Nor close a stage with people in between; nor may a side close it.
            let close = format!("/api/v1/stages/{stage}/close");
            let (status, text) = post(r, &close, "TR", Role::Negotiator, json!({})).await;
            assert!(
                status == StatusCode::BAD_REQUEST && text.contains("still planned"),
                "{text}"
            );
            let (status, text) = post(r, &close, "RU", Role::Negotiator, json!({})).await;
            assert!(
                status == StatusCode::BAD_REQUEST && text.contains("mediator"),
                "{text}"
            );
            // A new plan would lose what was executed: refused.
            let (status, text) =
                post(r, &path, "UA", Role::Negotiator, json!({"stage_size": 5})).await;
            assert!(
                status == StatusCode::CONFLICT && text.contains("being executed"),
                "{status} {text}"
            );
            // Nothing of all that changed the plan.
            assert_eq!(
                get(r, &path, "UA", Role::Viewer).await,
                plan,
                "{}: a refusal changed the plan",
                r.backend
            );

            // Stage 3 executed by the right parties, a whole side at a time through the
            // batch route (the first man one by one), then co-confirmed.
            let batch = format!("/api/v1/stages/{stage}/batch");
            let step = |movement: &str| json!({"commitment": pow, "movement": movement});
            let (status, text) = post(r, &batch, "RU", Role::Operator, step("received")).await;
            assert!(
                status == StatusCode::BAD_REQUEST && text.contains("nobody of stage"),
                "{status} {text}"
            );
            let (status, _) = post(r, &batch, "UA", Role::Auditor, step("handed_over")).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            let first = &stage3["persons"][0];
            let (s1, t1) = post(
                r,
                &moves,
                first["from"].as_str().unwrap(),
                Role::Operator,
                json!({"person": first["person_id"], "movement": "handed_over"}),
            )
            .await;
            assert_eq!(s1, StatusCode::NO_CONTENT, "{t1}");
            let everyone = stage3["persons"].as_array().unwrap().len() as i64;
            for movement in ["handed_over", "received"] {
                let mut moved = 0;
                for party in ["UA", "RU"] {
                    let (status, text) =
                        post(r, &batch, party, Role::Operator, step(movement)).await;
                    assert_eq!(status, StatusCode::OK, "{party} {movement}: {text}");
                    let said: Value = serde_json::from_str(&text).unwrap();
                    moved += said["moved"].as_i64().unwrap();
                }
                let expected = if movement == "handed_over" {
                    everyone - 1
                } else {
                    everyone
                };
                assert_eq!(moved, expected, "{}: {movement}", r.backend);
            }
            let (status, text) = post(r, &close, "TR", Role::Negotiator, json!({})).await;
            assert_eq!(status, StatusCode::OK, "{text}");
            // The plan names who closed and who moved by their user names, not store ids.
            let closed = get(r, &path, "UA", Role::Viewer).await;
            let third = &closed["stages"][2];
            assert_eq!(third["closed_by"], "tr-negotiator", "{third}");
            assert!(
                third["persons"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|p| p["moved_by"]
                        .as_str()
                        .is_some_and(|m| m.ends_with("-operator"))),
                "{third}"
            );
            // Fulfilment follows, never typed in.
            let c = get(r, "/api/v1/commitments", "UA", Role::Viewer).await;
            let flows = &c
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["id"] == pow)
                .unwrap()["fulfilment"]["flows"];
            let received: i64 = stages
                .iter()
                .take(3)
                .map(|s| {
                    s["persons"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .filter(|p| p["from"] == "UA")
                        .count() as i64
                })
                .sum::<i64>()
                - 1;
            assert_eq!(flows[0]["received"].as_i64(), Some(received), "{flows}");
            let events = get(r, "/api/v1/log/verify", "UA", Role::Auditor).await;
            assert!(
                events["first_break"].is_null() && events["verified"].as_i64() > Some(0),
                "{events}"
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_builder_page_makes_and_shows_a_plan() {
    each_backend("the_plan_builder_page_makes_and_shows_a_plan", async |r| {
        let pow = pow_commitment(r).await;
        let page = client()
            .get(r.url(&format!("/commitments/{pow}/plan")))
            .bearer_auth(r.token("UA", Role::Negotiator))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("id=\"plan-builder\"")
                && page.contains("Stage 1")
                && page.contains("id=\"left-out\""),
            "{page}"
        );
        assert!(page.contains("GC III art. 110"));
        let theirs = client()
            .get(r.url(&format!("/commitments/{pow}/plan")))
            .bearer_auth(r.token("RU", Role::Negotiator))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(theirs.contains("Stage 1") && !theirs.contains("id=\"left-out\""));
        // The remains commitment has no exchange plan to build.
        let other = get(r, "/api/v1/commitments", "UA", Role::Viewer)
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["terms"]["kind"] == "remains_return")
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        let (status, text) = post(
            r,
            &format!("/api/v1/commitments/{other}/plan"),
            "UA",
            Role::Negotiator,
            json!({"stage_size": 10}),
        )
        .await;
        assert!(
            status == StatusCode::BAD_REQUEST && text.contains("not an exchange of prisoners"),
            "{text}"
        );
        let (status, text) = post(
            r,
            &format!("/api/v1/commitments/{pow}/plan"),
            "UA",
            Role::Negotiator,
            json!({"stage_size": 0}),
        )
        .await;
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::CONFLICT,
            "{text}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rounds_and_commitments_are_recorded_and_changed_under_their_rules() {
    each_backend("rounds_and_commitments_are_recorded_and_changed_under_their_rules", async |r| {
        let round = json!({
            "title": "Istanbul, third round (synthetic)", "held_on": "2025-07-23", "venue": "Çırağan Palace",
            "city": "Istanbul", "mediator": "TR", "notes": "",
            "delegations": [{"party": "UA", "head": "head of the UA delegation", "size": null}, {"party": "RU", "head": "head of the RU delegation", "size": null}]
        });
        let (status, _) = post(r, "/api/v1/rounds", "UA", Role::Viewer, round.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, text) = post(r, "/api/v1/rounds", "UA", Role::Negotiator, round.clone()).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let id = serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap();
        // RU sees it; only UA, which recorded it, changes it.
        assert_eq!(get(r, &format!("/api/v1/rounds/{id}"), "RU", Role::Viewer).await["city"], "Istanbul");
        let mut changed = round.clone();
        changed["notes"] = json!("exchange of 1,200 more agreed");
        let put = |party: &str, body: Value| {
            let (url, token) = (r.url(&format!("/api/v1/rounds/{id}")), r.token(party, Role::Negotiator));
            async move { client().put(url).bearer_auth(token).json(&body).send().await.unwrap() }
        };
        assert_eq!(put("RU", changed.clone()).await.status(), StatusCode::BAD_REQUEST);
        assert_eq!(put("UA", changed.clone()).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(get(r, &format!("/api/v1/rounds/{id}"), "UA", Role::Viewer).await["notes"], "exchange of 1,200 more agreed");
        let mut lonely = round.clone();
        lonely["delegations"] = json!([{"party": "UA", "head": "x", "size": null}]);
        let (status, text) = post(r, "/api/v1/rounds", "UA", Role::Negotiator, lonely).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("two delegations"), "{text}");
        // Commitments: a truce with a negative duration names the rule and the field.
        let commitments = format!("/api/v1/rounds/{id}/commitments");
        let truce = |min: i32| json!({"title": "Local truce (synthetic)", "sides": ["UA", "RU"], "terms": {"kind": "local_truce", "sector": "Zaporizhzhia front", "min_days": min, "max_days": 3, "purpose": "recover the fallen", "start": null}});
        let (status, text) = post(r, &commitments, "UA", Role::Negotiator, truce(-2)).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("min_days") && text.contains("-2"), "{text}");
        let (status, text) = post(r, &commitments, "UA", Role::Negotiator, truce(2)).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let truce_id = serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap();
        // Neither side rewrites the terms alone: RU proposes, UA sees both, UA accepts.
        let amendments = format!("/api/v1/commitments/{truce_id}/amendments");
        let amended = json!({"title": "Local truce, 3 days (synthetic)", "terms": {"kind": "local_truce", "sector": "Zaporizhzhia front", "min_days": 3, "max_days": 3, "purpose": "recover the fallen", "start": "2025-07-25"}});
        let (status, text) = post(r, &amendments, "RU", Role::Negotiator, amended.clone()).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let amendment = serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap();
        let seen = get(r, &format!("/api/v1/commitments/{truce_id}"), "UA", Role::Viewer).await;
        assert_eq!(seen["terms"]["min_days"], 2, "the agreed terms until UA accepts: {seen}");
        assert_eq!(seen["amendment"]["proposed_by"], "RU", "{seen}");
        let (status, text) = post(r, &amendments, "UA", Role::Negotiator, amended.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "one amendment open at a time: {text}");
        let (status, text) = post(r, &amendments, "RU", Role::Negotiator, json!({"title": "x", "terms": {"kind": "remains_return", "quantity_each_way": 10}})).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("new commitment"), "{text}");
        let answer = format!("/api/v1/amendments/{amendment}/answer");
        let (status, text) = post(r, &answer, "RU", Role::Negotiator, json!({"answer": "accept"})).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("other side"), "{text}");
        let (status, _) = post(r, &answer, "TR", Role::Negotiator, json!({"answer": "accept"})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "the mediator is not bound by it");
        let (status, text) = post(r, &answer, "UA", Role::Negotiator, json!({"answer": "accept"})).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let (status, _) = post(r, &answer, "UA", Role::Negotiator, json!({"answer": "decline"})).await;
        assert_eq!(status, StatusCode::CONFLICT, "answered once");
        // Each step is in the log of both sides and of the mediator.
        for party in ["UA", "RU", "TR"] {
            let events = get(r, "/api/v1/log/events", party, Role::Auditor).await;
            let kinds: Vec<&str> = events.as_array().unwrap().iter().filter_map(|e| e["kind"].as_str()).collect();
            for kind in ["commitment.amendment_proposed", "commitment.amendment_accepted"] {
                assert!(kinds.contains(&kind), "{party}'s log lacks {kind}: {kinds:?}");
            }
        }
        let c = get(r, &format!("/api/v1/commitments/{truce_id}"), "TR", Role::Viewer).await;
        assert_eq!(c["terms"]["start"], "2025-07-25");
        assert!(c["fulfilment"]["summary"].as_str().unwrap().contains("3–3 days"));
        // The dashboard offers the forms to negotiators only.
        let page = |role: Role| {
            let (url, token) = (r.url("/"), r.token("UA", role));
            async move { client().get(url).bearer_auth(token).send().await.unwrap().text().await.unwrap() }
        };
        assert!(page(Role::Negotiator).await.contains("id=\"new-round\""));
        assert!(!page(Role::Viewer).await.contains("id=\"new-round\""));
        // An open amendment: the other side is offered the answer, the proposer the
        // withdrawal, a viewer neither.
        let (status, text) = post(r, &amendments, "RU", Role::Negotiator, amended).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let seen_by = |party: &str, role: Role| {
            let (url, token) = (r.url("/"), r.token(party, role));
            async move { client().get(url).bearer_auth(token).send().await.unwrap().text().await.unwrap() }
        };
        let ua = seen_by("UA", Role::Negotiator).await;
        assert!(ua.contains("RU proposes to amend") && ua.contains("value=\"accept\""), "{ua}");
        let ru = seen_by("RU", Role::Negotiator).await;
        assert!(ru.contains("value=\"withdraw\"") && !ru.contains("value=\"accept\""));
        let viewer = seen_by("UA", Role::Viewer).await;
        assert!(viewer.contains("RU proposes to amend") && !viewer.contains("value=\"accept\""));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn children_are_followed_case_by_case_and_the_agreed_ten_are_the_measure() {
    each_backend(
        "children_are_followed_case_by_case_and_the_agreed_ten_are_the_measure",
        async |r| {
            let kids = get(r, "/api/v1/commitments", "UA", Role::Viewer)
                .await
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["terms"]["kind"] == "child_return")
                .unwrap()
                .clone();
            let id = kids["id"].as_i64().unwrap();
            assert_eq!(kids["fulfilment"]["flows"][0]["agreed"], 10);
            assert_eq!(
                kids["fulfilment"]["flows"][0]["received"], 4,
                "two returned and two reunited of the ten"
            );
            let cases = get(
                r,
                &format!("/api/v1/commitments/{id}/children"),
                "UA",
                Role::Viewer,
            )
            .await;
            let cases = cases.as_array().unwrap();
            assert_eq!(cases.len(), 339);
            assert_eq!(cases.iter().filter(|c| c["agreed"] == true).count(), 10);
            // RU does not see UA's register through the cases.
            assert!(
                get(
                    r,
                    &format!("/api/v1/commitments/{id}/children"),
                    "RU",
                    Role::Viewer
                )
                .await
                .as_array()
                .unwrap()
                .is_empty()
            );
            let located = cases
                .iter()
                .find(|c| c["agreed"] == true && c["state"] == "located")
                .unwrap()["person_id"]
                .as_i64()
                .unwrap();
            let step = format!("/api/v1/children/{located}/state");
            let (status, text) =
                post(r, &step, "UA", Role::Operator, json!({"state": "returned"})).await;
            assert!(
                status == StatusCode::BAD_REQUEST
                    && text.contains("to verified")
                    && text.contains(&located.to_string()),
                "{text}"
            );
            let (status, text) = post(
                r,
                &step,
                "UA",
                Role::Operator,
                json!({"state": "requested"}),
            )
            .await;
            assert!(
                status == StatusCode::BAD_REQUEST && text.contains("note"),
                "{text}"
            );
            let (status, _) =
                post(r, &step, "RU", Role::Operator, json!({"state": "verified"})).await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let (status, _) =
                post(r, &step, "UA", Role::Viewer, json!({"state": "verified"})).await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            for s in ["verified", "return_agreed", "returned"] {
                let (status, text) =
                    post(r, &step, "UA", Role::Operator, json!({"state": s})).await;
                assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
            }
            let after = get(r, &format!("/api/v1/commitments/{id}"), "UA", Role::Viewer).await;
            assert_eq!(after["fulfilment"]["flows"][0]["received"], 5);
            assert_eq!(
                get(r, &format!("/api/v1/persons/{located}"), "UA", Role::Viewer).await["status"],
                "returned"
            );
            let page = client()
                .get(r.url(&format!("/commitments/{id}/children")))
                .bearer_auth(r.token("UA", Role::Operator))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(page.contains(&format!("id=\"case-{located}\"")));
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn clashing_truce_windows_are_flagged_and_remains_recovered_under_a_truce_are_linked() {
    each_backend("clashing_truce_windows_are_flagged_and_remains_recovered_under_a_truce_are_linked", async |r| {
        let remains = get(r, "/api/v1/persons?category=remains&per_page=5", "UA", Role::Viewer).await;
        let one = &remains["items"][0];
        let (sector, date) = (one["recovery_site"].as_str().unwrap().to_owned(), one["recovery_date"].as_str().unwrap().to_owned());
        let round = get(r, "/api/v1/rounds", "UA", Role::Viewer).await[0]["id"].as_i64().unwrap();
        let add = async |start: &str, days: (i32, i32)| {
            let body = json!({"title": "Local truce (synthetic)", "sides": ["UA", "RU"], "terms": {"kind": "local_truce", "sector": sector, "min_days": days.0, "max_days": days.1, "purpose": "recover the fallen", "start": start}});
            let (status, text) = post(r, &format!("/api/v1/rounds/{round}/commitments"), "UA", Role::Negotiator, body).await;
            assert_eq!(status, StatusCode::OK, "{text}");
            serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap()
        };
        let first = add(&date, (1, 2)).await;
        let second = add(&date, (3, 3)).await;
        let report = get(r, "/api/v1/truces", "UA", Role::Viewer).await;
        let conflicts = report["conflicts"].as_array().unwrap();
        assert_eq!(conflicts.len(), 1, "{report}");
        assert_eq!(conflicts[0]["commitments"], json!([first, second]));
        assert!(conflicts[0]["problem"].as_str().unwrap().contains("both start"));
        let truce = report["truces"].as_array().unwrap().iter().find(|t| t["commitment"] == first).unwrap();
        assert!(truce["remains_recovered"].as_array().unwrap().contains(&one["id"]), "{truce}");
        // The mediator sees the windows and the clash, not UA's remains.
        let tr = get(r, "/api/v1/truces", "TR", Role::Viewer).await;
        assert_eq!(tr["conflicts"].as_array().unwrap().len(), 1);
        assert!(tr["truces"].as_array().unwrap().iter().all(|t| t["remains_recovered"].as_array().unwrap().is_empty()));
        let page = client().get(r.url("/truces")).bearer_auth(r.token("UA", Role::Viewer)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Windows that clash"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn remains_are_counted_as_received_identified_and_their_families_told() {
    each_backend("remains_are_counted_as_received_identified_and_their_families_told", async |r| {
        let c = get(r, "/api/v1/commitments", "UA", Role::Viewer).await.as_array().unwrap().iter()
            .find(|c| c["terms"]["kind"] == "remains_return").unwrap().clone();
        let id = c["id"].as_i64().unwrap();
        let flows = &c["fulfilment"]["flows"];
        let batches = get(r, &format!("/api/v1/commitments/{id}/batches"), "TR", Role::Viewer).await;
        let counted = |from: &str| batches.as_array().unwrap().iter().filter(|b| b["from"] == from).map(|b| b["received_bodies"].as_i64().unwrap()).sum::<i64>();
        assert_eq!(flows[1]["received"].as_i64(), Some(counted("RU")), "{flows}");
        assert_eq!(flows[0]["received"].as_i64(), Some(counted("UA")));
        // UA hands over a batch; only RU records its receipt, once.
        let path = format!("/api/v1/commitments/{id}/batches");
        let (status, text) = post(r, &path, "UA", Role::Operator, json!({"handed_over_on": "2025-06-20", "bodies": 2, "tags": ["UA-T-1", "UA-T-2", "UA-T-3"]})).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("3 tags for 2 bodies"), "{text}");
        let (status, text) = post(r, &path, "UA", Role::Operator, json!({"handed_over_on": "2025-06-20", "bodies": 3, "tags": ["UA-T-1", "UA-T-2", "UA-T-3"]})).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let batch = serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap();
        let receipt = format!("/api/v1/batches/{batch}/receipt");
        let (status, text) = post(r, &receipt, "UA", Role::Operator, json!({"bodies": 3})).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("only RU"), "{text}");
        let (status, text) = post(r, &receipt, "RU", Role::Operator, json!({"bodies": 3})).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let (status, _) = post(r, &receipt, "RU", Role::Operator, json!({"bodies": 3})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "received once");
        let after = get(r, &format!("/api/v1/commitments/{id}"), "UA", Role::Viewer).await;
        assert_eq!(after["fulfilment"]["flows"][0]["received"].as_i64(), Some(counted("UA") + 3));
        // UA identifies remains it received against one of its missing men.
        let returned = get(r, "/api/v1/persons?category=remains&status=returned&per_page=500", "UA", Role::Viewer).await;
        let remains = returned["items"].as_array().unwrap().iter().find(|p| p["identification"] == "unidentified").unwrap()["id"].as_i64().unwrap();
        let missing = get(r, "/api/v1/persons?category=pow&status=in_custody&per_page=1", "UA", Role::Viewer).await["items"][0]["id"].as_i64().unwrap();
        let identify = format!("/api/v1/remains/{remains}/identification");
        let (status, text) = post(r, &identify, "UA", Role::Operator, json!({"identification": "presumptive"})).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("names the missing person"), "{text}");
        let (status, text) = post(r, &identify, "UA", Role::Operator, json!({"identification": "dna_confirmed", "identified_as": missing})).await;
        assert!(status == StatusCode::BAD_REQUEST && text.contains("presumptive"), "{text}");
        for step in [json!({"identification": "presumptive", "identified_as": missing}), json!({"identification": "dna_confirmed"})] {
            let (status, text) = post(r, &identify, "UA", Role::Operator, step).await;
            assert_eq!(status, StatusCode::NO_CONTENT, "{text}");
        }
        // A death is a restricted status: the identification only proposes it, and a second
        // person with the protection role confirms it.
        let person = get(r, &format!("/api/v1/persons/{missing}"), "UA", Role::Viewer).await;
        assert_eq!((person["status"].as_str(), person["family_notification"].as_str()), (Some("in_custody"), Some("pending")));
        let proposals = get(r, &format!("/api/v1/persons/{missing}/restrictions"), "UA", Role::Viewer).await;
        assert_eq!(proposals[0]["kind"], "deceased", "{proposals}");
        let confirmation = format!("/api/v1/restrictions/{}/confirmation", proposals[0]["id"]);
        assert_eq!(post(r, &confirmation, "UA", Role::Operator, json!({})).await.0, StatusCode::FORBIDDEN);
        let (status, text) = post(r, &confirmation, "UA", Role::Protection, json!({})).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let person = get(r, &format!("/api/v1/persons/{missing}"), "UA", Role::Viewer).await;
        assert_eq!((person["status"].as_str(), person["family_notification"].as_str()), (Some("deceased"), Some("pending")));
        let told = format!("/api/v1/persons/{missing}/family-notified");
        assert_eq!(post(r, &told, "UA", Role::Operator, json!({})).await.0, StatusCode::NO_CONTENT);
        assert_eq!(post(r, &told, "UA", Role::Operator, json!({})).await.0, StatusCode::BAD_REQUEST, "told once");
        // RU cannot identify UA's remains.
        assert_eq!(post(r, &identify, "RU", Role::Operator, json!({"identification": "unidentified"})).await.0, StatusCode::NOT_FOUND);
        let page = client().get(r.url(&format!("/commitments/{id}/remains"))).bearer_auth(r.token("UA", Role::Operator)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains(&format!("id=\"batch-{batch}\"")) && page.contains("Families to be told"), "{page}");
        // Counts per step of identification open the returned remains: the one just
        // identified counts as DNA-confirmed, and its family as told.
        let steps = &page[page.find("id=\"remains-steps-table\"").expect("the steps' counts")..];
        let steps = &steps[..steps.find("</table>").unwrap()];
        assert!(steps.contains("DNA"), "{steps}");
        assert!(steps.contains("0 / "), "no family left to tell: {steps}");
        assert!(page.contains("id=\"remains-steps\""), "the steps drawn");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stage_is_executed_from_the_plan_page() {
    each_backend("a_stage_is_executed_from_the_plan_page", async |r| {
        let pow = pow_commitment(r).await;
        let plan = get(
            r,
            &format!("/api/v1/commitments/{pow}/plan"),
            "UA",
            Role::Viewer,
        )
        .await;
        let stage = plan["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["state"] == "open")
            .unwrap()
            .clone();
        let sid = stage["id"].as_i64().unwrap();
        // Signed in through the form, as an operator would be.
        let c = client();
        let sign_in = async |party: &str| {
            let resp = c
                .post(r.url("/login"))
                .form(&[("token", r.token(party, Role::Operator))])
                .send()
                .await
                .unwrap();
            let cookie = resp
                .headers()
                .get("set-cookie")
                .unwrap()
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .to_owned();
            let page = c
                .get(r.url(&format!("/commitments/{pow}/plan")))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                page.contains(&format!("id=\"stage-{sid}\"")),
                "the page shows the stage"
            );
            let csrf = page
                .split("name=\"csrf\" value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned();
            (cookie, csrf)
        };
        let (ua, ru) = (sign_in("UA").await, sign_in("RU").await);
        for p in stage["persons"].as_array().unwrap() {
            let person = p["person_id"].to_string();
            let (holder, receiver) = if p["from"] == "UA" {
                (&ua, &ru)
            } else {
                (&ru, &ua)
            };
            for ((cookie, csrf), movement) in [(holder, "handed_over"), (receiver, "received")] {
                let resp = c
                    .post(r.url(&format!("/stages/{sid}/movements")))
                    .header("cookie", cookie)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("commitment", &pow.to_string()),
                        ("person", &person),
                        ("movement", movement),
                        ("reason", ""),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(
                    resp.status(),
                    StatusCode::SEE_OTHER,
                    "{} {movement} {person}",
                    r.backend
                );
            }
        }
        let after = get(
            r,
            &format!("/api/v1/commitments/{pow}/plan"),
            "UA",
            Role::Viewer,
        )
        .await;
        let s = after["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == sid)
            .unwrap();
        assert_eq!(s["parity"]["open"], 0);
        assert_eq!(s["parity"]["from_a"], s["parity"]["from_b"]);
        // Forged: a form without the session's token changes nothing.
        let resp = c
            .post(r.url(&format!("/stages/{sid}/close")))
            .header("cookie", &ua.0)
            .form(&[("csrf", "forged"), ("commitment", &pow.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_exchange_is_planned_from_the_plan_builder_page() {
    each_backend("a_new_exchange_is_planned_from_the_plan_builder_page", async |r| {
        let round = get(r, "/api/v1/rounds", "UA", Role::Viewer).await[0]["id"].as_i64().unwrap();
        let body = json!({"title": "Exchange of the seriously wounded (synthetic)", "sides": ["UA", "RU"], "terms": {
            "kind": "pow_exchange", "quantity_each_way": 50, "extra_tranche": null, "parity": "per_stage",
            "priorities": [], "categories": ["pow"], "deadline": null}});
        let (status, text) = post(r, &format!("/api/v1/rounds/{round}/commitments"), "UA", Role::Negotiator, body).await;
        assert_eq!(status, StatusCode::OK, "{text}");
        let id = serde_json::from_str::<Value>(&text).unwrap()["id"].as_i64().unwrap();
        let c = client();
        let resp = c.post(r.url("/login")).form(&[("token", r.token("UA", Role::Negotiator))]).send().await.unwrap();
        let cookie = resp.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
        let page = c.get(r.url(&format!("/commitments/{id}/plan"))).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("No plan yet."));
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let made = c.post(r.url(&format!("/commitments/{id}/plan"))).header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str()), ("stage_size", "10"), ("stage_dates", "2025-07-01, 2025-07-08")])
            .send().await.unwrap().text().await.unwrap();
        assert!(made.contains("id=\"plan-message\"") && made.contains("made:"), "{made}");
        // Everyone is accounted for: the people of the first exchange are left out with the reason.
        assert!(made.contains("in the plan of commitment"), "{made}");
        let plan = get(r, &format!("/api/v1/commitments/{id}/plan"), "UA", Role::Viewer).await;
        assert_eq!(plan["request"]["stage_dates"], json!(["2025-07-01", "2025-07-08"]));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_persons_page_tells_where_the_person_has_been() {
    each_backend(
        "a_persons_page_tells_where_the_person_has_been",
        async |r| {
            let pow = pow_commitment(r).await;
            let plan = get(
                r,
                &format!("/api/v1/commitments/{pow}/plan"),
                "UA",
                Role::Viewer,
            )
            .await;
            // A man UA holds, handed over in stage 1 and received by RU.
            let p = plan["stages"][0]["persons"]
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["from"] == "UA" && p["movement"] == "received")
                .unwrap()
                .clone();
            let id = p["person_id"].as_i64().unwrap();
            let story = get(
                r,
                &format!("/api/v1/persons/{id}/story"),
                "UA",
                Role::Viewer,
            )
            .await;
            assert_eq!(story["source"]["issuer"], "UA", "{}: {story}", r.backend);
            let stages = story["stages"].as_array().unwrap();
            assert_eq!(stages.len(), 1, "{story}");
            assert_eq!(stages[0]["seq"], 1);
            assert_eq!(stages[0]["movement"], "received");
            assert_eq!(stages[0]["moved_by"], "ru-operator", "{story}");
            assert!(
                story["links"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["decision"] == "confirmed" && l["decided_by"] == "ua-reviewer"),
                "{story}"
            );
            // The page says it in the reader's language.
            let html = client()
                .get(r.url(&format!("/persons/{id}")))
                .bearer_auth(r.token("UA", Role::Viewer))
                .header("Accept-Language", "uk")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(html.contains("Де побувала ця особа"), "{html}");
            assert!(html.contains("id=\"story-stages\""), "{html}");
            // Another party's reader finds no such record.
            let resp = client()
                .get(r.url(&format!("/api/v1/persons/{id}/story")))
                .bearer_auth(r.token("RU", Role::Viewer))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        },
    )
    .await;
}
