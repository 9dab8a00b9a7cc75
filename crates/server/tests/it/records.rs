//! One record at a time through the API and the pages: entered by hand, corrected with its
//! provenance, its history shown; refusals name the field and change nothing.

use crate::common::{client, each_backend};
use homeward_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_record_is_entered_corrected_and_shown_with_its_history() {
    each_backend(
        "a_record_is_entered_corrected_and_shown_with_its_history",
        async |r| {
            let c = client();
            let operator = r.token("UA", Role::Operator);
            let viewer = r.token("UA", Role::Viewer);
            let entry = json!({
                "relation": "sought",
                "synthetic": true,
                "fields": {"category": "pow", "surname": "Ткачкук", "given_names": "Богдан", "birth_date": "1999"},
                "reason": "his mother called the hotline (synthetic)",
                "source": "call",
                "reference": "call 2025-06-02 09:10"
            });
            let denied = c.post(r.url("/api/v1/persons")).bearer_auth(&viewer).json(&entry).send().await.unwrap();
            assert_eq!(denied.status(), StatusCode::FORBIDDEN, "{}", r.backend);
            let made = c.post(r.url("/api/v1/persons")).bearer_auth(&operator).json(&entry).send().await.unwrap();
            assert_eq!(made.status(), StatusCode::CREATED);
            let id = made.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

            let patch = |set: Value, reason: &str| {
                json!({"set": set, "reason": reason, "source": "document", "reference": "passport (synthetic)"})
            };
            for (set, reason) in [
                (json!({"surname": "Ткачук"}), "misspelt on the call"),
                (json!({"birth_date": "1999-04-02", "unit": "72 ОМБр"}), "from his passport"),
                (json!({"health": "serious"}), "wounded, says the ICRC"),
            ] {
                let done = c
                    .patch(r.url(&format!("/api/v1/persons/{id}")))
                    .bearer_auth(&operator)
                    .json(&patch(set, reason))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(done.status(), StatusCode::OK, "{}", done.text().await.unwrap());
            }
            // Refused, the field named, nothing changed.
            let history_now = async || -> Value {
                c.get(r.url(&format!("/api/v1/persons/{id}/history")))
                    .bearer_auth(&viewer)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap()
            };
            let before = history_now().await;
            for (set, field) in [
                (json!({"birth_date": "2999-01-01"}), "birth_date"),
                (json!({"status": "returned"}), "status"),
                (json!({"surname": "Ш".repeat(301)}), "surname"),
            ] {
                let refused = c
                    .patch(r.url(&format!("/api/v1/persons/{id}")))
                    .bearer_auth(&operator)
                    .json(&patch(set, "test"))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
                let body: Value = refused.json().await.unwrap();
                assert!(body.to_string().contains(field), "{body}");
            }
            let foreign = c
                .patch(r.url(&format!("/api/v1/persons/{id}")))
                .bearer_auth(r.token("RU", Role::Operator))
                .json(&patch(json!({"unit": "1"}), "test"))
                .send()
                .await
                .unwrap();
            assert_eq!(foreign.status(), StatusCode::NOT_FOUND);
            let history = history_now().await;
            assert_eq!(history, before, "nothing changed");
            let fields: Vec<(i64, &str)> = history["changes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| (c["change_no"].as_i64().unwrap(), c["field"].as_str().unwrap()))
                .collect();
            assert_eq!(
                fields,
                vec![
                    (1, "category"), (1, "surname"), (1, "given_names"), (1, "birth_date"),
                    (2, "surname"), (3, "birth_date"), (3, "unit"), (4, "health"),
                ]
            );
            assert_eq!(history["changes"][4]["before"], "Ткачкук");

            // The pages, in Ukrainian: the history shows every change, the values in words.
            let page = c
                .get(r.url(&format!("/persons/{id}/history")))
                .bearer_auth(&operator)
                .header("accept-language", "uk")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(page.contains("Внесено вручну") && page.contains("Ткачкук"), "{page}");
            assert!(page.contains("тяжкопоранений або тяжкохворий"), "health in words: {page}");
            assert!(page.contains("id=\"correct-record\""));
            let viewer_page = c
                .get(r.url(&format!("/persons/{id}/history")))
                .bearer_auth(&viewer)
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(!viewer_page.contains("id=\"correct-record\""), "a viewer is offered no form");

            // The form sends every field with the value shown; only what was changed is
            // corrected.
            let csrf = csrf_of(&page);
            let mut form: Vec<(String, String)> = vec![
                ("csrf".into(), csrf.clone()),
                ("reason".into(), "the unit's roll (synthetic)".into()),
                ("source".into(), "document".into()),
                ("reference".into(), "roll 17".into()),
            ];
            for (field, value) in [("surname", "Ткачук"), ("given_names", "Богдан"), ("unit", "72 ОМБр"), ("health", "serious")] {
                form.push((format!("f.{field}"), value.into()));
                form.push((format!("was.{field}"), value.into()));
            }
            form.push(("f.rank".into(), "солдат".into()));
            form.push(("was.rank".into(), String::new()));
            let sent = c
                .post(r.url(&format!("/persons/{id}/correction")))
                .bearer_auth(&operator)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(sent.status(), StatusCode::SEE_OTHER);
            let done = c
                .get(r.url(sent.headers()["location"].to_str().unwrap()))
                .bearer_auth(&operator)
                .header("accept-language", "uk")
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(done.contains("Виправлено 1 поле"), "{done}");
            assert!(done.contains("солдат"));

            // A refused correction shows the form again with why, in the page's language.
            let mut bad = form.clone();
            bad.retain(|(k, _)| k != "f.rank" && k != "was.rank");
            bad.push(("f.birth_date".into(), "2999-01-01".into()));
            bad.push(("was.birth_date".into(), "1999-04-02".into()));
            let refused = c
                .post(r.url(&format!("/persons/{id}/correction")))
                .bearer_auth(&operator)
                .header("accept-language", "uk")
                .form(&bad)
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::OK);
            let refused = refused.text().await.unwrap();
            assert!(refused.contains("id=\"refused\"") && refused.contains("2999-01-01"), "{refused}");
            assert!(refused.contains("Дата народження"), "the field in Ukrainian: {refused}");

            // Entering by the page's form.
            let new = c.get(r.url("/persons/new")).bearer_auth(&operator).header("accept-language", "ru").send().await.unwrap();
            assert_eq!(new.status(), StatusCode::OK);
            let new = new.text().await.unwrap();
            assert!(new.contains("Внести запись"));
            let entered = c
                .post(r.url("/persons/new"))
                .bearer_auth(&operator)
                .form(&[
                    ("csrf", csrf_of(&new).as_str()),
                    ("relation", "held"),
                    ("f.category", "remains"),
                    ("f.tag_number", "R-0042"),
                    ("f.recovery_date", "2025-05-20"),
                    ("reason", "recovered in sector 4 (synthetic)"),
                    ("source", "observation"),
                    ("reference", ""),
                    ("synthetic", "on"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(entered.status(), StatusCode::SEE_OTHER, "{}", entered.text().await.unwrap());
            let viewer_new = c.get(r.url("/persons/new")).bearer_auth(&viewer).send().await.unwrap();
            assert_eq!(viewer_new.status(), StatusCode::FORBIDDEN);
        },
    )
    .await;
}
