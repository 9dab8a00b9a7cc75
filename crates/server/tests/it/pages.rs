//! Pages: sign-in, sessions and forgery protection, what the dashboard shows.

use crate::common::{T0, client, each_backend};
use homeward_core::access::{Grant, Role, WriteRegister};
use homeward_core::record::{Category, PersonRecord, Relation};
use reqwest::StatusCode;

fn session_cookie(resp: &reqwest::Response) -> String {
    let set = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("Secure") && set.contains("SameSite=Strict"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_shows_the_istanbul_round_as_seeded() {
    each_backend(
        "the_dashboard_shows_the_istanbul_round_as_seeded",
        async |r| {
            let html = client()
                .get(r.url("/"))
                .bearer_auth(r.token("UA", Role::Viewer))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            for expected in [
                "Çırağan Palace",
                "2025-06-02",
                "of <b>1,000</b> (+200 possible)",
                "of <b>6,000</b>",
                "UA listed 339 children",
                "of <b>10</b>",
                "<progress",
                "Ceasefire memorandum",
                "end of June 2025",
            ] {
                assert!(
                    html.contains(expected),
                    "{}: the dashboard lacks {expected:?}",
                    r.backend
                );
            }
            // The mediator sees the round too.
            let tr = client()
                .get(r.url("/"))
                .bearer_auth(r.token("TR", Role::Viewer))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(tr.contains("Çırağan Palace"));
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_starts_a_session_and_sign_out_needs_the_forms_token() {
    each_backend(
        "sign_in_starts_a_session_and_sign_out_needs_the_forms_token",
        async |r| {
            let c = client();
            let bad = c
                .post(r.url("/login"))
                .form(&[("token", "hwt_wrong")])
                .send()
                .await
                .unwrap();
            assert_eq!(bad.status(), StatusCode::UNAUTHORIZED);
            assert!(bad.text().await.unwrap().contains("Sign-in failed"));

            let foreign = c
                .post(r.url("/login"))
                .header("origin", "http://evil.example")
                .form(&[("token", r.token("UA", Role::Viewer))])
                .send()
                .await
                .unwrap();
            assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);

            let ok = c
                .post(r.url("/login"))
                .form(&[("token", r.token("UA", Role::Viewer))])
                .send()
                .await
                .unwrap();
            assert_eq!(ok.status(), StatusCode::SEE_OTHER);
            let cookie = session_cookie(&ok);
            let page = c
                .get(r.url("/persons"))
                .header("cookie", &cookie)
                .send()
                .await
                .unwrap();
            assert_eq!(page.status(), StatusCode::OK);
            let html = page.text().await.unwrap();
            assert!(html.contains("Register of UA"));
            let csrf = html
                .split("name=\"csrf\" value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap()
                .to_owned();
            assert_eq!(csrf.len(), 64);

            let forged = c
                .post(r.url("/logout"))
                .header("cookie", &cookie)
                .form(&[("csrf", "0".repeat(64))])
                .send()
                .await
                .unwrap();
            assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
            assert_eq!(
                c.get(r.url("/"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap()
                    .status(),
                StatusCode::OK
            );

            let out = c
                .post(r.url("/logout"))
                .header("cookie", &cookie)
                .form(&[("csrf", csrf.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(out.status(), StatusCode::SEE_OTHER);
            assert_eq!(
                c.get(r.url("/"))
                    .header("cookie", &cookie)
                    .send()
                    .await
                    .unwrap()
                    .status(),
                StatusCode::SEE_OTHER
            );
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_password_sign_in_works_and_says_nothing_about_what_was_wrong() {
    each_backend(
        "a_password_sign_in_works_and_says_nothing_about_what_was_wrong",
        async |r| {
            let hash = homeward_app::hash_password(
                "a long enough passphrase",
                homeward_app::HashCost::Test,
            )
            .unwrap();
            let admin = Grant::system("RU".parse().unwrap(), "test");
            r.store
                .create_user(&admin, "ru-clerk", &[Role::Operator], Some(&hash), T0)
                .await
                .unwrap();
            let c = client();
            let form = |pw: &'static str| [("party", "ru"), ("user", "ru-clerk"), ("password", pw)];
            assert_eq!(
                c.post(r.url("/login"))
                    .form(&form("a long enough passphrase"))
                    .send()
                    .await
                    .unwrap()
                    .status(),
                StatusCode::SEE_OTHER
            );
            let wrong = c
                .post(r.url("/login"))
                .form(&form("wrong"))
                .send()
                .await
                .unwrap();
            assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
            let nobody = c
                .post(r.url("/login"))
                .form(&[("party", "RU"), ("user", "nobody"), ("password", "x")])
                .send()
                .await
                .unwrap();
            assert_eq!(nobody.status(), StatusCode::UNAUTHORIZED);
            assert_eq!(wrong.text().await.unwrap(), nobody.text().await.unwrap());
            // A locked user name: the right password is refused, and the page says it is
            // locked and until when (the lock is the store's, set as ten failures would).
            use homeward_store::ThrottleScope;
            let until = homeward_app::now_ms() + homeward_app::LOCK_MS;
            for subject in ["RU/ru-clerk", "RU/nobody"] {
                let now = homeward_app::now_ms();
                r.store
                    .count_sign_in_failure(ThrottleScope::User, subject, Some("RU"), now, now)
                    .await
                    .unwrap();
                r.store
                    .lock_sign_in(ThrottleScope::User, subject, until)
                    .await
                    .unwrap();
            }
            let locked = c
                .post(r.url("/login"))
                .form(&form("a long enough passphrase"))
                .send()
                .await
                .unwrap();
            assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
            let retry: i64 = locked.headers()["retry-after"]
                .to_str()
                .unwrap()
                .parse()
                .unwrap();
            assert!(
                retry > 0 && retry <= homeward_app::LOCK_MS / 1000 + 1,
                "{retry}"
            );
            let page = locked.text().await.unwrap();
            let said = homeward_app::wait_message(until, true);
            assert!(
                page.contains("Sign-in is locked after too many failed attempts, until 20"),
                "{page}"
            );
            assert!(page.contains(&said), "{page}");
            let unknown = c
                .post(r.url("/login"))
                .form(&[("party", "RU"), ("user", "nobody"), ("password", "x")])
                .send()
                .await
                .unwrap();
            assert_eq!(unknown.status(), StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(
                unknown.text().await.unwrap(),
                page,
                "a locked unknown name looks the same"
            );
            // A locked address (this test's loopback) refuses even a token.
            let now = homeward_app::now_ms();
            r.store
                .count_sign_in_failure(ThrottleScope::Address, "127.0.0.1", None, now, now)
                .await
                .unwrap();
            r.store
                .lock_sign_in(ThrottleScope::Address, "127.0.0.1", until)
                .await
                .unwrap();
            let by_token = c
                .post(r.url("/login"))
                .form(&[("token", r.token("UA", Role::Viewer))])
                .send()
                .await
                .unwrap();
            assert_eq!(by_token.status(), StatusCode::TOO_MANY_REQUESTS);
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn markup_in_a_name_is_shown_as_text() {
    each_backend("markup_in_a_name_is_shown_as_text", async |r| {
        let grant = Grant::<WriteRegister>::system("UA".parse().unwrap(), "test");
        let record = PersonRecord {
            category: Some(Category::Civilian),
            relation: Some(Relation::Sought),
            surname: Some("<script>alert(1)</script>".into()),
            synthetic: true,
            ..Default::default()
        };
        let id = r.store.add_persons(&grant, &[record], T0).await.unwrap()[0];
        let resp = client()
            .get(r.url(&format!("/persons/{id}")))
            .bearer_auth(r.token("UA", Role::Viewer))
            .send()
            .await
            .unwrap();
        assert!(
            resp.headers()
                .get("content-security-policy")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        let html = resp.text().await.unwrap();
        assert!(
            !html.contains("<script>alert(1)"),
            "raw markup reached the page"
        );
        assert!(html.contains("alert(1)"), "the name must still be shown");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_list_uploaded_through_the_api_is_reported_and_refused_twice() {
    each_backend(
        "a_list_uploaded_through_the_api_is_reported_and_refused_twice",
        async |r| {
            let csv =
                "прізвище,ім'я,дата народження\nТкачук,Богдан,12.05.1999\nМороз,,31.13.1990\n";
            let form = || {
                reqwest::multipart::Form::new()
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                            .file_name("request.csv"),
                    )
                    .text("kind", "request")
                    .text("category", "pow")
                    .text("to", "RU,TR")
            };
            let c = client();
            let viewer = c
                .post(r.url("/api/v1/lists"))
                .bearer_auth(r.token("UA", Role::Viewer))
                .multipart(form())
                .send()
                .await
                .unwrap();
            assert_eq!(viewer.status(), StatusCode::FORBIDDEN);
            let ok = c
                .post(r.url("/api/v1/lists"))
                .bearer_auth(r.token("UA", Role::Operator))
                .multipart(form())
                .send()
                .await
                .unwrap();
            assert_eq!(ok.status(), StatusCode::OK, "{}", r.backend);
            let report: serde_json::Value = ok.json().await.unwrap();
            // Мороз's birth date cannot be read: he is kept, the date as written, and the
            // report says where.
            assert_eq!(
                (report["rows"].as_i64(), report["accepted"].as_i64()),
                (Some(2), Some(2))
            );
            assert_eq!(report["rejected"], serde_json::json!([]), "{report}");
            assert!(
                report["warnings"][0].as_str().unwrap().starts_with(
                    "request.csv, line 3, column \"дата народження\", value \"31.13.1990\""
                ),
                "{report}"
            );
            let again = c
                .post(r.url("/api/v1/lists"))
                .bearer_auth(r.token("UA", Role::Operator))
                .multipart(form())
                .send()
                .await
                .unwrap();
            assert_eq!(again.status(), StatusCode::CONFLICT);
            // RU sees the list addressed to it (its summary), and none of UA's records.
            let ru: serde_json::Value = c
                .get(r.url("/api/v1/lists"))
                .bearer_auth(r.token("RU", Role::Viewer))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert!(
                ru.as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["id"] == report["list"])
            );
            let hits = c
                .get(r.url("/api/v1/search"))
                .query(&[("q", "Ткачук Богдан")])
                .bearer_auth(r.token("RU", Role::Viewer))
                .send()
                .await
                .unwrap();
            assert_eq!(hits.text().await.unwrap(), "[]");
            let own = c
                .get(r.url("/api/v1/search"))
                .query(&[("q", "Tkachuk Bohdan")])
                .bearer_auth(r.token("UA", Role::Viewer))
                .send()
                .await
                .unwrap();
            assert!(own.text().await.unwrap().contains("Ткачук"));
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_upload_page_needs_the_forms_token() {
    each_backend("the_upload_page_needs_the_forms_token", async |r| {
        let c = client();
        let signed_in = c
            .post(r.url("/login"))
            .form(&[("token", r.token("UA", Role::Operator))])
            .send()
            .await
            .unwrap();
        let cookie = session_cookie(&signed_in);
        let page = c
            .get(r.url("/lists"))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        let form = |token: &str| {
            reqwest::multipart::Form::new()
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(
                        "ПІБ\nКравець Олег Іванович\n".as_bytes().to_vec(),
                    )
                    .file_name("p.csv"),
                )
                .text("kind", "register")
                .text("category", "civilian")
                .text("csrf", token.to_owned())
        };
        let forged = c
            .post(r.url("/lists"))
            .header("cookie", &cookie)
            .multipart(form("nope"))
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
        let ok = c
            .post(r.url("/lists"))
            .header("cookie", &cookie)
            .multipart(form(&csrf))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let html = ok.text().await.unwrap();
        assert!(
            html.contains("import-report") && html.contains("1 accepted"),
            "{html}"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reviewer_reconciles_and_decides_in_the_browser_pages() {
    each_backend("a_reviewer_reconciles_and_decides_in_the_browser_pages", async |r| {
        let c = client();
        let upload = async |csv: &str, kind: &str, from: Option<&str>| -> i64 {
            let mut form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name(format!("{kind}.csv")))
                .text("kind", kind.to_owned())
                .text("category", "pow");
            if let Some(f) = from {
                form = form.text("from", f.to_owned());
            }
            let resp = c.post(r.url("/api/v1/lists")).bearer_auth(r.token("UA", Role::Operator)).multipart(form).send().await.unwrap();
            let report: serde_json::Value = resp.json().await.unwrap();
            report["list"].as_i64().unwrap_or_else(|| panic!("{report}"))
        };
        let request = upload("прізвище,ім'я,по батькові,дата народження\nДовгалюк,Тарас,Ігорович,12.05.1999\nЗаболотний,Роман,Петрович,01.01.1988\n", "request", None).await;
        let holding = upload("ФИО,дата рождения\nДовгалюк Тарас Игоревич,12.05.1999\nСмирнов Олег Иванович,1975\n", "holding", Some("RU")).await;
        let reviewer = r.token("UA", Role::Reviewer);
        let report: serde_json::Value = c
            .post(r.url("/api/v1/reconcile"))
            .bearer_auth(&reviewer)
            .json(&serde_json::json!({"request": request, "holding": holding}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(report["proposed"], 1, "{report}");
        let signed_in = c.post(r.url("/login")).form(&[("token", reviewer.as_str())]).send().await.unwrap();
        let cookie = session_cookie(&signed_in);
        let page = c.get(r.url("/review")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("Довгалюк Тарас Ігорович") && page.contains("Довгалюк Тарас Игоревич"), "both spellings side by side");
        // The link of these two lists (the demo's own queue is on the page too).
        let queue: serde_json::Value = c.get(r.url("/api/v1/links")).query(&[("decision", "candidate")]).bearer_auth(&reviewer)
            .send().await.unwrap().json().await.unwrap();
        let link = queue.as_array().unwrap().iter().find(|l| l["other_list"] == holding).unwrap()["id"].to_string();
        assert!(page.contains(&format!("id=\"link-{link}\"")));
        // Both sides field by field: the list row's values under the list's own columns.
        let item = &page[page.find(&format!("id=\"link-{link}\"")).unwrap()..];
        let item = &item[..item[1..].find("id=\"link-").map_or(item.len(), |i| i + 1)];
        assert!(item.contains("class=\"fields side\""), "{item}");
        let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let forged = c.post(r.url(&format!("/review/{link}"))).header("cookie", &cookie).form(&[("csrf", "x"), ("decision", "accept")]).send().await.unwrap();
        assert_eq!(forged.status(), StatusCode::BAD_REQUEST);
        let ok = c.post(r.url(&format!("/review/{link}"))).header("cookie", &cookie).form(&[("csrf", csrf.as_str()), ("decision", "accept")]).send().await.unwrap();
        // The review page again, saying what became of the pair.
        assert_eq!(ok.status(), StatusCode::OK);
        let said = ok.text().await.unwrap();
        assert!(said.contains("id=\"review-message\"") && said.contains(&format!("#{link}")), "{said}");
        let confirmed: serde_json::Value = c
            .get(r.url("/api/v1/links"))
            .query(&[("decision", "confirmed")])
            .bearer_auth(&reviewer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let ours: Vec<&serde_json::Value> = confirmed.as_array().unwrap().iter().filter(|l| l["other_list"] == holding).collect();
        assert_eq!(ours.len(), 1);
        // Named by the reviewer's user name, not the store's id for them.
        assert_eq!(ours[0]["decided_by"], "ua-reviewer", "{}", ours[0]);
    })
    .await;
}

/// The upload page reports an unreadable date and a name part over its limit, by file, line
/// and column; the person is kept, and their page shows the date as written, marked.
#[tokio::test(flavor = "multi_thread")]
async fn the_upload_page_reports_values_kept_unreadable_and_values_refused_for_length() {
    each_backend(
        "the_upload_page_reports_values_kept_unreadable_and_values_refused_for_length",
        async |r| {
            let c = client();
            let resp = c.post(r.url("/login")).form(&[("token", r.token("UA", Role::Operator))]).send().await.unwrap();
            let cookie = session_cookie(&resp);
            let page = c.get(r.url("/lists")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
            let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
            let long = "Я".repeat(5000);
            let file = format!("прізвище,ім'я,по батькові,дата народження\nЛитвин,Данило,,31.02.1999\nГнатюк,Орест,{long},1999\n,,,завтра\n");
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(file.into_bytes()).file_name("unreadable.csv"))
                .text("kind", "register")
                .text("category", "pow")
                .text("csrf", csrf);
            let done = c.post(r.url("/lists")).header("cookie", &cookie).multipart(form).send().await.unwrap().text().await.unwrap();
            assert!(done.contains("3 rows, 2 accepted, 1 rejected, 3 warnings"), "{done}");
            for expected in [
                "unreadable.csv, line 2, column &#34;дата народження&#34;, value &#34;31.02.1999&#34;:",
                "the person is kept with the value as written, unreadable",
                "unreadable.csv, line 3, column &#34;по батькові&#34;, value &#34;ЯЯЯ",
                "is 5000 characters long, over the limit of 300 for patronymic",
                "unreadable.csv, line 4: no surname or given name",
                // The nameless row is rejected: its date is not said to keep anyone.
                "unreadable.csv, line 4, column &#34;дата народження&#34;, value &#34;завтра&#34;: &#34;завтра&#34; is not a date; write DD.MM.YYYY, YYYY-MM-DD or a year</li>",
            ] {
                assert!(done.contains(expected), "{}: the report lacks {expected:?}", r.backend);
            }
            assert!(!done.contains(&"Я".repeat(100)), "the report does not repeat the long cell");
            let found: serde_json::Value = c
                .get(r.url("/api/v1/search"))
                .query(&[("q", "Литвин Данило")])
                .bearer_auth(r.token("UA", Role::Viewer))
                .send().await.unwrap().json().await.unwrap();
            let person = &found[0]["person"];
            assert_eq!(person["unreadable"]["birth_date"], "31.02.1999", "{found}");
            assert_eq!(person["birth_date"], serde_json::Value::Null);
            let id = person["id"].as_i64().unwrap();
            let html = c
                .get(r.url(&format!("/persons/{id}?purpose=check")))
                .bearer_auth(r.token("UA", Role::Viewer))
                .send().await.unwrap().text().await.unwrap();
            assert!(html.contains("31.02.1999 (as written, unreadable)"), "{html}");
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn columns_not_recognised_are_mapped_on_the_upload_page_before_anything_is_imported() {
    each_backend(
        "columns_not_recognised_are_mapped_on_the_upload_page_before_anything_is_imported",
        async |r| {
            let c = client();
            let sign_in = async |role: Role| {
                let resp = c.post(r.url("/login")).form(&[("token", r.token("UA", role))]).send().await.unwrap();
                let cookie = session_cookie(&resp);
                let page = c.get(r.url("/lists")).header("cookie", &cookie).send().await.unwrap().text().await.unwrap();
                let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
                (cookie, csrf)
            };
            let (cookie, csrf) = sign_in(Role::Operator).await;
            let lists_before = r.store.lists(&homeward_core::access::Grant::system("UA".parse().unwrap(), "test")).await.unwrap().len();
            let file = "Особа,Коли народився,Звідки\nКравець Олег Іванович,1990,Херсон\nШевчук Ганна Петрівна,03.04.1985,Суми\n";
            let form = reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(file.as_bytes().to_vec()).file_name("odd.csv"))
                .text("kind", "register")
                .text("category", "civilian")
                .text("csrf", csrf.clone());
            let step = c.post(r.url("/lists")).header("cookie", &cookie).multipart(form).send().await.unwrap().text().await.unwrap();
            assert!(step.contains("id=\"mapping-step\"") && step.contains("Кравець Олег Іванович · Шевчук Ганна Петрівна"), "{step}");
            let pending = step.split("name=\"pending\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
            let lists = async || r.store.lists(&homeward_core::access::Grant::system("UA".parse().unwrap(), "test")).await.unwrap().len();
            assert_eq!(lists().await, lists_before, "nothing imported before the mapping is confirmed");
            let answer = [
                ("csrf", csrf.as_str()),
                ("pending", pending.as_str()),
                ("column_1", "full_name"),
                ("column_2", "birth_date"),
                ("column_3", ""),
            ];
            // Another user cannot finish this upload.
            let (other_cookie, other_csrf) = sign_in(Role::Admin).await;
            let mut stolen = answer;
            stolen[0] = ("csrf", other_csrf.as_str());
            let refused = c.post(r.url("/lists/mapping")).header("cookie", &other_cookie).form(&stolen).send().await.unwrap();
            assert_eq!(refused.status(), StatusCode::NOT_FOUND);
            let done = c.post(r.url("/lists/mapping")).header("cookie", &cookie).form(&answer).send().await.unwrap().text().await.unwrap();
            assert!(done.contains("id=\"import-report\"") && done.contains("2 rows, 2 accepted"), "{done}");
            assert_eq!(lists().await, lists_before + 1);
            // The upload is finished: the same number cannot import twice.
            let again = c.post(r.url("/lists/mapping")).header("cookie", &cookie).form(&answer).send().await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_FOUND);
        },
    )
    .await;
}
