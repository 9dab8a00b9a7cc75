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

/// The refusal a page shows: the form's (`#refused`), or the error page's message and
/// detail.
fn refusal(html: &str) -> String {
    let between = |from: &str, to: &str| {
        html.split(from)
            .nth(1)
            .and_then(|rest| rest.split(to).next())
            .map(str::to_owned)
    };
    between("id=\"refused\" role=\"alert\">", "</p>")
        .or_else(|| {
            Some(format!(
                "{} {}",
                between("id=\"why\">", "</p>")?,
                between("<p class=\"error\"><small>", "</small>")?
            ))
        })
        .unwrap_or_else(|| panic!("no refusal on the page: {html}"))
}

/// The first run of three Latin words in `text` (an English sentence), if any.
fn english(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    words
        .windows(3)
        .find(|w| {
            w.iter()
                .all(|x| x.len() > 1 && x.chars().all(|c| c.is_ascii_alphabetic()))
        })
        .map(|w| w.join(" "))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_common_refusals_are_said_on_pages_in_ukrainian_and_russian_with_their_code_in_the_api()
{
    each_backend(
        "the_common_refusals_are_said_on_pages_in_ukrainian_and_russian_with_their_code_in_the_api",
        async |r| {
            let operator = Session::open(r, "UA", Role::Operator).await;
            let hotline = Session::open(r, "UA", Role::Hotline).await;
            let reviewer = Session::open(r, "UA", Role::Reviewer).await;
            let officer = Session::open(r, "UA", Role::Protection).await;
            let long = "Ш".repeat(301);
            let kids = api(r, "/api/v1/commitments", Role::Viewer)
                .await
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["terms"]["kind"] == "child_return")
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            let located = api(
                r,
                &format!("/api/v1/commitments/{kids}/children"),
                Role::Protection,
            )
            .await
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["state"] == "located")
            .unwrap()["person_id"]
                .as_i64()
                .unwrap();
            let pairs = crate::common::pairs_to_review(r).await;
            assert!(pairs.len() >= 2, "{}: pairs {pairs:?}", r.backend);

            // The same file twice, through the API: refused with its code beside the English.
            let csv = "Прізвище,Ім'я,Дата народження\nТестенко,Іван,1990-01-01\n";
            let first = crate::common::upload_as(
                r,
                "UA",
                csv.as_bytes().to_vec(),
                "same.csv",
                "request",
                &[],
            )
            .await;
            let form = || {
                reqwest::multipart::Form::new()
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                            .file_name("same.csv"),
                    )
                    .text("kind", "request")
                    .text("category", "pow")
            };
            let again = client()
                .post(r.url("/api/v1/lists"))
                .bearer_auth(r.token("UA", Role::Operator))
                .multipart(form())
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::CONFLICT);
            let body: Value = again.json().await.unwrap();
            assert!(
                body["code"] == "same_file"
                    && body["error"].as_str().unwrap().contains("already imported"),
                "{}: {body}",
                r.backend
            );

            for (lang, said) in [
                (
                    "uk",
                    [
                        "символів",
                        "не є датою",
                        "не є одним із дозволених",
                        "військовополонений",
                        "поле не заповнено",
                        "не є числом",
                        "уже імпортовано як список",
                        "уже ухвалено рішення",
                        "не можна перейти",
                    ],
                ),
                (
                    "ru",
                    [
                        "символов",
                        "не является датой",
                        "не входит в число допустимых",
                        "военнопленный",
                        "поле не заполнено",
                        "не является числом",
                        "уже импортирован как список",
                        "решение уже принято",
                        "нельзя перейти",
                    ],
                ),
            ] {
                let entry = |f: &'static str, v: String, reason: &'static str| {
                    let mut fields = vec![
                        ("relation", "sought".to_owned()),
                        ("f.category", "pow".to_owned()),
                        ("f.surname", "Тестенко".to_owned()),
                        ("reason", reason.to_owned()),
                        ("source", "call".to_owned()),
                    ];
                    fields.retain(|(k, _)| *k != f);
                    fields.push((f, v));
                    fields
                };
                let mut shown = Vec::new();
                for fields in [
                    entry("f.surname", long.clone(), "дзвінок"),
                    entry("f.birth_date", "31.02.1999".to_owned(), "дзвінок"),
                    entry("f.category", "pows".to_owned(), "дзвінок"),
                    entry("reason", String::new(), ""),
                ] {
                    let fields: Vec<(&str, &str)> =
                        fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                    let (status, _, html) = operator.post(r, "/persons/new", &fields, lang).await;
                    assert_eq!(status, StatusCode::OK, "{}: {fields:?}", r.backend);
                    shown.push(refusal(&html));
                }
                let (status, _, html) = hotline
                    .post(
                        r,
                        "/enquiries/new",
                        &[
                            ("person", "сорок"),
                            ("asked_by", "Мати"),
                            ("contact", "0500000000"),
                        ],
                        lang,
                    )
                    .await;
                assert_eq!(status, StatusCode::OK, "{}", r.backend);
                shown.push(refusal(&html));
                // The same file again, from the upload page: a conflict page.
                let upload = client()
                    .post(r.url("/lists"))
                    .header("cookie", &operator.cookie)
                    .header("accept-language", lang)
                    .multipart(form().text("csrf", operator.csrf.clone()))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(upload.status(), StatusCode::CONFLICT, "{}", r.backend);
                let html = upload.text().await.unwrap();
                assert!(
                    html.contains(&format!("№{}", first["list"])),
                    "{}: {html}",
                    r.backend
                );
                shown.push(refusal(&html));
                // A pair decided once is not decided again without an undo.
                let pair = if lang == "uk" { pairs[0] } else { pairs[1] };
                let path = format!("/review/{pair}");
                let (status, _, _) = reviewer
                    .post(r, &path, &[("decision", "reject")], lang)
                    .await;
                assert_eq!(status, StatusCode::OK, "{}", r.backend);
                let (status, _, html) = reviewer
                    .post(r, &path, &[("decision", "accept")], lang)
                    .await;
                assert_eq!(status, StatusCode::CONFLICT, "{}", r.backend);
                shown.push(refusal(&html));
                // A child's case does not skip its steps.
                let (status, _, html) = officer
                    .post(
                        r,
                        &format!("/children/{located}/state"),
                        &[("commitment", &kids.to_string()), ("state", "returned")],
                        lang,
                    )
                    .await;
                assert_eq!(status, StatusCode::BAD_REQUEST, "{}", r.backend);
                shown.push(refusal(&html));

                let all = shown.join("\n");
                for words in said {
                    assert!(
                        all.contains(words),
                        "{} {lang}: {words:?} not said: {all}",
                        r.backend
                    );
                }
                for text in &shown {
                    assert!(
                        english(text).is_none(),
                        "{} {lang}: an English sentence {:?} in the refusal: {text}",
                        r.backend,
                        english(text)
                    );
                }
            }
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_read_audit_says_in_ukrainian_what_the_system_noted_and_shows_a_typed_purpose_as_typed()
{
    each_backend(
        "the_read_audit_says_in_ukrainian_what_the_system_noted_and_shows_a_typed_purpose_as_typed",
        async |r| {
            // Reads the system notes: pairs listed for review, a protected child's record
            // masked for a viewer, a search that shows nobody, and one with a typed purpose.
            let pairs = crate::common::pairs_to_review(r).await;
            assert!(!pairs.is_empty(), "{}", r.backend);
            let reviewer = Session::open(r, "UA", Role::Reviewer).await;
            assert_eq!(reviewer.page(r, "/review", "uk").await.0, StatusCode::OK);
            let kids = api(r, "/api/v1/commitments", Role::Viewer)
                .await
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["terms"]["kind"] == "child_return")
                .unwrap()["id"]
                .as_i64()
                .unwrap();
            let child = api(
                r,
                &format!("/api/v1/commitments/{kids}/children"),
                Role::Protection,
            )
            .await[0]["person_id"]
                .as_i64()
                .unwrap();
            api(r, &format!("/api/v1/persons/{child}"), Role::Viewer).await;
            api(r, "/api/v1/search?q=Щзщзщзщз", Role::Viewer).await;
            api(
                r,
                &format!("/api/v1/persons/{child}?purpose=дзвінок%20на%20гарячу%20лінію"),
                Role::Protection,
            )
            .await;

            let auditor = Session::open(r, "UA", Role::Auditor).await;
            let (status, html) = auditor.page(r, "/audit", "uk").await;
            assert_eq!(status, StatusCode::OK);
            let reads = table(&html, "reads");
            for english in [
                "records listed",
                "sensitive fields masked",
                "no record shown",
                "refused:",
                "<td>review</td>",
                "<td>view</td>",
                "<td>search</td>",
            ] {
                assert!(
                    !reads.contains(english),
                    "{}: {english:?} on the audit page in Ukrainian: {reads}",
                    r.backend
                );
            }
            for words in [
                "перевірка пар",
                "записи",
                "чутливі поля приховано",
                "жодного запису не показано",
                "перегляд запису",
                "дзвінок на гарячу лінію",
            ] {
                assert!(
                    reads.contains(words),
                    "{}: {words:?} not on the audit page: {reads}",
                    r.backend
                );
            }
        },
    )
    .await;
}
