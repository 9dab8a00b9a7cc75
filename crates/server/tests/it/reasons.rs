//! Reasons the planner and the read audit give are kept as codes with their values and
//! said in the page's language: in Ukrainian, no English sentence of theirs shows.

use crate::common::{Running, Session, client, each_backend};
use homeward_core::access::Role;
use reqwest::StatusCode;
use serde_json::Value;

async fn api(r: &Running, path: &str, role: Role) -> Value {
    client()
        .get(r.url(path))
        .bearer_auth(r.token("UA", role))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The part of `html` from the element with `id` to the end of its table.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    html.split(&format!("id=\"{id}\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no #{id} in {html}"))
        .split("</table>")
        .next()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn why_people_were_left_out_and_why_reading_was_flagged_are_said_in_ukrainian() {
    each_backend(
        "why_people_were_left_out_and_why_reading_was_flagged_are_said_in_ukrainian",
        async |r| {
            let pow = api(r, "/api/v1/commitments", Role::Viewer)
                .await
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["terms"]["kind"] == "pow_exchange")
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            // The API keeps its words and gives the code beside them.
            let plan = api(
                r,
                &format!("/api/v1/commitments/{pow}/plan"),
                Role::Negotiator,
            )
            .await;
            let left = plan["left_out"].as_array().unwrap();
            assert!(
                !left.is_empty(),
                "{}: the seed leaves people out",
                r.backend
            );
            assert!(
                left.iter()
                    .all(|x| x["why"]["reason"].is_string() && x["reason"].is_string()),
                "{}: {left:?}",
                r.backend
            );
            let negotiator = Session::open(r, "UA", Role::Negotiator).await;
            let (status, html) = negotiator
                .page(r, &format!("/commitments/{pow}/plan"), "uk")
                .await;
            assert_eq!(status, StatusCode::OK);
            let shown = table(&html, "left-out");
            for english in [
                "not confirmed",
                "no reviewer",
                "cannot be exchanged",
                "agreed each way",
                "parity —",
                "this side could give",
            ] {
                assert!(
                    !shown.contains(english),
                    "{}: {english:?} on the plan page in Ukrainian: {shown}",
                    r.backend
                );
            }
            assert!(
                [
                    "не підтверджено:",
                    "погоджених з кожного боку",
                    "паритет",
                    "обмін неможливий"
                ]
                .iter()
                .any(|w| shown.contains(w)),
                "{}: the reasons in Ukrainian: {shown}",
                r.backend
            );

            // A protection officer opens 100 different records within a minute: the auditor's page
            // flags it, in Ukrainian.
            let ids: Vec<i64> =
                api(r, "/api/v1/persons?per_page=100", Role::Protection).await["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p["id"].as_i64().unwrap())
                    .collect();
            assert!(ids.len() >= 100, "{}: {} records", r.backend, ids.len());
            let c = client();
            for id in &ids[..100] {
                let resp = c
                    .get(r.url(&format!("/api/v1/persons/{id}")))
                    .bearer_auth(r.token("UA", Role::Protection))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), StatusCode::OK);
            }
            let flags = api(r, "/api/v1/audit/flags", Role::Auditor).await;
            assert!(
                flags
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["pattern"]["kind"] == "burst"),
                "{}: {flags}",
                r.backend
            );
            let auditor = Session::open(r, "UA", Role::Auditor).await;
            for (page, flags) in [("/audit", "flags"), ("/", "desk-flags")] {
                let (status, html) = auditor.page(r, page, "uk").await;
                assert_eq!(status, StatusCode::OK);
                let shown = table(&html, flags);
                assert!(
                    shown.contains("за одну хвилину відкрито різних записів: 100")
                        && !shown.contains("different records")
                        && !shown.contains("within a minute"),
                    "{}: {page}: {shown}",
                    r.backend
                );
            }
        },
    )
    .await;
}
