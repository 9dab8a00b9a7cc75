//! Each role's own pages: the navigation offers only what the role may open (and every link
//! it offers answers), the start page after sign-in answers with the role's work, a denial
//! is a whole page that says why and whom to ask, and the plan page opens with its summary,
//! pages its people and shows buttons only to those who may press them.

use crate::common::{T0, client, each_backend};
use homeward_core::access::Role;
use reqwest::StatusCode;

/// The addresses the page's main navigation offers.
fn nav_links(html: &str) -> Vec<String> {
    let Some(start) = html.find("<nav aria-label=") else {
        return Vec::new();
    };
    let nav = &html[start..];
    let nav = &nav[..nav.find("</nav>").unwrap_or(nav.len())];
    nav.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_owned)
        .collect()
}

fn session_cookie(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn every_role_is_offered_only_what_it_may_open_and_starts_on_its_own_work() {
    each_backend(
        "every_role_is_offered_only_what_it_may_open_and_starts_on_its_own_work",
        async |r| {
            let c = client();
            for (party, role, token) in &r.seeded.tokens {
                let who = format!("{}: {party} {role}", r.backend);
                // Signed in as a person is: the form, then the start page it sends to.
                let signed_in = c
                    .post(r.url("/login"))
                    .form(&[("token", token.as_str())])
                    .send()
                    .await
                    .unwrap();
                assert_eq!(signed_in.status(), StatusCode::SEE_OTHER, "{who}");
                assert_eq!(signed_in.headers()["location"], "/", "{who}");
                let cookie = session_cookie(&signed_in);
                let start = c
                    .get(r.url("/?lang=uk"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(start.status(), StatusCode::OK, "{who}: the start page");
                let html = start.text().await.unwrap();
                let links = nav_links(&html);
                assert!(links.contains(&"/".to_owned()), "{who}: {links:?}");
                for link in &links {
                    let page = c
                        .get(r.url(link))
                        .header("cookie", &cookie)
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(page.status(), StatusCode::OK, "{who}: {link}");
                }
                let offered = |path: &str| links.iter().any(|l| l == path);
                match role {
                    Role::Auditor => {
                        assert!(!offered("/persons") && !offered("/lists") && !offered("/review"));
                        assert!(offered("/log") && offered("/audit") && offered("/bundles"));
                        assert!(html.contains("id=\"audit-desk\""), "{who}: {html}");
                    }
                    Role::Viewer | Role::Operator => {
                        assert!(!offered("/review") && !offered("/log") && !offered("/audit"));
                        assert!(offered("/persons"), "{who}: {links:?}");
                    }
                    Role::Protection => {
                        assert!(!offered("/log") && !offered("/review"), "{who}: {links:?}");
                    }
                    _ => {}
                }
                if *role == Role::Protection && party.as_str() == "UA" {
                    assert!(
                        html.contains("id=\"children-") && html.contains("Справи дітей"),
                        "{who}: the children's cases on the start page: {html}"
                    );
                    assert!(!html.contains("(захищено)"), "{who}: {html}");
                }
                if party.as_str() == "TR" && *role == Role::Negotiator {
                    assert!(
                        html.contains("id=\"mediation\"")
                            && html.contains("Етапи, які треба закрити")
                            && html.contains("Раунди, де ми посередники"),
                        "{who}: {html}"
                    );
                }
                c.post(r.url("/logout"))
                    .header("cookie", &cookie)
                    .form(&[("csrf", "")])
                    .send()
                    .await
                    .unwrap();
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denial_is_a_whole_page_saying_why_and_whom_to_ask() {
    each_backend(
        "a_denial_is_a_whole_page_saying_why_and_whom_to_ask",
        async |r| {
            let c = client();
            for (lang, why, ask) in [
                (
                    "uk",
                    "не може переглядати реєстр",
                    "адміністратора сторони UA",
                ),
                (
                    "ru",
                    "не может просматривать реестр",
                    "администратора стороны UA",
                ),
                ("en", "may not read the register", "administrator of UA"),
            ] {
                let refused = c
                    .get(r.url(&format!("/persons?lang={lang}")))
                    .bearer_auth(r.token("UA", Role::Auditor))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(refused.status(), StatusCode::FORBIDDEN);
                let html = refused.text().await.unwrap();
                assert!(html.contains(why) && html.contains(ask), "{lang}: {html}");
                // The navigation of the auditor, and the way out.
                assert!(nav_links(&html).contains(&"/log".to_owned()), "{html}");
                assert!(html.contains("action=\"/logout\""), "{html}");
            }
        },
    )
    .await;
}

/// The first exchange commitment of the round.
async fn exchange_commitment(app: &homeward_app::App, seeded: &homeward_demo::Seeded) -> i64 {
    let negotiator = app
        .actor_by_token(seeded.token("UA", Role::Negotiator).unwrap())
        .await
        .unwrap();
    app.commitments(&negotiator, None)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.terms.kind().as_str() == "pow_exchange")
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread")]
async fn the_plan_page_pages_its_people_and_moves_a_stage_in_one_batch() {
    each_backend(
        "the_plan_page_pages_its_people_and_moves_a_stage_in_one_batch",
        async |r| {
            let c = client();
            let app = homeward_app::App::new(r.store.clone());
            let commitment = exchange_commitment(&app, &r.seeded).await;
            let page = |role: Role, query: &'static str| {
                c.get(r.url(&format!("/commitments/{commitment}/plan{query}")))
                    .bearer_auth(r.token("UA", role))
                    .send()
            };
            let html = page(Role::Operator, "?per_page=5")
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            let summary = html.find("id=\"plan-summary\"").unwrap();
            assert!(summary < html.find("id=\"plan-rows\"").unwrap());
            assert_eq!(html.matches("-person-").count(), 5, "{html}");
            // The third stage is not executed: its planned people are handed over at once.
            let sheet = app
                .plan_sheet(
                    &app.actor_by_token(&r.token("UA", Role::Operator))
                        .await
                        .unwrap(),
                    commitment,
                    &Default::default(),
                )
                .await
                .unwrap();
            let plan = sheet.plan.unwrap();
            assert_eq!(
                html.matches("id=\"stage-").count() - html.matches("-person-").count(),
                plan.stages.len(),
                "every stage in the summary: {html}"
            );
            let third = plan.stages.iter().find(|s| s.seq == 3).unwrap();
            let offer = third
                .batches
                .iter()
                .find(|b| b.movement == "handed_over")
                .unwrap();
            assert!(html.contains(&format!("action=\"/stages/{}/batch\"", third.id)));
            // Only the rows that have a next step have a form.
            let rows = page(Role::Operator, "?movement=received")
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                rows.contains("-person-") && !rows.contains("/movements\""),
                "{rows}"
            );

            let operator = app
                .actor_by_token(&r.token("UA", Role::Operator))
                .await
                .unwrap();
            let moved = app
                .move_stage(
                    &operator,
                    third.id,
                    &homeward_app::sheet::StageBatch {
                        commitment,
                        movement: "handed_over".into(),
                    },
                )
                .await
                .unwrap();
            assert_eq!(moved.moved, offer.count);
            // Pressed again, it has nobody left to move, and says so.
            let again = c
                .post(r.url(&format!("/stages/{}/batch", third.id)))
                .bearer_auth(r.token("UA", Role::Operator))
                .form(&[
                    ("csrf", ""),
                    ("commitment", commitment.to_string().as_str()),
                    ("movement", "handed_over"),
                ])
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::BAD_REQUEST);
            let viewer = app
                .actor_by_token(&r.token("UA", Role::Viewer))
                .await
                .unwrap();
            assert!(matches!(
                app.move_stage(
                    &viewer,
                    third.id,
                    &homeward_app::sheet::StageBatch {
                        commitment,
                        movement: "handed_over".into(),
                    },
                )
                .await,
                Err(homeward_app::Error::Denied(_))
            ));
            let after = page(Role::Operator, "?stage=3&movement=handed_over&per_page=500")
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(after.matches("-person-").count() >= offer.count, "{after}");

            // An auditor reads the plan and is offered nothing to press but signing out.
            let audited = page(Role::Auditor, "").await.unwrap();
            assert_eq!(audited.status(), StatusCode::OK);
            let audited = audited.text().await.unwrap();
            assert_eq!(audited.matches("method=\"post\"").count(), 1, "{audited}");
            assert!(audited.contains("action=\"/logout\""));
        },
    )
    .await;
}

/// The demo's own exchange, 1,000 each way and the extra 200, in three stages of 400.
#[tokio::test(flavor = "multi_thread")]
async fn the_demos_plan_page_is_small_with_its_summary_on_top() {
    let t = homeward_store::testkit::sqlite().await.unwrap();
    let app = homeward_app::App::new(t.store.clone())
        .with_clock(std::sync::Arc::new(|| T0))
        .with_hash_cost(homeward_app::HashCost::Test);
    let demo = homeward_demo::play(&app, homeward_demo::Scale(1.0))
        .await
        .unwrap();
    let commitment = exchange_commitment(&app, &demo.seeded).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = homeward_server::router(app.clone());
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    for role in [Role::Operator, Role::Auditor, Role::Negotiator] {
        let html = client()
            .get(format!("{base}/commitments/{commitment}/plan"))
            .bearer_auth(demo.seeded.token("UA", role).unwrap())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let placed: usize = app
            .plan_sheet(
                &app.actor_by_token(demo.seeded.token("UA", role).unwrap())
                    .await
                    .unwrap(),
                commitment,
                &Default::default(),
            )
            .await
            .unwrap()
            .plan
            .unwrap()
            .totals
            .iter()
            .map(|t| t.placed)
            .sum();
        assert!(placed >= 2_000, "{role}: {placed} placed");
        assert!(
            html.len() < 600 * 1024,
            "{role}: the plan page is {} bytes",
            html.len()
        );
        let summary = html.find("id=\"plan-summary\"").unwrap();
        assert!(summary < html.find("id=\"plan-rows\"").unwrap(), "{role}");
        if role == Role::Auditor {
            assert_eq!(
                html.matches("method=\"post\"").count(),
                1,
                "{role}: only sign-out"
            );
        }
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn the_register_is_filtered_by_birth_year_and_sorted_without_revealing_the_masked() {
    each_backend(
        "the_register_is_filtered_by_birth_year_and_sorted_without_revealing_the_masked",
        async |r| {
            let c = client();
            let api = async |path: &str, role: Role| -> serde_json::Value {
                c.get(r.url(path))
                    .bearer_auth(r.token("UA", role))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap()
            };
            let first = api("/api/v1/persons?category=pow&per_page=1", Role::Operator).await;
            let year = first["items"][0]["birth_date"].as_str().unwrap()[..4].to_owned();
            let born = api(
                &format!("/api/v1/persons?category=pow&born={year}&sort=name&per_page=500"),
                Role::Operator,
            )
            .await;
            let items = born["items"].as_array().unwrap();
            assert!(!items.is_empty());
            assert!(
                items
                    .iter()
                    .all(|p| p["birth_date"].as_str().unwrap().starts_with(&year)),
                "{born}"
            );
            // The page keeps every filter in its pager and its form.
            let html = c
                .get(r.url(&format!("/persons?born={year}&sort=born&lang=uk")))
                .bearer_auth(r.token("UA", Role::Operator))
                .send()
                .await
                .unwrap();
            assert_eq!(html.status(), StatusCode::OK);
            let html = html.text().await.unwrap();
            assert!(html.contains(&format!("value=\"{year}\"")) && html.contains("Рік народження"));
            // A child's birth year finds the child for the protection officer only.
            let child = api(
                "/api/v1/persons?category=child&per_page=1",
                Role::Protection,
            )
            .await;
            let year = child["items"][0]["birth_date"].as_str().unwrap()[..4].to_owned();
            let path = format!("/api/v1/persons?category=child&born={year}");
            assert!(
                api(&path, Role::Protection).await["total"]
                    .as_i64()
                    .unwrap()
                    >= 1
            );
            assert_eq!(api(&path, Role::Viewer).await["total"].as_i64().unwrap(), 0);
            let refused = c
                .get(r.url("/persons?born=19x4"))
                .bearer_auth(r.token("UA", Role::Operator))
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
        },
    )
    .await;
}
