//! Every page each role's navigation offers, checked in headless Chromium by axe-core's
//! accessibility rules: no serious or critical violation on any of them, in Ukrainian.
//! Skipped, loudly, where Chromium or axe-core (`HOMEWARD_AXE_JS`, which `scripts/test`
//! installs from npm) is missing.

use crate::browser::{call, open_session, sign_in, start_driver};
use crate::common::each_backend;
use homeward_core::access::Role;
use serde_json::{Value, json};
use std::io::Write as _;

/// The axe-core script, if the test has one.
fn axe_source() -> Option<String> {
    let path = std::env::var("HOMEWARD_AXE_JS").ok()?;
    std::fs::read_to_string(path).ok()
}

/// The serious and critical violations axe finds on the page the session shows.
async fn violations(c: &reqwest::Client, s: &str, axe: &str) -> Vec<Value> {
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/execute/sync"),
        json!({"script": format!("{axe}\n;return 1;"), "args": []}),
    )
    .await;
    let found = call(
        c,
        reqwest::Method::POST,
        format!("{s}/execute/async"),
        json!({"script": "const done = arguments[arguments.length - 1];\
            axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations\
              .filter(v => v.impact === 'serious' || v.impact === 'critical')\
              .map(v => ({id: v.id, impact: v.impact, help: v.help,\
                          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))\
              .catch(e => done([{id: 'axe-failed', impact: 'critical', help: String(e)}]));",
            "args": []}),
    )
    .await;
    found.as_array().cloned().unwrap_or_else(|| {
        vec![json!({"id": "no-answer", "impact": "critical", "help": found.to_string()})]
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn no_page_any_role_is_offered_has_a_serious_accessibility_violation() {
    let Some(axe) = axe_source() else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED accessibility check: set HOMEWARD_AXE_JS to axe-core's axe.min.js (scripts/test installs it with npm)"
        );
        return;
    };
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend(
        "no_page_any_role_is_offered_has_a_serious_accessibility_violation",
        async |r| {
            // The pages are the same on both databases: one walk is enough.
            if r.backend != "sqlite" {
                return;
            }
            let c = reqwest::Client::new();
            let roles = [
                ("UA", Role::Operator),
                ("UA", Role::Reviewer),
                ("UA", Role::Negotiator),
                ("UA", Role::Auditor),
                ("UA", Role::Protection),
                ("UA", Role::Hotline),
                ("RU", Role::Operator),
                ("TR", Role::Negotiator),
            ];
            // The plan and remains pages, linked from the start page rather than the
            // navigation, for those who may open them.
            let commitments: Value = c
                .get(r.url("/api/v1/commitments"))
                .bearer_auth(r.token("UA", Role::Viewer))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let id_of = |kind: &str| {
                commitments
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["terms"]["kind"] == kind)
                    .map(|c| c["id"].clone())
                    .unwrap()
            };
            let linked = [
                format!("/commitments/{}/plan", id_of("pow_exchange")),
                format!("/commitments/{}/remains", id_of("remains_return")),
            ];
            let mut checked = Vec::new();
            let mut found = Vec::new();
            for (party, role) in roles {
                let (s, _profile) = open_session(&c, &driver).await;
                call(
                    &c,
                    reqwest::Method::POST,
                    format!("{s}/timeouts"),
                    json!({"script": 60_000}),
                )
                .await;
                sign_in(&c, &s, r, &r.token(party, role)).await;
                call(
                    &c,
                    reqwest::Method::POST,
                    format!("{s}/url"),
                    json!({"url": r.url("/?lang=uk")}),
                )
                .await;
                let links = call(
                    &c,
                    reqwest::Method::POST,
                    format!("{s}/execute/sync"),
                    json!({"script": "return Array.from(document.querySelectorAll('nav a[href^=\"/\"]')).map(a => a.getAttribute('href'));", "args": []}),
                )
                .await;
                let mut pages: Vec<String> = vec!["/".to_owned()];
                for l in links.as_array().into_iter().flatten() {
                    if let Some(l) = l.as_str().filter(|l| !l.contains("lang="))
                        && !pages.iter().any(|p| p == l)
                    {
                        pages.push(l.to_owned());
                    }
                }
                for page in &linked {
                    let status = c
                        .get(r.url(page))
                        .bearer_auth(r.token(party, role))
                        .send()
                        .await
                        .unwrap()
                        .status();
                    if status == reqwest::StatusCode::OK && !pages.contains(page) {
                        pages.push(page.clone());
                    }
                }
                for page in pages {
                    call(
                        &c,
                        reqwest::Method::POST,
                        format!("{s}/url"),
                        json!({"url": r.url(&page)}),
                    )
                    .await;
                    for v in violations(&c, &s, &axe).await {
                        found.push(format!("{party} {role} {page}: {v}"));
                    }
                    checked.push(format!("{party} {role} {page}"));
                }
                call(&c, reqwest::Method::DELETE, s.clone(), Value::Null).await;
            }
            let _ = writeln!(
                std::io::stderr(),
                "accessibility: {} pages checked by axe-core",
                checked.len()
            );
            assert!(checked.len() >= 20, "{checked:?}");
            assert!(found.is_empty(), "{}", found.join("\n"));
        },
    )
    .await;
}
