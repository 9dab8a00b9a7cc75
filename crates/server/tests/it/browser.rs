//! The web pages in a real headless Chromium, driven through chromedriver's WebDriver
//! protocol on loopback. Skipped, loudly, where Chromium is not installed.

use crate::common::each_backend;
use homeward_core::access::Role;
use serde_json::{Value, json};
use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub(crate) struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub(crate) async fn start_driver() -> Option<Driver> {
    let chromedriver = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let (Some(chromedriver), true) = (
        chromedriver,
        std::path::Path::new("/usr/bin/chromium").exists(),
    ) else {
        let _ = writeln!(
            std::io::stderr(),
            "SKIPPED browser test: install chromium and chromium-driver (apt-get install chromium chromium-driver)"
        );
        return None;
    };
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/status", driver.base))
            .await
            .is_ok()
        {
            return Some(driver);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("chromedriver did not start");
}

/// A new browser session with a profile of its own; returns the session's URL.
pub(crate) async fn open_session(
    c: &reqwest::Client,
    driver: &Driver,
) -> (String, tempfile::TempDir) {
    let profile = tempfile::tempdir().unwrap();
    let caps = json!({"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": {
        "binary": "/usr/bin/chromium",
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 format!("--user-data-dir={}", profile.path().display())]
    }}}});
    let session = call(
        c,
        reqwest::Method::POST,
        format!("{}/session", driver.base),
        caps,
    )
    .await;
    let sid = session["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no WebDriver session: {session}"))
        .to_owned();
    (format!("{}/session/{sid}", driver.base), profile)
}

/// The WebDriver id of the first element matching `css`.
pub(crate) async fn find(c: &reqwest::Client, s: &str, css: &str) -> String {
    let el = call(
        c,
        reqwest::Method::POST,
        format!("{s}/element"),
        json!({"using": "css selector", "value": css}),
    )
    .await;
    el.as_object()
        .unwrap()
        .values()
        .next()
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

/// Signs in through the form with a token.
pub(crate) async fn sign_in(c: &reqwest::Client, s: &str, r: &crate::common::Running, token: &str) {
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/url"),
        json!({"url": r.url("/login")}),
    )
    .await;
    let field = find(c, s, "input[name=token]").await;
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/element/{field}/value"),
        json!({"text": token}),
    )
    .await;
    let button = find(c, s, "form.login button").await;
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/element/{button}/click"),
        json!({}),
    )
    .await;
    for _ in 0..50 {
        let url = call(c, reqwest::Method::GET, format!("{s}/url"), Value::Null).await;
        if !url.as_str().unwrap_or("").contains("/login") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("signing in did not leave the sign-in page");
}

pub(crate) async fn call(
    c: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    body: Value,
) -> Value {
    let request = c.request(method, url);
    // chromedriver refuses a body on GET, and requires one (an object) on POST.
    let request = if body.is_null() {
        request
    } else {
        request.json(&body)
    };
    let resp = request.send().await.unwrap();
    let v: Value = resp.json().await.unwrap();
    v["value"].clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_signs_in_with_a_token_and_sees_the_round() {
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend(
        "a_person_signs_in_with_a_token_and_sees_the_round",
        async |r| {
            let c = reqwest::Client::new();
            let (s, _profile) = open_session(&c, &driver).await;
            call(
                &c,
                reqwest::Method::POST,
                format!("{s}/url"),
                json!({"url": r.url("/")}),
            )
            .await;
            let find = async |css: &str| find(&c, &s, css).await;
            // Not signed in: the dashboard sends the browser to the sign-in form.
            let token_field = find("input[name=token]").await;
            call(
                &c,
                reqwest::Method::POST,
                format!("{s}/element/{token_field}/value"),
                json!({"text": r.token("UA", Role::Negotiator)}),
            )
            .await;
            let button = find("form.login button").await;
            call(
                &c,
                reqwest::Method::POST,
                format!("{s}/element/{button}/click"),
                json!({}),
            )
            .await;
            let mut text = String::new();
            for _ in 0..50 {
                let body = find("body").await;
                text = call(
                    &c,
                    reqwest::Method::GET,
                    format!("{s}/element/{body}/text"),
                    Value::Null,
                )
                .await
                .as_str()
                .unwrap_or("")
                .to_owned();
                if text.contains("Commitments") {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let url = call(&c, reqwest::Method::GET, format!("{s}/url"), Value::Null).await;
            assert!(
                text.contains("Istanbul talks, second round"),
                "{}: {text} at {url}",
                r.backend
            );
            assert!(text.contains("of 1,000 (+200 possible)"), "{text}");
            assert!(text.contains("ua-negotiator"), "{text}");
            let shot = call(
                &c,
                reqwest::Method::GET,
                format!("{s}/screenshot"),
                Value::Null,
            )
            .await;
            assert!(
                shot.as_str().is_some_and(|b| b.len() > 1000),
                "a screenshot of the dashboard"
            );
            c.delete(s).send().await.unwrap();
        },
    )
    .await;
}

/// The text of each page of a PDF, by poppler's pdftotext; `None` where poppler is missing.
fn pdf_pages(pdf: &std::path::Path) -> Option<Vec<String>> {
    let info = Command::new("pdfinfo").arg(pdf).output().ok()?;
    let info = String::from_utf8_lossy(&info.stdout);
    let pages: usize = info
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))?
        .trim()
        .parse()
        .ok()?;
    (1..=pages)
        .map(|p| {
            let out = Command::new("pdftotext")
                .args(["-f", &p.to_string(), "-l", &p.to_string(), "-layout"])
                .arg(pdf)
                .arg("-")
                .output()
                .ok()?;
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_printed_list_carries_its_hash_on_every_page() {
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend("a_printed_list_carries_its_hash_on_every_page", async |r| {
        let c = reqwest::Client::new();
        let lists: Value = c
            .get(r.url("/api/v1/lists"))
            .bearer_auth(r.token("UA", Role::Viewer))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let longest = lists
            .as_array()
            .unwrap()
            .iter()
            .max_by_key(|l| l["rows"].as_i64())
            .unwrap();
        let (id, sha) = (
            longest["id"].as_i64().unwrap(),
            longest["sha256"].as_str().unwrap().to_owned(),
        );
        let (s, _profile) = open_session(&c, &driver).await;
        sign_in(&c, &s, r, &r.token("UA", Role::Viewer)).await;
        call(
            &c,
            reqwest::Method::POST,
            format!("{s}/url"),
            json!({"url": r.url(&format!("/lists/{id}/export?format=print"))}),
        )
        .await;
        let pdf = call(
            &c,
            reqwest::Method::POST,
            format!("{s}/print"),
            json!({"orientation": "landscape"}),
        )
        .await;
        let pdf = pdf.as_str().unwrap_or_else(|| panic!("no PDF: {pdf}"));
        let dir = tempfile::tempdir().unwrap();
        let (b64, path) = (dir.path().join("list.b64"), dir.path().join("list.pdf"));
        std::fs::write(&b64, pdf).unwrap();
        let decoded = Command::new("base64").arg("-d").arg(&b64).output().unwrap();
        std::fs::write(&path, decoded.stdout).unwrap();
        let Some(pages) = pdf_pages(&path) else {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED the page-by-page check: install poppler-utils (pdftotext)"
            );
            return;
        };
        assert!(
            pages.len() >= 2,
            "{}: the list should need several pages, got {}",
            r.backend,
            pages.len()
        );
        for (n, text) in pages.iter().enumerate() {
            let flat: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            assert!(
                flat.contains(&sha),
                "{}: page {} of {} lacks the SHA-256 {sha}:\n{text}",
                r.backend,
                n + 1,
                pages.len()
            );
        }
        c.delete(s).send().await.unwrap();
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reviewer_confirms_a_pair_in_the_browser_and_undoes_it() {
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend(
        "a_reviewer_confirms_a_pair_in_the_browser_and_undoes_it",
        async |r| {
            let c = reqwest::Client::new();
            let reviewer = r.token("UA", Role::Reviewer);
            let upload = async |csv: &str, kind: &str, from: Option<&str>| -> i64 {
                let mut form = reqwest::multipart::Form::new()
                    .part(
                        "file",
                        reqwest::multipart::Part::bytes(csv.as_bytes().to_vec())
                            .file_name(format!("{kind}-browser.csv")),
                    )
                    .text("kind", kind.to_owned())
                    .text("category", "pow");
                if let Some(f) = from {
                    form = form.text("from", f.to_owned());
                }
                let report: Value = c
                    .post(r.url("/api/v1/lists"))
                    .bearer_auth(r.token("UA", Role::Operator))
                    .multipart(form)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                report["list"]
                    .as_i64()
                    .unwrap_or_else(|| panic!("{report}"))
            };
            let request = upload(
                "прізвище,ім'я,по батькові,дата народження\nГнатюк,Остап,Богданович,03.03.1997\n",
                "request",
                None,
            )
            .await;
            let holding = upload(
                "ФИО,дата рождения\nГнатюк Остап Богданович,03.03.1997\n",
                "holding",
                Some("RU"),
            )
            .await;
            let report: Value = c
                .post(r.url("/api/v1/reconcile"))
                .bearer_auth(&reviewer)
                .json(&json!({"request": request, "holding": holding}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(report["proposed"], 1, "{report}");
            let queue: Value = c
                .get(r.url("/api/v1/links"))
                .query(&[("decision", "candidate")])
                .bearer_auth(&reviewer)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let link = queue
                .as_array()
                .unwrap()
                .iter()
                .find(|l| l["other_list"] == holding)
                .unwrap()["id"]
                .to_string();
            let (s, _profile) = open_session(&c, &driver).await;
            sign_in(&c, &s, r, &reviewer).await;
            call(
                &c,
                reqwest::Method::POST,
                format!("{s}/url"),
                json!({"url": r.url("/review")}),
            )
            .await;
            let row = find(&c, &s, &format!("tr#link-{link}")).await;
            // Both records side by side: Cyrillic as written, and their romanisation.
            let text = call(
                &c,
                reqwest::Method::GET,
                format!("{s}/element/{row}/text"),
                Value::Null,
            )
            .await;
            let text = text.as_str().unwrap_or("");
            assert!(
                text.chars().any(|ch| ('а'..='я').contains(&ch))
                    && text.chars().any(|ch| ch.is_ascii_alphabetic()),
                "{text}"
            );
            let accept = find(&c, &s, &format!("tr#link-{link} button")).await;
            call(
                &c,
                reqwest::Method::POST,
                format!("{s}/element/{accept}/click"),
                json!({}),
            )
            .await;
            let decided = async |decision: &str| -> bool {
                let links: Value = c
                    .get(r.url("/api/v1/links"))
                    .query(&[("decision", decision)])
                    .bearer_auth(&reviewer)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                links
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["id"].as_i64() == link.parse::<i64>().ok())
            };
            let mut confirmed = false;
            for _ in 0..50 {
                if decided("confirmed").await {
                    confirmed = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(confirmed, "{}: the click confirmed link {link}", r.backend);
            call(
                &c,
                reqwest::Method::POST,
                format!("{s}/url"),
                json!({"url": r.url("/review?show=confirmed")}),
            )
            .await;
            let undo = find(&c, &s, &format!("tr#link-{link} button")).await;
            let label = call(
                &c,
                reqwest::Method::GET,
                format!("{s}/element/{undo}/text"),
                Value::Null,
            )
            .await;
            assert_eq!(label, "Undo");
            call(
                &c,
                reqwest::Method::POST,
                format!("{s}/element/{undo}/click"),
                json!({}),
            )
            .await;
            let mut back = false;
            for _ in 0..50 {
                if decided("candidate").await {
                    back = true;
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            assert!(
                back,
                "{}: undo put link {link} back in the queue",
                r.backend
            );
            c.delete(s).send().await.unwrap();
        },
    )
    .await;
}

/// The text of the page's body, once it holds `until` (or after five seconds).
/// The page's text once it holds `until` (or after 5 s).
pub(crate) async fn body_text(c: &reqwest::Client, s: &str, until: &str) -> String {
    let mut text = String::new();
    for _ in 0..50 {
        let body = find(c, s, "body").await;
        text = call(
            c,
            reqwest::Method::GET,
            format!("{s}/element/{body}/text"),
            Value::Null,
        )
        .await
        .as_str()
        .unwrap_or("")
        .to_owned();
        if text.contains(until) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    text
}

pub(crate) async fn click(c: &reqwest::Client, s: &str, css: &str) {
    let el = find(c, s, css).await;
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/element/{el}/click"),
        json!({}),
    )
    .await;
}

/// Types `text` into the first element matching `css`.
pub(crate) async fn type_into(c: &reqwest::Client, s: &str, css: &str, text: &str) {
    let el = find(c, s, css).await;
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/element/{el}/value"),
        json!({ "text": text }),
    )
    .await;
}

pub(crate) async fn go(c: &reqwest::Client, s: &str, url: String) {
    call(
        c,
        reqwest::Method::POST,
        format!("{s}/url"),
        json!({ "url": url }),
    )
    .await;
}

/// In the browser: a viewer sees a child's record masked; a reviewer proposes a restricted
/// status on the record's page and cannot confirm it; a protection officer, signed in in a
/// browser of their own, confirms it.
#[tokio::test(flavor = "multi_thread")]
async fn a_restricted_status_takes_two_people_in_the_browser() {
    let Some(driver) = start_driver().await else {
        return;
    };
    each_backend(
        "a_restricted_status_takes_two_people_in_the_browser",
        async |r| {
            let c = reqwest::Client::new();
            let api =
                |path: &str, role: Role| c.get(r.url(path)).bearer_auth(r.token("UA", role)).send();
            let child: Value = api(
                "/api/v1/persons?category=child&per_page=1",
                Role::Protection,
            )
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
            let child = child["items"][0]["id"].as_i64().unwrap();
            let man: Value = api(
                "/api/v1/persons?category=pow&status=in_custody&per_page=1",
                Role::Viewer,
            )
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
            let man = man["items"][0]["id"].as_i64().unwrap();

            let (viewer, _p1) = open_session(&c, &driver).await;
            sign_in(&c, &viewer, r, &r.token("UA", Role::Viewer)).await;
            go(&c, &viewer, r.url(&format!("/persons/{child}"))).await;
            let text = body_text(&c, &viewer, "protected").await;
            assert!(
                text.contains("This record is protected"),
                "{}: {text}",
                r.backend
            );

            let (reviewer, _p2) = open_session(&c, &driver).await;
            sign_in(&c, &reviewer, r, &r.token("UA", Role::Reviewer)).await;
            go(&c, &reviewer, r.url(&format!("/persons/{man}"))).await;
            click(
                &c,
                &reviewer,
                "select[name=kind] option[value=harmful_information]",
            )
            .await;
            click(&c, &reviewer, "form#propose-restriction button").await;
            let text = body_text(&c, &reviewer, "waiting for a second person").await;
            assert!(
                text.contains("waiting for a second person"),
                "{}: {text}",
                r.backend
            );
            click(&c, &reviewer, "table#restrictions button").await;
            let text = body_text(&c, &reviewer, "second person must confirm").await;
            assert!(
                text.contains("a second person must confirm it"),
                "{}: {text}",
                r.backend
            );

            let (officer, _p3) = open_session(&c, &driver).await;
            sign_in(&c, &officer, r, &r.token("UA", Role::Protection)).await;
            go(&c, &officer, r.url(&format!("/persons/{man}"))).await;
            click(&c, &officer, "table#restrictions button").await;
            // Confirmed: the officer's name stands where "waiting for a second person" stood,
            // and the release is offered to a negotiator only, who may press it.
            for _ in 0..50 {
                let now: Value = api(&format!("/api/v1/persons/{man}/restrictions"), Role::Viewer)
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                if now[0]["confirmed_by"].is_string() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            go(&c, &officer, r.url(&format!("/persons/{man}"))).await;
            let text = body_text(&c, &officer, "ua-protection").await;
            assert!(
                !text.contains("waiting for a second person") && !text.contains("Release to lists"),
                "{}: confirmed: {text}",
                r.backend
            );
            let (negotiator, _p4) = open_session(&c, &driver).await;
            sign_in(&c, &negotiator, r, &r.token("UA", Role::Negotiator)).await;
            go(&c, &negotiator, r.url(&format!("/persons/{man}"))).await;
            let text = body_text(&c, &negotiator, "Release to lists").await;
            assert!(text.contains("Release to lists"), "{}: {text}", r.backend);
            let restrictions: Value =
                api(&format!("/api/v1/persons/{man}/restrictions"), Role::Viewer)
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
            assert!(
                restrictions[0]["confirmed_by"].is_string(),
                "{restrictions}"
            );
            assert_ne!(
                restrictions[0]["confirmed_by"],
                restrictions[0]["proposed_by"]
            );
            for s in [viewer, reviewer, officer, negotiator] {
                c.delete(s).send().await.unwrap();
            }
        },
    )
    .await;
}
