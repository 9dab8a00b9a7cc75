//! The pages' own forms, posted as a browser posts them (a session's cookie and
//! anti-forgery token, the form's fields): a child's case moved on from the children's
//! page, and a commitment's terms amended by one side and accepted by the other from the
//! start page. Each form is offered only to whoever may use it, and a form posted by anyone
//! else is refused with the denial page.

use crate::common::{Running, Session, client, each_backend};
use homeward_core::access::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn api(r: &Running, path: &str, party: &str, role: Role) -> Value {
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

/// The id of the first commitment of `kind` UA sees.
async fn commitment_of(r: &Running, kind: &str) -> Value {
    api(r, "/api/v1/commitments", "UA", Role::Viewer)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["terms"]["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} commitment"))
        .clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_protection_officer_moves_a_childs_case_on_from_the_page_and_nobody_else_may() {
    each_backend(
        "a_protection_officer_moves_a_childs_case_on_from_the_page_and_nobody_else_may",
        async |r| {
            let kids = commitment_of(r, "child_return").await["id"]
                .as_i64()
                .unwrap();
            let cases_path = format!("/api/v1/commitments/{kids}/children");
            let located = api(r, &cases_path, "UA", Role::Protection)
                .await
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["state"] == "located")
                .unwrap()["person_id"]
                .as_i64()
                .unwrap();
            let page = format!("/commitments/{kids}/children");
            let step = format!("/children/{located}/state");

            let officer = Session::open(r, "UA", Role::Protection).await;
            let (status, html) = officer.page(r, &page, "uk").await;
            assert_eq!(status, StatusCode::OK);
            let row = html
                .split(&format!("id=\"case-{located}\""))
                .nth(1)
                .unwrap()
                .split("</tr>")
                .next()
                .unwrap();
            assert!(
                row.contains(&format!("action=\"{step}\""))
                    && row.contains("<option value=\"verified\" selected>перевірено</option>")
                    && row.contains("назад до: запит подано"),
                "{}: the officer is offered the next step and the one back: {row}",
                r.backend
            );
            let (status, landed, html) = officer
                .post(
                    r,
                    &step,
                    &[
                        ("commitment", &kids.to_string()),
                        ("state", "verified"),
                        ("note", ""),
                    ],
                    "uk",
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{}: {html}", r.backend);
            assert!(landed.contains(&format!("stepped={located}")), "{landed}");
            let done = html
                .split("id=\"done\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{}: no message after the step: {html}", r.backend))
                .split("</p>")
                .next()
                .unwrap();
            assert!(
                done.contains("справа тепер на кроці «перевірено»"),
                "{}: {done}",
                r.backend
            );
            let row = html
                .split(&format!("id=\"case-{located}\""))
                .nth(1)
                .unwrap()
                .split("</tr>")
                .next()
                .unwrap();
            assert!(
                row.contains("<td class=\"state\">перевірено</td>")
                    && row.contains("<option value=\"return_agreed\" selected>"),
                "{}: the case shows its new step and offers the one after: {row}",
                r.backend
            );

            // A reviewer reads the page but is offered no step, and a step it posts anyway
            // is refused with the denial page, which names what it may not do.
            let reviewer = Session::open(r, "UA", Role::Reviewer).await;
            let (status, html) = reviewer.page(r, &page, "uk").await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                !html.contains("action=\"/children/") && !html.contains("children-next"),
                "{}: no step offered to a reviewer",
                r.backend
            );
            let (status, _, denied) = reviewer
                .post(
                    r,
                    &step,
                    &[
                        ("commitment", &kids.to_string()),
                        ("state", "return_agreed"),
                    ],
                    "uk",
                )
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{}", r.backend);
            for words in [
                "Доступ заборонено",
                "не може вести справи дітей від кроку до кроку",
                "офіцер захисту, оператор",
                "<nav aria-label=",
            ] {
                assert!(
                    denied.contains(words),
                    "{}: {words:?} in {denied}",
                    r.backend
                );
            }
            let now = api(r, &cases_path, "UA", Role::Protection).await;
            let case = now
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["person_id"] == located)
                .unwrap();
            assert_eq!(
                case["state"], "verified",
                "the refused step changed nothing"
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn one_side_proposes_new_terms_from_the_start_page_and_the_other_accepts_them_there() {
    each_backend(
        "one_side_proposes_new_terms_from_the_start_page_and_the_other_accepts_them_there",
        async |r| {
            let remains = commitment_of(r, "remains_return").await;
            let id = remains["id"].as_i64().unwrap();
            let each = remains["terms"]["quantity_each_way"].as_i64().unwrap();
            let uk = homeward_words::Lang::from_code("uk").unwrap();
            let card = |html: &str| {
                html.split(&format!("id=\"commitment-{id}\""))
                    .nth(1)
                    .unwrap()
                    .split("</article>")
                    .next()
                    .unwrap()
                    .to_owned()
            };
            let ru = Session::open(r, "RU", Role::Negotiator).await;
            let (_, start) = ru.page(r, "/", "ru").await;
            let offered = card(&start);
            assert!(
                offered.contains(&format!("action=\"/commitments/{id}/amendments\""))
                    && offered.contains("name=\"title\"")
                    && offered.contains("name=\"terms\"")
                    && offered.contains("Предложить изменение"),
                "{}: RU's negotiator is offered the amendment form: {offered}",
                r.backend
            );
            let terms = json!({"kind": "remains_return", "quantity_each_way": each + 20});
            let (status, _, html) = ru
                .post(
                    r,
                    &format!("/commitments/{id}/amendments"),
                    &[
                        ("title", "Return of remains, more each way (synthetic)"),
                        ("terms", &terms.to_string()),
                    ],
                    "ru",
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{}: {html}", r.backend);
            let proposed = card(&html);
            assert!(
                proposed.contains("RU предлагает изменить это обязательство")
                    && proposed.contains("value=\"withdraw\"")
                    && !proposed.contains("value=\"accept\""),
                "{}: the proposer may withdraw, not accept: {proposed}",
                r.backend
            );
            let amendment = api(r, &format!("/api/v1/commitments/{id}"), "UA", Role::Viewer).await
                ["amendment"]["id"]
                .as_i64()
                .unwrap();
            let answer = format!("/amendments/{amendment}/answer");
            // UA's viewer sees the proposal and no answer; its answer is refused.
            let viewer = Session::open(r, "UA", Role::Viewer).await;
            let seen = card(&viewer.page(r, "/", "uk").await.1);
            assert!(
                seen.contains("RU пропонує змінити це зобов’язання")
                    && !seen.contains("value=\"accept\"")
                    && !seen.contains("/amendments\""),
                "{}: {seen}",
                r.backend
            );
            let (status, _, _) = viewer.post(r, &answer, &[("answer", "accept")], "uk").await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            // RU may not accept its own proposal.
            let (status, _, _) = ru.post(r, &answer, &[("answer", "accept")], "ru").await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
            // UA's negotiator accepts it from the page: the terms are the new ones.
            let ua = Session::open(r, "UA", Role::Negotiator).await;
            let offered = card(&ua.page(r, "/", "uk").await.1);
            assert!(
                offered.contains(&format!("action=\"{answer}\""))
                    && offered.contains("value=\"accept\"")
                    && offered.contains("Погодити зміну"),
                "{}: {offered}",
                r.backend
            );
            let (status, _, html) = ua.post(r, &answer, &[("answer", "accept")], "uk").await;
            assert_eq!(status, StatusCode::OK, "{}: {html}", r.backend);
            let accepted = card(&html);
            assert!(
                !accepted.contains("id=\"amendment-")
                    && accepted.contains(&format!("тіла {} загиблих", uk.number(each + 20))),
                "{}: the agreed terms are the amended ones: {accepted}",
                r.backend
            );
            let now = api(r, &format!("/api/v1/commitments/{id}"), "RU", Role::Viewer).await;
            assert_eq!(now["terms"]["quantity_each_way"], each + 20);
            assert_eq!(now["title"], "Return of remains, more each way (synthetic)");
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_childs_step_agrees_with_the_childs_sex_in_ukrainian_and_russian() {
    each_backend(
        "a_childs_step_agrees_with_the_childs_sex_in_ukrainian_and_russian",
        async |r| {
            let kids = commitment_of(r, "child_return").await["id"]
                .as_i64()
                .unwrap();
            let cases = api(
                r,
                &format!("/api/v1/commitments/{kids}/children"),
                "UA",
                Role::Protection,
            )
            .await;
            // A girl and a boy whose cases have not yet come home.
            let open: Vec<i64> = cases
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["state"] != "returned" && c["state"] != "reunited")
                .map(|c| c["person_id"].as_i64().unwrap())
                .collect();
            let mut girl = None;
            let mut boy = None;
            for &id in &open {
                let p = api(r, &format!("/api/v1/persons/{id}"), "UA", Role::Protection).await;
                match p["record"]["sex"].as_str().or(p["sex"].as_str()) {
                    Some("f") if girl.is_none() => girl = Some(id),
                    Some("m") if boy.is_none() => boy = Some(id),
                    _ => {}
                }
                if girl.is_some() && boy.is_some() {
                    break;
                }
            }
            let (girl, boy) = (
                girl.unwrap_or_else(|| panic!("{}: no girl's case in the seed", r.backend)),
                boy.unwrap_or_else(|| panic!("{}: no boy's case in the seed", r.backend)),
            );
            let officer = Session::open(r, "UA", Role::Protection).await;
            let page = format!("/commitments/{kids}/children");
            let row = |html: &str, id: i64| {
                html.split(&format!("id=\"case-{id}\""))
                    .nth(1)
                    .unwrap()
                    .split("</tr>")
                    .next()
                    .unwrap()
                    .to_owned()
            };
            // Each case is moved on, step by step, until the child is with the family.
            for id in [girl, boy] {
                loop {
                    let (_, html) = officer.page(r, &page, "uk").await;
                    let row = row(&html, id);
                    if row.contains("<td class=\"state\">возз&#39;єднан") {
                        break;
                    }
                    let next = row
                        .split("<option value=\"")
                        .nth(1)
                        .and_then(|o| o.split('"').next())
                        .unwrap_or_else(|| panic!("{}: no next step: {row}", r.backend))
                        .to_owned();
                    let (status, _, _) = officer
                        .post(
                            r,
                            &format!("/children/{id}/state"),
                            &[
                                ("commitment", &kids.to_string()),
                                ("state", &next),
                                ("note", ""),
                            ],
                            "uk",
                        )
                        .await;
                    assert_eq!(status, StatusCode::OK, "{}: step to {next}", r.backend);
                }
            }
            for (lang, hers, his) in [
                ("uk", "возз'єднана з родиною", "возз'єднаний з родиною"),
                ("ru", "воссоединена с семьёй", "воссоединён с семьёй"),
            ] {
                let (status, html) = officer.page(r, &page, lang).await;
                assert_eq!(status, StatusCode::OK);
                // (The page escapes the apostrophe.)
                let (hers, his) = (hers.replace('\'', "&#39;"), his.replace('\'', "&#39;"));
                let (her_row, his_row) = (row(&html, girl), row(&html, boy));
                assert!(
                    her_row.contains(&format!("<td class=\"state\">{hers}</td>")),
                    "{} {lang}: the girl's step: {her_row}",
                    r.backend
                );
                assert!(
                    his_row.contains(&format!("<td class=\"state\">{his}</td>")),
                    "{} {lang}: the boy's step: {his_row}",
                    r.backend
                );
            }
        },
    )
    .await;
}
