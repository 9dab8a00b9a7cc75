//! A family's call through the hotline: in a real Chromium, searched with the family's
//! Latin spelling, the enquiry taken with its consent, news when a reviewer confirms the man
//! on the other side's list, the answer recorded; and through the API, the refusals.

use crate::browser::{body_text, click, go, open_session, sign_in, start_driver, type_into};
use crate::common::{client, each_backend};
use homeward_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A sought man of UA's whose pair with a row of RU's holding list is back in the review
/// queue (a reviewer undid the confirmation): (record, link, surname, given name).
async fn a_man_with_a_candidate(r: &crate::common::Running) -> (i64, i64, String, String) {
    let c = client();
    let links: Value = c
        .get(r.url("/api/v1/links?decision=confirmed&duplicates=false"))
        .bearer_auth(r.token("UA", Role::Reviewer))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for l in links.as_array().unwrap() {
        if l["other_list"].is_null() {
            continue;
        }
        let id = l["person_id"].as_i64().unwrap();
        let p: Value = c
            .get(r.url(&format!("/api/v1/persons/{id}")))
            .bearer_auth(r.token("UA", Role::Hotline))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Not one the demo's families already asked about.
        let asked: Value = c
            .get(r.url(&format!("/api/v1/enquiries?all=true&person={id}")))
            .bearer_auth(r.token("UA", Role::Hotline))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if p["relation"] == "sought"
            && p["category"] == "pow"
            && p["status"] == "in_custody"
            && asked.as_array().is_some_and(|a| a.is_empty())
        {
            let undone = c
                .post(r.url(&format!("/api/v1/links/{}/decision", l["id"])))
                .bearer_auth(r.token("UA", Role::Reviewer))
                .json(&json!({"decision": "undo"}))
                .send()
                .await
                .unwrap();
            assert!(undone.status().is_success());
            return (
                id,
                l["id"].as_i64().unwrap(),
                p["surname"].as_str().unwrap().to_owned(),
                p["given_names"].as_str().unwrap().to_owned(),
            );
        }
    }
    panic!("the demo holds no confirmed pair of a sought prisoner in custody");
}

#[tokio::test]
async fn enquiries_through_the_api_refuse_what_they_must() {
    each_backend("enquiries_through_the_api_refuse_what_they_must", async |r| {
        let c = client();
        let (man, _, _, _) = a_man_with_a_candidate(r).await;
        let body = |consent: Value| {
            json!({"person": man, "asked_by": "Ганна (synthetic)", "contact": "+380 00 000 0002",
                   "kinship": "spouse", "consent": consent})
        };
        let post = |token: String, b: Value| {
            c.post(r.url("/api/v1/enquiries")).bearer_auth(token).json(&b).send()
        };
        let all = async || -> Value {
            c.get(r.url("/api/v1/enquiries?all=true"))
                .bearer_auth(r.token("UA", Role::Hotline))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap()
        };
        let before = all().await;
        assert_eq!(before.as_array().unwrap().len(), 5, "the demo's five families: {before}");
        let no_consent = post(r.token("UA", Role::Hotline), body(Value::Null)).await.unwrap();
        assert_eq!(no_consent.status(), StatusCode::BAD_REQUEST);
        assert!(no_consent.text().await.unwrap().contains("consent"));
        let viewer = post(r.token("UA", Role::Viewer), body(json!([]))).await.unwrap();
        assert_eq!(viewer.status(), StatusCode::FORBIDDEN, "a viewer takes no calls");
        let foreign = post(r.token("RU", Role::Hotline), body(json!([]))).await.unwrap();
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
        assert_eq!(all().await, before, "nothing was recorded");
        let made = post(r.token("UA", Role::Hotline), body(json!(["search", "share_mediator"]))).await.unwrap();
        assert_eq!(made.status(), StatusCode::CREATED);
        let made: Value = made.json().await.unwrap();
        let answered = c
            .post(r.url(&format!("/api/v1/enquiries/{}/answers", made["enquiry"])))
            .bearer_auth(r.token("UA", Role::Hotline))
            .json(&json!({"told": "We are looking (synthetic).", "closes": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(answered.status(), StatusCode::NO_CONTENT);
        let again = c
            .post(r.url(&format!("/api/v1/enquiries/{}/answers", made["enquiry"])))
            .bearer_auth(r.token("UA", Role::Hotline))
            .json(&json!({"told": "again"}))
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hotline_call_from_search_to_enquiry_to_answer_in_the_browser() {
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend(
        "a_hotline_call_from_search_to_enquiry_to_answer_in_the_browser",
        async |r| {
            let c = reqwest::Client::new();
            let (man, link, surname, given) = a_man_with_a_candidate(r).await;
            // The mother spells him in Latin letters, given name first.
            let spelled = format!(
                "{} {}",
                homeward_names::romanise(
                    &given,
                    homeward_names::Standard::Uk2010,
                    homeward_names::Language::Ukrainian
                ),
                homeward_names::romanise(
                    &surname,
                    homeward_names::Standard::Uk2010,
                    homeward_names::Language::Ukrainian
                )
            );
            let (s, _profile) = open_session(&c, &driver).await;
            sign_in(&c, &s, r, &r.token("UA", Role::Hotline)).await;
            let start = body_text(&c, &s, "Families' enquiries").await;
            assert!(
                start.contains("Families' enquiries: 5 open, 0 to call back"),
                "{}: {start}",
                r.backend
            );
            go(&c, &s, r.url("/enquiries/new")).await;
            type_into(&c, &s, "form#enquiry-search input[name=q]", &spelled).await;
            click(&c, &s, "form#enquiry-search button").await;
            let hits = body_text(&c, &s, "This is the person").await;
            assert!(
                hits.contains("This is the person"),
                "{}: {spelled}: {hits}",
                r.backend
            );
            click(&c, &s, &format!("a[href='/enquiries/new?person={man}']")).await;
            body_text(&c, &s, "Who is asking").await;
            type_into(&c, &s, "input[name=asked_by]", "Olena (synthetic mother)").await;
            type_into(&c, &s, "input[name=contact]", "+380 00 000 0003").await;
            click(&c, &s, "select[name=kinship] option[value=parent]").await;
            click(&c, &s, "input[name='consent.search']").await;
            click(&c, &s, "input[name='consent.share_mediator']").await;
            click(&c, &s, "input[name=consent_asked]").await;
            click(&c, &s, "form#enquiry-form button").await;
            let taken = body_text(&c, &s, "The enquiry was recorded").await;
            assert!(
                taken.contains("The enquiry was recorded"),
                "{}: {taken}",
                r.backend
            );
            assert!(
                taken.contains("Nothing new since they were last told"),
                "{taken}"
            );

            // A reviewer confirms him on RU's holding list: the family is to be called back.
            let decided = c
                .post(r.url(&format!("/api/v1/links/{link}/decision")))
                .bearer_auth(r.token("UA", Role::Reviewer))
                .json(&json!({"decision": "accept"}))
                .send()
                .await
                .unwrap();
            assert!(
                decided.status().is_success(),
                "{}",
                decided.text().await.unwrap()
            );
            go(&c, &s, r.url("/enquiries")).await;
            let list = body_text(&c, &s, "Call back").await;
            assert!(
                list.contains("One family should be called back"),
                "{}: {list}",
                r.backend
            );
            assert!(
                list.contains("found on a list of the other side: holding list"),
                "{list}"
            );
            click(&c, &s, "table#enquiries a").await;
            body_text(&c, &s, "What they were told").await;
            type_into(
                &c,
                &s,
                "input[name=told]",
                "He is on Russia's list of prisoners (synthetic).",
            )
            .await;
            click(&c, &s, "form#answer-form button").await;
            let told = body_text(&c, &s, "The answer was recorded").await;
            assert!(
                told.contains("He is on Russia's list of prisoners"),
                "{told}"
            );
            assert!(
                told.contains("Nothing new since they were last told"),
                "{told}"
            );
            go(&c, &s, r.url("/enquiries")).await;
            let list = body_text(&c, &s, "No family is waiting").await;
            assert!(list.contains("No family is waiting"), "{list}");
        },
    )
    .await;
}

/// A man of UA's in a stage not yet executed: his family asks; RU hands him over; the
/// enquiry has news to tell (the move), and once told, none.
#[tokio::test]
async fn a_move_in_a_stage_is_news_for_the_family() {
    each_backend("a_move_in_a_stage_is_news_for_the_family", async |r| {
        let c = client();
        let get = async |path: String, party: &str, role: Role| -> Value {
            c.get(r.url(&path)).bearer_auth(r.token(party, role)).send().await.unwrap().json().await.unwrap()
        };
        let commitments = get("/api/v1/commitments".into(), "UA", Role::Viewer).await;
        let pow = commitments.as_array().unwrap().iter().find(|c| c["terms"]["kind"] == "pow_exchange").unwrap()["id"].as_i64().unwrap();
        let plan = get(format!("/api/v1/commitments/{pow}/plan"), "UA", Role::Viewer).await;
        let (stage, man) = plan["stages"].as_array().unwrap().iter()
            .flat_map(|s| s["persons"].as_array().unwrap().iter().map(move |p| (s["id"].as_i64().unwrap(), p.clone())))
            .find(|(_, p)| p["from"] == "RU" && p["movement"] == "planned")
            .map(|(s, p)| (s, p["person_id"].as_i64().unwrap()))
            .unwrap_or_else(|| panic!("{}: no one planned from RU: {plan}", r.backend));
        let made = c.post(r.url("/api/v1/enquiries")).bearer_auth(r.token("UA", Role::Hotline))
            .json(&json!({"person": man, "asked_by": "Nadiia (synthetic mother)", "contact": "+380 00 000 0004",
                          "kinship": "parent", "consent": ["search", "share_mediator", "share_other_party"]}))
            .send().await.unwrap();
        assert_eq!(made.status(), StatusCode::CREATED, "{}", made.text().await.unwrap());
        let enquiry = made.json::<Value>().await.unwrap()["enquiry"].as_i64().unwrap();
        let moved = c.post(r.url(&format!("/api/v1/stages/{stage}/movements"))).bearer_auth(r.token("RU", Role::Operator))
            .json(&json!({"person": man, "movement": "handed_over"})).send().await.unwrap();
        assert!(moved.status().is_success(), "{}: {}", r.backend, moved.text().await.unwrap());
        let view = get(format!("/api/v1/enquiries/{enquiry}"), "UA", Role::Hotline).await;
        assert_eq!(view["enquiry"]["news"][0]["kind"], "moved", "{view}");
        assert_eq!(view["enquiry"]["news"][0]["movement"], "handed_over");
        let lines = get(format!("/api/v1/enquiries?person={man}"), "UA", Role::Hotline).await;
        assert_eq!(lines[0]["to_answer"], true, "{lines}");
        let told = c.post(r.url(&format!("/api/v1/enquiries/{enquiry}/answers"))).bearer_auth(r.token("UA", Role::Hotline))
            .json(&json!({"told": "He has been handed over; he is on his way (synthetic)."})).send().await.unwrap();
        assert_eq!(told.status(), StatusCode::NO_CONTENT);
        let view = get(format!("/api/v1/enquiries/{enquiry}"), "UA", Role::Hotline).await;
        assert_eq!(view["enquiry"]["news"], json!([]), "{view}");
    })
    .await;
}
